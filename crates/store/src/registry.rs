//! Saved providers and their client registrations. A provider is a name and an engine
//! [`ProviderSource`] (an issuer to discover, or endpoints given by hand); a client is a named
//! registration at one provider. The client secret and private key are sealed with the store's key
//! (bound to the client's row) and are never serialised: listings say `has_secret` /
//! `has_private_key`, and only [`Store::client`] opens them, to run a flow.
//!
//! Left out: discovery (a provider is saved as given, not fetched), renaming, and keeping a secret
//! across a re-save — [`Store::save_client`] replaces the whole registration, secrets included.

use std::fmt;

use inspector_engine::Secret;
use inspector_engine::client_auth::AuthMethod;
use inspector_engine::discovery::{Endpoints, ProviderSource};
use inspector_engine::flows::common::{ClientSecrets, ClientSettings};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::{Result, Store, StoreError};

const MAX_NAME: usize = 100;

/// A saved provider, as listed. Serialises flat: `{"id", "name", "source": "issuer", "issuer", …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provider {
    pub id: i64,
    pub name: String,
    #[serde(flatten)]
    pub source: ProviderSource,
    /// How many client registrations it has.
    pub client_count: i64,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// Names a saved provider: its row id or its name (names compare case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ProviderRef {
    Id(i64),
    Name(String),
}

impl From<i64> for ProviderRef {
    fn from(id: i64) -> Self {
        ProviderRef::Id(id)
    }
}
impl From<&str> for ProviderRef {
    fn from(name: &str) -> Self {
        ProviderRef::Name(name.to_string())
    }
}
impl From<String> for ProviderRef {
    fn from(name: String) -> Self {
        ProviderRef::Name(name)
    }
}
impl From<&String> for ProviderRef {
    fn from(name: &String) -> Self {
        ProviderRef::Name(name.clone())
    }
}

impl fmt::Display for ProviderRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderRef::Id(id) => write!(f, "#{id}"),
            ProviderRef::Name(n) => write!(f, "{n:?}"),
        }
    }
}

/// A client registration without its secrets: what is given to save one, and what listings show.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClientRegistration {
    /// The registration's name, unique within its provider (e.g. `service`, `spa`).
    pub name: String,
    pub client_id: String,
    #[serde(default)]
    pub auth_method: AuthMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// Default scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// RFC 8707 resource indicators.
    #[serde(default)]
    pub resource: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Extra request parameters, `[name, value]` in order.
    #[serde(default)]
    pub extra: Vec<(String, String)>,
}

/// A saved client, as listed: never its secret or key, only whether it has them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedClient {
    pub id: i64,
    pub provider_id: i64,
    /// The provider's name.
    pub provider: String,
    #[serde(flatten)]
    pub registration: ClientRegistration,
    pub has_secret: bool,
    pub has_private_key: bool,
    pub created_ms: i64,
    pub updated_ms: i64,
}

/// A saved client ready to run a flow: the engine's settings (with the provider's source) and the
/// unsealed secrets. Deliberately not `Serialize`; its `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct RegisteredClient {
    pub client: SavedClient,
    pub settings: ClientSettings,
    pub secrets: ClientSecrets,
}

impl RegisteredClient {
    /// The saved secrets, for the provider they were saved with and no other: a run whose issuer
    /// or endpoints were changed (a typo, a pasted URL, a hostile suggestion) must not receive them.
    pub fn secrets_for(&self, target: &ProviderSource) -> Result<ClientSecrets> {
        let what =
            format!("the saved client {:?} of the provider {:?}", self.client.registration.name, self.client.provider);
        secret_goes_to(&self.settings.provider, target, &what)?;
        Ok(self.secrets.clone())
    }

    /// The saved redirect URI (authorization code flow), if any.
    pub fn redirect_uri(&self) -> Option<&str> {
        self.client.registration.redirect_uri.as_deref()
    }
}

