//! `oauth-inspector`: runs flows, the sandbox and (later) token and session tools from a terminal.
//! A thin front: it parses arguments, calls the same library functions as the desktop app, and
//! prints the same event stream, for people or (`--json`) one JSON object per line.
//!
//! Exit status, the same rule for every subcommand (README, "Exit status"): 0 done; 1 the command
//! ran and its answer is no (the flow failed, the token is not valid, the named session, provider
//! or client does not exist); 2 the command could not run (usage, an input file unreadable or not
//! what was expected, the database or its key unavailable, the output file not writable).
//! A closed stdout (`| head`) ends a command quietly with 0 (see `term`).

mod audit_cmd;
mod demo_cmd;
mod flow;
mod output;
mod probe_cmd;
mod registry_cmd;
mod sandbox;
mod sessions_cmd;
mod term;
mod token_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::term::note;

#[derive(Parser)]
#[command(name = "oauth-inspector", version, about = "Drive and inspect OAuth 2.0 / OpenID Connect flows")]
pub struct Cli {
    /// Session database (default: the app-data folder, or $OAUTH_INSPECTOR_DB)
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Do not save the session
    #[arg(long, global = true)]
    no_save: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the built-in sandbox authorization server in the foreground
    Sandbox {
        /// Port on 127.0.0.1 (0 = any free port)
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// TRAINER: misbehave on purpose, one way per switch (comma-separated; `all` lists them
        /// and exits). Also settable while it runs: PUT /trainer {"on": [...]}
        #[arg(long, value_delimiter = ',')]
        trainer: Vec<String>,
    },
    /// Run a flow against a provider
    Flow {
        #[command(subcommand)]
        flow: flow::FlowCommand,
    },
    /// Decode and validate a token (signature, claims, ID-token and RFC 9068 rules)
    Token {
        #[command(subcommand)]
        token: token_cmd::TokenCommand,
    },
    /// Explain a failing 401/403 call from its saved request and response
    Diagnose(token_cmd::DiagnoseArgs),
    /// Test an API the way an attacker would: each kind of bad token must be refused
    Probe {
        #[command(subcommand)]
        cmd: probe_cmd::ProbeCommand,
    },
    /// Audit a provider against the OAuth Security BCP (RFC 9700) from its metadata and keys
    Audit {
        #[command(subcommand)]
        cmd: audit_cmd::AuditCommand,
    },
    /// Play an attack demo against the sandbox: the attack without its defence, then with it
    Demo(demo_cmd::DemoArgs),
    /// Saved sessions: list, search, show, export, import, diff, rename, tag, delete
    Sessions {
        #[command(subcommand)]
        cmd: sessions_cmd::SessionsCommand,
    },
    /// Saved providers (an issuer or endpoints by hand): add, list, remove
    Providers {
        #[command(subcommand)]
        cmd: registry_cmd::ProvidersCommand,
    },
    /// Saved client registrations of a provider: add, list, remove
    Clients {
        #[command(subcommand)]
        cmd: registry_cmd::ClientsCommand,
    },
}

/// Why a command did not succeed, and so its exit status.
pub enum Failure {
    /// It ran and failed (1); its error is already printed.
    Flow,
    /// It ran and failed (1), not yet reported: a session, provider or client that does not exist.
    Failed(String),
    /// It could not run (2), not yet reported: bad arguments or input, database unavailable.
    Usage(String),
    /// It could not run (2), already reported (as the flow's error).
    UsageReported,
}

/// The one mapping of store errors onto the exit status rule: what was named and is not there is a
/// failure (1); bad input, an unusable database or key is "could not run" (2).
pub fn store_failure(e: inspector_store::StoreError) -> Failure {
    use inspector_store::StoreError as E;
    match e {
        E::NotFound(_) | E::ProviderNotFound(_) | E::ClientNotFound(_) | E::Db(_) | E::Json(_) => {
            Failure::Failed(e.to_string())
        }
        e => Failure::Usage(e.to_string()),
    }
}

/// Opens the session database for any subcommand; failing to is always "could not run" (2).
/// Once per database, says where the encryption key lives when no keychain is reachable.
pub async fn open_store(db: Option<PathBuf>) -> Result<inspector_store::Store, Failure> {
    let path = db.unwrap_or_else(inspector_store::default_path);
    let store = inspector_store::Store::open(&path).await.map_err(|e| Failure::Usage(e.to_string()))?;
    if let Ok(Some(notice)) = store.take_key_notice().await {
        note!("{notice}");
    }
    Ok(store)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            note!("oauth-inspector: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Sandbox { port, trainer } => sandbox::run(port, trainer).await,
            Command::Flow { flow } => flow::run(flow, cli.db, cli.no_save).await,
            Command::Token { token } => token_cmd::run(token).await,
            Command::Diagnose(args) => token_cmd::diagnose(args).await,
            Command::Probe { cmd } => probe_cmd::run(cmd, cli.db, cli.no_save).await,
            Command::Audit { cmd } => audit_cmd::run(cmd, cli.db, cli.no_save).await,
            Command::Demo(args) => demo_cmd::run(args, cli.db, cli.no_save).await,
            Command::Sessions { cmd } => sessions_cmd::run(cmd, cli.db).await,
            Command::Providers { cmd } => registry_cmd::providers(cmd, cli.db).await,
            Command::Clients { cmd } => registry_cmd::clients(cmd, cli.db).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Flow) => ExitCode::from(1),
        Err(Failure::Failed(msg)) => {
            note!("oauth-inspector: {}", term::one_line(&msg));
            ExitCode::from(1)
        }
        Err(Failure::UsageReported) => ExitCode::from(2),
        Err(Failure::Usage(msg)) => {
            note!("oauth-inspector: {}", term::one_line(&msg));
            ExitCode::from(2)
        }
    }
}
