//! Exporting a session: HAR 1.2 (for HTTP tools), our own JSON (lossless, importable back),
//! Markdown (a report for a ticket) and curl commands (to replay each HTTP step). Redacted by
//! default — secrets, token signatures, codes, verifiers, assertions and cookies become
//! `<redacted:label>` markers; `redact: false` unseals the whole values. Leaves out writing files
//! (the fronts do, through [`file::write_export`]) and any format that cannot say which values were redacted.

pub mod curl;
pub mod file;
pub mod har;
pub mod json;
pub mod markdown;
mod sequence;

use serde::{Deserialize, Serialize};

use crate::{Result, Store, StoreError, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Har,
    Json,
    Markdown,
    Curl,
}

impl std::str::FromStr for ExportFormat {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "har" => Ok(Self::Har),
            "json" => Ok(Self::Json),
            "md" | "markdown" => Ok(Self::Markdown),
            "curl" | "sh" => Ok(Self::Curl),
            other => Err(StoreError::InvalidQuery(format!(
                "expected an export format among har, json, md, curl, got {other:?}"
            ))),
        }
    }
}

impl ExportFormat {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Har => "har",
            Self::Json => "json",
            Self::Markdown => "md",
            Self::Curl => "sh",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportOptions {
    pub format: ExportFormat,
    /// Replace secrets by labelled markers (the default); `false` exports them in the clear.
    pub redact: bool,
}

impl ExportOptions {
    pub fn new(format: ExportFormat) -> Self {
        Self { format, redact: true }
    }
}

impl Store {
    /// The session rendered in the chosen format.
    pub async fn export(&self, id: i64, opts: ExportOptions) -> Result<String> {
        let rec = self.require(id, if opts.redact { View::Redacted } else { View::Full }).await?;
        Ok(match opts.format {
            ExportFormat::Har => serde_json::to_string_pretty(&har::render(&rec))?,
            ExportFormat::Json => serde_json::to_string_pretty(&json::SessionExport::of(&rec))?,
            ExportFormat::Markdown => markdown::render(&rec),
            ExportFormat::Curl => curl::render(&rec),
        })
    }
}

/// A header's value, case-insensitively.
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

pub(crate) fn status_word(s: inspector_engine::StepStatus) -> &'static str {
    match s {
        inspector_engine::StepStatus::Ok => "ok",
        inspector_engine::StepStatus::Warning => "warning",
        inspector_engine::StepStatus::Failed => "failed",
    }
}

/// `s` with every character that a terminal, a shell comment or a Markdown line would act on made
/// visible: C0 controls (`\n` kept when `keep_newlines`), DEL, C1 controls and the Unicode bidi
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can reorder what a reader sees.
/// Text from providers and imported files passes through here before it is shown or exported.
pub fn escape_controls(s: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0'..='\x1f' | '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_controls;

    #[test]
    fn controls_become_visible_and_newlines_stay_only_when_asked() {
        let s = "a\x1b]0;pwned\x07\r\tb\x7f\u{9b}c\u{202e}d\u{2066}\ne";
        assert_eq!(escape_controls(s, false), r"a\x1b]0;pwned\x07\r\tb\x7f\u{9b}c\u{202e}d\u{2066}\ne");
        assert_eq!(escape_controls(s, true), "a\\x1b]0;pwned\\x07\\r\\tb\\x7f\\u{9b}c\\u{202e}d\\u{2066}\ne");
        assert_eq!(escape_controls("plain · ✔ <x> 'q'", false), "plain · ✔ <x> 'q'");
    }
}
