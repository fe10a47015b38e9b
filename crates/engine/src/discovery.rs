//! Finding a provider's endpoints: OpenID Connect Discovery 1.0 (`/.well-known/openid-configuration`)
//! first, then RFC 8414 (`/.well-known/oauth-authorization-server`), or endpoints entered by hand.
//! Every request, redirect and check is a step.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, FlowError};
use crate::event::Recorder;
use crate::http::{HttpClient, describe, json_object};
use crate::step::{HttpResponse, StepStatus};

const MAX_REDIRECTS: usize = 10;

/// The endpoints a flow needs; each optional because providers publish different subsets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Endpoints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// RFC 9207: the server puts `iss` in authorization responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_response_iss_parameter_supported: Option<bool>,
}

/// Where a flow gets its endpoints from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum ProviderSource {
    Issuer { issuer: String },
    Manual { endpoints: Endpoints },
}

impl ProviderSource {
    /// How the provider is named in lists: its issuer, or the first endpoint given by hand.
    pub fn label(&self) -> String {
        match self {
            ProviderSource::Issuer { issuer } => issuer.clone(),
            ProviderSource::Manual { endpoints } => endpoints
                .issuer
                .clone()
                .or_else(|| endpoints.token_endpoint.clone())
                .or_else(|| endpoints.authorization_endpoint.clone())
                .or_else(|| endpoints.device_authorization_endpoint.clone())
                .unwrap_or_else(|| "(no endpoints)".into()),
        }
    }
}

impl Endpoints {
    /// Like [`Endpoints::require`], recording a failed step when the endpoint is missing.
    pub fn require_step(&self, rec: &Recorder, name: &str) -> Result<&str, FlowError> {
        self.require(name).inspect_err(|e| {
            rec.local_failed(
                format!("No {name} for this provider"),
                e,
                serde_json::json!({"expected": name, "actual": "absent"}),
            )
        })
    }

    /// The endpoint or an error saying which document lacked it.
    pub fn require(&self, name: &str) -> Result<&str, FlowError> {
        let v = match name {
            "authorization_endpoint" => &self.authorization_endpoint,
            "token_endpoint" => &self.token_endpoint,
            "device_authorization_endpoint" => &self.device_authorization_endpoint,
            "userinfo_endpoint" => &self.userinfo_endpoint,
            "revocation_endpoint" => &self.revocation_endpoint,
            "introspection_endpoint" => &self.introspection_endpoint,
            "jwks_uri" => &self.jwks_uri,
            _ => &None,
        };
        v.as_deref().ok_or_else(|| {
            let from = match &self.issuer {
                Some(i) => format!("the provider metadata of {i}"),
                None => "the endpoints given".to_string(),
            };
            FlowError::new(ErrorCode::MissingField, format!("expected \"{name}\" in {from}, it is absent"))
        })
    }
}

pub async fn resolve(http: &HttpClient, rec: &Recorder, source: &ProviderSource) -> Result<Endpoints, FlowError> {
    match source {
        ProviderSource::Issuer { issuer } => discover(http, rec, issuer).await,
        ProviderSource::Manual { endpoints } => Ok(endpoints.clone()),
    }
}

/// The two well-known URLs for an issuer, in the order they are tried.
pub fn well_known_urls(issuer: &str) -> Result<[String; 2], FlowError> {
    let parsed = url::Url::parse(issuer).map_err(|e| {
        FlowError::new(
            ErrorCode::InvalidInput,
            format!("expected an issuer URL such as https://login.example.com, got {issuer:?}: {e}"),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FlowError::new(ErrorCode::InvalidInput, format!("expected an http(s) issuer URL, got {issuer:?}")));
    }
    let trimmed = issuer.trim_end_matches('/');
    let oidc = format!("{trimmed}/.well-known/openid-configuration");
    // RFC 8414 §3: the well-known segment goes between the host and the issuer's path.
    let path = parsed.path().trim_end_matches('/');
    let origin = parsed.origin().ascii_serialization();
    let oauth = format!("{origin}/.well-known/oauth-authorization-server{path}");
    Ok([oidc, oauth])
}

pub async fn discover(http: &HttpClient, rec: &Recorder, issuer: &str) -> Result<Endpoints, FlowError> {
    let urls = well_known_urls(issuer)?;
    let mut failures = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        let label = if i == 0 { "OpenID discovery" } else { "OAuth metadata (RFC 8414)" };
        let last = i == urls.len() - 1;
        match fetch_document(http, rec, label, url, last).await {
            Ok(doc) => return check_issuer(rec, issuer, doc),
            // Nothing listens there: the second URL is on the same host, no point trying it.
            Err(e) if matches!(e.code, ErrorCode::ConnectionFailed | ErrorCode::Timeout) => return Err(e),
            Err(e) => failures.push(e),
        }
    }
    // The first failure names the code: it is the location the issuer most likely meant.
    let code = failures.first().map_or(ErrorCode::UnexpectedStatus, |e| e.code);
    let messages: Vec<String> = failures.into_iter().map(|e| e.message).collect();
    Err(FlowError::new(code, format!("discovery failed for issuer {issuer}: {}", messages.join("; then "))))
}