/// Refuses to send a saved secret (`what`) to another provider than the one it was saved for.
/// Issuers compare without a trailing slash; endpoints given by hand compare whole.
pub fn secret_goes_to(saved_for: &ProviderSource, target: &ProviderSource, what: &str) -> Result<()> {
    let norm = |s: &str| s.trim().trim_end_matches('/').to_string();
    let same = match (saved_for, target) {
        (ProviderSource::Issuer { issuer: a }, ProviderSource::Issuer { issuer: b }) => norm(a) == norm(b),
        (a, b) => a == b,
    };
    if same {
        return Ok(());
    }
    Err(StoreError::SecretElsewhere(format!(
        "the secret of {what} was saved for {}, and this run goes to {}; it is not sent elsewhere — type the secret for this provider, or run against the provider it was saved for",
        saved_for.label(),
        target.label()
    )))
}

/// Trimmed, 1–100 characters, no control characters.
fn valid_name(what: &str, name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() {
        return Err(StoreError::InvalidName(format!(
            "expected a {what} name with at least one visible character, got {name:?}"
        )));
    }
    if n.chars().count() > MAX_NAME {
        return Err(StoreError::InvalidName(format!(
            "expected a {what} name of at most {MAX_NAME} characters, got {}",
            n.chars().count()
        )));
    }
    if n.chars().any(char::is_control) {
        return Err(StoreError::InvalidName(format!("expected a {what} name without control characters, got {n:?}")));
    }
    Ok(n.to_string())
}

fn invalid(msg: String) -> StoreError {
    StoreError::InvalidRegistration(msg)
}

/// An absolute http(s) URL.
fn valid_url(field: &str, value: &str) -> Result<()> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(()),
        Ok(u) => Err(invalid(format!("expected an http(s) URL for {field}, got {value:?} (scheme {})", u.scheme()))),
        Err(e) => Err(invalid(format!("expected an http(s) URL for {field}, got {value:?}: {e}"))),
    }
}

fn non_blank(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn valid_source(source: &ProviderSource) -> Result<ProviderSource> {
    match source {
        ProviderSource::Issuer { issuer } => {
            let issuer = issuer.trim();
            valid_url("the issuer", issuer)?;
            Ok(ProviderSource::Issuer { issuer: issuer.to_string() })
        }
        ProviderSource::Manual { endpoints } => {
            let e = Endpoints {
                issuer: non_blank(&endpoints.issuer),
                authorization_endpoint: non_blank(&endpoints.authorization_endpoint),
                token_endpoint: non_blank(&endpoints.token_endpoint),
                device_authorization_endpoint: non_blank(&endpoints.device_authorization_endpoint),
                userinfo_endpoint: non_blank(&endpoints.userinfo_endpoint),
                revocation_endpoint: non_blank(&endpoints.revocation_endpoint),
                introspection_endpoint: non_blank(&endpoints.introspection_endpoint),
                jwks_uri: non_blank(&endpoints.jwks_uri),
                authorization_response_iss_parameter_supported: endpoints
                    .authorization_response_iss_parameter_supported,
            };
            let urls = [
                ("authorization_endpoint", &e.authorization_endpoint),
                ("token_endpoint", &e.token_endpoint),
                ("device_authorization_endpoint", &e.device_authorization_endpoint),
                ("userinfo_endpoint", &e.userinfo_endpoint),
                ("revocation_endpoint", &e.revocation_endpoint),
                ("introspection_endpoint", &e.introspection_endpoint),
                ("jwks_uri", &e.jwks_uri),
            ];
            if urls.iter().all(|(_, v)| v.is_none()) {
                return Err(invalid("expected at least one endpoint (token_endpoint, authorization_endpoint, …) for a provider without an issuer, got none".into()));
            }
            for (field, v) in urls {
                if let Some(v) = v {
                    valid_url(field, v)?;
                }
            }
            Ok(ProviderSource::Manual { endpoints: e })
        }
    }
}

fn valid_registration(reg: &ClientRegistration) -> Result<ClientRegistration> {
    let name = valid_name("client", &reg.name)?;
    let client_id = reg.client_id.trim().to_string();
    if client_id.is_empty() {
        return Err(invalid(format!("expected a client id for the client {name:?}, got an empty one")));
    }
    let redirect_uri = non_blank(&reg.redirect_uri);
    if let Some(r) = &redirect_uri {
        // Custom schemes (com.example.app:/cb) are legal redirect URIs: only require an absolute URI.
        url::Url::parse(r).map_err(|e| invalid(format!("expected an absolute redirect URI, got {r:?}: {e}")))?;
    }
    let mut resource = Vec::new();
    for r in reg.resource.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        url::Url::parse(r).map_err(|e| {
            invalid(format!("expected an absolute URI as resource indicator (RFC 8707 §2), got {r:?}: {e}"))
        })?;
        resource.push(r.to_string());
    }
    for (k, _) in &reg.extra {
        if k.trim().is_empty() {
            return Err(invalid("expected a name for every extra parameter, got an empty one".into()));
        }
    }
    Ok(ClientRegistration {
        name,
        client_id,
        auth_method: reg.auth_method,
        redirect_uri,
        scope: non_blank(&reg.scope),
        resource,
        audience: non_blank(&reg.audience),
        extra: reg.extra.clone(),
    })
}

