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
    // The hop back to the app is the one to the redirect URI the authorization request names.
    let redirect_uri = parsed.query_pairs().find(|(k, _)| k == "redirect_uri").map(|(_, v)| v.into_owned());
    WebviewWindowBuilder::new(app, label, WebviewUrl::External(parsed))
        .title("Sign in — OAuth Flow Inspector")
        .inner_size(520.0, 680.0)
        .on_navigation(move |to| {
            if let Some(rec) = recorder.upgrade() {
                rec.push(navigation_step(to.as_str(), redirect_uri.as_deref()));
            }
            true
        })
        .build()
}

fn navigation_step(url: &str, redirect_uri: Option<&str>) -> Step {
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
    .lanes(Lane::Browser, if to_app(url, redirect_uri) { Lane::App } else { Lane::AuthorizationServer })
    .secrets(secrets)
}

/// Whether `url` is the redirect URI (scheme, host, port and path), i.e. the browser coming back.
fn to_app(url: &str, redirect_uri: Option<&str>) -> bool {
    let base = |u: &str| u.split(['?', '#']).next().unwrap_or(u).trim_end_matches('/').to_ascii_lowercase();
    redirect_uri.is_some_and(|r| base(url) == base(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hop_to_the_redirect_uri_ends_on_the_app_lane_and_its_code_is_marked() {
        let r = Some("http://127.0.0.1:45123/callback");
        let back = navigation_step("http://127.0.0.1:45123/callback?code=abc123&state=s", r);
        assert_eq!((back.lanes.from, back.lanes.to), (Lane::Browser, Lane::App));
        assert!(back.secrets.iter().any(|m| m.label == "authorization_code" && m.value == "abc123"));
        let login = navigation_step("http://127.0.0.1:9000/interaction/x/login", r);
        assert_eq!(login.lanes.to, Lane::AuthorizationServer);
        assert_eq!(login.category, StepCategory::BrowserNavigation);
        // Same host, another port: the sandbox is on loopback too.
        assert_eq!(navigation_step("http://127.0.0.1:9000/callback", r).lanes.to, Lane::AuthorizationServer);
    }
}
