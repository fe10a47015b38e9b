//! Splitting a token into its parts (RFC 7515 §7.1 JWS compact, RFC 7516 §7.1 JWE compact) and
//! deciding its format: jwt, jwe, malformed or opaque. Leaves out any judgement of the contents.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Serialize;
use serde_json::{Map, Value};

/// base64url as JOSE uses it; padding is tolerated on input, trailing bits are not.
pub const B64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_encode_padding(false).with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Three segments whose first two decode to JSON objects.
    Jwt,
    /// Five segments with `enc` in the protected header.
    Jwe,
    /// Looks like JOSE (the first segment is a JSON object) but is neither of the above.
    Malformed,
    /// Anything else: a reference token only its issuer can interpret.
    Opaque,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jwt => "jwt",
            Format::Jwe => "jwe",
            Format::Malformed => "malformed",
            Format::Opaque => "opaque",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Decoded {
    pub format: Format,
    pub header: Option<Map<String, Value>>,
    /// JWT claims; `None` for JWE (encrypted), opaque and malformed tokens.
    pub claims: Option<Map<String, Value>>,
    /// The decoded signature; `None` when the third segment is not base64url.
    pub signature: Option<Vec<u8>>,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`, what the signature covers.
    pub signing_input: String,
    /// Remarks made while decoding (why malformed, clamped numbers).
    pub notes: Vec<String>,
}

pub fn b64_object(segment: &str) -> Option<(Map<String, Value>, bool)> {
    let bytes = B64URL.decode(segment.as_bytes()).ok()?;
    crate::json::parse_object(&bytes)
}

pub fn decode(token: &str) -> Decoded {
    let segments: Vec<&str> = token.split('.').collect();
    let mut d = Decoded {
        format: Format::Opaque,
        header: None,
        claims: None,
        signature: None,
        signing_input: String::new(),
        notes: Vec::new(),
    };
    let header = b64_object(segments[0]);
    if let Some((_, true)) = header {
        d.notes.push("header: a number beyond the f64 range is shown as ±1.797e308".into());
    }
    let header = header.map(|(h, _)| h);

    if segments.len() == 3
        && header.is_some()
        && let Some((c, clamped)) = b64_object(segments[1])
    {
        if clamped {
            d.notes.push("claims: a number beyond the f64 range is shown as ±1.797e308".into());
        }
        d.format = Format::Jwt;
        d.header = header;
        d.claims = Some(c);
        // The token's own bytes up to the second dot: what the signature covers.
        d.signing_input = token[..segments[0].len() + 1 + segments[1].len()].to_string();
        match B64URL.decode(segments[2].as_bytes()) {
            Ok(sig) => d.signature = Some(sig),
            Err(_) => d.notes.push("the signature segment is not base64url".into()),
        }
        return d;
    }
    if segments.len() == 5 && header.as_ref().is_some_and(|h| h.contains_key("enc")) {
        d.format = Format::Jwe;
        d.header = header;
        return d;
    }
    if let Some(h) = header {
        d.format = Format::Malformed;
        d.notes.push(match segments.len() {
            3 => "the payload segment is not a base64url JSON object".to_string(),
            5 => "five segments but no `enc` in the header (not a JWE)".to_string(),
            n => format!("{n} segment(s); a JWS has 3, a JWE 5"),
        });
        d.header = Some(h);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(v: &str) -> String {
        B64URL.encode(v.as_bytes())
    }

    #[test]
    fn formats() {
        let jwt = format!("{}.{}.{}", seg(r#"{"alg":"HS256"}"#), seg(r#"{"sub":"a"}"#), seg("sig"));
        let d = decode(&jwt);
        assert_eq!(d.format, Format::Jwt);
        assert_eq!(d.signature.as_deref(), Some(&b"sig"[..]));
        assert_eq!(d.claims.unwrap()["sub"], "a");

        let jwe = format!("{}.a.b.c.d", seg(r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#));
        let d = decode(&jwe);
        assert_eq!(d.format, Format::Jwe);
        assert!(d.claims.is_none());
        assert_eq!(d.header.unwrap()["enc"], "A256GCM");

        let bad = format!("{}.{}.x", seg(r#"{"alg":"HS256"}"#), seg("not json"));
        assert_eq!(decode(&bad).format, Format::Malformed);
        let two = format!("{}.{}", seg(r#"{"alg":"HS256"}"#), seg("{}"));
        assert_eq!(decode(&two).format, Format::Malformed);

        assert_eq!(decode("gho_16C7e42F292c6912E7710c838347Ae178B4a").format, Format::Opaque);
        assert_eq!(decode("a.b.c").format, Format::Opaque);
        assert_eq!(decode("").format, Format::Opaque);
    }
}
