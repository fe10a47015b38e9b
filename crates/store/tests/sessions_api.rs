//! The library functions the desktop calls: list with filters and search, rename, tags, notes,
//! delete with undo, diff of a working and a failing run, JSON export and import.

mod common;

use common::*;
use inspector_engine::client_auth::AuthMethod;
use inspector_store::diff::Aspect;
use inspector_store::{ExportFormat, ExportOptions, ListQuery, StoreError, View};

fn q() -> ListQuery {
    ListQuery::default()
}

#[tokio::test]
async fn list_filter_search_edit_delete_restore() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let db = TestDb::new();
    let store = db.open().await;
    let (ok_id, _) = client_credentials(&store, &sb.issuer, SERVICE_SECRET, AuthMethod::ClientSecretBasic).await;
    let (bad_id, _) = client_credentials(&store, &sb.issuer, "wrong-secret", AuthMethod::ClientSecretBasic).await;
    let (code_id, _) = auth_code(&store, &sb.issuer).await;

    let all = store.find(&q()).await.unwrap();
    assert_eq!(all.iter().map(|s| s.id).collect::<Vec<_>>(), vec![code_id, bad_id, ok_id], "newest first");
    assert_eq!(all[2].client, SERVICE_ID);
    assert!(all[2].step_count >= 3);

    let failed = store.find(&ListQuery { outcome: Some("failed".into()), ..q() }).await.unwrap();
    assert_eq!(failed.iter().map(|s| s.id).collect::<Vec<_>>(), vec![bad_id]);
    let cc = store.find(&ListQuery { flow: Some("client-credentials".into()), ..q() }).await.unwrap();
    assert_eq!(cc.len(), 2);
    let by_provider = store.find(&ListQuery { provider: Some(sb.issuer.to_uppercase()), ..q() }).await.unwrap();
    assert_eq!(by_provider.len(), 3);
    let none = store.find(&ListQuery { provider: Some("auth0".into()), ..q() }).await.unwrap();
    assert!(none.is_empty());
    let future = store.find(&ListQuery { since_ms: Some(inspector_engine::now_ms() + 60_000), ..q() }).await.unwrap();
    assert!(future.is_empty());
    let past = store
        .find(&ListQuery { until_ms: Some(inspector_engine::now_ms() + 1), since_ms: Some(0), ..q() })
        .await
        .unwrap();
    assert_eq!(past.len(), 3);
    assert_eq!(store.find(&ListQuery { limit: Some(1), ..q() }).await.unwrap().len(), 1);
    let err = store.find(&ListQuery { outcome: Some("great".into()), ..q() }).await.unwrap_err();
    assert!(err.to_string().contains("expected an outcome"), "{err}");

    // Full-text search: an OAuth error, a claim (sub of the ID token), a URL path, a title.
    let search = |text: &str| ListQuery { search: Some(text.into()), ..q() };
    assert_eq!(
        store.find(&search("invalid_client")).await.unwrap().iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![bad_id]
    );
    assert_eq!(store.find(&search("alice")).await.unwrap().iter().map(|s| s.id).collect::<Vec<_>>(), vec![code_id]);
    assert_eq!(store.find(&search("openid-configuration")).await.unwrap().len(), 3);
    assert!(store.find(&search("zzzznothing")).await.unwrap().is_empty());
    // Only redacted text is indexed: the secret is not findable.
    assert!(store.find(&search(SERVICE_SECRET)).await.unwrap().is_empty());
    assert!(store.find(&search("\" OR * NEAR(")).await.is_ok(), "search text is never FTS syntax");

    store.rename(ok_id, "Working baseline").await.unwrap();
    let tags = store.set_tags(ok_id, &["baseline".into(), " prod ".into(), "baseline".into()]).await.unwrap();
    assert_eq!(tags, vec!["baseline".to_string(), "prod".to_string()]);
    store.set_notes(ok_id, "Run before the rotation of the signing key").await.unwrap();
    let s = store.session_view(ok_id, View::Redacted).await.unwrap().unwrap();
    assert_eq!(s.summary.title, "Working baseline");
    assert_eq!(s.notes, "Run before the rotation of the signing key");
    assert_eq!(store.find(&search("rotation")).await.unwrap()[0].id, ok_id, "notes are searchable");
    assert_eq!(store.find(&search("baseline")).await.unwrap()[0].id, ok_id, "titles and tags are searchable");
    assert_eq!(store.find(&ListQuery { tag: Some("prod".into()), ..q() }).await.unwrap().len(), 1);
    assert!(matches!(store.rename(999, "x").await, Err(StoreError::NotFound(999))));
    assert!(store.rename(ok_id, "   ").await.is_err());

    store.delete(bad_id).await.unwrap();
    assert!(!store.find(&q()).await.unwrap().iter().any(|s| s.id == bad_id));
    let deleted = store.find(&ListQuery { deleted: true, ..q() }).await.unwrap();
    assert_eq!(deleted.len(), 1);
    assert!(deleted[0].deleted_ms.is_some());
    assert!(matches!(store.delete(bad_id).await, Err(StoreError::NotFound(_))));
    store.restore(bad_id).await.unwrap();
    assert!(store.find(&q()).await.unwrap().iter().any(|s| s.id == bad_id), "undo brings it back");
    store.delete(bad_id).await.unwrap();
    assert_eq!(store.purge_deleted(inspector_engine::now_ms() + 1).await.unwrap(), 1);
    assert!(store.session(bad_id).await.unwrap().is_none());
    assert!(store.find(&search("invalid_client")).await.unwrap().is_empty(), "its index rows are gone");
}

