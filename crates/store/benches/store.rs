//! Store benchmarks at scale: 10,000 sessions / 100,000 steps (plus one 500-step session).
//! Measures listing the newest 100, full-text searches, opening the 500-step session (redacted and
//! unsealed), against a baseline measured in the same run (`count()`: one aggregate over the
//! sessions table), and reports the database size per step. Budgets: list and search < 50 ms,
//! open 500 steps < 100 ms. `make bench` runs it; STORE_BENCH_SESSIONS scales it down.

use std::time::{Duration, Instant};

use base64::Engine;
use criterion::{Criterion, criterion_group};
use inspector_engine::step::{HttpRequest, HttpResponse, SecretMark, StepKind};
use inspector_engine::{Step, StepStatus, TokenSet};
use inspector_store::export::json::{ExportedSession, FORMAT, SessionExport, VERSION};
use inspector_store::{KeySource, ListQuery, Store, StoreOptions, View};
use tokio::runtime::Runtime;

const STEPS_PER_SESSION: u32 = 10;
const BIG_SESSION_STEPS: u32 = 500;

fn jwt(i: usize) -> String {
    let b = |s: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.{}",
        b(r#"{"alg":"RS256","typ":"at+jwt","kid":"k1"}"#.into()),
        b(format!(
            r#"{{"iss":"https://idp{}.example","sub":"user{i}","aud":"api","scope":"orders.read","client_id":"client{}","iat":1700000000,"exp":1700003600,"jti":"j{i}"}}"#,
            i % 7,
            i % 50
        )),
        b(format!("signature-{i:0>300}"))
    )
}

fn step(seq: u32, i: usize, fail: bool) -> Step {
    let secret = format!("secret-{i}");
    let token = jwt(i);
    let (status, body) = if seq % STEPS_PER_SESSION == 0 && fail {
        (401, r#"{"error":"invalid_client","error_description":"client authentication failed"}"#.to_string())
    } else if seq % 2 == 0 {
        (200, format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600,"scope":"orders.read"}}"#))
    } else {
        (
            200,
            format!(
                r#"{{"issuer":"https://idp{}.example","token_endpoint":"https://idp.example/token","authorization_endpoint":"https://idp.example/authorize","jwks_uri":"https://idp.example/jwks","scopes_supported":["openid","profile","email","orders.read"],"response_types_supported":["code"],"grant_types_supported":["authorization_code","client_credentials","refresh_token"]}}"#,
                i % 7
            ),
        )
    };
    Step {
        seq,
        at_ms: 1_700_000_000_000 + i as i64 * 1000 + seq as i64,
        title: if seq % 2 == 0 {
            "Token request (client credentials, client_secret_post)".into()
        } else {
            "OpenID discovery".into()
        },
        status: if status == 200 { StepStatus::Ok } else { StepStatus::Failed },
        kind: StepKind::Http {
            request: HttpRequest {
                method: "POST".into(),
                url: format!("https://idp{}.example/token", i % 7),
                headers: vec![
                    ("content-type".into(), "application/x-www-form-urlencoded".into()),
                    ("accept".into(), "application/json".into()),
                ],
                body: Some(format!(
                    "grant_type=client_credentials&client_id=client{}&client_secret={secret}&scope=orders.read",
                    i % 50
                )),
            },
            response: Some(HttpResponse {
                status,
                headers: vec![("content-type".into(), "application/json".into())],
                body,
                elapsed_ms: 12,
            }),
        },
        error: None,
        secrets: vec![SecretMark::new("client_secret", secret), SecretMark::new("access_token", token)],
        ..Default::default()
    }
}

