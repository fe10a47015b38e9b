//! Parsing a token segment as a JSON object, tolerating numbers beyond f64 (`1e400` becomes
//! ±f64::MAX) so a hostile claim can neither panic nor make a token undecodable. Everything else
//! is serde_json's job; this module only rewrites overflowing number literals and says it did.

use serde_json::{Map, Value};

/// The object, and whether an overflowing number had to be clamped.
pub fn parse_object(bytes: &[u8]) -> Option<(Map<String, Value>, bool)> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Some((m, false)),
        Ok(_) => None,
        Err(_) => {
            let (rewritten, clamped) = clamp_overflowing_numbers(bytes)?;
            if !clamped {
                return None;
            }
            match serde_json::from_slice::<Value>(&rewritten) {
                Ok(Value::Object(m)) => Some((m, true)),
                _ => None,
            }
        }
    }
}

/// Rewrites number literals (outside strings) whose value overflows f64. `None` for non-UTF-8.
fn clamp_overflowing_numbers(bytes: &[u8]) -> Option<(Vec<u8>, bool)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut clamped = false;
    let mut i = 0;
    let mut in_string = false;
    while i < b.len() {
        let c = b[i];
        if in_string {
            out.push(c);
            if c == b'\\' && i + 1 < b.len() {
                out.push(b[i + 1]);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        if c == b'"' {
            in_string = true;
            out.push(c);
            i += 1;
            continue;
        }
        if c == b'-' || c.is_ascii_digit() {
            let start = i;
            while i < b.len() && matches!(b[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                i += 1;
            }
            let lit = &text[start..i];
            match lit.parse::<f64>() {
                Ok(v) if v.is_infinite() => {
                    clamped = true;
                    let s = if v > 0.0 { "1.7976931348623157e308" } else { "-1.7976931348623157e308" };
                    out.extend_from_slice(s.as_bytes());
                }
                _ => out.extend_from_slice(lit.as_bytes()),
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    Some((out, clamped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_numbers_are_clamped_not_rejected() {
        let (m, clamped) = parse_object(br#"{"exp": 1e400, "s": "1e400", "n": -1E999}"#).unwrap();
        assert!(clamped);
        assert_eq!(m["exp"].as_f64(), Some(f64::MAX));
        assert_eq!(m["n"].as_f64(), Some(-f64::MAX));
        assert_eq!(m["s"], "1e400");
    }

    #[test]
    fn ordinary_objects_pass_through_and_non_objects_fail() {
        let (m, clamped) = parse_object(br#"{"a": 99999999999999999999999}"#).unwrap();
        assert!(!clamped);
        assert!(m["a"].as_f64().unwrap() > 9.0e22);
        assert!(parse_object(b"[1,2]").is_none());
        assert!(parse_object(b"{not json").is_none());
    }
}
