//! Tokens as a front may show them without holding them: a summary of a token set (which tokens
//! exist, their type, lifetime and scope, each JWT decoded and checked) and, only when the user
//! asks, one saved token or the report on it. A window gets summaries; a raw token reaches it
//! only through `Core::session_token`, called for a "Reveal" or "Copy".

use inspector_engine::TokenSet;
use inspector_engine::discovery::ProviderSource;
use inspector_engine::flows::common::ClientSettings;
use inspector_store::View;
use inspector_token::api::{InspectInput, KeyOptions};
use inspector_token::{Format, JwksFetcher, Report};
use serde::{Deserialize, Serialize};

use crate::{AppError, Core};

/// Which token of a token set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    AccessToken,
    RefreshToken,
    IdToken,
}

impl TokenKind {
    pub const ALL: [TokenKind; 3] = [TokenKind::AccessToken, TokenKind::RefreshToken, TokenKind::IdToken];

    pub fn name(self) -> &'static str {
        match self {
            TokenKind::AccessToken => "access_token",
            TokenKind::RefreshToken => "refresh_token",
            TokenKind::IdToken => "id_token",
        }
    }

    /// `access_token`, `refresh_token` or `id_token`; anything else is a usage error naming them.
    pub fn from_name(name: &str) -> Result<Self, AppError> {
        Self::ALL.into_iter().find(|k| k.name() == name).ok_or_else(|| {
            AppError::usage(
                "invalid_input",
                format!("expected which token: access_token, refresh_token or id_token, got {name:?}"),
            )
        })
    }

    fn of(self, set: &TokenSet) -> Option<&str> {
        match self {
            TokenKind::AccessToken => Some(set.access_token.as_str()),
            TokenKind::RefreshToken => set.refresh_token.as_deref(),
            TokenKind::IdToken => set.id_token.as_deref(),
        }
    }
}

/// What a token is checked against: the run's provider (its keys) and client (an ID token's `aud`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenContext {
    pub issuer: Option<String>,
    pub jwks_uri: Option<String>,
    pub client_id: Option<String>,
}

impl TokenContext {
    pub fn of(settings: &ClientSettings) -> Self {
        let (issuer, jwks_uri) = match &settings.provider {
            ProviderSource::Issuer { issuer } => (Some(issuer.clone()), None),
            ProviderSource::Manual { endpoints } => (endpoints.issuer.clone(), endpoints.jwks_uri.clone()),
        };
        Self { issuer, jwks_uri, client_id: Some(settings.client_id.clone()) }
    }

    fn keys(&self) -> KeyOptions {
        KeyOptions { issuer: self.issuer.clone(), jwks_url: self.jwks_uri.clone(), ..Default::default() }
    }
}

/// One token of a set, as a window may see it: never its value.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct TokenEntry {
    pub which: TokenKind,
    pub format: Format,
    /// JWT and JWE only: decoded header and claims and the ordered checks (see [`shown`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
}

/// A token set without its values.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct TokenSummary {
    pub token_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The tokens the set holds, access token first.
    pub tokens: Vec<TokenEntry>,
}

/// A report as it may leave the core: the signature's bytes are dropped, since with the decoded
/// header and claims they are enough to put the token back together.
pub fn shown(mut report: Report) -> Report {
    report.signature = None;
    report
}

fn input(token: &str, which: TokenKind, set: Option<&TokenSet>, ctx: &TokenContext) -> InspectInput {
    let mut input = InspectInput { token: token.to_string(), keys: ctx.keys(), ..Default::default() };
    if which == TokenKind::IdToken {
        // An ID token is for the client, and its at_hash binds it to the access token issued with it.
        input.client_id = ctx.client_id.clone();
        input.access_token = set.map(|s| inspector_token::Secret::new(s.access_token.as_bytes().to_vec()));
    }
    input
}

