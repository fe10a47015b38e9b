//! JSON Web Key Sets (RFC 7517 §5): parsing, loading from a file, a URL or an issuer's discovery
//! document (OIDC Discovery §4), an in-memory cache honouring Cache-Control (RFC 9111 §5.2), and
//! one refetch on an unknown kid for key rotation. Leaves out keys named by the token itself
//! (jku, x5u, x5c, jwk): those are never fetched or trusted, so nothing here reads a token header.
//! Redirects are not followed (each hop is something the user should see), private key members and
//! symmetric (`oct`) key material are never kept.

use inspector_engine::http::HttpClient;
use inspector_engine::{ErrorCode, FlowError, Recorder, Step, WeakRecorder};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;

/// The public members of a JWK we use; anything else (including `d`, `k`) is dropped on parse.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Jwk {
    pub kty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, rename = "use", skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// Verification keys built from this JWK on first use, one per algorithm (see `signature`).
    /// Do not change the members above after the JWK has verified something.
    #[serde(skip)]
    pub(crate) verifiers: crate::signature::Verifiers,
}

impl Jwk {
    pub fn describe(&self) -> String {
        let kid = self.kid.as_deref().map(|k| format!("kid {k:?}")).unwrap_or_else(|| "no kid".into());
        match &self.crv {
            Some(c) => format!("{} {c} key, {kid}", self.kty),
            None => format!("{} key, {kid}", self.kty),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JwkSet {
    pub keys: Vec<Jwk>,
    /// Entries that were not usable JWKs (wrong member types, no kty).
    pub skipped: usize,
}

/// Parses `{"keys": [...]}` or a single JWK object.
pub fn parse_jwks(bytes: &[u8]) -> Result<JwkSet, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let entries = match &v {
        Value::Object(m) if m.get("keys").is_some() => match &m["keys"] {
            Value::Array(a) => a.clone(),
            _ => return Err("`keys` is not an array".into()),
        },
        Value::Object(m) if m.contains_key("kty") => vec![v.clone()],
        _ => return Err("expected an object with a `keys` array (RFC 7517 §5)".into()),
    };
    let mut set = JwkSet::default();
    for e in entries {
        match serde_json::from_value::<Jwk>(e) {
            Ok(k) => set.keys.push(k),
            Err(_) => set.skipped += 1,
        }
    }
    Ok(set)
}

/// Where the verification keys come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JwksSource {
    File(PathBuf),
    Url(String),
    /// An issuer whose discovery document names the `jwks_uri`.
    Issuer(String),
    /// A key set already in memory (pasted by the user, or kept by the caller): never fetched,
    /// and its keys stay parsed between calls.
    Inline(Arc<JwkSet>),
}

/// How an inline key set is named in messages.
pub const INLINE_ORIGIN: &str = "the JWKS given";

impl JwksSource {
    /// An inline source from JWKS text (`{"keys": [...]}` or one JWK).
    pub fn inline_json(text: &str) -> Result<JwksSource, Error> {
        let set = parse_jwks(text.as_bytes()).map_err(|reason| Error::Jwks { origin: INLINE_ORIGIN.into(), reason })?;
        Ok(JwksSource::Inline(Arc::new(set)))
    }

    /// `--jwks FILE|URL`: http(s) URLs are fetched, anything else is a file path.
    pub fn from_arg(s: &str) -> JwksSource {
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            JwksSource::Url(s.to_string())
        } else {
            JwksSource::File(PathBuf::from(s))
        }
    }
}

struct Entry<T> {
    value: T,
    fetched: Instant,
    /// `None`: not reusable (no-store / no-cache / max-age=0).
    fresh_until: Option<Instant>,
}

