//! `oauth-inspector sessions …` against sessions saved by real flow runs (the binary against
//! `oauth-inspector sandbox`), with a key file of the test's own instead of the OS keychain.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }
    fn db(&self) -> String {
        db_arg(self.dir.path())
    }
    fn run(&self, args: &[&str]) -> Output {
        let out = Command::new(BIN)
            .arg("--db")
            .arg(self.db())
            .args(args)
            .env("OAUTH_INSPECTOR_KEY_FILE", self.dir.path().join("test.key"))
            .env_remove("OAUTH_INSPECTOR_CLIENT_SECRET")
            .output()
            .expect("run cli");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
    fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert_eq!(out.code, 0, "{args:?}\nstdout: {}\nstderr: {}", out.stdout, out.stderr);
        out
    }
    fn flow(&self, issuer: &str, secret: &str) -> Output {
        let out = self.run(&[
            "flow",
            "client-credentials",
            "--issuer",
            issuer,
            "--client-id",
            SERVICE_ID,
            "--client-secret",
            secret,
            "--scope",
            "orders.read",
        ]);
        assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
        out
    }
    fn list(&self, extra: &[&str]) -> Vec<serde_json::Value> {
        let mut args = vec!["sessions", "list", "--json"];
        args.extend_from_slice(extra);
        serde_json::from_str(&self.ok(&args).stdout).unwrap()
    }
}

fn ids(list: &[serde_json::Value]) -> Vec<i64> {
    list.iter().map(|s| s["id"].as_i64().unwrap()).collect()
}