/// The summary of `set`: each token's format and, for a JWT or JWE, its inspection against the
/// run's provider. A token whose inspection errors (keys that cannot be read) is still listed.
pub async fn summary(set: &TokenSet, ctx: &TokenContext, fetcher: &JwksFetcher) -> TokenSummary {
    let mut tokens = Vec::new();
    for which in TokenKind::ALL {
        let Some(token) = which.of(set) else { continue };
        let format = inspector_token::decode(token).format;
        let report = if matches!(format, Format::Jwt | Format::Jwe) {
            inspector_token::api::inspect_token(&input(token, which, Some(set), ctx), fetcher).await.ok().map(shown)
        } else {
            None
        };
        tokens.push(TokenEntry { which, format, report });
    }
    TokenSummary { token_type: set.token_type.clone(), expires_in: set.expires_in, scope: set.scope.clone(), tokens }
}

pub(crate) fn token_error(e: inspector_token::Error) -> AppError {
    let usage = matches!(e, inspector_token::Error::Usage(_));
    AppError { code: e.code().into(), message: e.to_string(), usage }
}

fn store_needed() -> AppError {
    AppError::usage("invalid_input", "a saved session's token needs the session database")
}

impl Core {
    /// The provider and client a saved session ran with, to check its tokens against.
    pub async fn token_context(&self, session: i64) -> Result<TokenContext, AppError> {
        let store = self.store().ok_or_else(store_needed)?;
        let saved = store.require(session, View::Redacted).await?;
        let settings: ClientSettings = serde_json::from_value(saved.settings).map_err(|e| {
            AppError::failed("store_bad_json", format!("session {session} has no client settings: {e}"))
        })?;
        Ok(TokenContext::of(&settings))
    }

    async fn saved_tokens(&self, session: i64) -> Result<TokenSet, AppError> {
        let store = self.store().ok_or_else(store_needed)?;
        store
            .require(session, View::Full)
            .await?
            .tokens
            .ok_or_else(|| AppError::failed("no_tokens", format!("session {session} obtained no tokens")))
    }

    /// One saved token in the clear, for the one moment a user asked to see or copy it.
    pub async fn session_token(&self, session: i64, which: TokenKind) -> Result<inspector_engine::Secret, AppError> {
        let set = self.saved_tokens(session).await?;
        which
            .of(&set)
            .map(inspector_engine::Secret::new)
            .ok_or_else(|| AppError::failed("no_tokens", format!("session {session} has no {}", which.name())))
    }

    /// The summary of a saved session's tokens, checked against the provider it ran with.
    pub async fn session_token_summary(&self, session: i64, fetcher: &JwksFetcher) -> Result<TokenSummary, AppError> {
        let set = self.saved_tokens(session).await?;
        Ok(summary(&set, &self.token_context(session).await?, fetcher).await)
    }

    /// Inspects a saved session's token in the core: `expect` gives the expectations (its `token`
    /// is ignored); keys, client id and access token not given come from the session.
    pub async fn inspect_session_token(
        &self,
        session: i64,
        which: TokenKind,
        expect: InspectInput,
        fetcher: &JwksFetcher,
    ) -> Result<Report, AppError> {
        let set = self.saved_tokens(session).await?;
        let token = which
            .of(&set)
            .ok_or_else(|| AppError::failed("no_tokens", format!("session {session} has no {}", which.name())))?;
        let ctx = self.token_context(session).await?;
        let from_session = input(token, which, Some(&set), &ctx);
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        let mut input = InspectInput { token: token.to_string(), ..expect };
        if blank(&input.keys.issuer) && blank(&input.keys.jwks_url) && blank(&input.keys.jwks_json) {
            input.keys.issuer = from_session.keys.issuer;
            input.keys.jwks_url = from_session.keys.jwks_url;
        }
        if blank(&input.client_id) {
            input.client_id = from_session.client_id;
        }
        if input.access_token.as_ref().is_none_or(|a| a.is_empty()) {
            input.access_token = from_session.access_token;
        }
        inspector_token::api::inspect_token(&input, fetcher).await.map(shown).map_err(token_error)
    }
}
