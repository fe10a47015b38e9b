//! The one redaction of the product, used by the store, the exports, the CLI and the window alike:
//! what a step shows when secrets must not be seen. Three rules, applied together:
//! - **by known value**: every value the engine marked as secret (`Step::secrets`, a token set),
//!   where it stands as a whole value, in its raw, form-encoded and JSON-escaped (`\/`, `\uXXXX`)
//!   forms, and inside Basic credentials;
//! - **by field name**: `access_token`, `code`, `client_secret`, any `*_token`, … in JSON bodies,
//!   form bodies, query strings and URL fragments, whether or not the engine could parse them;
//! - **by header**: the credentials of `Authorization`/`Proxy-Authorization` (the scheme stays) and
//!   the whole of `Cookie`, `Set-Cookie` and `DPoP`.
//!
//! A JWT keeps its header and claims and loses its signature (`h.p.<redacted:access_token_signature>`).
//! Values are replaced as whole values, never as substrings of other words: a code `x` does not turn
//! `expected` into `e<redacted>pected`. Leaves out deciding which values are secrets (the flows mark
//! them) and how sealed copies are kept (the store).

use crate::error::FlowError;
use crate::event::FlowEvent;
use crate::step::{HttpRequest, SecretMark, Step, StepKind};
use crate::token_response::TokenSet;

/// Field names whose values are secrets wherever they appear (JSON, form, query, fragment).
const SECRET_FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "code_verifier",
    "device_code",
    "client_secret",
    "client_assertion",
    "assertion",
    "subject_token",
    "actor_token",
    "password",
    "token",
];

/// Headers whose whole value (or, for credentials, all after the scheme) is a secret.
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "proxy-authorization"];
const WHOLE_HEADERS: &[&str] = &["cookie", "set-cookie", "dpop"];

/// Known values shorter than this are redacted only where they stand as a field's value: in free
/// text they would match ordinary words and numbers.
const MIN_FREE_TEXT: usize = 6;

/// The marker a redacted value is replaced with.
pub fn marker(label: &str) -> String {
    format!("<redacted:{label}>")
}

/// The label of a secret field, or `None` when the field is not a secret. `code` is named for
/// what it is, as the flows mark it.
pub fn secret_field(name: &str) -> Option<String> {
    let n = name.trim().to_ascii_lowercase();
    if n == "code" {
        return Some("authorization_code".into());
    }
    (SECRET_FIELDS.contains(&n.as_str()) || n.ends_with("_token")).then_some(n)
}

/// What a secret value becomes: a JWT keeps header and claims, anything else is a marker.
fn replacement(value: &str, label: &str) -> String {
    match crate::jwt::parts(value) {
        Some((h, p, _)) => format!("{h}.{p}.{}", marker(&format!("{label}_signature"))),
        None => marker(label),
    }
}

fn already_redacted(v: &str) -> bool {
    v.starts_with("<redacted:") || v.contains(".<redacted:")
}

/// Characters that continue a word or token: a value next to one of them is part of something
/// longer and is not the secret standing alone.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/')
}

/// Replaces a set of secret values and every secret field in any text or step.
#[derive(Default, Clone, Debug)]
pub struct Redactor {
    /// (value, label), longest value first so a secret inside another is not half-replaced.
    known: Vec<(String, String)>,
    /// (encoded form, replacement) for the free-text pass, longest first.
    encoded: Vec<(String, String)>,
}

