//! One run of a flow, as both fronts drive it: a session row created first, the store subscribed
//! to the flow's stream, then any other subscribers (terminal, window), then the flow's outcome.

use inspector_engine::{FlowError, FlowEvent, Recorder, TokenSet};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;

use crate::{NewSession, Result, Store, StoreError};

pub struct Run {
    pub recorder: Recorder,
    session_id: Option<i64>,
    writer: Option<JoinHandle<Result<()>>>,
}

pub struct Outcome {
    pub ok: bool,
    pub session_id: Option<i64>,
    /// A failure to save, reported apart from the flow's own result.
    pub store_error: Option<StoreError>,
}

impl Run {
    /// Creates the session (unless `store` is `None`, for `--no-save`) and subscribes the store.
    pub async fn start(store: Option<&Store>, new: &NewSession) -> Result<Run> {
        let mut recorder = Recorder::new();
        let (session_id, writer) = match store {
            Some(store) => {
                let id = store.create_session(new).await?;
                (Some(id), Some(store.attach(id, recorder.subscribe())))
            }
            None => (None, None),
        };
        Ok(Run { recorder, session_id, writer })
    }

    pub fn session_id(&self) -> Option<i64> {
        self.session_id
    }

    pub fn subscribe(&mut self) -> UnboundedReceiver<FlowEvent> {
        self.recorder.subscribe()
    }

    /// Publishes the result, closes the stream and waits until the store has written everything.
    pub async fn finish(self, result: std::result::Result<Option<TokenSet>, FlowError>) -> Outcome {
        let ok = self.recorder.finish(result);
        drop(self.recorder);
        let store_error = match self.writer {
            Some(w) => match w.await {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e),
                Err(join) => Some(StoreError::Db(sqlx::Error::Protocol(format!("store writer stopped: {join}")))),
            },
            None => None,
        };
        Outcome { ok, session_id: self.session_id, store_error }
    }
}
