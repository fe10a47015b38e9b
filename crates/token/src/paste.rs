//! Paste mistakes around a token: quotes, surrounding whitespace, line breaks inside, a leading
//! `Bearer `. None of these characters can be part of a token (RFC 6750 §2.1 `b64token`, RFC 7515
//! §7.1 compact serialization), so removing them never changes a real token: the cleaned value is
//! what the user meant, and each mistake is reported so they can fix the paste (or the client
//! that sends the token that way).

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PasteMistake {
    /// `"eyJ…"`, `'eyJ…'`, typographic quotes or backticks, or a stray one at one end.
    Quotes,
    /// Spaces, tabs or line breaks before or after the token.
    Whitespace,
    /// The token wrapped over several lines (terminal, e-mail, YAML).
    LineBreaks,
    /// `Bearer eyJ…` (any case): the scheme of the Authorization header came along.
    BearerPrefix,
}

impl PasteMistake {
    pub fn as_str(self) -> &'static str {
        match self {
            PasteMistake::Quotes => "quotes",
            PasteMistake::Whitespace => "whitespace",
            PasteMistake::LineBreaks => "line_breaks",
            PasteMistake::BearerPrefix => "bearer_prefix",
        }
    }
}

/// One mistake and how it showed, e.g. `a leading 'bearer '`. Never quotes the token itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Mistake {
    pub kind: PasteMistake,
    pub what: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cleaned {
    pub token: String,
    /// In the order they were found, each kind once.
    pub mistakes: Vec<Mistake>,
}

impl Cleaned {
    pub fn kinds(&self) -> Vec<PasteMistake> {
        self.mistakes.iter().map(|m| m.kind).collect()
    }

    /// "a leading 'Bearer ' and double quotes around it".
    pub fn describe(&self) -> String {
        let parts: Vec<&str> = self.mistakes.iter().map(|m| m.what.as_str()).collect();
        match parts.as_slice() {
            [] => String::new(),
            [one] => one.to_string(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

/// Pairs of quote characters people paste tokens in: ASCII, typographic, and Markdown backticks.
const QUOTES: &[(char, char, &str)] = &[
    ('"', '"', "double quotes"),
    ('\'', '\'', "single quotes"),
    ('`', '`', "backticks"),
    ('\u{201c}', '\u{201d}', "typographic quotes"),
    ('\u{2018}', '\u{2019}', "typographic quotes"),
];

fn is_quote(c: char) -> bool {
    QUOTES.iter().any(|(open, close, _)| c == *open || c == *close)
}

/// The token without the paste mistakes around and inside it, and what they were.
pub fn clean(raw: &str) -> Cleaned {
    let mut found: Vec<Mistake> = Vec::new();
    let mut note = |kind: PasteMistake, what: String| {
        if !found.iter().any(|m| m.kind == kind) {
            found.push(Mistake { kind, what });
        }
    };
    let mut t = raw;
    // Layers come in any order (`"Bearer eyJ…"`, `Bearer 'eyJ…'`, ` "eyJ…" `): peel until none is left.
    loop {
        let before = t.len();
        let trimmed = t.trim();
        if trimmed.len() != t.len() {
            note(PasteMistake::Whitespace, "spaces or line breaks around it".into());
            t = trimmed;
        }
        if let Some((scheme, rest)) = t.split_once(char::is_whitespace)
            && scheme.eq_ignore_ascii_case("bearer")
            && !rest.trim().is_empty()
        {
            note(PasteMistake::BearerPrefix, format!("a leading '{scheme} '"));
            t = rest.trim_start();
        }
        // `"eyJ…",` is a value copied out of JSON, comma and all.
        if let Some(rest) = t.strip_suffix(',')
            && rest.ends_with(is_quote)
        {
            t = rest;
        }
        let mut chars = t.chars();
        if let (Some(first), Some(last)) = (chars.next(), chars.next_back())
            && let Some((.., name)) = QUOTES.iter().find(|(open, close, _)| first == *open && last == *close)
        {
            note(PasteMistake::Quotes, format!("{name} around it"));
            t = chars.as_str();
        } else if t.starts_with(is_quote) || t.ends_with(is_quote) {
            // One quote only: the other was lost when selecting, or came from the JSON around it.
            note(PasteMistake::Quotes, "a stray quote at one end".into());
            t = t.trim_start_matches(is_quote).trim_end_matches(is_quote);
        }
        if t.len() == before {
            break;
        }
    }
    // CRLF counts once; no copy of the token on the common, clean path.
    let breaks = t.matches('\n').count() + t.matches('\r').count() - t.matches("\r\n").count();
    let token = if breaks > 0 {
        // A wrapped token: the indentation of the following lines goes too (YAML, e-mail, logs).
        let s = if breaks == 1 { "" } else { "s" };
        note(PasteMistake::LineBreaks, format!("{breaks} line break{s} inside it"));
        t.chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        t.to_string()
    };
    Cleaned { token, mistakes: found }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";

    #[test]
    fn each_mistake_is_named_and_removed() {
        for (raw, kinds) in [
            (format!("\"{T}\""), vec![PasteMistake::Quotes]),
            (format!("'{T}'"), vec![PasteMistake::Quotes]),
            (format!("\u{201c}{T}\u{201d}"), vec![PasteMistake::Quotes]),
            (format!("\"{T}\","), vec![PasteMistake::Quotes]),
            (format!("  {T}\n"), vec![PasteMistake::Whitespace]),
            (format!("{}\n{}", &T[..20], &T[20..]), vec![PasteMistake::LineBreaks]),
            (format!("{}\r\n    {}", &T[..20], &T[20..]), vec![PasteMistake::LineBreaks]),
            (format!("Bearer {T}"), vec![PasteMistake::BearerPrefix]),
            (format!("bearer {T}"), vec![PasteMistake::BearerPrefix]),
            (format!("BEARER\t{T}"), vec![PasteMistake::BearerPrefix]),
            (
                format!(" \"Bearer {T}\" "),
                vec![PasteMistake::Whitespace, PasteMistake::Quotes, PasteMistake::BearerPrefix],
            ),
            (format!("Bearer '{T}'"), vec![PasteMistake::BearerPrefix, PasteMistake::Quotes]),
            (format!("{T}\""), vec![PasteMistake::Quotes]),
        ] {
            let c = clean(&raw);
            assert_eq!(c.kinds(), kinds, "{raw:?}");
            if !kinds.is_empty() {
                assert_eq!(c.token, T, "{raw:?}");
            }
        }
    }

    #[test]
    fn a_clean_token_is_left_alone() {
        assert_eq!(clean(T), Cleaned { token: T.into(), mistakes: vec![] });
        // "Bearer" alone, or a token that merely starts with the letters, is not a prefix.
        assert_eq!(clean("Bearer").token, "Bearer");
        assert_eq!(clean("Bearerish.token").token, "Bearerish.token");
    }

    #[test]
    fn descriptions_never_contain_the_token() {
        let c = clean(&format!("bearer \"{}\n{}\"", &T[..10], &T[10..]));
        assert_eq!(c.token, T);
        let d = c.describe();
        assert_eq!(d, "a leading 'bearer ', double quotes around it and 1 line break inside it");
        assert!(!d.contains(&T[..10]));
    }
}
