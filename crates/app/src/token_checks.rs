//! The tokens a run obtained, checked before the run ends: the token set's summary (the one
//! inspection of a set, `tokens::summary`) made inside the run, so the key fetches it makes are
//! steps of the run, and its verdict a Checks step per JWT, saved with the session. Leaves out
//! opaque tokens (nothing to check here; introspection is an operation of its own) and what a
//! front shows of the tokens (`tokens`).

use inspector_engine::flows::common::ClientSettings;
use inspector_engine::step::{Lane, StepCategory};
use inspector_engine::{Recorder, Step, StepStatus, TokenSet};
use inspector_token::{JwksFetcher, jwks};

use crate::tokens::{self, TokenContext, TokenKind};

/// Inspects each JWT of `tokens` and publishes one Checks step per token on `rec`.
pub async fn check_tokens(rec: &Recorder, fetcher: &JwksFetcher, settings: &ClientSettings, set: &TokenSet) {
    let summary = jwks::recording(rec.weak(), tokens::summary(set, &TokenContext::of(settings), fetcher)).await;
    for entry in summary.tokens {
        let Some(r) = entry.report else { continue };
        let name = match entry.which {
            TokenKind::AccessToken => "Access token",
            TokenKind::RefreshToken => "Refresh token",
            TokenKind::IdToken => "ID token",
        };
        let problems: Vec<&str> = r.problems.iter().map(|p| p.as_str()).collect();
        let (status, verdict) = match (r.valid, problems.is_empty()) {
            (true, _) => (StepStatus::Ok, "valid".to_string()),
            (false, true) => (StepStatus::Warning, "not validated (its signature could not be checked)".into()),
            (false, false) => (StepStatus::Warning, format!("INVALID ({})", problems.join(", "))),
        };
        let details = serde_json::json!({
            "token": entry.which.name(), "valid": r.valid, "problems": problems, "header": r.header,
            "claims": r.claims, "checks": r.checks,
        });
        rec.push(
            Step::local(format!("{name} checks: {verdict}"), status, details)
                .category(StepCategory::Checks)
                .lanes(Lane::App, Lane::App),
        );
    }
}
