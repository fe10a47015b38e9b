//! Saved providers and client registrations: round trip, upsert by name, cascade delete, secrets
//! sealed (never serialised, never in the database files), clear errors for bad names and
//! references, and a flow run from a saved registration against the in-process sandbox.

mod common;

use std::time::Duration;

use common::*;
use inspector_engine::client_auth::AuthMethod;
use inspector_engine::discovery::{Endpoints, ProviderSource};
use inspector_engine::flows::client_credentials;
use inspector_engine::flows::common::ClientSecrets;
use inspector_engine::http::HttpClient;
use inspector_engine::{Recorder, Secret};
use inspector_store::{ClientRegistration, StoreError};

pub const TEST_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCzRegistryTestKey0\nq7c2xY9Zt4LmP0wKfJ8sVb3NdRe5hUaGi1oTpWzXyQcM2nLk6jHf4tAr9vEuBs7DgOw\n-----END PRIVATE KEY-----\n";

fn issuer(url: &str) -> ProviderSource {
    ProviderSource::Issuer { issuer: url.into() }
}

fn service() -> ClientRegistration {
    ClientRegistration {
        name: "service".into(),
        client_id: SERVICE_ID.into(),
        auth_method: AuthMethod::ClientSecretPost,
        scope: Some("orders.read".into()),
        resource: vec!["https://api.example.com/".into()],
        audience: Some("orders".into()),
        extra: vec![("tenant".into(), "a".into()), ("tenant".into(), "b".into())],
        ..Default::default()
    }
}

fn with_secret(s: &str) -> ClientSecrets {
    ClientSecrets { client_secret: Some(Secret::new(s)), private_key: None }
}

