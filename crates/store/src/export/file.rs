//! Writing an export to a file, the one way both fronts do it: never over an existing file unless
//! asked, never half-written under the final name, and an unredacted export readable by its owner
//! only from the moment it exists.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportFileError {
    #[error("{path} already exists; it was left untouched (choose another file, or overwrite it on purpose)")]
    Exists { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

impl ExportFileError {
    /// A stable code for the fronts to switch on.
    pub fn code(&self) -> &'static str {
        match self {
            ExportFileError::Exists { .. } => "export_exists",
            ExportFileError::Write { .. } => "export_failed",
        }
    }
}

/// Writes `bytes` to `path`. Refuses an existing `path` unless `overwrite`. The bytes go first to
/// a new sibling file (created exclusively, mode 0600 on Unix when `!redacted`, since it holds live
/// secrets), which is then renamed over `path`: a reader never sees a partial export, and a
/// failure leaves whatever was at `path` as it was.
pub fn write_export(path: &Path, bytes: &[u8], redacted: bool, overwrite: bool) -> Result<(), ExportFileError> {
    let write_err = |source| ExportFileError::Write { path: path.to_path_buf(), source };
    let exists = || ExportFileError::Exists { path: path.to_path_buf() };
    // symlink_metadata: a dangling symlink is an existing name too.
    if !overwrite && path.symlink_metadata().is_ok() {
        return Err(exists());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().ok_or_else(|| {
        write_err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "expected a file name, got a folder"))
    })?;
    let (tmp, mut file) = create_temp(&dir, &name.to_string_lossy(), redacted).map_err(write_err)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    let placed = written.and_then(|()| {
        if overwrite {
            std::fs::rename(&tmp, path)
        } else {
            // hard_link fails if `path` appeared meanwhile: no race can make us replace it. Where
            // links are not supported (FAT, some network shares), a rename after a last check.
            match std::fs::hard_link(&tmp, path) {
                Ok(()) => std::fs::remove_file(&tmp),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
                Err(_) if path.symlink_metadata().is_ok() => Err(std::io::ErrorKind::AlreadyExists.into()),
                Err(_) => std::fs::rename(&tmp, path),
            }
        }
    });
    match placed {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            if e.kind() == std::io::ErrorKind::AlreadyExists { Err(exists()) } else { Err(write_err(e)) }
        }
    }
}

/// A new file `.NAME.PID.N.tmp` in `dir`, created with `create_new` (and mode 0600 unless
/// `redacted`): the mode is set at creation, so no other user can open it in between.
fn create_temp(dir: &Path, name: &str, redacted: bool) -> std::io::Result<(PathBuf, std::fs::File)> {
    let mut last = None;
    for n in 0..100u32 {
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(if redacted { 0o666 } else { 0o600 });
        }
        #[cfg(not(unix))]
        let _ = redacted;
        match opts.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_an_existing_file_unless_asked_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.md");
        std::fs::write(&path, "mine").unwrap();
        let e = write_export(&path, b"export", true, false).unwrap_err();
        assert!(matches!(e, ExportFileError::Exists { .. }), "{e}");
        assert!(e.to_string().contains("already exists") && e.to_string().contains("s.md"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
        write_export(&path, b"export", true, true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "export");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("s.md")], "no temporary file left");
    }

    #[cfg(unix)]
    #[test]
    fn an_unredacted_export_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let clear = dir.path().join("clear.json");
        write_export(&clear, b"{}", false, false).unwrap();
        assert_eq!(std::fs::metadata(&clear).unwrap().permissions().mode() & 0o777, 0o600);
        // Overwriting an existing world-readable file gives it the new file's mode too.
        let old = dir.path().join("old.json");
        std::fs::write(&old, "x").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_export(&old, b"{}", false, true).unwrap();
        assert_eq!(std::fs::metadata(&old).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn a_missing_folder_is_a_clear_error() {
        let e = write_export(Path::new("/nonexistent/dir/s.har"), b"{}", true, false).unwrap_err();
        assert!(e.to_string().starts_with("cannot write /nonexistent/dir/s.har: "), "{e}");
    }
}
