//! `oauth-inspector sandbox`: the issuer URL on the first line of stdout (scripts read it), then
//! the demo clients, then serve until interrupted.

use std::io::Write;

use crate::Failure;

pub async fn run(port: u16) -> Result<(), Failure> {
    let sb = inspector_sandbox::start(port)
        .await
        .map_err(|e| Failure::Usage(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
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
    let _ = writeln!(out, "# Ctrl-C to stop");
    let _ = out.flush();
    drop(out);
    let _ = tokio::signal::ctrl_c().await;
    drop(sb);
    Ok(())
}
