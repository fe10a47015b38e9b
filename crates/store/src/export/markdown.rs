//! A Markdown report of a session, to paste into a ticket: a summary table, the error, the sequence
//! diagram (Mermaid, `sequence.rs`), each step
//! with its request and response (JSON pretty-printed), and the tokens' decoded claims. Leaves out
//! HTML and long bodies beyond 20,000 characters (cut, with a note). Text on a line of ours
//! (titles, errors, table cells) is made single-line and its Markdown punctuation escaped, so a
//! title from `sessions rename`, an import or a provider cannot end a heading or add markup;
//! fenced blocks keep their lines but lose control characters.

use inspector_engine::step::StepKind;

use crate::SessionRecord;
use crate::export::escape_controls;
use crate::time::iso8601;

const BODY_LIMIT: usize = 20_000;

/// `s` as literal text within one Markdown line: control characters (newlines included) made
/// visible, and every character CommonMark or GFM could read as markup backslash-escaped.
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in escape_controls(s, false).chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&' | '!' | '(' | ')') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `s` as an inline code span: single-line, delimited by a backtick run longer than any inside.
fn code_span(s: &str) -> String {
    let s = escape_controls(s, false);
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest + 1);
    // A space on each side keeps a leading or trailing backtick from joining the delimiter.
    let pad = if s.starts_with('`') || s.ends_with('`') { " " } else { "" };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

/// A fenced block that no backtick run inside `text` can close early.
fn fenced(lang: &str, text: &str) -> String {
    let text = escape_controls(text, true);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end())
}

fn body(text: &str) -> (String, &'static str) {
    let (pretty, lang) = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) if v.is_object() || v.is_array() => (serde_json::to_string_pretty(&v).unwrap_or_default(), "json"),
        _ => (text.to_string(), ""),
    };
    if pretty.len() > BODY_LIMIT {
        let cut: String = pretty.chars().take(BODY_LIMIT).collect();
        (format!("{cut}\n… ({} more characters not shown)", pretty.len() - cut.len()), lang)
    } else {
        (pretty, lang)
    }
}

fn cell(s: &str) -> String {
    inline(s)
}