/// GETs a metadata document, following redirects one visible step at a time.
async fn fetch_document(
    http: &HttpClient,
    rec: &Recorder,
    label: &str,
    url: &str,
    last_try: bool,
) -> Result<serde_json::Map<String, serde_json::Value>, FlowError> {
    let mut visited: Vec<String> = Vec::new();
    let mut current = url.to_string();
    loop {
        let ex = http.send(rec, HttpClient::get(&current), &mut Vec::new()).await;
        let title = format!("{label}: GET {current}");
        let resp = match &ex.response {
            Ok(r) => r.clone(),
            Err(e) => {
                let e = e.clone();
                rec.http(title, &ex, vec![], Err(&e));
                return Err(e);
            }
        };
        if let Some(next) = redirect_target(&resp, &current) {
            visited.push(current.clone());
            if visited.contains(&next) || visited.len() > MAX_REDIRECTS {
                let e = FlowError::new(
                    ErrorCode::RedirectLoop,
                    format!(
                        "{label}: expected the document, got a redirect loop after {} hops: {} → {next}",
                        visited.len(),
                        visited.join(" → ")
                    ),
                );
                rec.http(title, &ex, vec![], Err(&e));
                return Err(e);
            }
            rec.http(format!("{title} → redirect to {next}"), &ex, vec![], Ok(()));
            current = next;
            continue;
        }
        let result = evaluate(&resp, &current, label);
        match &result {
            Ok(_) => rec.http(title, &ex, vec![], Ok(())),
            // A miss on the first URL is expected for plain OAuth servers: a warning, not a failure.
            Err(e) if !last_try => {
                let mut step_err = e.clone();
                step_err.message = format!("{} — trying the RFC 8414 location next", e.message);
                rec.http(title, &ex, vec![], Err(&step_err))
            }
            Err(e) => rec.http(title, &ex, vec![], Err(e)),
        };
        return result;
    }
}

fn redirect_target(resp: &HttpResponse, base: &str) -> Option<String> {
    if !matches!(resp.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let loc = resp.header("location")?;
    url::Url::parse(base).ok()?.join(loc).ok().map(|u| u.to_string())
}

fn evaluate(
    resp: &HttpResponse,
    url: &str,
    label: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, FlowError> {
    if resp.status != 200 {
        return Err(FlowError::new(
            ErrorCode::UnexpectedStatus,
            format!("{label}: expected HTTP 200 with JSON from {url}, got {}", describe(resp)),
        ));
    }
    json_object(resp, &format!("{label} at {url}"))
}

fn check_issuer(
    rec: &Recorder,
    asked: &str,
    doc: serde_json::Map<String, serde_json::Value>,
) -> Result<Endpoints, FlowError> {
    let endpoints: Endpoints = serde_json::from_value(serde_json::Value::Object(doc.clone())).map_err(|e| {
        FlowError::new(ErrorCode::MissingField, format!("provider metadata: expected string endpoint URLs, got {e}"))
    })?;
    let published = endpoints.issuer.clone().unwrap_or_default();
    let details = serde_json::json!({"expected": asked, "actual": published, "spec": "OpenID Connect Discovery 1.0 §4.3, RFC 8414 §3.3"});
    if published == asked {
        rec.local("Issuer in metadata matches the issuer asked for", StepStatus::Ok, details);
    } else if published.trim_end_matches('/') == asked.trim_end_matches('/') && !published.is_empty() {
        rec.local("Issuer in metadata differs only by a trailing slash", StepStatus::Warning, details);
    } else {
        let e = FlowError::new(
            ErrorCode::IssuerMismatch,
            format!(
                "provider metadata: expected \"issuer\": {asked:?}, got {:?}",
                endpoints.issuer.as_deref().unwrap_or("(absent)")
            ),
        );
        rec.local_failed("Issuer in metadata does not match", &e, details);
        return Err(e);
    }
    // The built-in sandbox lists the misbehaviours a trainer switched on: a run against it says so.
    let switches: Vec<&str> = doc
        .get("inspector_trainer_switches")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    if !switches.is_empty() {
        rec.local(
            format!("Trainer switches are on: this sandbox misbehaves on purpose ({})", switches.join(", ")),
            StepStatus::Warning,
            serde_json::json!({"trainer_switches": switches}),
        );
    }
    Ok(endpoints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc8414_inserts_well_known_before_the_path() {
        let [oidc, oauth] = well_known_urls("https://as.example.com/tenant/a/").unwrap();
        assert_eq!(oidc, "https://as.example.com/tenant/a/.well-known/openid-configuration");
        assert_eq!(oauth, "https://as.example.com/.well-known/oauth-authorization-server/tenant/a");
        assert!(well_known_urls("not a url").is_err());
        assert!(well_known_urls("ftp://x").is_err());
    }
}
