//! `oauth-inspector sessions …`: list, show, search, export, import, diff, rename, tag, annotate
//! and delete saved sessions. A thin front over `inspector_store`; what it prints is redacted
//! unless `--no-redact` is given to `export`. Leaves out running flows (`flow`).
//!
//! Exit status as for every subcommand (see `main`): 0 done, 1 the session named does not exist,
//! 2 could not run (usage, an unreadable or foreign import file, the database, an export file that
//! exists without `--force`). Titles, tags and notes are printed through `term::one_line`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use inspector_engine::StepStatus;
use inspector_engine::step::StepKind;
use inspector_store::diff::{Difference, SessionDiff};
use inspector_store::time::iso8601;
use inspector_store::{ExportFormat, ExportOptions, ListQuery, SessionSummary, Store, View};

use crate::term::{self, note, one_line, say};
use crate::{Failure, store_failure};

#[derive(Subcommand)]
pub enum SessionsCommand {
    /// List saved sessions, newest first
    List(ListArgs),
    /// Show one session, redacted
    Show {
        id: i64,
        /// The whole session as JSON
        #[arg(long)]
        json: bool,
    },
    /// Export a session (redacted unless --no-redact)
    Export {
        id: i64,
        /// har | json | md | curl
        #[arg(long, value_parser = ["har", "json", "md", "markdown", "curl"])]
        format: String,
        /// Include secrets, tokens and codes as they are
        #[arg(long)]
        no_redact: bool,
        /// Write to FILE instead of stdout (refused if FILE exists, unless --force)
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Replace FILE if it exists
        #[arg(long, requires = "output")]
        force: bool,
    },
    /// Import a session exported with `export --format json`
    Import { file: PathBuf },
    /// Delete a session (undo with `restore`)
    Delete { id: i64 },
    /// Bring back a deleted session
    Restore { id: i64 },
    /// Compare two sessions step by step
    Diff {
        left: i64,
        right: i64,
        #[arg(long)]
        json: bool,
    },
    /// Give a session a title
    Rename { id: i64, title: String },
    /// Add tags to a session (or remove them with --remove)
    Tag {
        id: i64,
        #[arg(required = true)]
        tags: Vec<String>,
        #[arg(long)]
        remove: bool,
    },
    /// Set a session's notes ("" clears them)
    Notes { id: i64, text: String },
}

#[derive(Args)]
pub struct ListArgs {
    /// One JSON array of sessions
    #[arg(long)]
    json: bool,
    /// Words that must occur in URLs, parameters, claims, errors, titles, tags or notes
    #[arg(long)]
    search: Option<String>,
    /// client_credentials, authorization_code, device_code, refresh_token, ...
    #[arg(long)]
    flow: Option<String>,
    #[arg(long, value_parser = ["ok", "failed", "running", "interrupted"])]
    outcome: Option<String>,
    /// Part of the provider (issuer URL)
    #[arg(long)]
    provider: Option<String>,
    #[arg(long)]
    tag: Option<String>,
    #[arg(long, default_value_t = 50)]
    limit: i64,
    /// List deleted sessions (restorable) instead
    #[arg(long)]
    deleted: bool,
}

