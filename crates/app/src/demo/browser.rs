//! A scripted browser on the sandbox's sign-in pages, for the demos: it follows the sandbox's own
//! redirects, fills the login form as `username`, allows the consent, and stops at the redirect
//! back to the client, whose URL it returns without requesting it. Each request is a step from
//! the lane of whoever's browser it is (the victim's or the attacker's).

use inspector_engine::http::HttpClient;
use inspector_engine::step::{HttpResponse, Lane, SecretMark, StepCategory};
use inspector_engine::{ErrorCode, FlowError, Step};

use super::Ctx;

const MAX_HOPS: usize = 8;

fn broken(msg: String) -> FlowError {
    FlowError::new(ErrorCode::UnexpectedStatus, msg)
}

/// The `action` of the first form in a sandbox page, absolute.
fn form_action(page: &str, base: &str) -> Option<String> {
    let at = page.find("action=\"")? + "action=\"".len();
    let action = page[at..].split('"').next()?;
    url::Url::parse(base).ok()?.join(action).ok().map(|u| u.to_string())
}

/// The authorization code in a URL, marked so it is redacted in the steps.
pub fn code_marks(url: &str) -> Vec<SecretMark> {
    url::Url::parse(url)
        .map(|u| {
            u.query_pairs()
                .filter(|(k, _)| k == "code")
                .map(|(_, v)| SecretMark::new("authorization_code", v))
                .collect()
        })
        .unwrap_or_default()
}

impl Ctx<'_> {
    async fn browse(
        &self,
        who: Lane,
        title: &str,
        req: inspector_engine::step::HttpRequest,
    ) -> Result<HttpResponse, FlowError> {
        let ex = self.http.send(self.rec, req, &mut Vec::new()).await;
        let marks = ex.response.as_ref().ok().and_then(|r| r.header("location")).map(code_marks).unwrap_or_default();
        self.rec.push(
            Step::http(title, &ex, marks, Ok(()))
                .category(StepCategory::BrowserNavigation)
                .lanes(who, Lane::AuthorizationServer),
        );
        ex.response.map_err(|e| broken(format!("{title}: {}", e.message)))
    }

    /// Signs in as `username` from `authorize_url`; returns the URL the sandbox redirects back
    /// to (with the code, or an error), or why the sign-in could not go on.
    pub async fn sign_in(&self, who: Lane, username: &str, authorize_url: &str) -> Result<String, FlowError> {
        let mut url = authorize_url.to_string();
        let mut page = None;
        for _ in 0..MAX_HOPS {
            let resp =
                self.browse(who, &format!("{username}'s browser: GET {}", path(&url)), HttpClient::get(&url)).await?;
            match resp.header("location") {
                Some(loc) if (300..400).contains(&resp.status) => {
                    let next =
                        url::Url::parse(&url).and_then(|u| u.join(loc)).map(|u| u.to_string()).unwrap_or_default();
                    if !next.starts_with(&self.issuer) {
                        return Ok(next); // Back to the client before any login (an error redirect).
                    }
                    url = next;
                }
                _ if resp.status == 200 => {
                    page = Some(resp.body.clone());
                    break;
                }
                _ => {
                    return Err(broken(format!(
                        "sign-in: expected the sandbox's login page at {}, got HTTP {}: {}",
                        path(&url),
                        resp.status,
                        resp.body.chars().take(200).collect::<String>()
                    )));
                }
            }
        }
        let page = page.ok_or_else(|| broken("sign-in: too many redirects before the login page".into()))?;
        let login =
            form_action(&page, &url).ok_or_else(|| broken("sign-in: no login form on the sandbox's page".into()))?;
        let form = [("username", username), ("password", "demo")];
        let resp = self
            .browse(who, &format!("{username}'s browser: sign in"), HttpClient::post_form(&login, &form, vec![]))
            .await?;
        let consent =
            form_action(&resp.body, &login).ok_or_else(|| broken("sign-in: no consent form after the login".into()))?;
        let resp = self
            .browse(
                who,
                &format!("{username}'s browser: allow"),
                HttpClient::post_form(&consent, &[("decision", "allow")], vec![]),
            )
            .await?;
        resp.header("location").map(str::to_string).ok_or_else(|| {
            broken(format!("sign-in: expected a redirect back to the client after consent, got HTTP {}", resp.status))
        })
    }
}

/// A URL's path, for a step title (the query may hold secrets and is long).
pub fn path(url: &str) -> String {
    url::Url::parse(url).map(|u| u.path().to_string()).unwrap_or_else(|_| url.to_string())
}

/// A query parameter of a URL.
pub fn param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url).ok()?.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}
