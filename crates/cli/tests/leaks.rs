//! Token endpoints as a new user meets them — JSON without `token_type`, form-encoded (GitHub
//! without `Accept: application/json`), JSON with `\/` escapes, an error that echoes the client
//! secret — run through the real CLI; no token or secret may be left in clear in the database
//! bytes, in `sessions show`, or in the default HAR export.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use common::Output;

const SECRET: &str = "leak-secret/0123456789";
const TOKENS: &[&str] =
    &["gho/LeakAccess0001xyz", "gho/LeakAccess0002xyz", "gho/LeakAccess0003xyz", "LeakRefresh0004/xyz"];

/// (path, status, content type, body) of each answer.
fn answers() -> Vec<(&'static str, u16, &'static str, String)> {
    vec![
        ("/no-token-type", 200, "application/json", format!(r#"{{"access_token":"{}","expires_in":60}}"#, TOKENS[0])),
        (
            "/form",
            200,
            "application/x-www-form-urlencoded",
            format!("access_token={}&scope=repo&token_type=bearer", TOKENS[1].replace('/', "%2F")),
        ),
        (
            "/escaped",
            200,
            "application/json",
            format!(
                r#"{{"access_token":"{}","token_type":"Bearer","refresh_token":"{}"}}"#,
                TOKENS[2].replace('/', "\\/"),
                TOKENS[3].replace('/', "\\/")
            ),
        ),
        (
            "/echo-secret",
            401,
            "application/json",
            format!(
                r#"{{"error":"invalid_client","error_description":"client_secret {} does not match"}}"#,
                SECRET.replace('/', "\\/")
            ),
        ),
    ]
}

/// A token endpoint on loopback answering each path with its canned body, for as many requests
/// as come (one thread; the CLI makes one request per run).
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = vec![0u8; 65536];
            let mut got = 0;
            // Read the head and the (small) form body.
            loop {
                let n = s.read(&mut buf[got..]).unwrap_or(0);
                got += n;
                let text = String::from_utf8_lossy(&buf[..got]);
                if n == 0 || text.contains("\r\n\r\n") && text.contains("grant_type") {
                    break;
                }
            }
            let head = String::from_utf8_lossy(&buf[..got]).to_string();
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
            let (status, ctype, body) = answers()
                .into_iter()
                .find(|(p, ..)| *p == path)
                .map(|(_, s, c, b)| (s, c, b))
                .unwrap_or((404, "text/plain", "no such path".into()));
            let reply = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(reply.as_bytes());
        }
    });
    base
}

fn cli(db: &str, args: &[&str]) -> Output {
    common::run(&[&["--db", db], args].concat())
}

/// Every way the secrets could be written: raw, form-encoded, JSON-escaped.
fn forms() -> Vec<String> {
    let mut all = vec![];
    for v in TOKENS.iter().chain([&SECRET]) {
        all.push(v.to_string());
        all.push(v.replace('/', "%2F"));
        all.push(v.replace('/', "\\/"));
        // The part after the slash alone, long enough to be unmistakable.
        all.push(v.rsplit('/').next().unwrap().to_string());
    }
    all
}

#[test]
fn no_token_or_secret_in_clear_from_answers_the_engine_cannot_parse() {
    let base = serve();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sessions.db").to_string_lossy().into_owned();
    for (i, (path, ..)) in answers().iter().enumerate() {
        let url = format!("{base}{path}");
        let out = cli(
            &db,
            &[
                "flow",
                "client-credentials",
                "--token-url",
                &url,
                "--client-id",
                "leak-client",
                "--client-secret",
                SECRET,
                "--auth-method",
                "client_secret_post",
                "--json",
            ],
        );
        // Steps leave the process redacted; only a tokens event (what the user asked for) may
        // carry a token, and none of these answers yields a parsed token set.
        let steps: Vec<&str> = out.stdout.lines().filter(|l| l.contains(r#""type":"step""#)).collect();
        assert!(!steps.is_empty(), "run {i} ({path}) printed no steps: {}", out.stdout);
        for s in &steps {
            for f in forms() {
                assert!(!s.contains(&f), "{f} in a live step of {path}: {s}");
            }
        }
        let id = (i + 1).to_string();
        let show = cli(&db, &["sessions", "show", &id]);
        let show_json = cli(&db, &["sessions", "show", &id, "--json"]);
        let har = cli(&db, &["sessions", "export", &id, "--format", "har"]);
        assert_eq!(har.code, 0, "{}", har.stderr);
        assert!(show.stdout.contains(path) && har.stdout.contains(path), "the exchange itself is kept");
        for (what, text) in [("sessions show", &show.stdout), ("show --json", &show_json.stdout), ("HAR", &har.stdout)]
        {
            for f in forms() {
                assert!(!text.contains(&f), "{f} in clear in {what} of {path}:\n{text}");
            }
            // The human view shows titles and errors only; the JSON and HAR carry the bodies.
            assert!(what == "sessions show" || text.contains("<redacted:"), "{what} of {path} marks what it removed");
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let Ok(bytes) = std::fs::read(format!("{db}{suffix}")) else { continue };
        for f in forms() {
            assert!(!bytes.windows(f.len()).any(|w| w == f.as_bytes()), "{f} in clear in sessions.db{suffix}");
        }
    }
}
