//! In-memory records of everything the sandbox has issued: pending logins, codes, tokens and
//! device authorizations. Lost on restart, which a sandbox may do.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;

pub fn random_token(bytes: usize) -> String {
    let v: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v)
}

pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// An authorization request waiting for the user's login and consent.
#[derive(Debug, Clone)]
pub struct PendingAuth {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub username: Option<String>,
}

#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub auth: PendingAuth,
    pub sub: String,
    pub expires_at: u64,
}

#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub client_id: String,
    pub sub: String,
    pub scopes: Vec<String>,
    pub expires_at: u64,
    pub active: bool,
    pub kind: &'static str,
    /// The grant the token belongs to: every token issued from one authorization and its
    /// refreshes, so a replayed refresh token can revoke them all (RFC 9700 §4.14.2).
    pub family: Option<String>,
    /// A refresh token that was used and replaced (not revoked): presenting it again is reuse.
    pub rotated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeviceStatus {
    Pending,
    Approved(String),
    Denied,
    /// Tokens were issued; the device code is spent.
    Used,
}

#[derive(Debug, Clone)]
pub struct DeviceRecord {
    pub client_id: String,
    pub user_code: String,
    pub scopes: Vec<String>,
    pub expires_at: u64,
    pub interval: u64,
    pub last_poll: Option<std::time::Instant>,
    pub status: DeviceStatus,
    /// Who entered the code, between entry and consent.
    pub username: Option<String>,
}

#[derive(Default)]
pub struct Grants {
    pub pending: HashMap<String, PendingAuth>,
    pub codes: HashMap<String, IssuedCode>,
    pub tokens: HashMap<String, TokenRecord>,
    pub devices: HashMap<String, DeviceRecord>,
}

pub type GrantStore = Mutex<Grants>;

impl Grants {
    pub fn device_by_user_code(&mut self, user_code: &str) -> Option<(&String, &mut DeviceRecord)> {
        let wanted = normalize_user_code(user_code);
        self.devices.iter_mut().find(|(_, d)| normalize_user_code(&d.user_code) == wanted)
    }

    /// An active, unexpired token's record.
    pub fn active(&self, token: &str) -> Option<&TokenRecord> {
        self.tokens.get(token).filter(|t| t.active && t.expires_at > now())
    }
}

/// User codes are compared without dashes, spaces or case (RFC 8628 §6.1).
pub fn normalize_user_code(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// `BCDF-GHJK`: consonants only, so no word is spelled by accident (RFC 8628 §6.1).
pub fn new_user_code() -> String {
    const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let c: String = (0..8).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect();
    format!("{}-{}", &c[..4], &c[4..])
}
