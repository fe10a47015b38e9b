//! `oauth-inspector flow …`: runs one flow with the store and the terminal subscribed.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use inspector_engine::client_auth::AuthMethod;
use inspector_engine::discovery::{Endpoints, ProviderSource};
use inspector_engine::flows::client_credentials;
use inspector_engine::http::HttpClient;
use inspector_engine::{ErrorCode, FlowError, Recorder, Secret, TokenSet};
use inspector_store::{NewSession, Run, Store};

use crate::Failure;
use crate::output::{self, Format};

#[derive(Subcommand)]
pub enum FlowCommand {
    /// Client credentials grant (RFC 6749 §4.4)
    ClientCredentials(ClientCredentialsArgs),
}

#[derive(Args)]
pub struct ProviderArgs {
    /// Issuer URL; endpoints are discovered from it
    #[arg(long, required_unless_present = "token_url")]
    issuer: Option<String>,
    /// Token endpoint, instead of discovery
    #[arg(long, conflicts_with = "issuer")]
    token_url: Option<String>,
}

#[derive(Args)]
pub struct OutputArgs {
    /// One JSON object per line: {"type": "step"|"tokens"|"error"|"done", ...}
    #[arg(long)]
    json: bool,
    /// Show each raw request and response (secrets redacted)
    #[arg(long, short)]
    verbose: bool,
    /// Seconds to wait for each HTTP response
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

#[derive(Args)]
pub struct ClientCredentialsArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    #[arg(long)]
    client_id: String,
    #[arg(long, env = "OAUTH_INSPECTOR_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// client_secret_basic | client_secret_post | none
    #[arg(long, default_value = "client_secret_basic")]
    auth_method: AuthMethod,
    /// Space-separated scopes
    #[arg(long)]
    scope: Option<String>,
    #[command(flatten)]
    output: OutputArgs,
}

impl ProviderArgs {
    fn source(&self) -> ProviderSource {
        match (&self.issuer, &self.token_url) {
            (Some(issuer), _) => ProviderSource::Issuer { issuer: issuer.clone() },
            (None, token) => ProviderSource::Manual { endpoints: Endpoints { token_endpoint: token.clone(), ..Default::default() } },
        }
    }
}

async fn open_store(db: Option<PathBuf>, no_save: bool) -> Result<Option<Store>, Failure> {
    if no_save {
        return Ok(None);
    }
    let path = db.unwrap_or_else(inspector_store::default_path);
    Store::open(&path).await.map(Some).map_err(|e| Failure::Usage(e.to_string()))
}

pub async fn run(cmd: FlowCommand, db: Option<PathBuf>, no_save: bool) -> Result<(), Failure> {
    let store = open_store(db, no_save).await?;
    match cmd {
        FlowCommand::ClientCredentials(a) => {
            let settings = client_credentials::Settings {
                provider: a.provider.source(),
                client_id: a.client_id.clone(),
                auth_method: a.auth_method,
                scope: a.scope.clone(),
            };
            let new = NewSession::for_flow("client_credentials", &settings.provider, &settings.client_id, &settings);
            let secret = a.client_secret.map(Secret::new);
            let http = HttpClient::new(Duration::from_secs(a.output.timeout));
            drive(store.as_ref(), &new, &a.output, async |rec| {
                client_credentials::run(&http, rec, &settings, secret).await
            })
            .await
        }
    }
}

/// Runs a flow with the store and the terminal subscribed, and maps its outcome to an exit status.
async fn drive<F>(store: Option<&Store>, new: &NewSession, out: &OutputArgs, flow: F) -> Result<(), Failure>
where
    F: AsyncFnOnce(&Recorder) -> Result<TokenSet, FlowError>,
{
    let mut run = Run::start(store, new).await.map_err(|e| Failure::Usage(e.to_string()))?;
    let format = if out.json { Format::Json } else { Format::Human { verbose: out.verbose } };
    let printer = tokio::spawn(output::print(run.subscribe(), format, run.session_id()));
    let result = flow(&run.recorder).await;
    let bad_input = matches!(&result, Err(e) if e.code == ErrorCode::InvalidInput);
    let outcome = run.finish(result).await;
    let _ = printer.await;
    if let Some(e) = outcome.store_error {
        eprintln!("warning: the session could not be saved completely: {e}");
    }
    match (outcome.ok, bad_input) {
        (true, _) => Ok(()),
        (false, true) => Err(Failure::UsageReported),
        (false, false) => Err(Failure::Flow),
    }
}
