//! `oauth-inspector audit provider`: audits a provider against the OAuth Security BCP from its
//! metadata and keys (the core's `inspector_app::audit`), prints the findings as a table or one
//! JSON `report` line, and exits 0 when nothing fails, 1 when something does, 2 when it could not
//! run. With `--active` (the user's consent) it also runs the active probes as `--client-id`,
//! asking the user to sign in as the flows do (an `action` line with `--json`); without it they
//! are listed as skipped.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand};
use inspector_app::audit::{AuditReport, AuditRequest};
use inspector_app::{Core, Login};
use inspector_engine::check::CheckStatus;
use inspector_engine::{FlowEvent, Secret};

use crate::Failure;
use crate::output::{Format, Printer};
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
    /// Also run the active probes: requests that try what a weak provider allows (PKCE not
    /// enforced, loose redirect matching, reusable codes, refresh rotation…), as --client-id,
    /// with one or two sign-ins. Send them only to a provider you may test.
    #[arg(long)]
    active: bool,
    /// The client the active probes act as (public unless --client-secret is given)
    #[arg(long, allow_hyphen_values = true)]
    client_id: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    client_secret: Option<String>,
    /// A registered redirect URI (default http://127.0.0.1:PORT/callback on a free port)
    #[arg(long)]
    redirect_uri: Option<String>,
    /// Scopes for the sign-ins (default "openid offline_access")
    #[arg(long)]
    scope: Option<String>,
    /// Print the sign-in URL instead of opening a browser
    #[arg(long)]
    no_browser: bool,
    /// Seconds to wait for each sign-in
    #[arg(long, default_value_t = 300)]
    login_timeout: u64,
}

/// The terminal as the audit's host: only what the user must act on (sign in) is printed, as a
/// flow prints it; the findings follow as one table or one report line.
struct Actions(Printer);

impl inspector_app::Host for Actions {
    fn event(&self, ev: FlowEvent) {
        if matches!(ev, FlowEvent::Action(_)) {
            self.0.event(ev)
        }
    }
    fn open_browser(&self, url: &str) -> Result<(), String> {
        self.0.open_browser(url)
    }
}

pub async fn run(cmd: AuditCommand, db: Option<PathBuf>, no_save: bool) -> Result<(), Failure> {
    let AuditCommand::Provider(a) = cmd;
    let core = if no_save { Core::new(None) } else { Core::new(Some(crate::open_store(db).await?)) };
    if !a.active && (a.client_id.is_some() || a.client_secret.is_some()) {
        return Err(Failure::Usage("--client-id and --client-secret are for the active probes: add --active".into()));
    }
    let req = AuditRequest {
        issuer: a.issuer.clone(),
        timeout_secs: Some(a.timeout),
        active: a.active,
        client_id: a.client_id.clone(),
        client_secret: a.client_secret.clone().map(Secret::new),
        redirect_uri: a.redirect_uri.clone(),
        scope: a.scope.clone(),
        login: if a.no_browser { Login::Print } else { Login::SystemBrowser },
        login_timeout_secs: Some(a.login_timeout),
    };
    let format = if a.json { Format::Json } else { Format::Human { verbose: false } };
    let report = core
        .audit(req, Arc::new(Actions(Printer::new(format))))
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
    let line = serde_json::json!({"type": "report", "session_id": report.session_id, "issuer": report.issuer, "active": report.active, "checks": checks});
    term::raw(format!("{line}\n").as_bytes());
}

fn print_table(report: &AuditReport) {
    let how = if report.active { "its metadata, keys and active probes" } else { "its metadata and keys" };
    say!("Audit of {} (from {how})", one_line(&report.issuer));
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
