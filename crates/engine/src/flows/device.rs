//! Device authorization grant (RFC 8628): ask for a device code, show the user code, poll the
//! token endpoint at the server's interval (+5 s on `slow_down`), stop on `access_denied`,
//! `expired_token` or when `expires_in` has passed. Every poll is a step.

use std::time::{Duration, Instant};

use crate::discovery::resolve;
use crate::error::{ErrorCode, FlowError};
use crate::event::{Recorder, UserAction};
use crate::flows::common::{ClientSecrets, ClientSettings, post_authenticated};
use crate::http::{HttpClient, describe, json_object};
use crate::step::{DevicePoll, SecretMark, Step, StepCategory, StepStatus};
use crate::token_response::{self, TokenSet};

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// RFC 8628 §3.2: the interval when the server names none.
const DEFAULT_INTERVAL: u64 = 5;

pub async fn run(
    http: &HttpClient,
    rec: &Recorder,
    settings: &ClientSettings,
    secrets: &ClientSecrets,
) -> Result<TokenSet, FlowError> {
    let endpoints = resolve(http, rec, &settings.provider).await?;
    let device_endpoint = endpoints.require_step(rec, "device_authorization_endpoint")?.to_string();
    let token_endpoint = endpoints.require_step(rec, "token_endpoint")?.to_string();
    let client = secrets.config(settings);

    let (ex, mut marks) =
        post_authenticated(http, rec, &device_endpoint, &client, settings.request_params(), vec![]).await?;
    let parsed = match &ex.response {
        Ok(resp) => parse_device_response(resp),
        Err(e) => Err(e.clone()),
    };
    if let Ok(d) = &parsed {
        marks.push(SecretMark::new("device_code", d.device_code.clone()));
    }
    rec.http("Device authorization request", &ex, marks, parsed.as_ref().map(|_| ()));
    let d = parsed?;
    // The user opens these (the fronts show them as a link and a QR code): the same rule as an
    // authorization endpoint, https or loopback http only.
    for (what, u) in [
        ("verification_uri", Some(&d.verification_uri)),
        ("verification_uri_complete", d.verification_uri_complete.as_ref()),
    ] {
        let Some(u) = u else { continue };
        if let Err(e) = super::auth_code::browser_url(what, u) {
            rec.local_failed(format!("Device {what} refused: not https"), &e, serde_json::json!({what: u}));
            return Err(e);
        }
    }
    rec.action(UserAction::EnterUserCode {
        user_code: d.user_code.clone(),
        verification_uri: d.verification_uri.clone(),
        verification_uri_complete: d.verification_uri_complete.clone(),
        expires_in: d.expires_in,
    });

    let started = Instant::now();
    let mut interval = d.interval;
    let mut poll = 0;
    loop {
        tokio::time::sleep(Duration::from_secs(interval)).await;
        if started.elapsed() >= Duration::from_secs(d.expires_in) {
            let e = FlowError::new(
                ErrorCode::Expired,
                format!(
                    "device flow: expected the user to finish within expires_in = {} s; the code expired after {poll} polls",
                    d.expires_in
                ),
            );
            rec.local_failed("Device code expired", &e, serde_json::json!({"expires_in": d.expires_in, "polls": poll}));
            return Err(e);
        }
        poll += 1;
        let params = vec![
            ("grant_type".to_string(), GRANT_TYPE.to_string()),
            ("device_code".to_string(), d.device_code.clone()),
        ];
        let marks = vec![SecretMark::new("device_code", d.device_code.clone())];
        let (ex, mut marks) = post_authenticated(http, rec, &token_endpoint, &client, params, marks).await?;
        let result = match &ex.response {
            Ok(resp) => token_response::parse(resp, "device token poll"),
            Err(e) => Err(e.clone()),
        };
        let oauth_error = result.as_ref().err().and_then(|e| e.oauth.as_ref()).map(|o| o.error.clone());
        match (result, oauth_error.as_deref()) {
            (Ok(tokens), _) => {
                marks.extend(tokens.secret_marks());
                rec.push(poll_step(poll, "tokens", format!("Poll #{poll}: tokens issued"), &ex, marks, Ok(())));
                return Ok(tokens);
            }
            (Err(_), Some("authorization_pending")) => {
                push_poll(
                    rec,
                    &ex,
                    marks,
                    (poll, "authorization_pending"),
                    format!("Poll #{poll}: authorization_pending — waiting {interval} s"),
                    StepStatus::Ok,
                );
            }
            (Err(_), Some("slow_down")) => {
                interval += 5;
                push_poll(
                    rec,
                    &ex,
                    marks,
                    (poll, "slow_down"),
                    format!("Poll #{poll}: slow_down — interval raised to {interval} s (RFC 8628 §3.5)"),
                    StepStatus::Warning,
                );
            }
            (Err(mut e), Some(code @ ("expired_token" | "access_denied"))) => {
                if code == "expired_token" {
                    e.code = ErrorCode::Expired;
                }
                rec.push(poll_step(poll, code, format!("Poll #{poll}: {code}"), &ex, marks, Err(&e)));
                return Err(e);
            }
            (Err(e), answer) => {
                let answer = answer.unwrap_or("failed");
                rec.push(poll_step(poll, answer, format!("Poll #{poll}: {answer}"), &ex, marks, Err(&e)));
                return Err(e);
            }
        }
    }
}

