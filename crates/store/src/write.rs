//! Writing a session as its flow runs: the row first (with the writer's pid), then each event as it
//! arrives — every step stored redacted in the clear and whole under seal, indexed for search, in
//! one transaction. Leaves out editing finished sessions (`edit`) and reading (`read`).

use inspector_engine::step::SecretMark;
use inspector_engine::{FlowEvent, Step, TokenSet};
use sqlx::{Sqlite, Transaction};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinHandle;

use crate::redact::{self, Redactor};
use crate::{NewSession, Result, Store, live, search};

pub(crate) async fn index_tokens(tx: &mut Transaction<'_, Sqlite>, session_id: i64, redacted: &TokenSet) -> Result<()> {
    let mut text = String::new();
    for t in [Some(&redacted.access_token), redacted.id_token.as_ref(), redacted.refresh_token.as_ref()]
        .into_iter()
        .flatten()
    {
        if let Some(c) = crate::jwt::claims(t) {
            text.push_str(&c.to_string());
            text.push('\n');
        }
    }
    text.push_str(redacted.scope.as_deref().unwrap_or_default());
    sqlx::query("INSERT OR REPLACE INTO search (rowid, text) VALUES (?, ?)")
        .bind(search::rowid(session_id, search::TOKENS))
        .bind(text)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    pub async fn create_session(&self, new: &NewSession) -> Result<i64> {
        let (pid, mark) = live::me();
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (flow, provider, client, title, settings, started_ms, writer_pid, writer_mark) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.flow)
        .bind(&new.provider)
        .bind(new.client())
        .bind(&new.title)
        .bind(serde_json::to_string(&new.settings)?)
        .bind(inspector_engine::now_ms())
        .bind(pid)
        .bind(mark)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT OR REPLACE INTO search (rowid, text) VALUES (?, ?)")
            .bind(search::rowid(id, search::META))
            .bind(search::meta_text(&new.title, &new.flow, &new.provider, &new.client(), &[], "", None))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Writes one event of a session's stream, redacted by the secrets marked in it.
    pub async fn write_event(&self, session_id: i64, event: &FlowEvent) -> Result<()> {
        self.write_event_with(session_id, event, &mut Redactor::default()).await
    }

    /// Writes one event, redacting with every secret seen so far in the session (`seen`), so a
    /// value marked in one step is redacted in every later one as well.
    pub(crate) async fn write_event_with(&self, session_id: i64, event: &FlowEvent, seen: &mut Redactor) -> Result<()> {
        match event {
            FlowEvent::Step(step) => {
                seen.extend(&step.secrets);
                let red = seen.step(step);
                let mut tx = self.pool.begin().await?;
                self.insert_step(&mut tx, session_id, step, &red).await?;
                tx.commit().await?;
            }
            FlowEvent::Tokens(tokens) => {
                seen.extend(&tokens.secret_marks());
                let red = redact::tokens(tokens);
                let mut tx = self.pool.begin().await?;
                sqlx::query("UPDATE sessions SET tokens = ?, tokens_sealed = ? WHERE id = ?")
                    .bind(serde_json::to_string(&red)?)
                    .bind(self.sealer.seal_json(&crate::crypto::tokens_purpose(session_id), tokens)?)
                    .bind(session_id)
                    .execute(&mut *tx)
                    .await?;
                index_tokens(&mut tx, session_id, &red).await?;
                tx.commit().await?;
            }
            FlowEvent::Error(error) => {
                sqlx::query("UPDATE sessions SET error = ? WHERE id = ?")
                    .bind(serde_json::to_string(&seen.error(error))?)
                    .bind(session_id)
                    .execute(&self.pool)
                    .await?;
                self.reindex_meta(session_id).await?;
            }
            // Prompts to the user and requests held at the gate: each is a step of its own too
            // (the user action, the exchange as sent), so nothing more is written here.
            FlowEvent::Action(_) | FlowEvent::Pending(_) => {}
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

    pub(crate) async fn insert_step(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        session_id: i64,
        full: &Step,
        red: &Step,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO steps (session_id, seq, at_ms, title, status, data, sealed) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(session_id)
        .bind(full.seq as i64)
        .bind(full.at_ms)
        .bind(&red.title)
        .bind(serde_json::to_value(full.status)?.as_str().unwrap_or_default().to_string())
        .bind(serde_json::to_string(red)?)
        .bind(self.sealer.seal_json(&crate::crypto::step_purpose(session_id, full.seq as i64), full)?)
        .execute(&mut **tx)
        .await?;
        sqlx::query("INSERT OR REPLACE INTO search (rowid, text) VALUES (?, ?)")
            .bind(search::rowid(session_id, full.seq as i64))
            .bind(search::step_text(red))
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Subscribes the store to a flow's stream: every event is written as it arrives. The task
    /// ends when the stream does, returning the first write error, if any.
    pub fn attach(&self, session_id: i64, mut events: UnboundedReceiver<FlowEvent>) -> JoinHandle<Result<()>> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut first_error = None;
            let mut seen = Redactor::default();
            while let Some(ev) = events.recv().await {
                if let Err(e) = store.write_event_with(session_id, &ev, &mut seen).await {
                    first_error.get_or_insert(e);
                }
            }
            first_error.map_or(Ok(()), Err)
        })
    }
}

/// Every secret mark of a set of steps and tokens (for redacting session-level text).
pub(crate) fn all_marks<'a>(steps: impl IntoIterator<Item = &'a Step>, tokens: Option<&TokenSet>) -> Vec<SecretMark> {
    let mut marks: Vec<SecretMark> = steps.into_iter().flat_map(|s| s.secrets.iter().cloned()).collect();
    if let Some(t) = tokens {
        marks.extend(t.secret_marks());
    }
    marks
}