impl Redactor {
    pub fn new<'a>(marks: impl IntoIterator<Item = &'a SecretMark>) -> Self {
        let mut r = Self::default();
        r.extend(marks);
        r
    }

    /// Learns more secret values (e.g. the marks of each step as a session goes on).
    pub fn extend<'a>(&mut self, marks: impl IntoIterator<Item = &'a SecretMark>) {
        for m in marks {
            if m.value.is_empty() || self.known.iter().any(|(v, _)| *v == m.value) {
                continue;
            }
            self.known.push((m.value.clone(), m.label.clone()));
            if m.value.chars().count() < MIN_FREE_TEXT {
                continue;
            }
            let rep = replacement(&m.value, &m.label);
            for form in encodings(&m.value) {
                if !self.encoded.iter().any(|(have, _)| *have == form) {
                    self.encoded.push((form, rep.clone()));
                }
            }
        }
        self.known.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        self.encoded.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
    }

    /// Learns the secrets an event carries: a step's marks, a token set's tokens.
    pub fn observe(&mut self, event: &FlowEvent) {
        match event {
            FlowEvent::Step(s) => self.extend(&s.secrets),
            FlowEvent::Pending(p) => self.extend(&p.secrets),
            FlowEvent::Tokens(t) => self.extend(&t.secret_marks()),
            _ => {}
        }
    }

    /// The label of a known secret value.
    fn label_of(&self, value: &str) -> Option<&str> {
        self.known.iter().find(|(v, _)| v == value).map(|(_, l)| l.as_str())
    }

    /// What a value becomes, given the field it stands in (if any); `None` keeps it.
    fn whole_value(&self, field: Option<&str>, value: &str) -> Option<String> {
        if value.is_empty() || already_redacted(value) {
            return None;
        }
        if let Some(label) = self.label_of(value) {
            return Some(replacement(value, label));
        }
        let label = secret_field(field?)?;
        Some(replacement(value, &label))
    }

    /// Redacts free text: a body (JSON, form, HTML, anything), a URL, a title, a message.
    pub fn scrub(&self, text: &str) -> String {
        let text = self.json_strings(text);
        let text = self.pairs(&text);
        let text = self.free_values(&text);
        credentials_in_text(&text, self)
    }

    /// One header's value, by the header rules first.
    pub fn header(&self, name: &str, value: &str) -> String {
        let lower = name.to_ascii_lowercase();
        if WHOLE_HEADERS.contains(&lower.as_str()) {
            let label = if lower == "dpop" { "dpop" } else { "cookie" };
            return marker(label);
        }
        if CREDENTIAL_HEADERS.contains(&lower.as_str()) {
            let label = self.label_of(value).map(str::to_string);
            return match value.trim().split_once(' ') {
                Some((scheme, rest)) if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric()) => {
                    let rest = rest.trim();
                    let label =
                        self.label_of(rest).map(str::to_string).or(label).unwrap_or_else(|| lower.replace('-', "_"));
                    format!("{scheme} {}", marker(&label))
                }
                _ => marker(&label.unwrap_or_else(|| lower.replace('-', "_"))),
            };
        }
        self.scrub(value)
    }

    /// A copy of `step` with every value known to this redactor and every marked value of the
    /// step replaced; the marks keep their labels and lose their values.
    pub fn step(&self, step: &Step) -> Step {
        let mut r = self.clone();
        r.extend(&step.secrets);
        let mut out = step.clone();
        out.secrets =
            step.secrets.iter().map(|m| SecretMark { label: m.label.clone(), value: String::new() }).collect();
        out.title = r.scrub(&out.title);
        match &mut out.kind {
            StepKind::Http { request, response } => {
                *request = r.request(request);
                if let Some(resp) = response {
                    r.headers(&mut resp.headers);
                    resp.body = r.scrub(&resp.body);
                }
            }
            StepKind::Local { details } => r.json_value(None, details),
        }
        if let Some(e) = &mut out.error {
            *e = r.error(e);
        }
        if let Some(edit) = &mut out.edited {
            for c in &mut edit.changes {
                let one = |v: &mut Option<String>| {
                    if let Some(v) = v {
                        *v = match c.part.as_str() {
                            "header" => r.header(&c.name, v),
                            "form" | "query" => r.whole_value(Some(&c.name), v).unwrap_or_else(|| r.scrub(v)),
                            _ => r.scrub(v),
                        };
                    }
                };
                one(&mut c.before);
                one(&mut c.after);
            }
        }
        out
    }

    /// A request (a step's, or one held at the gate) with its secrets replaced.
    pub fn request(&self, request: &HttpRequest) -> HttpRequest {
        let mut out = request.clone();
        out.url = self.scrub(&out.url);
        self.headers(&mut out.headers);
        out.body = out.body.as_deref().map(|b| self.scrub(b));
        out
    }

    fn headers(&self, hs: &mut [(String, String)]) {
        for (name, v) in hs.iter_mut() {
            *v = self.header(name, v);
        }
    }

    pub fn error(&self, e: &FlowError) -> FlowError {
        let mut e = e.clone();
        e.message = self.scrub(&e.message);
        if let Some(o) = &mut e.oauth {
            o.error_description = o.error_description.as_deref().map(|d| self.scrub(d));
            o.error_uri = o.error_uri.as_deref().map(|d| self.scrub(d));
        }
        e
    }

    /// A redacted copy of an event, with the secrets it carries learned first. Tokens keep their
    /// JWT header and claims.
    pub fn event(&mut self, event: &FlowEvent) -> FlowEvent {
        self.observe(event);
        match event {
            FlowEvent::Step(s) => FlowEvent::Step(self.step(s)),
            FlowEvent::Tokens(t) => FlowEvent::Tokens(tokens(t)),
            FlowEvent::Error(e) => FlowEvent::Error(self.error(e)),
            FlowEvent::Pending(p) => {
                let mut r = self.clone();
                r.extend(&p.secrets);
                FlowEvent::Pending(crate::gate::PendingRequest {
                    id: p.id,
                    request: r.request(&p.request),
                    secrets: vec![],
                })
            }
            other => other.clone(),
        }
    }

    /// Structured JSON (a step's details): secret fields and known values replaced, text scrubbed.
    fn json_value(&self, field: Option<&str>, v: &mut serde_json::Value) {
        use serde_json::Value;
        match v {
            Value::String(s) => {
                *s = self.whole_value(field, s).unwrap_or_else(|| self.scrub(s));
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.json_value(field, i)),
            Value::Object(map) => {
                for (k, item) in map.iter_mut() {
                    self.json_value(Some(k), item);
                }
            }
            _ => {}
        }
    }

    /// Every JSON string literal in `text` (a JSON body, or JSON inside anything): decoded, then
    /// replaced whole when its key is a secret field or it is a known value, else scrubbed; a
    /// literal that needs no change keeps its original bytes (escapes and all).
    fn json_strings(&self, text: &str) -> String {
        if !text.contains('"') {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut key: Option<String> = None;
        let mut rest = text;
        while let Some(start) = rest.find('"') {
            let (before, from_quote) = rest.split_at(start);
            // A key applies to the value right after its colon (or first in an array).
            if before.chars().any(|c| !c.is_whitespace() && c != ':' && c != '[') {
                key = None;
            }
            out.push_str(before);
            let Some(len) = literal_len(from_quote) else {
                out.push_str(from_quote);
                return out;
            };
            let (lit, after) = from_quote.split_at(len);
            let decoded: Option<String> = serde_json::from_str(lit).ok();
            let is_key = after.trim_start().starts_with(':');
            match decoded {
                Some(d) if is_key => {
                    out.push_str(lit);
                    key = Some(d);
                }
                Some(d) => {
                    let field = key.take();
                    let new = self.whole_value(field.as_deref(), &d).or_else(|| {
                        let s = self.pairs(&d);
                        let s = credentials_in_text(&self.free_values(&s), self);
                        (s != d).then_some(s)
                    });
                    match new {
                        Some(n) => out.push_str(&serde_json::to_string(&n).unwrap_or_default()),
                        None => out.push_str(lit),
                    }
                }
                None => out.push_str(lit),
            }
            rest = after;
        }
        out.push_str(rest);
        out
    }

    /// `name=value` pairs (form bodies, query strings, fragments, `Set-Cookie`-like text): the
    /// value of a secret field, or a value that is a known secret, is replaced where it stands.
    fn pairs(&self, text: &str) -> String {
        if !text.contains('=') {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(off) = text[i..].find('=') {
            let eq = i + off;
            // The name: back to a separator.
            let name_start = text[..eq]
                .char_indices()
                .rev()
                .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '%')))
                .map_or(0, |(p, c)| p + c.len_utf8());
            let value_start = eq + 1;
            let value_end = text[value_start..]
                .char_indices()
                .find(|&(_, c)| c.is_whitespace() || matches!(c, '&' | '#' | '"' | '\'' | '<' | '>' | ';' | ',' | '\\'))
                .map_or(text.len(), |(p, _)| value_start + p);
            i = value_end.max(value_start);
            // `==` padding or an empty name is not a pair.
            if name_start == eq || bytes.get(value_start) == Some(&b'=') {
                continue;
            }
            let name = percent_decode(&text[name_start..eq]);
            let raw = &text[value_start..value_end];
            let value = percent_decode(raw);
            if let Some(rep) = self.whole_value(Some(&name), &value).or_else(|| self.whole_value(None, raw)) {
                out.push_str(&text[last..value_start]);
                out.push_str(&rep);
                last = value_end;
            }
            if i >= text.len() {
                break;
            }
        }
        out.push_str(&text[last..]);
        out
    }

    /// Known values in any of their encodings, where they stand as whole words.
    fn free_values(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (form, rep) in &self.encoded {
            if out.contains(form.as_str()) {
                out = replace_whole(&out, form, rep);
            }
        }
        out
    }
}

