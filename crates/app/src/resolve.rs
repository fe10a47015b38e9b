//! From a request to what a run needs: the client's settings and secrets, the login settings and
//! the token of a token operation — filled from the request, then the saved client registration,
//! then the saved session, in that order. Saved secrets go only to the provider they belong to.

use inspector_engine::Secret;
use inspector_engine::client_auth::AuthMethod;
use inspector_engine::discovery::{Endpoints, ProviderSource};
use inspector_engine::flows::auth_code::AuthCodeSettings;
use inspector_engine::flows::common::{ClientSecrets, ClientSettings};
use inspector_engine::pkce::PkceMethod;
use inspector_store::{RegisteredClient, SessionRecord, Store, View};

use crate::error::AppError;
use crate::request::{Operation, RunRequest};

/// A request resolved: everything a run needs, nothing left to look up.
pub struct Resolved {
    pub operation: Operation,
    pub settings: ClientSettings,
    pub secrets: ClientSecrets,
    /// Authorization code only.
    pub auth: Option<AuthCodeSettings>,
    /// Token operations only.
    pub token: Option<Secret>,
}

fn usage(msg: impl Into<String>) -> AppError {
    AppError::usage("invalid_input", msg)
}

/// The saved session's settings as an authorization-code run saved them (a superset of a client's).
fn session_auth(saved: Option<&SessionRecord>) -> Option<AuthCodeSettings> {
    saved.and_then(|s| serde_json::from_value(s.settings.clone()).ok())
}

pub async fn resolve(store: Option<&Store>, req: &RunRequest) -> Result<Resolved, AppError> {
    let registered = match &req.provider {
        Some(p) => {
            let store = store.ok_or_else(|| usage("a saved provider needs the session database"))?;
            Some(store.client(p.as_str(), req.client.as_deref()).await?)
        }
        None if req.client.is_some() => return Err(usage("a saved client needs its provider (provider NAME)")),
        None => None,
    };
    let saved = match req.session {
        Some(id) => {
            let store = store.ok_or_else(|| usage("a saved session needs the session database"))?;
            Some(store.require(id, View::Full).await?)
        }
        None => None,
    };
    let from_session: Option<ClientSettings> =
        saved.as_ref().and_then(|s| serde_json::from_value(s.settings.clone()).ok());
    let (settings, secrets) = client(req, registered.as_ref(), from_session.as_ref(), saved.as_ref())?;
    let auth = (req.operation == Operation::AuthorizationCode).then(|| {
        let prior = session_auth(saved.as_ref());
        AuthCodeSettings {
            redirect_uri: req
                .redirect_uri
                .clone()
                .filter(|r| !r.trim().is_empty())
                .or_else(|| registered.as_ref().and_then(|r| r.redirect_uri().map(String::from)))
                .or_else(|| prior.as_ref().and_then(|p| p.redirect_uri.clone())),
            pkce: req.pkce.or(prior.as_ref().map(|p| p.pkce)).unwrap_or(PkceMethod::S256),
            login_timeout_secs: req.login_timeout_secs.unwrap_or(300),
            client: settings.clone(),
        }
    });
    let token = if req.operation.takes_token() { Some(token(req, saved.as_ref())?) } else { None };
    Ok(Resolved { operation: req.operation, settings, secrets, auth, token })
}

fn token(req: &RunRequest, saved: Option<&SessionRecord>) -> Result<Secret, AppError> {
    let wants_refresh = req.operation == Operation::Refresh || req.token_type_hint.as_deref() == Some("refresh_token");
    if let Some(t) = &req.token {
        return Ok(t.clone());
    }
    let tokens = saved.and_then(|s| s.tokens.as_ref());
    let found = if wants_refresh {
        tokens.and_then(|t| t.refresh_token.clone())
    } else {
        tokens.map(|t| t.access_token.clone())
    };
    found.map(Secret::new).ok_or_else(|| {
        let what = if wants_refresh { "refresh token" } else { "token" };
        match saved {
            Some(s) => AppError::failed("no_tokens", format!("session {} holds no {what}", s.summary.id)),
            None => usage(format!("expected a token, or a saved session holding a {what}")),
        }
    })
}

