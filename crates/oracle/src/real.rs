//! The real side: builds the program with `go build`, runs it under ptrace
//! and stops before every instruction of package main the CPU executes.
//!
//! Every instruction of the package's functions gets a breakpoint while the
//! program runs outside the package, so whatever way execution comes back
//! (a return, a deferred closure called by the runtime, a recovered panic
//! resuming at a `deferreturn` call) stops there; inside the package the
//! tracer single-steps with the breakpoints removed. The runtime's `sysmon`
//! thread (the first thread the runtime starts) is kept stopped, so no
//! preemption request ever sends a prologue to `morestack`.

use std::collections::HashSet;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use iced_x86::{Decoder, DecoderOptions};
use nix::sys::ptrace::{self, Event, Options};
use nix::sys::signal::{self, Signal};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use crate::Error;

/// A symbol of the real binary.
#[derive(Debug, Clone)]
pub(crate) struct Sym {
    /// Start address.
    pub(crate) addr: u64,
    /// Size in bytes (zero for markers).
    pub(crate) size: u64,
    /// Name, without an `.abi0` suffix.
    pub(crate) name: String,
}

/// The real binary's symbols and the ranges that classify an address.
#[derive(Debug, Clone)]
pub(crate) struct Symbols {
    /// Sized symbols by address.
    syms: Vec<Sym>,
    /// `[runtime.text, runtime.etext)`.
    pub(crate) text: (u64, u64),
    /// `[runtime.rodata, runtime.erodata)`: type descriptors, itabs, strings.
    pub(crate) rodata: (u64, u64),
    /// The whole image, from text to `runtime.end`.
    pub(crate) image: (u64, u64),
}

impl Symbols {
    /// The symbol holding `addr` and the offset in it.
    pub(crate) fn name(&self, addr: u64) -> Option<(&str, u64)> {
        let i = self.syms.partition_point(|s| s.addr <= addr);
        let s = self.syms.get(i.checked_sub(1)?)?;
        (addr < s.addr + s.size.max(1)).then(|| (s.name.as_str(), addr - s.addr))
    }

    /// The package's functions: start and size.
    fn package_funcs(&self) -> Vec<(u64, u64)> {
        self.syms
            .iter()
            .filter(|s| s.name.starts_with("main.") && s.size > 0 && in_range(s.addr, self.text))
            .map(|s| (s.addr, s.size))
            .collect()
    }
}

/// Whether `v` is in `[r.0, r.1)`.
pub(crate) fn in_range(v: u64, r: (u64, u64)) -> bool {
    r.0 <= v && v < r.1
}

/// Builds `program` for amd64 with `-gcflags=<flags>` into `dir`; returns the binary's path.
pub(crate) fn build(
    go: &Path,
    program: &Path,
    flags: &[String],
    dir: &Path,
) -> Result<PathBuf, Error> {
    let source = dir.join("main.go");
    std::fs::copy(program, &source).map_err(|e| Error::io("copy", program, e))?;
    let out = dir.join("prog");
    let built = Command::new(go)
        .arg("build")
        .arg(format!("-gcflags={}", flags.join(" ")))
        .arg("-o")
        .arg(&out)
        .arg("main.go")
        .current_dir(dir)
        .env("GOARCH", "amd64")
        .env("GOOS", "linux")
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-buildvcs=false")
        .env("GO111MODULE", "off")
        .env("CGO_ENABLED", "0")
        .output()
        .map_err(|e| Error::io("run", go, e))?;
    if !built.status.success() {
        return Err(Error::Build(
            String::from_utf8_lossy(&built.stderr).trim().to_string(),
        ));
    }
    Ok(out)
}

/// Reads the binary's symbol table with `go tool nm`.
pub(crate) fn symbols(go: &Path, binary: &Path) -> Result<Symbols, Error> {
    let nm = Command::new(go)
        .args(["tool", "nm", "-size", "-sort", "address"])
        .arg(binary)
        .output()
        .map_err(|e| Error::io("run", go, e))?;
    if !nm.status.success() {
        return Err(Error::Build(format!(
            "go tool nm: {}",
            String::from_utf8_lossy(&nm.stderr).trim()
        )));
    }
    let mut syms = Vec::new();
    let mut markers = std::collections::HashMap::new();
    for line in String::from_utf8_lossy(&nm.stdout).lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() < 4 {
            continue;
        }
        let (Ok(addr), Ok(size)) = (u64::from_str_radix(parts[0], 16), parts[1].parse::<u64>())
        else {
            continue;
        };
        if parts[2] == "U" {
            continue;
        }
        let name = parts[3..].join(" ");
        let name = name.strip_suffix(".abi0").unwrap_or(&name).to_string();
        markers.insert(name.clone(), addr);
        if size > 0 {
            syms.push(Sym { addr, size, name });
        }
    }
    syms.sort_by_key(|s| s.addr);
    let marker = |n: &str| {
        markers
            .get(n)
            .copied()
            .ok_or_else(|| Error::Build(format!("the binary has no symbol {n}")))
    };
    Ok(Symbols {
        syms,
        text: (marker("runtime.text")?, marker("runtime.etext")?),
        rodata: (marker("runtime.rodata")?, marker("runtime.erodata")?),
        image: (marker("runtime.text")?, marker("runtime.end")?),
    })
}

