//! The error type of the crate: each message says what went wrong and what to do about it.

use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;

/// Everything that can go wrong while finding Go or compiling or linking a program.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No `go` command on PATH and no `GOSTACK_GO`.
    #[error(
        "no `go` command found on PATH: install Go ({minimum} or newer) from your distribution or from https://go.dev/dl and put its bin directory on PATH, or set GOSTACK_GO to the path of a go binary",
        minimum = crate::go::MINIMUM_VERSION
    )]
    GoNotFound,

    /// The path given for the `go` binary (by `GOSTACK_GO` or [`Go::at`](crate::Go::at)) does not exist.
    #[error(
        "no Go binary at {}: point GOSTACK_GO at a go binary, or install Go ({minimum} or newer) from your distribution or from https://go.dev/dl and put it on PATH",
        path.display(),
        minimum = crate::go::MINIMUM_VERSION
    )]
    GoMissing {
        /// The path that was looked at.
        path: PathBuf,
    },

    /// The `go` binary could not be started.
    #[error("could not run {}: {cause}; check that it is a working go binary, or point GOSTACK_GO at one", path.display())]
    GoRun {
        /// The binary that was run.
        path: PathBuf,
        /// Why it could not be started.
        cause: io::Error,
    },

    /// A compile or link took longer than the time limit it was given
    /// ([`Go::with_time_limit`](crate::Go::with_time_limit)) and was stopped.
    #[error("the compile took longer than its limit of {seconds} s and was stopped")]
    TimeLimit {
        /// The limit.
        seconds: f64,
    },

    /// A `go` subcommand (other than the compile itself) failed.
    #[error("`{command}` failed ({status}):\n{stderr}")]
    GoCommand {
        /// The command line, for the reader.
        command: String,
        /// How it exited.
        status: ExitStatus,
        /// What it printed on stderr.
        stderr: String,
    },

    /// `go env GOVERSION` printed something that is not a Go version.
    #[error(
        "could not read the Go version (`go env GOVERSION` printed {found:?}); gostack needs {minimum} or newer",
        minimum = crate::go::MINIMUM_VERSION
    )]
    BadGoVersion {
        /// What was printed.
        found: String,
    },

    /// The installed Go is older than gostack supports.
    #[error(
        "{found} is too old: gostack needs {minimum} or newer; install a newer Go from your distribution or from https://go.dev/dl, or point GOSTACK_GO at one"
    )]
    GoTooOld {
        /// The version found, as Go prints it.
        found: String,
        /// The oldest version supported, such as `go1.19`.
        minimum: String,
    },

    /// A Go version asked for that names no release, or none the module proxy serves.
    #[error(
        "`{version}` names no Go release the Go module proxy serves: write a release such as 1.22.12, or a minor version such as 1.22 for its newest release"
    )]
    BadVersionRequest {
        /// What was asked for.
        version: String,
    },

    /// A GOARCH that gostack does not emulate.
    #[error(transparent)]
    UnknownArch(#[from] crate::UnknownArch),

    /// A source file name that `go tool compile` would not take as the program.
    #[error(
        "`{name}` cannot name the program's source file: use a plain file name ending in .go that does not start with `.` or `_` and is not a _test.go file, such as main.go"
    )]
    BadFileName {
        /// The name given.
        name: String,
    },

    /// A compiler flag that is not on the allowlist of flags that only change the generated code.
    #[error(
        "the compiler flag `{flag}` is not allowed: gostack passes only flags that change the generated code and write no file ({allowed}); `gostack` takes others with --any-flags"
    )]
    FlagNotAllowed {
        /// The flag refused.
        flag: String,
        /// The flags allowed, for the reader.
        allowed: String,
    },

    /// The program uses cgo, which gostack does not build or emulate.
    #[error(
        "the program imports \"{package}\": gostack runs pure Go programs only, since cgo code is C compiled by a C compiler, not Go's; remove the cgo part (`import \"{package}\"` and what uses it)"
    )]
    Cgo {
        /// `C` or `runtime/cgo`.
        package: &'static str,
    },

    /// The Go toolchain rejected the program; the message is the compiler's own.
    #[error("{}", compile_message(stderr, *status))]
    Compile {
        /// The compiler's messages as it printed them (on stdout and stderr), with the temporary directory removed from paths.
        stderr: String,
        /// The exit code of `go tool compile`, or `None` when `go list` found the error
        /// (such as an import of a package that does not exist).
        status: Option<i32>,
    },

    /// The Go linker could not link the compiled program; the message is the linker's own.
    #[error("{}", link_message(stderr, *status))]
    Link {
        /// The linker's messages as it printed them (on stdout and stderr), with the temporary directory removed from paths.
        stderr: String,
        /// The exit code of `go tool link`.
        status: Option<i32>,
    },

    /// Reading or writing a file failed.
    #[error("could not {action} {}: {cause}", path.display())]
    Io {
        /// What was being done, such as "read".
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        cause: io::Error,
    },

    /// Writing to the cache directory failed.
    #[error(
        "could not write to the gostack cache at {}: {cause}; set GOSTACK_CACHE to a writable directory, or run without the cache",
        path.display()
    )]
    Cache {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        cause: io::Error,
    },
}

fn compile_message(stderr: &str, status: Option<i32>) -> String {
    let stderr = stderr.trim_end();
    if !stderr.is_empty() {
        return stderr.to_string();
    }
    match status {
        Some(code) => format!("go tool compile failed with exit status {code} and printed nothing"),
        None => "go tool compile failed and printed nothing".to_string(),
    }
}

fn link_message(stderr: &str, status: Option<i32>) -> String {
    let stderr = stderr.trim_end();
    match status {
        _ if !stderr.is_empty() => format!("go tool link could not link the program:\n{stderr}"),
        Some(code) => format!("go tool link failed with exit status {code} and printed nothing"),
        None => "go tool link failed and printed nothing".to_string(),
    }
}
