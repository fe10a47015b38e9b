-- Saved providers and their client registrations. A provider is an issuer (endpoints discovered at
-- run time) or endpoints entered by hand: `source` holds the engine's ProviderSource as JSON. A
-- client's secret and private key are sealed (XChaCha20-Poly1305, like the steps), never in the
-- clear; everything else of a registration is plain so it can be listed without the key.
CREATE TABLE providers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    source      TEXT    NOT NULL,                 -- JSON: {"source":"issuer",…} | {"source":"manual",…}
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL
);

CREATE TABLE clients (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id         INTEGER NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
    name                TEXT    NOT NULL COLLATE NOCASE,
    client_id           TEXT    NOT NULL,
    auth_method         TEXT    NOT NULL,         -- client_secret_basic | … | none
    redirect_uri        TEXT,
    scope               TEXT,
    resource            TEXT    NOT NULL DEFAULT '[]',   -- JSON array of strings (RFC 8707)
    audience            TEXT,
    extra               TEXT    NOT NULL DEFAULT '[]',   -- JSON array of [name, value]
    secret_sealed       BLOB,                     -- sealed client secret, NULL when none
    private_key_sealed  BLOB,                     -- sealed PEM text, NULL when none
    created_ms          INTEGER NOT NULL,
    updated_ms          INTEGER NOT NULL,
    UNIQUE (provider_id, name)
);

CREATE INDEX clients_provider ON clients (provider_id);
