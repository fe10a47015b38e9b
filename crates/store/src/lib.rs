//! The session store: SQLite through sqlx, schema migrations embedded in the binary. A session is
//! created before its flow starts and each step is written as it arrives on the flow's event
//! stream, so a crash loses nothing already seen. Search, export and encryption of secrets at rest
//! are later layers on this table layout.

mod run;
pub use run::{Outcome, Run};

use std::path::{Path, PathBuf};
use std::str::FromStr;

use inspector_engine::discovery::ProviderSource;
use inspector_engine::{FlowError, FlowEvent, Step, TokenSet};
use serde::Serialize;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the session database {path}: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error("cannot prepare the session database {path} (is it a database of this app?): {source}")]
    Migrate { path: PathBuf, source: sqlx::migrate::MigrateError },
    #[error("cannot create the folder {path}: {source}")]
    Folder { path: PathBuf, source: std::io::Error },
    #[error("session database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("session database holds unreadable JSON: {0}")]
    Json(#[from] serde_json::Error),
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

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

/// What is known of a session before its flow runs.
#[derive(Debug, Clone, Serialize)]
pub struct NewSession {
    pub flow: String,
    pub provider: String,
    pub title: String,
    pub settings: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SessionSummary {
    pub id: i64,
    pub flow: String,
    pub provider: String,
    pub title: String,
    /// `running`, `ok`, `failed`, or `interrupted` (left running by a process that ended).
    pub outcome: String,
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
    pub step_count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SessionRecord {
    #[serde(flatten)]
    pub summary: SessionSummary,
    pub settings: serde_json::Value,
    pub error: Option<FlowError>,
    pub tokens: Option<TokenSet>,
    pub steps: Vec<Step>,
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
}

impl Store {
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder { path: dir.into(), source })?;
        }
        let opts = SqliteConnectOptions::from_str("sqlite:")
            .map_err(|source| StoreError::Open { path: path.into(), source })?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await
            .map_err(|source| StoreError::Open { path: path.into(), source })?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate { path: path.into(), source })?;
        Ok(Self { pool })
    }

    pub async fn create_session(&self, new: &NewSession) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO sessions (flow, provider, title, settings, started_ms) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.flow)
        .bind(&new.provider)
        .bind(&new.title)
        .bind(serde_json::to_string(&new.settings)?)
        .bind(inspector_engine::now_ms())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.get(0))
    }

    /// Writes one event of a session's stream.
    pub async fn write_event(&self, session_id: i64, event: &FlowEvent) -> Result<()> {
        match event {
            FlowEvent::Step(step) => {
                sqlx::query("INSERT INTO steps (session_id, seq, at_ms, title, status, data) VALUES (?, ?, ?, ?, ?, ?)")
                    .bind(session_id)
                    .bind(step.seq as i64)
                    .bind(step.at_ms)
                    .bind(&step.title)
                    .bind(serde_json::to_value(step.status)?.as_str().unwrap_or_default().to_string())
                    .bind(serde_json::to_string(step)?)
                    .execute(&self.pool)
                    .await?;
            }
            FlowEvent::Tokens(tokens) => {
                sqlx::query("UPDATE sessions SET tokens = ? WHERE id = ?")
                    .bind(serde_json::to_string(tokens)?)
                    .bind(session_id)
                    .execute(&self.pool)
                    .await?;
            }
            FlowEvent::Error(error) => {
                sqlx::query("UPDATE sessions SET error = ? WHERE id = ?")
                    .bind(serde_json::to_string(error)?)
                    .bind(session_id)
                    .execute(&self.pool)
                    .await?;
            }
            // Prompts to the user; what they show is already in the steps before them.
            FlowEvent::Action(_) => {}
            FlowEvent::Done { ok } => {
                sqlx::query("UPDATE sessions SET outcome = ?, ended_ms = ? WHERE id = ?")
                    .bind(if *ok { "ok" } else { "failed" })
                    .bind(inspector_engine::now_ms())
                    .bind(session_id)
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// Subscribes the store to a flow's stream: every event is written as it arrives. The task
    /// ends when the stream does, returning the first write error, if any.
    pub fn attach(&self, session_id: i64, mut events: UnboundedReceiver<FlowEvent>) -> JoinHandle<Result<()>> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut first_error = None;
            while let Some(ev) = events.recv().await {
                if let Err(e) = store.write_event(session_id, &ev).await {
                    first_error.get_or_insert(e);
                }
            }
            first_error.map_or(Ok(()), Err)
        })
    }

    const SUMMARY: &'static str = "SELECT s.id, s.flow, s.provider, s.title, s.outcome, s.started_ms, s.ended_ms, \
         (SELECT COUNT(*) FROM steps WHERE session_id = s.id) AS step_count, s.settings, s.error, s.tokens FROM sessions s";

    fn summary(row: &sqlx::sqlite::SqliteRow) -> SessionSummary {
        let outcome: String = row.get("outcome");
        SessionSummary {
            id: row.get("id"),
            flow: row.get("flow"),
            provider: row.get("provider"),
            title: row.get("title"),
            // Only this process writes 'running' sessions it is still driving; a reader sees
            // 'running' from a dead process as interrupted (refined with a live-run table later).
            outcome: if outcome == "running" { "interrupted".into() } else { outcome },
            started_ms: row.get("started_ms"),
            ended_ms: row.get("ended_ms"),
            step_count: row.get("step_count"),
        }
    }

    /// The newest sessions first.
    pub async fn list(&self, limit: i64) -> Result<Vec<SessionSummary>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{} ORDER BY s.started_ms DESC, s.id DESC LIMIT ?", Self::SUMMARY)))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(Self::summary).collect())
    }

    pub async fn session(&self, id: i64) -> Result<Option<SessionRecord>> {
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!("{} WHERE s.id = ?", Self::SUMMARY)))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let json_opt = |col: &str| -> Option<String> { row.get::<Option<String>, _>(col) };
        let steps = sqlx::query("SELECT data FROM steps WHERE session_id = ? ORDER BY seq")
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| serde_json::from_str::<Step>(&r.get::<String, _>(0)))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Some(SessionRecord {
            summary: Self::summary(&row),
            settings: serde_json::from_str(&row.get::<String, _>("settings"))?,
            error: json_opt("error").map(|s| serde_json::from_str(&s)).transpose()?,
            tokens: json_opt("tokens").map(|s| serde_json::from_str(&s)).transpose()?,
            steps,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inspector_engine::{Recorder, StepStatus};

    #[tokio::test]
    async fn steps_are_on_disk_before_the_flow_ends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/sessions.db");
        let store = Store::open(&path).await.unwrap();
        let new = NewSession { flow: "client_credentials".into(), provider: "p".into(), title: "t".into(), settings: serde_json::json!({}) };
        let id = store.create_session(&new).await.unwrap();
        let mut rec = Recorder::new();
        let writer = store.attach(id, rec.subscribe());
        rec.local("generated", StepStatus::Ok, serde_json::json!({"n": 1}));
        // A second, independent connection sees the step while the flow is still running.
        let mut seen = 0;
        for _ in 0..100 {
            let other = Store::open(&path).await.unwrap();
            let s = other.session(id).await.unwrap().unwrap();
            seen = s.steps.len();
            if seen == 1 {
                assert_eq!(s.summary.outcome, "interrupted", "an unfinished run reads as interrupted");
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(seen, 1);
        rec.finish(Err(FlowError::new(inspector_engine::ErrorCode::Timeout, "slow")));
        drop(rec);
        writer.await.unwrap().unwrap();
        let s = store.session(id).await.unwrap().unwrap();
        assert_eq!(s.summary.outcome, "failed");
        assert_eq!(s.error.unwrap().message, "slow");
        assert_eq!(store.list(10).await.unwrap()[0].id, id);
    }

    #[tokio::test]
    async fn a_file_that_is_not_a_database_gives_a_clear_error_and_is_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::fs::write(&path, b"these are my notes, not a database").unwrap();
        let err = Store::open(&path).await.err().expect("must refuse");
        assert!(err.to_string().contains("notes.db"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"these are my notes, not a database");
    }
}
