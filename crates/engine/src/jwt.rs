//! Reading JWTs found in steps and sessions, WITHOUT verifying them: the header and payload of a
//! compact JWS for display, redaction, search and diff. Verification is the token crate's job.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The three parts of a compact JWS when `s` looks like one (two dots, base64url header that
/// decodes to a JSON object).
pub fn parts(s: &str) -> Option<(&str, &str, &str)> {
    let mut it = s.split('.');
    let (h, p, sig) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || h.is_empty() || p.is_empty() {
        return None;
    }
    decode_part(h)?.as_object()?;
    Some((h, p, sig))
}

fn decode_part(part: &str) -> Option<serde_json::Value> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The payload (claims) of a JWT, unverified.
pub fn claims(token: &str) -> Option<serde_json::Value> {
    let (_, p, _) = parts(token)?;
    decode_part(p).filter(|v| v.is_object())
}

/// The header of a JWT, unverified.
pub fn header(token: &str) -> Option<serde_json::Value> {
    let (h, _, _) = parts(token)?;
    decode_part(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_claims_and_rejects_non_jwts() {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#);
        let p = URL_SAFE_NO_PAD.encode(br#"{"sub":"alice","scope":"a b"}"#);
        let t = format!("{h}.{p}.c2ln");
        assert_eq!(claims(&t).unwrap()["sub"], "alice");
        assert_eq!(header(&t).unwrap()["alg"], "RS256");
        assert!(claims("opaque-token").is_none());
        assert!(claims("a.b.c").is_none());
        assert!(claims(&format!("{h}.{p}.s.x")).is_none());
    }
}
