//! Reading sessions: the list (newest first, filtered, searched) and one session, redacted or
//! whole. A `running` session reads as `interrupted` once the process writing it is gone.
//! Leaves out writing and the shapes of exports.

use inspector_engine::{Step, TokenSet};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::{Result, SessionRecord, SessionSummary, Store, StoreError, View, live, search};

/// Filters of the session list; every member optional. Serde-ready for the desktop.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ListQuery {
    /// Part of the provider label (issuer URL or "manual"), case-insensitive.
    pub provider: Option<String>,
    /// Exact flow name: `client_credentials`, `authorization_code`, `device_code`, ...
    pub flow: Option<String>,
    /// `ok`, `failed`, `running` or `interrupted`.
    pub outcome: Option<String>,
    pub tag: Option<String>,
    /// Started at or after (Unix ms).
    pub since_ms: Option<i64>,
    /// Started before (Unix ms).
    pub until_ms: Option<i64>,
    /// Words that must all occur (as prefixes) in the session's redacted text.
    pub search: Option<String>,
    /// At most this many (default 100).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    /// List deleted (still restorable) sessions instead of live ones.
    pub deleted: bool,
}

pub(crate) const OUTCOMES: &[&str] = &["ok", "failed", "running", "interrupted"];

const SUMMARY: &str = "SELECT s.id, s.flow, s.provider, s.client, s.title, s.outcome, s.started_ms, s.ended_ms, \
     (SELECT COUNT(*) FROM steps WHERE session_id = s.id) AS step_count, s.tags, s.deleted_ms, s.writer_pid, s.writer_mark, \
     s.notes, s.settings, s.error, s.tokens, s.tokens_sealed FROM sessions s";

fn summary(row: &SqliteRow) -> SessionSummary {
    let outcome: String = row.get("outcome");
    let outcome = if outcome == "running" {
        let alive = live::alive(row.get("writer_pid"), row.get::<Option<String>, _>("writer_mark").as_deref());
        if alive { "running".into() } else { "interrupted".into() }
    } else {
        outcome
    };
    SessionSummary {
        id: row.get("id"),
        flow: row.get("flow"),
        provider: row.get("provider"),
        client: row.get("client"),
        title: row.get("title"),
        outcome,
        started_ms: row.get("started_ms"),
        ended_ms: row.get("ended_ms"),
        step_count: row.get("step_count"),
        tags: serde_json::from_str(&row.get::<String, _>("tags")).unwrap_or_default(),
        deleted_ms: row.get("deleted_ms"),
    }
}

