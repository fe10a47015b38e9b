//! `Secret`: bytes that must never be printed (an HMAC key, an access token given for at_hash).
//! Redacted `Debug`, no `Display`, no `Serialize` (it can come in from the desktop app, never go
//! out); compared only in constant time elsewhere.

use std::fmt;

#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Secret(bytes.into())
    }

    /// The raw bytes; the caller is responsible for not printing them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.as_bytes().to_vec()))
    }
}

/// From a JSON string (the desktop app sends secrets in its requests).
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Secret(s.into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_bytes() {
        let s = Secret::new("hunter2-very-secret");
        let shown = format!("{s:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(s.expose(), b"hunter2-very-secret");
        let d: Secret = serde_json::from_str("\"from-json\"").unwrap();
        assert_eq!(d.expose(), b"from-json");
    }
}