fn secret_purpose(client_row: i64) -> String {
    format!("client_secret/{client_row}")
}

fn key_purpose(client_row: i64) -> String {
    format!("client_private_key/{client_row}")
}

// Macros, not consts: sqlx takes only literal SQL, which `concat!` can still build from them.
macro_rules! client_columns {
    () => {
        "c.id, c.provider_id, p.name, c.name, c.client_id, c.auth_method, c.redirect_uri, c.scope, c.resource, \
     c.audience, c.extra, c.secret_sealed IS NOT NULL, c.private_key_sealed IS NOT NULL, c.created_ms, c.updated_ms"
    };
}

fn client_from_row(row: &SqliteRow) -> Result<SavedClient> {
    let method: String = row.get(5);
    let auth_method = method
        .parse::<AuthMethod>()
        .map_err(|e| StoreError::InvalidRegistration(format!("a saved client holds an unknown auth method: {e}")))?;
    Ok(SavedClient {
        id: row.get(0),
        provider_id: row.get(1),
        provider: row.get(2),
        registration: ClientRegistration {
            name: row.get(3),
            client_id: row.get(4),
            auth_method,
            redirect_uri: row.get(6),
            scope: row.get(7),
            resource: serde_json::from_str(&row.get::<String, _>(8))?,
            audience: row.get(9),
            extra: serde_json::from_str(&row.get::<String, _>(10))?,
        },
        has_secret: row.get(11),
        has_private_key: row.get(12),
        created_ms: row.get(13),
        updated_ms: row.get(14),
    })
}

fn provider_from_row(row: &SqliteRow) -> Result<Provider> {
    Ok(Provider {
        id: row.get(0),
        name: row.get(1),
        source: serde_json::from_str(&row.get::<String, _>(2))?,
        client_count: row.get(3),
        created_ms: row.get(4),
        updated_ms: row.get(5),
    })
}

macro_rules! provider_select {
    () => {
        "SELECT p.id, p.name, p.source, (SELECT COUNT(*) FROM clients c WHERE c.provider_id = p.id), p.created_ms, p.updated_ms FROM providers p"
    };
}

fn listing(names: &[String]) -> String {
    if names.is_empty() { "none".into() } else { names.join(", ") }
}

