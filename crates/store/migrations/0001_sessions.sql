-- Sessions and their steps. A step is written when it happens; `outcome` stays 'running' until
-- the flow ends, so a session whose process died is recognisable as interrupted.
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    flow        TEXT    NOT NULL,
    provider    TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    settings    TEXT    NOT NULL,            -- JSON of the run's settings, secrets excluded
    outcome     TEXT    NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'ok', 'failed')),
    error       TEXT,                        -- JSON {code, message} when failed
    tokens      TEXT,                        -- JSON token set when ok
    started_ms  INTEGER NOT NULL,
    ended_ms    INTEGER
);

CREATE TABLE steps (
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    at_ms       INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    data        TEXT    NOT NULL,            -- the whole step as JSON
    PRIMARY KEY (session_id, seq)
);

CREATE INDEX sessions_started ON sessions (started_ms DESC);
