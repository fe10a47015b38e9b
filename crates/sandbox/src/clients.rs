//! The demo clients. Their credentials are fixed and documented (README) so that scripts and
//! classes can rely on them.

#[derive(Debug, Clone)]
pub struct DemoClient {
    pub client_id: &'static str,
    /// `None` for public clients.
    pub client_secret: Option<&'static str>,
    pub grant_types: &'static [&'static str],
    pub scopes: &'static [&'static str],
    pub description: &'static str,
}

pub const ALL_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access", "orders.read", "orders.write"];

pub fn demo_clients() -> Vec<DemoClient> {
    vec![
        DemoClient {
            client_id: "sandbox-service",
            client_secret: Some("sandbox-service-secret"),
            grant_types: &["client_credentials"],
            scopes: &["orders.read", "orders.write"],
            description: "confidential service client: client credentials",
        },
        DemoClient {
            client_id: "sandbox-app",
            client_secret: None,
            grant_types: &["authorization_code", "refresh_token"],
            scopes: ALL_SCOPES,
            description: "public app: authorization code with PKCE, any loopback redirect port",
        },
        DemoClient {
            client_id: "sandbox-device",
            client_secret: None,
            grant_types: &["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
            scopes: ALL_SCOPES,
            description: "public device client: device authorization",
        },
    ]
}
