//! The protocol engine: runs OAuth 2.0 / OpenID Connect flows and publishes every exchange as a
//! [`Step`] on a [`Recorder`]. It knows nothing of windows, terminals or databases: the desktop
//! shell, the CLI and the store are all subscribers of the same event stream.

pub mod check;
pub mod client_auth;
pub mod discovery;
pub mod error;
pub mod event;
pub mod flows;
pub mod gate;
pub mod http;
pub mod jws;
pub mod jwt;
pub mod loopback;
pub mod pkce;
pub mod redact;
pub mod secret;
pub mod step;
pub mod token_response;

pub use error::{ErrorCode, FlowError};
pub use event::{FlowEvent, Recorder, UserAction, WeakRecorder};
pub use secret::Secret;
pub use step::{Step, StepStatus};
pub use token_response::TokenSet;

/// Milliseconds since the Unix epoch, the one clock used for step and session times.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
