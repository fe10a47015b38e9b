//! `alg: none` (RFC 8725 §2.1, §3.1; OIDC Core §3.1.3.7): the attacker takes a real ID token,
//! makes themselves `admin`, sets `alg` to `none` and drops the signature. A client that only
//! decodes ID tokens signs them in as admin; the inspector's ID token checks refuse it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use inspector_engine::pkce::{Pkce, PkceMethod, random_string};
use inspector_engine::step::{Lane, SecretMark, StepCategory};
use inspector_engine::{ErrorCode, FlowError, Step, StepStatus};

use super::browser::param;
use super::{APP, Ctx, DemoPart, REDIRECT, authorize_url, since};

pub async fn play(ctx: &Ctx<'_>) -> Result<Vec<DemoPart>, FlowError> {
    let forged = forge(ctx).await?;
    Ok(vec![part(ctx, &forged, false).await, part(ctx, &forged, true).await])
}

/// A real sign-in for a real ID token, then the attacker's rewrite of it.
async fn forge(ctx: &Ctx<'_>) -> Result<String, FlowError> {
    let pkce = Pkce::generate(PkceMethod::S256).expect("S256");
    let (state, nonce) = (random_string(16), random_string(16));
    let url = authorize_url(
        &ctx.issuer,
        "openid profile",
        &[("state", &state), ("nonce", &nonce), ("code_challenge", &pkce.challenge), ("code_challenge_method", "S256")],
    );
    let callback = ctx.sign_in(Lane::Browser, "alice", &url).await?;
    let code = param(&callback, "code").unwrap_or_default();
    let verifier = pkce.verifier.expose().to_string();
    let (_, got) = ctx
        .token(
            Lane::App,
            "The app redeems alice's code: a real ID token",
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("client_id", APP),
                ("code_verifier", &verifier),
            ],
            vec![SecretMark::new("authorization_code", &code), SecretMark::new("code_verifier", &verifier)],
        )
        .await;
    let id_token = got
        .ok()
        .and_then(|t| t.id_token)
        .ok_or_else(|| FlowError::new(ErrorCode::MissingField, "the demo needs an ID token from the sandbox"))?;
    let mut claims = inspector_engine::jwt::claims(&id_token).unwrap_or_default();
    claims["sub"] = serde_json::json!("admin");
    claims["name"] = serde_json::json!("Administrator");
    let header = serde_json::json!({"alg": "none", "typ": "JWT"});
    let forged = format!("{}.{}.", B64.encode(header.to_string()), B64.encode(claims.to_string()));
    ctx.note(
        Lane::App,
        Lane::Attacker,
        "The attacker gets hold of an ID token (a log, a shared link) and rewrites it: sub admin, alg none, no signature",
        serde_json::json!({"header": header, "claims": claims}),
        vec![SecretMark::new("id_token", &id_token)],
    );
    Ok(forged)
}

async fn part(ctx: &Ctx<'_>, forged: &str, verifies: bool) -> DemoPart {
    let first = ctx.rec.last_seq() + 1;
    ctx.note(
        Lane::Attacker,
        Lane::App,
        "The attacker presents the forged ID token to the app's sign-in",
        serde_json::json!({"id_token": forged}),
        vec![],
    );
    let (succeeded, explanation) = if verifies {
        let input = inspector_token::api::InspectInput {
            token: forged.to_string(),
            keys: inspector_token::api::KeyOptions { issuer: Some(ctx.issuer.clone()), ..Default::default() },
            client_id: Some(APP.into()),
            ..Default::default()
        };
        let report = inspector_token::jwks::recording(
            ctx.rec.weak(),
            inspector_token::api::inspect_token(&input, ctx.core.jwks()),
        )
        .await;
        match report {
            Ok(r) => {
                let valid = r.valid;
                let failed: Vec<&str> = r
                    .checks
                    .iter()
                    .filter(|c| c.status == inspector_engine::check::CheckStatus::Fail)
                    .map(|c| c.id)
                    .collect();
                ctx.rec.push(
                    Step::local(
                        format!("The app verifies the ID token: {}", if valid { "valid" } else { "INVALID" }),
                        if valid { StepStatus::Ok } else { StepStatus::Warning },
                        serde_json::json!({"token": "id_token", "valid": valid, "header": r.header, "claims": r.claims, "checks": r.checks}),
                    )
                    .category(StepCategory::Checks)
                    .lanes(Lane::App, Lane::App),
                );
                if valid {
                    (true, "the checks let an unsigned token through".to_string())
                } else {
                    (
                        false,
                        format!(
                            "refused: the ID token checks fail ({}); an ID token must be signed with the provider's key",
                            failed.join(", ")
                        ),
                    )
                }
            }
            Err(e) => (false, format!("refused: {e}")),
        }
    } else {
        let claims = inspector_engine::jwt::claims(forged).unwrap_or_default();
        ctx.note(
            Lane::App,
            Lane::App,
            "A naive app only decodes the ID token: it signs the user in as its sub",
            serde_json::json!({"sub": claims["sub"], "alg": "none"}),
            vec![],
        );
        (true, "the app signed the attacker in as admin: it never checked the signature".to_string())
    };
    ctx.verdict(succeeded, &explanation);
    DemoPart {
        title: if verifies { "The app verifies the ID token".into() } else { "The app only decodes it".into() },
        defended: verifies,
        attack_succeeded: succeeded,
        explanation,
        steps: since(ctx.rec, first),
    }
}