/// The state of the real CPU before one instruction of the package.
#[derive(Debug, Clone)]
pub(crate) struct RealStep {
    /// The instruction's address.
    pub(crate) pc: u64,
    /// General registers in hardware order (AX CX DX BX SP BP SI DI R8..R15).
    pub(crate) regs: [u64; 16],
    /// RFLAGS.
    pub(crate) flags: u64,
    /// The goroutine's stack bounds, `g.stack.lo` and `g.stack.hi`.
    pub(crate) stack: (u64, u64),
    /// Whether code outside the package ran since the previous step.
    pub(crate) reentered: bool,
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
    /// Another signal for the traced goroutine's thread.
    Signal(Pid, Signal),
    /// The program is gone.
    Exited,
}

/// The program under ptrace, positioned before a package instruction.
pub(crate) struct Tracer {
    /// The process (thread group leader).
    pid: Pid,
    /// The thread running the goroutine being traced.
    tid: Pid,
    /// `/proc/<pid>/mem`.
    mem: File,
    /// The goroutine (`g`, R14) that runs the package's code.
    g: u64,
    funcs: Vec<FuncCode>,
    /// Instruction addresses of the package: where the breakpoints are.
    starts: HashSet<u64>,
    traps_in: bool,
    /// Threads seen, by clone event or by their first stop.
    known: HashSet<Pid>,
    /// Threads stopped at birth whose clone event is not seen yet.
    held: HashSet<Pid>,
    /// The runtime's `sysmon` thread, kept stopped.
    sysmon: Option<Pid>,
    /// The last step handed out: pc and SP.
    last: (u64, u64),
    /// Anonymous mappings (the heap arenas, the runtime's own memory), as of the last return to the package.
    anon: Vec<(u64, u64)>,
}

