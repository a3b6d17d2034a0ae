//! The real side: runs the linked executable under ptrace and stops before
//! every instruction of package main the CPU executes.
//!
//! The program starts as the emulator starts it: the same argument vector
//! and environment, empty standard input, and the emulator's 16 `AT_RANDOM`
//! bytes written over the kernel's at the stop after `exec`, before the
//! first instruction runs, so the runtime seeds its randomness (and places
//! its heap) as in the emulator. Address-space randomisation is off (the
//! personality of the thread that spawns it, which the child inherits),
//! and the program is pinned to one CPU (the emulator reports one, so both
//! runtimes run one P) and runs under `SCHED_BATCH` (set by `chrt`), so a
//! thread the runtime wakes does not preempt its waker: the emulator runs a
//! thread until it blocks, and the order decides, during the runtime's
//! start, whether it starts one thread more (and draws other random numbers).
//!
//! Every instruction of the package's functions gets a breakpoint while the
//! program runs outside the package, so whatever way execution comes back
//! (a return, a deferred closure called by the runtime, a recovered panic,
//! another goroutine scheduled) stops there; inside the package the tracer
//! single-steps with the breakpoints removed (stepping over every iteration
//! of a repeated string instruction, which the emulator runs as one step).
//! The runtime's `sysmon` thread (the first thread the runtime starts) is
//! stopped at its first sleep, once it has counted itself: under ptrace
//! every step takes microseconds of real time, and sysmon would preempt a
//! goroutine the emulator (whose clock counts steps) lets run.

use std::collections::HashSet;
use std::fs::File;
use std::os::unix::fs::{FileExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};

use iced_x86::{Decoder, DecoderOptions};
use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::sys::personality::{self, Persona};
use nix::sys::ptrace::{self, Event, Options};
use nix::sys::signal::{self, Signal};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use crate::Error;

use gostack_emu::Arch;
use gostack_emu::abi::{AT_RANDOM, sys_nanosleep};

/// How to start the real program.
pub(crate) struct Launch<'a> {
    /// The executable's GOARCH: amd64, or 386 (which a 64-bit kernel runs as a 32-bit process).
    pub(crate) arch: Arch,
    /// The executable's bytes.
    pub(crate) executable: &'a [u8],
    /// A directory to write it to.
    pub(crate) dir: &'a Path,
    /// The argument vector; `args[0]` names the file written in `dir`.
    pub(crate) args: &'a [String],
    /// The environment, `KEY=value`.
    pub(crate) env: &'a [String],
    /// What the kernel's `AT_RANDOM` bytes are replaced with.
    pub(crate) random: [u8; 16],
    /// The package's functions: start and size in bytes.
    pub(crate) package: &'a [(u64, u64)],
    /// The files standard output and standard error go to.
    pub(crate) stdout: &'a Path,
    pub(crate) stderr: &'a Path,
}

/// The state of the real CPU before one instruction of the package.
#[derive(Debug, Clone)]
pub(crate) struct RealStep {
    /// The instruction's address.
    pub(crate) pc: u64,
    /// General registers in hardware order (AX CX DX BX SP BP SI DI R8..R15; on 386 the
    /// first eight, zero-extended, and zeros).
    pub(crate) regs: [u64; 16],
    /// RFLAGS.
    pub(crate) flags: u64,
    /// The goroutine running (`g`, from thread-local storage).
    pub(crate) g: u64,
    /// Its stack bounds, `g.stack.lo` and `g.stack.hi`.
    pub(crate) stack: (u64, u64),
    /// Whether code outside the package ran since the previous step.
    pub(crate) reentered: bool,
}

/// The shell commands that give the program the emulator's resource limits
/// ([`gostack_emu::RLIMITS`]): the hard limit first (raising it may be
/// refused), then the soft one.
fn ulimits() -> String {
    let mut out = String::new();
    for limit in gostack_emu::RLIMITS {
        let (flag, unit) = match limit.resource {
            3 => ("-s", 1024),
            7 => ("-n", 1),
            other => panic!("no ulimit flag known for resource {other}"),
        };
        let value = |v: u64| {
            if v == u64::MAX {
                "unlimited".to_string()
            } else {
                (v / unit).to_string()
            }
        };
        out += &format!(
            "ulimit -H {flag} {} 2>/dev/null; ulimit -S {flag} {}; ",
            value(limit.hard),
            value(limit.soft)
        );
    }
    out
}

