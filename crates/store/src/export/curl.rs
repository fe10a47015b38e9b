//! curl commands reproducing each HTTP step of a session, as a POSIX shell script: one command per
//! step, every argument single-quoted. Redacted exports keep the `<redacted:label>` markers, to be
//! replaced by hand before running. Leaves out local steps (they send nothing) and cookies jars.

use inspector_engine::step::StepKind;

use crate::SessionRecord;

/// Quotes `s` for a POSIX shell.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Headers curl computes itself.
const SKIP: &[&str] = &["content-length", "host"];

pub fn render(rec: &SessionRecord) -> String {
    let s = &rec.summary;
    let mut out = format!(
        "#!/bin/sh\n# Session {}: {}\n# {} flow against {}, outcome {}.\n",
        s.id, s.title, s.flow, s.provider, s.outcome
    );
    if rec.redacted {
        out.push_str("# Redacted: replace each <redacted:…> marker with the real value before running.\n");
    } else {
        out.push_str("# NOT REDACTED: these commands contain live secrets.\n");
    }
    let mut any = false;
    for step in &rec.steps {
        let StepKind::Http { request, .. } = &step.kind else { continue };
        any = true;
        out.push_str(&format!("\n# {}. {}\n", step.seq, step.title.replace('\n', " ")));
        let mut cmd = String::from("curl -sS -i");
        if request.method != "GET" || request.body.is_some() {
            cmd.push_str(&format!(" -X {}", quote(&request.method)));
        }
        cmd.push_str(&format!(" {}", quote(&request.url)));
        for (n, v) in &request.headers {
            if SKIP.iter().any(|k| n.eq_ignore_ascii_case(k)) {
                continue;
            }
            cmd.push_str(&format!(" \\\n  -H {}", quote(&format!("{n}: {v}"))));
        }
        if let Some(b) = &request.body {
            cmd.push_str(&format!(" \\\n  --data-raw {}", quote(b)));
        }
        out.push_str(&cmd);
        out.push('\n');
    }
    if !any {
        out.push_str("\n# This session has no HTTP step.\n");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn single_quotes_survive_the_shell() {
        assert_eq!(super::quote("it's"), r"'it'\''s'");
    }
}