impl Tracer {
    /// Starts `binary` with `env`, output to `stdout`, stopped at the first package instruction.
    pub(crate) fn start(
        binary: &Path,
        syms: &Symbols,
        env: &[(&str, &str)],
        stdout: File,
    ) -> Result<(Tracer, Option<RealStep>), Error> {
        let stderr = stdout
            .try_clone()
            .map_err(|e| Error::io("open", binary, e))?;
        // The shell stops itself, so it can be seized before it runs the program.
        let child = Command::new("sh")
            .args(["-c", "kill -STOP $$; exec \"$0\""])
            .arg(binary)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .map_err(|e| Error::io("run", binary, e))?;
        let pid = Pid::from_raw(child.id() as i32);
        match waitpid(pid, Some(WaitPidFlag::WUNTRACED)).map_err(trace_err("wait"))? {
            WaitStatus::Stopped(_, Signal::SIGSTOP) => {}
            other => {
                return Err(Error::Trace(format!(
                    "the program did not start: {other:?}"
                )));
            }
        }
        ptrace::seize(
            pid,
            Options::PTRACE_O_TRACECLONE | Options::PTRACE_O_TRACEEXEC | Options::PTRACE_O_EXITKILL,
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
        let mut funcs = Vec::new();
        let mut starts = HashSet::new();
        for (addr, size) in syms.package_funcs() {
            let mut original = vec![0; size as usize];
            mem.read_exact_at(&mut original, addr)
                .map_err(|e| Error::Trace(format!("reading the package's code: {e}")))?;
            let mut trapped = original.clone();
            let mut decoder = Decoder::with_ip(64, &original, addr, DecoderOptions::NONE);
            while decoder.can_decode() {
                let ins = decoder.decode();
                starts.insert(ins.ip());
                trapped[(ins.ip() - addr) as usize] = 0xcc;
            }
            funcs.push(FuncCode {
                addr,
                original,
                trapped,
            });
        }
        if funcs.is_empty() {
            return Err(Error::Build(
                "the binary has no functions of package main".into(),
            ));
        }
        let mut tracer = Tracer {
            pid,
            tid: pid,
            mem,
            g: 0,
            funcs,
            starts,
            traps_in: false,
            known: HashSet::from([pid]),
            held: HashSet::new(),
            sysmon: None,
            last: (0, 0),
            anon: Vec::new(),
        };
        let first = tracer.run_out(None)?;
        Ok((tracer, first))
    }

    /// The program's process id.
    pub(crate) fn pid(&self) -> Pid {
        self.pid
    }

    /// The original code bytes at `pc`, for decoding (up to 16).
    pub(crate) fn code(&self, pc: u64) -> Option<&[u8]> {
        let f = self
            .funcs
            .iter()
            .find(|f| in_range(pc, (f.addr, f.addr + f.original.len() as u64)))?;
        let off = (pc - f.addr) as usize;
        Some(&f.original[off..(off + 16).min(f.original.len())])
    }

    /// Whether `addr` is in anonymous memory: Go's heap arenas (at a random base since
    /// Go 1.26), goroutine stacks and the runtime's other allocations.
    pub(crate) fn is_anonymous(&self, addr: u64) -> bool {
        self.anon.iter().any(|r| in_range(addr, *r))
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

    /// Runs the instruction the tracer stands before; returns the next package step, or `None` once the program has exited.
    pub(crate) fn advance(&mut self) -> Result<Option<RealStep>, Error> {
        loop {
            ptrace::step(self.tid, None).map_err(trace_err("single-step"))?;
            match self.wait()? {
                Stop::Exited => return Ok(None),
                Stop::Trap(t) if t == self.tid => {
                    let regs = ptrace::getregs(t).map_err(trace_err("read registers"))?;
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
        let first = self.g == 0;
        if first {
            ptrace::cont(self.pid, None).map_err(trace_err("continue"))?;
        } else {
            ptrace::cont(self.tid, sig).map_err(trace_err("continue"))?;
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
                    if self.g != 0 && regs.r14 != self.g {
                        return Err(Error::Unsupported(
                            "package code ran on a second goroutine".into(),
                        ));
                    }
                    self.set_traps(false)?;
                    regs.rip = at;
                    ptrace::setregs(t, regs).map_err(trace_err("write registers"))?;
                    self.g = regs.r14;
                    self.tid = t;
                    // Only runtime code maps memory: the map is read again each time it ran.
                    self.anon = anonymous_mappings(self.pid);
                    if sig.is_some() && (at, regs.rsp) == self.last {
                        // Back where the signal interrupted, before the instruction ran.
                        return self.advance();
                    }
                    return self.step_at(t, !first).map(Some);
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
        let lo = self.read_u64(r.r14, 8).unwrap_or(0);
        let hi = self.read_u64(r.r14 + 8, 8).unwrap_or(0);
        self.last = (r.rip, r.rsp);
        Ok(RealStep {
            pc: r.rip,
            regs,
            flags: r.eflags,
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
                WaitStatus::Exited(p, _) | WaitStatus::Signaled(p, _, _) if p == self.pid => {
                    return Ok(Stop::Exited);
                }
                WaitStatus::PtraceEvent(p, _, e) if e == Event::PTRACE_EVENT_CLONE as i32 => {
                    let new =
                        Pid::from_raw(ptrace::getevent(p).map_err(trace_err("clone"))? as i32);
                    self.known.insert(new);
                    // The runtime's first thread is sysmon: it stays stopped from birth.
                    if self.sysmon.is_none() {
                        self.sysmon = Some(new);
                    } else if self.held.remove(&new) {
                        let _ = ptrace::cont(new, None);
                    }
                    ptrace::cont(p, None).map_err(trace_err("continue"))?;
                }
                WaitStatus::PtraceEvent(p, _, e) if e == Event::PTRACE_EVENT_STOP as i32 => {
                    if !self.known.contains(&p) {
                        // A new thread's first stop came before its creator's clone event.
                        self.held.insert(p);
                    } else if Some(p) != self.sysmon {
                        let _ = ptrace::cont(p, None);
                    }
                }
                WaitStatus::PtraceEvent(p, _, _) => {
                    let _ = ptrace::cont(p, None);
                }
                WaitStatus::Stopped(p, Signal::SIGTRAP) => return Ok(Stop::Trap(p)),
                WaitStatus::Stopped(p, sig) if p == self.tid => return Ok(Stop::Signal(p, sig)),
                WaitStatus::Stopped(p, sig) => {
                    let _ = ptrace::cont(p, sig);
                }
                _ => {}
            }
        }
    }
}

impl Drop for Tracer {
    fn drop(&mut self) {
        let _ = signal::kill(self.pid, Signal::SIGKILL);
        // Reap every thread, so no zombie is left.
        while let Ok(status) = waitpid(None, Some(WaitPidFlag::__WALL | WaitPidFlag::__WNOTHREAD)) {
            if matches!(status, WaitStatus::Exited(p, _) | WaitStatus::Signaled(p, _, _) if p == self.pid)
            {
                break;
            }
        }
    }
}

/// The anonymous mappings of process `pid`, from `/proc/<pid>/maps`.
fn anonymous_mappings(pid: Pid) -> Vec<(u64, u64)> {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/maps")) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let range = fields.next()?;
            // Address, permissions, offset, device, inode, then the path when there is one.
            if fields.nth(4).is_some() {
                return None;
            }
            let (lo, hi) = range.split_once('-')?;
            Some((
                u64::from_str_radix(lo, 16).ok()?,
                u64::from_str_radix(hi, 16).ok()?,
            ))
        })
        .collect()
}

/// Waits for any traced thread of this thread's children.
fn wait_all() -> Result<WaitStatus, Error> {
    waitpid(None, Some(WaitPidFlag::__WALL | WaitPidFlag::__WNOTHREAD)).map_err(trace_err("wait"))
}

/// Turns a ptrace failure into an [`Error::Trace`] saying what was being done.
fn trace_err(what: &'static str) -> impl Fn(nix::errno::Errno) -> Error {
    move |e| Error::Trace(format!("{what}: {e}"))
}
