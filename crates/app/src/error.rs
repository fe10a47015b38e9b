//! The one error of the application core, as it crosses to a front: `{code, message}` and whether
//! the request could not run at all (a usage error: bad input, no database) or ran and failed.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// Stable, for fronts to switch on: the engine's or the store's code (`invalid_input`,
    /// `session_not_found`, `secret_for_another_provider`, …).
    pub code: String,
    pub message: String,
    /// True when the request could not run (CLI exit 2); false when it ran and the answer is no.
    #[serde(skip)]
    pub usage: bool,
}

impl AppError {
    pub fn usage(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into(), usage: true }
    }
    pub fn failed(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into(), usage: false }
    }
}

impl From<inspector_store::StoreError> for AppError {
    fn from(e: inspector_store::StoreError) -> Self {
        use inspector_store::StoreError as E;
        // Something named that is not there is an answer ("no"); the rest means it could not run.
        let usage =
            !matches!(e, E::NotFound(_) | E::ProviderNotFound(_) | E::ClientNotFound(_) | E::Db(_) | E::Json(_));
        Self { code: e.code().into(), message: e.to_string(), usage }
    }
}

impl From<inspector_engine::FlowError> for AppError {
    fn from(e: inspector_engine::FlowError) -> Self {
        let code = serde_json::to_value(e.code).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        let usage = e.code == inspector_engine::ErrorCode::InvalidInput;
        Self { code, message: e.message, usage }
    }
}
