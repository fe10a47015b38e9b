//! `oauth-inspector flow …`: runs one flow with the store and the terminal subscribed.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use inspector_engine::client_auth::AuthMethod;
use inspector_engine::discovery::{Endpoints, ProviderSource};
use inspector_engine::flows::auth_code::{self, AuthCodeSettings, Callback};
use inspector_engine::flows::common::{ClientSecrets, ClientSettings};
use inspector_engine::flows::{client_credentials, device, ops};
use inspector_engine::http::HttpClient;
use inspector_engine::loopback::Loopback;
use inspector_engine::pkce::PkceMethod;
use inspector_engine::{ErrorCode, FlowError, Recorder, Secret, TokenSet};
use inspector_store::{NewSession, RegisteredClient, Run, Store};

use crate::output::{self, Format};
use crate::term::{note, say, visible};
use crate::{Failure, store_failure};

#[derive(Subcommand)]
pub enum FlowCommand {
    /// Client credentials grant (RFC 6749 §4.4)
    ClientCredentials {
        #[command(flatten)]
        client: ClientArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Authorization code grant with PKCE, through a browser and a loopback redirect (RFC 8252)
    AuthCode {
        #[command(flatten)]
        client: ClientArgs,
        /// Loopback redirect URI, e.g. http://127.0.0.1:8765/callback (default: an ephemeral port)
        #[arg(long)]
        redirect_uri: Option<String>,
        /// S256 (default); plain and none only to demonstrate why not
        #[arg(long, default_value = "S256")]
        pkce: PkceMethod,
        /// Print the authorization URL instead of opening a browser
        #[arg(long)]
        no_browser: bool,
        /// Seconds to wait for the browser to come back
        #[arg(long, default_value_t = 300)]
        login_timeout: u64,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Device authorization grant (RFC 8628)
    Device {
        #[command(flatten)]
        client: ClientArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Use a refresh token (RFC 6749 §6)
    Refresh(TokenOp),
    /// Revoke a token (RFC 7009)
    Revoke(TokenOp),
    /// Introspect a token (RFC 7662)
    Introspect(TokenOp),
    /// Call the UserInfo endpoint with an access token (OIDC Core §5.3)
    Userinfo(TokenOp),
}

#[derive(Args)]
pub struct TokenOp {
    #[command(flatten)]
    client: ClientArgs,
    /// The token (refresh token for refresh, access token for userinfo)
    #[arg(long, env = "OAUTH_INSPECTOR_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Take the token — and, unless given, the provider and client — from a saved session
    #[arg(long)]
    session: Option<i64>,
    /// access_token | refresh_token (revoke, introspect)
    #[arg(long)]
    token_type_hint: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args)]
pub struct ClientArgs {
    /// Saved provider (see `oauth-inspector providers`); its saved client fills in what is not given
    #[arg(long, value_name = "NAME")]
    provider: Option<String>,
    /// Saved client of --provider to use (default: its only client)
    #[arg(long = "client", value_name = "NAME", requires = "provider")]
    saved_client: Option<String>,
    /// Issuer URL; endpoints are discovered from it
    #[arg(long)]
    issuer: Option<String>,
    #[command(flatten)]
    endpoints: EndpointArgs,
    #[arg(long)]
    client_id: Option<String>,
    #[arg(long, env = "OAUTH_INSPECTOR_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// client_secret_basic | client_secret_post | client_secret_jwt | private_key_jwt | none
    /// (default: basic with a secret, private_key_jwt with a key, else none)
    #[arg(long)]
    auth_method: Option<AuthMethod>,
    /// PEM file of the private key for private_key_jwt
    #[arg(long)]
    private_key: Option<PathBuf>,
    #[command(flatten)]
    request: RequestArgs,
}

/// What a client asks for, besides its grant: flows and `clients add` take the same flags.
#[derive(Args)]
pub struct RequestArgs {
    /// Space-separated scopes
    #[arg(long)]
    pub scope: Option<String>,
    /// Resource indicator (RFC 8707); repeatable
    #[arg(long)]
    pub resource: Vec<String>,
    /// `audience` parameter (Auth0, Okta)
    #[arg(long)]
    pub audience: Option<String>,
    /// Extra request parameter NAME=VALUE; repeatable
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
}

fn parse_param(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("expected NAME=VALUE, got {s:?}"))
}

/// Endpoints entered by hand, instead of discovery (flows and `providers add`).
#[derive(Args)]
pub struct EndpointArgs {
    #[arg(long)]
    authorize_url: Option<String>,
    #[arg(long)]
    token_url: Option<String>,
    #[arg(long)]
    device_url: Option<String>,
    #[arg(long)]
    revocation_url: Option<String>,
    #[arg(long)]
    introspection_url: Option<String>,
    #[arg(long)]
    userinfo_url: Option<String>,
}

impl EndpointArgs {
    pub fn endpoints(&self) -> Endpoints {
        Endpoints {
            authorization_endpoint: self.authorize_url.clone(),
            token_endpoint: self.token_url.clone(),
            device_authorization_endpoint: self.device_url.clone(),
            revocation_endpoint: self.revocation_url.clone(),
            introspection_endpoint: self.introspection_url.clone(),
            userinfo_endpoint: self.userinfo_url.clone(),
            ..Default::default()
        }
    }
}

#[derive(Args)]
pub struct OutputArgs {
    /// One JSON object per line: {"type": "step"|"tokens"|"action"|"error"|"done", ...}
    #[arg(long)]
    json: bool,
    /// Show each raw request and response (secrets redacted)
    #[arg(long, short)]
    verbose: bool,
    /// Seconds to wait for each HTTP response
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

fn usage(msg: impl Into<String>) -> Failure {
    Failure::Usage(msg.into())
}

impl ClientArgs {
    /// The saved client registration named by --provider [--client], if any.
    async fn registered(
        &self,
        store: Option<&Store>,
        db: &Option<PathBuf>,
    ) -> Result<Option<RegisteredClient>, Failure> {
        match &self.provider {
            Some(provider) => {
                crate::registry_cmd::load(store, db.clone(), provider, self.saved_client.as_deref()).await.map(Some)
            }
            None => Ok(None),
        }
    }

