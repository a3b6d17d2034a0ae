//! Finding the `go` command, reading its version and environment, and running it.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{Arch, Error};

/// The oldest Go release gostack supports, as Go spells it.
pub const MINIMUM_VERSION: &str = "go1.19";

/// The same as [`MINIMUM_VERSION`], as major and minor numbers.
const MINIMUM: (u32, u32) = (1, 19);

/// An installed Go toolchain: the `go` binary and what `go env` said about it.
#[derive(Debug, Clone)]
pub struct Go {
    path: PathBuf,
    /// How long a compile or link may take before it is stopped.
    time_limit: Option<std::time::Duration>,
    version: GoVersion,
    goroot: String,
    goamd64: String,
    go386: String,
    goexperiment: String,
}

/// A Go version such as `go1.26.8`, parsed from `go env GOVERSION`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GoVersion {
    /// The major version: 1.
    pub major: u32,
    /// The minor version: 26 in `go1.26.8`.
    pub minor: u32,
    /// The patch version: 8 in `go1.26.8`, 0 in `go1.22` and `go1.21rc2`.
    pub patch: u32,
    /// A development build (`devel ...`), taken to be newer than every release.
    pub devel: bool,
    /// The whole string Go printed, such as `go1.26.8 X:loopvar`.
    pub raw: String,
}

impl Go {
    /// Finds `go`: the binary named by `GOSTACK_GO` if it is set, else `go` on PATH.
    pub fn find() -> Result<Go, Error> {
        match std::env::var_os("GOSTACK_GO") {
            Some(value) if !value.is_empty() => Go::at(resolve_named(value)),
            _ => {
                let path = which::which("go").map_err(|_| Error::GoNotFound)?;
                Go::at(path)
            }
        }
    }

    /// Like [`Go::find`], but remembers `go env` in `cache`, keyed by the
    /// binary (path, size, modification time) and everything that can change
    /// what `go env` says (GOROOT, GOAMD64, GO386, GOEXPERIMENT, GOENV and the
    /// go.env files), so a second call runs no process.
    pub fn find_cached(cache: &crate::Cache) -> Result<Go, Error> {
        let path = match std::env::var_os("GOSTACK_GO") {
            Some(value) if !value.is_empty() => resolve_named(value),
            _ => which::which("go").map_err(|_| Error::GoNotFound)?,
        };
        let Some(dir) = cache.dir() else {
            return Go::at(path);
        };
        let Some(key) = env_key(&path) else {
            return Go::at(path);
        };
        let file = dir.join("go-env").join(format!("{key}.txt"));
        if let Ok(text) = std::fs::read_to_string(&file) {
            // `split`, not `lines`: an empty last field (no GOEXPERIMENT) is a field.
            let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
            if let [v, root, amd64, i386, exp] = &lines[..] {
                return Go::from_env(
                    path,
                    v.clone(),
                    root.clone(),
                    amd64.clone(),
                    i386.clone(),
                    exp.clone(),
                );
            }
        }
        let go = Go::at(path)?;
        let text = [
            &go.version.raw,
            &go.goroot,
            &go.goamd64,
            &go.go386,
            &go.goexperiment,
        ]
        .map(|s| s.as_str())
        .join("\n");
        // A cache that cannot be written only costs the next call a `go env`.
        let _ = cache.write_file(&file, &text);
        Ok(go)
    }

    /// Uses the `go` binary at `path`, reading its version and environment.
    pub fn at(path: impl Into<PathBuf>) -> Result<Go, Error> {
        let path = path.into();
        if !path.is_file() {
            return Err(Error::GoMissing { path });
        }
        let mut command = Command::new(&path);
        command
            .args([
                "env",
                "GOVERSION",
                "GOROOT",
                "GOAMD64",
                "GO386",
                "GOEXPERIMENT",
            ])
            .current_dir(std::env::temp_dir());
        neutral_env(&mut command);
        let output = run_checked(
            &path,
            &mut command,
            "go env GOVERSION GOROOT GOAMD64 GO386 GOEXPERIMENT",
        )?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut lines = stdout
            .lines()
            .map(|line| line.trim_end_matches('\r').to_string());
        let mut next = || lines.next().unwrap_or_default();
        let (raw_version, goroot, goamd64, go386, goexperiment) =
            (next(), next(), next(), next(), next());

        let raw_version = if raw_version.trim().is_empty() {
            // Go 1.15 and older have no GOVERSION: `go version` prints "go version go1.15.2 linux/amd64".
            let mut command = Command::new(&path);
            command.arg("version").current_dir(std::env::temp_dir());
            neutral_env(&mut command);
            let output = run_checked(&path, &mut command, "go version")?;
            let stdout = String::from_utf8_lossy(&output.stdout);
            stdout
                .split_whitespace()
                .nth(2)
                .unwrap_or_default()
                .to_string()
        } else {
            raw_version
        };
        Go::from_env(path, raw_version, goroot, goamd64, go386, goexperiment)
    }

