//! The real CPU as an oracle: runs a program's machine code natively under
//! ptrace, one instruction at a time through the functions of package main,
//! and compares every step with the emulator's trace of the same program.
//!
//! ```no_run
//! use gostack_oracle::{Config, verify};
//!
//! let go = gostack_toolchain::Go::find()?;
//! let cache = gostack_toolchain::Cache::new(gostack_toolchain::Cache::default_dir());
//! let program = "go-samples/add/main.go".as_ref();
//! let report = verify(&go, &cache, program, &Config::new(["-N", "-l"]))?;
//! println!("{report}");
//! assert!(report.first_difference.is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Both sides run the same code: the emulator the listing of
//! `go tool compile -S`, the real CPU a `go build -gcflags=<flags>` binary
//! whose package main is compiled the same way. Values are compared in a
//! form both runs agree on (see `canon`): a stack address as its distance
//! below the stack top, code and data as symbol and offset, heap pointers as
//! `heap`. Only what the program defined or reads is compared: registers
//! and flags written by package code since the last call out of it,
//! results of a call once the program reads them, stack words the program
//! (or a runtime model) wrote, and every operand an instruction reads.

mod canon;
mod compare;
mod real;

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

pub use gostack_emu::Arch;
use gostack_toolchain::{Cache, Go};

/// The longest a real run may take before it is stopped.
pub const TIMEOUT: Duration = Duration::from_secs(300);

/// How to verify a program.
#[derive(Debug, Clone)]
pub struct Config {
    /// The GOARCH: only amd64 can be verified.
    pub arch: Arch,
    /// Compiler flags for package main, e.g. `["-N", "-l"]` or none.
    pub flags: Vec<String>,
    /// The most steps of package main compared (and the emulator's step limit).
    pub max_steps: u64,
}

impl Config {
    /// amd64 with `flags`, up to a million package steps.
    pub fn new<S: Into<String>>(flags: impl IntoIterator<Item = S>) -> Config {
        Config {
            arch: Arch::Amd64,
            flags: flags.into_iter().map(Into::into).collect(),
            max_steps: 1_000_000,
        }
    }
}

/// What the comparison found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Steps in package main compared, side by side.
    pub steps_compared: u64,
    /// Of those, steps with nothing different.
    pub steps_equal: u64,
    /// The first step that differs.
    pub first_difference: Option<Difference>,
    /// Where the runs legitimately part and meet again, or what could not be compared.
    pub notes: Vec<String>,
}

/// One difference between the emulator and the real CPU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The step, counted among the package's steps from 0.
    pub step: u64,
    /// Where the emulator is: `main.add1+0x2e (main.go:14) `ADDQ $10, AX``.
    pub location: String,
    /// What differs: `pc`, a register (`AX`), `flags`, a stack word (`stack top - 0x48`) or an operand read.
    pub what: String,
    /// The emulator's value.
    pub emulator: String,
    /// The real CPU's value.
    pub real: String,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} steps of package main compared, {} equal",
            self.steps_compared, self.steps_equal
        )?;
        for note in &self.notes {
            write!(f, "\nnote: {note}")?;
        }
        match &self.first_difference {
            None => write!(f, "\nno difference"),
            Some(d) => write!(f, "\nfirst difference: {d}"),
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step {} at {}: {}: emulator {}, real CPU {}",
            self.step, self.location, self.what, self.emulator, self.real
        )
    }
}

/// Why a program could not be verified.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Compiling the listing failed.
    #[error(transparent)]
    Toolchain(#[from] gostack_toolchain::Error),
    /// The emulator could not load the listing.
    #[error("the emulator could not load the program: {0}")]
    Load(#[from] gostack_emu::LoadError),
    /// `go build` or `go tool nm` failed, or the binary lacks what the tracer needs.
    #[error("building the real program: {0}")]
    Build(String),
    /// Tracing the real program failed.
    #[error("tracing the real program: {0}")]
    Trace(String),
    /// Something the oracle cannot verify (another GOARCH, a second goroutine in package code).
    #[error("cannot verify: {0}")]
    Unsupported(String),
    /// A file or a command could not be used.
    #[error("could not {action} {path}: {cause}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or command.
        path: PathBuf,
        /// The cause.
        cause: std::io::Error,
    },
}

impl Error {
    fn io(action: &'static str, path: &Path, cause: std::io::Error) -> Error {
        Error::Io {
            action,
            path: path.to_path_buf(),
            cause,
        }
    }
}

