//! Judging one answer of the API to one variant: what a correct API answers (RFC 6750 §3), what
//! came, and the verdict. Any refusal is `secure` — a refusal with another code than the RFC's
//! is said in the explanation, not flagged — an acceptance (2xx) is `vulnerable`, and what proves
//! neither (a redirect, a 5xx, no answer) is `inconclusive`.

use inspector_engine::FlowError;
use inspector_engine::step::HttpResponse;

use super::Verdict;

/// What a correct API answers to a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// 401 with a challenge and no `error=` (RFC 6750 §3.1: no authentication information).
    Unauthenticated,
    /// 400 `invalid_request` (RFC 6750 §3.1: a malformed request).
    InvalidRequest,
    /// 401 `invalid_token` (RFC 6750 §3.1).
    InvalidToken,
    /// 403 `insufficient_scope` (RFC 6750 §3.1).
    InsufficientScope,
    /// The call succeeds (a lower-case `bearer` is the same scheme, RFC 9110 §11.1).
    Accepted,
}

impl Expect {
    pub fn text(self) -> &'static str {
        match self {
            Expect::Unauthenticated => "401, challenge without error code",
            Expect::InvalidRequest => "400 invalid_request",
            Expect::InvalidToken => "401 invalid_token",
            Expect::InsufficientScope => "403 insufficient_scope",
            Expect::Accepted => "2xx (accepted)",
        }
    }

    fn code(self) -> Option<&'static str> {
        match self {
            Expect::InvalidRequest => Some("invalid_request"),
            Expect::InvalidToken => Some("invalid_token"),
            Expect::InsufficientScope => Some("insufficient_scope"),
            Expect::Unauthenticated | Expect::Accepted => None,
        }
    }

    fn status(self) -> u16 {
        match self {
            Expect::Unauthenticated | Expect::InvalidToken => 401,
            Expect::InvalidRequest => 400,
            Expect::InsufficientScope => 403,
            Expect::Accepted => 200,
        }
    }
}

/// The `error` of the Bearer challenge, if any.
fn bearer_error(resp: &HttpResponse) -> Option<String> {
    let values: Vec<&str> = resp
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("www-authenticate"))
        .map(|(_, v)| v.as_str())
        .collect();
    inspector_token::challenge::parse(&values)
        .into_iter()
        .find(|c| c.is("Bearer"))
        .and_then(|c| c.param("error").map(str::to_string))
}

/// "401 invalid_token", "401 (no error code)", "200", "302 → https://…".
pub fn actual(resp: &HttpResponse) -> String {
    match (resp.status, bearer_error(resp)) {
        (300..=399, _) => match resp.header("location") {
            Some(l) => format!("{} → {} (not followed)", resp.status, l.chars().take(120).collect::<String>()),
            None => format!("{} (redirect without Location)", resp.status),
        },
        (s @ 400..=499, Some(e)) => format!("{s} {e}"),
        (s @ 400..=499, None) if resp.header("www-authenticate").is_some() => format!("{s} (no error code)"),
        (s @ 400..=499, None) => format!("{s} (no WWW-Authenticate)"),
        (s, _) => s.to_string(),
    }
}

/// The verdict on `resp` for a variant that a correct API answers with `expect`; `flaw` says what
/// an acceptance means ("accepts expired tokens").
pub fn judge(expect: Expect, flaw: &str, resp: &Result<HttpResponse, FlowError>) -> (Verdict, String, String) {
    let resp = match resp {
        Ok(r) => r,
        Err(e) => return (Verdict::Inconclusive, "no answer".into(), format!("the request failed: {}", e.message)),
    };
    let actual = actual(resp);
    let status = resp.status;
    if expect == Expect::Accepted {
        return match status {
            200..=299 => {
                (Verdict::Secure, actual, "accepted, as RFC 9110 §11.1 requires (schemes are case-insensitive)".into())
            }
            _ => (
                Verdict::Inconclusive,
                actual,
                "refused a lower-case \"bearer\": schemes are case-insensitive (RFC 9110 §11.1); an interoperability \
                 bug, not a weakness"
                    .into(),
            ),
        };
    }
    let explanation = match status {
        200..=299 => return (Verdict::Vulnerable, actual, format!("the API answered {status}: it {flaw}")),
        300..=399 => {
            return (
                Verdict::Inconclusive,
                actual,
                "a redirect proves neither acceptance nor refusal; it was not followed (a redirect to a login page \
                 is a refusal for a browser, not for an API client)"
                    .into(),
            );
        }
        400..=499 => {
            let got = bearer_error(resp);
            let wanted = expect.code();
            match (expect, got.as_deref()) {
                (Expect::Unauthenticated, None) if status == 401 => "refused as RFC 6750 §3.1 says".to_string(),
                (Expect::Unauthenticated, Some(e)) => format!(
                    "refused; RFC 6750 §3.1 says a request without Bearer credentials SHOULD get no error code, \
                     this one got {e:?}"
                ),
                (_, g) if g == wanted && status == expect.status() => "refused as RFC 6750 §3.1 says".to_string(),
                (_, g) => format!(
                    "refused, though RFC 6750 §3.1 would answer {} (got {status}{})",
                    expect.text(),
                    g.map(|g| format!(" {g}")).unwrap_or_default()
                ),
            }
        }
        _ => {
            return (
                Verdict::Inconclusive,
                actual,
                format!("HTTP {status} is neither acceptance nor a refusal: the API failed on this request"),
            );
        }
    };
    (Verdict::Secure, actual, explanation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, challenge: Option<&str>) -> Result<HttpResponse, FlowError> {
        let headers = challenge.map(|c| vec![("www-authenticate".to_string(), c.to_string())]).unwrap_or_default();
        Ok(HttpResponse { status, headers, body: String::new(), elapsed_ms: 0 })
    }

    #[test]
    fn correct_rfc6750_answers_are_secure_and_acceptance_is_vulnerable() {
        let (v, a, _) = judge(Expect::Unauthenticated, "x", &resp(401, Some("Bearer realm=\"api\"")));
        assert_eq!((v, a.as_str()), (Verdict::Secure, "401 (no error code)"));
        let (v, _, why) = judge(Expect::Unauthenticated, "x", &resp(401, Some("Bearer error=\"invalid_token\"")));
        assert_eq!(v, Verdict::Secure);
        assert!(why.contains("SHOULD get no error code"), "{why}");
        let (v, a, _) = judge(Expect::InvalidRequest, "x", &resp(400, Some("Bearer error=\"invalid_request\"")));
        assert_eq!((v, a.as_str()), (Verdict::Secure, "400 invalid_request"));
        let (v, _, why) = judge(Expect::InvalidToken, "accepts expired tokens", &resp(200, None));
        assert_eq!(v, Verdict::Vulnerable);
        assert!(why.contains("accepts expired tokens"));
        assert_eq!(judge(Expect::Accepted, "x", &resp(200, None)).0, Verdict::Secure);
        assert_eq!(judge(Expect::Accepted, "x", &resp(401, None)).0, Verdict::Inconclusive);
        assert_eq!(judge(Expect::InvalidToken, "x", &resp(302, None)).0, Verdict::Inconclusive);
        assert_eq!(judge(Expect::InvalidToken, "x", &resp(500, None)).0, Verdict::Inconclusive);
    }
}
