//! Discovery document (OpenID Connect Discovery 1.0 / RFC 8414), JWKS and a home page.

use axum::Json;
use axum::extract::State;
use axum::response::Html;
use serde_json::{Value, json};

use crate::Shared;
use crate::clients::ALL_SCOPES;
use crate::trainer::Switch;

pub async fn openid_configuration(State(s): State<Shared>) -> Json<Value> {
    let i = &s.issuer;
    let pkce_methods: &[&str] = if s.trainer.is_on(Switch::PkcePlainAccepted) { &["S256", "plain"] } else { &["S256"] };
    let trainer: Vec<&str> = s.trainer.active().iter().map(|t| t.name()).collect();
    Json(json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "device_authorization_endpoint": format!("{i}/device_authorization"),
        "userinfo_endpoint": format!("{i}/userinfo"),
        "revocation_endpoint": format!("{i}/revoke"),
        "introspection_endpoint": format!("{i}/introspect"),
        "jwks_uri": format!("{i}/jwks"),
        // Ours, not a registered name: where a probe mints wrong variants of a token (mint.rs).
        "inspector_mint_endpoint": format!("{i}/mint"),
        "inspector_mint_variants_supported": crate::mint::VARIANTS,
        // Also ours: the misbehaviours switched on, so a run against this sandbox can say so.
        "inspector_trainer_endpoint": format!("{i}/trainer"),
        "inspector_trainer_switches": trainer,
        "scopes_supported": ALL_SCOPES,
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": pkce_methods,
        "authorization_response_iss_parameter_supported": true,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
    }))
}

pub async fn jwks(State(s): State<Shared>) -> ([(&'static str, &'static str); 1], Json<Value>) {
    ([("cache-control", "public, max-age=300")], Json(s.keys.jwks()))
}

pub async fn home(State(s): State<Shared>) -> Html<String> {
    let rows: String = s
        .clients
        .iter()
        .map(|c| {
            format!(
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                c.client_id,
                c.client_secret.unwrap_or("(public)"),
                c.description
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><html><head><meta charset=utf-8><title>OAuth Flow Inspector sandbox</title></head>\
         <body><h1>Sandbox authorization server</h1><p>Issuer: <code>{}</code></p>\
         <table><tr><th>client_id</th><th>secret</th><th>use</th></tr>{rows}</table></body></html>",
        s.issuer
    ))
}
