//! Making the wrong tokens a probe sends: changed locally (a signature with one bit flipped, the
//! header rewritten to `alg: none`) or minted by a sandbox issuer (`inspector_mint_endpoint`),
//! whose variants carry the issuer's real signature so only one claim is wrong.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use inspector_engine::http::{HttpClient, json_object};
use inspector_engine::step::{Lane, SecretMark, Step};
use inspector_engine::{ErrorCode, FlowError, Recorder};

/// The token with one bit of its signature flipped, so a verifier that checks it must refuse it.
/// A bit in the middle of the signature bytes, not the last base64 character, whose low bits
/// may be padding a lenient decoder ignores.
pub fn tampered(token: &str) -> Result<String, String> {
    let (input, sig) = token.rsplit_once('.').filter(|_| inspector_engine::jwt::parts(token).is_some()).ok_or(
        "the token is not a JWT (header.payload.signature), so there is no signature to tamper with".to_string(),
    )?;
    let mut bytes = B64.decode(sig.trim_end_matches('=')).map_err(|_| "the token's signature is not base64url")?;
    if bytes.is_empty() {
        return Err("the token has no signature to tamper with (it is already unsigned)".into());
    }
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    Ok(format!("{input}.{}", B64.encode(bytes)))
}

/// The token's claims under a header saying `alg: none`, with no signature (RFC 7519 §6).
pub fn alg_none(token: &str) -> Result<String, String> {
    let (_, payload, _) = inspector_engine::jwt::parts(token)
        .ok_or("the token is not a JWT, so there is no header to rewrite to alg none".to_string())?;
    let mut header = inspector_engine::jwt::header(token).unwrap_or_default();
    header["alg"] = serde_json::json!("none");
    if let Some(h) = header.as_object_mut() {
        h.remove("kid");
    }
    Ok(format!("{}.{payload}.", B64.encode(header.to_string())))
}

/// The scopes of a JWT access token (`scope` string, or `scp` as a list or string), if it says.
pub fn scopes(token: &str) -> Option<Vec<String>> {
    let claims = inspector_engine::jwt::claims(token)?;
    let words = |s: &str| s.split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect();
    match (&claims["scope"], &claims["scp"]) {
        (serde_json::Value::String(s), _) | (_, serde_json::Value::String(s)) => Some(words(s)),
        (_, serde_json::Value::Array(list)) => {
            Some(list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        }
        _ => None,
    }
}

/// A sandbox's mint endpoint, as its discovery document advertises it.
pub struct Mint {
    pub endpoint: String,
}

/// Asks the mint for `variant` of `token` (with `scope` for the `scope` variant). One step.
pub async fn mint(
    http: &HttpClient,
    rec: &Recorder,
    mint: &Mint,
    token: &str,
    variant: &str,
    scope: Option<&str>,
) -> Result<String, String> {
    let mut params = vec![("token", token), ("variant", variant)];
    if let Some(s) = scope {
        params.push(("scope", s));
    }
    let req = HttpClient::post_form(&mint.endpoint, &params, vec![]);
    let mut marks = vec![SecretMark::new("access_token", token)];
    let ex = http.send(rec, req, &mut marks).await;
    let minted = match &ex.response {
        Ok(r) if r.status == 200 => json_object(r, "mint endpoint").and_then(|m| {
            m.get("access_token").and_then(|v| v.as_str()).map(str::to_string).ok_or_else(|| {
                FlowError::new(ErrorCode::MissingField, "mint endpoint: expected \"access_token\" in its answer")
            })
        }),
        Ok(r) => Err(FlowError::new(
            ErrorCode::UnexpectedStatus,
            format!("mint endpoint: expected HTTP 200, got {}", inspector_engine::http::describe(r)),
        )),
        Err(e) => Err(e.clone()),
    };
    if let Ok(m) = &minted {
        marks.push(SecretMark::new("access_token", m.as_str()));
    }
    rec.push(
        Step::http(
            format!("Mint a variant of the token: {variant} (sandbox)"),
            &ex,
            marks,
            minted.as_ref().map(|_| ()),
        )
        .lanes(Lane::App, Lane::AuthorizationServer),
    );
    minted.map_err(|e| e.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(header: &str, claims: &str, sig: &[u8]) -> String {
        format!("{}.{}.{}", B64.encode(header), B64.encode(claims), B64.encode(sig))
    }

    #[test]
    fn tampering_changes_a_signature_byte_and_alg_none_drops_the_signature() {
        let t = jwt(r#"{"alg":"RS256","kid":"k1"}"#, r#"{"scope":"a b"}"#, &[7u8; 256]);
        let bad = tampered(&t).unwrap();
        let (input, sig) = bad.rsplit_once('.').unwrap();
        assert!(t.starts_with(input));
        let bytes = B64.decode(sig).unwrap();
        assert_eq!(bytes.iter().filter(|&&b| b != 7).count(), 1, "exactly one byte differs");
        let none = alg_none(&t).unwrap();
        assert!(none.ends_with('.'));
        assert_eq!(inspector_engine::jwt::header(&none).unwrap(), serde_json::json!({"alg": "none"}));
        assert_eq!(scopes(&t).unwrap(), ["a", "b"]);
        assert!(tampered("opaque").unwrap_err().contains("not a JWT"));
        assert!(alg_none("opaque").unwrap_err().contains("not a JWT"));
    }
}
