//! Full-text search (SQLite FTS5) over REDACTED text only: titles, tags, notes, errors, URLs, request
//! parameters, response bodies and the decoded claims of JWTs in them. One FTS row per step, one
//! per session's own text, one for its tokens' claims; rowids are derived from the session id so a
//! session's rows are found and replaced by range. Leaves out ranking: results are newest first.

use inspector_engine::Step;
use inspector_engine::step::StepKind;

/// Rows per session in the rowid space: `session_id * SPAN + n`.
pub(crate) const SPAN: i64 = 1 << 20;
/// `n` of the session's own text (title, tags, notes, error).
pub(crate) const META: i64 = 0;
/// `n` of the tokens' claims.
pub(crate) const TOKENS: i64 = SPAN - 1;

pub(crate) fn rowid(session_id: i64, n: i64) -> i64 {
    session_id * SPAN + n.clamp(0, SPAN - 1)
}

fn push_pairs(out: &mut String, query: &str) {
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        out.push_str(&format!("{k}={v}\n"));
    }
}

fn push_jwt_claims(out: &mut String, text: &str) {
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')) {
        if let Some(claims) = crate::jwt::claims(word) {
            out.push_str(&claims.to_string());
            out.push('\n');
        }
    }
}

/// The searchable text of a redacted step.
pub(crate) fn step_text(step: &Step) -> String {
    let mut out = format!("{}\n", step.title);
    match &step.kind {
        StepKind::Http { request, response } => {
            out.push_str(&format!("{} {}\n", request.method, request.url));
            if let Ok(u) = url::Url::parse(&request.url) {
                push_pairs(&mut out, u.query().unwrap_or_default());
            }
            if let Some(b) = &request.body {
                if b.trim_start().starts_with('{') {
                    out.push_str(b);
                    out.push('\n');
                } else {
                    push_pairs(&mut out, b);
                }
            }
            if let Some(r) = response {
                out.push_str(&format!("HTTP {}\n", r.status));
                out.push_str(&r.body);
                out.push('\n');
                push_jwt_claims(&mut out, &r.body);
            }
        }
        StepKind::Local { details } => {
            let text = details.to_string();
            out.push_str(&text);
            out.push('\n');
            push_jwt_claims(&mut out, &text);
        }
    }
    if let Some(e) = &step.error {
        out.push_str(&format!("{:?} {}\n", e.code, e.message));
        if let Some(o) = &e.oauth {
            out.push_str(&format!("{} {}\n", o.error, o.error_description.as_deref().unwrap_or_default()));
        }
    }
    out
}

/// The searchable text of a session itself.
pub(crate) fn meta_text(
    title: &str,
    flow: &str,
    provider: &str,
    client: &str,
    tags: &[String],
    notes: &str,
    error: Option<&str>,
) -> String {
    format!("{title}\n{flow}\n{provider}\n{client}\n{}\n{notes}\n{}", tags.join(" "), error.unwrap_or_default())
}

/// An FTS5 query from what a person typed: every word must occur (as a prefix), and no character
/// of the input is FTS5 syntax. `None` when there is nothing to search for.
pub(crate) fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split_whitespace()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .map(|t| format!("\"{}\"*", t.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_input_never_becomes_fts_syntax() {
        assert_eq!(fts_query("invalid_client"), Some("\"invalid_client\"*".into()));
        assert_eq!(fts_query("a\" OR b"), Some("\"a\"\"\"* AND \"OR\"* AND \"b\"*".into()));
        assert_eq!(fts_query("  - * "), None);
    }

    #[test]
    fn rowids_of_sessions_do_not_overlap() {
        assert!(rowid(1, TOKENS) < rowid(2, META));
        assert_eq!(rowid(3, 5) / SPAN, 3);
    }
}
