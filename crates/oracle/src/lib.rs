//! The real CPU as an oracle: runs a program's linked executable natively
//! under ptrace, one instruction at a time through the functions of package
//! main, and compares every step with the emulator's trace of the very
//! same executable.
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
//! [`verify`] builds the program once (`gostack_toolchain::build`: the
//! listing and the executable of one compile), runs the executable in the
//! emulator (`gostack_emu::run`, the Go runtime included, on its imitation
//! of Linux) with every step traced, and starts the same bytes under ptrace
//! (`real`). Both runs get the same world: argv [`ARGS`], the environment
//! [`ENV`], empty standard input; the real one also gets address-space
//! randomisation off, one CPU, the emulator's resource limits
//! ([`gostack_emu::RLIMITS`]), the emulator's `AT_RANDOM` bytes (so the
//! runtime draws the same random numbers and, from Go 1.26, puts its heap at
//! the same address) and `SCHED_BATCH` (a woken thread waits for its waker
//! to block, as in the emulator).
//!
//! Both runs execute the same code at the same addresses, so pcs, code and
//! data addresses and plain numbers must be equal bit for bit; when the
//! heap bases agree (the report says so) so must heap pointers. What the
//! kernel places (memory the runtime maps without an address hint, the
//! initial stack) and, if the heaps part, heap and stack addresses, are
//! compared by what they mean (`canon`). Only what the program defined or
//! reads is compared (`compare`): registers and flags written by package
//! code since the runtime last ran, stack words the program wrote (until the
//! runtime writes them), and every operand an instruction reads. At the end
//! the runs' standard output, standard error and exit status must agree.
//! amd64, and 386 (which the 64-bit kernel runs as a 32-bit process).

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod canon;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod compare;
mod delve;
mod names;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod real;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use delve::{DELVE_VERSION, delve};
pub use gostack_emu::Arch;
use gostack_toolchain::{Cache, CompileRequest, Go};
pub use names::{Moments, NamesReport, verify_names};

/// The emulator's steps allowed for each package step compared
/// ([`Config::max_steps`]): the runtime's start, and whatever runs between
/// package steps, take many.
pub const EMULATOR_STEPS_PER_STEP: u64 = 40;

/// The longest a real run may take before it is stopped.
pub const TIMEOUT: Duration = Duration::from_secs(300);

/// How to verify a program.
#[derive(Debug, Clone)]
pub struct Config {
    /// The GOARCH: amd64, or 386 (run as a 32-bit process by the 64-bit kernel).
    pub arch: Arch,
    /// Compiler flags for package main, e.g. `["-N", "-l"]` or none.
    pub flags: Vec<String>,
    /// The most steps of package main compared.
    pub max_steps: u64,
    /// The emulator's step limit, for the whole program (the runtime's start alone takes some 300,000).
    pub emulator_steps: u64,
    /// A moment to compare up to: finds its step in the emulator's run, or
    /// says why it cannot.
    pub until: Option<Until>,
}

/// Finds a moment's step in a run, or says why it cannot.
pub type FindStep = dyn Fn(&gostack_emu::Run) -> Result<usize, String> + Send + Sync;

/// Finds a moment's step in a run (see [`Config::until`]).
#[derive(Clone)]
pub struct Until(pub std::sync::Arc<FindStep>);

impl fmt::Debug for Until {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Until(..)")
    }
}

impl Config {
    /// amd64 with `flags`, up to a million package steps and 40 million steps in all.
    pub fn new<S: Into<String>>(flags: impl IntoIterator<Item = S>) -> Config {
        Config {
            arch: Arch::Amd64,
            flags: flags.into_iter().map(Into::into).collect(),
            max_steps: 1_000_000,
            emulator_steps: 1_000_000 * EMULATOR_STEPS_PER_STEP,
            until: None,
        }
    }
}

