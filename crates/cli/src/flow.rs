//! `oauth-inspector flow …`: runs one flow with the store and the terminal subscribed.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand};
use inspector_app::{AppError, Core, Login, Operation, RunRequest};
use inspector_engine::client_auth::AuthMethod;
use inspector_engine::discovery::Endpoints;
use inspector_engine::pkce::PkceMethod;
use inspector_engine::{ErrorCode, Secret};

use crate::Failure;
use crate::output::{Format, Printer};
use crate::term::{note, say, visible};

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
    #[arg(long, env = "OAUTH_INSPECTOR_TOKEN", hide_env_values = true, allow_hyphen_values = true)]
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
    #[arg(long, env = "OAUTH_INSPECTOR_CLIENT_SECRET", hide_env_values = true, allow_hyphen_values = true)]
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

#[derive(Args, Clone)]
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
    /// The flags as the application core's request; the core fills in what is not given.
    fn request(&self, operation: Operation) -> Result<RunRequest, Failure> {
        let private_key = match &self.private_key {
            Some(p) => Some(Secret::new(
                std::fs::read_to_string(p)
                    .map_err(|e| usage(format!("cannot read the private key {}: {e}", p.display())))?,
            )),
            None => None,
        };
        let r = &self.request;
        Ok(RunRequest {
            operation,
            provider: self.provider.clone(),
            client: self.saved_client.clone(),
            issuer: self.issuer.clone(),
            endpoints: self.endpoints.endpoints(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone().map(Secret::new),
            auth_method: self.auth_method,
            private_key,
            scope: r.scope.clone(),
            resource: r.resource.clone(),
            audience: r.audience.clone(),
            params: r.params.clone(),
            ..Default::default()
        })
    }
}

pub async fn run(cmd: FlowCommand, db: Option<PathBuf>, no_save: bool) -> Result<(), Failure> {
    let (mut req, output) = match cmd {
        FlowCommand::ClientCredentials { client, output } => (client.request(Operation::ClientCredentials)?, output),
        FlowCommand::AuthCode { client, redirect_uri, pkce, no_browser, login_timeout, output } => {
            let mut req = client.request(Operation::AuthorizationCode)?;
            req.redirect_uri = redirect_uri;
            req.pkce = Some(pkce);
            req.login = if no_browser { Login::Print } else { Login::SystemBrowser };
            req.login_timeout_secs = Some(login_timeout);
            (req, output)
        }
        FlowCommand::Device { client, output } => (client.request(Operation::DeviceCode)?, output),
        FlowCommand::Refresh(op) => op.request(Operation::Refresh)?,
        FlowCommand::Revoke(op) => op.request(Operation::Revoke)?,
        FlowCommand::Introspect(op) => op.request(Operation::Introspect)?,
        FlowCommand::Userinfo(op) => op.request(Operation::Userinfo)?,
    };
    req.timeout_secs = Some(output.timeout);
    // Saved providers and sessions are read even with --no-save; a run is then not written.
    let reads = req.provider.is_some() || req.session.is_some();
    let core = match (no_save, reads) {
        (false, _) => Core::new(Some(crate::open_store(db).await?)),
        (true, true) => Core::reading_only(Some(crate::open_store(db).await?)),
        (true, false) => Core::new(None),
    };
    let format = if output.json { Format::Json } else { Format::Human { verbose: output.verbose } };
    let outcome = core.run(req, Arc::new(Printer::new(format))).await.map_err(app_failure)?;
    if let (Some(v), false) = (&outcome.result, output.json) {
        say!("{}", visible(&serde_json::to_string_pretty(v).unwrap_or_default()));
    }
    if let Some(e) = outcome.store_error {
        note!("warning: the session could not be saved completely: {}", crate::term::one_line(&e));
    }
    match outcome.error {
        None if outcome.ok => Ok(()),
        Some(e) if e.code == ErrorCode::InvalidInput => Err(Failure::UsageReported),
        _ => Err(Failure::Flow),
    }
}

impl TokenOp {
    fn request(&self, operation: Operation) -> Result<(RunRequest, OutputArgs), Failure> {
        let mut req = self.client.request(operation)?;
        req.token = self.token.clone().map(Secret::new);
        req.session = self.session;
        req.token_type_hint = self.token_type_hint.clone();
        Ok((req, self.output.clone()))
    }
}

/// An error before the run started: exit 2 when it could not run, 1 when the answer is no.
fn app_failure(e: AppError) -> Failure {
    if e.usage { Failure::Usage(e.message) } else { Failure::Failed(e.message) }
}
