//! `oauth-inspector providers …` / `clients …` and `flow … --provider NAME [--client NAME]`: the real
//! binary against `oauth-inspector sandbox` as a separate process, with a real SQLite file and a
//! key file of the test's own.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--db")
            .arg(db_arg(self.dir.path()))
            .args(args)
            .env("OAUTH_INSPECTOR_KEY_FILE", self.dir.path().join("test.key"))
            .env_remove("OAUTH_INSPECTOR_CLIENT_SECRET");
        c
    }
    fn output(mut c: Command) -> Output {
        let out = c.output().expect("run cli");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
    fn run(&self, args: &[&str]) -> Output {
        Self::output(self.command(args))
    }
    fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert_eq!(out.code, 0, "{args:?}\nstdout: {}\nstderr: {}", out.stdout, out.stderr);
        out
    }
    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.ok(args);
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON: {e}\n{}", out.stdout))
    }
    /// Every file of the database (main, -wal, -shm), without the key file.
    fn db_bytes(&self) -> Vec<(String, Vec<u8>)> {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("sessions.db"))
            .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
            .collect()
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCliRegistryTest0001\n-----END PRIVATE KEY-----\n";

#[test]
fn a_saved_provider_and_client_run_a_flow_and_their_secrets_are_never_shown() {
    let sb = SandboxProcess::start();
    let cli = Cli::new();
    let out = cli.ok(&["providers", "add", "sandbox", "--issuer", &sb.issuer]);
    assert!(out.stdout.contains(&format!("saved provider sandbox (issuer {})", sb.issuer)), "{}", out.stdout);
    let out = cli.ok(&[
        "clients",
        "add",
        "sandbox",
        "service",
        "--client-id",
        SERVICE_ID,
        "--client-secret",
        SERVICE_SECRET,
        "--auth-method",
        "client_secret_post",
        "--scope",
        "orders.read",
    ]);
    assert!(out.stdout.contains("secret saved (sealed)"), "{}", out.stdout);
    assert!(!out.stdout.contains(SERVICE_SECRET) && !out.stderr.contains(SERVICE_SECRET));

    // The flow takes issuer, client id, secret, auth method and scope from the registration.
    let out = cli.ok(&["flow", "client-credentials", "--provider", "sandbox", "--client", "service", "--json"]);
    let tokens = &out.of_type("tokens")[0];
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["scope"], "orders.read");
    assert_eq!(tokens["access_token"].as_str().unwrap().split('.').count(), 3);
    assert!(!out.stdout.contains(SERVICE_SECRET));
    let id = out.of_type("done")[0]["session_id"].as_i64().unwrap();
    let saved = {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let path = cli.dir.path().join("sessions.db");
        let key = cli.dir.path().join("test.key");
        rt.block_on(async {
            let opts =
                inspector_store::StoreOptions { key: inspector_store::KeySource::File(key), ..Default::default() };
            let store = inspector_store::Store::open_with(&path, opts).await.unwrap();
            store.session(id).await.unwrap().unwrap()
        })
    };
    assert_eq!(saved.summary.client, SERVICE_ID);
    assert_eq!(saved.summary.provider, sb.issuer);
    assert_eq!(saved.settings["auth_method"], "client_secret_post");
    let token = saved.steps.iter().find(|s| s.title.starts_with("Token request")).expect("the token request");
    assert!(token.title.contains("client_secret_post"), "{}", token.title);

    // A flag given overrides the saved value: a wrong secret fails, with the saved auth method.
    let out =
        cli.run(&["flow", "client-credentials", "--provider", "sandbox", "--client-secret", "wrong-secret", "--json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.of_type("error")[0]["message"].as_str().unwrap().contains("invalid_client"), "{}", out.stdout);
    let last = out.of_type("step").last().unwrap().clone();
    assert!(last["title"].as_str().unwrap().contains("client_secret_post"), "{last}");
    // ... and so does a scope given (the sandbox refuses one it does not know).
    let out = cli.run(&["flow", "client-credentials", "--provider", "sandbox", "--scope", "no.such.scope", "--json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.of_type("error")[0]["message"].as_str().unwrap().contains("invalid_scope"), "{}", out.stdout);

    // The secret from the environment, a private key from a PEM file.
    let mut c = cli.command(&["clients", "add", "sandbox", "from-env", "--client-id", SERVICE_ID]);
    c.env("OAUTH_INSPECTOR_CLIENT_SECRET", SERVICE_SECRET);
    let out = Cli::output(c);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let pem = cli.dir.path().join("key.pem");
    std::fs::write(&pem, PEM).unwrap();
    cli.ok(&[
        "clients",
        "add",
        "sandbox",
        "jwt",
        "--client-id",
        "jwt-client",
        "--private-key",
        pem.to_str().unwrap(),
        "--param",
        "tenant=a",
    ]);
    let clients = cli.json(&["clients", "list", "sandbox", "--json"]);
    let by_name = |n: &str| clients.as_array().unwrap().iter().find(|c| c["name"] == n).unwrap().clone();
    assert_eq!(by_name("from-env")["has_secret"], true);
    assert_eq!(by_name("from-env")["auth_method"], "client_secret_basic");
    assert_eq!(by_name("jwt")["has_private_key"], true);
    assert_eq!(by_name("jwt")["has_secret"], false);
    assert_eq!(by_name("jwt")["auth_method"], "private_key_jwt");
    assert_eq!(by_name("jwt")["extra"], serde_json::json!([["tenant", "a"]]));
    assert_eq!(by_name("service")["scope"], "orders.read");

    // With several clients, the flow asks which one (usage error, names them).
    let out = cli.run(&["flow", "client-credentials", "--provider", "sandbox", "--json"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("from-env, jwt, service"), "{}", out.stderr);
    // The from-env registration (client_secret_basic) works as well.
    cli.ok(&[
        "--no-save",
        "flow",
        "client-credentials",
        "--provider",
        "sandbox",
        "--client",
        "from-env",
        "--scope",
        "orders.read",
    ]);

    // Listings show the registrations, never a secret or a key.
    let list = cli.ok(&["providers", "list", "--json"]);
    let providers: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(providers[0]["name"], "sandbox");
    assert_eq!(providers[0]["source"], "issuer");
    assert_eq!(providers[0]["issuer"], sb.issuer.as_str());
    assert_eq!(providers[0]["client_count"], 3);
    assert_eq!(providers[0]["clients"].as_array().unwrap().len(), 3);
    let human = cli.ok(&["providers", "list"]);
    let clients_text = cli.ok(&["clients", "list", "sandbox"]);
    for text in [&list.stdout, &human.stdout, &clients_text.stdout, &clients.to_string()] {
        assert!(!text.contains(SERVICE_SECRET), "{text}");
        assert!(!text.contains("BEGIN PRIVATE KEY") && !text.contains("CliRegistryTest"), "{text}");
    }
    assert!(human.stdout.contains("service  client id sandbox-service, client_secret_post"), "{}", human.stdout);
    // Nor is either in any database file: sealed.
    for (path, bytes) in cli.db_bytes() {
        assert!(!contains(&bytes, SERVICE_SECRET), "{path} holds the client secret in plaintext");
        assert!(!contains(&bytes, "CliRegistryTest0001"), "{path} holds the private key in plaintext");
    }

    // Removing a client, then the provider with the rest.
    let out = cli.ok(&["clients", "remove", "sandbox", "jwt"]);
    assert!(out.stdout.contains("removed client jwt of sandbox"), "{}", out.stdout);
    let out = cli.run(&["clients", "remove", "sandbox", "jwt"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("no saved client \"jwt\" at the provider \"sandbox\" (its clients: from-env, service)"),
        "{}",
        out.stderr
    );
    let out = cli.ok(&["providers", "remove", "sandbox"]);
    assert!(out.stdout.contains("removed provider sandbox and its 2 clients"), "{}", out.stdout);
    assert_eq!(cli.json(&["providers", "list", "--json"]), serde_json::json!([]));
    let out = cli.run(&["clients", "list", "sandbox"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no saved provider \"sandbox\""), "{}", out.stderr);
    // A name not saved is a failure (1) for a flow too, as for `clients list` (README, exit status).
    let out = cli.run(&["flow", "client-credentials", "--provider", "sandbox"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no saved provider"), "{}", out.stderr);
}

#[test]
fn auth_code_takes_the_saved_redirect_uri() {
    let sb = SandboxProcess::start();
    let cli = Cli::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    cli.ok(&["providers", "add", "sandbox", "--issuer", &sb.issuer]);
    cli.ok(&[
        "clients",
        "add",
        "sandbox",
        "app",
        "--client-id",
        "sandbox-app",
        "--redirect-uri",
        &redirect,
        "--scope",
        "openid",
    ]);
    let mut child = cli
        .command(&["flow", "auth-code", "--provider", "sandbox", "--no-browser", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let ev: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        if ev["type"] == "action" {
            url = ev["url"].as_str().map(String::from);
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let url = url.expect("the flow asks to open the authorization URL");
    let pairs: Vec<(String, String)> = url
        .split_once('?')
        .unwrap()
        .1
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    assert_eq!(get("client_id"), "sandbox-app");
    assert_eq!(get("scope"), "openid");
    assert!(get("redirect_uri").contains(&port.to_string()), "the saved redirect URI: {url}");
}

#[test]
fn bad_registry_arguments_are_usage_errors_and_unknown_names_failures_in_every_command() {
    let cli = Cli::new();
    let out = cli.run(&["providers", "add", "x"]);
    assert_eq!(out.code, 2, "neither --issuer nor --token-url: {}", out.stderr);
    let out = cli.run(&[
        "providers",
        "add",
        "x",
        "--issuer",
        "https://as.example.com",
        "--token-url",
        "https://as.example.com/t",
    ]);
    assert_eq!(out.code, 2, "both: {}", out.stderr);
    let out = cli.run(&["providers", "add", " ", "--issuer", "https://as.example.com"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("expected a provider name"), "{}", out.stderr);
    let out = cli.run(&["providers", "add", "x", "--issuer", "as.example.com"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("expected an http(s) URL for the issuer"), "{}", out.stderr);
    let out = cli.ok(&[
        "providers",
        "add",
        "hand",
        "--token-url",
        "https://as.example.com/token",
        "--device-url",
        "https://as.example.com/device",
    ]);
    assert!(
        out.stdout.contains("endpoints: token https://as.example.com/token, device https://as.example.com/device"),
        "{}",
        out.stdout
    );
    let out = cli.run(&["clients", "add", "nowhere", "c", "--client-id", "id"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no saved provider \"nowhere\" (saved providers: hand)"), "{}", out.stderr);
    let out = cli.run(&["clients", "add", "hand", "c", "--client-id", "id", "--param", "novalue"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--param <NAME=VALUE>': expected NAME=VALUE, got \"novalue\""), "{}", out.stderr);
    let out = cli.run(&["clients", "add", "hand", "c", "--client-id", "id", "--private-key", "/nonexistent/key.pem"]);
    assert_eq!(out.code, 2);
    let out = cli.run(&[
        "flow",
        "client-credentials",
        "--client",
        "c",
        "--issuer",
        "https://as.example.com",
        "--client-id",
        "id",
    ]);
    assert_eq!(out.code, 2, "--client needs --provider: {}", out.stderr);
    let out = cli.run(&["flow", "client-credentials", "--provider", "hand"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("has no saved client"), "{}", out.stderr);
    assert_eq!(cli.json(&["clients", "list", "hand", "--json"]), serde_json::json!([]));
}

#[test]
fn a_saved_secret_is_never_sent_to_another_provider_than_its_own() {
    let sb = SandboxProcess::start();
    let cli = Cli::new();
    cli.ok(&["providers", "add", "sandbox", "--issuer", &sb.issuer]);
    cli.ok(&["clients", "add", "sandbox", "service", "--client-id", SERVICE_ID, "--client-secret", SERVICE_SECRET]);
    // Another "provider" on loopback that would see the secret if it were sent.
    let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    other.set_nonblocking(true).unwrap();
    let other_issuer = format!("http://{}", other.local_addr().unwrap());

    let out = cli.run(&[
        "flow",
        "client-credentials",
        "--provider",
        "sandbox",
        "--client",
        "service",
        "--issuer",
        &other_issuer,
    ]);
    assert_eq!(out.code, 2, "refused before anything is sent: {}\n{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("not sent elsewhere") && out.stderr.contains(&other_issuer), "{}", out.stderr);
    assert!(other.accept().is_err(), "nothing connected to the other provider");
    assert!(!out.stdout.contains(SERVICE_SECRET) && !out.stderr.contains(SERVICE_SECRET));

    // A secret typed for this run may go wherever the user sends it; the saved one still works at home.
    cli.ok(&["flow", "client-credentials", "--provider", "sandbox", "--client", "service"]);
}
