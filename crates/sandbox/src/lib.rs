//! The sandbox authorization server: a real OAuth 2.0 / OIDC server on 127.0.0.1, so a new user
//! runs a flow with no account and no network. Demo clients have fixed, documented credentials
//! (see [`clients`]). It also serves deliberately broken issuers under `/trouble/…`, so trainers
//! and tests can show what a bad provider looks like.
//!
//! Trainer switches (`trainer`) make its real endpoints misbehave on purpose, one way each.
//!
//! It answers only requests whose `Host` is a loopback name (see `host`), so a web page cannot
//! reach it through DNS rebinding.
//!
//! Not a production server: everything lives in memory and is lost when it stops.

// Handlers' helpers return the refusal as the response itself, as axum handlers do.
#![allow(clippy::result_large_err)]

mod authorize;
pub mod clients;
mod device;
mod grants;
mod host;
pub mod keys;
mod metadata;
pub mod mint;
mod pages;
mod resource;
mod token;
pub mod trainer;
mod trouble;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use tokio::sync::oneshot;

pub use clients::{DemoClient, demo_clients};
pub use trainer::{Switch, Trainer};

/// Shared by every handler.
pub struct State {
    pub issuer: String,
    pub keys: keys::SigningKeys,
    pub clients: Vec<DemoClient>,
    pub grants: grants::GrantStore,
    /// The misbehaviours switched on (all off at start).
    pub trainer: Arc<Trainer>,
}

pub type Shared = Arc<State>;

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    pub issuer: String,
    pub addr: SocketAddr,
    /// Its trainer switches, to turn on and off while it runs.
    pub trainer: Arc<Trainer>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds 127.0.0.1:`port` (0 = any free port), generates fresh signing keys, and serves the
/// [demo clients](demo_clients).
pub async fn start(port: u16) -> std::io::Result<Sandbox> {
    start_with_clients(port, demo_clients()).await
}

/// [`start`] with other registered clients than the demo ones, e.g. a confidential web client for
/// which PKCE is optional (RFC 9700 §2.1.1), so tests can reach the paths no demo client takes.
pub async fn start_with_clients(port: u16, clients: Vec<DemoClient>) -> std::io::Result<Sandbox> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let issuer = format!("http://{addr}");
    let trainer = Arc::new(Trainer::default());
    let state: Shared = Arc::new(State {
        issuer: issuer.clone(),
        keys: keys::SigningKeys::generate(),
        clients,
        grants: Default::default(),
        trainer: trainer.clone(),
    });
    let (tx, rx) = oneshot::channel::<()>();
    let app = router(state);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(Sandbox { issuer, addr, trainer, shutdown: Some(tx) })
}

fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(metadata::home))
        .route("/.well-known/openid-configuration", get(metadata::openid_configuration))
        .route("/.well-known/oauth-authorization-server", get(metadata::openid_configuration))
        .route("/jwks", get(metadata::jwks))
        .route("/token", post(token::token))
        .route("/authorize", get(authorize::authorize))
        .route("/interaction/{id}/login", post(authorize::login))
        .route("/interaction/{id}/consent", post(authorize::consent))
        .route("/device_authorization", post(device::device_authorization))
        .route("/device", get(device::entry_page).post(device::enter_code))
        .route("/device/{code}/consent", post(device::consent))
        .route("/revoke", post(resource::revoke))
        .route("/introspect", post(resource::introspect))
        .route("/userinfo", get(resource::userinfo).post(resource::userinfo))
        .route("/mint", post(mint::mint))
        .route("/trainer", get(trainer::get).put(trainer::put))
        .route("/api/orders", get(resource::list_orders).post(resource::create_order))
        .route("/api/payments", post(resource::payments))
        .nest("/trouble", trouble::router())
        .with_state(state)
        // Outermost, so no route, fallback or trouble issuer answers a non-loopback Host.
        .layer(axum::middleware::from_fn(host::loopback_only))
}
