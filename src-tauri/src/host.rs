//! The desktop's `inspector_app::Host`: a run's events go to the window's Channel (a token set
//! only as a summary without token values), the login opens in the system browser or the in-app
//! login window, and a pasted redirect URL or a decision on a held request comes back through a
//! per-run slot the window names by the run id it is given first.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use inspector_app::engine::gate::{Gate, GateDecision, PendingRequest, RequestEdit};
use inspector_app::engine::step::HttpRequest;
use inspector_app::engine::{FlowEvent, WeakRecorder};
use inspector_app::token::JwksFetcher;
use inspector_app::{Core, Host, tokens};
use serde_json::json;
use tauri::ipc::Channel;
use tauri::{AppHandle, WebviewWindow};
use tokio::sync::{mpsc, oneshot};

use crate::commands::CommandError;

/// How long the in-app login window stays open after a run ends. Closing it at once cuts off the
/// page load of the click that ended the login, and WebKitWebDriver can hang on such a click.
const LOGIN_WINDOW_GRACE: Duration = Duration::from_millis(1500);

/// The runs in progress, by the id each window was given.
#[derive(Default)]
pub struct Runs {
    next: AtomicU64,
    slots: Mutex<HashMap<u64, Slot>>,
}

#[derive(Default)]
struct Slot {
    /// The flow waiting for a pasted redirect URL, if any.
    paste: Option<oneshot::Sender<String>>,
    gate: Arc<WindowGate>,
    /// The window's Cancel: stored as a permit, so a cancel before the run waits still counts.
    cancel: Arc<tokio::sync::Notify>,
}

impl Runs {
    fn open(&self) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        self.slots.lock().unwrap().insert(id, Slot::default());
        id
    }

    /// Forgets the run; a request still held at its gate is aborted.
    fn close(&self, id: u64) {
        let slot = self.slots.lock().unwrap().remove(&id);
        if let Some(slot) = slot {
            slot.gate.abort_all();
        }
    }

    fn no_run(run_id: u64) -> CommandError {
        CommandError::new("no_flow_waiting", format!("run {run_id} is not running"))
    }

    /// Hands the URL the user pasted to run `run_id`, which must be waiting for one.
    pub fn deliver(&self, run_id: u64, url: String) -> Result<(), CommandError> {
        let tx = {
            let mut slots = self.slots.lock().unwrap();
            let slot = slots.get_mut(&run_id).ok_or_else(|| Self::no_run(run_id))?;
            slot.paste.take().ok_or_else(|| {
                CommandError::new("no_flow_waiting", format!("run {run_id} is not waiting for a redirected URL"))
            })?
        };
        tx.send(url).map_err(|_| CommandError::new("no_flow_waiting", "the flow stopped waiting"))
    }

    /// Cancels run `run_id`: it stops where it waits and ends aborted, its steps saved.
    pub fn cancel(&self, run_id: u64) -> Result<(), CommandError> {
        let slots = self.slots.lock().unwrap();
        let slot = slots.get(&run_id).ok_or_else(|| Self::no_run(run_id))?;
        slot.cancel.notify_one();
        Ok(())
    }

    /// The user's decision on the request `pending_id` held in run `run_id`.
    pub fn decide(&self, run_id: u64, pending_id: u64, decision: WindowDecision) -> Result<(), CommandError> {
        let gate =
            self.slots.lock().unwrap().get(&run_id).map(|s| s.gate.clone()).ok_or_else(|| Self::no_run(run_id))?;
        gate.answer(pending_id, decision).map_err(|e| CommandError::new("invalid_edit", e))
    }
}

/// Step-through: each request waits for the window's `decide_request`. It publishes nothing
/// itself; the core has already sent `FlowEvent::Pending` with the request, redacted.
#[derive(Default)]
pub struct WindowGate {
    waiting: Mutex<Waiting>,
}

#[derive(Default)]
struct Waiting {
    /// Each held request as it will go (with its secrets, which the window never sees) and where
    /// the decision goes.
    held: HashMap<u64, (HttpRequest, oneshot::Sender<GateDecision>)>,
    /// Answers that came before the gate started waiting (the window can be quicker than the flow).
    early: HashMap<u64, WindowDecision>,
}

/// What the window decides: it sends its changes, not a request, since it holds no secret.
#[derive(Debug, Clone)]
pub enum WindowDecision {
    Send,
    Edit(RequestEdit),
    Abort,
}

impl WindowDecision {
    /// The gate's decision for `held`: an edit made on it, or why the edit cannot be made.
    fn on(self, held: &HttpRequest) -> Result<GateDecision, String> {
        match self {
            WindowDecision::Send => Ok(GateDecision::Send),
            WindowDecision::Abort => Ok(GateDecision::Abort),
            WindowDecision::Edit(e) if e.is_empty() => Ok(GateDecision::Send),
            WindowDecision::Edit(e) => e.apply(held).map(GateDecision::SendEdited),
        }
    }
}

