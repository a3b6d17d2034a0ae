//! The on-disk cache: listings and executables keyed by everything that shapes them, and one import config per toolchain and GOARCH.
//!
//! Layout under the cache directory:
//!
//! ```text
//! listings/<sha256 hex>.s                           the -S text of one compile
//! listings/<sha256 hex>.exe                         the executable linked from the same compile
//! importcfg/<go version>-<goarch>-<hash>.importcfg  packagefile lines, a union of `go list -export -deps` outputs
//! ```
//!
//! Every file is written to a temporary file in the same directory and renamed into place,
//! so concurrent writers never leave a torn file; the last one wins.
//!
//! `listings/` is bounded: a hit renews an entry's modification time, and when a write takes
//! the folder past its limit (`GOSTACK_CACHE_MIB`, default 4096 MiB) the entries used least
//! recently go until it is down to three quarters of it.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::{Arch, Error, Go};

/// Where compiled listings and import configs are kept between runs, and whom to tell about slow work.
pub struct Cache {
    dir: Option<PathBuf>,
    progress: Option<Progress>,
    /// The most bytes `listings/` may hold.
    limit: u64,
    /// The bytes `listings/` holds as far as this process knows: read from disk at the
    /// first write, then counted up, and read again when the count passes the limit.
    listings_size: Mutex<Option<u64>>,
}

/// The limit of `listings/` when `GOSTACK_CACHE_MIB` does not set one.
const DEFAULT_LIMIT_MIB: u64 = 4096;

/// The callback that hears about slow work.
type Progress = Box<dyn Fn(&str) + Send + Sync>;

