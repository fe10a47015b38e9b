//! `oauth-inspector`: runs flows, the sandbox and (later) token and session tools from a terminal.
//! A thin front: it parses arguments, calls the same library functions as the desktop app, and
//! prints the same event stream, for people or (`--json`) one JSON object per line.
//!
//! Exit status: 0 success, 1 the flow failed, 2 usage error.

mod flow;
mod output;
mod registry_cmd;
mod sandbox;
mod sessions_cmd;
mod token_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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

pub enum Failure {
    /// The flow ran and failed; its error is already printed.
    Flow,
    /// Bad arguments, not yet reported.
    Usage(String),
    /// Bad arguments, already reported as the flow's error.
    UsageReported,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let result = runtime.block_on(async {
        match cli.command {
            Command::Sandbox { port } => sandbox::run(port).await,
            Command::Flow { flow } => flow::run(flow, cli.db, cli.no_save).await,
            Command::Token { token } => token_cmd::run(token).await,
            Command::Diagnose(args) => token_cmd::diagnose(args).await,
            Command::Sessions { cmd } => sessions_cmd::run(cmd, cli.db).await,
            Command::Providers { cmd } => registry_cmd::providers(cmd, cli.db).await,
            Command::Clients { cmd } => registry_cmd::clients(cmd, cli.db).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Flow) => ExitCode::from(1),
        Err(Failure::UsageReported) => ExitCode::from(2),
        Err(Failure::Usage(msg)) => {
            eprintln!("oauth-inspector: {msg}");
            ExitCode::from(2)
        }
    }
}