#[tokio::test]
async fn diff_of_a_working_and_a_failing_run_names_what_differs() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let db = TestDb::new();
    let store = db.open().await;
    let (ok_id, _) = client_credentials(&store, &sb.issuer, SERVICE_SECRET, AuthMethod::ClientSecretBasic).await;
    let (ok2, _) = client_credentials(&store, &sb.issuer, SERVICE_SECRET, AuthMethod::ClientSecretBasic).await;
    let (post_bad, _) = client_credentials(&store, &sb.issuer, "wrong-secret", AuthMethod::ClientSecretPost).await;

    let same = store.diff(ok_id, ok2).await.unwrap();
    assert!(same.same, "two runs of the same settings differ only in volatile values: {same:#?}");

    let d = store.diff(ok_id, post_bad).await.unwrap();
    assert!(!d.same);
    assert!(d.session.iter().any(|x| x.aspect == Aspect::Outcome && x.right == Some("failed".into())));
    let token_row = d
        .steps
        .iter()
        .find(|s| s.left.as_ref().is_some_and(|l| l.title.starts_with("Token request")))
        .expect("token request aligned");
    assert!(token_row.right.is_some(), "aligned by method and path, not title: {d:#?}");
    let has = |aspect: Aspect, name: &str| token_row.differences.iter().find(|x| x.aspect == aspect && x.name == name);
    let status = has(Aspect::HttpStatus, "status").expect("status differs");
    assert_eq!(
        (status.left.clone(), status.right.clone()),
        (Some(200.into()), Some(400.into())),
        "RFC 6749 §5.2: 400 without an Authorization header"
    );
    assert_eq!(has(Aspect::RequestParam, "client_secret").unwrap().right, Some("<redacted:client_secret>".into()));
    assert_eq!(has(Aspect::RequestHeader, "authorization (scheme)").unwrap().left, Some("Basic".into()));
    assert_eq!(has(Aspect::ResponseMember, "error").unwrap().right, Some("invalid_client".into()));
    assert!(has(Aspect::Claim, "access_token.scope").is_some(), "the claims of the token only the left has");
    let json = serde_json::to_string(&d).unwrap();
    assert!(!json.contains(SERVICE_SECRET) && !json.contains("wrong-secret"), "a diff holds no secret");
    assert!(matches!(store.diff(ok_id, 12345).await, Err(StoreError::NotFound(12345))));
}

#[tokio::test]
async fn json_export_imports_back_and_bad_files_change_nothing() {
    let sb = inspector_sandbox::start(0).await.unwrap();
    let db = TestDb::new();
    let store = db.open().await;
    let (id, tokens) = auth_code(&store, &sb.issuer).await;
    store.set_tags(id, &["imported-from-json".into()]).await.unwrap();

    let whole = store.export(id, ExportOptions { format: ExportFormat::Json, redact: false }).await.unwrap();
    let new_id = store.import_json(&whole).await.unwrap();
    assert_ne!(new_id, id);
    let (a, b) = (store.session(id).await.unwrap().unwrap(), store.session(new_id).await.unwrap().unwrap());
    assert_eq!(a.steps, b.steps, "lossless: every step with its secrets");
    assert_eq!(b.tokens.unwrap().refresh_token, tokens.refresh_token);
    assert_eq!(
        (a.summary.title, a.summary.tags, a.summary.outcome),
        (b.summary.title, b.summary.tags, b.summary.outcome)
    );

    let redacted = store.export(id, ExportOptions::new(ExportFormat::Json)).await.unwrap();
    assert!(!redacted.contains(&tokens.access_token));
    let red_id = store.import_json(&redacted).await.unwrap();
    assert!(
        store
            .session(red_id)
            .await
            .unwrap()
            .unwrap()
            .steps
            .iter()
            .all(|s| s.secrets.iter().all(|m| m.value.is_empty()))
    );

    let before = store.find(&q()).await.unwrap();
    let har = store.export(id, ExportOptions::new(ExportFormat::Har)).await.unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        ("malformed", "{\"format\": \"oauth-inspector-session\", ".into(), "not valid JSON"),
        ("HAR", har, "this is a HAR file"),
        ("another tool", r#"{"info": {"name": "Postman collection"}, "item": []}"#.into(), "members info, item"),
        ("array", "[1, 2]".into(), "got an array"),
        ("newer", whole.replacen("\"version\": 1", "\"version\": 7", 1), "newer version"),
        (
            "wrong shape",
            r#"{"format": "oauth-inspector-session", "version": 1, "session": {"title": 3}}"#.into(),
            "expected shape",
        ),
    ];
    for (what, text, expected) in cases {
        let err = store.import_json(&text).await.expect_err(what);
        assert_eq!(err.code(), "import_invalid", "{what}");
        assert!(err.to_string().contains(expected), "{what}: {err}");
    }
    assert_eq!(store.find(&q()).await.unwrap(), before, "existing data untouched");
}
