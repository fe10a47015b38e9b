//! The application core: the one surface the CLI and the desktop call. A front builds a typed
//! [`RunRequest`] and calls [`Core::run`] with its [`Host`]; sessions, the registry, token
//! inspection and diagnosis are reached through [`Core`] as well. Leaves out anything a front
//! alone can do (windows, terminals), which sits behind `Host`.

pub mod audit;
mod audit_active;
pub mod demo;
mod error;
mod host;
pub mod probe;
pub mod report_md;
mod request;
mod resolve;
mod run;
pub mod send;
mod token_checks;
pub mod tokens;

pub use error::AppError;
pub use host::Host;
pub use request::{Login, Operation, RunRequest};
pub use run::RunOutcome;
pub use send::Diagnosed;
pub use tokens::{TokenContext, TokenKind, TokenSummary};

// The libraries' types the fronts name (steps, sessions, reports), from one place.
pub use inspector_engine as engine;
pub use inspector_store as store;
pub use inspector_token as token;

use inspector_store::Store;

/// The application: the session database (if any) and whether runs are saved in it.
#[derive(Clone)]
pub struct Core {
    store: Option<Store>,
    save: bool,
    /// Key sets and discovery documents for token checks, cached across runs as Cache-Control allows.
    jwks: std::sync::Arc<inspector_token::JwksFetcher>,
}

impl Core {
    /// Runs are saved in `store`, and saved providers, clients and sessions are read from it.
    pub fn new(store: Option<Store>) -> Self {
        Self { save: store.is_some(), store, jwks: Default::default() }
    }

    /// Reads saved providers, clients and sessions from `store`, but saves no run (`--no-save`).
    pub fn reading_only(store: Option<Store>) -> Self {
        Self { store, save: false, jwks: Default::default() }
    }

    /// The same core, sharing `jwks` (a front's key cache) for its token checks.
    pub fn with_jwks(mut self, jwks: std::sync::Arc<inspector_token::JwksFetcher>) -> Self {
        self.jwks = jwks;
        self
    }

    /// The key cache token checks use (shared with the fronts' token views).
    pub fn jwks(&self) -> &inspector_token::JwksFetcher {
        &self.jwks
    }

    pub fn store(&self) -> Option<&Store> {
        self.store.as_ref()
    }

    fn writer(&self) -> Option<&Store> {
        self.store.as_ref().filter(|_| self.save)
    }
}
