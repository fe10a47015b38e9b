//! Sealing values at rest with XChaCha20-Poly1305: a fresh 192-bit random nonce per value, the
//! purpose of the value as associated data (a sealed token set cannot pass for a step). Layout:
//! version byte 1, nonce (24 bytes), ciphertext with tag. Leaves out where the key lives
//! (`keystore`) and key rotation.

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

use crate::{Result, StoreError};

const VERSION: u8 = 1;
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
        if blob.len() < 1 + NONCE_LEN + 16 || blob[0] != VERSION {
            return Err(StoreError::Unseal(format!(
                "expected a sealed {purpose} (version {VERSION}), got {} bytes",
                blob.len()
            )));
        }
        let nonce: [u8; NONCE_LEN] =
            blob[1..1 + NONCE_LEN].try_into().map_err(|_| StoreError::Unseal("short nonce".into()))?;
        let nonce = XNonce::from(nonce);
        let aad = aad(purpose);
        self.cipher
            .decrypt(&nonce, Payload { msg: &blob[1 + NONCE_LEN..], aad: &aad })
            .map_err(|_| StoreError::Unseal(format!("the {purpose} does not authenticate under this key")))
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
        assert!(Sealer::new(&generate_key()).open("step", &blob).is_err(), "another key fails");
        assert_ne!(s.seal("step", b"x"), s.seal("step", b"x"), "fresh nonce each time");
        assert!(matches!(s.open("step", b"short"), Err(StoreError::Unseal(_))));
    }
}