/// Fetches key sets and discovery documents, and caches them as their Cache-Control allows.
/// Shared by the CLI (one process, one token) and the desktop app (many tokens).
pub struct JwksFetcher {
    /// The engine's recording client: the same sender as every flow request.
    client: HttpClient,
    jwks: Mutex<HashMap<String, Entry<Arc<JwkSet>>>>,
    discovery: Mutex<HashMap<String, Entry<String>>>,
    /// Freshness when a response has no Cache-Control max-age (default 5 min).
    pub default_ttl: Duration,
    /// Minimum time between two fetches of one URL caused by unknown kids (default 30 s).
    pub refetch_cooldown: Duration,
    fetch_count: std::sync::atomic::AtomicUsize,
    timeout: Duration,
}

impl Default for JwksFetcher {
    fn default() -> Self {
        Self::new()
    }
}

/// A key set and how it was obtained.
#[derive(Clone, Debug)]
pub struct Fetched {
    pub set: Arc<JwkSet>,
    /// Where it came from (file path or URL).
    pub origin: String,
    /// True when this call went to the network (not served from cache).
    pub fresh: bool,
}

/// The most of a JWKS or discovery body read: real key sets are a few KiB, and a server that sends
/// more (a wrong URL, an endless stream) must not fill memory or hold the inspection up.
pub const MAX_BODY: usize = 1 << 20;

impl JwksFetcher {
    pub fn new() -> Self {
        Self::with_timeout(Duration::from_secs(10))
    }

    /// A fetcher whose every request (connect, send, read the body) gives up after `timeout`.
    pub fn with_timeout(timeout: Duration) -> Self {
        let client = HttpClient::new(timeout).with_body_limit(MAX_BODY);
        JwksFetcher {
            client,
            jwks: Mutex::new(HashMap::new()),
            discovery: Mutex::new(HashMap::new()),
            default_ttl: Duration::from_secs(300),
            refetch_cooldown: Duration::from_secs(30),
            fetch_count: Default::default(),
            timeout,
        }
    }

    /// How long one request may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Network fetches made so far (for reports and tests).
    pub fn fetch_count(&self) -> usize {
        self.fetch_count.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The key set for `source`, from cache when fresh.
    pub async fn load(&self, source: &JwksSource) -> Result<Fetched, Error> {
        match source {
            JwksSource::File(p) => {
                let bytes = std::fs::read(p).map_err(|e| Error::Read { what: p.display().to_string(), source: e })?;
                let set =
                    parse_jwks(&bytes).map_err(|reason| Error::Jwks { origin: p.display().to_string(), reason })?;
                Ok(Fetched { set: Arc::new(set), origin: p.display().to_string(), fresh: true })
            }
            JwksSource::Url(u) => self.jwks_url(u, false).await,
            JwksSource::Issuer(iss) => {
                let uri = self.jwks_uri(iss).await?;
                self.jwks_url(&uri, false).await
            }
            JwksSource::Inline(set) => Ok(Fetched { set: set.clone(), origin: INLINE_ORIGIN.into(), fresh: true }),
        }
    }

    /// Fetches `origin` again for an unknown kid, unless it was fetched within the cooldown.
    /// `None` when no refetch happened (a file, or too soon).
    pub async fn refetch(&self, source: &JwksSource, origin: &str) -> Option<Result<Fetched, Error>> {
        if matches!(source, JwksSource::File(_) | JwksSource::Inline(_)) {
            return None;
        }
        let recent = {
            let cache = self.jwks.lock().ok()?;
            cache.get(origin).is_some_and(|e| e.fetched.elapsed() < self.refetch_cooldown)
        };
        if recent {
            return None;
        }
        Some(self.jwks_url(origin, true).await)
    }

    async fn jwks_url(&self, url: &str, force: bool) -> Result<Fetched, Error> {
        if !force
            && let Ok(cache) = self.jwks.lock()
            && let Some(e) = cache.get(url)
            && e.fresh_until.is_some_and(|t| Instant::now() < t)
        {
            return Ok(Fetched { set: e.value.clone(), origin: url.to_string(), fresh: false });
        }
        let (bytes, ttl, content_type) = self.get("Keys for the token checks (JWKS)", url).await?;
        let set = Arc::new(parse_jwks(&bytes).map_err(|reason| Error::Jwks {
            origin: url.to_string(),
            reason: format!("{reason}; got {}", describe_body(&content_type, &bytes)),
        })?);
        let now = Instant::now();
        if let Ok(mut cache) = self.jwks.lock() {
            cache
                .insert(url.to_string(), Entry { value: set.clone(), fetched: now, fresh_until: ttl.map(|t| now + t) });
        }
        Ok(Fetched { set, origin: url.to_string(), fresh: true })
    }

    /// The issuer's `jwks_uri`, from `{issuer}/.well-known/openid-configuration`.
    pub async fn jwks_uri(&self, issuer: &str) -> Result<String, Error> {
        let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
        if let Ok(cache) = self.discovery.lock()
            && let Some(e) = cache.get(&url)
            && e.fresh_until.is_some_and(|t| Instant::now() < t)
        {
            return Ok(e.value.clone());
        }
        let (bytes, ttl, content_type) = self.get("Discovery for the token checks", &url).await?;
        let doc: Value = serde_json::from_slice(&bytes).map_err(|e| Error::Fetch {
            url: url.clone(),
            reason: format!("discovery document is not JSON ({e}); got {}", describe_body(&content_type, &bytes)),
        })?;
        let uri = doc
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::Fetch { url: url.clone(), reason: "discovery document has no jwks_uri".into() })?
            .to_string();
        let now = Instant::now();
        if let Ok(mut cache) = self.discovery.lock() {
            cache.insert(url, Entry { value: uri.clone(), fetched: now, fresh_until: ttl.map(|t| now + t) });
        }
        Ok(uri)
    }