/// Runs `program` in the emulator and on the real CPU and compares them step
/// by step; the listing is compiled through `cache`.
pub fn verify(go: &Go, cache: &Cache, program: &Path, config: &Config) -> Result<Report, Error> {
    if config.arch != Arch::Amd64 {
        return Err(Error::Unsupported(format!(
            "GOARCH={}: only amd64 programs can be verified (the tracer reads amd64 registers)",
            config.arch
        )));
    }
    // The emulator's side.
    let compiled = gostack_toolchain::compile_file(go, program, config.arch, &config.flags, cache)?;
    let parsed = gostack_listing::parse(&compiled.listing);
    let mut emu_config = gostack_emu::Config::new(config.arch, go.version().minor);
    emu_config.trace = true;
    emu_config.max_steps = config.max_steps.saturating_mul(4);
    let run = gostack_emu::run(&parsed.listing, &emu_config)?;

    // The real side.
    let dir = tempfile::TempDir::new()
        .map_err(|e| Error::io("create", Path::new("a temporary directory"), e))?;
    let binary = real::build(go.path(), program, &config.flags, dir.path())?;
    let syms = real::symbols(go.path(), &binary)?;
    let out_path = dir.path().join("output");
    let out = std::fs::File::create(&out_path).map_err(|e| Error::io("create", &out_path, e))?;
    let env = [
        // No signal-driven preemption, no collector, one P.
        ("GODEBUG", "asyncpreemptoff=1"),
        ("GOGC", "off"),
        ("GOMAXPROCS", "1"),
        ("GOTRACEBACK", "single"),
    ];
    let (mut tracer, first) = real::Tracer::start(&binary, &syms, &env, out)?;

    // A watchdog, so a program that never ends cannot hang the comparison.
    let (done, timer) = mpsc::channel::<()>();
    let pid = tracer.pid();
    let watchdog = std::thread::spawn(move || {
        let expired = timer.recv_timeout(TIMEOUT) == Err(mpsc::RecvTimeoutError::Timeout);
        if expired {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        }
        expired
    });
    let result = compare::compare(&run, &mut tracer, first, &syms, config.max_steps);
    drop(tracer);
    let _ = done.send(());
    if watchdog.join().unwrap_or(false) {
        return Err(Error::Trace(format!(
            "the real program did not end within {} s",
            TIMEOUT.as_secs()
        )));
    }
    let (mut report, finished) = result?;

    // What the program printed, on both sides.
    let mut printed = Vec::new();
    if let Ok(mut f) = std::fs::File::open(&out_path) {
        let _ = f.read_to_end(&mut printed);
    }
    let mut emu_printed = run.stdout.clone();
    emu_printed.extend_from_slice(&run.stderr);
    if finished && !same_output(&printed, &emu_printed) {
        report.first_difference.get_or_insert_with(|| Difference {
            step: report.steps_compared,
            location: "the end of the run".into(),
            what: "what the program printed".into(),
            emulator: format!("{:?}", String::from_utf8_lossy(&emu_printed)),
            real: format!("{:?}", String::from_utf8_lossy(&printed)),
        });
    }
    Ok(report)
}

/// Where `needle` starts in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whether the outputs agree: the same lines, in any order (the real program's
/// standard output and error share one file), goroutine tracebacks aside.
fn same_output(real: &[u8], emu: &[u8]) -> bool {
    let lines = |text: &[u8]| -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = text
            .split(|&b| b == b'\n')
            .take_while(|l| !l.starts_with(b"goroutine "))
            .filter(|l| !l.is_empty())
            // The faulting pc of a signal line is an address of the binary.
            .map(|l| match (l.starts_with(b"[signal "), find(l, b" pc=0x")) {
                (true, Some(at)) => l[..at].to_vec(),
                _ => l.to_vec(),
            })
            .collect();
        out.sort();
        out
    };
    lines(real) == lines(emu)
}

#[cfg(test)]
mod tests {
    use super::same_output;

    #[test]
    fn outputs_agree_line_by_line_in_any_order_without_tracebacks() {
        let real = b"3\npanic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/x/main.go:5 +0x1d\nexit status 2\n";
        let emu = b"panic: boom\n3\n\ngoroutine 1 [running]:\nmain.main()\n";
        assert!(same_output(real, emu));
        assert!(!same_output(b"3\n", b"4\n"));
        assert!(!same_output(b"3\n3\n", b"3\n"));
        let fault = |pc: &str, addr: &str| {
            format!(
                "panic: x\n[signal SIGSEGV: segmentation violation code=0x1 addr={addr} pc={pc}]\n"
            )
        };
        assert!(same_output(
            fault("0x49e1a0", "0x0").as_bytes(),
            fault("0x400000", "0x0").as_bytes()
        ));
        assert!(!same_output(
            fault("0x49e1a0", "0x0").as_bytes(),
            fault("0x49e1a0", "0x8").as_bytes()
        ));
    }
}
