//! Other Go versions, fetched with the Go toolchain's own mechanism: the
//! module `golang.org/toolchain` from the module proxy, unpacked once into
//! the module cache (`GOTOOLCHAIN=go1.22.12 go env GOROOT`).

use std::process::Command;

use crate::go::{run, run_checked};
use crate::{Error, Go, GoVersion};

/// The module the Go command fetches toolchains from.
const TOOLCHAIN_MODULE: &str = "golang.org/toolchain";

impl Go {
    /// The Go of `version`: `1.22.12` or `go1.22.12` names a release;
    /// `1.22` its minor version's newest release that the module proxy serves.
    /// The installed Go answers for its own version; another is fetched the
    /// first time (`progress` hears of the download) and found in the module
    /// cache after that.
    pub fn fetch(&self, version: &str, progress: &dyn Fn(&str)) -> Result<Go, Error> {
        let wanted = version.trim().trim_start_matches("go");
        let bad = || Error::BadVersionRequest {
            version: version.to_string(),
        };
        let numbers: Vec<u32> = wanted
            .split('.')
            .map(|n| n.parse().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let release = match numbers[..] {
            [1, minor, patch] => format!("go1.{minor}.{patch}"),
            // Even when the installed Go has this minor version: a minor
            // version means its newest release, on every machine.
            [1, minor] => self.newest_patch(minor)?,
            _ => return Err(bad()),
        };
        if self.version().raw.split_whitespace().next() == Some(release.as_str()) {
            return Ok(self.clone());
        }
        let mut command = Command::new(self.path());
        command
            .args(["env", "GOROOT"])
            .current_dir(std::env::temp_dir())
            .env("GOTOOLCHAIN", &release)
            .env("GOWORK", "off")
            .env("GOFLAGS", "");
        if !self.has_toolchain(&release) {
            progress(&format!(
                "fetching {release} from the Go module proxy (once; it is kept in the module cache)"
            ));
        }
        let what = format!("GOTOOLCHAIN={release} go env GOROOT");
        let output = run_checked(self.path(), &mut command, &what)?;
        let goroot = String::from_utf8_lossy(&output.stdout).trim().to_string();
        let go = Go::at(std::path::Path::new(&goroot).join("bin").join("go"))?;
        match GoVersion::parse(&go.version().raw) {
            Some(v) if format!("go{}.{}.{}", v.major, v.minor, v.patch) == release => Ok(go),
            _ => Err(bad()),
        }
    }

    /// The newest release `go1.<minor>.N` of the toolchain module, for this machine.
    fn newest_patch(&self, minor: u32) -> Result<String, Error> {
        let mut command = Command::new(self.path());
        command
            .args(["list", "-m", "-versions", TOOLCHAIN_MODULE])
            .current_dir(std::env::temp_dir())
            .env("GOTOOLCHAIN", "local")
            .env("GOWORK", "off")
            .env("GOFLAGS", "");
        let what = format!("go list -m -versions {TOOLCHAIN_MODULE}");
        let output = run_checked(self.path(), &mut command, &what)?;
        let suffix = format!(".{}", host_platform());
        let prefix = format!("v0.0.1-go1.{minor}.");
        String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .filter_map(|v| {
                v.strip_prefix(&prefix)?
                    .strip_suffix(&suffix)?
                    .parse::<u32>()
                    .ok()
            })
            .max()
            .map(|patch| format!("go1.{minor}.{patch}"))
            .ok_or_else(|| Error::BadVersionRequest {
                version: format!("1.{minor}"),
            })
    }

    /// Whether the module cache already holds `release` (so nothing is downloaded).
    fn has_toolchain(&self, release: &str) -> bool {
        let mut command = Command::new(self.path());
        command
            .args(["env", "GOMODCACHE"])
            .current_dir(std::env::temp_dir())
            .env("GOTOOLCHAIN", "local");
        let Ok(output) = run(self.path(), &mut command) else {
            return false;
        };
        let cache = String::from_utf8_lossy(&output.stdout).trim().to_string();
        std::path::Path::new(&cache)
            .join(format!(
                "{TOOLCHAIN_MODULE}@v0.0.1-{release}.{}",
                host_platform()
            ))
            .join("bin/go")
            .is_file()
    }
}

/// The platform toolchains are fetched for, as the module names it: `linux-amd64`.
fn host_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "x86" => "386",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}-{arch}", std::env::consts::OS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_that_name_no_release_are_refused() {
        let go = Go::find().expect("Go is installed");
        for bad in ["", "1", "2.0", "1.x", "latest", "1.22.1.2", "go1.22rc1"] {
            let err = go.fetch(bad, &|_| {}).unwrap_err().to_string();
            assert!(err.contains(&format!("`{bad}`")), "{bad}: {err}");
        }
    }

    #[test]
    fn the_installed_version_is_the_installed_go() {
        let go = Go::find().expect("Go is installed");
        let v = go.version().clone();
        let heard = std::cell::Cell::new(false);
        let same = go
            .fetch(&format!("{}.{}.{}", v.major, v.minor, v.patch), &|_| {
                heard.set(true)
            })
            .unwrap();
        assert_eq!(same.path(), go.path());
        assert!(!heard.get(), "nothing to fetch");
    }
}
