//! The flows. Each takes its settings and a recorder, publishes its steps, and returns tokens or
//! the error that stopped it; publishing the outcome is [`crate::Recorder::finish`]'s job.

pub mod auth_code;
pub mod client_credentials;
pub mod common;
pub mod device;
pub mod ops;
