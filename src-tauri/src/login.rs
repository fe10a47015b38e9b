//! The in-app login browser: a separate window on the provider's pages that records every
//! navigation it makes — each redirect of the login becomes a step. It is a remote page with no
//! capability, so it cannot call the app's commands.

use inspector_engine::step::SecretMark;
use inspector_engine::step::{Lane, StepCategory};
use inspector_engine::{Step, StepStatus, WeakRecorder};
use tauri::{AppHandle, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

pub fn open(app: &AppHandle, url: &str, recorder: WeakRecorder) -> tauri::Result<WebviewWindow> {
    let parsed: tauri::Url = url.parse().map_err(|e: url::ParseError| tauri::Error::InvalidUrl(e))?;
    let label = format!("login-{}", inspector_engine::now_ms());
    WebviewWindowBuilder::new(app, label, WebviewUrl::External(parsed))
        .title("Sign in — OAuth Flow Inspector")
        .inner_size(520.0, 680.0)
        .on_navigation(move |to| {
            if let Some(rec) = recorder.upgrade() {
                rec.push(navigation_step(to.as_str()));
            }
            true
        })
        .build()
}

fn navigation_step(url: &str) -> Step {
    // A code in the URL is the authorization code: mark it so it is redacted like everywhere else.
    let secrets = url::Url::parse(url)
        .ok()
        .and_then(|u| u.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned()))
        .map(|c| vec![SecretMark::new("authorization_code", c)])
        .unwrap_or_default();
    Step::local(
        format!("In-app browser navigated to {}", url.split('?').next().unwrap_or(url)),
        StepStatus::Ok,
        serde_json::json!({"url": url}),
    )
    .category(StepCategory::BrowserNavigation)
    .lanes(Lane::Browser, Lane::AuthorizationServer)
    .secrets(secrets)
}
