//! Real flows for the store's tests: the sandbox started in-process, flows driven by the engine
//! through `Run` into a store with a key file of the test's own (never the OS keychain).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use inspector_engine::client_auth::AuthMethod;
use inspector_engine::discovery::ProviderSource;
use inspector_engine::flows::auth_code::{self, AuthCodeSettings, Callback};
use inspector_engine::flows::client_credentials;
use inspector_engine::flows::common::{ClientSecrets, ClientSettings};
use inspector_engine::http::HttpClient;
use inspector_engine::pkce::PkceMethod;
use inspector_engine::{FlowEvent, Secret, TokenSet, UserAction};
use inspector_store::{KeySource, NewSession, Run, Store, StoreOptions};

pub const SERVICE_ID: &str = "sandbox-service";
pub const SERVICE_SECRET: &str = "sandbox-service-secret";

pub struct TestDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TestDb {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db/sessions.db");
        Self { dir, path }
    }
    pub fn options(&self) -> StoreOptions {
        StoreOptions { key: KeySource::File(self.key_path()), ..Default::default() }
    }
    pub fn key_path(&self) -> PathBuf {
        self.dir.path().join("keys/test.key")
    }
    pub async fn open(&self) -> Store {
        Store::open_with(&self.path, self.options()).await.expect("open store")
    }
}

/// Every file of the database (main file, -wal, -shm, …) with its bytes.
pub fn db_files(path: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = path.parent().unwrap();
    let stem = path.file_name().unwrap().to_string_lossy().to_string();
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name().unwrap().to_string_lossy().starts_with(&stem) && !p.to_string_lossy().ends_with(".key")
        })
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

pub fn contains(hay: &[u8], needle: &str) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn settings(issuer: &str, client_id: &str, method: AuthMethod, scope: &str) -> ClientSettings {
    let mut s = ClientSettings::new(ProviderSource::Issuer { issuer: issuer.into() }, client_id);
    s.auth_method = method;
    s.scope = Some(scope.into());
    s
}

/// A client-credentials run saved in `store`: (session id, tokens if it succeeded).
pub async fn client_credentials(
    store: &Store,
    issuer: &str,
    secret: &str,
    method: AuthMethod,
) -> (i64, Option<TokenSet>) {
    let settings = settings(issuer, SERVICE_ID, method, "orders.read");
    let secrets = ClientSecrets { client_secret: Some(Secret::new(secret)), private_key: None };
    let new = NewSession::for_flow("client_credentials", &settings.provider, SERVICE_ID, &settings);
    let run = Run::start(Some(store), &new).await.unwrap();
    let http = HttpClient::new(Duration::from_secs(10));
    let result = client_credentials::run(&http, &run.recorder, &settings, &secrets).await;
    let tokens = result.as_ref().ok().cloned();
    let outcome = run.finish(result.map(Some)).await;
    assert!(outcome.store_error.is_none(), "{:?}", outcome.store_error);
    (outcome.session_id.unwrap(), tokens)
}

/// An authorization-code + PKCE run against the sandbox, its login and consent posted by a
/// cookie-less HTTP client standing in for the browser.
pub async fn auth_code(store: &Store, issuer: &str) -> (i64, TokenSet) {
    let client = settings(issuer, "sandbox-app", AuthMethod::None, "openid profile offline_access orders.read");
    let settings = AuthCodeSettings { client, redirect_uri: None, pkce: PkceMethod::S256, login_timeout_secs: 30 };
    let new = NewSession::for_flow("authorization_code", &settings.client.provider, "sandbox-app", &settings);
    let mut run = Run::start(Some(store), &new).await.unwrap();
    let mut events = run.subscribe();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let redirect_uri = "http://127.0.0.1:45999/callback".to_string();
    let issuer = issuer.to_string();
    let browser = tokio::spawn(async move {
        let web = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        while let Some(ev) = events.recv().await {
            let FlowEvent::Action(UserAction::OpenUrl { url }) = ev else { continue };
            let page = web.get(&url).send().await.unwrap().text().await.unwrap();
            let at = page.find("/interaction/").expect("a login form");
            let id: String = page[at + "/interaction/".len()..].chars().take_while(|c| *c != '/').collect();
            let post = |path: String, body: &'static str| {
                web.post(format!("{issuer}{path}"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
            };
            post(format!("/interaction/{id}/login"), "username=alice").await.unwrap();
            let resp = post(format!("/interaction/{id}/consent"), "decision=allow").await.unwrap();
            let location =
                resp.headers().get("location").expect("redirect to the client").to_str().unwrap().to_string();
            let _ = tx.send(location);
            break;
        }
    });
    let http = HttpClient::new(Duration::from_secs(10));
    let result = auth_code::run(
        &http,
        &run.recorder,
        &settings,
        &ClientSecrets::default(),
        Callback::Delivered { redirect_uri, url: rx },
    )
    .await;
    let tokens = result.clone().expect("auth code flow succeeds");
    let outcome = run.finish(result.map(Some)).await;
    browser.await.unwrap();
    assert!(outcome.store_error.is_none(), "{:?}", outcome.store_error);
    (outcome.session_id.unwrap(), tokens)
}
