//! Keeping the database private on disk: the folder the store creates is 0700, and the database,
//! its WAL and SHM files and the key file are 0600 — tightened when an older version left them
//! looser. A folder the user chose that already exists (say `/tmp`) is never changed. Leaves out
//! other platforms' ACLs: elsewhere than Unix this does nothing.

use std::path::Path;

use crate::{Result, StoreError};

/// Creates the folder of the database (and its parents) readable by the owner only.
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(|source| StoreError::Folder { path: dir.into(), source })
}

/// Makes the app's own data folder private even when it exists already.
pub(crate) fn tighten_dir(dir: &Path) {
    #[cfg(unix)]
    set_mode_if_looser(dir, 0o700);
    #[cfg(not(unix))]
    let _ = dir;
}

/// Creates an empty database file 0600 before SQLite opens it: SQLite gives the WAL and SHM files
/// the database file's mode, so all three start private.
pub(crate) fn create_private_file(path: &Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Folder { path: path.into(), source: e }),
    }
}

/// The database, `-wal`, `-shm` (and the key file beside it) at 0600 if they are looser.
pub(crate) fn tighten_files(db: &Path, key_file: Option<&Path>) {
    #[cfg(unix)]
    {
        let name = db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for suffix in ["", "-wal", "-shm", "-journal"] {
            set_mode_if_looser(&db.with_file_name(format!("{name}{suffix}")), 0o600);
        }
        if let Some(k) = key_file {
            set_mode_if_looser(k, 0o600);
        }
    }
    #[cfg(not(unix))]
    let _ = (db, key_file);
}

#[cfg(unix)]
fn set_mode_if_looser(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o777 & !mode != 0
    {
        // Best effort: a file we cannot chmod is someone else's, and opening it tells the rest.
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    }
}
