//! Printing a flow's event stream: for people (secrets redacted, one line per step, raw exchanges
//! with `--verbose`) or as JSON lines (`{"type": "step" | "tokens" | "error" | "done", ...}`).
//! Everything a provider sent is printed through `term`: values on a line of ours with
//! `one_line`, multi-line bodies with each line prefixed, so none can pass for a line of ours.

use std::fmt::Write;

use inspector_engine::step::StepKind;
use inspector_engine::{FlowEvent, StepStatus, UserAction};

use crate::term::{self, note, one_line};

#[derive(Clone, Copy)]
pub enum Format {
    Human { verbose: bool },
    Json,
}

/// The terminal as the application core's host: prints every event (already redacted by the
/// core), opens the system browser when asked, and has no gate (nothing waits in the CLI).
pub struct Printer {
    format: Format,
    session_id: std::sync::Mutex<Option<i64>>,
}

impl Printer {
    pub fn new(format: Format) -> Self {
        Self { format, session_id: std::sync::Mutex::new(None) }
    }
}

impl inspector_app::Host for Printer {
    fn started(&self, session_id: Option<i64>) {
        *self.session_id.lock().unwrap_or_else(|p| p.into_inner()) = session_id;
    }

    fn event(&self, ev: FlowEvent) {
        let session_id = *self.session_id.lock().unwrap_or_else(|p| p.into_inner());
        match self.format {
            Format::Json => {
                let mut value = serde_json::to_value(&ev).unwrap_or_default();
                if matches!(ev, FlowEvent::Done { .. }) {
                    value["session_id"] = serde_json::json!(session_id);
                }
                // serde_json escapes control characters in strings: the line goes out as it is.
                term::raw(format!("{value}\n").as_bytes());
            }
            Format::Human { verbose } => term::out(&human(&ev, verbose, session_id)),
        }
    }

    fn open_browser(&self, url: &str) -> Result<(), String> {
        open::that_detached(url).map_err(|e| {
            note!("could not open a browser ({e}); open the URL below yourself");
            e.to_string()
        })
    }
}

/// `text`'s lines, each after `prefix`: a provider's body cannot start a line of ours.
fn prefixed(prefix: &str, text: &str) -> String {
    text.split('\n').map(|l| format!("{prefix}{l}\n")).collect()
}

/// One event as text for people; `term::out` escapes what control characters remain.
fn human(ev: &FlowEvent, verbose: bool, session_id: Option<i64>) -> String {
    let mut out = String::new();
    let out = &mut out;
    match ev {
        FlowEvent::Step(step) => {
            let mark = match step.status {
                StepStatus::Ok => "✔",
                StepStatus::Warning => "!",
                StepStatus::Failed => "✘",
            };
            let tail = match &step.kind {
                StepKind::Http { response: Some(r), .. } => {
                    format!("  → {} {} ({} ms)", r.status, one_line(r.content_type().unwrap_or("-")), r.elapsed_ms)
                }
                StepKind::Http { response: None, .. } => "  → no response".into(),
                StepKind::Local { .. } => String::new(),
            };
            let _ = writeln!(out, "{mark} #{} {}{tail}", step.seq, one_line(&step.title));
            if verbose {
                match &step.kind {
                    StepKind::Http { request, response } => {
                        let _ = writeln!(out, "    > {} {}", one_line(&request.method), one_line(&request.url));
                        for (k, v) in &request.headers {
                            let _ = writeln!(out, "    > {}: {}", one_line(k), one_line(v));
                        }
                        if let Some(b) = &request.body {
                            out.push_str("    >\n");
                            out.push_str(&prefixed("    > ", b));
                        }
                        if let Some(r) = response {
                            let _ = writeln!(out, "    < HTTP {}", r.status);
                            for (k, v) in &r.headers {
                                let _ = writeln!(out, "    < {}: {}", one_line(k), one_line(v));
                            }
                            out.push_str("    <\n");
                            out.push_str(&prefixed("    < ", &r.body));
                        }
                    }
                    StepKind::Local { details } => {
                        let _ = writeln!(out, "    {}", one_line(&details.to_string()));
                    }
                }
            }
            if let Some(e) = &step.error {
                let _ = writeln!(out, "    {}", one_line(&e.message));
            }
        }
        FlowEvent::Pending(p) => {
            let _ = writeln!(
                out,
                "⏸ held before sending: {} {} (waiting for send, edit or abort)",
                one_line(&p.request.method),
                one_line(&p.request.url)
            );
        }
        FlowEvent::Tokens(t) => {
            let expiry = t.expires_in.map(|s| format!(", expires in {s} s")).unwrap_or_default();
            let scope = t.scope.as_deref().map(|s| format!(", scope \"{}\"", one_line(s))).unwrap_or_default();
            let _ = writeln!(
                out,
                "\nAccess token ({}{expiry}{scope}):\n{}",
                one_line(&t.token_type),
                one_line(&t.access_token)
            );
            if let Some(r) = &t.refresh_token {
                let _ = writeln!(out, "Refresh token:\n{}", one_line(r));
            }
            if let Some(i) = &t.id_token {
                let _ = writeln!(out, "ID token:\n{}", one_line(i));
            }
        }
        FlowEvent::Action(UserAction::OpenUrl { url }) => {
            let _ = writeln!(
                out,
                "\nSign in through this URL (waiting for the browser to come back):\n{}\n",
                one_line(url)
            );
        }
        FlowEvent::Action(UserAction::EnterUserCode {
            user_code,
            verification_uri,
            verification_uri_complete,
            expires_in,
        }) => {
            let _ = writeln!(
                out,
                "\nOn any device, open {} and enter the code\n\n    {}\n",
                one_line(verification_uri),
                one_line(user_code)
            );
            if let Some(c) = verification_uri_complete {
                let _ = writeln!(
                    out,
                    "(or open {} directly) — the code expires in {expires_in} s; polling…\n",
                    one_line(c)
                );
            }
        }
        FlowEvent::Error(e) => {
            let code =
                serde_json::to_value(e.code).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            note!("error [{}]: {}", one_line(&code), one_line(&e.message));
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
    std::mem::take(out)
}