impl WindowGate {
    fn abort_all(&self) {
        let mut w = self.waiting.lock().unwrap();
        w.early.clear();
        for (_, (_, tx)) in w.held.drain() {
            let _ = tx.send(GateDecision::Abort);
        }
    }

    /// Answers the held request `id`; an edit that cannot be made leaves it held and says why.
    fn answer(&self, id: u64, decision: WindowDecision) -> Result<(), String> {
        let mut w = self.waiting.lock().unwrap();
        match w.held.remove(&id) {
            Some((request, tx)) => match decision.on(&request) {
                Ok(d) => {
                    let _ = tx.send(d);
                    Ok(())
                }
                Err(e) => {
                    w.held.insert(id, (request, tx));
                    Err(e)
                }
            },
            None => {
                w.early.insert(id, decision);
                Ok(())
            }
        }
    }
}

impl Gate for WindowGate {
    fn decide<'a>(
        &'a self,
        pending: &'a PendingRequest,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = GateDecision> + Send + 'a>> {
        Box::pin(async move {
            let rx = {
                let mut w = self.waiting.lock().unwrap();
                if let Some(d) = w.early.remove(&pending.id) {
                    // Too early to be told why an edit fails: a bad one is not sent.
                    return d.on(&pending.request).unwrap_or(GateDecision::Abort);
                }
                let (tx, rx) = oneshot::channel();
                w.held.insert(pending.id, (pending.request.clone(), tx));
                rx
            };
            // The run was closed (window gone, run ended): nothing is sent without a yes.
            rx.await.unwrap_or(GateDecision::Abort)
        })
    }
}

// An event is most of what goes through; each moves once through a channel, so boxing buys nothing.
#[allow(clippy::large_enum_variant)]
enum Outgoing {
    Started(Option<i64>),
    Event(FlowEvent),
}

pub struct DesktopHost {
    app: AppHandle,
    runs: Arc<Runs>,
    pub run_id: u64,
    step_through: bool,
    queue: Mutex<Option<mpsc::UnboundedSender<Outgoing>>>,
    forwarder: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
    login_windows: Mutex<Vec<WebviewWindow>>,
}

impl DesktopHost {
    /// A host for one run, registered in `runs`; the window hears its run id first.
    pub fn start(
        app: AppHandle,
        runs: Arc<Runs>,
        core: Core,
        jwks: Arc<JwksFetcher>,
        step_through: bool,
        window: Channel<serde_json::Value>,
    ) -> Arc<Self> {
        let run_id = runs.open();
        let _ = window.send(json!({"type": "run", "run_id": run_id}));
        let (tx, rx) = mpsc::unbounded_channel();
        let forwarder = Some(tauri::async_runtime::spawn(forward(rx, window, core, jwks)));
        Arc::new(Self {
            app,
            runs,
            run_id,
            step_through,
            queue: Mutex::new(Some(tx)),
            forwarder: Mutex::new(forwarder),
            login_windows: Mutex::default(),
        })
    }

    fn send(&self, out: Outgoing) {
        if let Some(q) = self.queue.lock().unwrap().as_ref() {
            let _ = q.send(out);
        }
    }

    /// After the run: every event delivered to the window, the run forgotten, and the login
    /// window closed a moment later.
    pub async fn finish(&self) {
        self.queue.lock().unwrap().take();
        let forwarder = self.forwarder.lock().unwrap().take();
        if let Some(f) = forwarder {
            let _ = f.await;
        }
        self.runs.close(self.run_id);
        let windows = std::mem::take(&mut *self.login_windows.lock().unwrap());
        if !windows.is_empty() {
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(LOGIN_WINDOW_GRACE).await;
                for w in windows {
                    let _ = w.close();
                }
            });
        }
    }
}

impl Host for DesktopHost {
    fn started(&self, session_id: Option<i64>) {
        self.send(Outgoing::Started(session_id));
    }

    fn event(&self, event: FlowEvent) {
        self.send(Outgoing::Event(event));
    }

    fn open_browser(&self, url: &str) -> Result<(), String> {
        open::that_detached(url).map_err(|e| e.to_string())
    }

    fn open_login_window(&self, url: &str, rec: WeakRecorder) -> Result<(), String> {
        let w = crate::login::open(&self.app, url, rec).map_err(|e| e.to_string())?;
        self.login_windows.lock().unwrap().push(w);
        Ok(())
    }

    fn pasted_url(&self) -> oneshot::Receiver<String> {
        let (tx, rx) = oneshot::channel();
        if let Some(slot) = self.runs.slots.lock().unwrap().get_mut(&self.run_id) {
            slot.paste = Some(tx);
        }
        rx
    }

    fn cancelled(&self) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'static>> {
        let notify = self.runs.slots.lock().unwrap().get(&self.run_id).map(|s| s.cancel.clone());
        Box::pin(async move {
            match notify {
                Some(n) => n.notified().await,
                None => std::future::pending().await,
            }
        })
    }

    fn gate(&self) -> Option<Arc<dyn Gate>> {
        if !self.step_through {
            return None;
        }
        let gate = self.runs.slots.lock().unwrap().get(&self.run_id).map(|s| s.gate.clone())?;
        Some(gate)
    }
}

