//! `oauth-inspector token inspect` and `oauth-inspector diagnose`: a shim over
//! `inspector_token::cli`, which holds the arguments, the logic and the tests. This file only
//! prints what that returns and maps its exit status (0/1/2) onto `Failure`.

use std::io::Write;

use inspector_token::JwksFetcher;
pub use inspector_token::cli::{DiagnoseArgs, TokenCommand};
use inspector_token::cli::{Outcome, run_diagnose, run_inspect};

use crate::Failure;

/// `token inspect`: exit 0 valid, 1 not valid, 2 usage error.
pub async fn run(cmd: TokenCommand) -> Result<(), Failure> {
    let fetcher = JwksFetcher::new();
    let outcome = match cmd {
        TokenCommand::Inspect(args) => run_inspect(&args, &mut std::io::stdin(), &fetcher).await,
    };
    finish(outcome)
}

/// `diagnose`: exit 0 when a diagnosis was printed, 2 for a usage error or unreadable file.
pub async fn diagnose(args: DiagnoseArgs) -> Result<(), Failure> {
    finish(run_diagnose(&args, &JwksFetcher::new()).await)
}

fn finish(o: Outcome) -> Result<(), Failure> {
    let _ = std::io::stdout().write_all(o.stdout.as_bytes());
    let _ = std::io::stderr().write_all(o.stderr.as_bytes());
    match o.code {
        0 => Ok(()),
        1 => Err(Failure::Flow),
        _ => Err(Failure::UsageReported),
    }
}