#[test]
fn list_show_search_export_import_diff_edit_delete() {
    let sb = SandboxProcess::start();
    let cli = Cli::new();
    // The key file's existence is told once, on stderr, by the first command that opens the database.
    let first = cli.flow(&sb.issuer, SERVICE_SECRET);
    assert!(first.stderr.contains("no OS keychain") && first.stderr.contains("test.key"), "{}", first.stderr);
    let failing = cli.flow(&sb.issuer, "wrong-secret");
    assert!(!failing.stderr.contains("no OS keychain"), "told once only: {}", failing.stderr);
    let first = cli.ok(&["sessions", "list"]);
    assert!(
        first.stdout.contains("Client credentials · sandbox-service") && first.stdout.contains("failed"),
        "{}",
        first.stdout
    );
    let second = cli.ok(&["sessions", "list"]);
    assert!(second.stderr.is_empty(), "told once only: {}", second.stderr);

    assert_eq!(ids(&cli.list(&[])), vec![2, 1]);
    assert_eq!(ids(&cli.list(&["--outcome", "failed"])), vec![2]);
    assert_eq!(ids(&cli.list(&["--search", "invalid_client"])), vec![2]);
    assert_eq!(ids(&cli.list(&["--flow", "client_credentials", "--limit", "1"])), vec![2]);
    assert!(cli.list(&["--search", SERVICE_SECRET]).is_empty(), "secrets are not searchable");

    let show = cli.ok(&["sessions", "show", "2"]);
    assert!(show.stdout.contains("invalid_client") && show.stdout.contains("→ 401"), "{}", show.stdout);
    assert!(!show.stdout.contains("wrong-secret"));
    let json: serde_json::Value = serde_json::from_str(&cli.ok(&["sessions", "show", "1", "--json"]).stdout).unwrap();
    assert_eq!(json["redacted"], true);
    assert_eq!(json["outcome"], "ok");
    assert!(!json.to_string().contains(SERVICE_SECRET));

    // Exports: redacted unless asked; to a file with -o.
    let har_path = cli.dir.path().join("s1.har");
    let out = cli.ok(&["sessions", "export", "1", "--format", "har", "-o", har_path.to_str().unwrap()]);
    assert!(out.stderr.contains("exported to"), "{}", out.stderr);
    let har: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&har_path).unwrap()).unwrap();
    assert_eq!(har["log"]["version"], "1.2");
    let curl = cli.ok(&["sessions", "export", "1", "--format", "curl"]).stdout;
    assert!(
        curl.contains("curl -sS -i -X 'POST'")
            && curl.contains("<redacted:client_credentials>")
            && !curl.contains(SERVICE_SECRET),
        "{curl}"
    );
    let clear = cli.ok(&["sessions", "export", "1", "--format", "curl", "--no-redact"]).stdout;
    let basic = "c2FuZGJveC1zZXJ2aWNlOnNhbmRib3gtc2VydmljZS1zZWNyZXQ="; // base64("sandbox-service:sandbox-service-secret")
    assert!(clear.contains(basic), "{clear}");
    let md = cli.ok(&["sessions", "export", "2", "--format", "md"]).stdout;
    assert!(md.starts_with("# Client credentials") && md.contains("## Error") && md.contains("invalid_client"), "{md}");

    // Import: our JSON comes back as a new session; anything else is refused, nothing changes.
    let json_path = cli.dir.path().join("s1.json");
    cli.ok(&["sessions", "export", "1", "--format", "json", "--no-redact", "-o", json_path.to_str().unwrap()]);
    let out = cli.ok(&["sessions", "import", json_path.to_str().unwrap()]);
    assert_eq!(out.stdout.trim(), "imported as session 3");
    let before = cli.list(&[]);
    // An input file that is not an export of ours: the command could not run (2).
    let out = cli.run(&["sessions", "import", har_path.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("this is a HAR file") && out.stderr.contains("s1.har"), "{}", out.stderr);
    let junk = cli.dir.path().join("junk.json");
    std::fs::write(&junk, "{\"format\": ").unwrap();
    let out = cli.run(&["sessions", "import", junk.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not valid JSON"), "{}", out.stderr);
    assert_eq!(cli.list(&[]), before, "existing sessions untouched");

    // Diff of the working and the failing run.
    let diff = cli.ok(&["sessions", "diff", "1", "2"]).stdout;
    assert!(diff.contains("http status: 200 → 401"), "{diff}");
    assert!(diff.contains("response member error: (absent) → invalid_client"), "{diff}");
    let d: serde_json::Value = serde_json::from_str(&cli.ok(&["sessions", "diff", "1", "3", "--json"]).stdout).unwrap();
    assert_eq!(d["same"], true, "an imported copy equals its original");

    // Edits, delete and undo.
    cli.ok(&["sessions", "rename", "2", "Bad secret"]);
    let out = cli.ok(&["sessions", "tag", "2", "repro", "ticket-42"]);
    assert!(out.stdout.contains("repro, ticket-42"), "{}", out.stdout);
    cli.ok(&["sessions", "tag", "2", "repro", "--remove"]);
    cli.ok(&["sessions", "notes", "2", "rotated on Tuesday"]);
    let s2 = &cli.list(&["--search", "Tuesday"])[0];
    assert_eq!((s2["title"].as_str(), s2["tags"].clone()), (Some("Bad secret"), serde_json::json!(["ticket-42"])));
    let out = cli.ok(&["sessions", "delete", "2"]);
    assert!(out.stdout.contains("sessions restore 2"), "{}", out.stdout);
    assert_eq!(ids(&cli.list(&[])), vec![3, 1]);
    assert_eq!(ids(&cli.list(&["--deleted"])), vec![2]);
    cli.ok(&["sessions", "restore", "2"]);
    assert_eq!(ids(&cli.list(&[])), vec![2, 3, 1], "the import keeps the time the run started");
}

#[test]
fn not_found_is_1_and_could_not_run_is_2() {
    let cli = Cli::new();
    for args in [
        vec!["sessions", "show", "99"],
        vec!["sessions", "export", "99", "--format", "har"],
        vec!["sessions", "delete", "99"],
        vec!["sessions", "restore", "99"],
        vec!["sessions", "diff", "99", "98"],
        vec!["sessions", "rename", "99", "x"],
    ] {
        let out = cli.run(&args);
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("no session 99"), "{args:?}: {}", out.stderr);
    }
    // An unreadable input file is 2, as in `token inspect` and `diagnose`.
    let out = cli.run(&["sessions", "import", "/nonexistent/file.json"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot read /nonexistent/file.json"), "{}", out.stderr);
    for args in [
        vec!["sessions", "export", "1", "--format", "pdf"],
        vec!["sessions", "list", "--outcome", "great"],
        vec!["sessions", "list", "--limit", "0"],
        vec!["sessions", "tag", "1"],
        vec!["sessions", "frobnicate"],
    ] {
        let out = cli.run(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    }
}

#[test]
fn a_file_that_is_not_a_database_is_a_clear_error_exit_2_and_stays_as_it_was() {
    let cli = Cli::new();
    std::fs::write(Path::new(&cli.db()), b"my notes").unwrap();
    // A database that cannot be opened: the command could not run (2), as for `flow`.
    let out = cli.run(&["sessions", "list"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("is not a SQLite database") && out.stderr.contains("left untouched"), "{}", out.stderr);
    assert_eq!(std::fs::read(cli.db()).unwrap(), b"my notes");
}

#[test]
fn a_run_in_progress_is_running_for_other_processes_and_interrupted_once_its_process_dies() {
    use std::io::{BufRead, BufReader};
    let sb = SandboxProcess::start();
    let cli = Cli::new();
    let mut child = Command::new(BIN)
        .args([
            "--db",
            &cli.db(),
            "flow",
            "auth-code",
            "--issuer",
            &sb.issuer,
            "--client-id",
            "sandbox-app",
            "--no-browser",
            "--json",
        ])
        .env("OAUTH_INSPECTOR_KEY_FILE", cli.dir.path().join("test.key"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the flow asks the user to log in: its steps so far are on disk.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut steps = 0;
    for line in lines.by_ref() {
        let ev: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        match ev["type"].as_str() {
            Some("step") => steps += 1,
            Some("action") => break,
            _ => {}
        }
    }
    assert!(steps >= 3, "discovery, PKCE, state, authorization request");
    let live = cli.list(&[]);
    assert_eq!(live[0]["outcome"], "running", "its writer is alive: {live:?}");
    child.kill().unwrap();
    child.wait().unwrap();
    let after = cli.list(&[]);
    assert_eq!(after[0]["outcome"], "interrupted");
    assert!(after[0]["step_count"].as_i64().unwrap() >= steps, "every step written before the crash is there");
    assert_eq!(ids(&cli.list(&["--outcome", "interrupted"])), vec![1]);
}

/// A title that tries to escape its comment: it must stay text in every export.
const HOSTILE_TITLE: &str =
    "x\necho INJECTED-1\n$(echo INJECTED-2) `echo INJECTED-3` ' ; echo INJECTED-4 #\r\n# \x1b[2J";

#[test]
fn a_title_never_runs_in_the_curl_export_nor_breaks_the_markdown_heading() {
    let sb = SandboxProcess::start();
    let cli = Cli::new();
    cli.flow(&sb.issuer, SERVICE_SECRET);
    // The default title holds the client id: a hostile one comes in through the flow itself.
    let out = cli.run(&[
        "flow",
        "client-credentials",
        "--issuer",
        &sb.issuer,
        "--client-id",
        "id\necho INJECTED-5\n",
        "--client-secret",
        "x",
    ]);
    assert_eq!(out.code, 1, "the sandbox refuses the client: {}", out.stderr);
    cli.ok(&["sessions", "rename", "1", HOSTILE_TITLE]);

    for id in ["1", "2"] {
        let script = cli.dir.path().join(format!("s{id}.sh"));
        cli.ok(&["sessions", "export", id, "--format", "curl", "-o", script.to_str().unwrap()]);
        let text = std::fs::read_to_string(&script).unwrap();
        let parse = Command::new("bash").arg("-n").arg(&script).output().unwrap();
        assert!(parse.status.success(), "bash -n: {}\n{text}", String::from_utf8_lossy(&parse.stderr));
        // Run it with curl a shell function and no PATH: anything but the curl commands would
        // print INJECTED or fail as a command not found.
        let run = Command::new("bash")
            .arg("-c")
            .arg(r#"curl() { printf 'CURL %s\n' "$#"; }; PATH=/nonexistent; . "$1""#)
            .arg("export")
            .arg(&script)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&run.stdout);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success() && stderr.is_empty(), "session {id}: {stderr}\n{text}");
        let shown: serde_json::Value =
            serde_json::from_str(&cli.ok(&["sessions", "show", id, "--json"]).stdout).unwrap();
        let http_steps = shown["steps"].as_array().unwrap().iter().filter(|s| s.get("request").is_some()).count();
        assert!(http_steps >= 2, "discovery and token request");
        assert_eq!(stdout.lines().count(), http_steps, "only the curl commands ran:\n{stdout}\n{text}");
        assert!(stdout.lines().all(|l| l.starts_with("CURL ")), "{stdout}");
        assert!(!text.contains('\x1b') && !text.contains('\r'), "{text}");
        // Every line is a comment, blank, or part of a curl command (arguments are single-quoted).
        let mut in_command = false;
        for line in text.lines() {
            if !in_command {
                assert!(
                    line.is_empty() || line.starts_with('#') || line.starts_with("curl "),
                    "a line outside comments that is not a curl command: {line:?}\n{text}"
                );
            }
            in_command = line.ends_with('\\') || (in_command && !line.is_empty() && !line.starts_with('#'));
            if line.starts_with("curl ") {
                in_command = line.ends_with('\\');
            }
        }
    }

    let md = cli.ok(&["sessions", "export", "1", "--format", "md"]).stdout;
    let first = md.lines().next().unwrap();
    assert!(first.starts_with("# x") && first.contains("INJECTED-4"), "the whole title on the heading: {first}");
    assert!(!md.lines().skip(1).any(|l| l.contains("INJECTED")), "no line of the title after the heading:\n{md}");
    assert!(first.contains(r"\`echo INJECTED-3\`") && first.contains(r"\#"), "markup escaped: {first}");
    assert!(!md.contains('\x1b'), "{md}");
    let md2 = cli.ok(&["sessions", "export", "2", "--format", "md"]).stdout;
    assert!(md2.lines().next().unwrap().contains("INJECTED-5") && md2.matches("INJECTED-5").count() >= 1);
    assert!(md2.lines().next().unwrap().starts_with("# Client credentials · id"), "{md2}");
    assert!(!md2.lines().any(|l| l.starts_with("echo INJECTED")), "the client id stays on its lines:\n{md2}");
}

#[test]
fn exports_never_overwrite_silently_and_unredacted_ones_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let sb = SandboxProcess::start();
    let cli = Cli::new();
    cli.flow(&sb.issuer, SERVICE_SECRET);
    let path = cli.dir.path().join("s1.md");
    let p = path.to_str().unwrap();
    std::fs::write(&path, "my notes").unwrap();

    let out = cli.run(&["sessions", "export", "1", "--format", "md", "-o", p]);
    assert_eq!(out.code, 2, "refused: {}", out.stderr);
    assert!(out.stderr.contains("already exists") && out.stderr.contains("s1.md"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "my notes", "left untouched");

    let out = cli.ok(&["sessions", "export", "1", "--format", "md", "-o", p, "--force"]);
    assert!(out.stderr.contains("exported to"), "{}", out.stderr);
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("# Client credentials"));
    let out = cli.run(&["sessions", "export", "1", "--format", "md", "--force"]);
    assert_eq!(out.code, 2, "--force needs -o: {}", out.stderr);

    let clear = cli.dir.path().join("clear.json");
    cli.ok(&["sessions", "export", "1", "--format", "json", "--no-redact", "-o", clear.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&clear).unwrap().contains(SERVICE_SECRET), "unredacted");
    assert_eq!(std::fs::metadata(&clear).unwrap().permissions().mode() & 0o777, 0o600);
    // Overwriting a world-readable file with secrets makes it owner-only as well.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    cli.ok(&["sessions", "export", "1", "--format", "curl", "--no-redact", "-o", p, "--force"]);
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    // No temporary file is left beside them.
    let mut names: Vec<String> =
        std::fs::read_dir(cli.dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    names.retain(|n| !n.starts_with("sessions.db") && n != "test.key");
    names.sort();
    assert_eq!(names, vec!["clear.json", "s1.md"]);
}