/// Settings and secrets: the request's, falling back on the registration (which fills every field
/// not given), else the saved session's.
fn client(
    req: &RunRequest,
    registered: Option<&RegisteredClient>,
    from_session: Option<&ClientSettings>,
    saved: Option<&SessionRecord>,
) -> Result<(ClientSettings, ClientSecrets), AppError> {
    let prior = registered.map(|r| &r.settings).or(from_session);
    let manual = req.endpoints.clone();
    let issuer = req.issuer.clone().filter(|i| !i.trim().is_empty());
    let provider = match (issuer, manual != Endpoints::default(), prior) {
        (Some(_), true, _) => return Err(usage("give either an issuer or endpoints (token URL, …), not both")),
        (Some(issuer), false, _) => ProviderSource::Issuer { issuer: issuer.trim().to_string() },
        (None, true, _) => ProviderSource::Manual { endpoints: manual },
        (None, false, Some(s)) => s.provider.clone(),
        (None, false, None) => {
            return Err(usage("expected an issuer URL (or endpoints such as a token URL, or a saved provider)"));
        }
    };
    let client_id = req
        .client_id
        .clone()
        .filter(|c| !c.trim().is_empty())
        .or_else(|| prior.map(|s| s.client_id.clone()))
        .ok_or_else(|| usage("expected a client id"))?;
    let typed_secret = req.client_secret.clone().filter(|s| !s.expose().is_empty());
    let derived = match (&typed_secret, &req.private_key) {
        (_, Some(_)) => AuthMethod::PrivateKeyJwt,
        (Some(_), None) => AuthMethod::ClientSecretBasic,
        (None, None) => prior.map_or(AuthMethod::None, |s| s.auth_method),
    };
    // A registration's method stays unless the secret or key given calls for another kind.
    let auth_method = req.auth_method.unwrap_or(match registered.map(|r| r.settings.auth_method) {
        Some(AuthMethod::PrivateKeyJwt) if req.private_key.is_some() => AuthMethod::PrivateKeyJwt,
        Some(_) if req.private_key.is_some() => derived,
        Some(m @ (AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost | AuthMethod::ClientSecretJwt))
            if typed_secret.is_some() =>
        {
            m
        }
        Some(_) if typed_secret.is_some() => derived,
        Some(m) => m,
        None => derived,
    });
    let or_prior = |mine: &Option<String>, theirs: fn(&ClientSettings) -> Option<String>| {
        mine.clone().filter(|s| !s.trim().is_empty()).or_else(|| prior.and_then(theirs))
    };
    let settings = ClientSettings {
        scope: or_prior(&req.scope, |s| s.scope.clone()),
        resource: if req.resource.is_empty() {
            prior.map(|s| s.resource.clone()).unwrap_or_default()
        } else {
            req.resource.clone()
        },
        audience: or_prior(&req.audience, |s| s.audience.clone()),
        extra: if req.params.is_empty() {
            prior.map(|s| s.extra.clone()).unwrap_or_default()
        } else {
            req.params.clone()
        },
        provider,
        client_id,
        auth_method,
    };
    let mut secrets = ClientSecrets { client_secret: typed_secret, private_key: req.private_key.clone() };
    if let Some(r) = registered {
        let needs_saved = (secrets.client_secret.is_none() && r.secrets.client_secret.is_some())
            || (secrets.private_key.is_none() && r.secrets.private_key.is_some());
        if needs_saved {
            // A saved secret goes only to the provider it was saved for, whatever issuer is given.
            let saved = r.secrets_for(&settings.provider)?;
            secrets.client_secret = secrets.client_secret.or(saved.client_secret);
            secrets.private_key = secrets.private_key.or(saved.private_key);
        }
    } else if let (None, Some(s)) = (&secrets.client_secret, saved) {
        // A re-run reuses the secret the session sent — for the provider it ran against only.
        if let Some(sent) = sent_secret(s) {
            let ran_against = from_session.map(|f| &f.provider).ok_or_else(|| {
                AppError::failed("store_bad_json", format!("session {} names no provider", s.summary.id))
            })?;
            inspector_store::secret_goes_to(ran_against, &settings.provider, &format!("session {}", s.summary.id))?;
            secrets.client_secret = Some(Secret::new(sent));
        }
    }
    Ok((settings, secrets))
}

/// The client secret a saved run sent, from the sealed copy of its steps.
fn sent_secret(full: &SessionRecord) -> Option<String> {
    full.steps.iter().flat_map(|st| st.secrets.iter()).find(|m| m.label == "client_secret").map(|m| m.value.clone())
}
