//! HAR exports validate against the HAR 1.2 JSON schema, checked by an independent validator
//! (npm `har-validator`, run by tests/har/validate.mjs; `make node-deps` installs it): successful,
//! refused, unreachable and authorization-code sessions, redacted and not.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use inspector_engine::client_auth::AuthMethod;
use inspector_store::{ExportFormat, ExportOptions};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn validate(files: &[PathBuf]) -> std::process::Output {
    let root = root();
    assert!(
        root.join("tests/node_modules/har-validator").exists(),
        "the HAR validator is not installed: run `make node-deps` (npm ci in tests/)"
    );
    Command::new("node")
        .arg(root.join("tests/har/validate.mjs"))
        .args(files)
        .output()
        .expect("node runs (install Node.js)")
}

#[tokio::test]
async fn har_exports_validate_against_the_har_1_2_schema() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let db = TestDb::new();
    let store = db.open().await;
    let unreachable = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let ids = vec![
        client_credentials(&store, &sb.issuer, SERVICE_SECRET, AuthMethod::ClientSecretBasic).await.0,
        client_credentials(&store, &sb.issuer, "wrong", AuthMethod::ClientSecretPost).await.0,
        client_credentials(&store, &unreachable, SERVICE_SECRET, AuthMethod::ClientSecretBasic).await.0,
        auth_code(&store, &sb.issuer).await.0,
    ];
    let mut files = vec![];
    for id in &ids {
        for redact in [true, false] {
            let text = store.export(*id, ExportOptions { format: ExportFormat::Har, redact }).await.unwrap();
            let har: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(har["log"]["version"], "1.2");
            let path = db.dir.path().join(format!("s{id}-{redact}.har"));
            std::fs::write(&path, text).unwrap();
            files.push(path);
        }
    }
    // The unreachable provider's discovery has no response: status 0, as browsers export it.
    let text = std::fs::read_to_string(&files[4]).unwrap();
    let har: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(har["log"]["entries"][0]["response"]["status"], 0);
    let out = validate(&files);
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).matches("valid HAR 1.2").count(), files.len());

    // The validator does reject what breaks the schema.
    let mut broken = har.clone();
    broken["log"].as_object_mut().unwrap().remove("creator");
    broken["log"]["entries"][0]["response"]["status"] = "zero".into();
    let bad = db.dir.path().join("broken.har");
    std::fs::write(&bad, broken.to_string()).unwrap();
    let out = validate(&[bad]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("creator"));
}
