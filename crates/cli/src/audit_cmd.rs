//! `oauth-inspector audit provider`: audits a provider against the OAuth Security BCP from its
//! metadata and keys (the core's `inspector_app::audit`), prints the findings as a table or one
//! JSON `report` line, and exits 0 when nothing fails, 1 when something does, 2 when it could not
//! run. The active probes (a signed-in user) are listed as skipped.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand};
use inspector_app::Core;
use inspector_app::audit::{AuditReport, AuditRequest};
use inspector_engine::check::CheckStatus;

use crate::Failure;
use crate::term::{self, note, one_line, say};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check a provider's metadata and keys against RFC 9700, RFC 8414, RFC 9207 and OIDC
    Provider(ProviderArgs),
}

#[derive(Args)]
pub struct ProviderArgs {
    /// The provider's issuer URL
    #[arg(long)]
    issuer: String,
    /// One JSON report line: {"type":"report","session_id":…,"checks":[…]}
    #[arg(long)]
    json: bool,
    /// Seconds to wait for each response
    #[arg(long, default_value_t = 15)]
    timeout: u64,
}

pub async fn run(cmd: AuditCommand, db: Option<PathBuf>, no_save: bool) -> Result<(), Failure> {
    let AuditCommand::Provider(a) = cmd;
    let core = if no_save { Core::new(None) } else { Core::new(Some(crate::open_store(db).await?)) };
    let req = AuditRequest { issuer: a.issuer.clone(), timeout_secs: Some(a.timeout), ..Default::default() };
    let report = core
        .audit(req, Arc::new(crate::probe_cmd::Quiet))
        .await
        .map_err(|e| if e.usage { Failure::Usage(e.message) } else { Failure::Failed(e.message) })?;
    if a.json {
        print_json(&report)
    } else {
        print_table(&report)
    }
    if let Some(e) = &report.store_error {
        note!("oauth-inspector: the session could not be saved: {}", one_line(e));
    }
    if report.failed() { Err(Failure::Flow) } else { Ok(()) }
}

fn print_json(report: &AuditReport) {
    let checks: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|f| {
            serde_json::json!({
                "id": f.check.id, "verdict": f.check.status, "severity": f.severity,
                "expected": f.check.expected, "actual": f.check.actual, "explanation": f.check.message,
                "spec": f.check.spec, "steps": f.steps,
            })
        })
        .collect();
    let line = serde_json::json!({"type": "report", "session_id": report.session_id, "issuer": report.issuer, "checks": checks});
    term::raw(format!("{line}\n").as_bytes());
}

fn print_table(report: &AuditReport) {
    say!("Audit of {} (from its metadata and keys)", one_line(&report.issuer));
    let width = report.findings.iter().map(|f| f.check.id.len()).max().unwrap_or(0);
    for f in &report.findings {
        let sev =
            serde_json::to_value(f.severity).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        say!(
            "{} {:width$}  {:6}  {}  ({})",
            f.check.status.symbol(),
            f.check.id,
            sev,
            one_line(&f.check.message),
            f.check.spec
        );
        if f.check.status != CheckStatus::Pass
            && let Some(actual) = &f.check.actual
        {
            say!("  {:width$}          got: {}", "", one_line(actual));
        }
    }
    let count = |s| report.findings.iter().filter(|f| f.check.status == s).count();
    say!(
        "{} fail, {} warn, {} pass, {} skipped{}",
        count(CheckStatus::Fail),
        count(CheckStatus::Warn),
        count(CheckStatus::Pass),
        count(CheckStatus::Skip),
        report.session_id.map(|id| format!(" · session {id}")).unwrap_or_default()
    );
}
