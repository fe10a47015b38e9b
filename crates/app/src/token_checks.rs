//! The tokens a run obtained, checked before the run ends: each JWT inspected by the token crate
//! (signature against the issuer's keys, claims, ID-token rules of OIDC Core §3.1.3.7, RFC 9068
//! for JWT access tokens), the key fetches it makes recorded as steps of the run, and the verdict a
//! Checks step per token, saved with the session. Leaves out opaque tokens (nothing to check here;
//! introspection is an operation of its own) and what a front shows of the tokens.

use inspector_engine::discovery::ProviderSource;
use inspector_engine::flows::common::ClientSettings;
use inspector_engine::step::{Lane, StepCategory};
use inspector_engine::{Recorder, Step, StepStatus, TokenSet};
use inspector_token::{JwksFetcher, JwksSource, KeySource, Options, Secret, inspect, jwks};

/// Inspects each JWT of `tokens` and publishes one Checks step per token on `rec`.
pub async fn check_tokens(rec: &Recorder, fetcher: &JwksFetcher, settings: &ClientSettings, tokens: &TokenSet) {
    let (issuer, keys) = match &settings.provider {
        ProviderSource::Issuer { issuer } => (Some(issuer.clone()), Some(JwksSource::Issuer(issuer.clone()))),
        ProviderSource::Manual { endpoints } => {
            (endpoints.issuer.clone(), endpoints.jwks_uri.clone().map(JwksSource::Url))
        }
    };
    let keys = KeySource { jwks: keys, secret: None };
    let candidates = [
        ("id_token", "ID token", tokens.id_token.as_deref()),
        ("access_token", "Access token", Some(tokens.access_token.as_str())),
    ];
    for (which, name, token) in candidates {
        let Some(token) = token.filter(|t| inspector_engine::jwt::parts(t).is_some()) else { continue };
        let mut opts = Options { expected_issuer: issuer.clone(), ..Default::default() };
        if which == "id_token" {
            // OIDC Core §3.1.3.7: aud contains the client id; at_hash binds the access token.
            opts.audiences = vec![settings.client_id.clone()];
            opts.client_id = Some(settings.client_id.clone());
            opts.access_token = Some(Secret::new(tokens.access_token.as_bytes()));
        } else {
            // RFC 8707/9068: a token asked for a resource names it in aud.
            opts.audiences = settings.resource.clone();
        }
        let report = jwks::recording(rec.weak(), inspect(token, &keys, &opts, fetcher)).await;
        let step = match report {
            Ok(r) => {
                let problems: Vec<&str> = r.problems.iter().map(|p| p.as_str()).collect();
                let (status, verdict) = match (r.valid, problems.is_empty()) {
                    (true, _) => (StepStatus::Ok, "valid".to_string()),
                    (false, true) => (StepStatus::Warning, "not validated (its signature could not be checked)".into()),
                    (false, false) => (StepStatus::Warning, format!("INVALID ({})", problems.join(", "))),
                };
                let details = serde_json::json!({
                    "token": which, "valid": r.valid, "problems": problems, "header": r.header,
                    "claims": r.claims, "checks": r.checks,
                });
                Step::local(format!("{name} checks: {verdict}"), status, details)
            }
            Err(e) => Step::local(
                format!("{name} checks could not run: {e}"),
                StepStatus::Warning,
                serde_json::json!({"token": which, "error": e.to_string()}),
            ),
        };
        rec.push(step.category(StepCategory::Checks).lanes(Lane::App, Lane::App));
    }
}