/// A poll of the token endpoint as a step: its number and the answer ride along, so fronts fold
/// polls without reading titles.
fn poll_step(
    number: u32,
    answer: &str,
    title: String,
    ex: &crate::http::Exchange,
    marks: Vec<SecretMark>,
    outcome: Result<(), &FlowError>,
) -> Step {
    let mut step = Step::http(title, ex, marks, outcome).category(StepCategory::DevicePoll);
    step.poll = Some(DevicePoll { number, answer: answer.into() });
    step
}

fn push_poll(
    rec: &Recorder,
    ex: &crate::http::Exchange,
    marks: Vec<SecretMark>,
    (number, answer): (u32, &str),
    title: String,
    status: StepStatus,
) {
    let mut step = poll_step(number, answer, title, ex, marks, Ok(()));
    step.status = status;
    rec.push(step);
    if status == StepStatus::Warning {
        rec.local(
            "Polling slowed down at the server's request",
            StepStatus::Warning,
            serde_json::json!({"spec": "RFC 8628 §3.5"}),
        );
    }
}

struct DeviceResponse {
    device_code: String,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: Option<String>,
    expires_in: u64,
    interval: u64,
}

fn parse_device_response(resp: &crate::step::HttpResponse) -> Result<DeviceResponse, FlowError> {
    if let Some(err) = token_response::oauth_error(resp) {
        let mut e = FlowError::new(
            ErrorCode::OauthError,
            format!(
                "device authorization: expected a device code, the server refused with {}{} — HTTP {}",
                err.error,
                err.error_description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default(),
                resp.status
            ),
        );
        e.oauth = Some(err);
        return Err(e);
    }
    if resp.status != 200 {
        return Err(FlowError::new(
            ErrorCode::UnexpectedStatus,
            format!("device authorization: expected HTTP 200 with JSON, got {}", describe(resp)),
        ));
    }
    let map = json_object(resp, "device authorization")?;
    let s = |k: &str| map.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let n = |k: &str| map.get(k).and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())));
    let need = |k: &str, v: Option<String>| {
        v.ok_or_else(|| {
            FlowError::new(
                ErrorCode::MissingField,
                format!("device authorization: expected a string \"{k}\" in the response, it is absent"),
            )
        })
    };
    Ok(DeviceResponse {
        device_code: need("device_code", s("device_code"))?,
        user_code: need("user_code", s("user_code"))?,
        // Google's older endpoint says verification_url.
        verification_uri: need("verification_uri", s("verification_uri").or_else(|| s("verification_url")))?,
        verification_uri_complete: s("verification_uri_complete"),
        expires_in: n("expires_in").unwrap_or(600),
        interval: n("interval").unwrap_or(DEFAULT_INTERVAL).max(1),
    })
}
