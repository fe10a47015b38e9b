//! `oauth-inspector demo ATTACK`: plays an attack demo against the sandbox (`--issuer`, or one it
//! starts for the demo), printing every step as a flow does, then each part's verdict. Exits 0
//! when the demo came out as designed (the attack works without the defence, fails with it).

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use inspector_app::Core;
use inspector_app::demo::{Attack, DemoReport, DemoRequest};

use crate::Failure;
use crate::output::{Format, Printer};
use crate::term::{self, one_line, say};

#[derive(Args)]
pub struct DemoArgs {
    /// code-interception, login-csrf, mix-up, token-replay or alg-none
    attack: String,
    /// A running sandbox's issuer (default: a sandbox started for this demo)
    #[arg(long)]
    issuer: Option<String>,
    /// Steps as JSON lines, then one {"type":"report",…} line
    #[arg(long)]
    json: bool,
}

pub async fn run(a: DemoArgs, db: Option<PathBuf>, no_save: bool) -> Result<(), Failure> {
    let attack = Attack::from_name(&a.attack).ok_or_else(|| {
        let all: Vec<&str> = Attack::ALL.iter().map(|a| a.name()).collect();
        Failure::Usage(format!("unknown attack demo {:?}; expected one of: {}", a.attack, all.join(", ")))
    })?;
    let own = match &a.issuer {
        Some(_) => None,
        None => Some(
            inspector_sandbox::start(0).await.map_err(|e| Failure::Usage(format!("cannot start a sandbox: {e}")))?,
        ),
    };
    let issuer = a.issuer.clone().or_else(|| own.as_ref().map(|s| s.issuer.clone())).unwrap_or_default();
    let core = if no_save { Core::new(None) } else { Core::new(Some(crate::open_store(db).await?)) };
    let format = if a.json { Format::Json } else { Format::Human { verbose: false } };
    if !a.json {
        say!("Attack demo: {} (sandbox {issuer})", attack.title());
    }
    let req = DemoRequest { attack, issuer, timeout_secs: Some(15) };
    let report = core
        .demo(req, Arc::new(Printer::new(format)))
        .await
        .map_err(|e| if e.usage { Failure::Usage(e.message) } else { Failure::Failed(e.message) })?;
    if a.json {
        let line = serde_json::json!({"type": "report", "as_designed": report.as_designed(), "demo": report});
        term::raw(format!("{line}\n").as_bytes());
    } else {
        print(&report);
    }
    if report.as_designed() { Ok(()) } else { Err(Failure::Flow) }
}

fn print(r: &DemoReport) {
    for p in &r.parts {
        let verdict = if p.attack_succeeded { "ATTACK SUCCEEDED" } else { "attack failed" };
        say!("{:<32} {verdict}: {}", p.title, one_line(&p.explanation));
    }
    if !r.as_designed() {
        say!("The demo did not come out as designed: check the sandbox's trainer switches.");
    }
}
