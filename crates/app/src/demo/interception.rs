//! Code interception (RFC 7636 §1, RFC 9700 §4.5): a malicious app on the same device receives
//! the redirect and redeems the code first. Without PKCE it gets the tokens; with PKCE it has the
//! code but not the verifier, which never left the real app.

use inspector_engine::FlowError;
use inspector_engine::pkce::{Pkce, PkceMethod, random_string};
use inspector_engine::step::{Lane, SecretMark};

use super::browser::{code_marks, param};
use super::{APP, Ctx, DemoPart, REDIRECT, authorize_url, since};

pub async fn play(ctx: &Ctx<'_>) -> Result<Vec<DemoPart>, FlowError> {
    Ok(vec![part(ctx, false).await?, part(ctx, true).await?])
}

async fn part(ctx: &Ctx<'_>, with_pkce: bool) -> Result<DemoPart, FlowError> {
    let first = ctx.rec.last_seq() + 1;
    if !with_pkce {
        // The sandbox requires PKCE of public clients: a weaker one is needed to show the attack.
        ctx.switches(&["pkce-not-enforced".into()], "a provider that lets a public client skip PKCE").await?;
    }
    let pkce = if with_pkce { Pkce::generate(PkceMethod::S256) } else { None };
    let state = random_string(16);
    let mut extra = vec![("state", state.as_str())];
    if let Some(p) = &pkce {
        extra.extend([("code_challenge", p.challenge.as_str()), ("code_challenge_method", "S256")]);
    }
    let url = authorize_url(&ctx.issuer, "openid orders.read", &extra);
    let how = if with_pkce { "with a PKCE challenge (S256)" } else { "without PKCE" };
    ctx.note(
        Lane::App,
        Lane::Browser,
        format!("The app sends the user to sign in, {how}"),
        serde_json::json!({"url": url}),
        vec![],
    );
    let callback = ctx.sign_in(Lane::Browser, "alice", &url).await?;
    let code = param(&callback, "code").unwrap_or_default();
    ctx.note(
        Lane::Browser,
        Lane::Attacker,
        "A malicious app on the device claimed the same redirect URI: it receives the redirect, and the code",
        serde_json::json!({"url": callback, "spec": "RFC 8252 §8.1, RFC 7636 §1"}),
        code_marks(&callback),
    );
    let (_, got) = ctx
        .token(
            Lane::Attacker,
            "The attacker redeems the intercepted code (it has no code_verifier)",
            &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", REDIRECT), ("client_id", APP)],
            vec![SecretMark::new("authorization_code", &code)],
        )
        .await;
    let succeeded = got.is_ok();
    let explanation = match (&got, with_pkce) {
        (Ok(_), _) => "the attacker holds the user's tokens: nothing tied the code to the app that asked for it".into(),
        (Err(e), true) => format!(
            "refused ({e}): the code is bound to the challenge, and only the real app knows the verifier (RFC 7636 §4.6)"
        ),
        (Err(e), false) => format!("refused ({e})"),
    };
    ctx.verdict(succeeded, &explanation);
    if !with_pkce {
        ctx.switches(&[], "the strict sandbox again").await?;
    }
    Ok(DemoPart {
        title: if with_pkce { "With PKCE".into() } else { "Without PKCE".into() },
        defended: with_pkce,
        attack_succeeded: succeeded,
        explanation,
        steps: since(ctx.rec, first),
    })
}