impl Cache {
    /// A cache in `dir`, created when first written.
    ///
    /// Its listings and executables are bounded by `GOSTACK_CACHE_MIB` mebibytes (default 4096).
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        let mib = std::env::var("GOSTACK_CACHE_MIB")
            .ok()
            .and_then(|value| value.trim().parse::<u64>().ok())
            .unwrap_or(DEFAULT_LIMIT_MIB);
        Cache {
            dir: Some(dir.into()),
            progress: None,
            limit: mib.saturating_mul(1 << 20),
            listings_size: Mutex::new(None),
        }
    }

    /// No cache: every compile runs the compiler and builds its import config afresh.
    pub fn disabled() -> Cache {
        Cache {
            dir: None,
            progress: None,
            limit: 0,
            listings_size: Mutex::new(None),
        }
    }

    /// The same cache with `listings/` bounded by `bytes` instead.
    pub fn with_limit(mut self, bytes: u64) -> Cache {
        self.limit = bytes;
        self
    }

    /// The default cache directory: `$GOSTACK_CACHE`, else `$XDG_CACHE_HOME/gostack`,
    /// else `$HOME/.cache/gostack`, else `gostack-cache` in the system's temporary directory.
    pub fn default_dir() -> PathBuf {
        let var = |name: &str| {
            std::env::var_os(name)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from)
        };
        if let Some(dir) = var("GOSTACK_CACHE") {
            return dir;
        }
        if let Some(dir) = var("XDG_CACHE_HOME").filter(|dir| dir.is_absolute()) {
            return dir.join("gostack");
        }
        if let Some(home) = var("HOME") {
            return home.join(".cache").join("gostack");
        }
        std::env::temp_dir().join("gostack-cache")
    }

    /// Calls `progress` with a line such as "building the import config for go1.26.8/amd64 (first run)..."
    /// before work that can take seconds.
    pub fn with_progress(mut self, progress: impl Fn(&str) + Send + Sync + 'static) -> Cache {
        self.progress = Some(Box::new(progress));
        self
    }

    /// The cache directory, or `None` when the cache is disabled.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    pub(crate) fn report(&self, message: &str) {
        if let Some(progress) = &self.progress {
            progress(message);
        }
    }

    /// The cached listing for `key`, if there is one; an unreadable or damaged entry counts as a miss.
    ///
    /// Damaged means cut short (the compiler ends its listing with a newline) or with lines
    /// the listing parser does not understand, so a damaged file is compiled again and replaced.
    pub(crate) fn read_listing(&self, key: &str) -> Option<String> {
        let path = self.listing_path(key)?;
        let text = fs::read_to_string(&path).ok()?;
        renew(&path);
        let damaged =
            !text.ends_with('\n') || !gostack_listing::parse(&text).diagnostics.is_empty();
        if damaged {
            self.report(&format!(
                "the cached listing {} is damaged; compiling again",
                path.display()
            ));
            return None;
        }
        Some(text)
    }

    /// Stores the listing for `key`; does nothing when the cache is disabled.
    pub(crate) fn write_listing(&self, key: &str, listing: &str) -> Result<(), Error> {
        match self.listing_path(key) {
            Some(path) => self.write_bounded(&path, listing.as_bytes()),
            None => Ok(()),
        }
    }

    /// The cached executable for `key`, if there is one; an unreadable entry, or one
    /// that does not start as an ELF file does, counts as a miss.
    pub(crate) fn read_executable(&self, key: &str) -> Option<Vec<u8>> {
        let path = self.executable_path(key)?;
        let bytes = fs::read(&path).ok()?;
        renew(&path);
        bytes.starts_with(ELF_MAGIC).then_some(bytes)
    }

    /// Stores the executable for `key`; does nothing when the cache is disabled.
    pub(crate) fn write_executable(&self, key: &str, executable: &[u8]) -> Result<(), Error> {
        match self.executable_path(key) {
            Some(path) => self.write_bounded(&path, executable),
            None => Ok(()),
        }
    }

    /// Writes an entry of `listings/`, then keeps the folder within its limit.
    fn write_bounded(&self, path: &Path, bytes: &[u8]) -> Result<(), Error> {
        write_atomic(path, bytes)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut size = self.listings_size.lock().unwrap_or_else(|e| e.into_inner());
        let known = match *size {
            Some(known) => known + bytes.len() as u64,
            None => entries(dir).iter().map(|entry| entry.1).sum(),
        };
        *size = Some(if known > self.limit {
            trim(dir, self.limit / 4 * 3)
        } else {
            known
        });
        Ok(())
    }

    /// Writes a file under the cache directory, atomically.
    pub(crate) fn write_file(&self, path: &Path, text: &str) -> Result<(), Error> {
        write_atomic(path, text.as_bytes())
    }

    /// The cached import config for `go` and `arch` as a map from import path to export file.
    ///
    /// `None` when there is none, or when one of the files it names has gone (Go trims its build cache),
    /// in which case the whole config is stale: its packages were built together.
    pub(crate) fn read_importcfg(&self, go: &Go, arch: Arch) -> Option<BTreeMap<String, String>> {
        let path = self.importcfg_path(go, arch)?;
        let text = fs::read_to_string(path).ok()?;
        let packages = parse_importcfg(&text);
        packages
            .values()
            .all(|file| Path::new(file).is_file())
            .then_some(packages)
    }

    /// Whether an import config for `go` and `arch` is on disk, usable or not.
    pub(crate) fn has_importcfg(&self, go: &Go, arch: Arch) -> bool {
        self.importcfg_path(go, arch)
            .is_some_and(|path| path.exists())
    }

    /// Replaces the import config for `go` and `arch`; does nothing when the cache is disabled.
    pub(crate) fn write_importcfg(
        &self,
        go: &Go,
        arch: Arch,
        packages: &BTreeMap<String, String>,
    ) -> Result<(), Error> {
        let Some(path) = self.importcfg_path(go, arch) else {
            return Ok(());
        };
        let mut text = format!(
            "# gostack import config for {} GOARCH={} GOROOT={}\n",
            go.version(),
            arch,
            go.goroot()
        );
        text.push_str(&format_importcfg(packages, packages.keys()));
        write_atomic(&path, text.as_bytes())
    }

    fn listing_path(&self, key: &str) -> Option<PathBuf> {
        Some(self.dir.as_ref()?.join("listings").join(format!("{key}.s")))
    }

    fn executable_path(&self, key: &str) -> Option<PathBuf> {
        Some(
            self.dir
                .as_ref()?
                .join("listings")
                .join(format!("{key}.exe")),
        )
    }

    fn importcfg_path(&self, go: &Go, arch: Arch) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut key = Key::new("gostack-importcfg-v1");
        key.toolchain(go, arch);
        let version: String = go
            .version()
            .raw
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        let name = format!("{version}-{arch}-{}.importcfg", &key.finish()[..16]);
        Some(dir.join("importcfg").join(name))
    }
}

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache")
            .field("dir", &self.dir)
            .field("progress", &self.progress.as_ref().map(|_| "Fn(&str)"))
            .finish()
    }
}

/// The first bytes of every ELF file.
const ELF_MAGIC: &[u8] = b"\x7fELF";

/// A SHA-256 over length-prefixed fields, so that no two field lists hash alike by concatenation.
pub(crate) struct Key(Sha256);

impl Key {
    /// A key whose first field is `schema`; change the schema to drop every old entry.
    pub(crate) fn new(schema: &str) -> Key {
        let mut key = Key(Sha256::new());
        key.field(schema);
        key
    }

