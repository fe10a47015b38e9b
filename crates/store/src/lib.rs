//! The session store: SQLite through sqlx, schema migrations embedded in the binary. A session is
//! created before its flow starts and each step is written as it arrives on the flow's event
//! stream, so a crash loses nothing already seen. Each step is kept twice: redacted in the clear
//! (listing, search, display) and whole, sealed under a key from the OS keychain (export with
//! secrets, re-runs). Saved providers and client registrations live here too (`registry`), their
//! secrets sealed the same way. Fronts call plain async functions on [`Store`] and get serde
//! structs back.
//!
//! Left out: anything of a window or a terminal (the fronts), and syncing between machines.

mod crypto;
pub mod diff;
mod edit;
pub mod export;
pub use inspector_engine::jwt;
mod keystore;
mod live;
mod open;
mod perms;
mod read;
pub use inspector_engine::redact;
mod registry;
mod run;
mod search;
pub mod time;
mod write;

pub use diff::SessionDiff;
pub use export::{ExportFormat, ExportOptions};
pub use keystore::{KEY_FILE_ENV, KeyLocation, KeySource, key_file_beside};
pub use read::ListQuery;
pub use registry::{ClientRegistration, Provider, ProviderRef, RegisteredClient, SavedClient, secret_goes_to};
pub use run::{Outcome, Run};

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use inspector_engine::discovery::ProviderSource;
use inspector_engine::{FlowError, Step, TokenSet};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqlitePool;

/// The one error type of the store. [`StoreError::code`] gives a stable code for the fronts.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the session database {path}: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error(
        "{path} is not a SQLite database (expected a session database of OAuth Flow Inspector); it was left untouched"
    )]
    NotADatabase { path: PathBuf },
    #[error(
        "{path} is damaged (SQLite says: {detail}); it was left untouched — restore it from a backup or move it away"
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{path} is a SQLite database of another program (it has the tables {tables}, not the sessions of OAuth Flow Inspector); it was left untouched"
    )]
    Foreign { path: PathBuf, tables: String },
    #[error(
        "{path} was created by a newer version of OAuth Flow Inspector (schema {found}, this version knows up to {known}); update the app — the file was left untouched"
    )]
    NewerVersion { path: PathBuf, found: i64, known: i64 },
    #[error(
        "the session database {path} is locked by another program (it stayed busy for {waited_ms} ms); close it and try again"
    )]
    Locked { path: PathBuf, waited_ms: u128 },
    #[error("cannot prepare the session database {path} (is it a database of this app?): {source}")]
    Migrate { path: PathBuf, source: sqlx::migrate::MigrateError },
    #[error("cannot create the folder {path}: {source}")]
    Folder { path: PathBuf, source: std::io::Error },
    #[error("the encryption key: {0}")]
    Key(String),
    #[error(
        "the secrets of {path} were sealed with another key than the one in {key}; point OAUTH_INSPECTOR_KEY_FILE at the key file that belongs to this database"
    )]
    WrongKey { path: PathBuf, key: String },
    #[error("a sealed value of the session database cannot be opened ({0}); the database or its key was changed")]
    Unseal(String),
    #[error("{0}")]
    InvalidQuery(String),
    #[error("no session {0}")]
    NotFound(i64),
    #[error("cannot import: {0}")]
    Import(String),
    #[error("{0}")]
    InvalidName(String),
    #[error("{0}")]
    InvalidRegistration(String),
    #[error("{0}")]
    ProviderNotFound(String),
    #[error("{0}")]
    ClientNotFound(String),
    #[error("{0}")]
    ClientAmbiguous(String),
    #[error("{0}")]
    SecretElsewhere(String),
    #[error("session database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("session database holds unreadable JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl StoreError {
    /// A stable code for the fronts to switch on (`{code, message}` at the IPC boundary).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Open { .. } | StoreError::Folder { .. } => "store_open_failed",
            StoreError::NotADatabase { .. } => "store_not_a_database",
            StoreError::Foreign { .. } => "store_foreign_database",
            StoreError::Corrupt { .. } => "store_corrupt",
            StoreError::NewerVersion { .. } => "store_newer_version",
            StoreError::Locked { .. } => "store_locked",
            StoreError::Migrate { .. } => "store_migration_failed",
            StoreError::Key(_) => "store_key_unavailable",
            StoreError::WrongKey { .. } => "store_wrong_key",
            StoreError::Unseal(_) => "store_unseal_failed",
            StoreError::NotFound(_) => "session_not_found",
            StoreError::InvalidQuery(_) => "invalid_query",
            StoreError::Import(_) => "import_invalid",
            StoreError::InvalidName(_) => "invalid_name",
            StoreError::InvalidRegistration(_) => "invalid_registration",
            StoreError::ProviderNotFound(_) => "provider_not_found",
            StoreError::ClientNotFound(_) => "client_not_found",
            StoreError::ClientAmbiguous(_) => "client_ambiguous",
            StoreError::SecretElsewhere(_) => "secret_for_another_provider",
            StoreError::Db(_) => "store_error",
            StoreError::Json(_) => "store_bad_json",
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// `$XDG_DATA_HOME/oauth-flow-inspector/sessions.db` on Linux (the platform's app-data folder
/// elsewhere); `OAUTH_INSPECTOR_DB` overrides it, for tests and portable setups.
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("OAUTH_INSPECTOR_DB") {
        return PathBuf::from(p);
    }
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("oauth-flow-inspector").join("sessions.db")
}

