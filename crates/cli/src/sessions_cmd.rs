//! `oauth-inspector sessions …`: list, show, search, export, import, diff, rename, tag, annotate
//! and delete saved sessions. A thin front over `inspector_store`; what it prints is redacted
//! unless `--no-redact` is given to `export`. Leaves out running flows (`flow`).
//!
//! Exit status: 0 done, 1 not found or failed (message on stderr), 2 usage error.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use inspector_engine::StepStatus;
use inspector_engine::step::StepKind;
use inspector_store::diff::{Difference, SessionDiff};
use inspector_store::time::iso8601;
use inspector_store::{ExportFormat, ExportOptions, ListQuery, SessionSummary, Store, View};

use crate::Failure;

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
        /// Write to FILE instead of stdout
        #[arg(long, short)]
        output: Option<PathBuf>,
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

/// Prints a failure and maps it to exit status 1.
fn failed(e: impl std::fmt::Display) -> Failure {
    eprintln!("oauth-inspector: {e}");
    Failure::Flow
}

fn store_failure(e: inspector_store::StoreError) -> Failure {
    match e {
        inspector_store::StoreError::InvalidQuery(m) => Failure::Usage(m),
        e => failed(e),
    }
}

pub async fn run(cmd: SessionsCommand, db: Option<PathBuf>) -> Result<(), Failure> {
    let path = db.unwrap_or_else(inspector_store::default_path);
    let store = Store::open(&path).await.map_err(failed)?;
    if let Ok(Some(notice)) = store.take_key_notice().await {
        eprintln!("{notice}");
    }
    match cmd {
        SessionsCommand::List(a) => list(&store, a).await,
        SessionsCommand::Show { id, json } => show(&store, id, json).await,
        SessionsCommand::Export { id, format, no_redact, output } => {
            let format: ExportFormat = format.parse().map_err(store_failure)?;
            let text = store.export(id, ExportOptions { format, redact: !no_redact }).await.map_err(store_failure)?;
            match output {
                Some(file) => {
                    std::fs::write(&file, &text)
                        .map_err(|e| failed(format!("cannot write {}: {e}", file.display())))?;
                    eprintln!(
                        "session {id} exported to {}{}",
                        file.display(),
                        if no_redact { " (NOT redacted: it holds secrets)" } else { "" }
                    );
                }
                None => print!("{text}{}", if text.ends_with('\n') { "" } else { "\n" }),
            }
            Ok(())
        }
        SessionsCommand::Import { file } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| failed(format!("cannot read {}: {e}", file.display())))?;
            let id = store.import_json(&text).await.map_err(|e| failed(format!("{}: {e}", file.display())))?;
            println!("imported as session {id}");
            Ok(())
        }
        SessionsCommand::Delete { id } => {
            store.delete(id).await.map_err(store_failure)?;
            println!("deleted session {id} (undo: oauth-inspector sessions restore {id})");
            Ok(())
        }
        SessionsCommand::Restore { id } => {
            store.restore(id).await.map_err(|e| failed(format!("{e} among the deleted sessions")))?;
            println!("restored session {id}");
            Ok(())
        }
        SessionsCommand::Diff { left, right, json } => {
            let d = store.diff(left, right).await.map_err(store_failure)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
            } else {
                print_diff(&d);
            }
            Ok(())
        }
        SessionsCommand::Rename { id, title } => {
            store.rename(id, &title).await.map_err(store_failure)?;
            println!("session {id} is now titled {title:?}");
            Ok(())
        }
        SessionsCommand::Tag { id, tags, remove } => {
            let current = store
                .session_view(id, View::Redacted)
                .await
                .map_err(failed)?
                .ok_or_else(|| failed(format!("no session {id}")))?
                .summary
                .tags;
            let next: Vec<String> = if remove {
                current.into_iter().filter(|t| !tags.contains(t)).collect()
            } else {
                current.into_iter().chain(tags).collect()
            };
            let stored = store.set_tags(id, &next).await.map_err(store_failure)?;
            println!("session {id} tags: {}", if stored.is_empty() { "(none)".into() } else { stored.join(", ") });
            Ok(())
        }
        SessionsCommand::Notes { id, text } => {
            store.set_notes(id, &text).await.map_err(store_failure)?;
            println!("session {id} notes saved");
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
        println!("{}", serde_json::to_string_pretty(&sessions).unwrap_or_default());
        return Ok(());
    }
    if sessions.is_empty() {
        println!("no sessions");
        return Ok(());
    }
    println!("{:>5}  {:<16}  {:<11}  {:<18}  {:>5}  TITLE", "ID", "STARTED (UTC)", "OUTCOME", "FLOW", "STEPS");
    for s in &sessions {
        println!("{}", row(s));
    }
    Ok(())
}