/// The forms a value takes on the wire: raw, form-encoded, JSON-escaped (with and without `\/`),
/// and fully `\uXXXX`-escaped.
fn encodings(value: &str) -> Vec<String> {
    let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let json = serde_json::to_string(value).unwrap_or_default();
    let json = json[1..json.len().saturating_sub(1).max(1)].to_string();
    let slashed = json.replace('/', "\\/");
    let mut unicode = String::new();
    for unit in value.encode_utf16() {
        unicode.push_str(&format!("\\u{unit:04x}"));
    }
    let mut all = vec![
        value.to_string(),
        form,
        json,
        slashed,
        unicode.clone(),
        unicode.to_ascii_uppercase().replace("\\U", "\\u"),
    ];
    all.dedup();
    all
}

/// Replaces `needle` in `hay` only where it is not part of a longer word.
fn replace_whole(hay: &str, needle: &str, rep: &str) -> String {
    let mut out = String::with_capacity(hay.len());
    let mut last = 0;
    for (pos, _) in hay.match_indices(needle) {
        if pos < last {
            continue;
        }
        let before = hay[..pos].chars().next_back();
        let after = hay[pos + needle.len()..].chars().next();
        let edge_ok = |c: Option<char>, inner: Option<char>| match (c, inner) {
            (Some(c), Some(i)) => !(is_word_char(c) && is_word_char(i)),
            _ => true,
        };
        if edge_ok(before, needle.chars().next()) && edge_ok(after, needle.chars().next_back()) {
            out.push_str(&hay[last..pos]);
            out.push_str(rep);
            last = pos + needle.len();
        }
    }
    out.push_str(&hay[last..]);
    out
}

