//! What only a front can do, behind one trait: show the run's events, open the system browser or
//! an in-app login window, hand over a pasted redirect URL, and decide on a request held at the
//! gate. The CLI and the desktop each implement it; tests use a host of their own.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use inspector_engine::gate::Gate;
use inspector_engine::{FlowEvent, WeakRecorder};
use tokio::sync::oneshot;

pub trait Host: Send + Sync {
    /// The run has started, saved as `session_id` (None when not saved); before any event.
    fn started(&self, session_id: Option<i64>) {
        let _ = session_id;
    }

    /// Every event of the run, in order. Steps, errors and held requests arrive redacted exactly
    /// as the saved session shows them; the token set arrives as obtained (the front decides what
    /// to show of it).
    fn event(&self, event: FlowEvent);

    /// Opens `url` in the system browser.
    fn open_browser(&self, url: &str) -> Result<(), String>;

    /// Opens the in-app login window on `url`; its navigations are published through `rec`.
    fn open_login_window(&self, url: &str, rec: WeakRecorder) -> Result<(), String> {
        let _ = (url, rec);
        Err("this front has no in-app browser".into())
    }

    /// Where the URL the user pastes (login = paste) will come from.
    fn pasted_url(&self) -> oneshot::Receiver<String> {
        oneshot::channel().1
    }

    /// The gate for step-through mode; `None` (the default) sends every request at once.
    fn gate(&self) -> Option<Arc<dyn Gate>> {
        None
    }

    /// Resolves when the user cancels the run (a front's Cancel button); never, by default. A
    /// cancelled run stops where it waits (a login, a held request, a poll) and ends on an
    /// `aborted` error, its steps saved.
    fn cancelled(&self) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        Box::pin(std::future::pending())
    }
}