fn row(s: &SessionSummary) -> String {
    let tags = if s.tags.is_empty() { String::new() } else { format!("  [{}]", s.tags.join(", ")) };
    format!(
        "{:>5}  {:<16}  {:<11}  {:<18}  {:>5}  {}{tags}",
        s.id,
        minute(s.started_ms),
        s.outcome,
        s.flow,
        s.step_count,
        s.title
    )
}

async fn show(store: &Store, id: i64, json: bool) -> Result<(), Failure> {
    let rec = store
        .session_view(id, View::Redacted)
        .await
        .map_err(failed)?
        .ok_or_else(|| failed(format!("no session {id}")))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rec).unwrap_or_default());
        return Ok(());
    }
    let s = &rec.summary;
    println!("Session {}: {}", s.id, s.title);
    println!("  flow      {}", s.flow);
    println!("  provider  {}", s.provider);
    if !s.client.is_empty() {
        println!("  client    {}", s.client);
    }
    let took = s.ended_ms.map(|e| format!(", {} ms", e - s.started_ms)).unwrap_or_default();
    println!("  outcome   {} (started {} UTC{took})", s.outcome, minute(s.started_ms));
    if !s.tags.is_empty() {
        println!("  tags      {}", s.tags.join(", "));
    }
    if !rec.notes.is_empty() {
        println!("  notes     {}", rec.notes);
    }
    if let Some(e) = &rec.error {
        println!("  error     {}", e.message);
    }
    println!();
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
                    format!(" {} {}", request.method, request.url)
                };
                match response {
                    Some(r) => format!("  ·{what} → {} ({} ms)", r.status, r.elapsed_ms),
                    None => format!("  ·{what} → no response"),
                }
            }
            StepKind::Local { .. } => String::new(),
        };
        println!("{mark} #{} {}{tail}", step.seq, step.title);
    }
    if let Some(t) = &rec.tokens {
        println!(
            "\ntokens: {} {} (expires_in {}){}",
            t.token_type,
            t.scope.as_deref().unwrap_or(""),
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
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn difference(d: &Difference) -> String {
    let aspect = serde_json::to_value(d.aspect)
        .ok()
        .and_then(|a| a.as_str().map(String::from))
        .unwrap_or_default()
        .replace('_', " ");
    let what = if aspect.ends_with(&d.name) { aspect } else { format!("{aspect} {}", d.name) };
    format!("{what}: {} → {}", value(&d.left), value(&d.right))
}

fn print_diff(d: &SessionDiff) {
    println!("session {} ({}) → session {} ({})", d.left.id, d.left.outcome, d.right.id, d.right.outcome);
    if d.same {
        println!(
            "no difference (values that change on every run — state, nonce, PKCE, codes, token ids and times — are not compared)"
        );
        return;
    }
    for x in &d.session {
        println!("  {}", difference(x));
    }
    println!();
    for s in &d.steps {
        match (&s.left, &s.right) {
            (Some(l), Some(r)) => {
                let sign = if s.differences.is_empty() { "=" } else { "≠" };
                if l.title == r.title {
                    println!("{sign} #{}/#{} {}", l.seq, r.seq, l.title);
                } else {
                    println!("{sign} #{}/#{} {}  |  {}", l.seq, r.seq, l.title, r.title);
                }
                for x in &s.differences {
                    println!("      {}", difference(x));
                }
            }
            (Some(l), None) => println!("- #{} {}   (only in session {})", l.seq, l.title, d.left.id),
            (None, Some(r)) => println!("+ #{} {}   (only in session {})", r.seq, r.title, d.right.id),
            (None, None) => {}
        }
    }
}