/// `Basic <b64>` and `Bearer <token>` written inside text (an echoed header, a curl line): Basic
/// credentials are always secret; a bearer token is when it is long enough not to be a word.
fn credentials_in_text(text: &str, r: &Redactor) -> String {
    let lower = text.to_ascii_lowercase();
    if !lower.contains("basic ") && !lower.contains("bearer ") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut i = 0;
    while i < text.len() {
        let found = ["basic ", "bearer "].iter().filter_map(|s| lower[i..].find(s).map(|p| (i + p, s.len()))).min();
        let Some((pos, slen)) = found else { break };
        let start = pos + slen;
        let end = text[start..]
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~' | '+' | '/' | '=')))
            .map_or(text.len(), |(p, _)| start + p);
        i = end.max(start);
        let boundary = text[..pos].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let cred = &text[start..end];
        if !boundary || cred.is_empty() || already_redacted(&text[start..]) {
            continue;
        }
        let rep = if slen == "basic ".len() {
            is_basic_credentials(cred).then(|| marker(r.label_of(cred).unwrap_or("basic_credentials")))
        } else if cred.len() >= 16 || r.label_of(cred).is_some() {
            Some(replacement(cred, r.label_of(cred).unwrap_or("bearer_token")))
        } else {
            None
        };
        if let Some(rep) = rep {
            out.push_str(&text[last..start]);
            out.push_str(&rep);
            last = end;
        }
    }
    out.push_str(&text[last..]);
    out
}

fn is_basic_credentials(b64: &str) -> bool {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|s| s.contains(':'))
}

/// The length of the JSON string literal at the start of `s` (which starts with `"`), if closed.
fn literal_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut k = 1;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 2,
            b'"' => return Some(k + 1),
            b'\n' => return None,
            _ => k += 1,
        }
    }
    None
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// A step redacted by its own marks.
pub fn step(step: &Step) -> Step {
    Redactor::default().step(step)
}