    /// GET `url` through the recording client; the body, how long it may be reused, and its
    /// Content-Type. Inside [`recording`], the exchange is also a step of that flow (`title`).
    async fn get(&self, title: &str, url: &str) -> Result<(Vec<u8>, Option<Duration>, String), Error> {
        let fail = |reason: String| Error::Fetch { url: url.to_string(), reason };
        let parsed = url::Url::parse(url).map_err(|e| fail(format!("not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(fail("only http and https URLs are fetched".into()));
        }
        self.fetch_count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut req = HttpClient::get(url);
        for (k, v) in req.headers.iter_mut() {
            if k == "accept" {
                *v = "application/json, application/jwk-set+json".into();
            }
        }
        let flow = RECORDER.try_with(|w| w.upgrade()).ok().flatten();
        let unrecorded = Recorder::new();
        let ex = self.client.send(flow.as_ref().unwrap_or(&unrecorded), req, &mut Vec::new()).await;
        let result = self.judge(&ex, &fail);
        if let Some(rec) = &flow {
            let err = result.as_ref().err().map(|e| FlowError::new(ErrorCode::UnexpectedStatus, e.to_string()));
            rec.push(Step::http(format!("{title}: GET {url}"), &ex, vec![], err.as_ref().map_or(Ok(()), Err)));
        }
        result
    }

    fn judge(
        &self,
        ex: &inspector_engine::http::Exchange,
        fail: &dyn Fn(String) -> Error,
    ) -> Result<(Vec<u8>, Option<Duration>, String), Error> {
        let resp = ex.response.as_ref().map_err(|e| {
            fail(match e.code {
                ErrorCode::Timeout => {
                    format!("timed out: no complete answer within {:.1} s", self.timeout.as_secs_f64())
                }
                // "GET <url>: <what happened>": the URL is in the error already.
                _ => e.message.split_once(": ").map_or(e.message.clone(), |(_, rest)| rest.to_string()),
            })
        })?;
        if (300..400).contains(&resp.status) {
            let to = resp.header("location").unwrap_or("?");
            return Err(fail(format!("HTTP {}, redirected to {to} (not followed; pass that URL)", resp.status)));
        }
        if !(200..300).contains(&resp.status) {
            return Err(fail(format!("HTTP {}", resp.status)));
        }
        let ttl = cache_ttl(
            resp.headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("cache-control")).map(|(_, v)| v.as_str()),
            resp.header("age"),
            self.default_ttl,
        );
        let content_type = resp.content_type().unwrap_or("no Content-Type").to_string();
        Ok((resp.body.clone().into_bytes(), ttl, content_type))
    }
}

tokio::task_local! {
    /// The flow that fetches made for its checks belong to (see [`recording`]).
    static RECORDER: WeakRecorder;
}

/// Runs `fut` with every JWKS and discovery fetch it makes published as a step of `rec`'s flow,
/// so the keys a check used are in the session like every other exchange.
pub async fn recording<F: std::future::Future>(rec: WeakRecorder, fut: F) -> F::Output {
    RECORDER.scope(rec, fut).await
}

/// "text/html, 1234 bytes starting \"<!doctype html>…\"": what came instead of JSON.
pub fn describe_body(content_type: &str, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    let start: String = text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(60).collect();
    format!("{content_type}, {} bytes starting {start:?}", body.len())
}

/// How long a response may be reused (RFC 9111 §5.2.2): `None` for no-store, no-cache or
/// max-age=0; max-age minus Age; `default` when there is no max-age.
pub fn cache_ttl<'a>(
    cache_control: impl Iterator<Item = &'a str>,
    age: Option<&str>,
    default: Duration,
) -> Option<Duration> {
    let mut max_age: Option<u64> = None;
    for header in cache_control {
        for directive in header.split(',') {
            let d = directive.trim().to_ascii_lowercase();
            if d == "no-store" || d == "no-cache" {
                return None;
            }
            if let Some(v) = d.strip_prefix("max-age=") {
                max_age = Some(v.trim_matches('"').parse().unwrap_or(0));
            }
        }
    }
    let age: u64 = age.and_then(|a| a.trim().parse().ok()).unwrap_or(0);
    match max_age {
        Some(m) if m <= age => None,
        Some(m) => Some(Duration::from_secs((m - age).min(86_400))),
        None => Some(default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_rules() {
        let d = Duration::from_secs(300);
        assert_eq!(cache_ttl(["public, max-age=60"].into_iter(), None, d), Some(Duration::from_secs(60)));
        assert_eq!(cache_ttl(["max-age=60"].into_iter(), Some("50"), d), Some(Duration::from_secs(10)));
        assert_eq!(cache_ttl(["max-age=60", "no-store"].into_iter(), None, d), None);
        assert_eq!(cache_ttl(["no-cache"].into_iter(), None, d), None);
        assert_eq!(cache_ttl(["max-age=0"].into_iter(), None, d), None);
        assert_eq!(cache_ttl(std::iter::empty(), None, d), Some(d));
    }

    #[test]
    fn parse_sets_and_drop_private_members() {
        let set = parse_jwks(br#"{"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB","d":"secret"},{"kid":5},{"kty":"EC","crv":"P-256"}]}"#).unwrap();
        assert_eq!(set.keys.len(), 2);
        assert_eq!(set.skipped, 1);
        assert!(!serde_json::to_string(&set.keys[0]).unwrap().contains("secret"));
        assert_eq!(parse_jwks(br#"{"kty":"OKP","crv":"Ed25519","x":"AA"}"#).unwrap().keys.len(), 1);
        assert!(parse_jwks(b"[]").is_err());
        assert!(parse_jwks(br#"{"keys":{}}"#).is_err());
    }

    #[test]
    fn source_from_arg() {
        assert_eq!(JwksSource::from_arg("HTTPS://x/jwks"), JwksSource::Url("HTTPS://x/jwks".into()));
        assert_eq!(JwksSource::from_arg("keys.json"), JwksSource::File("keys.json".into()));
    }
}