/// How to open a store. `Default` is what the fronts use: the key from `OAUTH_INSPECTOR_KEY_FILE`,
/// a key file beside the database, or the OS keychain, in that order (see [`KeySource::Auto`]).
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub key: KeySource,
    /// How long to wait for another program's lock before giving up with [`StoreError::Locked`].
    pub busy_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { key: KeySource::Auto, busy_timeout: Duration::from_secs(5) }
    }
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    sealer: Arc<crypto::Sealer>,
    key_location: KeyLocation,
    path: PathBuf,
}

/// What is known of a session before its flow runs.
#[derive(Debug, Clone, Serialize)]
pub struct NewSession {
    pub flow: String,
    pub provider: String,
    pub title: String,
    pub settings: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ts_rs::TS)]
pub struct SessionSummary {
    pub id: i64,
    pub flow: String,
    pub provider: String,
    /// The client id the flow ran as ("" when the flow has none).
    pub client: String,
    pub title: String,
    /// `running`, `ok`, `failed`, or `interrupted` (left running by a process that has ended).
    pub outcome: String,
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
    pub step_count: i64,
    pub tags: Vec<String>,
    /// Set when the session was deleted and can still be restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_ms: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SessionRecord {
    #[serde(flatten)]
    pub summary: SessionSummary,
    pub notes: String,
    pub settings: serde_json::Value,
    pub error: Option<FlowError>,
    pub tokens: Option<TokenSet>,
    pub steps: Vec<Step>,
    /// Whether secrets are replaced by `<redacted:label>` markers in this copy.
    pub redacted: bool,
}

/// Which copy of a session to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Secrets replaced by labelled markers: for display, search results, default exports.
    #[default]
    Redacted,
    /// Every value as it went over the wire, unsealed with the key.
    Full,
}

impl NewSession {
    /// The session of a flow run: provider and title derived the same way for every front.
    pub fn for_flow(flow: &str, provider: &ProviderSource, client_id: &str, settings: &impl Serialize) -> Self {
        let pretty = flow.replace('_', " ");
        let mut title = format!("{pretty} · {client_id}");
        title[..1].make_ascii_uppercase();
        Self {
            flow: flow.into(),
            provider: provider.label(),
            title,
            settings: serde_json::to_value(settings).unwrap_or_default(),
        }
    }

    /// The client id, as found in the settings (every flow's settings carry `client_id`).
    pub fn client(&self) -> String {
        self.settings.get("client_id").and_then(|v| v.as_str()).unwrap_or_default().to_string()
    }
}

impl Store {
    /// Where the key that seals this database's secrets came from; `File { created: true }` the
    /// first time a key file was made because no keychain was reachable (fronts say so once).
    pub fn key_location(&self) -> &KeyLocation {
        &self.key_location
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The first time it is asked for a database whose key is kept in a file (no OS keychain was
    /// reachable), a sentence saying so; `None` ever after, and for keychain keys. Fronts show it.
    pub async fn take_key_notice(&self) -> Result<Option<String>> {
        let KeyLocation::File { path, .. } = &self.key_location else { return Ok(None) };
        let shown = sqlx::query("INSERT OR IGNORE INTO meta (key, value) VALUES ('key_notice_shown', 1)")
            .execute(&self.pool)
            .await?;
        Ok((shown.rows_affected() == 1).then(|| {
            format!(
                "note: no OS keychain is reachable, so the key that encrypts the secrets of {} is kept in {} (readable by you only); keep the two together — without the key, saved secrets cannot be read",
                self.path.display(),
                path.display()
            )
        }))
    }

    /// Closes every connection, checkpointing the WAL, so the files on disk are complete.
    pub async fn close(&self) {
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.pool).await;
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests;
