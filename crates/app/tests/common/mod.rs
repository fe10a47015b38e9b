//! What the core's tests share: a core over a temporary store, and the headless "user" who signs
//! in and consents on the sandbox's pages when a host is asked to open the browser.

#![allow(dead_code)]

use inspector_app::Core;
use inspector_app::store::{KeySource, Store, StoreOptions};

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