/// The soft and hard limit on the line `Max <name>` of `/proc/<pid>/limits`
/// (`unlimited` read as `u64::MAX`).
fn proc_limit(limits: &str, name: &str) -> Option<(u64, u64)> {
    let line = limits.lines().find(|l| {
        l.strip_prefix("Max ")
            .and_then(|rest| rest.strip_prefix(name))
            .is_some_and(|rest| rest.starts_with("  "))
    })?;
    let mut fields = line["Max ".len() + name.len()..].split_whitespace();
    let mut number = || -> Option<u64> {
        match fields.next()? {
            "unlimited" => Some(u64::MAX),
            n => n.parse().ok(),
        }
    };
    Some((number()?, number()?))
}

/// One package function's code, original and with a breakpoint on every instruction.
#[derive(Debug)]
struct FuncCode {
    addr: u64,
    original: Vec<u8>,
    trapped: Vec<u8>,
}

/// What stopped a thread.
enum Stop {
    /// SIGTRAP: a single step finished or a breakpoint was hit.
    Trap(Pid),
    /// Another signal for the traced thread.
    Signal(Pid, Signal),
    /// The program is gone.
    Exited,
}

/// The program under ptrace, positioned before a package instruction.
pub(crate) struct Tracer {
    arch: Arch,
    /// The process (thread group leader).
    pid: Pid,
    /// The thread running package code.
    tid: Pid,
    /// `/proc/<pid>/mem`.
    mem: File,
    funcs: Vec<FuncCode>,
    /// Instruction addresses of the package: where the breakpoints are.
    starts: HashSet<u64>,
    /// Those of repeated string instructions, which trap after every iteration when single-stepped.
    reps: HashSet<u64>,
    traps_in: bool,
    /// Whether the program has run to its first package instruction yet.
    started: bool,
    /// Threads seen, by clone event or by their first stop.
    known: HashSet<Pid>,
    /// Threads stopped at birth whose clone event is not seen yet.
    held: HashSet<Pid>,
    /// The runtime's `sysmon` thread, run to its first sleep and kept stopped there.
    sysmon: Option<Pid>,
    /// The last step handed out: pc and SP.
    last: (u64, u64),
    /// How the program ended: its exit status, or minus the signal that killed it.
    pub(crate) status: Option<i32>,
    /// What could not be set up as wished, for the report.
    pub(crate) notes: Vec<String>,
}

