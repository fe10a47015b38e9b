//! The two calls the desktop app makes, with plain deserialisable inputs and serialisable results:
//! `inspect_token` (a token and expectations in, a `Report` out) and `diagnose_text` (raw request
//! and response text in, a `Diagnosis` out). Leaves out Tauri itself (commands deserialise, call
//! one of these, and map `Error` to `{code, message}` with `Error::code`) and any rendering.
//!
//! Empty strings count as absent, since form fields arrive as `""`.

use serde::Deserialize;

use crate::checks::Options;
use crate::diagnose::{DiagnoseOptions, Diagnosis, diagnose};
use crate::error::Error;
use crate::http;
use crate::inspect::{KeySource, Report, inspect};
use crate::jwks::{JwksFetcher, JwksSource};
use crate::secret::Secret;
use crate::times;

/// Where the verification keys come from. The first given of `jwks_json`, `jwks_url`, `issuer`
/// supplies the JWKS; `secret` verifies HS256/384/512 tokens.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct KeyOptions {
    /// A JWK Set (or one JWK) as JSON text, e.g. pasted by the user. Never fetched.
    pub jwks_json: Option<String>,
    /// An http(s) URL of a JWK Set (fetched, cached per Cache-Control, redirects not followed).
    pub jwks_url: Option<String>,
    /// An issuer whose discovery document names the `jwks_uri`; also the expected `iss` when no
    /// expected issuer is given (as `--issuer` in the CLI).
    pub issuer: Option<String>,
    /// A shared secret (raw UTF-8 bytes) for HS* tokens.
    pub secret: Option<Secret>,
}

/// What `token inspect` takes, as one value.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InspectInput {
    pub token: String,
    #[serde(flatten)]
    pub keys: KeyOptions,
    pub expected_issuer: Option<String>,
    /// One match among the token's audiences is enough.
    pub audiences: Vec<String>,
    /// Each required, as whole words (an entry may hold several, space-separated).
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub access_token: Option<Secret>,
    pub code: Option<Secret>,
    pub client_id: Option<String>,
    /// Unix seconds; default the system clock.
    pub now: Option<i64>,
    /// Clock-skew allowance in seconds; default 60.
    pub leeway: Option<u64>,
}

/// What `diagnose` takes besides the request and response text.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DiagnoseInput {
    #[serde(flatten)]
    pub keys: KeyOptions,
    pub expected_issuer: Option<String>,
    pub audiences: Vec<String>,
    /// Unix seconds of the call; default the response's Date header, else the system clock.
    pub now: Option<i64>,
    /// Default 60.
    pub leeway: Option<u64>,
}

fn given(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn given_all(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn http_url(what: &str, s: &str) -> Result<(), Error> {
    let u = url::Url::parse(s).map_err(|e| Error::Usage(format!("{what} {s:?} is not a URL: {e}")))?;
    if matches!(u.scheme(), "http" | "https") {
        Ok(())
    } else {
        Err(Error::Usage(format!("{what} {s:?} is not an http(s) URL")))
    }
}

/// The `KeySource` these options describe. Build it once and call `inspect` directly to keep an
/// inline JWKS parsed (and its keys built) across many tokens.
pub fn key_source(k: &KeyOptions) -> Result<KeySource, Error> {
    let jwks = if let Some(text) = given(&k.jwks_json) {
        Some(JwksSource::inline_json(&text)?)
    } else if let Some(u) = given(&k.jwks_url) {
        http_url("the JWKS URL", &u)?;
        Some(JwksSource::Url(u))
    } else if let Some(i) = given(&k.issuer) {
        http_url("the issuer", &i)?;
        Some(JwksSource::Issuer(i))
    } else {
        None
    };
    Ok(KeySource { jwks, secret: k.secret.clone().filter(|s| !s.is_empty()) })
}

/// Inspects a token as `oauth-inspector token inspect --json` does and returns the same report.
/// Errors: `usage` (empty token, bad URL), `jwks` (the JWKS text is not a key set); keys that
/// cannot be fetched do not error, they make the signature check `skip` and say why.
pub async fn inspect_token(input: &InspectInput, fetcher: &JwksFetcher) -> Result<Report, Error> {
    // Untrimmed: `inspect` names surrounding whitespace (and quotes, `Bearer `) as paste mistakes.
    let token = input.token.as_str();
    if token.trim().is_empty() {
        return Err(Error::Usage("the token is empty".into()));
    }
    let keys = key_source(&input.keys)?;
    let opts = Options {
        expected_issuer: given(&input.expected_issuer).or_else(|| given(&input.keys.issuer)),
        audiences: given_all(&input.audiences),
        scopes: given_all(&input.scopes),
        nonce: given(&input.nonce),
        access_token: input.access_token.clone().filter(|s| !s.is_empty()),
        code: input.code.clone().filter(|s| !s.is_empty()),
        client_id: given(&input.client_id),
        now: input.now.unwrap_or_else(times::now),
        leeway: input.leeway.unwrap_or(60),
    };
    inspect(token, &keys, &opts, fetcher).await
}

/// Diagnoses a failing call from the raw request (HTTP/1.1 text or a curl command) and the raw
/// response (HTTP/1.1 text, `curl -i` output), as `oauth-inspector diagnose --json` does.
/// Errors: `http_parse` when either text is not an HTTP message, `usage`/`jwks` as `inspect_token`.
pub async fn diagnose_text(
    request: &str,
    response: &str,
    input: &DiagnoseInput,
    fetcher: &JwksFetcher,
) -> Result<Diagnosis, Error> {
    let req = http::parse_request(request)?;
    let resp = http::parse_response(response)?;
    let opts = DiagnoseOptions {
        keys: key_source(&input.keys)?,
        expected_issuer: given(&input.expected_issuer).or_else(|| given(&input.keys.issuer)),
        audiences: given_all(&input.audiences),
        now: input.now,
        leeway: input.leeway.unwrap_or(60),
    };
    diagnose(&req, &resp, &opts, fetcher).await
}
