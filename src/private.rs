//! Files and folders only the user may read: the store (manifests and
//! configs, whose `Env` often holds secrets), the log, the trash and plan
//! files are created 0600 in 0700 folders whatever the umask, and an existing
//! one with wider modes is narrowed (on Unix; elsewhere the platform's
//! defaults stand).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Creates `dir` (and missing parents) 0700, and narrows `dir` itself to
/// 0700 if it was wider. Returns whether it narrowed anything.
pub fn create_dir(dir: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        narrow(dir, 0o700)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir).map(|()| false)
    }
}

/// Creates the new folder `dir` (it must not exist) 0700.
pub fn create_new_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir)
}

/// `OpenOptions` whose newly created file is 0600.
pub fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    options.mode(0o600);
    options
}

/// Writes `bytes` to `path` (created 0600, or truncated and narrowed).
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file: File = options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    narrow(path, 0o600)?;
    file.write_all(bytes)
}

/// Takes group and other bits away from `path` when it has any beyond
/// `mode`. Returns whether it did.
pub fn narrow(path: &Path, mode: u32) -> io::Result<bool> {
    #[cfg(unix)]
    {
        let now = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if now & !mode == 0 {
            return Ok(false);
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(now & mode))?;
        Ok(true)
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(false)
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_files_and_folders_are_private_and_old_ones_narrowed() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        let file = dir.join("f");
        write(&file, b"x").unwrap();
        assert_eq!(mode(&file), 0o600);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(narrow(&file, 0o600).unwrap());
        assert_eq!(mode(&file), 0o600);
        assert!(!narrow(&file, 0o600).unwrap(), "already private");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(create_dir(&dir).unwrap());
        assert_eq!(mode(&dir), 0o700);
    }
}