/// Sends the run's events to the window in order. A token set becomes a summary — which tokens,
/// their type, lifetime and scope, each JWT decoded and checked against the run's provider — so
/// no token value ever reaches the web view; "Reveal" fetches one from the saved session.
async fn forward(
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
    window: Channel<serde_json::Value>,
    core: Core,
    jwks: Arc<JwksFetcher>,
) {
    let mut session = None;
    while let Some(out) = rx.recv().await {
        let msg = match out {
            Outgoing::Started(id) => {
                session = id;
                json!({"type": "session", "session_id": id})
            }
            Outgoing::Event(FlowEvent::Tokens(set)) => {
                let ctx = match session {
                    Some(id) => core.token_context(id).await.unwrap_or_default(),
                    None => Default::default(),
                };
                let summary = tokens::summary(&set, &ctx, &jwks).await;
                let mut v = serde_json::to_value(&summary).unwrap_or_default();
                v["type"] = json!("tokens");
                v["session_id"] = json!(session);
                v
            }
            Outgoing::Event(ev) => serde_json::to_value(&ev).unwrap_or_default(),
        };
        let _ = window.send(msg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inspector_app::engine::gate::Change;

    fn held(id: u64) -> PendingRequest {
        PendingRequest {
            id,
            request: HttpRequest { method: "POST".into(), url: "http://x/token".into(), headers: vec![], body: None },
            secrets: vec![],
        }
    }

    fn code(r: Result<(), CommandError>) -> String {
        serde_json::to_value(r.unwrap_err()).unwrap()["message"].as_str().unwrap().to_string()
    }

    #[tokio::test]
    async fn a_held_request_waits_for_the_windows_decision_even_one_given_early() {
        let runs = Runs::default();
        let run = runs.open();
        let gate = runs.slots.lock().unwrap()[&run].gate.clone();
        // The window answered before the flow reached the gate.
        runs.decide(run, 1, WindowDecision::Abort).unwrap();
        assert_eq!(gate.decide(&held(1)).await, GateDecision::Abort);

        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.decide(&held(2)).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "nothing is sent without a decision");
        runs.decide(run, 2, WindowDecision::Send).unwrap();
        assert_eq!(waiting.await.unwrap(), GateDecision::Send);

        // The run ends while a request is held: it is not sent.
        let orphan = tokio::spawn({
            let gate = gate.clone();
            async move { gate.decide(&held(3)).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        drop(gate);
        runs.close(run);
        assert_eq!(orphan.await.unwrap(), GateDecision::Abort);
        assert_eq!(code(runs.decide(run, 4, WindowDecision::Send)), format!("run {run} is not running"));
    }

    #[tokio::test]
    async fn an_edit_is_made_on_the_held_request_and_a_bad_one_leaves_it_held() {
        let runs = Runs::default();
        let run = runs.open();
        let gate = runs.slots.lock().unwrap()[&run].gate.clone();
        let mut req = held(1);
        req.request.headers = vec![("content-type".into(), "application/x-www-form-urlencoded".into())];
        req.request.body = Some("grant_type=authorization_code&code_verifier=the-real-one&scope=a".into());
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.decide(&req).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let change = |name: &str, after: &str| RequestEdit {
            changes: vec![Change { part: "form".into(), name: name.into(), before: None, after: Some(after.into()) }],
        };
        // The window shows secrets redacted: sending the placeholder is refused, the request stays held.
        let e = runs.decide(run, 1, WindowDecision::Edit(change("code_verifier", "<redacted:code_verifier>")));
        assert!(code(e).contains("redacted secret"));
        assert!(!waiting.is_finished());
        runs.decide(run, 1, WindowDecision::Edit(change("scope", "a b"))).unwrap();
        match waiting.await.unwrap() {
            GateDecision::SendEdited(r) => {
                assert_eq!(
                    r.body.as_deref(),
                    Some("grant_type=authorization_code&code_verifier=the-real-one&scope=a+b")
                )
            }
            other => panic!("expected the edited request, got {other:?}"),
        }
    }

    #[test]
    fn a_pasted_url_goes_to_its_own_run_only() {
        let runs = Runs::default();
        let (a, b) = (runs.open(), runs.open());
        let (tx, mut rx) = oneshot::channel();
        runs.slots.lock().unwrap().get_mut(&a).unwrap().paste = Some(tx);
        assert_eq!(
            code(runs.deliver(b, "https://app/cb?code=1".into())),
            format!("run {b} is not waiting for a redirected URL")
        );
        runs.deliver(a, "https://app/cb?code=2".into()).unwrap();
        assert_eq!(rx.try_recv().unwrap(), "https://app/cb?code=2");
        assert_eq!(code(runs.deliver(99, String::new())), "run 99 is not running");
    }
}
