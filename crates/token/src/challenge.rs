//! Parsing WWW-Authenticate (RFC 9110 §11.6.1): challenges with their auth-params, as Bearer
//! (RFC 6750 §3: realm, scope, error, error_description, error_uri), DPoP (RFC 9449 §7.1: algs,
//! error) and vendor schemes send them. Leaves interpretation to `diagnose`.

use std::fmt;

use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Challenge {
    pub scheme: String,
    pub params: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token68: Option<String>,
}

impl Challenge {
    /// A parameter by name, case-insensitively.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn is(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.scheme)?;
        if let Some(t) = &self.token68 {
            write!(f, " {t}")?;
        }
        for (i, (n, v)) in self.params.iter().enumerate() {
            write!(f, "{}{n}=\"{v}\"", if i == 0 { " " } else { ", " })?;
        }
        Ok(())
    }
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// All challenges in all given header values, in order.
pub fn parse(values: &[&str]) -> Vec<Challenge> {
    let mut out: Vec<Challenge> = Vec::new();
    for v in values {
        parse_one(v, &mut out);
    }
    out
}

fn parse_one(s: &str, out: &mut Vec<Challenge>) {
    let b = s.as_bytes();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && (b[*i] == b' ' || b[*i] == b'\t') {
            *i += 1;
        }
    };
    let mut in_challenge = false;
    while i < b.len() {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t' || b[i] == b',') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        while i < b.len() && is_tchar(b[i]) {
            i += 1;
        }
        if i == start {
            i += 1; // stray character
            continue;
        }
        let token = &s[start..i];
        let mut j = i;
        skip_ws(&mut j);
        let is_param = j < b.len() && b[j] == b'=' && in_challenge && !(j + 1 < b.len() && b[j + 1] == b'=');
        if is_param {
            i = j + 1;
            skip_ws(&mut i);
            let value = if i < b.len() && b[i] == b'"' {
                i += 1;
                let mut v = String::new();
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' && i + 1 < b.len() {
                        i += 1;
                    }
                    let ch = s[i..].chars().next().unwrap_or(' ');
                    v.push(ch);
                    i += ch.len_utf8();
                }
                i += 1;
                v
            } else {
                let vs = i;
                while i < b.len() && b[i] != b',' && b[i] != b' ' && b[i] != b'\t' {
                    i += 1;
                }
                s[vs..i].to_string()
            };
            if let Some(c) = out.last_mut() {
                c.params.push((token.to_string(), value));
            }
        } else {
            out.push(Challenge { scheme: token.to_string(), ..Challenge::default() });
            in_challenge = true;
            // A token68 directly after the scheme ("Basic abc==", "Negotiate x"): a run of token68
            // characters and '='s that ends the challenge (end of value or a comma).
            let mut k = i;
            skip_ws(&mut k);
            let t_start = k;
            while k < b.len() && (b[k].is_ascii_alphanumeric() || b"-._~+/".contains(&b[k])) {
                k += 1;
            }
            let mut m = k;
            while m < b.len() && b[m] == b'=' {
                m += 1;
            }
            let mut after = m;
            skip_ws(&mut after);
            if k > t_start && t_start > i && (after >= b.len() || b[after] == b',') {
                if let Some(c) = out.last_mut() {
                    c.token68 = Some(s[t_start..m].to_string());
                }
                i = m;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6750_and_vendor_forms() {
        let c =
            parse(&[r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].scheme, "Bearer");
        assert_eq!(c[0].param("error"), Some("invalid_token"));
        assert_eq!(c[0].param("ERROR_DESCRIPTION"), Some("The access token expired"));

        let c = parse(&[r#"DPoP algs="ES256 PS256", error="use_dpop_nonce", Bearer realm="x""#]);
        assert_eq!(c.iter().map(|c| c.scheme.as_str()).collect::<Vec<_>>(), ["DPoP", "Bearer"]);
        assert_eq!(c[0].param("algs"), Some("ES256 PS256"));
        assert_eq!(c[1].param("realm"), Some("x"));

        let c =
            parse(&["Bearer error=invalid_token, error_description=\"a \\\"quoted\\\", comma\"", "Basic realm=\"b\""]);
        assert_eq!(c[0].param("error"), Some("invalid_token"));
        assert_eq!(c[0].param("error_description"), Some("a \"quoted\", comma"));
        assert!(c[1].is("basic"));

        let c = parse(&["Bearer"]);
        assert_eq!(c.len(), 1);
        assert!(c[0].params.is_empty());
        let c = parse(&["Negotiate abc123=="]);
        assert_eq!(c[0].token68.as_deref(), Some("abc123=="));
    }
}
