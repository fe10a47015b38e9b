//! Token replay to another API (RFC 9068 §4, RFC 8707, RFC 9700 §2.3): the app calls the orders
//! API with its token; whoever runs that API keeps the token and replays it to the payments API.
//! A payments API that ignores `aud` pays out; one that checks it answers 401 invalid_token.

use inspector_engine::http::HttpClient;
use inspector_engine::step::{Lane, SecretMark};
use inspector_engine::{ErrorCode, FlowError, Step};

use super::{Ctx, DemoPart, since};

const SERVICE: (&str, &str) = ("sandbox-service", "sandbox-service-secret");

pub async fn play(ctx: &Ctx<'_>) -> Result<Vec<DemoPart>, FlowError> {
    Ok(vec![part(ctx, false).await?, part(ctx, true).await?])
}

async fn part(ctx: &Ctx<'_>, checks_audience: bool) -> Result<DemoPart, FlowError> {
    let first = ctx.rec.last_seq() + 1;
    let (_, got) = ctx
        .token(
            Lane::App,
            "The app gets a token for the orders API (client credentials)",
            &[
                ("grant_type", "client_credentials"),
                ("scope", "orders.read"),
                ("client_id", SERVICE.0),
                ("client_secret", SERVICE.1),
            ],
            vec![SecretMark::new("client_secret", SERVICE.1)],
        )
        .await;
    let token =
        got.map_err(|e| FlowError::new(ErrorCode::OauthError, format!("the demo needs a token: {e}")))?.access_token;
    let marks = vec![SecretMark::new("access_token", &token)];
    let bearer = vec![("authorization".to_string(), format!("Bearer {token}"))];
    let mut call = HttpClient::get(&format!("{}/api/orders", ctx.issuer));
    call.headers.extend(bearer.clone());
    let ex = ctx.http.send(ctx.rec, call, &mut marks.clone()).await;
    ctx.rec.push(
        Step::http("The app calls the orders API with it", &ex, marks.clone(), Ok(()))
            .lanes(Lane::App, Lane::ResourceApi),
    );
    ctx.note(
        Lane::ResourceApi,
        Lane::Attacker,
        "Whoever runs the orders API (or reads its logs) keeps the token",
        serde_json::json!({"aud": format!("{}/api", ctx.issuer)}),
        marks.clone(),
    );
    let payments = if checks_audience {
        format!("{}/api/payments", ctx.issuer)
    } else {
        format!("{}/trouble/no-audience-check/api/payments", ctx.issuer)
    };
    let replay = HttpClient::post_form(&payments, &[("amount", "1000.00"), ("to", "mallory")], bearer);
    let ex = ctx.http.send(ctx.rec, replay, &mut marks.clone()).await;
    let what = if checks_audience { "a payments API that checks aud" } else { "a payments API that ignores aud" };
    ctx.rec.push(
        Step::http(format!("The attacker replays the token to {what}"), &ex, marks, Ok(()))
            .lanes(Lane::Attacker, Lane::ResourceApi),
    );
    let status = ex.response.as_ref().map(|r| r.status).unwrap_or(0);
    let said =
        ex.response.as_ref().ok().and_then(|r| r.header("www-authenticate").map(str::to_string)).unwrap_or_default();
    let succeeded = (200..300).contains(&status);
    let explanation = if succeeded {
        format!("the payments API answered {status}: it took a token meant for the orders API and paid out")
    } else {
        format!("the payments API answered {status} ({said}): the token names another audience (RFC 9068 §4)")
    };
    ctx.verdict(succeeded, &explanation);
    Ok(DemoPart {
        title: if checks_audience { "The API checks aud".into() } else { "The API ignores aud".into() },
        defended: checks_audience,
        attack_succeeded: succeeded,
        explanation,
        steps: since(ctx.rec, first),
    })
}
