//! Login CSRF (RFC 6749 §10.12, RFC 9700 §4.7): the attacker signs in with their own account,
//! stops before the redirect, and gets the victim's browser to deliver that code to the victim's
//! app. An app that does not bind the response to its own request (`state`, or PKCE) signs the
//! victim in as the attacker; one that checks `state` refuses the response.

use inspector_engine::FlowError;
use inspector_engine::pkce::random_string;
use inspector_engine::step::{Lane, SecretMark};

use super::browser::{code_marks, param};
use super::{APP, Ctx, DemoPart, REDIRECT, authorize_url, since};

pub async fn play(ctx: &Ctx<'_>) -> Result<Vec<DemoPart>, FlowError> {
    Ok(vec![part(ctx, false).await?, part(ctx, true).await?])
}

async fn part(ctx: &Ctx<'_>, checks_state: bool) -> Result<DemoPart, FlowError> {
    let first = ctx.rec.last_seq() + 1;
    // PKCE would stop this too (the app would send a verifier the attacker's code was not
    // issued for): the part without a defence needs a provider and an app without it.
    ctx.switches(&["pkce-not-enforced".into()], "an app and provider without PKCE, so state is the only defence")
        .await?;
    let attacker = authorize_url(&ctx.issuer, "openid orders.read", &[]);
    let callback = ctx.sign_in(Lane::Attacker, "mallory", &attacker).await?;
    let code = param(&callback, "code").unwrap_or_default();
    ctx.note(
        Lane::Attacker,
        Lane::Browser,
        "The attacker stops before the redirect and sends the victim a link to it (mallory's code, no state)",
        serde_json::json!({"link": callback}),
        code_marks(&callback),
    );
    // The victim's app had started a sign-in of its own, with its state.
    let own_state = random_string(16);
    if checks_state {
        ctx.note(
            Lane::App,
            Lane::App,
            "The app keeps the state of its own authorization request",
            serde_json::json!({"state": own_state}),
            vec![],
        );
    }
    ctx.note(
        Lane::Browser,
        Lane::App,
        "The victim's browser opens the link: the app's redirect URI receives mallory's code",
        serde_json::json!({"url": callback}),
        code_marks(&callback),
    );
    let got_state = param(&callback, "state");
    let (succeeded, explanation) = if checks_state && got_state.as_deref() != Some(own_state.as_str()) {
        ctx.note(
            Lane::App,
            Lane::App,
            "The app compares the state: this response is not its own, so the code is never redeemed",
            serde_json::json!({"expected": own_state, "actual": got_state, "spec": "RFC 6749 §10.12"}),
            vec![],
        );
        (
            false,
            "the state does not match the app's own request: the response is refused before any token request"
                .to_string(),
        )
    } else {
        let (_, got) = ctx
            .token(
                Lane::App,
                "The app redeems the code it was handed (it checks no state)",
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                    ("client_id", APP),
                ],
                vec![SecretMark::new("authorization_code", &code)],
            )
            .await;
        let sub = got
            .as_ref()
            .ok()
            .and_then(|t| t.id_token.as_deref())
            .and_then(inspector_engine::jwt::claims)
            .and_then(|c| c["sub"].as_str().map(str::to_string));
        match sub {
            Some(s) if s == "mallory" => (
                true,
                "the victim's app is now signed in to mallory's account: what the victim saves there, the attacker reads".into(),
            ),
            other => (false, format!("the app did not end up in the attacker's account ({other:?})")),
        }
    };
    ctx.verdict(succeeded, &explanation);
    ctx.switches(&[], "the strict sandbox again").await?;
    Ok(DemoPart {
        title: if checks_state { "The app checks state".into() } else { "The app checks no state".into() },
        defended: checks_state,
        attack_succeeded: succeeded,
        explanation,
        steps: since(ctx.rec, first),
    })
}