    /// Adds one field.
    pub(crate) fn field(&mut self, value: &str) {
        self.0.update((value.len() as u64).to_le_bytes());
        self.0.update(value.as_bytes());
    }

    /// Adds everything about the toolchain that changes what it compiles for `arch`.
    pub(crate) fn toolchain(&mut self, go: &Go, arch: Arch) {
        for value in [
            go.version().raw.as_str(),
            go.goroot(),
            "linux",
            arch.as_goarch(),
            go.go386(),
            go.goamd64(),
            go.goexperiment(),
        ] {
            self.field(value);
        }
    }

    /// The hash in lowercase hex.
    pub(crate) fn finish(self) -> String {
        format!("{:x}", self.0.finalize())
    }
}

/// Reads the `packagefile path=file` lines of an import config; other lines are ignored.
pub(crate) fn parse_importcfg(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.trim_end_matches('\r').strip_prefix("packagefile "))
        .filter_map(|rest| rest.split_once('='))
        .map(|(package, file)| (package.trim().to_string(), file.to_string()))
        .filter(|(package, file)| !package.is_empty() && !file.is_empty())
        .collect()
}

/// Writes the `packagefile` lines for `wanted` packages that `packages` has.
pub(crate) fn format_importcfg<'a>(
    packages: &BTreeMap<String, String>,
    wanted: impl IntoIterator<Item = &'a String>,
) -> String {
    let mut text = String::new();
    for package in wanted {
        if let Some(file) = packages.get(package) {
            text.push_str(&format!("packagefile {package}={file}\n"));
        }
    }
    text
}

