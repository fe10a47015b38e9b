//! `oauth-inspector token inspect` and `oauth-inspector diagnose`: a shim over
//! `inspector_token::cli`, which holds the arguments, the logic and the tests. This file only
//! prints what that returns — through `term`, so a claim or a provider's answer cannot reach the
//! terminal raw — and maps its exit status (0/1/2) onto `Failure`.

use inspector_token::JwksFetcher;
pub use inspector_token::cli::{DiagnoseArgs, TokenCommand};
use inspector_token::cli::{Outcome, run_diagnose, run_inspect};

use crate::Failure;
use crate::term;

/// `token inspect`: exit 0 valid, 1 not valid, 2 usage error.
pub async fn run(cmd: TokenCommand) -> Result<(), Failure> {
    let fetcher = JwksFetcher::new();
    let (outcome, json) = match cmd {
        TokenCommand::Inspect(args) => (run_inspect(&args, &mut std::io::stdin(), &fetcher).await, args.json),
    };
    finish(outcome, json)
}

/// `diagnose`: exit 0 when a diagnosis was printed, 2 for a usage error or unreadable file.
pub async fn diagnose(args: DiagnoseArgs) -> Result<(), Failure> {
    finish(run_diagnose(&args, &JwksFetcher::new()).await, args.json)
}

/// `--json` output is serde's (control characters already escaped); a report is for people.
fn finish(o: Outcome, json: bool) -> Result<(), Failure> {
    if json {
        term::raw(o.stdout.as_bytes());
    } else {
        term::out(&o.stdout);
    }
    term::err(&o.stderr);
    match o.code {
        0 => Ok(()),
        1 => Err(Failure::Flow),
        _ => Err(Failure::UsageReported),
    }
}
