//! Printing a flow's event stream: for people (secrets redacted, one line per step, raw exchanges
//! with `--verbose`) or as JSON lines (`{"type": "step" | "tokens" | "error" | "done", ...}`).

use std::io::Write;

use inspector_engine::step::StepKind;
use inspector_engine::{FlowEvent, StepStatus, UserAction};
use tokio::sync::mpsc::UnboundedReceiver;

#[derive(Clone, Copy)]
pub enum Format {
    Human { verbose: bool },
    Json,
}

/// Prints every event; opens the browser for an `open_url` action when `open_browser`.
pub async fn print(
    mut events: UnboundedReceiver<FlowEvent>,
    format: Format,
    session_id: Option<i64>,
    open_browser: bool,
) {
    while let Some(ev) = events.recv().await {
        if let (FlowEvent::Action(UserAction::OpenUrl { url }), true) = (&ev, open_browser)
            && let Err(e) = open::that_detached(url)
        {
            eprintln!("could not open a browser ({e}); open the URL below yourself");
        }
        let mut out = std::io::stdout().lock();
        match format {
            Format::Json => {
                let mut value = match &ev {
                    // Steps leave the process redacted; tokens are what the user asked for.
                    FlowEvent::Step(s) => serde_json::to_value(FlowEvent::Step(s.redacted())),
                    other => serde_json::to_value(other),
                }
                .unwrap_or_default();
                if matches!(ev, FlowEvent::Done { .. }) {
                    value["session_id"] = serde_json::json!(session_id);
                }
                let _ = writeln!(out, "{value}");
            }
            Format::Human { verbose } => human(&mut out, &ev, verbose, session_id),
        }
        let _ = out.flush();
    }
}

fn human(out: &mut impl Write, ev: &FlowEvent, verbose: bool, session_id: Option<i64>) {
    match ev {
        FlowEvent::Step(step) => {
            let step = step.redacted();
            let mark = match step.status {
                StepStatus::Ok => "✔",
                StepStatus::Warning => "!",
                StepStatus::Failed => "✘",
            };
            let tail = match &step.kind {
                StepKind::Http { response: Some(r), .. } => {
                    format!("  → {} {} ({} ms)", r.status, r.content_type().unwrap_or("-"), r.elapsed_ms)
                }
                StepKind::Http { response: None, .. } => "  → no response".into(),
                StepKind::Local { .. } => String::new(),
            };
            let _ = writeln!(out, "{mark} #{} {}{tail}", step.seq, step.title);
            if verbose {
                match &step.kind {
                    StepKind::Http { request, response } => {
                        let _ = writeln!(out, "    > {} {}", request.method, request.url);
                        for (k, v) in &request.headers {
                            let _ = writeln!(out, "    > {k}: {v}");
                        }
                        if let Some(b) = &request.body {
                            let _ = writeln!(out, "    >\n    > {b}");
                        }
                        if let Some(r) = response {
                            let _ = writeln!(out, "    < HTTP {}", r.status);
                            for (k, v) in &r.headers {
                                let _ = writeln!(out, "    < {k}: {v}");
                            }
                            let _ = writeln!(out, "    <\n    < {}", r.body.replace('\n', "\n    < "));
                        }
                    }
                    StepKind::Local { details } => {
                        let _ = writeln!(out, "    {details}");
                    }
                }
            }
            if let Some(e) = &step.error {
                let _ = writeln!(out, "    {}", e.message);
            }
        }
        FlowEvent::Tokens(t) => {
            let expiry = t.expires_in.map(|s| format!(", expires in {s} s")).unwrap_or_default();
            let scope = t.scope.as_deref().map(|s| format!(", scope \"{s}\"")).unwrap_or_default();
            let _ = writeln!(out, "\nAccess token ({}{expiry}{scope}):\n{}", t.token_type, t.access_token);
            if let Some(r) = &t.refresh_token {
                let _ = writeln!(out, "Refresh token:\n{r}");
            }
            if let Some(i) = &t.id_token {
                let _ = writeln!(out, "ID token:\n{i}");
            }
        }
        FlowEvent::Action(UserAction::OpenUrl { url }) => {
            let _ = writeln!(out, "\nSign in through this URL (waiting for the browser to come back):\n{url}\n");
        }
        FlowEvent::Action(UserAction::EnterUserCode {
            user_code,
            verification_uri,
            verification_uri_complete,
            expires_in,
        }) => {
            let _ = writeln!(out, "\nOn any device, open {verification_uri} and enter the code\n\n    {user_code}\n");
            if let Some(c) = verification_uri_complete {
                let _ = writeln!(out, "(or open {c} directly) — the code expires in {expires_in} s; polling…\n");
            }
        }
        FlowEvent::Error(e) => {
            let code =
                serde_json::to_value(e.code).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            eprintln!("error [{code}]: {}", e.message);
        }
        FlowEvent::Done { ok } => {
            let verdict = if *ok { "Flow succeeded" } else { "Flow failed" };
            match session_id {
                Some(id) => {
                    let _ = writeln!(out, "{verdict}; saved as session {id}.");
                }
                None => {
                    let _ = writeln!(out, "{verdict}; not saved (--no-save).");
                }
            }
        }
    }
}
