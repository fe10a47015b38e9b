//! Our own session format: lossless JSON that imports back (`format: "oauth-inspector-session"`,
//! `version: 1`). Import checks the shape before touching the database and writes the session in
//! one transaction, so a bad file changes nothing. Leaves out merging into an existing session.

use inspector_engine::{FlowError, Step, TokenSet};
use serde::{Deserialize, Serialize};

use crate::redact::{self, Redactor};
use crate::{Result, SessionRecord, Store, StoreError, search, write};

pub const FORMAT: &str = "oauth-inspector-session";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionExport {
    pub format: String,
    pub version: u32,
    pub exported_ms: i64,
    /// Whether secrets were replaced by markers when exported.
    pub redacted: bool,
    pub session: ExportedSession,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportedSession {
    pub title: String,
    pub flow: String,
    pub provider: String,
    #[serde(default)]
    pub client: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub notes: String,
    pub outcome: String,
    pub started_ms: i64,
    #[serde(default)]
    pub ended_ms: Option<i64>,
    #[serde(default)]
    pub settings: serde_json::Value,
    #[serde(default)]
    pub error: Option<FlowError>,
    #[serde(default)]
    pub tokens: Option<TokenSet>,
    pub steps: Vec<Step>,
}

impl SessionExport {
    pub fn of(rec: &SessionRecord) -> Self {
        let s = &rec.summary;
        SessionExport {
            format: FORMAT.into(),
            version: VERSION,
            exported_ms: inspector_engine::now_ms(),
            redacted: rec.redacted,
            session: ExportedSession {
                title: s.title.clone(),
                flow: s.flow.clone(),
                provider: s.provider.clone(),
                client: s.client.clone(),
                tags: s.tags.clone(),
                notes: rec.notes.clone(),
                outcome: s.outcome.clone(),
                started_ms: s.started_ms,
                ended_ms: s.ended_ms,
                settings: rec.settings.clone(),
                error: rec.error.clone(),
                tokens: rec.tokens.clone(),
                steps: rec.steps.clone(),
            },
        }
    }

    /// Reads an export, naming what was expected when the text is something else.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |m: String| StoreError::Import(m);
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            bad(format!("expected a JSON session export of OAuth Flow Inspector, the file is not valid JSON ({e})"))
        })?;
        let Some(obj) = value.as_object() else {
            return Err(bad(format!("expected a JSON object with \"format\": \"{FORMAT}\", got {}", kind(&value))));
        };
        match obj.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            Some(other) => return Err(bad(format!("expected \"format\": \"{FORMAT}\", got {other:?}"))),
            None if obj.contains_key("log") => {
                return Err(bad(format!(
                    "this is a HAR file (from a browser or another tool); expected a session exported by OAuth Flow Inspector as JSON (\"format\": \"{FORMAT}\")"
                )));
            }
            None => {
                let keys: Vec<&str> = obj.keys().map(String::as_str).take(8).collect();
                return Err(bad(format!(
                    "expected a session exported by OAuth Flow Inspector (\"format\": \"{FORMAT}\"), got a JSON object with the members {}",
                    if keys.is_empty() { "(none)".to_string() } else { keys.join(", ") }
                )));
            }
        }
        match obj.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == VERSION as u64 => {}
            Some(v) if v > VERSION as u64 => {
                return Err(bad(format!(
                    "the export was created by a newer version of OAuth Flow Inspector (format version {v}, this version reads {VERSION})"
                )));
            }
            other => {
                return Err(bad(format!(
                    "expected \"version\": {VERSION}, got {}",
                    other.map_or("none".into(), |v| v.to_string())
                )));
            }
        }
        let export: SessionExport = serde_json::from_value(value)
            .map_err(|e| bad(format!("the session export does not have the expected shape: {e}")))?;
        let mut seqs: Vec<u32> = export.session.steps.iter().map(|s| s.seq).collect();
        seqs.sort_unstable();
        if seqs.windows(2).any(|w| w[0] == w[1]) {
            return Err(bad("expected each step to have its own \"seq\", some are repeated".into()));
        }
        if !crate::read::OUTCOMES.contains(&export.session.outcome.as_str()) {
            return Err(bad(format!(
                "expected \"outcome\" among {}, got {:?}",
                crate::read::OUTCOMES.join(", "),
                export.session.outcome
            )));
        }
        Ok(export)
    }
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Null => "null",
        serde_json::Value::Object(_) => "an object",
    }
}

impl Store {
    /// Imports a JSON export as a new session; returns its id. Nothing is written unless the
    /// whole file is a valid export.
    pub async fn import_json(&self, text: &str) -> Result<i64> {
        let export = SessionExport::parse(text)?;
        self.import(&export).await
    }

    pub async fn import(&self, export: &SessionExport) -> Result<i64> {
        let s = &export.session;
        let marks = write::all_marks(&s.steps, s.tokens.as_ref());
        let seen = Redactor::new(&marks);
        // A run that was not finished stays unfinished; no process of this machine writes it.
        let outcome = match s.outcome.as_str() {
            "ok" | "failed" => s.outcome.as_str(),
            _ => "running",
        };
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (flow, provider, client, title, settings, outcome, error, tokens, tokens_sealed, started_ms, ended_ms, tags, notes) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&s.flow)
        .bind(&s.provider)
        .bind(&s.client)
        .bind(&s.title)
        .bind(serde_json::to_string(&s.settings)?)
        .bind(outcome)
        .bind(s.error.as_ref().map(|e| serde_json::to_string(&seen.error(e))).transpose()?)
        .bind(s.tokens.as_ref().map(|t| serde_json::to_string(&redact::tokens(t))).transpose()?)
        .bind(None::<Vec<u8>>)
        .bind(s.started_ms)
        .bind(s.ended_ms)
        .bind(serde_json::to_string(&s.tags)?)
        .bind(&s.notes)
        .fetch_one(&mut *tx)
        .await?;
        for step in &s.steps {
            self.insert_step(&mut tx, id, step, &seen.step(step)).await?;
        }
        if let Some(t) = &s.tokens {
            // Sealed once the row exists: the seal is bound to the session's id.
            sqlx::query("UPDATE sessions SET tokens_sealed = ? WHERE id = ?")
                .bind(self.sealer.seal_json(&crate::crypto::tokens_purpose(id), t)?)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            write::index_tokens(&mut tx, id, &redact::tokens(t)).await?;
        }
        sqlx::query("INSERT OR REPLACE INTO search (rowid, text) VALUES (?, ?)")
            .bind(search::rowid(id, search::META))
            .bind(search::meta_text(
                &s.title,
                &s.flow,
                &s.provider,
                &s.client,
                &s.tags,
                &s.notes,
                s.error.as_ref().map(|e| seen.error(e).message).as_deref(),
            ))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }
}
