//! The database never holds a secret in plaintext: real flows against the in-process sandbox
//! (client_secret_basic, client_secret_post, authorization code + PKCE with an ID and refresh
//! token), and a saved client registration with a secret and a private key; then every byte of
//! every database file is searched for every secret those flows used and that client holds.

mod common;

use base64::Engine;
use common::*;
use inspector_engine::client_auth::AuthMethod;
use inspector_store::{ExportFormat, ExportOptions, View};

const SAVED_SECRET: &str = "saved-registration-secret-7d1e";
const SAVED_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSavedKeyAtRest01\nhRANCAAEb3XyZSavedKeyAtRestPublicPartQk9vYmFyYmF6cXV4MTIzNDU2Nzg5\n-----END PRIVATE KEY-----\n";

#[tokio::test]
async fn no_secret_of_a_real_flow_is_stored_in_plaintext() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let db = TestDb::new();
    let store = db.open().await;
    let (basic, basic_tokens) =
        client_credentials(&store, &sb.issuer, SERVICE_SECRET, AuthMethod::ClientSecretBasic).await;
    let (post, post_tokens) =
        client_credentials(&store, &sb.issuer, SERVICE_SECRET, AuthMethod::ClientSecretPost).await;
    let (code_id, code_tokens) = auth_code(&store, &sb.issuer).await;

    // Every secret the flows used, as the full (unsealed) copy holds them.
    let mut secrets: Vec<(String, String)> = vec![
        ("client_secret".into(), SERVICE_SECRET.into()),
        ("basic".into(), base64::engine::general_purpose::STANDARD.encode(format!("{SERVICE_ID}:{SERVICE_SECRET}"))),
    ];
    for t in [basic_tokens.unwrap(), post_tokens.unwrap(), code_tokens.clone()] {
        secrets.push(("access_token".into(), t.access_token.clone()));
        secrets.extend(t.refresh_token.map(|r| ("refresh_token".to_string(), r)));
        secrets.extend(t.id_token.map(|r| ("id_token".to_string(), r)));
    }
    for id in [basic, post, code_id] {
        let full = store.session_view(id, View::Full).await.unwrap().unwrap();
        assert!(!full.redacted);
        for step in &full.steps {
            secrets.extend(step.secrets.iter().map(|m| (m.label.clone(), m.value.clone())));
        }
    }
    for label in [
        "client_secret",
        "client_credentials",
        "access_token",
        "refresh_token",
        "id_token",
        "authorization_code",
        "code_verifier",
    ] {
        assert!(secrets.iter().any(|(l, v)| l == label && !v.is_empty()), "the flows used a {label}");
    }
    // The full copy is intact: the token request of the code flow carries the real code.
    let full = store.session_view(code_id, View::Full).await.unwrap().unwrap();
    assert_eq!(full.tokens.as_ref().unwrap().access_token, code_tokens.access_token);

    // The redacted copy (what lists, search and display use) has markers instead.
    let red = store.session_view(code_id, View::Redacted).await.unwrap().unwrap();
    let red_json = serde_json::to_string(&red).unwrap();
    assert!(
        red_json.contains("<redacted:code_verifier>") && red_json.contains("<redacted:authorization_code>"),
        "{red_json}"
    );
    assert!(red_json.contains("<redacted:access_token_signature>"));

    // Exports: redacted by default, whole on request.
    for format in [ExportFormat::Har, ExportFormat::Json, ExportFormat::Markdown, ExportFormat::Curl] {
        let text = store.export(basic, ExportOptions::new(format)).await.unwrap();
        for (label, v) in &secrets {
            assert!(!text.contains(v.as_str()), "{format:?} export leaks a {label}");
        }
    }
    let clear = store.export(post, ExportOptions { format: ExportFormat::Curl, redact: false }).await.unwrap();
    assert!(clear.contains(SERVICE_SECRET), "--no-redact keeps the secret: {clear}");

    // A saved client registration: its secret and private key PEM are sealed like the steps.
    let provider = store
        .save_provider("sandbox", &inspector_engine::discovery::ProviderSource::Issuer { issuer: sb.issuer.clone() })
        .await
        .unwrap();
    let registration = inspector_store::ClientRegistration {
        name: "saved".into(),
        client_id: "saved-client".into(),
        auth_method: AuthMethod::PrivateKeyJwt,
        ..Default::default()
    };
    let saved = inspector_engine::flows::common::ClientSecrets {
        client_secret: Some(inspector_engine::Secret::new(SAVED_SECRET)),
        private_key: Some(inspector_engine::Secret::new(SAVED_PEM)),
    };
    store.save_client(provider, &registration, &saved).await.unwrap();
    let loaded = store.client("sandbox", Some("saved")).await.unwrap();
    assert_eq!(loaded.secrets.client_secret.unwrap().expose(), SAVED_SECRET);
    assert_eq!(loaded.secrets.private_key.unwrap().expose(), SAVED_PEM);
    secrets.push(("saved client_secret".into(), SAVED_SECRET.into()));
    secrets.push(("saved private key".into(), SAVED_PEM.into()));
    secrets.extend(
        SAVED_PEM
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(|l| ("saved private key line".to_string(), l.to_string())),
    );

    store.close().await;
    drop(store);
    let files = db_files(&db.path);
    assert!(files.iter().any(|(p, b)| p.extension().is_some_and(|e| e == "db") && b.len() > 4096));
    // The search below does find what is stored in the clear (so a miss means something).
    assert!(files.iter().any(|(_, b)| contains(b, "<redacted:client_secret>") && contains(b, SERVICE_ID)));
    assert!(files.iter().any(|(_, b)| contains(b, "saved-client")), "the saved client's id is stored in the clear");
    for (path, bytes) in &files {
        for (label, value) in &secrets {
            assert!(!contains(bytes, value), "{} holds a {label} in plaintext", path.display());
        }
    }
    // The key never sits in the database folder's database files, and search still works.
    let store = db.open().await;
    let hits = store
        .find(&inspector_store::ListQuery { search: Some("orders.read".into()), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(hits.len(), 3, "claims and parameters are searchable in the redacted text");
}