impl Tracer {
    /// Writes the executable, starts it stopped at its first instruction,
    /// puts the emulator's random bytes in, and runs it to the first package instruction.
    pub(crate) fn start(launch: Launch<'_>) -> Result<(Tracer, Option<RealStep>), Error> {
        let name = launch
            .args
            .first()
            .filter(|a| !a.is_empty() && !a.contains('/'))
            .ok_or_else(|| Error::Trace("argv[0] must be a plain file name".into()))?;
        let path = launch.dir.join(name);
        std::fs::write(&path, launch.executable).map_err(|e| Error::io("write", &path, e))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| Error::io("make executable", &path, e))?;
        // Another thread's fork may hold the file open for writing for a
        // moment, and the exec fails (ETXTBSY): try again.
        let mut tries = 0;
        loop {
            match Tracer::launch(&launch)? {
                Some(started) => return Ok(started),
                None if tries < 50 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                None => {
                    let said = std::fs::read_to_string(launch.stderr).unwrap_or_default();
                    return Err(Error::Trace(format!(
                        "the shell could not run {}: {}",
                        path.display(),
                        said.trim()
                    )));
                }
            }
        }
    }

    /// One attempt at [`Tracer::start`]; `None` when the shell could not run the program.
    fn launch(launch: &Launch<'_>) -> Result<Option<(Tracer, Option<RealStep>)>, Error> {
        let out = |path: &Path| File::create(path).map_err(|e| Error::io("create", path, e));
        // The shell stops itself, so it can be seized before it runs the
        // program; `PATH=.` makes `exec` find the program by argv[0] and pass
        // it on as it is. The shell's own variables are not passed on.
        let mut sh = Command::new("/bin/sh");
        sh.arg("-c")
            .arg(format!(
                "chrt -b -p 0 $$ >/dev/null 2>&1; {}unset PWD OLDPWD; PATH=.; kill -STOP $$; exec \"$@\"",
                ulimits()
            ))
            .arg("sh")
            .args(launch.args)
            .current_dir(launch.dir)
            .env_clear()
            .envs(launch.env.iter().filter_map(|kv| kv.split_once('=')))
            .stdin(Stdio::null())
            .stdout(out(launch.stdout)?)
            .stderr(out(launch.stderr)?);
        // Address-space randomisation off: the personality is the spawning
        // thread's, inherited by the child and kept across exec.
        let before = personality::get().map_err(trace_err("read the personality"))?;
        personality::set(before | Persona::ADDR_NO_RANDOMIZE)
            .map_err(trace_err("set the personality"))?;
        let child = sh.spawn();
        personality::set(before).map_err(trace_err("restore the personality"))?;
        let child = child.map_err(|e| Error::io("run", Path::new("/bin/sh"), e))?;
        let pid = Pid::from_raw(child.id() as i32);
        // Until the tracer owns it, a failure kills it.
        let guard = Reaper(pid);
        match waitpid(pid, Some(WaitPidFlag::WUNTRACED)).map_err(trace_err("wait"))? {
            WaitStatus::Stopped(_, Signal::SIGSTOP) => {}
            other => {
                return Err(Error::Trace(format!(
                    "the program did not start: {other:?}"
                )));
            }
        }
        // One CPU, as the emulator reports: the runtime then runs one P.
        let mine = sched_getaffinity(Pid::from_raw(0)).map_err(trace_err("read the CPU set"))?;
        let cpu = (0..CpuSet::count())
            .filter(|&c| mine.is_set(c).unwrap_or(false))
            .nth(pid.as_raw() as usize % mine_count(&mine).max(1))
            .unwrap_or(0);
        let mut one = CpuSet::new();
        one.set(cpu).map_err(trace_err("choose a CPU"))?;
        sched_setaffinity(pid, &one).map_err(trace_err("pin the program to one CPU"))?;
        ptrace::seize(
            pid,
            Options::PTRACE_O_TRACECLONE
                | Options::PTRACE_O_TRACEEXEC
                | Options::PTRACE_O_TRACESYSGOOD
                | Options::PTRACE_O_EXITKILL,
        )
        .map_err(trace_err("seize the program"))?;
        signal::kill(pid, Signal::SIGCONT).map_err(trace_err("continue the program"))?;
        // Until the shell has become the program.
        loop {
            match wait_all()? {
                WaitStatus::PtraceEvent(p, _, e)
                    if p == pid && e == Event::PTRACE_EVENT_EXEC as i32 =>
                {
                    break;
                }
                WaitStatus::Exited(p, _) | WaitStatus::Signaled(p, _, _) if p == pid => {
                    return Ok(None);
                }
                WaitStatus::Stopped(p, sig) if sig != Signal::SIGSTOP && sig != Signal::SIGTRAP => {
                    ptrace::cont(p, sig).map_err(trace_err("continue"))?;
                }
                WaitStatus::Stopped(p, _) | WaitStatus::PtraceEvent(p, _, _) => {
                    ptrace::cont(p, None).map_err(trace_err("continue"))?;
                }
                other => {
                    return Err(Error::Trace(format!(
                        "the program did not start: {other:?}"
                    )));
                }
            }
        }
        let mem = File::options()
            .read(true)
            .write(true)
            .open(format!("/proc/{pid}/mem"))
            .map_err(|e| Error::io("open", Path::new("/proc/<pid>/mem"), e))?;
        std::mem::forget(guard);
        let mut tracer = Tracer {
            arch: launch.arch,
            pid,
            tid: pid,
            mem,
            funcs: Vec::new(),
            starts: HashSet::new(),
            reps: HashSet::new(),
            traps_in: false,
            started: false,
            known: HashSet::from([pid]),
            held: HashSet::new(),
            sysmon: None,
            last: (0, 0),
            status: None,
            notes: Vec::new(),
        };
        tracer.check_process(launch)?;
        tracer.check_policy();
        tracer.put_random(launch.random)?;
        for &(addr, size) in launch.package {
            let mut original = vec![0; size as usize];
            tracer
                .mem
                .read_exact_at(&mut original, addr)
                .map_err(|e| Error::Trace(format!("reading the package's code: {e}")))?;
            let mut trapped = original.clone();
            let bitness = 8 * launch.arch.word() as u32;
            let mut decoder = Decoder::with_ip(bitness, &original, addr, DecoderOptions::NONE);
            while decoder.can_decode() {
                let ins = decoder.decode();
                tracer.starts.insert(ins.ip());
                if ins.is_string_instruction() && (ins.has_rep_prefix() || ins.has_repne_prefix()) {
                    tracer.reps.insert(ins.ip());
                }
                trapped[(ins.ip() - addr) as usize] = 0xcc;
            }
            tracer.funcs.push(FuncCode {
                addr,
                original,
                trapped,
            });
        }
        if tracer.funcs.is_empty() {
            return Err(Error::Trace(
                "the program has no functions of package main".into(),
            ));
        }
        let first = tracer.run_out(None)?;
        Ok(Some((tracer, first)))
    }

    /// Checks that the process is set up as asked: no randomisation, the
    /// arguments and environment, the emulator's soft resource limits (a
    /// hard limit only an administrator may raise is noted when it differs).
    fn check_process(&mut self, launch: &Launch<'_>) -> Result<(), Error> {
        let proc = |file: &str| {
            let path = format!("/proc/{}/{file}", self.pid);
            std::fs::read(&path).map_err(|e| Error::io("read", Path::new(&path), e))
        };
        let persona = String::from_utf8_lossy(&proc("personality")?)
            .trim()
            .to_string();
        let persona = u32::from_str_radix(&persona, 16).unwrap_or(0);
        if persona & Persona::ADDR_NO_RANDOMIZE.bits() as u32 == 0 {
            return Err(Error::Trace(
                "address-space randomisation is still on in the program".into(),
            ));
        }
        let vector = |items: &[String]| -> Vec<u8> {
            items
                .iter()
                .flat_map(|s| s.bytes().chain(std::iter::once(0)))
                .collect()
        };
        for (file, want) in [("cmdline", launch.args), ("environ", launch.env)] {
            let got = proc(file)?;
            if got != vector(want) {
                return Err(Error::Trace(format!(
                    "the program got {file} {:?}, not {want:?}",
                    String::from_utf8_lossy(&got)
                )));
            }
        }
        let limits = String::from_utf8_lossy(&proc("limits")?).into_owned();
        for limit in gostack_emu::RLIMITS {
            let (soft, hard) = proc_limit(&limits, limit.name).ok_or_else(|| {
                Error::Trace(format!("no `Max {}` in the program's limits", limit.name))
            })?;
            if soft != limit.soft {
                return Err(Error::Trace(format!(
                    "the program's soft limit of {} is {soft}, not {}",
                    limit.name, limit.soft
                )));
            }
            if hard != limit.hard {
                self.notes.push(format!(
                    "the program's hard limit of {} is {hard}, not the emulator's {} \
                     (raising it needs an administrator): a value the program reads from it may differ",
                    limit.name, limit.hard
                ));
            }
        }
        Ok(())
    }

    /// Notes when the program does not run under `SCHED_BATCH`.
    fn check_policy(&mut self) {
        const SCHED_BATCH: &str = "3";
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).unwrap_or_default();
        // After the command name in parentheses, the fields from the third on; the policy is the 41st.
        let policy = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(38));
        if policy != Some(SCHED_BATCH) {
            self.notes.push(
                "the program could not be put under SCHED_BATCH (is chrt installed?): a thread \
                 the runtime wakes may run before its waker, unlike in the emulator, and the \
                 runtime may start another thread (and draw other random numbers)"
                    .into(),
            );
        }
    }

    /// Writes `random` over the 16 bytes `AT_RANDOM` points at.
    fn put_random(&self, random: [u8; 16]) -> Result<(), Error> {
        let path = format!("/proc/{}/auxv", self.pid);
        let auxv = std::fs::read(&path).map_err(|e| Error::io("read", Path::new(&path), e))?;
        // Pairs of words: a 32-bit process's are 4 bytes each.
        let word = self.arch.word() as usize;
        let at = auxv
            .chunks_exact(2 * word)
            .map(|pair| {
                let read = |i: usize| {
                    let mut w = [0u8; 8];
                    w[..word].copy_from_slice(&pair[i..i + word]);
                    u64::from_le_bytes(w)
                };
                (read(0), read(word))
            })
            .find(|&(key, _)| key == AT_RANDOM)
            .map(|(_, addr)| addr)
            .ok_or_else(|| Error::Trace("the auxiliary vector has no AT_RANDOM".into()))?;
        self.mem
            .write_all_at(&random, at)
            .map_err(|e| Error::Trace(format!("writing the AT_RANDOM bytes: {e}")))
    }

    /// The program's process id.
    pub(crate) fn pid(&self) -> Pid {
        self.pid
    }

    /// Reads `len` bytes of the program's memory.
    pub(crate) fn read(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        let mut buf = vec![0; len];
        self.mem.read_exact_at(&mut buf, addr).ok()?;
        Some(buf)
    }

    /// Reads a little-endian value of up to eight bytes.
    pub(crate) fn read_u64(&self, addr: u64, size: usize) -> Option<u64> {
        let b = self.read(addr, size.min(8))?;
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(&b);
        Some(u64::from_le_bytes(w))
    }

    /// The program's mappings now, from `/proc/<pid>/maps`: start, end and name (empty when anonymous).
    pub(crate) fn mappings(&self) -> Vec<(u64, u64, String)> {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{}/maps", self.pid)) else {
            return Vec::new();
        };
        text.lines()
            .filter_map(|line| {
                let mut fields = line.split_whitespace();
                let (lo, hi) = fields.next()?.split_once('-')?;
                // Permissions, offset, device, inode, then the name when there is one.
                let name = fields.nth(4).unwrap_or_default().to_string();
                Some((
                    u64::from_str_radix(lo, 16).ok()?,
                    u64::from_str_radix(hi, 16).ok()?,
                    name,
                ))
            })
            .collect()
    }

    /// Runs the instruction the tracer stands before; returns the next package step, or `None` once the program has exited.
    pub(crate) fn advance(&mut self) -> Result<Option<RealStep>, Error> {
        loop {
            ptrace::step(self.tid, None).map_err(trace_err("single-step"))?;
            match self.wait()? {
                Stop::Exited => return Ok(None),
                Stop::Trap(t) if t == self.tid => {
                    let regs = ptrace::getregs(t).map_err(trace_err("read registers"))?;
                    if regs.rip == self.last.0 && self.reps.contains(&regs.rip) {
                        // One iteration of a repeated string instruction: the emulator runs them all in one step.
                        continue;
                    }
                    if self.starts.contains(&regs.rip) {
                        return self.step_at(t, false).map(Some);
                    }
                    return self.run_out(None);
                }
                Stop::Trap(t) => {
                    ptrace::cont(t, None).map_err(trace_err("continue"))?;
                    continue;
                }
                // A fault, or a signal that came first: the runtime's handler runs, and
                // execution comes back to the package somewhere (perhaps this very
                // instruction, which has not run yet).
                Stop::Signal(_, sig) => return self.run_out(Some(sig)),
            }
        }
    }

    /// Lets the program run outside the package until it executes package code again.
    fn run_out(&mut self, sig: Option<Signal>) -> Result<Option<RealStep>, Error> {
        self.set_traps(true)?;
        if self.started {
            ptrace::cont(self.tid, sig).map_err(trace_err("continue"))?;
        } else {
            ptrace::cont(self.pid, None).map_err(trace_err("continue"))?;
        }
        loop {
            match self.wait()? {
                Stop::Exited => return Ok(None),
                Stop::Signal(t, sig) => ptrace::cont(t, sig).map_err(trace_err("continue"))?,
                Stop::Trap(t) => {
                    let mut regs = ptrace::getregs(t).map_err(trace_err("read registers"))?;
                    let at = regs.rip.wrapping_sub(1);
                    if !self.starts.contains(&at) {
                        ptrace::cont(t, None).map_err(trace_err("continue"))?;
                        continue;
                    }
                    self.set_traps(false)?;
                    regs.rip = at;
                    ptrace::setregs(t, regs).map_err(trace_err("write registers"))?;
                    self.tid = t;
                    if sig.is_some() && (at, regs.rsp) == self.last {
                        // Back where the signal interrupted, before the instruction ran.
                        return self.advance();
                    }
                    let reentered = self.started;
                    self.started = true;
                    return self.step_at(t, reentered).map(Some);
                }
            }
        }
    }

    /// The state of thread `t`, stopped before a package instruction.
    fn step_at(&mut self, t: Pid, reentered: bool) -> Result<RealStep, Error> {
        let r = ptrace::getregs(t).map_err(trace_err("read registers"))?;
        let regs = [
            r.rax, r.rcx, r.rdx, r.rbx, r.rsp, r.rbp, r.rsi, r.rdi, r.r8, r.r9, r.r10, r.r11,
            r.r12, r.r13, r.r14, r.r15,
        ];
        // The runtime keeps the running goroutine in the word just below the TLS base:
        // FS's on amd64, GS's on 386 (the kernel reports a 32-bit thread's GS base too).
        let word = self.arch.word();
        let tls = match self.arch {
            Arch::Amd64 => r.fs_base,
            Arch::I386 => r.gs_base,
        };
        let g = self
            .read_u64(tls.wrapping_sub(word), word as usize)
            .unwrap_or(0);
        let lo = self.read_u64(g, word as usize).unwrap_or(0);
        let hi = self.read_u64(g + word, word as usize).unwrap_or(0);
        self.last = (r.rip, r.rsp);
        Ok(RealStep {
            pc: r.rip,
            regs,
            flags: r.eflags,
            g,
            stack: (lo, hi),
            reentered,
        })
    }

    /// Puts the breakpoints in (or takes them out of) the package's code.
    fn set_traps(&mut self, on: bool) -> Result<(), Error> {
        if self.traps_in == on {
            return Ok(());
        }
        for f in &self.funcs {
            let bytes = if on { &f.trapped } else { &f.original };
            self.mem
                .write_all_at(bytes, f.addr)
                .map_err(|e| Error::Trace(format!("writing breakpoints: {e}")))?;
        }
        self.traps_in = on;
        Ok(())
    }

    /// Waits for the next stop that matters, taking care of every other thread's events.
    fn wait(&mut self) -> Result<Stop, Error> {
        loop {
            let status = match waitpid(None, Some(WaitPidFlag::__WALL | WaitPidFlag::__WNOTHREAD)) {
                Ok(s) => s,
                Err(nix::errno::Errno::ECHILD) => return Ok(Stop::Exited),
                Err(e) => return Err(Error::Trace(format!("wait: {e}"))),
            };
            match status {
                WaitStatus::Exited(p, code) if p == self.pid => {
                    self.status = Some(code);
                    return Ok(Stop::Exited);
                }
                WaitStatus::Signaled(p, sig, _) if p == self.pid => {
                    self.status = Some(-(sig as i32));
                    return Ok(Stop::Exited);
                }
                WaitStatus::PtraceEvent(p, _, e) if e == Event::PTRACE_EVENT_CLONE as i32 => {
                    let new =
                        Pid::from_raw(ptrace::getevent(p).map_err(trace_err("clone"))? as i32);
                    self.known.insert(new);
                    // The runtime's first thread is sysmon.
                    if self.sysmon.is_none() {
                        self.sysmon = Some(new);
                    }
                    // The creator goes on first, as in the emulator.
                    ptrace::cont(p, None).map_err(trace_err("continue"))?;
                    if self.held.remove(&new) {
                        self.resume(new, None);
                    }
                }
                WaitStatus::PtraceEvent(p, _, e) if e == Event::PTRACE_EVENT_STOP as i32 => {
                    if self.known.contains(&p) {
                        self.resume(p, None);
                    } else {
                        // A new thread's first stop came before its creator's clone event.
                        self.held.insert(p);
                    }
                }
                WaitStatus::PtraceSyscall(p) => {
                    // Only sysmon is run from system call to system call: it
                    // stays at the first sleep, once it has counted itself
                    // among the system threads (so the runtime can still
                    // tell a deadlock) and before it can preempt anyone.
                    let sleeps =
                        ptrace::getregs(p).is_ok_and(|r| r.orig_rax == sys_nanosleep(self.arch));
                    if !sleeps {
                        let _ = ptrace::syscall(p, None);
                    }
                }
                WaitStatus::PtraceEvent(p, _, _) => {
                    let _ = ptrace::cont(p, None);
                }
                WaitStatus::Stopped(p, Signal::SIGTRAP) => return Ok(Stop::Trap(p)),
                WaitStatus::Stopped(p, sig) if p == self.tid => return Ok(Stop::Signal(p, sig)),
                WaitStatus::Stopped(p, sig) => self.resume(p, Some(sig)),
                _ => {}
            }
        }
    }
}

