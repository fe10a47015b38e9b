//! Editing saved sessions: title, tags, notes, and deletion with undo (a deleted session is hidden
//! from the list and can be restored until it is purged). Leaves out the steps themselves: what
//! went over the wire is never edited.

use sqlx::Row;

use crate::{Result, Store, StoreError, search};

/// Trimmed, non-empty, without duplicates, in the order given.
fn normalise_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

impl Store {
    async fn update(&self, id: i64, sql: &'static str, value: String) -> Result<()> {
        let done = sqlx::query(sql).bind(value).bind(id).execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(id));
        }
        self.reindex_meta(id).await
    }

    pub async fn rename(&self, id: i64, title: &str) -> Result<()> {
        let title = title.trim();
        if title.is_empty() {
            return Err(StoreError::InvalidQuery("expected a title with at least one visible character".into()));
        }
        self.update(id, "UPDATE sessions SET title = ? WHERE id = ?", title.to_string()).await
    }

    /// Replaces the session's tags; returns them as stored.
    pub async fn set_tags(&self, id: i64, tags: &[String]) -> Result<Vec<String>> {
        let tags = normalise_tags(tags);
        self.update(id, "UPDATE sessions SET tags = ? WHERE id = ?", serde_json::to_string(&tags)?).await?;
        Ok(tags)
    }

    pub async fn set_notes(&self, id: i64, notes: &str) -> Result<()> {
        self.update(id, "UPDATE sessions SET notes = ? WHERE id = ?", notes.to_string()).await
    }

    /// Hides a session from the list; [`Store::restore`] undoes it.
    pub async fn delete(&self, id: i64) -> Result<()> {
        let done = sqlx::query("UPDATE sessions SET deleted_ms = ? WHERE id = ? AND deleted_ms IS NULL")
            .bind(inspector_engine::now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(id));
        }
        Ok(())
    }

    pub async fn restore(&self, id: i64) -> Result<()> {
        let done = sqlx::query("UPDATE sessions SET deleted_ms = NULL WHERE id = ? AND deleted_ms IS NOT NULL")
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(id));
        }
        Ok(())
    }

    /// Erases for good the sessions deleted before `before_ms` (steps, sealed secrets, index);
    /// returns how many.
    pub async fn purge_deleted(&self, before_ms: i64) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM sessions WHERE deleted_ms IS NOT NULL AND deleted_ms < ?")
                .bind(before_ms)
                .fetch_all(&mut *tx)
                .await?;
        for id in &ids {
            sqlx::query("DELETE FROM search WHERE rowid BETWEEN ? AND ?")
                .bind(search::rowid(*id, search::META))
                .bind(search::rowid(*id, search::TOKENS))
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE id = ?").bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(ids.len() as u64)
    }

    /// Rewrites the search row of the session's own text after a change to it.
    pub(crate) async fn reindex_meta(&self, id: i64) -> Result<()> {
        let Some(row) =
            sqlx::query("SELECT title, flow, provider, client, tags, notes, error FROM sessions WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(());
        };
        let tags: Vec<String> = serde_json::from_str(&row.get::<String, _>(4)).unwrap_or_default();
        let error = row
            .get::<Option<String>, _>(6)
            .and_then(|e| serde_json::from_str::<inspector_engine::FlowError>(&e).ok())
            .map(|e| e.message);
        let text = search::meta_text(
            &row.get::<String, _>(0),
            &row.get::<String, _>(1),
            &row.get::<String, _>(2),
            &row.get::<String, _>(3),
            &tags,
            &row.get::<String, _>(5),
            error.as_deref(),
        );
        sqlx::query("INSERT OR REPLACE INTO search (rowid, text) VALUES (?, ?)")
            .bind(search::rowid(id, search::META))
            .bind(text)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tags_are_trimmed_and_deduplicated() {
        let t = super::normalise_tags(&[" a ".into(), "".into(), "b".into(), "a".into()]);
        assert_eq!(t, vec!["a".to_string(), "b".to_string()]);
    }
}