pub fn render(rec: &SessionRecord) -> String {
    let s = &rec.summary;
    let mut out = format!("# {}\n\n", inline(&s.title));
    out.push_str("| | |\n|---|---|\n");
    let mut row = |k: &str, v: String| out.push_str(&format!("| {k} | {} |\n", cell(&v)));
    // Our own markup, not a value: written as it is.
    let secrets = if rec.redacted {
        "redacted (`<redacted:label>` markers)"
    } else {
        "**NOT REDACTED** — this report contains live secrets"
    };
    row("Session", s.id.to_string());
    row("Flow", s.flow.clone());
    row("Provider", s.provider.clone());
    if !s.client.is_empty() {
        row("Client", s.client.clone());
    }
    row("Outcome", s.outcome.clone());
    row("Started", iso8601(s.started_ms));
    if let Some(end) = s.ended_ms {
        row("Duration", format!("{} ms", end - s.started_ms));
    }
    row("Steps", s.step_count.to_string());
    if !s.tags.is_empty() {
        row("Tags", s.tags.join(", "));
    }
    out.push_str(&format!("| Secrets | {secrets} |\n"));
    out.push('\n');
    if !rec.notes.trim().is_empty() {
        out.push_str(&format!("## Notes\n\n{}\n\n", rec.notes.trim()));
    }
    if let Some(e) = &rec.error {
        out.push_str(&format!(
            "## Error\n\n{} — {}\n\n",
            code_span(
                &serde_json::to_value(e.code).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
            ),
            inline(&e.message)
        ));
    }
    if !rec.steps.is_empty() {
        out.push_str("## Sequence diagram\n\n");
        out.push_str(&crate::export::sequence::render(&rec.steps));
        out.push('\n');
    }
    out.push_str("## Steps\n\n");
    for step in &rec.steps {
        let mark = match step.status {
            inspector_engine::StepStatus::Ok => "✔",
            inspector_engine::StepStatus::Warning => "⚠",
            inspector_engine::StepStatus::Failed => "✘",
        };
        out.push_str(&format!("### {}. {mark} {}\n\n", step.seq, inline(&step.title)));
        match &step.kind {
            StepKind::Http { request, response } => {
                let mut head = format!("{} {}\n", request.method, request.url);
                for (n, v) in &request.headers {
                    head.push_str(&format!("{n}: {v}\n"));
                }
                if let Some(b) = &request.body {
                    head.push('\n');
                    head.push_str(b);
                }
                out.push_str("Request:\n\n");
                out.push_str(&fenced("http", &head));
                out.push('\n');
                match response {
                    Some(r) => {
                        out.push_str(&format!(
                            "Response: **{}** {} ({} ms)\n\n",
                            r.status,
                            inline(r.content_type().unwrap_or("-")),
                            r.elapsed_ms
                        ));
                        let headers: String = r.headers.iter().map(|(n, v)| format!("{n}: {v}\n")).collect();
                        if !headers.is_empty() {
                            out.push_str(&fenced("http", &headers));
                            out.push('\n');
                        }
                        if !r.body.is_empty() {
                            let (text, lang) = body(&r.body);
                            out.push_str(&fenced(lang, &text));
                            out.push('\n');
                        }
                    }
                    None => out.push_str("Response: none (nothing came back)\n\n"),
                }
            }
            StepKind::Local { details } => {
                out.push_str(&fenced("json", &serde_json::to_string_pretty(details).unwrap_or_default()));
                out.push('\n');
            }
        }
        if let Some(e) = &step.error {
            out.push_str(&format!("> **Error:** {}\n\n", inline(&e.message)));
        }
    }
    if let Some(t) = &rec.tokens {
        out.push_str("## Tokens\n\n");
        out.push_str(&format!(
            "`token_type` {}, `expires_in` {}, `scope` {}\n\n",
            inline(&t.token_type),
            t.expires_in.map_or("-".into(), |e| e.to_string()),
            inline(t.scope.as_deref().unwrap_or("-"))
        ));
        for (name, tok) in [
            ("Access token", Some(&t.access_token)),
            ("ID token", t.id_token.as_ref()),
            ("Refresh token", t.refresh_token.as_ref()),
        ] {
            let Some(tok) = tok else { continue };
            match crate::jwt::claims(tok) {
                Some(c) => {
                    out.push_str(&format!("{name} claims (decoded, not verified):\n\n"));
                    out.push_str(&fenced("json", &serde_json::to_string_pretty(&c).unwrap_or_default()));
                    out.push('\n');
                }
                None => out.push_str(&format!("{name}: {}\n\n", code_span(tok))),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fences_outgrow_backticks_inside() {
        assert!(super::fenced("", "a ``` b").starts_with("````\n"));
        assert!(super::fenced("json", "{}").starts_with("```json\n"));
        assert_eq!(super::fenced("", "a\x1b[2Jb\nc"), "```\na\\x1b[2Jb\nc\n```\n");
    }

    #[test]
    fn inline_text_stays_on_its_line_and_adds_no_markup() {
        let t = super::inline("x\n# rm -rf ~\n`code` *b* [l](http://e) <img src=x> a|b");
        assert!(!t.contains('\n'), "{t}");
        // The backslash of `\n` is escaped too: rendered, the reader sees `\n`.
        assert_eq!(t, r"x\\n\# rm -rf \~\\n\`code\` \*b\* \[l\]\(http://e\) \<img src=x\> a\|b");
        assert_eq!(super::code_span("a`b"), "``a`b``");
        assert_eq!(super::code_span("`x\ny"), "`` `x\\ny ``");
    }
}