impl Tracer {
    /// Lets thread `t` go on, to its next system call if it is sysmon.
    fn resume(&self, t: Pid, sig: Option<Signal>) {
        let _ = if Some(t) == self.sysmon {
            ptrace::syscall(t, sig)
        } else {
            ptrace::cont(t, sig)
        };
    }
}

impl Drop for Tracer {
    fn drop(&mut self) {
        kill_and_reap(self.pid);
    }
}

/// Kills a process started for tracing when it is dropped.
struct Reaper(Pid);

impl Drop for Reaper {
    fn drop(&mut self) {
        kill_and_reap(self.0);
    }
}

/// Kills process `pid` and reaps every thread of it, so no zombie is left.
fn kill_and_reap(pid: Pid) {
    let _ = signal::kill(pid, Signal::SIGKILL);
    while let Ok(status) = waitpid(None, Some(WaitPidFlag::__WALL | WaitPidFlag::__WNOTHREAD)) {
        if matches!(status, WaitStatus::Exited(p, _) | WaitStatus::Signaled(p, _, _) if p == pid) {
            break;
        }
    }
}

/// How many CPUs `set` holds.
fn mine_count(set: &CpuSet) -> usize {
    (0..CpuSet::count())
        .filter(|&c| set.is_set(c).unwrap_or(false))
        .count()
}

