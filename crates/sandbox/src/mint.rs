//! The minting facility, a trainer feature: `POST /mint` turns an access token this sandbox issued
//! (or, without one, the client authenticated) into a deliberately wrong variant, so an API probe
//! can check that a resource server refuses each kind of bad token. Every variant but
//! `unknown_kid` is signed with the sandbox's real key, so only the one claim changed is wrong.
//! Minted tokens are recorded like issued ones: revocable and visible to introspection.
//!
//! Advertised as `inspector_mint_endpoint` in the discovery document. The sandbox listens on
//! 127.0.0.1 only and answers only loopback `Host`s, so no other machine can mint.
//!
//! | `variant` | what is wrong |
//! |---|---|
//! | `expired` | `exp` an hour in the past |
//! | `audience` | `aud` is another API ([`OTHER_AUDIENCE`]) |
//! | `issuer` | `iss` is another issuer ([`OTHER_ISSUER`]) |
//! | `unknown_kid` | signed with a throwaway ES256 key whose `kid` is not in the JWKS |
//! | `scope` | fewer scopes: `scope` gives the ones to keep, a subset of the original's |
//! | `revoked` | a copy, recorded as revoked (RFC 7009) before it is handed out |

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::Shared;
use crate::grants::{TokenRecord, now, random_token};
use crate::keys::Alg;
use crate::token::{authenticate, oauth_error};

pub const VARIANTS: &[&str] = &["expired", "audience", "issuer", "unknown_kid", "scope", "revoked"];
pub const OTHER_AUDIENCE: &str = "https://another-api.invalid";
pub const OTHER_ISSUER: &str = "https://another-issuer.invalid";

fn bad(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// The claims a minted variant starts from: the given token's (after checking this sandbox issued
/// it and it is active), or a fresh access token's for the authenticated client.
// The refusal is the response itself, as everywhere in the sandbox's handlers.
#[allow(clippy::result_large_err)]
fn base_claims(
    state: &Shared,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(Value, TokenRecord), Response> {
    if let Some(token) = form.get("token").filter(|t| !t.is_empty()) {
        let record = state.grants.lock().unwrap().active(token).cloned().ok_or_else(|| {
            bad("token: expected an active access token issued by this sandbox, got one it does not know (or revoked, or expired)")
        })?;
        if record.kind != "access_token" {
            return Err(bad("token: expected an access token, got a refresh token"));
        }
        let claims = state.keys.verify(token).map_err(bad)?;
        return Ok((claims, record));
    }
    let client = authenticate(state, headers, form)?;
    let iat = now();
    let scopes: Vec<String> = client.scopes.iter().map(|s| s.to_string()).collect();
    let claims = json!({
        "iss": state.issuer, "sub": client.client_id, "aud": format!("{}/api", state.issuer),
        "client_id": client.client_id, "scope": scopes.join(" "), "iat": iat, "nbf": iat, "exp": iat + 3600,
    });
    let record = TokenRecord {
        client_id: client.client_id.into(),
        sub: client.client_id.into(),
        scopes,
        expires_at: iat + 3600,
        active: true,
        kind: "access_token",
        family: None,
        rotated: false,
    };
    Ok((claims, record))
}

pub async fn mint(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let variant = form.get("variant").map(String::as_str).unwrap_or("");
    if !VARIANTS.contains(&variant) {
        return bad(&format!("variant: expected one of {}, got {variant:?}", VARIANTS.join(", ")));
    }
    let (mut claims, mut record) = match base_claims(&state, &headers, &form) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let iat = now();
    claims["jti"] = json!(random_token(16));
    match variant {
        "expired" => {
            claims["iat"] = json!(iat - 7200);
            claims["nbf"] = json!(iat - 7200);
            claims["exp"] = json!(iat - 3600);
            record.expires_at = iat - 3600;
        }
        "audience" => claims["aud"] = json!(OTHER_AUDIENCE),
        "issuer" => claims["iss"] = json!(OTHER_ISSUER),
        "scope" => {
            let Some(keep) = form.get("scope") else {
                return bad("scope: expected the scopes the variant keeps (space-separated, may be empty)");
            };
            let keep: Vec<String> = keep.split(' ').filter(|s| !s.is_empty()).map(str::to_string).collect();
            if let Some(extra) = keep.iter().find(|s| !record.scopes.contains(s)) {
                return bad(&format!(
                    "scope: expected a subset of {:?}, got {extra:?}, which the original does not have",
                    record.scopes.join(" ")
                ));
            }
            claims["scope"] = json!(keep.join(" "));
            record.scopes = keep;
        }
        "revoked" => record.active = false,
        _ => {}
    }
    let token = if variant == "unknown_kid" {
        crate::keys::sign_with_throwaway_key("at+jwt", &claims)
    } else {
        state.keys.sign(Alg::RS256, "at+jwt", &claims)
    };
    state.grants.lock().unwrap().tokens.insert(token.clone(), record);
    let body = json!({"access_token": token, "token_type": "Bearer", "variant": variant, "claims": claims});
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}