/// What the comparison found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Steps in package main compared, side by side (every goroutine's, in the order they ran).
    pub steps_compared: u64,
    /// Of those, steps with nothing different.
    pub steps_equal: u64,
    /// The first step that differs.
    pub first_difference: Option<Difference>,
    /// How the runs were compared (whether the heaps agree), and what was not compared.
    pub notes: Vec<String>,
    /// The comparison stopped at a step limit (its own, or the emulator's),
    /// before the program ended: the rest, and how the program ended, were not compared.
    pub cut_short: bool,
}

/// One difference between the emulator and the real CPU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The step, counted among the package's steps from 0.
    pub step: u64,
    /// Where the emulator is: `main.add1+0x2e (main.go:14) `ADDQ $10, AX``.
    pub location: String,
    /// What differs: `pc`, the goroutine, a register (`AX`), `flags`, a stack
    /// word (`stack top - 0x48`), an operand read, or at the end of the run
    /// the output or the exit status.
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
            None if self.cut_short => write!(
                f,
                "\nno difference in the {} steps compared; the program went on beyond them (raise --max-steps to compare more)",
                self.steps_compared
            ),
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
    /// Compiling or linking the program failed.
    #[error(transparent)]
    Toolchain(#[from] gostack_toolchain::Error),
    /// The emulator could not load the executable.
    #[error("the emulator could not load the program: {0}")]
    Load(#[from] gostack_emu::LoadError),
    /// Tracing the real program failed.
    #[error("tracing the real program: {0}")]
    Trace(String),
    /// The moment to compare up to is not in the run.
    #[error("{0}")]
    Moment(String),
    /// Something the oracle cannot verify (another GOARCH).
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

/// The argument vector both runs get: the program's name alone.
pub const ARGS: [&str; 1] = ["main"];

/// The environment both runs get, `KEY=value`: every optional instruction
/// set extension off. The emulator's CPU is a baseline x86-64 (SSE2 and
/// nothing newer); told so, the real runtime takes the same paths: above
/// all it hashes with its portable hash rather than AES, which draws a
/// different number of random words at start-up, so every random number
/// after (map seeds, map iteration order) would differ.
pub const ENV: [&str; 1] = ["GODEBUG=cpu.all=off"];

/// Builds `program` (compiled with the configured flags and linked, through
/// `cache`), runs the executable in the emulator and on the real CPU, and
/// compares them step by step.
pub fn verify(go: &Go, cache: &Cache, program: &Path, config: &Config) -> Result<Report, Error> {
    native_only()?;
    let request = CompileRequest::from_file(program, config.arch, &config.flags)?;
    let built = gostack_toolchain::build(go, &request, cache)?;
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    return verify_built(&built, config, |_| {});
    #[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
    {
        let _ = built;
        unreachable!("native_only refuses before the build")
    }
}

/// The oracles run the program itself, a Linux x86-64 executable, under
/// ptrace or a debugger: only a Linux x86-64 machine can.
pub(crate) fn native_only() -> Result<(), Error> {
    if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        Ok(())
    } else {
        Err(Error::Unsupported(format!(
            "the oracles run the real Linux executable (under ptrace, or Delve), which needs a Linux x86-64 machine; this is {} {}",
            std::env::consts::OS,
            std::env::consts::ARCH
        )))
    }
}

/// Verifies a built program; `alter` may change the emulator's run before
/// the comparison (the tests make it differ on purpose).
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn verify_built(
    built: &gostack_toolchain::Built,
    config: &Config,
    alter: impl FnOnce(&mut gostack_emu::Run),
) -> Result<Report, Error> {
    let args: Vec<String> = ARGS.iter().map(|s| s.to_string()).collect();
    let env: Vec<String> = ENV.iter().map(|s| s.to_string()).collect();

    // The emulator's side.
    let parsed = gostack_listing::parse(&built.compiled.listing);
    let mut emu_config = gostack_emu::Config::new(config.arch);
    emu_config.trace = true;
    emu_config.max_steps = config.emulator_steps;
    let world = gostack_emu::World {
        args: args.clone(),
        env: env.clone(),
        stdin: Vec::new(),
        workdir: None,
    };
    let mut run = gostack_emu::run(&parsed.listing, &built.executable, &emu_config, &world)?;
    alter(&mut run);
    let until = match &config.until {
        Some(Until(find)) => Some(find(&run).map_err(Error::Moment)?),
        None => None,
    };

    // The package's functions, where the real side puts its breakpoints.
    let package: Vec<(u64, u64)> = parsed
        .listing
        .symbols
        .iter()
        .filter(|s| s.func.is_some() && gostack_emu::in_package_main(&s.name) && s.size > 0)
        .filter_map(|s| Some((run.layout.addr(&s.name)?, s.size)))
        .collect();

    // The real side.
    let dir = tempfile::TempDir::new()
        .map_err(|e| Error::io("create", Path::new("a temporary directory"), e))?;
    let (stdout_path, stderr_path) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).map_err(|e| Error::io("create", &bin, e))?;
    let (mut tracer, first) = real::Tracer::start(real::Launch {
        arch: config.arch,
        executable: &built.executable,
        dir: &bin,
        args: &args,
        env: &env,
        random: gostack_emu::at_random(),
        package: &package,
        stdout: &stdout_path,
        stderr: &stderr_path,
    })?;

    // A watchdog, so a program that never ends cannot hang the comparison.
    use std::sync::mpsc;
    let (done, timer) = mpsc::channel::<()>();
    let pid = tracer.pid();
    let watchdog = std::thread::spawn(move || {
        let expired = timer.recv_timeout(TIMEOUT) == Err(mpsc::RecvTimeoutError::Timeout);
        if expired {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        }
        expired
    });
    let package = compare::Package::new(&package);
    let result = compare::compare(&run, &package, &mut tracer, first, config.max_steps, until);
    let status = tracer.status;
    let setup_notes = std::mem::take(&mut tracer.notes);
    drop(tracer);
    let _ = done.send(());
    if watchdog.join().unwrap_or(false) {
        return Err(Error::Trace(format!(
            "the real program did not end within {} s",
            TIMEOUT.as_secs()
        )));
    }
    let walked = result?;
    let mut report = walked.report;
    report.notes.splice(0..0, setup_notes);
    if !walked.finished {
        return Ok(report);
    }

    // How the program ended, on both sides.
    let read = |path: &Path| std::fs::read(path).unwrap_or_default();
    let (real_out, real_err) = (read(&stdout_path), read(&stderr_path));
    let emu_status = match run.stop {
        gostack_emu::Stop::Exited(code) => Some(code),
        gostack_emu::Stop::Killed(sig) => Some(-sig),
        _ => None,
    };
    let shown = |s: Option<i32>| match s {
        Some(s) if s < 0 => format!("killed by signal {}", -s),
        Some(s) => format!("exit status {s}"),
        None => "unknown".into(),
    };
    let ends = [
        (
            "standard output",
            run.stdout == real_out,
            lossy(&run.stdout),
            lossy(&real_out),
        ),
        (
            "standard error",
            same_stderr(&run.stderr, &real_err, walked.exact_heap, config.arch),
            lossy(&run.stderr),
            lossy(&real_err),
        ),
        (
            "how the program ended",
            emu_status == status,
            shown(emu_status),
            shown(status),
        ),
    ];
    for (what, same, emulator, real) in ends {
        if !same {
            report.first_difference.get_or_insert_with(|| Difference {
                step: report.steps_compared,
                location: "the end of the run".into(),
                what: what.into(),
                emulator,
                real,
            });
        }
    }
    Ok(report)
}

