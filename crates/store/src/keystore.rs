//! Where the key that seals secrets lives: the OS keychain (Secret Service on Linux, Keychain on
//! macOS, Credential Manager on Windows), or — where there is none, as on a headless machine or in
//! CI — a 0600 file next to the database. Tests point `OAUTH_INSPECTOR_KEY_FILE` (or
//! [`KeySource::File`]) at a file of their own so they never touch a real keychain.
//! Leaves out sealing itself (`crypto`) and key rotation.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Serialize;

use crate::{Result, StoreError};

/// Overrides where the key is kept: a file path, created (0600) when missing.
pub const KEY_FILE_ENV: &str = "OAUTH_INSPECTOR_KEY_FILE";
const SERVICE: &str = "oauth-flow-inspector";
const ACCOUNT: &str = "session-database-key";

#[derive(Debug, Clone, Default)]
pub enum KeySource {
    /// `OAUTH_INSPECTOR_KEY_FILE` if set; else a key file already beside the database; else the OS
    /// keychain; else a new key file beside the database.
    #[default]
    Auto,
    /// This file, created when missing.
    File(PathBuf),
    /// The OS keychain only; fails where there is none.
    Keychain,
}

/// Where the key came from, for the fronts to tell the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeyLocation {
    Keychain {
        service: String,
        account: String,
    },
    /// `created` is true when this open made the file.
    File {
        path: PathBuf,
        created: bool,
    },
}

impl std::fmt::Display for KeyLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyLocation::Keychain { service, account } => write!(f, "the OS keychain ({service} / {account})"),
            KeyLocation::File { path, .. } => write!(f, "the key file {}", path.display()),
        }
    }
}

/// The key file that belongs to a database: `sessions.db` → `sessions.db.key`, same folder.
pub fn key_file_beside(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "sessions.db".into());
    name.push(".key");
    db.with_file_name(name)
}

/// The key for `db`. `db_has_key` tells whether the database already holds secrets sealed under
/// some key: then a new key is never made up in Auto mode (it could not open them).
pub(crate) async fn load(db: &Path, source: &KeySource, db_has_key: bool) -> Result<([u8; 32], KeyLocation)> {
    match source {
        KeySource::File(p) => file_key(p),
        KeySource::Keychain => keychain().await,
        KeySource::Auto => {
            if let Some(p) = std::env::var_os(KEY_FILE_ENV).filter(|p| !p.is_empty()) {
                return file_key(Path::new(&p));
            }
            let beside = key_file_beside(db);
            if beside.exists() {
                return file_key(&beside);
            }
            if keychain_reachable() {
                match keychain().await {
                    Ok(found) => return Ok(found),
                    Err(e) if db_has_key => return Err(e),
                    Err(_) => {}
                }
            } else if db_has_key {
                return Err(StoreError::Key(format!(
                    "the key of {} is not beside it ({} is missing) and no OS keychain is reachable here (no D-Bus session); \
                     run where its keychain is, or set {KEY_FILE_ENV} to its key file",
                    db.display(),
                    beside.display()
                )));
            }
            file_key(&beside)
        }
    }
}

/// On Linux the Secret Service is reached over the session D-Bus; without one there is no
/// keychain, and trying would only make libdbus attempt an X11 autolaunch.
fn keychain_reachable() -> bool {
    if cfg!(target_os = "linux") || cfg!(target_os = "freebsd") {
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty())
    } else {
        true
    }
}

async fn keychain() -> Result<([u8; 32], KeyLocation)> {
    let found = tokio::task::spawn_blocking(|| -> std::result::Result<[u8; 32], String> {
        let entry = keyring::Entry::new(SERVICE, ACCOUNT).map_err(|e| e.to_string())?;
        match entry.get_password() {
            Ok(text) => decode(&text).ok_or_else(|| "the keychain entry is not a key of this app".to_string()),
            Err(keyring::Error::NoEntry) => {
                let key = crate::crypto::generate_key();
                entry.set_password(&B64.encode(key)).map_err(|e| e.to_string())?;
                // Some stores accept a write they do not keep; only a key read back is trusted.
                let back = entry.get_password().map_err(|e| e.to_string())?;
                (decode(&back) == Some(key))
                    .then_some(key)
                    .ok_or_else(|| "the keychain did not keep the key".to_string())
            }
            Err(e) => Err(e.to_string()),
        }
    })
    .await
    .map_err(|e| StoreError::Key(format!("keychain task failed: {e}")))?
    .map_err(|e| StoreError::Key(format!("the OS keychain is not usable: {e}")))?;
    Ok((found, KeyLocation::Keychain { service: SERVICE.into(), account: ACCOUNT.into() }))
}

fn decode(text: &str) -> Option<[u8; 32]> {
    B64.decode(text.trim()).ok()?.try_into().ok()
}

fn file_key(path: &Path) -> Result<([u8; 32], KeyLocation)> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let key = decode(&text).ok_or_else(|| {
                StoreError::Key(format!(
                    "{} is not a key file of this app (expected 32 bytes in base64 on one line)",
                    path.display()
                ))
            })?;
            Ok((key, KeyLocation::File { path: path.into(), created: false }))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Key(format!("cannot create {}: {e}", dir.display())))?;
            }
            let key = crate::crypto::generate_key();
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts
                .open(path)
                .map_err(|e| StoreError::Key(format!("cannot create the key file {}: {e}", path.display())))?;
            writeln!(f, "{}", B64.encode(key))
                .and_then(|_| f.sync_all())
                .map_err(|e| StoreError::Key(format!("cannot write the key file {}: {e}", path.display())))?;
            Ok((key, KeyLocation::File { path: path.into(), created: true }))
        }
        Err(e) => Err(StoreError::Key(format!("cannot read the key file {}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_created_private_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k/sessions.db.key");
        let (k1, loc1) = file_key(&p).unwrap();
        assert_eq!(loc1, KeyLocation::File { path: p.clone(), created: true });
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let (k2, loc2) = file_key(&p).unwrap();
        assert_eq!(k1, k2);
        assert!(matches!(loc2, KeyLocation::File { created: false, .. }));
        std::fs::write(&p, "not a key").unwrap();
        let err = file_key(&p).unwrap_err();
        assert!(err.to_string().contains("not a key file"), "{err}");
    }

    #[test]
    fn the_key_file_sits_beside_its_database() {
        assert_eq!(key_file_beside(Path::new("/a/b/sessions.db")), PathBuf::from("/a/b/sessions.db.key"));
    }
}