    /// Builds a `Go` from what `go env` said, checking the version.
    fn from_env(
        path: PathBuf,
        raw_version: String,
        goroot: String,
        goamd64: String,
        go386: String,
        goexperiment: String,
    ) -> Result<Go, Error> {
        let version = GoVersion::parse(&raw_version).ok_or_else(|| Error::BadGoVersion {
            found: raw_version.clone(),
        })?;
        if !version.is_at_least(MINIMUM.0, MINIMUM.1) {
            return Err(Error::GoTooOld {
                found: version.raw,
                minimum: MINIMUM_VERSION.to_string(),
            });
        }
        Ok(Go {
            path,
            time_limit: None,
            version,
            goroot,
            goamd64,
            go386,
            goexperiment,
        })
    }

    /// The same Go, its compiles and links stopped after `limit`
    /// ([`Error::TimeLimit`]) with every process they started.
    pub fn with_time_limit(mut self, limit: std::time::Duration) -> Go {
        self.time_limit = Some(limit);
        self
    }

    /// The `go` binary.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The Go version, from `go env GOVERSION`.
    pub fn version(&self) -> &GoVersion {
        &self.version
    }

    /// GOROOT, from `go env`.
    pub fn goroot(&self) -> &str {
        &self.goroot
    }

    /// GOAMD64 (such as `v1`), from `go env`.
    pub fn goamd64(&self) -> &str {
        &self.goamd64
    }

    /// GO386 (such as `sse2`), from `go env`; empty when the host is not 386 and GO386 is unset.
    pub fn go386(&self) -> &str {
        &self.go386
    }

    /// GOEXPERIMENT, from `go env`; usually empty.
    pub fn goexperiment(&self) -> &str {
        &self.goexperiment
    }

    /// A `go` command for `arch` run in `dir`, with an environment that never downloads anything.
    pub(crate) fn command(&self, arch: Arch, dir: &Path) -> Command {
        let mut command = Command::new(&self.path);
        command
            .current_dir(dir)
            .env("PWD", dir)
            .env("GOOS", "linux")
            .env("GOARCH", arch.as_goarch())
            .env("CGO_ENABLED", "0");
        neutral_env(&mut command);
        command
    }

    /// Runs `command` (made by [`Go::command`]) and returns its output, whatever its exit status.
    pub(crate) fn output(&self, command: &mut Command) -> Result<Output, Error> {
        match self.time_limit {
            Some(limit) => run_limited(&self.path, command, limit),
            None => run(&self.path, command),
        }
    }

    /// Runs `command` (made by [`Go::command`]); a non-zero exit is an [`Error::GoCommand`] naming `what`.
    pub(crate) fn checked_output(
        &self,
        command: &mut Command,
        what: &str,
    ) -> Result<Output, Error> {
        run_checked(&self.path, command, what)
    }
}

impl GoVersion {
    /// Parses a version as `go env GOVERSION` prints it: `go1.26.8`, `go1.21rc2`,
    /// `go1.26.8 X:loopvar`, `devel go1.27-5a1b2c3 Tue Jan 6 ...`.
    pub fn parse(raw: &str) -> Option<GoVersion> {
        let raw = raw.trim();
        let mut words = raw.split_whitespace();
        let first = words.next()?;
        if first == "devel" {
            // Newer development builds name the release they lead to; older ones ("devel +abc") do not.
            let (major, minor, patch) = words
                .next()
                .and_then(|word| word.strip_prefix("go"))
                .and_then(parse_numbers)
                .unwrap_or((0, 0, 0));
            return Some(GoVersion {
                major,
                minor,
                patch,
                devel: true,
                raw: raw.to_string(),
            });
        }
        let (major, minor, patch) = parse_numbers(first.strip_prefix("go")?)?;
        Some(GoVersion {
            major,
            minor,
            patch,
            devel: false,
            raw: raw.to_string(),
        })
    }

    /// Whether this is release `major.minor` or newer; a development build always is.
    pub fn is_at_least(&self, major: u32, minor: u32) -> bool {
        self.devel || (self.major, self.minor) >= (major, minor)
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Parses `1.26.8`, `1.22`, `1.21rc2` or `1.27-5a1b2c3` into (major, minor, patch).
fn parse_numbers(text: &str) -> Option<(u32, u32, u32)> {
    let mut numbers = [0u32; 3];
    let mut rest = text;
    for (i, number) in numbers.iter_mut().enumerate() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            if i == 0 {
                return None;
            }
            break;
        }
        *number = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        match rest.strip_prefix('.') {
            Some(after) => rest = after,
            None => break,
        }
    }
    Some((numbers[0], numbers[1], numbers[2]))
}

/// A bare name in `GOSTACK_GO` (such as `go1.22.10`) is looked up on PATH; a path is kept as it is.
fn resolve_named(value: OsString) -> PathBuf {
    let path = PathBuf::from(&value);
    if path.components().count() == 1 && !path.is_absolute() {
        if let Ok(found) = which::which(&value) {
            return found;
        }
    }
    path
}