/// Bytes as a quoted string.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn lossy(bytes: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(bytes))
}

/// Whether standard error agrees. When the heap bases agree, byte for byte
/// but for addresses where the kernel chooses (`canon::kernel_placed`): the
/// initial stack, which the kernel fills with more than the emulator (the
/// vDSO's entries, the platform string) and on which the runtime's first
/// thread runs, and memory mapped without an address. Else with every
/// hexadecimal number hidden.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn same_stderr(emu: &[u8], real: &[u8], exact_heap: bool, arch: Arch) -> bool {
    if emu == real {
        return true;
    }
    let hide = |v: u64| !exact_heap || v >= canon::kernel_placed(arch);
    hide_hex(emu, hide) == hide_hex(real, hide)
}

/// `text` with each hexadecimal number after `0x` that `hide` picks replaced
/// by `?` (one too long for 64 bits is passed as `u64::MAX`).
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn hide_hex(text: &[u8], hide: impl Fn(u64) -> bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with(b"0x") {
            let digits = text[i + 2..]
                .iter()
                .take_while(|b| b.is_ascii_hexdigit())
                .count();
            let number = &text[i + 2..i + 2 + digits];
            let value = std::str::from_utf8(number)
                .ok()
                .and_then(|n| u64::from_str_radix(n, 16).ok())
                .unwrap_or(u64::MAX);
            out.extend_from_slice(b"0x");
            if digits > 0 && hide(value) {
                out.push(b'?');
            } else {
                out.extend_from_slice(number);
            }
            i += 2 + digits;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

#[cfg(all(test, target_os = "linux", target_arch = "x86_64"))]
mod tests {
    use std::path::Path;

    use gostack_emu::{Change, Trace};
    use gostack_toolchain::{Cache, CompileRequest, Go};

    use super::{Arch, Config, hide_hex, verify_built};

    /// The emulator's run of `add` with one register value of a step in
    /// `main.main` changed: the comparison must report it, on either arch.
    #[test]
    fn a_register_the_emulator_got_wrong_is_reported() {
        let go = Go::find().expect("Go is installed");
        let cache = Cache::new(std::env::temp_dir().join("gostack-oracle-test-cache"));
        let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../go-samples/add/main.go");
        for arch in Arch::ALL {
            let request = CompileRequest::from_file(&program, arch, &[]).unwrap();
            let built = gostack_toolchain::build(&go, &request, &cache).unwrap();
            let mut config = Config::new(Vec::<String>::new());
            config.arch = arch;
            let mut changed = None;
            let report = verify_built(&built, &config, |run| {
                let trace = run.trace.as_mut().expect("traced");
                let main = run.layout.addr("main.main").expect("main.main");
                // The first step of main.main that sets a register other than SP and BP.
                let mut steps: Vec<(u64, Vec<Change>)> = (0..trace.steps.len())
                    .map(|i| (trace.steps[i].pc(), trace.changes_of(i)))
                    .collect();
                for (pc, changes) in &mut steps {
                    if (main..main + 0x100).contains(pc)
                        && let Some(Change::Reg { reg, new }) = changes.iter_mut().find(
                            |c| matches!(c, Change::Reg { reg, .. } if *reg != 4 && *reg != 5),
                        )
                    {
                        *new ^= 0x10;
                        changed = Some((run.layout.location(*pc).to_string(), *reg));
                        break;
                    }
                }
                *trace = Trace::new(trace.initial.clone(), &steps, trace.events.clone());
            })
            .unwrap();
            let (location, reg) = changed.expect("a register set in main.main");
            let d = report.first_difference.expect("the change is found");
            println!(
                "{arch}: changed {} after {location}:\n{d}",
                gostack_emu::GPR_NAMES[usize::from(reg)]
            );
            assert_eq!(
                d.what,
                gostack_emu::GPR_NAMES[usize::from(reg)],
                "{arch}: {d}"
            );
            assert!(d.location.starts_with("main.main+"), "{arch}: {d}");
            assert_ne!(d.emulator, d.real);
        }
    }

    #[test]
    fn hexadecimal_numbers_are_hidden() {
        assert_eq!(
            hide_hex(b"sp=0xc000123 stack=[0x1f, 0x2a] at 0x\n", |_| true),
            b"sp=0x? stack=[0x?, 0x?] at 0x\n"
        );
        // Only the numbers asked for; one too long for 64 bits counts as u64::MAX.
        assert_eq!(
            hide_hex(
                b"fp=0x7fffffffed38 sp=0xc000123 0x11112222333344445\n",
                |v| v >= 0x7fff_0000_0000
            ),
            b"fp=0x? sp=0xc000123 0x?\n"
        );
    }
}
