//! curl commands reproducing each HTTP step of a session, as a POSIX shell script: one command per
//! step, every argument single-quoted. Redacted exports keep the `<redacted:label>` markers, to be
//! replaced by hand before running. Text that is not an argument (titles, provider, outcome) goes
//! only into `#` comments, each made single-line and free of control characters first: a title
//! comes from `sessions rename`, an import or a client id, and must never run as a command.
//! Leaves out local steps (they send nothing) and cookies jars.

use inspector_engine::step::StepKind;

use crate::SessionRecord;
use crate::export::escape_controls;

/// Quotes `s` for a POSIX shell.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `s` fit for the rest of a `#` comment line: a newline would end the comment and start a command.
fn comment(s: &str) -> String {
    escape_controls(s, false)
}

/// Headers curl computes itself.
const SKIP: &[&str] = &["content-length", "host"];

pub fn render(rec: &SessionRecord) -> String {
    let s = &rec.summary;
    let mut out = format!(
        "#!/bin/sh\n# Session {}: {}\n# {} flow against {}, outcome {}.\n",
        s.id,
        comment(&s.title),
        comment(&s.flow),
        comment(&s.provider),
        comment(&s.outcome)
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
        out.push_str(&format!("\n# {}. {}\n", step.seq, comment(&step.title)));
        let mut cmd = String::from("curl -sS -i");
        if request.method != "GET" || request.body.is_some() {
            cmd.push_str(&format!(" -X {}", quote(&request.method)));
        }
        // --url: a URL beginning with `-` (an imported session) must not be taken for an option.
        cmd.push_str(&format!(" --url {}", quote(&request.url)));
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

    #[test]
    fn quoted_strings_reach_the_program_byte_for_byte() {
        for s in ["it's", "'", "''", "a\nrm -rf ~\n", "$(id) `id` ${HOME} \\ \"q\" ;|&<>*?", "-X\tDELETE\r\n"] {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf %s {}", super::quote(s)))
                .output()
                .unwrap();
            assert!(out.status.success(), "{s:?}: {}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(String::from_utf8(out.stdout).unwrap(), s);
        }
    }

    #[test]
    fn comments_stay_one_line() {
        assert_eq!(super::comment("x\nrm -rf ~\r\n\x1b[2J"), r"x\nrm -rf ~\r\n\x1b[2J");
    }
}
