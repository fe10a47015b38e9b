//! `oauth-inspector sandbox`: the issuer URL on the first line of stdout (scripts read it), then
//! the demo clients and any trainer switches on, then serve until interrupted.

use std::io::Write;

use crate::Failure;

pub async fn run(port: u16, trainer: Vec<String>) -> Result<(), Failure> {
    if trainer.iter().any(|t| t == "all") {
        let mut out = std::io::stdout().lock();
        for s in inspector_sandbox::Switch::ALL {
            let _ = writeln!(out, "{:<22} {}\n{:<22} seen as: {}", s.name(), s.description(), "", s.seen_as());
        }
        return Ok(());
    }
    let switches =
        inspector_sandbox::trainer::parse_names(trainer.iter().map(String::as_str)).map_err(Failure::Usage)?;
    let sb = inspector_sandbox::start(port)
        .await
        .map_err(|e| Failure::Usage(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    sb.trainer.set_only(switches.iter().copied());
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", sb.issuer);
    let _ = writeln!(out, "# sandbox authorization server; demo clients:");
    for c in inspector_sandbox::demo_clients() {
        let _ = writeln!(
            out,
            "#   {:<16} secret {:<24} {}",
            c.client_id,
            c.client_secret.unwrap_or("(public)"),
            c.description
        );
    }
    if !switches.is_empty() {
        let names: Vec<&str> = switches.iter().map(|s| s.name()).collect();
        let _ = writeln!(out, "# TRAINER SWITCHES ON — this sandbox misbehaves on purpose: {}", names.join(", "));
    }
    let _ = writeln!(out, "# Ctrl-C to stop");
    let _ = out.flush();
    drop(out);
    let _ = tokio::signal::ctrl_c().await;
    drop(sb);
    Ok(())
}
