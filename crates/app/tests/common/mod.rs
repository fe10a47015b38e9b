//! What the core's tests share: a core over a temporary store, and the headless "user" who signs
//! in and consents on the sandbox's pages when a host is asked to open the browser.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use inspector_app::engine::gate::Gate;
use inspector_app::engine::{FlowEvent, Step};
use inspector_app::store::{KeySource, Store, StoreOptions};
use inspector_app::{Core, Host};

/// A core saving into a fresh temporary database (with a key file of its own); keep the dir alive.
pub async fn core() -> (Core, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let opts = StoreOptions { key: KeySource::File(dir.path().join("k.key")), ..Default::default() };
    let store = Store::open_with(&dir.path().join("sessions.db"), opts).await.unwrap();
    (Core::new(Some(store)), dir)
}

/// A browser without cookies that signs in and consents, then follows the redirect back.
pub async fn sign_in(authorize_url: &str) {
    let b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let origin = url::Url::parse(authorize_url).unwrap().origin().ascii_serialization();
    let action = |html: &str| -> String {
        let start = html.find("action=\"").expect("a form") + 8;
        format!("{origin}{}", &html[start..start + html[start..].find('"').unwrap()])
    };
    let page = b.get(authorize_url).send().await.unwrap().text().await.unwrap();
    let form = [("username", "carol"), ("password", "x")];
    let page = b.post(action(&page)).form(&form).send().await.unwrap().text().await.unwrap();
    let resp = b.post(action(&page)).form(&[("decision", "allow")]).send().await.unwrap();
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let _ = reqwest::get(location).await;
}

/// A host that keeps every event and "opens the browser" by signing in headlessly.
pub struct TestHost {
    events: Mutex<Vec<FlowEvent>>,
    gate: Option<Arc<dyn Gate>>,
}

impl TestHost {
    /// A host to wrap in another (not shared).
    pub fn plain() -> Self {
        Self { events: Mutex::default(), gate: None }
    }
    pub fn new() -> Arc<Self> {
        Arc::new(Self { events: Mutex::default(), gate: None })
    }
    pub fn with_gate(gate: Arc<dyn Gate>) -> Arc<Self> {
        Arc::new(Self { events: Mutex::default(), gate: Some(gate) })
    }
    pub fn events(&self) -> Vec<FlowEvent> {
        self.events.lock().unwrap().clone()
    }
    pub fn text(&self) -> String {
        serde_json::to_string(&self.events()).unwrap()
    }
}

impl Host for TestHost {
    fn event(&self, event: FlowEvent) {
        self.events.lock().unwrap().push(event);
    }
    fn open_browser(&self, url: &str) -> Result<(), String> {
        let url = url.to_string();
        tokio::spawn(async move { sign_in(&url).await });
        Ok(())
    }
    fn gate(&self) -> Option<Arc<dyn Gate>> {
        self.gate.clone()
    }
}

impl TestHost {
    /// The steps among the events, in order.
    pub fn steps(&self) -> Vec<Step> {
        self.events().into_iter().filter_map(|e| if let FlowEvent::Step(s) = e { Some(s) } else { None }).collect()
    }
}