fn session(i: usize, steps: u32) -> SessionExport {
    let fail = i % 10 == 3;
    SessionExport {
        format: FORMAT.into(),
        version: VERSION,
        exported_ms: 0,
        redacted: false,
        session: ExportedSession {
            title: format!("Client credentials · client{}", i % 50),
            flow: if i % 3 == 0 { "authorization_code".into() } else { "client_credentials".into() },
            provider: format!("https://idp{}.example", i % 7),
            client: format!("client{}", i % 50),
            tags: if i % 100 == 0 { vec!["nightly".into()] } else { vec![] },
            notes: String::new(),
            outcome: if fail { "failed".into() } else { "ok".into() },
            started_ms: 1_700_000_000_000 + i as i64 * 1000,
            ended_ms: Some(1_700_000_000_000 + i as i64 * 1000 + 200),
            settings: serde_json::json!({"client_id": format!("client{}", i % 50)}),
            error: None,
            tokens: (!fail).then(|| TokenSet {
                access_token: jwt(i),
                token_type: "Bearer".into(),
                expires_in: Some(3600),
                scope: Some("orders.read".into()),
                refresh_token: None,
                id_token: None,
            }),
            steps: (1..=steps).map(|s| step(s, i, fail)).collect(),
        },
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    big: i64,
    steps: u64,
    bytes: u64,
}

fn fixture(rt: &Runtime) -> Fixture {
    let sessions: usize = std::env::var("STORE_BENCH_SESSIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let opts = StoreOptions { key: KeySource::File(dir.path().join("bench.key")), ..Default::default() };
    rt.block_on(async {
        let store = Store::open_with(&path, opts.clone()).await.unwrap();
        let t = Instant::now();
        let mut big = 0;
        for i in 0..sessions {
            let id = store.import(&session(i, STEPS_PER_SESSION)).await.unwrap();
            if i == sessions / 2 {
                big = store.import(&session(i, BIG_SESSION_STEPS)).await.unwrap();
            }
            let _ = id;
        }
        let steps = sessions as u64 * STEPS_PER_SESSION as u64 + BIG_SESSION_STEPS as u64;
        eprintln!("fixture: {sessions} sessions, {steps} steps written in {:.1} s", t.elapsed().as_secs_f64());
        store.close().await;
        let bytes: u64 = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("sessions.db"))
            .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
            .sum();
        let store = Store::open_with(&path, opts).await.unwrap();
        Fixture { _dir: dir, store, big, steps, bytes }
    })
}

fn recent() -> ListQuery {
    ListQuery { limit: Some(100), ..Default::default() }
}

fn search(text: &str) -> ListQuery {
    ListQuery { search: Some(text.into()), limit: Some(100), ..Default::default() }
}

/// Median wall time of `n` runs of `f`.
fn median<F: FnMut()>(n: usize, mut f: F) -> Duration {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[n / 2]
}

fn benches(c: &mut Criterion) {
    let rt = Runtime::new().unwrap();
    let fx = fixture(&rt);
    let s = &fx.store;
    let mut g = c.benchmark_group("store");
    g.sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    g.bench_function("baseline: count sessions", |b| b.iter(|| rt.block_on(s.count()).unwrap()));
    g.bench_function("list newest 100", |b| b.iter(|| rt.block_on(s.find(&recent())).unwrap()));
    g.bench_function("search invalid_client (10% of sessions)", |b| {
        b.iter(|| rt.block_on(s.find(&search("invalid_client"))).unwrap())
    });
    g.bench_function("search user4242 (one session's claim)", |b| {
        b.iter(|| rt.block_on(s.find(&search("user4242"))).unwrap())
    });
    g.bench_function("open 500-step session, redacted", |b| {
        b.iter(|| rt.block_on(s.session_view(fx.big, View::Redacted)).unwrap())
    });
    g.bench_function("open 500-step session, unsealed", |b| {
        b.iter(|| rt.block_on(s.session_view(fx.big, View::Full)).unwrap())
    });
    g.finish();

    // The summary the project standards ask for: each figure and its ratio to the baseline.
    let base = median(51, || {
        rt.block_on(s.count()).unwrap();
    });
    let rows: Vec<(&str, Duration, Option<u64>)> = vec![
        ("list newest 100", median(31, || drop(rt.block_on(s.find(&recent())).unwrap())), Some(50)),
        (
            "FTS search, 10% of sessions match",
            median(31, || drop(rt.block_on(s.find(&search("invalid_client"))).unwrap())),
            Some(50),
        ),
        (
            "FTS search, one session matches",
            median(31, || drop(rt.block_on(s.find(&search("user4242"))).unwrap())),
            Some(50),
        ),
        (
            "open 500-step session, redacted",
            median(21, || drop(rt.block_on(s.session_view(fx.big, View::Redacted)).unwrap())),
            Some(100),
        ),
        (
            "open 500-step session, unsealed",
            median(21, || drop(rt.block_on(s.session_view(fx.big, View::Full)).unwrap())),
            Some(100),
        ),
    ];
    let count = rt.block_on(s.count()).unwrap();
    println!("\nstore benchmark summary ({count} sessions, {} steps; medians of this run)", fx.steps);
    println!("{:<40} {:>10} {:>12} {:>8}  budget", "operation", "median", "× baseline", "");
    println!("{:<40} {:>7.3} ms {:>12}", "baseline: count(*) over sessions", base.as_secs_f64() * 1e3, "1.0");
    for (name, t, budget) in rows {
        let ms = t.as_secs_f64() * 1e3;
        let verdict = match budget {
            Some(b) if ms < b as f64 => format!("< {b} ms ok"),
            Some(b) => format!("< {b} ms OVER BUDGET"),
            None => String::new(),
        };
        println!("{name:<40} {ms:>7.3} ms {:>12.1}  {verdict}", t.as_secs_f64() / base.as_secs_f64());
    }
    println!(
        "database size: {:.1} MiB for {} steps = {:.0} bytes per step (redacted copy + sealed copy + search index)",
        fx.bytes as f64 / 1048576.0,
        fx.steps,
        fx.bytes as f64 / fx.steps as f64
    );
}

criterion_group!(store_benches, benches);

fn main() {
    store_benches();
    Criterion::default().configure_from_args().final_summary();
}