/// Waits for any traced thread of this thread's children.
fn wait_all() -> Result<WaitStatus, Error> {
    waitpid(None, Some(WaitPidFlag::__WALL | WaitPidFlag::__WNOTHREAD)).map_err(trace_err("wait"))
}

/// Turns a ptrace failure into an [`Error::Trace`] saying what was being done.
fn trace_err(what: &'static str) -> impl Fn(nix::errno::Errno) -> Error {
    move |e| Error::Trace(format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This process's own limits, as the kernel writes them.
    #[test]
    fn limits_are_read_from_proc() {
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
        for limit in gostack_emu::RLIMITS {
            let (soft, hard) = proc_limit(&limits, limit.name)
                .unwrap_or_else(|| panic!("no `Max {}` in {limits}", limit.name));
            assert!(soft <= hard, "{}: {soft} > {hard}", limit.name);
        }
        assert_eq!(proc_limit(&limits, "stack"), None, "a whole name only");
    }

    /// A shell given the commands has the emulator's limits.
    #[test]
    fn the_shell_sets_the_emulators_soft_limits() {
        let out = Command::new("/bin/sh")
            .arg("-c")
            .arg(format!("{}cat /proc/self/limits", ulimits()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let limits = String::from_utf8_lossy(&out.stdout);
        for limit in gostack_emu::RLIMITS {
            let (soft, _) = proc_limit(&limits, limit.name).unwrap();
            assert_eq!(soft, limit.soft, "{}", limit.name);
        }
    }
}