/// Keeps `go` from switching toolchains, joining a workspace, or reading user GOFLAGS.
/// What identifies a `go env` answer: the binary and the settings it reads.
fn env_key(path: &Path) -> Option<String> {
    use sha2::Digest as _;
    let stamp = |p: &Path| -> String {
        std::fs::metadata(p)
            .ok()
            .map(|m| format!("{}:{:?}", m.len(), m.modified().ok()))
            .unwrap_or_default()
    };
    let mut h = sha2::Sha256::new();
    let path = path.canonicalize().ok()?;
    h.update(path.to_string_lossy().as_bytes());
    h.update(stamp(&path).as_bytes());
    for var in [
        "GOROOT",
        "GOAMD64",
        "GO386",
        "GOEXPERIMENT",
        "GOENV",
        "HOME",
        "XDG_CONFIG_HOME",
    ] {
        h.update(var.as_bytes());
        h.update(
            std::env::var_os(var)
                .unwrap_or_default()
                .to_string_lossy()
                .as_bytes(),
        );
    }
    // The go.env beside the toolchain and the user's go env file.
    if let Some(root) = path.parent().and_then(Path::parent) {
        h.update(stamp(&root.join("go.env")).as_bytes());
    }
    if let Some(home) = std::env::var_os("HOME") {
        h.update(stamp(&Path::new(&home).join(".config/go/env")).as_bytes());
    }
    Some(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn neutral_env(command: &mut Command) {
    command
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("GOFLAGS", "");
}

/// Runs `command` and fails with [`Error::GoCommand`] unless it exits with status 0.
pub(crate) fn run_checked(path: &Path, command: &mut Command, what: &str) -> Result<Output, Error> {
    let output = run(path, command)?;
    if !output.status.success() {
        return Err(Error::GoCommand {
            command: what.to_string(),
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr)
                .trim_end()
                .to_string(),
        });
    }
    Ok(output)
}

/// Runs `command` for at most `limit`, in a process group of its own so
/// that stopping it stops what it started (`go tool compile` runs the
/// compiler as a child).
fn run_limited(
    path: &Path,
    command: &mut Command,
    limit: std::time::Duration,
) -> Result<Output, Error> {
    use std::io::Read as _;
    use std::process::Stdio;
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(command, 0);
    let started = |cause| Error::GoRun {
        path: path.to_path_buf(),
        cause,
    };
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(started)?;
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(started)? {
            break status;
        }
        if std::time::Instant::now() >= deadline {
            #[cfg(unix)]
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::TimeLimit {
                seconds: limit.as_secs_f64(),
            });
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

pub(crate) fn run(path: &Path, command: &mut Command) -> Result<Output, Error> {
    command.output().map_err(|cause| Error::GoRun {
        path: path.to_path_buf(),
        cause,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(raw: &str) -> (u32, u32, u32, bool) {
        let version = GoVersion::parse(raw).unwrap_or_else(|| panic!("{raw} did not parse"));
        assert_eq!(version.raw, raw.trim());
        (version.major, version.minor, version.patch, version.devel)
    }

    #[test]
    fn parses_release_versions() {
        assert_eq!(parsed("go1.26.8"), (1, 26, 8, false));
        assert_eq!(parsed("go1.22.10"), (1, 22, 10, false));
        assert_eq!(parsed("go1.19.8"), (1, 19, 8, false));
        assert_eq!(parsed("go1.22"), (1, 22, 0, false));
        assert_eq!(parsed("go1.21rc2"), (1, 21, 0, false));
        assert_eq!(parsed("go1.23beta1"), (1, 23, 0, false));
        assert_eq!(parsed("go1.26.8\n"), (1, 26, 8, false));
    }

    #[test]
    fn parses_versions_with_suffixes() {
        assert_eq!(parsed("go1.26.8 X:foo"), (1, 26, 8, false));
        assert_eq!(
            parsed("go1.25.5 X:nocoverageredesign,loopvar"),
            (1, 25, 5, false)
        );
        assert_eq!(
            parsed("devel go1.27-5a1b2c3d Tue Jan 6 10:00:00 2026 +0000"),
            (1, 27, 0, true)
        );
        assert_eq!(
            parsed("devel +b7a0c1fa Sun Jan 1 00:00:00 2023 +0000"),
            (0, 0, 0, true)
        );
    }

    #[test]
    fn rejects_text_that_is_not_a_version() {
        for raw in [
            "",
            "   ",
            "1.26.8",
            "gox",
            "go",
            "go version",
            "go99999999999.1",
        ] {
            assert_eq!(GoVersion::parse(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn compares_against_the_minimum() {
        let at_least = |raw: &str| {
            GoVersion::parse(raw)
                .unwrap()
                .is_at_least(MINIMUM.0, MINIMUM.1)
        };
        assert!(at_least("go1.19"));
        assert!(at_least("go1.19.8"));
        assert!(at_least("go1.26.8 X:foo"));
        assert!(at_least("devel +b7a0c1fa"));
        assert!(at_least("go2.0"));
        assert!(!at_least("go1.18.10"));
        assert!(!at_least("go1.9"));
        assert!(!at_least("go1.15.2"));
    }

    #[test]
    fn minimum_constants_agree() {
        let minimum = GoVersion::parse(MINIMUM_VERSION).unwrap();
        assert_eq!((minimum.major, minimum.minor), MINIMUM);
    }
}
