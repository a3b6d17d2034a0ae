//! What the command-line tests share: the samples, and the `gostack`
//! binary run with a cache in the target directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `go-samples/<name>/main.go`.
pub(crate) fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../go-samples")
        .join(name)
        .join("main.go")
}

/// Runs `gostack` with `args`, its cache in `cache`.
pub(crate) fn gostack_with_cache(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gostack"))
        .args(args)
        .env("GOSTACK_CACHE", cache)
        .output()
        .unwrap()
}

/// Runs `gostack` with `args`, its cache shared by the tests.
pub(crate) fn gostack(args: &[&str]) -> Output {
    gostack_with_cache(
        args,
        &Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
    )
}

/// Output bytes as text.
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
