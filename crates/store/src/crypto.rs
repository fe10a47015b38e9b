//! Sealing values at rest with XChaCha20-Poly1305: a fresh 192-bit random nonce per value, and the
//! value's purpose *and row* as associated data (`step/<session>/<seq>`, `tokens/<session>`), so a
//! sealed token set cannot pass for a step, nor one session's step for another's. Layout: version
//! byte 2, nonce (24 bytes), ciphertext with tag. Version 1 (purpose without the row) is still
//! read, for rows the store re-seals when it opens an older database. Leaves out where the key
//! lives (`keystore`) and key rotation.

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

use crate::{Result, StoreError};

const VERSION: u8 = 2;
/// Blobs of older databases: associated data named the purpose only.
const VERSION_UNBOUND: u8 = 1;
const NONCE_LEN: usize = 24;

pub(crate) struct Sealer {
    cipher: XChaCha20Poly1305,
}

pub(crate) fn generate_key() -> [u8; 32] {
    XChaCha20Poly1305::generate_key(&mut OsRng).into()
}

fn aad(purpose: &str) -> Vec<u8> {
    format!("oauth-inspector/v1/{purpose}").into_bytes()
}

/// What a step's sealed copy is bound to.
pub(crate) fn step_purpose(session_id: i64, seq: i64) -> String {
    format!("step/{session_id}/{seq}")
}

/// What a session's sealed token set is bound to.
pub(crate) fn tokens_purpose(session_id: i64) -> String {
    format!("tokens/{session_id}")
}

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Self {
        Self { cipher: XChaCha20Poly1305::new(&Key::from(*key)) }
    }

    pub fn seal(&self, purpose: &str, plain: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = aad(purpose);
        // Encryption with a valid key and nonce cannot fail for in-memory buffers.
        let ct = self.cipher.encrypt(&nonce, Payload { msg: plain, aad: &aad }).unwrap_or_default();
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    pub fn open(&self, purpose: &str, blob: &[u8]) -> Result<Vec<u8>> {
        if blob.len() < 1 + NONCE_LEN + 16 || !matches!(blob[0], VERSION | VERSION_UNBOUND) {
            return Err(StoreError::Unseal(format!(
                "expected a sealed {purpose} (version {VERSION}), got {} bytes",
                blob.len()
            )));
        }
        let nonce: [u8; NONCE_LEN] =
            blob[1..1 + NONCE_LEN].try_into().map_err(|_| StoreError::Unseal("short nonce".into()))?;
        let nonce = XNonce::from(nonce);
        let msg = &blob[1 + NONCE_LEN..];
        let mut aads = vec![aad(purpose)];
        if blob[0] == VERSION_UNBOUND {
            // Older rows: steps and tokens were bound to their kind only ("step", "tokens").
            aads.push(aad(purpose.split('/').next().unwrap_or(purpose)));
        }
        aads.iter().find_map(|aad| self.cipher.decrypt(&nonce, Payload { msg, aad }).ok()).ok_or_else(|| {
            StoreError::Unseal(format!(
                "the sealed {purpose} does not authenticate under this key (a wrong key, or a value moved from another row)"
            ))
        })
    }

    pub fn seal_json(&self, purpose: &str, value: &impl serde::Serialize) -> Result<Vec<u8>> {
        Ok(self.seal(purpose, &serde_json::to_vec(value)?))
    }

    pub fn open_json<T: serde::de::DeserializeOwned>(&self, purpose: &str, blob: &[u8]) -> Result<T> {
        Ok(serde_json::from_slice(&self.open(purpose, blob)?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_purpose() {
        let key = generate_key();
        let s = Sealer::new(&key);
        let blob = s.seal("step", b"client_secret=hunter2");
        assert!(!blob.windows(7).any(|w| w == b"hunter2"), "no plaintext in the blob");
        assert_eq!(s.open("step", &blob).unwrap(), b"client_secret=hunter2");
        assert!(s.open("tokens", &blob).is_err(), "purpose is bound");
        let row = s.seal(&step_purpose(1, 2), b"v");
        assert!(s.open(&step_purpose(1, 2), &row).is_ok());
        assert!(s.open(&step_purpose(2, 2), &row).is_err(), "another session's row does not open it");
        assert!(s.open(&step_purpose(1, 3), &row).is_err(), "another step's row does not open it");
        assert!(Sealer::new(&generate_key()).open("step", &blob).is_err(), "another key fails");
        assert_ne!(s.seal("step", b"x"), s.seal("step", b"x"), "fresh nonce each time");
        assert!(matches!(s.open("step", b"short"), Err(StoreError::Unseal(_))));
    }
}