impl Store {
    /// How many sessions there are (deleted ones not counted).
    pub async fn count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE deleted_ms IS NULL").fetch_one(&self.pool).await?)
    }

    /// The newest sessions first.
    pub async fn list(&self, limit: i64) -> Result<Vec<SessionSummary>> {
        self.find(&ListQuery { limit: Some(limit), ..Default::default() }).await
    }

    /// Sessions matching `q`, newest first.
    pub async fn find(&self, q: &ListQuery) -> Result<Vec<SessionSummary>> {
        let limit = q.limit.unwrap_or(100).clamp(0, 100_000);
        let offset = q.offset.unwrap_or(0).max(0);
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(SUMMARY);
        qb.push(if q.deleted { " WHERE s.deleted_ms IS NOT NULL" } else { " WHERE s.deleted_ms IS NULL" });
        if let Some(p) = q.provider.as_deref().filter(|p| !p.is_empty()) {
            qb.push(" AND instr(lower(s.provider), lower(").push_bind(p.to_string()).push(")) > 0");
        }
        if let Some(f) = q.flow.as_deref().filter(|f| !f.is_empty()) {
            qb.push(" AND s.flow = ").push_bind(f.replace('-', "_"));
        }
        let live_filter = match q.outcome.as_deref().filter(|o| !o.is_empty()) {
            None => None,
            Some(o) if !OUTCOMES.contains(&o) => {
                return Err(StoreError::InvalidQuery(format!(
                    "expected an outcome among {}, got {o:?}",
                    OUTCOMES.join(", ")
                )));
            }
            Some(o @ ("running" | "interrupted")) => {
                qb.push(" AND s.outcome = 'running'");
                Some(o.to_string())
            }
            Some(o) => {
                qb.push(" AND s.outcome = ").push_bind(o.to_string());
                None
            }
        };
        if let Some(t) = q.tag.as_deref().filter(|t| !t.is_empty()) {
            qb.push(" AND EXISTS (SELECT 1 FROM json_each(s.tags) WHERE value = ").push_bind(t.to_string()).push(")");
        }
        if let Some(since) = q.since_ms {
            qb.push(" AND s.started_ms >= ").push_bind(since);
        }
        if let Some(until) = q.until_ms {
            qb.push(" AND s.started_ms < ").push_bind(until);
        }
        if let Some(text) = q.search.as_deref() {
            match search::fts_query(text) {
                Some(fts) => {
                    qb.push(" AND s.id IN (SELECT rowid / ")
                        .push(search::SPAN.to_string())
                        .push(" FROM search WHERE search MATCH ")
                        .push_bind(fts)
                        .push(")");
                }
                None if text.trim().is_empty() => {}
                None => return Err(StoreError::InvalidQuery(format!("expected words to search for, got {text:?}"))),
            }
        }
        qb.push(" ORDER BY s.started_ms DESC, s.id DESC");
        if live_filter.is_none() {
            qb.push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
        }
        let rows = qb.build().fetch_all(&self.pool).await?;
        let all = rows.iter().map(summary);
        Ok(match live_filter {
            Some(o) => all.filter(|s| s.outcome == o).skip(offset as usize).take(limit as usize).collect(),
            None => all.collect(),
        })
    }

    /// A session with every value as it went over the wire (secrets unsealed), as flows that
    /// reuse a session's tokens need it.
    pub async fn session(&self, id: i64) -> Result<Option<SessionRecord>> {
        self.session_view(id, View::Full).await
    }

    /// A session, redacted or whole. Deleted sessions are still readable until purged.
    pub async fn session_view(&self, id: i64, view: View) -> Result<Option<SessionRecord>> {
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(format!("{SUMMARY} WHERE s.id = ?")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let rows = sqlx::query("SELECT data, sealed, seq FROM steps WHERE session_id = ? ORDER BY seq")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        let mut steps = Vec::with_capacity(rows.len());
        for r in &rows {
            let sealed: Option<Vec<u8>> = r.get(1);
            steps.push(match (view, sealed) {
                (View::Full, Some(blob)) => {
                    self.sealer.open_json::<Step>(&crate::crypto::step_purpose(id, r.get(2)), &blob)?
                }
                _ => serde_json::from_str::<Step>(&r.get::<String, _>(0))?,
            });
            if let Some(step) = steps.last_mut() {
                // Rows written before steps had categories: the redacted copy tells.
                step.normalize_legacy(r.get::<String, _>(0).contains("\"category\""));
            }
        }
        let tokens_sealed: Option<Vec<u8>> = row.get("tokens_sealed");
        let tokens: Option<TokenSet> = match (view, tokens_sealed) {
            (View::Full, Some(blob)) => Some(self.sealer.open_json(&crate::crypto::tokens_purpose(id), &blob)?),
            _ => row.get::<Option<String>, _>("tokens").map(|s| serde_json::from_str(&s)).transpose()?,
        };
        Ok(Some(SessionRecord {
            summary: summary(&row),
            notes: row.get("notes"),
            settings: serde_json::from_str(&row.get::<String, _>("settings"))?,
            error: row.get::<Option<String>, _>("error").map(|s| serde_json::from_str(&s)).transpose()?,
            tokens,
            steps,
            redacted: view == View::Redacted,
        }))
    }

    /// Like [`Store::session_view`], but a missing session is an error.
    pub async fn require(&self, id: i64, view: View) -> Result<SessionRecord> {
        self.session_view(id, view).await?.ok_or(StoreError::NotFound(id))
    }
}