pub async fn run(cmd: SessionsCommand, db: Option<PathBuf>) -> Result<(), Failure> {
    let store = crate::open_store(db).await?;
    match cmd {
        SessionsCommand::List(a) => list(&store, a).await,
        SessionsCommand::Show { id, json } => show(&store, id, json).await,
        SessionsCommand::Export { id, format, no_redact, output, force } => {
            let format: ExportFormat = format.parse().map_err(store_failure)?;
            let text = store.export(id, ExportOptions { format, redact: !no_redact }).await.map_err(store_failure)?;
            match output {
                Some(file) => {
                    inspector_store::export::file::write_export(&file, text.as_bytes(), !no_redact, force)
                        .map_err(|e| Failure::Usage(e.to_string()))?;
                    note!(
                        "session {id} exported to {}{}",
                        one_line(&file.display().to_string()),
                        if no_redact { " (NOT redacted: it holds secrets; readable by you only)" } else { "" }
                    );
                }
                // The export as it is (a script, a report, JSON): what a pipe or a redirection is for.
                None => term::raw(format!("{text}{}", if text.ends_with('\n') { "" } else { "\n" }).as_bytes()),
            }
            Ok(())
        }
        SessionsCommand::Import { file } => {
            // An input file that cannot be read, or is not an export of ours, means the command
            // could not run (2), as for `token inspect` and `diagnose`.
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", file.display())))?;
            let id = store.import_json(&text).await.map_err(|e| match store_failure(e) {
                Failure::Usage(m) => Failure::Usage(format!("{}: {m}", file.display())),
                other => other,
            })?;
            say!("imported as session {id}");
            Ok(())
        }
        SessionsCommand::Delete { id } => {
            store.delete(id).await.map_err(store_failure)?;
            say!("deleted session {id} (undo: oauth-inspector sessions restore {id})");
            Ok(())
        }
        SessionsCommand::Restore { id } => {
            store.restore(id).await.map_err(|e| match store_failure(e) {
                Failure::Failed(m) => Failure::Failed(format!("{m} among the deleted sessions")),
                other => other,
            })?;
            say!("restored session {id}");
            Ok(())
        }
        SessionsCommand::Diff { left, right, json } => {
            let d = store.diff(left, right).await.map_err(store_failure)?;
            if json {
                term::raw(format!("{}\n", serde_json::to_string_pretty(&d).unwrap_or_default()).as_bytes());
            } else {
                print_diff(&d);
            }
            Ok(())
        }
        SessionsCommand::Rename { id, title } => {
            store.rename(id, &title).await.map_err(store_failure)?;
            say!("session {id} is now titled \"{}\"", one_line(&title));
            Ok(())
        }
        SessionsCommand::Tag { id, tags, remove } => {
            let current = store.require(id, View::Redacted).await.map_err(store_failure)?.summary.tags;
            let next: Vec<String> = if remove {
                current.into_iter().filter(|t| !tags.contains(t)).collect()
            } else {
                current.into_iter().chain(tags).collect()
            };
            let stored = store.set_tags(id, &next).await.map_err(store_failure)?;
            say!(
                "session {id} tags: {}",
                if stored.is_empty() { "(none)".into() } else { one_line(&stored.join(", ")) }
            );
            Ok(())
        }
        SessionsCommand::Notes { id, text } => {
            store.set_notes(id, &text).await.map_err(store_failure)?;
            say!("session {id} notes saved");
            Ok(())
        }
    }
}

fn minute(ms: i64) -> String {
    iso8601(ms).chars().take(16).collect::<String>().replace('T', " ")
}

async fn list(store: &Store, a: ListArgs) -> Result<(), Failure> {
    if a.limit < 1 {
        return Err(Failure::Usage(format!("expected --limit of at least 1, got {}", a.limit)));
    }
    let q = ListQuery {
        provider: a.provider,
        flow: a.flow,
        outcome: a.outcome,
        tag: a.tag,
        search: a.search,
        limit: Some(a.limit),
        deleted: a.deleted,
        ..Default::default()
    };
    let sessions = store.find(&q).await.map_err(store_failure)?;
    if a.json {
        term::raw(format!("{}\n", serde_json::to_string_pretty(&sessions).unwrap_or_default()).as_bytes());
        return Ok(());
    }
    if sessions.is_empty() {
        say!("no sessions");
        return Ok(());
    }
    say!("{:>5}  {:<16}  {:<11}  {:<18}  {:>5}  TITLE", "ID", "STARTED (UTC)", "OUTCOME", "FLOW", "STEPS");
    for s in &sessions {
        say!("{}", row(s));
    }
    Ok(())
}

fn row(s: &SessionSummary) -> String {
    // One row per session: every value on it single-line (a title from an import or a rename
    // may hold newlines and escape sequences).
    let tags = if s.tags.is_empty() { String::new() } else { format!("  [{}]", one_line(&s.tags.join(", "))) };
    format!(
        "{:>5}  {:<16}  {:<11}  {:<18}  {:>5}  {}{tags}",
        s.id,
        minute(s.started_ms),
        one_line(&s.outcome),
        one_line(&s.flow),
        s.step_count,
        one_line(&s.title)
    )
}

