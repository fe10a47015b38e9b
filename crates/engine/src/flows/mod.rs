//! The flows. Each takes its settings and a recorder, publishes its steps, and returns tokens or
//! the error that stopped it; publishing the outcome is [`crate::Recorder::finish`]'s job.

pub mod client_credentials;