/// The token set with each token redacted (JWTs keep header and payload).
pub fn tokens(t: &TokenSet) -> TokenSet {
    let r = Redactor::new(&t.secret_marks());
    let one = |v: &str| r.whole_value(None, v).unwrap_or_else(|| v.to_string());
    TokenSet {
        access_token: one(&t.access_token),
        refresh_token: t.refresh_token.as_deref().map(one),
        id_token: t.id_token.as_deref().map(one),
        ..t.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::step::{HttpRequest, HttpResponse, StepStatus};
    use base64::Engine;

    fn jwt() -> String {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.SIGNATURE-bytes", b(r#"{"alg":"RS256"}"#), b(r#"{"sub":"alice"}"#))
    }

    fn http(
        url: &str,
        req_headers: Vec<(&str, &str)>,
        body: Option<&str>,
        resp_body: &str,
        marks: Vec<SecretMark>,
    ) -> Step {
        let h = |v: Vec<(&str, &str)>| v.into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        Step {
            seq: 1,
            at_ms: 0,
            title: "Token request".into(),
            status: StepStatus::Ok,
            kind: StepKind::Http {
                request: HttpRequest {
                    method: "POST".into(),
                    url: url.into(),
                    headers: h(req_headers),
                    body: body.map(str::to_string),
                },
                response: Some(HttpResponse {
                    status: 200,
                    headers: h(vec![("Set-Cookie", "sid=new; HttpOnly"), ("content-type", "text/plain")]),
                    body: resp_body.into(),
                    elapsed_ms: 1,
                }),
            },
            error: None,
            secrets: marks,
            ..Default::default()
        }
    }

    fn text(step: &Step) -> String {
        serde_json::to_string(&step.redacted()).unwrap()
    }

    #[test]
    fn unparsed_token_answers_lose_their_tokens_by_field_name() {
        // JSON without token_type, form-encoded (GitHub without Accept), JSON with \/ escapes:
        // the engine marked nothing, the field names are enough.
        for body in [
            r#"{"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a","scope":"repo"}"#.to_string(),
            "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo&token_type=bearer".to_string(),
            r#"{"access_token":"gho_16C7e42F292c\/6912E7710c838347Ae178B4a","token_type":"Bearer"}"#.to_string(),
            r#"{"refresh_token" : "\u0067ho_16C7e42F292c6912E7710c838347Ae178B4a", "scope": "a"}"#.to_string(),
        ] {
            let s = http("http://as/token", vec![], None, &body, vec![]);
            let out = text(&s);
            assert!(!out.contains("16C7e42F292c"), "token leaked from {body}: {out}");
            assert!(out.contains("<redacted:access_token>") || out.contains("<redacted:refresh_token>"), "{out}");
            assert!(out.contains("scope") || out.contains("token_type"), "non-secrets stay: {out}");
        }
    }

    #[test]
    fn known_values_go_in_every_encoding_and_inside_basic_credentials() {
        let secret = "s3cr/t+value";
        let basic = base64::engine::general_purpose::STANDARD.encode("client:s3cr%2Ft%2Bvalue");
        let body = "client_id=app&other=s3cr%2Ft%2Bvalue";
        let resp = format!(
            "{{\"error\":\"invalid_client\",\"error_description\":\"secret s3cr\\/t+value is wrong ({}), \\u0073\\u0033\\u0063\\u0072\\u002f\\u0074\\u002b\\u0076\\u0061\\u006c\\u0075\\u0065\"}} echo: Basic {basic}",
            secret
        );
        let s = http(
            "http://as/token",
            vec![("authorization", &format!("Basic {basic}"))],
            Some(body),
            &resp,
            vec![SecretMark::new("client_secret", secret)],
        );
        let red = s.redacted();
        let StepKind::Http { request, response: Some(r) } = &red.kind else { unreachable!() };
        for leak in [secret, "s3cr%2Ft%2Bvalue", "s3cr\\/t", "\\u0073\\u0033", basic.as_str()] {
            assert!(!r.body.contains(leak), "{leak} leaked: {}", r.body);
        }
        assert!(r.body.contains("<redacted:client_secret>") && r.body.contains("Basic <redacted:basic_credentials>"));
        assert_eq!(request.headers[0].1, "Basic <redacted:authorization>");
        assert_eq!(request.body.as_deref(), Some("client_id=app&other=<redacted:client_secret>"));
    }

    #[test]
    fn fields_in_query_fragment_form_and_headers() {
        let s = http(
            "http://app/cb?code=abc&state=xyz#access_token=frag-token-value&token_type=bearer",
            vec![("Cookie", "sid=abc123"), ("DPoP", "eyJh.eyJi.sig"), ("Proxy-Authorization", "Bearer zzz")],
            Some("grant_type=password&username=alice&password=hunter2&client_assertion=aaa.bbb.ccc"),
            "ok",
            vec![],
        );
        let red = s.redacted();
        let StepKind::Http { request, response } = &red.kind else { unreachable!() };
        assert_eq!(
            request.url,
            "http://app/cb?code=<redacted:authorization_code>&state=xyz#access_token=<redacted:access_token>&token_type=bearer"
        );
        assert_eq!(
            request.body.as_deref(),
            Some(
                "grant_type=password&username=alice&password=<redacted:password>&client_assertion=<redacted:client_assertion>"
            )
        );
        let hv: Vec<&str> = request.headers.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(hv, ["<redacted:cookie>", "<redacted:dpop>", "Bearer <redacted:proxy_authorization>"]);
        assert_eq!(response.as_ref().unwrap().headers[0].1, "<redacted:cookie>");
    }

    #[test]
    fn a_jwt_keeps_header_and_claims_and_loses_its_signature() {
        let body = format!(r#"{{"id_token":"{}"}}"#, jwt());
        let s = http("http://as/token", vec![], None, &body, vec![]);
        let red = s.redacted();
        let StepKind::Http { response: Some(r), .. } = &red.kind else { unreachable!() };
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let t = v["id_token"].as_str().unwrap();
        assert!(t.ends_with(".<redacted:id_token_signature>"), "{t}");
        assert_eq!(crate::jwt::claims(t).unwrap()["sub"], "alice");
        assert!(!r.body.contains("SIGNATURE-bytes"));
    }

    #[test]
    fn short_values_are_redacted_where_they_stand_not_inside_words() {
        let mut s =
            http("http://app/cb?code=x&state=s", vec![], None, r#"{"code":"x","note":"expected x-ray"}"#, vec![]);
        s.secrets = vec![SecretMark::new("authorization_code", "x")];
        s.title = "Callback: expected the code".into();
        let red = s.redacted();
        assert_eq!(red.title, "Callback: expected the code");
        let StepKind::Http { request, response: Some(r) } = &red.kind else { unreachable!() };
        assert_eq!(request.url, "http://app/cb?code=<redacted:authorization_code>&state=s");
        assert_eq!(r.body, r#"{"code":"<redacted:authorization_code>","note":"expected x-ray"}"#);
    }

    #[test]
    fn details_error_and_title_are_redacted_and_untouched_text_keeps_its_bytes() {
        let tok = "opaque-refresh-token-123";
        let mut r = Redactor::default();
        r.extend(&[SecretMark::new("refresh_token", tok)]);
        let mut s = Step {
            seq: 2,
            at_ms: 0,
            title: format!("Refresh with {tok}"),
            status: StepStatus::Failed,
            kind: StepKind::Local {
                details: serde_json::json!({"refresh_token": "other-value", "url": "http://x/?device_code=dc1", "n": 1}),
            },
            error: Some(FlowError::new(crate::ErrorCode::OauthError, format!("token {tok} revoked"))),
            secrets: vec![],
            ..Default::default()
        };
        s = r.step(&s);
        let out = serde_json::to_string(&s).unwrap();
        assert!(!out.contains(tok) && !out.contains("other-value") && !out.contains("dc1"), "{out}");
        assert_eq!(s.title, "Refresh with <redacted:refresh_token>");
        // A body with nothing secret comes back byte for byte, escapes included.
        let raw = r#"{"a":"x\/y\u0041" , "b": [1,2]}"#;
        assert_eq!(r.scrub(raw), raw);
    }
}