/// Marks a cache entry as just used, so that trimming keeps it; a failure only makes it older.
fn renew(path: &Path) {
    if let Ok(file) = fs::File::options().append(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

/// The files in `dir` with their sizes and modification times.
fn entries(dir: &Path) -> Vec<(PathBuf, u64, SystemTime)> {
    let Ok(read) = fs::read_dir(dir) else {
        return Vec::new();
    };
    read.flatten()
        .filter_map(|entry| {
            let meta = entry.metadata().ok().filter(|meta| meta.is_file())?;
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            Some((entry.path(), meta.len(), modified))
        })
        .collect()
}

/// Removes the least recently used files of `dir` until at most `keep` bytes are left;
/// returns the bytes left. A file another process removed first counts as removed.
fn trim(dir: &Path, keep: u64) -> u64 {
    let mut files = entries(dir);
    files.sort_by(|a, b| (a.2, &a.0).cmp(&(b.2, &b.0)));
    let mut left: u64 = files.iter().map(|file| file.1).sum();
    for (path, len, _) in files {
        if left <= keep {
            break;
        }
        let _ = fs::remove_file(&path);
        left -= len;
    }
    left
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let cache_error = |path: &Path| {
        let path = path.to_path_buf();
        move |cause| Error::Cache { path, cause }
    };
    fs::create_dir_all(dir).map_err(cache_error(dir))?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(cache_error(dir))?;
    file.write_all(bytes).map_err(cache_error(file.path()))?;
    file.persist(path)
        .map_err(|err| cache_error(path)(err.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_fields_do_not_run_together() {
        let hash = |fields: &[&str]| {
            let mut key = Key::new("test");
            for field in fields {
                key.field(field);
            }
            key.finish()
        };
        assert_ne!(hash(&["-N", "-l"]), hash(&["-N -l"]));
        assert_ne!(hash(&["ab", "c"]), hash(&["a", "bc"]));
        assert_eq!(hash(&["a", "b"]), hash(&["a", "b"]));
        assert_eq!(hash(&[]).len(), 64);
    }

    #[test]
    fn importcfg_round_trips_and_skips_other_lines() {
        let text = "# comment\npackagefile fmt=/cache/aa-d\r\nimportmap x=y\npackagefile errors=/cache/bb-d\nbroken\n";
        let packages = parse_importcfg(text);
        assert_eq!(packages.len(), 2);
        assert_eq!(packages["fmt"], "/cache/aa-d");
        let wanted = ["errors".to_string(), "missing".to_string()];
        assert_eq!(
            format_importcfg(&packages, &wanted),
            "packagefile errors=/cache/bb-d\n"
        );
    }

    #[test]
    fn atomic_writes_replace_the_whole_file() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("deep").join("file.s");
        write_atomic(&path, b"first, longer text").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "second");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary files are left behind");
    }

    #[test]
    fn a_disabled_cache_stores_nothing() {
        let cache = Cache::disabled();
        assert!(cache.dir().is_none());
        cache.write_listing("abc", "text").unwrap();
        assert_eq!(cache.read_listing("abc"), None);
    }

    #[test]
    fn listings_round_trip_in_a_cache_dir() {
        let dir = tempfile::TempDir::new().unwrap();
        let cache = Cache::new(dir.path());
        assert_eq!(cache.read_listing("abc"), None);
        cache.write_listing("abc", "main.main STEXT\n").unwrap();
        assert_eq!(
            cache.read_listing("abc").as_deref(),
            Some("main.main STEXT\n")
        );
        assert!(dir.path().join("listings").join("abc.s").is_file());
    }

    #[test]
    fn damaged_listings_are_misses() {
        let dir = tempfile::TempDir::new().unwrap();
        let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let cache = Cache::new(dir.path()).with_progress({
            let heard = heard.clone();
            move |message| heard.lock().unwrap().push(message.to_string())
        });
        let good = "main.f STEXT size=1 args=0x0 locals=0x0\n\t0x0000 00000 (main.go:3)\tTEXT\tmain.f(SB), ABIInternal, $0-0\n\t0x0000 c3                                               .\n";
        cache.write_listing("abc", good).unwrap();
        assert_eq!(cache.read_listing("abc").as_deref(), Some(good));
        let path = dir.path().join("listings").join("abc.s");
        let damaged = [
            good.replace("$0-0", "$\u{e9}0-0"),
            good.replace("$0-0", "$"),
            good.replace("0x0000 c3", "0x00z0 c3"),
            good[..good.len() - 10].to_string(),
            "\u{fffd}\n".repeat(3),
        ];
        for text in &damaged {
            fs::write(&path, text).unwrap();
            assert_eq!(cache.read_listing("abc"), None, "{text:?}");
        }
        let heard = heard.lock().unwrap();
        assert_eq!(heard.len(), damaged.len());
        assert!(
            heard[0].contains("abc.s") && heard[0].contains("damaged"),
            "{heard:?}"
        );
    }

    #[test]
    fn executables_round_trip_and_damaged_ones_are_misses() {
        let dir = tempfile::TempDir::new().unwrap();
        let cache = Cache::new(dir.path());
        assert_eq!(cache.read_executable("abc"), None);
        cache.write_executable("abc", b"\x7fELF\x02\x01").unwrap();
        assert_eq!(
            cache.read_executable("abc").as_deref(),
            Some(&b"\x7fELF\x02\x01"[..])
        );
        let path = dir.path().join("listings").join("abc.exe");
        for damaged in [&b""[..], b"\x7fEL", b"#!/bin/sh\n"] {
            fs::write(&path, damaged).unwrap();
            assert_eq!(cache.read_executable("abc"), None, "{damaged:?}");
        }
        assert_eq!(Cache::disabled().read_executable("abc"), None);
        Cache::disabled()
            .write_executable("abc", b"\x7fELF")
            .unwrap();
    }

    #[test]
    fn listings_stay_within_their_limit_and_keep_what_was_used_last() {
        let dir = tempfile::TempDir::new().unwrap();
        let cache = Cache::new(dir.path()).with_limit(1000);
        let exe = |n: u8| [ELF_MAGIC, &[n; 296]].concat();
        for n in 0..3 {
            cache.write_executable(&format!("e{n}"), &exe(n)).unwrap();
        }
        // Older than the rest, then used: a hit makes it the newest.
        let old = SystemTime::now() - std::time::Duration::from_secs(3600);
        for n in 0..3 {
            let path = dir.path().join("listings").join(format!("e{n}.exe"));
            let file = fs::File::options().append(true).open(&path).unwrap();
            file.set_modified(old + std::time::Duration::from_secs(n))
                .unwrap();
        }
        assert_eq!(cache.read_executable("e0"), Some(exe(0)));
        // 4 x 300 bytes pass 1000: the two used least recently go, down to 750.
        cache.write_executable("e3", &exe(3)).unwrap();
        let mut left: Vec<_> = fs::read_dir(dir.path().join("listings"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["e0.exe", "e3.exe"]);
        assert_eq!(cache.read_executable("e1"), None);
        assert_eq!(*cache.listings_size.lock().unwrap(), Some(600));
    }

    #[test]
    fn an_unwritable_cache_names_its_path_and_the_way_out() {
        let dir = tempfile::TempDir::new().unwrap();
        let blocker = dir.path().join("file");
        fs::write(&blocker, "not a directory").unwrap();
        let cache = Cache::new(&blocker);
        let message = cache.write_listing("abc", "text").unwrap_err().to_string();
        assert!(
            message.contains(&blocker.display().to_string()),
            "{message}"
        );
        assert!(message.contains("GOSTACK_CACHE"), "{message}");
    }
}