impl Store {
    /// Saves a provider under `name`, replacing the source of one already saved under that name
    /// (names compare case-insensitively). Returns its id.
    pub async fn save_provider(&self, name: &str, source: &ProviderSource) -> Result<i64> {
        let name = valid_name("provider", name)?;
        let source = valid_source(source)?;
        let now = inspector_engine::now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO providers (name, source, created_ms, updated_ms) VALUES (?, ?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET name = excluded.name, source = excluded.source, updated_ms = excluded.updated_ms \
             RETURNING id",
        )
        .bind(&name)
        .bind(serde_json::to_string(&source)?)
        .bind(now)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// Every saved provider, by name.
    pub async fn list_providers(&self) -> Result<Vec<Provider>> {
        let rows =
            sqlx::query(concat!(provider_select!(), " ORDER BY p.name COLLATE NOCASE")).fetch_all(&self.pool).await?;
        rows.iter().map(provider_from_row).collect()
    }

    /// One provider by id or name; [`StoreError::ProviderNotFound`] names the saved ones.
    pub async fn provider(&self, provider: impl Into<ProviderRef>) -> Result<Provider> {
        let r = provider.into();
        let row = match &r {
            ProviderRef::Id(id) => {
                sqlx::query(concat!(provider_select!(), " WHERE p.id = ?")).bind(id).fetch_optional(&self.pool).await?
            }
            ProviderRef::Name(n) => {
                sqlx::query(concat!(provider_select!(), " WHERE p.name = ?"))
                    .bind(n.trim())
                    .fetch_optional(&self.pool)
                    .await?
            }
        };
        match row {
            Some(row) => provider_from_row(&row),
            None => {
                let names: Vec<String> = sqlx::query_scalar("SELECT name FROM providers ORDER BY name COLLATE NOCASE")
                    .fetch_all(&self.pool)
                    .await?;
                Err(StoreError::ProviderNotFound(format!(
                    "no saved provider {r} (saved providers: {})",
                    listing(&names)
                )))
            }
        }
    }

    /// Deletes a provider and, with it, every client registration it has (sealed secrets
    /// included; freed pages are zeroed). Returns how many clients went with it.
    pub async fn delete_provider(&self, provider: impl Into<ProviderRef>) -> Result<u64> {
        let p = self.provider(provider).await?;
        let done = sqlx::query("DELETE FROM providers WHERE id = ?").bind(p.id).execute(&self.pool).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::ProviderNotFound(format!("no saved provider {:?}", p.name)));
        }
        Ok(p.client_count as u64)
    }

    /// Saves a client registration at a provider, replacing the one of the same name there
    /// (secrets included: a secret not given is no longer saved). The secret and the private key
    /// are sealed; only whether they exist is ever listed. Returns the client's id.
    pub async fn save_client(
        &self,
        provider: impl Into<ProviderRef>,
        registration: &ClientRegistration,
        secrets: &ClientSecrets,
    ) -> Result<i64> {
        let reg = valid_registration(registration)?;
        if let Some(pem) = &secrets.private_key
            && !pem.expose().contains("-----BEGIN ")
        {
            return Err(invalid(format!(
                "expected the private key of the client {:?} as PEM text (-----BEGIN PRIVATE KEY-----), got no PEM header",
                reg.name
            )));
        }
        let client_secret = secrets.client_secret.as_ref().filter(|s| !s.expose().is_empty());
        let p = self.provider(provider).await?;
        let now = inspector_engine::now_ms();
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO clients (provider_id, name, client_id, auth_method, redirect_uri, scope, resource, audience, extra, created_ms, updated_ms) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (provider_id, name) DO UPDATE SET name = excluded.name, client_id = excluded.client_id, \
               auth_method = excluded.auth_method, redirect_uri = excluded.redirect_uri, scope = excluded.scope, \
               resource = excluded.resource, audience = excluded.audience, extra = excluded.extra, updated_ms = excluded.updated_ms \
             RETURNING id",
        )
        .bind(p.id)
        .bind(&reg.name)
        .bind(&reg.client_id)
        .bind(reg.auth_method.as_str())
        .bind(&reg.redirect_uri)
        .bind(&reg.scope)
        .bind(serde_json::to_string(&reg.resource)?)
        .bind(&reg.audience)
        .bind(serde_json::to_string(&reg.extra)?)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        // Sealed under a purpose naming the row, so a sealed secret cannot pass for another client's.
        sqlx::query("UPDATE clients SET secret_sealed = ?, private_key_sealed = ? WHERE id = ?")
            .bind(client_secret.map(|s| self.sealer.seal(&secret_purpose(id), s.expose().as_bytes())))
            .bind(secrets.private_key.as_ref().map(|k| self.sealer.seal(&key_purpose(id), k.expose().as_bytes())))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The client registrations of a provider, by name; no secrets, only `has_secret` and
    /// `has_private_key`.
    pub async fn list_clients(&self, provider: impl Into<ProviderRef>) -> Result<Vec<SavedClient>> {
        let p = self.provider(provider).await?;
        let rows = sqlx::query(concat!(
            "SELECT ",
            client_columns!(),
            " FROM clients c JOIN providers p ON p.id = c.provider_id WHERE c.provider_id = ? ORDER BY c.name COLLATE NOCASE"
        ))
        .bind(p.id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(client_from_row).collect()
    }

    /// A saved client ready to run a flow: settings and unsealed secrets. `name` `None` picks the
    /// provider's only client (an error names them when there are several, or says there is none).
    pub async fn client(&self, provider: impl Into<ProviderRef>, name: Option<&str>) -> Result<RegisteredClient> {
        let p = self.provider(provider).await?;
        let clients = self.list_clients(p.id).await?;
        let names = || clients.iter().map(|c| c.registration.name.clone()).collect::<Vec<_>>();
        let chosen = match name {
            Some(n) => {
                clients.iter().find(|c| c.registration.name.eq_ignore_ascii_case(n.trim())).ok_or_else(|| {
                    StoreError::ClientNotFound(format!(
                        "no saved client {n:?} at the provider {:?} (its clients: {})",
                        p.name,
                        listing(&names())
                    ))
                })?
            }
            None => match clients.as_slice() {
                [one] => one,
                [] => return Err(StoreError::ClientNotFound(format!("the provider {:?} has no saved client", p.name))),
                _ => {
                    return Err(StoreError::ClientAmbiguous(format!(
                        "the provider {:?} has {} saved clients ({}); name the one to use",
                        p.name,
                        clients.len(),
                        listing(&names())
                    )));
                }
            },
        };
        let client = chosen.clone();
        let row = sqlx::query("SELECT secret_sealed, private_key_sealed FROM clients WHERE id = ?")
            .bind(client.id)
            .fetch_one(&self.pool)
            .await?;
        let open = |purpose: String, blob: Option<Vec<u8>>| -> Result<Option<Secret>> {
            blob.map(|b| {
                let plain = self.sealer.open(&purpose, &b)?;
                String::from_utf8(plain)
                    .map(Secret::new)
                    .map_err(|_| StoreError::Unseal(format!("the {purpose} is not UTF-8 text")))
            })
            .transpose()
        };
        let secrets = ClientSecrets {
            client_secret: open(secret_purpose(client.id), row.get(0))?,
            private_key: open(key_purpose(client.id), row.get(1))?,
        };
        let reg = &client.registration;
        let settings = ClientSettings {
            provider: p.source.clone(),
            client_id: reg.client_id.clone(),
            auth_method: reg.auth_method,
            scope: reg.scope.clone(),
            resource: reg.resource.clone(),
            audience: reg.audience.clone(),
            extra: reg.extra.clone(),
        };
        Ok(RegisteredClient { client, settings, secrets })
    }

    /// Deletes one client registration of a provider (its sealed secrets with it).
    pub async fn delete_client(&self, provider: impl Into<ProviderRef>, name: &str) -> Result<()> {
        let p = self.provider(provider).await?;
        let done = sqlx::query("DELETE FROM clients WHERE provider_id = ? AND name = ?")
            .bind(p.id)
            .bind(name.trim())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            let names: Vec<String> =
                sqlx::query_scalar("SELECT name FROM clients WHERE provider_id = ? ORDER BY name COLLATE NOCASE")
                    .bind(p.id)
                    .fetch_all(&self.pool)
                    .await?;
            return Err(StoreError::ClientNotFound(format!(
                "no saved client {name:?} at the provider {:?} (its clients: {})",
                p.name,
                listing(&names)
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_must_be_visible() {
        assert_eq!(valid_name("provider", "  sandbox ").unwrap(), "sandbox");
        for bad in ["", "   ", "a\nb", &"x".repeat(101)] {
            let e = valid_name("provider", bad).unwrap_err();
            assert_eq!(e.code(), "invalid_name", "{bad:?}: {e}");
        }
    }

    #[test]
    fn sources_need_http_urls_and_at_least_one_endpoint() {
        assert!(valid_source(&ProviderSource::Issuer { issuer: "https://login.example.com".into() }).is_ok());
        assert!(valid_source(&ProviderSource::Issuer { issuer: "login.example.com".into() }).is_err());
        assert!(valid_source(&ProviderSource::Issuer { issuer: "ftp://x".into() }).is_err());
        let none = valid_source(&ProviderSource::Manual { endpoints: Endpoints::default() }).unwrap_err();
        assert_eq!(none.code(), "invalid_registration");
        assert!(none.to_string().contains("at least one endpoint"), "{none}");
        let blank = Endpoints { token_endpoint: Some(" ".into()), ..Default::default() };
        assert!(valid_source(&ProviderSource::Manual { endpoints: blank }).is_err(), "blank counts as absent");
    }
}