#[tokio::test]
async fn providers_and_clients_round_trip_and_upsert_by_name() {
    let db = TestDb::new();
    let store = db.open().await;
    assert!(store.list_providers().await.unwrap().is_empty());

    let id = store.save_provider(" sandbox ", &issuer("http://127.0.0.1:9000")).await.unwrap();
    let manual = ProviderSource::Manual {
        endpoints: Endpoints { token_endpoint: Some("https://as.example.com/token".into()), ..Default::default() },
    };
    let hand = store.save_provider("by-hand", &manual).await.unwrap();
    assert_ne!(id, hand);

    let list = store.list_providers().await.unwrap();
    assert_eq!(
        list.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        vec!["by-hand", "sandbox"],
        "by name, trimmed"
    );
    assert_eq!(list[0].source, manual);
    // Flat JSON: the source's tag and fields beside id and name.
    let json = serde_json::to_value(&list[1]).unwrap();
    assert_eq!(json["source"], "issuer");
    assert_eq!(json["issuer"], "http://127.0.0.1:9000");
    assert_eq!(json["name"], "sandbox");

    // By id, by name, names compare case-insensitively.
    assert_eq!(store.provider(id).await.unwrap().name, "sandbox");
    assert_eq!(store.provider("SANDBOX").await.unwrap().id, id);

    // Upsert: the same name (any case) keeps the id and replaces the source.
    let again = store.save_provider("Sandbox", &issuer("http://127.0.0.1:9001")).await.unwrap();
    assert_eq!(again, id);
    let p = store.provider("sandbox").await.unwrap();
    assert_eq!(p.source, issuer("http://127.0.0.1:9001"));
    assert!(p.updated_ms >= p.created_ms);
    assert_eq!(store.list_providers().await.unwrap().len(), 2);

    // A client: saved, listed without secrets, loaded with them for a run.
    let cid = store.save_client("sandbox", &service(), &with_secret(SERVICE_SECRET)).await.unwrap();
    let clients = store.list_clients(id).await.unwrap();
    assert_eq!(clients.len(), 1);
    let c = &clients[0];
    assert_eq!((c.id, c.provider_id, c.provider.as_str()), (cid, id, "Sandbox"));
    assert_eq!(c.registration, service());
    assert!(c.has_secret && !c.has_private_key);
    let listed = serde_json::to_string(&clients).unwrap();
    assert!(!listed.contains(SERVICE_SECRET), "{listed}");
    assert!(
        listed.contains(r#""has_secret":true"#) && listed.contains(r#""extra":[["tenant","a"],["tenant","b"]]"#),
        "{listed}"
    );
    assert_eq!(store.provider(id).await.unwrap().client_count, 1);

    let reg = store.client("sandbox", Some("SERVICE")).await.unwrap();
    assert_eq!(reg.settings.provider, issuer("http://127.0.0.1:9001"), "the provider's current source");
    assert_eq!(reg.settings.client_id, SERVICE_ID);
    assert_eq!(reg.settings.auth_method, AuthMethod::ClientSecretPost);
    assert_eq!(reg.settings.scope.as_deref(), Some("orders.read"));
    assert_eq!(reg.settings.resource, vec!["https://api.example.com/".to_string()]);
    assert_eq!(reg.settings.audience.as_deref(), Some("orders"));
    assert_eq!(reg.settings.extra.len(), 2);
    assert_eq!(reg.secrets.client_secret.as_ref().unwrap().expose(), SERVICE_SECRET);
    assert!(reg.secrets.private_key.is_none());
    assert!(!format!("{reg:?}").contains(SERVICE_SECRET), "Debug shows no secret");
    // The only client is picked when none is named.
    assert_eq!(store.client(id, None).await.unwrap().client.id, cid);

    // Upsert of a client: same id, fields and secrets replaced as given.
    let spa = ClientRegistration {
        name: "Service".into(),
        client_id: "other-id".into(),
        auth_method: AuthMethod::PrivateKeyJwt,
        redirect_uri: Some("http://127.0.0.1:8765/callback".into()),
        ..Default::default()
    };
    let keyed = ClientSecrets { client_secret: None, private_key: Some(Secret::new(TEST_PEM)) };
    assert_eq!(store.save_client(id, &spa, &keyed).await.unwrap(), cid);
    let reg = store.client("sandbox", Some("service")).await.unwrap();
    assert_eq!(reg.client.registration.name, "Service");
    assert_eq!(reg.settings.client_id, "other-id");
    assert_eq!(reg.redirect_uri(), Some("http://127.0.0.1:8765/callback"));
    assert!(reg.settings.scope.is_none() && reg.settings.resource.is_empty() && reg.settings.extra.is_empty());
    assert!(reg.secrets.client_secret.is_none(), "a secret not given is no longer saved");
    assert_eq!(reg.secrets.private_key.as_ref().unwrap().expose(), TEST_PEM);
    assert!(!reg.client.has_secret && reg.client.has_private_key);

    // The same client name at another provider is another client.
    let other = store.save_client("by-hand", &service(), &ClientSecrets::default()).await.unwrap();
    assert_ne!(other, cid);
    assert!(!store.list_clients("by-hand").await.unwrap()[0].has_secret);

    // Survives reopening (the key file is the test's own).
    store.close().await;
    let store = db.open().await;
    assert_eq!(store.client("sandbox", None).await.unwrap().secrets.private_key.unwrap().expose(), TEST_PEM);
}

#[tokio::test]
async fn deleting_a_provider_deletes_its_clients() {
    let db = TestDb::new();
    let store = db.open().await;
    let keep = store.save_provider("keep", &issuer("https://keep.example.com")).await.unwrap();
    store.save_client(keep, &service(), &with_secret("kept-secret")).await.unwrap();
    let gone = store.save_provider("gone", &issuer("https://gone.example.com")).await.unwrap();
    store.save_client(gone, &service(), &with_secret(SERVICE_SECRET)).await.unwrap();
    store
        .save_client(
            gone,
            &ClientRegistration { name: "app".into(), client_id: "sandbox-app".into(), ..Default::default() },
            &ClientSecrets::default(),
        )
        .await
        .unwrap();

    // Two clients: one must be named.
    let e = store.client("gone", None).await.unwrap_err();
    assert_eq!(e.code(), "client_ambiguous");
    assert!(e.to_string().contains("app, service"), "{e}");

    // Deleting one client.
    store.delete_client("gone", "APP").await.unwrap();
    assert_eq!(store.list_clients("gone").await.unwrap().len(), 1);
    let e = store.delete_client("gone", "app").await.unwrap_err();
    assert_eq!(e.code(), "client_not_found");
    assert!(e.to_string().contains("its clients: service"), "{e}");

    assert_eq!(store.delete_provider("gone").await.unwrap(), 1, "one client went with it");
    assert_eq!(store.list_providers().await.unwrap().iter().map(|p| p.id).collect::<Vec<_>>(), vec![keep]);
    assert_eq!(store.list_clients("gone").await.unwrap_err().code(), "provider_not_found");
    assert_eq!(store.client(gone, None).await.unwrap_err().code(), "provider_not_found");
    assert_eq!(store.delete_provider(gone).await.unwrap_err().code(), "provider_not_found");
    // The other provider's client is untouched.
    assert_eq!(
        store.client("keep", Some("service")).await.unwrap().secrets.client_secret.unwrap().expose(),
        "kept-secret"
    );
    // Nothing of the deleted provider's clients is left in the table.
    store.close().await;
    let pool =
        sqlx::SqlitePool::connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&db.path)).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clients WHERE provider_id = ?")
        .bind(gone)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
    pool.close().await;
}

