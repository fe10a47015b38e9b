//! The one exit status rule of the README, subcommand by subcommand: 0 done; 1 the command ran and
//! the answer is no; 2 the command could not run (usage, an unreadable input file, the database).

mod common;

use std::process::Command;

use common::*;

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }
    fn run_db(&self, db: &str, args: &[&str]) -> Output {
        let out = Command::new(BIN)
            .arg("--db")
            .arg(db)
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
    fn run(&self, args: &[&str]) -> Output {
        self.run_db(&db_arg(self.dir.path()), args)
    }
}

fn expect(out: &Output, code: i32, what: &str, says: &str) {
    assert_eq!(out.code, code, "{what}\nstdout: {}\nstderr: {}", out.stdout, out.stderr);
    assert!(out.stderr.contains(says), "{what}: stderr should say {says:?}: {}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{what}: {}", out.stderr);
}

#[test]
fn a_missing_input_file_is_2_in_every_subcommand() {
    let cli = Cli::new();
    let missing = "/nonexistent/input.txt";
    expect(&cli.run(&["sessions", "import", missing]), 2, "sessions import", "cannot read /nonexistent/input.txt");
    expect(
        &cli.run(&["diagnose", "--request", missing, "--response", missing]),
        2,
        "diagnose",
        "cannot read /nonexistent/input.txt",
    );
    expect(
        &cli.run(&["token", "inspect", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln", "--jwks", missing]),
        2,
        "token inspect --jwks",
        "input.txt",
    );
    expect(
        &cli.run(&["clients", "add", "p", "c", "--client-id", "id", "--private-key", missing]),
        2,
        "clients add --private-key",
        "cannot read the private key",
    );
    expect(
        &cli.run(&[
            "flow",
            "client-credentials",
            "--token-url",
            "http://127.0.0.1:1/token",
            "--client-id",
            "id",
            "--private-key",
            missing,
        ]),
        2,
        "flow --private-key",
        "cannot read the private key",
    );
}

#[test]
fn a_database_that_cannot_be_opened_is_2_in_every_subcommand() {
    let cli = Cli::new();
    let not_a_db = cli.dir.path().join("notes.db");
    std::fs::write(&not_a_db, b"my notes").unwrap();
    let db = not_a_db.to_str().unwrap();
    for args in [
        vec!["flow", "client-credentials", "--token-url", "http://127.0.0.1:1/token", "--client-id", "id"],
        vec!["sessions", "list"],
        vec!["sessions", "show", "1"],
        vec!["sessions", "import", "/nonexistent"],
        vec!["providers", "list"],
        vec!["clients", "list", "p"],
    ] {
        expect(&cli.run_db(db, &args), 2, &format!("{args:?}"), "is not a SQLite database");
    }
    assert_eq!(std::fs::read(&not_a_db).unwrap(), b"my notes");
}

#[test]
fn one_case_of_each_status_per_subcommand_family() {
    let sb = SandboxProcess::start();
    let cli = Cli::new();
    let cc = |secret: &str| {
        cli.run(&[
            "flow",
            "client-credentials",
            "--issuer",
            &sb.issuer,
            "--client-id",
            SERVICE_ID,
            "--client-secret",
            secret,
        ])
    };
    // flow: 0 it worked, 1 the provider refused, 2 could not run.
    expect(&cc(SERVICE_SECRET), 0, "flow ok", "");
    expect(&cc("wrong-secret"), 1, "flow refused", "invalid_client");
    expect(
        &cli.run(&["flow", "client-credentials", "--client-id", "x"]),
        2,
        "flow without issuer",
        "expected an issuer URL",
    );
    expect(&cli.run(&["flow", "refresh", "--session", "99"]), 1, "flow --session not there", "no session 99");

    // sessions: 0, 1 not there, 2 usage.
    expect(&cli.run(&["sessions", "show", "1"]), 0, "sessions show", "");
    expect(&cli.run(&["sessions", "show", "99"]), 1, "sessions show 99", "no session 99");
    expect(&cli.run(&["sessions", "list", "--limit", "0"]), 2, "sessions list --limit 0", "--limit");
    let out = cli.dir.path().join("out.md");
    std::fs::write(&out, "x").unwrap();
    expect(
        &cli.run(&["sessions", "export", "1", "--format", "md", "-o", out.to_str().unwrap()]),
        2,
        "export over a file",
        "already exists",
    );

    // providers and clients: 0, 1 not there, 2 bad input.
    expect(&cli.run(&["providers", "add", "sb", "--issuer", &sb.issuer]), 0, "providers add", "");
    expect(&cli.run(&["providers", "remove", "nope"]), 1, "providers remove nope", "no saved provider");
    expect(&cli.run(&["clients", "list", "nope"]), 1, "clients list nope", "no saved provider");
    expect(
        &cli.run(&["flow", "client-credentials", "--provider", "nope"]),
        1,
        "flow --provider nope",
        "no saved provider",
    );
    expect(&cli.run(&["providers", "add", "x", "--issuer", "as.example.com"]), 2, "bad issuer", "http(s) URL");

    // token and diagnose: 1 a token that is not valid, 2 usage.
    expect(&cli.run(&["token", "inspect", "not-a-jwt"]), 1, "token not valid", "");
    expect(&cli.run(&["token", "inspect", ""]), 2, "empty token", "the token is empty");
    let req = cli.dir.path().join("req.txt");
    let resp = cli.dir.path().join("resp.txt");
    std::fs::write(&req, "GET /api HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    std::fs::write(&resp, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n\r\n").unwrap();
    let (r, s) = (req.to_str().unwrap(), resp.to_str().unwrap());
    expect(&cli.run(&["diagnose", "--request", r, "--response", s]), 0, "diagnose", "");
    expect(&cli.run(&["diagnose", "--request", s, "--response", r]), 2, "diagnose swapped files", "");

    // sandbox: a port it cannot listen on.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    expect(&cli.run(&["sandbox", "--port", &port]), 2, "sandbox on a taken port", "cannot listen");
}

#[test]
fn a_token_or_secret_that_starts_with_a_hyphen_is_a_value_not_a_flag() {
    // base64url tokens start with '-' one time in 64: seen as a flaky "unexpected argument '-d'".
    let sb = common::SandboxProcess::start();
    let out = common::run(&[
        "--no-save",
        "flow",
        "revoke",
        "--issuer",
        &sb.issuer,
        "--client-id",
        "sandbox-app",
        "--token",
        "-dXYZ-not-a-flag",
        "--json",
    ]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let out = common::run(&[
        "--no-save",
        "flow",
        "client-credentials",
        "--issuer",
        &sb.issuer,
        "--client-id",
        "sandbox-service",
        "--client-secret",
        "-wrong-but-a-value",
        "--json",
    ]);
    assert_eq!(out.code, 1, "parsed, sent, refused as invalid_client: {}", out.stderr);
}
