-- Sessions become searchable, annotatable and undoable, and their secrets leave the clear text:
-- `steps.data` and `sessions.tokens` now hold REDACTED JSON; the full step and token set are sealed
-- (XChaCha20-Poly1305) in `steps.sealed` and `sessions.tokens_sealed`. Rows written by schema 1 in
-- the clear are sealed by the store right after this migration (Rust, not SQL: it needs the key).
ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';   -- JSON array of strings
ALTER TABLE sessions ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN tokens_sealed BLOB;
-- The process writing a 'running' session: it reads as interrupted once that process is gone.
ALTER TABLE sessions ADD COLUMN writer_pid INTEGER;
ALTER TABLE sessions ADD COLUMN writer_mark TEXT;
-- Soft delete, so a deletion can be undone (`restore`) until purged.
ALTER TABLE sessions ADD COLUMN deleted_ms INTEGER;

ALTER TABLE steps ADD COLUMN sealed BLOB;

-- Schema 1 kept only the flow's settings; the client id lived inside them.
UPDATE sessions SET client = COALESCE(json_extract(settings, '$.client_id'), '') WHERE json_valid(settings);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- Full-text search over redacted text only. rowid = session_id * 1048576 + n, where n = 0 for the
-- session's own text (title, tags, notes, error), a step's seq for that step, 1048575 for tokens.
CREATE VIRTUAL TABLE search USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');

CREATE INDEX sessions_flow ON sessions (flow, started_ms DESC);