#[tokio::test]
async fn client_secrets_are_sealed_in_the_database_files() {
    let db = TestDb::new();
    let store = db.open().await;
    let id = store.save_provider("sandbox", &issuer("http://127.0.0.1:9000")).await.unwrap();
    let secrets =
        ClientSecrets { client_secret: Some(Secret::new(SERVICE_SECRET)), private_key: Some(Secret::new(TEST_PEM)) };
    store.save_client(id, &service(), &secrets).await.unwrap();
    store.close().await;
    drop(store);
    let files = db_files(&db.path);
    // What is stored in the clear is found (so a miss below means something).
    assert!(files.iter().any(|(_, b)| contains(b, SERVICE_ID) && contains(b, "orders.read")));
    let body = TEST_PEM.lines().nth(1).unwrap();
    for (path, bytes) in &files {
        for (label, v) in [("client secret", SERVICE_SECRET), ("private key", TEST_PEM), ("private key body", body)] {
            assert!(!contains(bytes, v), "{} holds the {label} in plaintext", path.display());
        }
    }
    // A sealed secret moved to another client's row does not open there.
    let store = db.open().await;
    let other = store
        .save_client(
            id,
            &ClientRegistration { name: "app".into(), client_id: "x".into(), ..Default::default() },
            &ClientSecrets::default(),
        )
        .await
        .unwrap();
    store.close().await;
    let pool =
        sqlx::SqlitePool::connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&db.path)).await.unwrap();
    sqlx::query(
        "UPDATE clients SET secret_sealed = (SELECT secret_sealed FROM clients WHERE name = 'service') WHERE id = ?",
    )
    .bind(other)
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let store = db.open().await;
    let e = store.client(id, Some("app")).await.unwrap_err();
    assert_eq!(e.code(), "store_unseal_failed", "{e}");
}

#[tokio::test]
async fn bad_names_and_registrations_are_refused_clearly() {
    let db = TestDb::new();
    let store = db.open().await;
    for bad in ["", "   ", "tab\there"] {
        let e = store.save_provider(bad, &issuer("https://as.example.com")).await.unwrap_err();
        assert_eq!(e.code(), "invalid_name", "{bad:?}: {e}");
        assert!(matches!(e, StoreError::InvalidName(_)));
    }
    let e = store.save_provider("x", &issuer("not a url")).await.unwrap_err();
    assert_eq!(e.code(), "invalid_registration");
    assert!(e.to_string().contains("expected an http(s) URL for the issuer"), "{e}");
    let e = store.save_provider("x", &ProviderSource::Manual { endpoints: Endpoints::default() }).await.unwrap_err();
    assert!(e.to_string().contains("at least one endpoint"), "{e}");
    assert!(store.list_providers().await.unwrap().is_empty(), "nothing saved by a refused call");

    let e = store.save_client("nowhere", &service(), &ClientSecrets::default()).await.unwrap_err();
    assert_eq!(e.code(), "provider_not_found");
    assert!(e.to_string().contains("saved providers: none"), "{e}");
    store.save_provider("sandbox", &issuer("http://127.0.0.1:9000")).await.unwrap();
    let e = store.provider("nowhere").await.unwrap_err();
    assert!(e.to_string().contains("no saved provider \"nowhere\" (saved providers: sandbox)"), "{e}");

    let cases: Vec<(ClientRegistration, &str, &str)> = vec![
        (ClientRegistration { name: " ".into(), ..service() }, "invalid_name", "client name"),
        (ClientRegistration { client_id: "  ".into(), ..service() }, "invalid_registration", "client id"),
        (
            ClientRegistration { redirect_uri: Some("/callback".into()), ..service() },
            "invalid_registration",
            "redirect URI",
        ),
        (ClientRegistration { resource: vec!["orders".into()], ..service() }, "invalid_registration", "RFC 8707"),
        (
            ClientRegistration { extra: vec![(" ".into(), "v".into())], ..service() },
            "invalid_registration",
            "extra parameter",
        ),
    ];
    for (reg, code, says) in cases {
        let e = store.save_client("sandbox", &reg, &ClientSecrets::default()).await.unwrap_err();
        assert_eq!(e.code(), code, "{reg:?}: {e}");
        assert!(e.to_string().contains(says), "{e}");
    }
    let not_pem = ClientSecrets { client_secret: None, private_key: Some(Secret::new("just text")) };
    let e = store.save_client("sandbox", &service(), &not_pem).await.unwrap_err();
    assert!(e.to_string().contains("PEM"), "{e}");
    assert!(store.list_clients("sandbox").await.unwrap().is_empty());
    let e = store.client("sandbox", None).await.unwrap_err();
    assert_eq!(e.code(), "client_not_found");
    assert!(e.to_string().contains("has no saved client"), "{e}");
    let e = store.client("sandbox", Some("service")).await.unwrap_err();
    assert!(e.to_string().contains("its clients: none"), "{e}");
}

#[tokio::test]
async fn a_saved_registration_runs_a_flow() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let db = TestDb::new();
    let store = db.open().await;
    store.save_provider("sandbox", &issuer(&sb.issuer)).await.unwrap();
    let reg = ClientRegistration { audience: None, resource: vec![], extra: vec![], ..service() };
    store.save_client("sandbox", &reg, &with_secret(SERVICE_SECRET)).await.unwrap();
    let saved = store.client("sandbox", Some("service")).await.unwrap();
    let http = HttpClient::new(Duration::from_secs(10));
    let rec = Recorder::new();
    let tokens = client_credentials::run(&http, &rec, &saved.settings, &saved.secrets).await.expect("tokens");
    assert_eq!(tokens.scope.as_deref(), Some("orders.read"));
}