    /// Settings and secrets from the arguments, falling back on a saved client registration
    /// (`registered`, which fills in every flag not given) or else a saved session's settings.
    fn resolve(
        &self,
        saved: Option<&ClientSettings>,
        registered: Option<&RegisteredClient>,
    ) -> Result<(ClientSettings, ClientSecrets), Failure> {
        let saved = registered.map(|r| &r.settings).or(saved);
        let manual = self.endpoints.endpoints();
        let provider = match (&self.issuer, manual != Endpoints::default(), saved) {
            (Some(_), true, _) => return Err(usage("give either --issuer or endpoints (--token-url, …), not both")),
            (Some(issuer), false, _) => ProviderSource::Issuer { issuer: issuer.clone() },
            (None, true, _) => ProviderSource::Manual { endpoints: manual },
            (None, false, Some(s)) => s.provider.clone(),
            (None, false, None) => {
                return Err(usage("expected --issuer URL (or endpoints such as --token-url, or --provider NAME)"));
            }
        };
        let client_id = self
            .client_id
            .clone()
            .or_else(|| saved.map(|s| s.client_id.clone()))
            .ok_or_else(|| usage("expected --client-id"))?;
        let private_key = match &self.private_key {
            Some(p) => Some(Secret::new(
                std::fs::read_to_string(p)
                    .map_err(|e| usage(format!("cannot read the private key {}: {e}", p.display())))?,
            )),
            None => None,
        };
        let derived = match (&self.client_secret, &private_key) {
            (_, Some(_)) => AuthMethod::PrivateKeyJwt,
            (Some(_), None) => AuthMethod::ClientSecretBasic,
            (None, None) => saved.map_or(AuthMethod::None, |s| s.auth_method),
        };
        // A registration's method stays unless the secret or key given calls for another kind.
        let auth_method = self.auth_method.unwrap_or(match registered.map(|r| r.settings.auth_method) {
            Some(m) if private_key.is_some() => {
                if m == AuthMethod::PrivateKeyJwt {
                    m
                } else {
                    derived
                }
            }
            Some(m) if self.client_secret.is_some() => {
                if matches!(
                    m,
                    AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost | AuthMethod::ClientSecretJwt
                ) {
                    m
                } else {
                    derived
                }
            }
            Some(m) => m,
            None => derived,
        });
        let r = &self.request;
        let mut settings = ClientSettings {
            provider,
            client_id,
            auth_method,
            scope: r.scope.clone(),
            resource: r.resource.clone(),
            audience: r.audience.clone(),
            extra: r.params.clone(),
        };
        let mut secrets = ClientSecrets { client_secret: self.client_secret.clone().map(Secret::new), private_key };
        if let Some(r) = registered {
            let s = &r.settings;
            if self.request.scope.is_none() {
                settings.scope = s.scope.clone();
            }
            if self.request.resource.is_empty() {
                settings.resource = s.resource.clone();
            }
            if self.request.audience.is_none() {
                settings.audience = s.audience.clone();
            }
            if self.request.params.is_empty() {
                settings.extra = s.extra.clone();
            }
            let needs_saved = (secrets.client_secret.is_none() && r.secrets.client_secret.is_some())
                || (secrets.private_key.is_none() && r.secrets.private_key.is_some());
            if needs_saved {
                // A saved secret goes only to the provider it was saved for, whatever --issuer says.
                let saved = r.secrets_for(&settings.provider).map_err(crate::store_failure)?;
                secrets.client_secret = secrets.client_secret.or(saved.client_secret);
                secrets.private_key = secrets.private_key.or(saved.private_key);
            }
        }
        Ok((settings, secrets))
    }
}

async fn open_store(db: Option<PathBuf>, no_save: bool) -> Result<Option<Store>, Failure> {
    if no_save {
        return Ok(None);
    }
    crate::open_store(db).await.map(Some)
}

fn http(out: &OutputArgs) -> HttpClient {
    HttpClient::new(Duration::from_secs(out.timeout))
}

pub async fn run(cmd: FlowCommand, db: Option<PathBuf>, no_save: bool) -> Result<(), Failure> {
    let store = open_store(db.clone(), no_save).await?;
    let store = store.as_ref();
    match cmd {
        FlowCommand::ClientCredentials { client, output } => {
            let (settings, secrets) = client.resolve(None, client.registered(store, &db).await?.as_ref())?;
            let new = NewSession::for_flow("client_credentials", &settings.provider, &settings.client_id, &settings);
            let http = http(&output);
            drive(store, &new, &output, true, async |rec| {
                client_credentials::run(&http, rec, &settings, &secrets).await.map(Some)
            })
            .await
        }
        FlowCommand::AuthCode { client, redirect_uri, pkce, no_browser, login_timeout, output } => {
            let registered = client.registered(store, &db).await?;
            let (client, secrets) = client.resolve(None, registered.as_ref())?;
            let redirect_uri =
                redirect_uri.or_else(|| registered.as_ref().and_then(|r| r.redirect_uri().map(String::from)));
            let settings = AuthCodeSettings { client, redirect_uri, pkce, login_timeout_secs: login_timeout };
            let listener = Loopback::bind(settings.redirect_uri.as_deref()).await.map_err(|e| usage(e.message))?;
            let new = NewSession::for_flow(
                "authorization_code",
                &settings.client.provider,
                &settings.client.client_id,
                &settings,
            );
            let http = http(&output);
            drive(store, &new, &output, !no_browser, async |rec| {
                auth_code::run(&http, rec, &settings, &secrets, Callback::Loopback(listener)).await.map(Some)
            })
            .await
        }
        FlowCommand::Device { client, output } => {
            let (settings, secrets) = client.resolve(None, client.registered(store, &db).await?.as_ref())?;
            let new = NewSession::for_flow("device_code", &settings.provider, &settings.client_id, &settings);
            let http = http(&output);
            drive(store, &new, &output, false, async |rec| device::run(&http, rec, &settings, &secrets).await.map(Some))
                .await
        }
        FlowCommand::Refresh(op) => token_op(store, db, no_save, op, "refresh").await,
        FlowCommand::Revoke(op) => token_op(store, db, no_save, op, "revoke").await,
        FlowCommand::Introspect(op) => token_op(store, db, no_save, op, "introspect").await,
        FlowCommand::Userinfo(op) => token_op(store, db, no_save, op, "userinfo").await,
    }
}

/// refresh / revoke / introspect / userinfo: a token given or taken from a saved session.
async fn token_op(
    store: Option<&Store>,
    db: Option<PathBuf>,
    no_save: bool,
    op: TokenOp,
    what: &str,
) -> Result<(), Failure> {
    let saved = match op.session {
        Some(id) => {
            // Reading a session works even with --no-save.
            let reader = match store {
                Some(s) => s.clone(),
                None => crate::open_store(db.clone()).await?,
            };
            let _ = no_save;
            // A session named and not there is a failure (1), as in `sessions show`.
            Some(reader.require(id, inspector_store::View::Full).await.map_err(store_failure)?)
        }
        None => None,
    };
    let saved_settings: Option<ClientSettings> =
        saved.as_ref().and_then(|s| serde_json::from_value(s.settings.clone()).ok());
    let registered = op.client.registered(store, &db).await?;
    let (settings, secrets) = op.client.resolve(saved_settings.as_ref(), registered.as_ref())?;
    let from_session =
        |pick: fn(&TokenSet) -> Option<String>| saved.as_ref().and_then(|s| s.tokens.as_ref()).and_then(pick);
    let wanted_refresh = what == "refresh" || op.token_type_hint.as_deref() == Some("refresh_token");
    let token = op
        .token
        .clone()
        .or_else(|| {
            if wanted_refresh {
                from_session(|t| t.refresh_token.clone())
            } else {
                from_session(|t| Some(t.access_token.clone()))
            }
        })
        .map(Secret::new)
        .ok_or_else(|| {
            usage(format!(
                "expected --token, or --session ID of a session holding a {}",
                if wanted_refresh { "refresh token" } else { "token" }
            ))
        })?;
    let flow = match what {
        "refresh" => "refresh_token",
        other => other,
    };
    let new = NewSession::for_flow(flow, &settings.provider, &settings.client_id, &settings);
    let http = http(&op.output);
    let hint = op.token_type_hint.as_deref();
    let mut result_value = None;
    let outcome = drive(store, &new, &op.output, false, async |rec| match what {
        "refresh" => ops::refresh(&http, rec, &settings, &secrets, &token).await.map(Some),
        "revoke" => ops::revoke(&http, rec, &settings, &secrets, &token, hint).await.map(|_| None),
        "introspect" => ops::introspect(&http, rec, &settings, &secrets, &token, hint).await.map(|v| {
            result_value = Some(v);
            None
        }),
        _ => ops::userinfo(&http, rec, &settings, &token).await.map(|v| {
            result_value = Some(v);
            None
        }),
    })
    .await;
    if let (Some(v), false) = (result_value, op.output.json) {
        say!("{}", visible(&serde_json::to_string_pretty(&v).unwrap_or_default()));
    }
    outcome
}

/// Runs a flow with the store and the terminal subscribed, and maps its outcome to an exit status.
async fn drive<F>(
    store: Option<&Store>,
    new: &NewSession,
    out: &OutputArgs,
    open_browser: bool,
    flow: F,
) -> Result<(), Failure>
where
    F: AsyncFnOnce(&Recorder) -> Result<Option<TokenSet>, FlowError>,
{
    let mut run = Run::start(store, new).await.map_err(store_failure)?;
    let format = if out.json { Format::Json } else { Format::Human { verbose: out.verbose } };
    let printer = tokio::spawn(output::print(run.subscribe(), format, run.session_id(), open_browser));
    let result = flow(&run.recorder).await;
    let bad_input = matches!(&result, Err(e) if e.code == ErrorCode::InvalidInput);
    let outcome = run.finish(result).await;
    let _ = printer.await;
    if let Some(e) = outcome.store_error {
        note!("warning: the session could not be saved completely: {}", crate::term::one_line(&e.to_string()));
    }
    match (outcome.ok, bad_input) {
        (true, _) => Ok(()),
        (false, true) => Err(Failure::UsageReported),
        (false, false) => Err(Failure::Flow),
    }
}
