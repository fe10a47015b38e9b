//! The event stream of a flow. A [`Recorder`] fans every event out, in order and without loss, to
//! each subscriber's channel the moment it happens; subscribers (terminal printer, store writer,
//! desktop window) consume at their own pace.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::error::FlowError;
use crate::step::{SecretMark, Step, StepStatus};
use crate::token_response::TokenSet;

// A step is most of what flows; events move once through a channel, so boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FlowEvent {
    Step(Step),
    Tokens(TokenSet),
    /// Something the user must do now: open a URL, enter a code.
    Action(UserAction),
    /// A request held at the gate, exactly as it will be sent, waiting for the user's decision.
    Pending(crate::gate::PendingRequest),
    Error(FlowError),
    Done {
        ok: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UserAction {
    /// Open the authorization URL in a browser and sign in.
    OpenUrl { url: String },
    /// Enter `user_code` at `verification_uri` (RFC 8628 §3.3).
    EnterUserCode {
        user_code: String,
        verification_uri: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        verification_uri_complete: Option<String>,
        expires_in: u64,
    },
}

/// Publishes a flow's events. Dropping it ends every subscriber's stream.
#[derive(Default)]
pub struct Recorder {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The subscribers and the last step number, under one lock so that numbering and sending
    /// happen in the same order for concurrent publishers.
    fanout: Mutex<(Vec<UnboundedSender<FlowEvent>>, u32)>,
    last_failed: AtomicBool,
}

/// A handle that can publish into a flow's stream while the flow runs (e.g. an in-app browser
/// recording navigations), without keeping the stream open after the flow ends.
#[derive(Clone)]
pub struct WeakRecorder(Weak<Inner>);

impl WeakRecorder {
    pub fn upgrade(&self) -> Option<Recorder> {
        self.0.upgrade().map(|inner| Recorder { inner })
    }
}

impl Recorder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A new receiver of every event emitted from now on. Its stream ends when the recorder drops.
    pub fn subscribe(&mut self) -> UnboundedReceiver<FlowEvent> {
        let (tx, rx) = unbounded_channel();
        self.inner.fanout.lock().unwrap_or_else(|p| p.into_inner()).0.push(tx);
        rx
    }

    pub fn weak(&self) -> WeakRecorder {
        WeakRecorder(Arc::downgrade(&self.inner))
    }

    /// Asks the user for something. The request is also a step (a user action from the app to
    /// the user), so a reopened session draws the same picture as the live one.
    pub fn action(&self, action: UserAction) {
        let title = match &action {
            UserAction::OpenUrl { .. } => "User action: sign in at the authorization server in a browser".to_string(),
            UserAction::EnterUserCode { user_code, verification_uri, .. } => {
                format!("User action: enter the code {user_code} at {verification_uri}")
            }
        };
        let details = serde_json::to_value(&action).unwrap_or_default();
        self.push(
            Step::local(title, StepStatus::Ok, details)
                .category(crate::step::StepCategory::UserAction)
                .lanes(crate::step::Lane::App, crate::step::Lane::Browser),
        );
        self.emit(FlowEvent::Action(action));
    }

    pub fn emit(&self, event: FlowEvent) {
        let fanout = self.inner.fanout.lock().unwrap_or_else(|p| p.into_inner());
        send_all(&fanout.0, event);
    }

    /// Publishes an HTTP exchange. `outcome` is the flow's verdict on it: an error marks it failed.
    pub fn http(
        &self,
        title: impl Into<String>,
        exchange: &crate::http::Exchange,
        secrets: Vec<SecretMark>,
        outcome: Result<(), &FlowError>,
    ) -> u32 {
        self.push(Step::http(title, exchange, secrets, outcome))
    }

    /// Publishes a local action (a check, a generated value) with its facts.
    pub fn local(&self, title: impl Into<String>, status: StepStatus, details: serde_json::Value) {
        self.push(Step::local(title, status, details));
    }

    /// Publishes a failed local check with the error it raises.
    pub fn local_failed(&self, title: impl Into<String>, error: &FlowError, details: serde_json::Value) {
        let mut step = Step::local(title, StepStatus::Failed, details);
        step.error = Some(error.clone());
        self.push(step);
    }

    /// The number of the last step published (0 before the first).
    pub fn last_seq(&self) -> u32 {
        self.inner.fanout.lock().unwrap_or_else(|p| p.into_inner()).1
    }

    /// Publishes a prepared step, numbering it; returns its number (evidence for a report).
    pub fn push(&self, mut step: Step) -> u32 {
        let mut fanout = self.inner.fanout.lock().unwrap_or_else(|p| p.into_inner());
        fanout.1 += 1;
        step.seq = fanout.1;
        self.inner.last_failed.store(step.status == StepStatus::Failed, Ordering::SeqCst);
        let seq = step.seq;
        send_all(&fanout.0, FlowEvent::Step(step));
        seq
    }

    /// Ends a flow: its tokens (if it yields any) or its error, then `done`. Returns whether it succeeded.
    pub fn finish(&self, result: Result<Option<TokenSet>, FlowError>) -> bool {
        let ok = result.is_ok();
        // Every failed run ends on a failed step, so the saved timeline shows where it stopped.
        if let Err(e) = &result
            && !self.inner.last_failed.load(Ordering::SeqCst)
        {
            let details = serde_json::json!({"code": e.code, "message": e.message});
            self.local_failed(format!("Flow stopped: {}", short(&e.message)), e, details);
        }
        match result {
            Ok(Some(tokens)) => self.emit(FlowEvent::Tokens(tokens)),
            Ok(None) => {}
            Err(e) => self.emit(FlowEvent::Error(e)),
        }
        self.emit(FlowEvent::Done { ok });
        ok
    }
}

fn send_all(subscribers: &[UnboundedSender<FlowEvent>], event: FlowEvent) {
    for s in subscribers {
        // A subscriber that went away (window closed) must not stop the flow.
        let _ = s.send(event.clone());
    }
}

fn short(s: &str) -> String {
    let first: String = s.chars().take(90).collect();
    if first.len() < s.len() { format!("{first}…") } else { first }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_subscriber_sees_every_event_in_order() {
        let mut rec = Recorder::new();
        let mut a = rec.subscribe();
        let mut b = rec.subscribe();
        rec.local("one", StepStatus::Ok, serde_json::json!({}));
        rec.local("two", StepStatus::Warning, serde_json::json!({}));
        rec.finish(Err(FlowError::new(crate::ErrorCode::InvalidInput, "x")));
        drop(rec);
        for rx in [&mut a, &mut b] {
            let mut seen = vec![];
            while let Some(ev) = rx.recv().await {
                seen.push(ev);
            }
            assert_eq!(seen.len(), 5, "two steps, the failed final step, error, done");
            match (&seen[0], &seen[1]) {
                (FlowEvent::Step(s1), FlowEvent::Step(s2)) => {
                    assert_eq!((s1.seq, s2.seq), (1, 2));
                    assert_eq!(s2.title, "two");
                }
                other => panic!("unexpected {other:?}"),
            }
            assert!(matches!(&seen[2], FlowEvent::Step(s) if s.status == StepStatus::Failed && s.error.is_some()));
            assert!(matches!(seen[4], FlowEvent::Done { ok: false }));
        }
    }
}