async fn show(store: &Store, id: i64, json: bool) -> Result<(), Failure> {
    let rec = store.require(id, View::Redacted).await.map_err(store_failure)?;
    if json {
        term::raw(format!("{}\n", serde_json::to_string_pretty(&rec).unwrap_or_default()).as_bytes());
        return Ok(());
    }
    let s = &rec.summary;
    say!("Session {}: {}", s.id, one_line(&s.title));
    say!("  flow      {}", one_line(&s.flow));
    say!("  provider  {}", one_line(&s.provider));
    if !s.client.is_empty() {
        say!("  client    {}", one_line(&s.client));
    }
    let took = s.ended_ms.map(|e| format!(", {} ms", e - s.started_ms)).unwrap_or_default();
    say!("  outcome   {} (started {} UTC{took})", one_line(&s.outcome), minute(s.started_ms));
    if !s.tags.is_empty() {
        say!("  tags      {}", one_line(&s.tags.join(", ")));
    }
    if !rec.notes.is_empty() {
        say!("  notes     {}", one_line(&rec.notes));
    }
    if let Some(e) = &rec.error {
        say!("  error     {}", one_line(&e.message));
    }
    say!();
    for step in &rec.steps {
        let mark = match step.status {
            StepStatus::Ok => "✔",
            StepStatus::Warning => "!",
            StepStatus::Failed => "✘",
        };
        let tail = match &step.kind {
            StepKind::Http { request, response } => {
                let what = if step.title.contains(&request.url) {
                    String::new()
                } else {
                    format!(" {} {}", one_line(&request.method), one_line(&request.url))
                };
                match response {
                    Some(r) => format!("  ·{what} → {} ({} ms)", r.status, r.elapsed_ms),
                    None => format!("  ·{what} → no response"),
                }
            }
            StepKind::Local { .. } => String::new(),
        };
        say!("{mark} #{} {}{tail}", step.seq, one_line(&step.title));
    }
    if let Some(t) = &rec.tokens {
        say!(
            "\ntokens: {} {} (expires_in {}){}",
            one_line(&t.token_type),
            one_line(t.scope.as_deref().unwrap_or("")),
            t.expires_in.map_or("-".into(), |e| e.to_string()),
            [("refresh", t.refresh_token.is_some()), ("id", t.id_token.is_some())]
                .iter()
                .filter(|(_, y)| *y)
                .map(|(n, _)| format!(", {n} token"))
                .collect::<String>()
        );
    }
    Ok(())
}

fn value(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(serde_json::Value::String(s)) => one_line(s),
        Some(other) => one_line(&other.to_string()),
    }
}

fn difference(d: &Difference) -> String {
    let aspect = serde_json::to_value(d.aspect)
        .ok()
        .and_then(|a| a.as_str().map(String::from))
        .unwrap_or_default()
        .replace('_', " ");
    let what = if aspect.ends_with(&d.name) { aspect } else { format!("{aspect} {}", one_line(&d.name)) };
    format!("{what}: {} → {}", value(&d.left), value(&d.right))
}

fn print_diff(d: &SessionDiff) {
    say!(
        "session {} ({}) → session {} ({})",
        d.left.id,
        one_line(&d.left.outcome),
        d.right.id,
        one_line(&d.right.outcome)
    );
    if d.same {
        say!(
            "no difference (values that change on every run — state, nonce, PKCE, codes, token ids and times — are not compared)"
        );
        return;
    }
    for x in &d.session {
        say!("  {}", difference(x));
    }
    say!();
    for s in &d.steps {
        match (&s.left, &s.right) {
            (Some(l), Some(r)) => {
                let sign = if s.differences.is_empty() { "=" } else { "≠" };
                if l.title == r.title {
                    say!("{sign} #{}/#{} {}", l.seq, r.seq, one_line(&l.title));
                } else {
                    say!("{sign} #{}/#{} {}  |  {}", l.seq, r.seq, one_line(&l.title), one_line(&r.title));
                }
                for x in &s.differences {
                    say!("      {}", difference(x));
                }
            }
            (Some(l), None) => say!("- #{} {}   (only in session {})", l.seq, one_line(&l.title), d.left.id),
            (None, Some(r)) => say!("+ #{} {}   (only in session {})", r.seq, one_line(&r.title), d.right.id),
            (None, None) => {}
        }
    }
}
