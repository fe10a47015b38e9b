//! `oauth-inspector probe api`: tests an API the way an attacker would (the core's
//! `inspector_app::probe`), prints the report as a table or one JSON `report` line, and exits 0
//! when nothing is vulnerable, 1 when something is (or the baseline request failed), 2 when it
//! could not run. Asks before probing a host that is not this machine, unless `--yes`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand};
use inspector_app::probe::{ProbeReport, ProbeRequest, Verdict};
use inspector_app::{Core, RunRequest};
use inspector_engine::{FlowEvent, Secret};

use crate::Failure;
use crate::term::{self, note, one_line, say};

#[derive(Subcommand)]
pub enum ProbeCommand {
    /// Send an API request with each kind of bad token and check that every one is refused
    Api(ApiArgs),
}

#[derive(Args)]
pub struct ApiArgs {
    /// The API request that succeeds with a valid token
    #[arg(long)]
    url: String,
    #[arg(long, default_value = "GET")]
    method: String,
    /// A header of that request, "Name: value"; repeatable (not Authorization: give --token)
    #[arg(long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    headers: Vec<(String, String)>,
    /// The request body
    #[arg(long)]
    body: Option<String>,
    /// A valid access token for the API
    #[arg(
        long,
        env = "OAUTH_INSPECTOR_TOKEN",
        hide_env_values = true,
        conflicts_with = "session",
        allow_hyphen_values = true
    )]
    token: Option<String>,
    /// Take the token (and the client, if it has one) from a saved session
    #[arg(long)]
    session: Option<i64>,
    /// A scope the call needs: a token without it must get 403 insufficient_scope
    #[arg(long, value_name = "SCOPE")]
    scope_required: Option<String>,
    /// Issuer of a client for client credentials (a token now, a narrower one, one to revoke)
    #[arg(long, conflicts_with = "provider")]
    issuer: Option<String>,
    #[arg(long)]
    client_id: Option<String>,
    #[arg(long, env = "OAUTH_INSPECTOR_CLIENT_SECRET", hide_env_values = true, allow_hyphen_values = true)]
    client_secret: Option<String>,
    /// Saved provider whose client serves for client credentials
    #[arg(long, value_name = "NAME")]
    provider: Option<String>,
    /// Saved client of --provider (default: its only client)
    #[arg(long = "client", value_name = "NAME", requires = "provider")]
    saved_client: Option<String>,
    /// Probe a host that is not this machine without asking
    #[arg(long)]
    yes: bool,
    /// One JSON line: {"type":"report","session_id":…,"checks":[…]}
    #[arg(long)]
    json: bool,
}

fn parse_header(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_string(), value.trim().to_string())),
        _ => Err(format!("expected \"Name: value\", got {s:?}")),
    }
}

/// The core's events are not printed: the report is the output. Steps are in the saved session.
pub(crate) struct Quiet;

impl inspector_app::Host for Quiet {
    fn event(&self, _: FlowEvent) {}
    fn open_browser(&self, _: &str) -> Result<(), String> {
        Err("this command opens no browser".into())
    }
}

pub async fn run(cmd: ProbeCommand, db: Option<PathBuf>, no_save: bool) -> Result<(), Failure> {
    let ProbeCommand::Api(a) = cmd;
    let named_client = a.issuer.is_some() || a.provider.is_some() || a.client_id.is_some();
    let client = named_client.then(|| RunRequest {
        issuer: a.issuer.clone(),
        provider: a.provider.clone(),
        client: a.saved_client.clone(),
        client_id: a.client_id.clone(),
        client_secret: a.client_secret.clone().map(Secret::new),
        ..Default::default()
    });
    let mut req = ProbeRequest {
        method: Some(a.method.clone()),
        url: a.url.clone(),
        headers: a.headers.clone(),
        body: a.body.clone(),
        token: a.token.clone().map(Secret::new),
        session: a.session,
        scope_required: a.scope_required.clone(),
        client,
        confirmed: a.yes,
        ..Default::default()
    };
    let remote = req.remote_hosts();
    if !req.confirmed && !remote.is_empty() {
        req.confirmed = confirm(&remote)?;
    }
    let needs_store = !no_save || a.session.is_some() || a.provider.is_some();
    let store = if needs_store { Some(crate::open_store(db).await?) } else { None };
    let core = if no_save { Core::reading_only(store) } else { Core::new(store) };
    let report = core.probe(req, Arc::new(Quiet)).await.map_err(|e| {
        let msg =
            if e.code == "confirmation_needed" { format!("{} — run again with --yes", e.message) } else { e.message };
        if e.usage { Failure::Usage(msg) } else { Failure::Failed(msg) }
    })?;
    if a.json {
        print_json(&report);
    } else {
        print_table(&report);
    }
    if let Some(e) = &report.store_error {
        note!("oauth-inspector: the session could not be saved: {}", one_line(e));
    }
    if report.vulnerable() || !report.baseline.ok { Err(Failure::Flow) } else { Ok(()) }
}

/// Asks on the terminal; with no terminal to ask on, refuses (a script must say --yes).
fn confirm(hosts: &[String]) -> Result<bool, Failure> {
    let hosts = hosts.join(", ");
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(format!(
            "the probe would send deliberately bad requests to {hosts}, which is not this machine; stdin is not a \
             terminal to confirm on: give --yes to probe an API you may test"
        )));
    }
    note!("The probe sends deliberately bad requests to {hosts}. Only probe APIs you may test. Continue? [y/N]");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    if matches!(line.trim(), "y" | "Y" | "yes") {
        Ok(true)
    } else {
        Err(Failure::Usage("not confirmed: nothing was sent".into()))
    }
}

fn verdict_name(v: Verdict) -> &'static str {
    match v {
        Verdict::Secure => "secure",
        Verdict::Vulnerable => "vulnerable",
        Verdict::Inconclusive => "inconclusive",
    }
}

fn print_json(report: &ProbeReport) {
    let checks: Vec<serde_json::Value> = report
        .rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id, "verdict": r.verdict, "expected": r.expected, "actual": r.actual,
                "explanation": r.explanation,
            })
        })
        .collect();
    let line = serde_json::json!({
        "type": "report", "session_id": report.session_id, "baseline": report.baseline, "checks": checks,
    });
    term::raw(format!("{line}\n").as_bytes());
}

fn print_table(report: &ProbeReport) {
    let b = &report.baseline;
    say!("Baseline: {} — {}", one_line(&b.actual), one_line(&b.explanation));
    let rows: Vec<[String; 5]> = report
        .rows
        .iter()
        .map(|r| {
            [
                r.id.to_string(),
                one_line(&r.expected),
                one_line(&r.actual),
                verdict_name(r.verdict).to_string(),
                one_line(&r.explanation),
            ]
        })
        .collect();
    let head = ["variant", "expected", "got", "verdict", "explanation"].map(String::from);
    let width = |i: usize| rows.iter().chain([&head]).map(|r| r[i].chars().count()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2), width(3)];
    for r in [&head].into_iter().chain(rows.iter()) {
        say!(
            "{:w0$}  {:w1$}  {:w2$}  {:w3$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
    }
    let count = |v| report.rows.iter().filter(|r| r.verdict == v).count();
    say!(
        "{} vulnerable, {} secure, {} inconclusive{}",
        count(Verdict::Vulnerable),
        count(Verdict::Secure),
        count(Verdict::Inconclusive),
        report.session_id.map(|id| format!(" · session {id}")).unwrap_or_default()
    );
}
