//! A program's folder on the host, as its run sees it: read-only, and
//! nothing outside it. The emulator asks for entries and bytes by paths
//! inside the folder; a path that leaves it (`..`, a symbolic link) finds
//! nothing.

use std::path::{Path, PathBuf};

use gostack_emu::Folder;

/// The folder at `root`.
#[derive(Debug)]
pub(crate) struct HostFolder {
    root: PathBuf,
}

impl HostFolder {
    /// The folder at `root`, which must be a directory.
    pub(crate) fn new(root: &Path) -> std::io::Result<HostFolder> {
        let root = root.canonicalize()?;
        if !root.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                format!("{} is not a directory", root.display()),
            ));
        }
        Ok(HostFolder { root })
    }

    /// The host path of `rel`, when it is inside the folder and no part of
    /// it is a symbolic link.
    fn inside(&self, rel: &str) -> Option<PathBuf> {
        let mut path = self.root.clone();
        for part in rel.split('/').filter(|p| !p.is_empty()) {
            if part == "." || part == ".." || part.contains('\0') {
                return None;
            }
            path.push(part);
            if path.symlink_metadata().ok()?.file_type().is_symlink() {
                return None;
            }
        }
        Some(path)
    }
}

impl Folder for HostFolder {
    fn list(&self, rel: &str) -> Option<Vec<(String, bool)>> {
        let dir = self.inside(rel)?;
        let mut entries: Vec<(String, bool)> = std::fs::read_dir(dir)
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|e| {
                let kind = e.file_type().ok()?;
                let name = e.file_name().into_string().ok()?;
                (kind.is_dir() || kind.is_file()).then_some((name, kind.is_dir()))
            })
            .collect();
        entries.sort();
        Some(entries)
    }

    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        let path = self.inside(rel)?;
        path.is_file().then(|| std::fs::read(path).ok()).flatten()
    }
}
