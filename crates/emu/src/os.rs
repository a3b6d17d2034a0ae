//! Linux for one process, as a Go program needs it: system calls, threads
//! and their scheduler, futexes, a virtual clock, signals, an address space.
//!
//! It knows nothing of Go. Everything is deterministic: one CPU, threads run
//! by a fixed rule (until they block, or for a quantum of steps), time that
//! advances with the steps executed and jumps when every thread sleeps,
//! fixed random bytes. A system call it does not implement stops the run and
//! names it; it never answers `ENOSYS` on its own.

mod calls;
mod files;
mod fs;
mod fscalls;
mod signal;

use crate::Arch;
use crate::cpu::{Cpu, RSP};
use crate::exec::{Exec, Halt, Machine};
use crate::mem::Fault;
use crate::{Location, Stop};

pub(crate) use files::Files;
pub use fs::{Folder, WorkDir};
pub(crate) use signal::{FPE_INTDIV, SIGFPE, Signals, fault_signal, gs_base};

/// What a program sees of the world it runs in.
#[derive(Debug, Clone, Default)]
pub struct World {
    /// `os.Args`: the program name first.
    pub args: Vec<String>,
    /// The environment, `KEY=value`.
    pub env: Vec<String>,
    /// What the program reads from standard input.
    pub stdin: Vec<u8>,
    /// Its working directory's files (`/home/gopher/NAME`); without one,
    /// it runs in an empty `/home/gopher`.
    pub workdir: Option<WorkDir>,
}

/// How many steps a thread runs before another runnable thread gets the CPU.
const QUANTUM: u64 = 50_000;
/// The step loop comes back to the system this often, to keep the clock and the scheduler.
pub(crate) const TICK: u64 = 4096;
/// The process and its first thread's id.
const PID: i32 = 1000;
/// Wall-clock time at the start of every run: 2009-11-10 23:00:00 UTC.
const EPOCH_NS: u64 = 1_257_894_000 * 1_000_000_000;
/// Monotonic time at the start of every run.
const BOOT_NS: u64 = 1_000_000_000;

/// Why a thread is not running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Runnable.
    None,
    /// In `futex(FUTEX_WAIT)` on this address.
    Futex(u64),
    /// In `nanosleep`.
    Sleep,
    /// In `epoll_pwait` on this epoll file.
    Epoll(i32),
    /// Exited.
    Exited,
}

/// One thread: its registers while it is not running, and what it waits for.
#[derive(Debug, Clone)]
pub(crate) struct Thread {
    pub(crate) tid: i32,
    pub(crate) cpu: Cpu,
    pub(crate) wait: Wait,
    /// When a wait with a timeout ends, in virtual nanoseconds, and the
    /// system call's result then.
    pub(crate) deadline: Option<(u64, i64)>,
    /// Blocked signals.
    pub(crate) sigmask: u64,
    /// Signals sent to this thread and not yet delivered.
    pub(crate) pending: u64,
    /// The alternate signal stack: base, size, flags.
    pub(crate) altstack: (u64, u64, u32),
    /// 386 thread-local storage descriptors (`set_thread_area`), entries 12 to 14.
    pub(crate) tls: [u32; 3],
    /// The segment selector loaded in GS (386).
    pub(crate) gs_selector: u16,
}

impl Thread {
    fn new(tid: i32, cpu: Cpu) -> Thread {
        Thread {
            tid,
            cpu,
            wait: Wait::None,
            deadline: None,
            sigmask: 0,
            pending: 0,
            altstack: (0, 0, signal::SS_DISABLE),
            tls: [0; 3],
            gs_selector: 0,
        }
    }
}

/// An address range the program has mapped, whether accessible or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Vma {
    base: u64,
    len: u64,
}

/// The process: threads, files, signal handlers, address space, clock.
#[derive(Debug, Clone)]
pub(crate) struct Linux {
    pub(crate) arch: Arch,
    pub(crate) threads: Vec<Thread>,
    /// Index in `threads` of the one running.
    pub(crate) current: usize,
    /// Steps the running thread has left in its quantum, counted at ticks.
    quantum_end: u64,
    /// Virtual nanoseconds added by waits that jumped the clock forward.
    slept: u64,
    /// Times the clock was read: each read moves it on by a nanosecond, so
    /// a loop that waits for time to pass ends.
    reads: u64,
    next_tid: i32,
    /// Every mapping, sorted by address.
    vmas: Vec<Vma>,
    /// Where mappings without a fixed address are placed, downwards.
    mmap_top: u64,
    brk: u64,
    pub(crate) signals: Signals,
    pub(crate) files: Files,
    /// The run's own files and directories.
    pub(crate) fs: fs::Fs,
    /// State of the generator behind `getrandom` and `AT_RANDOM`.
    random: u64,
    /// Resource limits the program set, by resource.
    rlimits: std::collections::BTreeMap<u64, (u64, u64)>,
    /// The size of the first mapping refused because it would pass the
    /// memory cap ([`crate::Config::memory_limit`]).
    pub(crate) memory_refused: Option<u64>,
}

impl Linux {
    /// The virtual clock in nanoseconds since boot, at step `steps`.
    pub(crate) fn now(&self, steps: u64) -> u64 {
        BOOT_NS + steps + self.slept + self.reads
    }

    /// The thread running.
    pub(crate) fn thread(&mut self) -> &mut Thread {
        &mut self.threads[self.current]
    }

    /// The next eight fixed "random" bytes.
    pub(crate) fn random_u64(&mut self) -> u64 {
        splitmix64(&mut self.random)
    }

    /// Records a mapping.
    fn add_vma(&mut self, base: u64, len: u64) {
        self.remove_vma(base, len);
        let at = self.vmas.partition_point(|v| v.base < base);
        self.vmas.insert(at, Vma { base, len });
    }

    /// Forgets the mappings in `base..base + len`, cutting those that reach into it.
    fn remove_vma(&mut self, base: u64, len: u64) {
        let end = base + len;
        let mut kept = Vec::with_capacity(self.vmas.len() + 1);
        for v in &self.vmas {
            let vend = v.base + v.len;
            if vend <= base || v.base >= end {
                kept.push(*v);
                continue;
            }
            if v.base < base {
                kept.push(Vma {
                    base: v.base,
                    len: base - v.base,
                });
            }
            if vend > end {
                kept.push(Vma {
                    base: end,
                    len: vend - end,
                });
            }
        }
        self.vmas = kept;
    }

    /// Whether every page of `base..base + len` is mapped.
    fn is_mapped(&self, base: u64, len: u64) -> bool {
        let mut at = base;
        let end = base.saturating_add(len);
        for v in &self.vmas {
            if v.base <= at && at < v.base + v.len {
                at = v.base + v.len;
            }
            if at >= end {
                return true;
            }
        }
        at >= end
    }

    /// Whether `base..base + len` is free of mappings.
    fn is_free(&self, base: u64, len: u64) -> bool {
        let end = base.saturating_add(len);
        end <= self.mmap_limit()
            && base >= 0x10000
            && !self
                .vmas
                .iter()
                .any(|v| v.base < end && v.base + v.len > base)
    }

    /// The top of the address space a program may map.
    fn mmap_limit(&self) -> u64 {
        match self.arch {
            Arch::Amd64 => 0x7fff_ffff_f000,
            Arch::I386 => 0xffff_e000,
        }
    }

    /// A free range of `len` bytes for a mapping without a usable hint: the
    /// highest below the mmap top, as Linux chooses.
    fn place(&self, len: u64) -> Option<u64> {
        let mut candidate = self.mmap_top.checked_sub(len)?;
        for v in self.vmas.iter().rev() {
            if v.base >= candidate + len {
                continue;
            }
            if v.base + v.len <= candidate {
                break;
            }
            candidate = v.base.checked_sub(len)?;
        }
        (candidate >= 0x10000).then_some(candidate)
    }
}

/// The seed of every run's "random" bytes (`gostack!`).
const RANDOM_SEED: u64 = 0x676f_7374_6163_6b21;

/// The next value of the splitmix64 generator in `state`.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A resource limit a run starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rlimit {
    /// The resource's number (`RLIMIT_STACK` is 3, `RLIMIT_NOFILE` 7).
    pub resource: u32,
    /// Its name, as `ulimit` and `/proc/<pid>/limits` call it.
    pub name: &'static str,
    /// The soft limit.
    pub soft: u64,
    /// The hard limit; `u64::MAX` is unlimited.
    pub hard: u64,
}

/// The resource limits a run starts with, a common Linux's: 8 MiB of stack,
/// 1024 open files that the program may raise to 524288. Go raises its
/// open-file limit at start-up when the soft and hard limits differ (and Go
/// 1.21 and before allocate when they do), so a real run compared with
/// the emulator's is given the same. Any other resource is unlimited.
pub const RLIMITS: [Rlimit; 2] = [
    Rlimit {
        resource: 3,
        name: "stack size",
        soft: 8 << 20,
        hard: u64::MAX,
    },
    Rlimit {
        resource: 7,
        name: "open files",
        soft: 1024,
        hard: 524_288,
    },
];

/// The 16 bytes every run finds where `AT_RANDOM` points: the runtime seeds
/// its randomness (and, from Go 1.26, its heap's address) from them, so a
/// real run given the same bytes draws the same numbers.
pub fn at_random() -> [u8; 16] {
    let mut state = RANDOM_SEED;
    let mut out = [0; 16];
    out[..8].copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    out[8..].copy_from_slice(&splitmix64(&mut state).to_le_bytes());
    out
}

/// Starts the process: maps the initial stack with argv, the environment
/// and the auxiliary vector, and points the first thread at `entry`.
/// Arguments and environment that Linux would refuse with `E2BIG` are refused.
pub(crate) fn start(
    m: &mut Machine<'_>,
    entry: u64,
    end: u64,
    world: &World,
) -> Result<(), crate::LoadError> {
    let arch = m.arch;
    let word = arch.word();
    let strings = exec_limits(world, word)?;
    // A megabyte for the runtime's start on the thread's own stack, above it the strings.
    let stack_size = 0x10_0000 + crate::elf::page_up(strings);
    let (stack_top, mmap_top) = match arch {
        Arch::Amd64 => (0x7fff_ffff_f000u64, 0x7fff_f7ff_f000u64),
        Arch::I386 => (0xffff_e000, 0xf7ff_f000),
    };
    let mut os = Linux {
        arch,
        threads: Vec::new(),
        current: 0,
        quantum_end: QUANTUM,
        slept: 0,
        reads: 0,
        next_tid: PID + 1,
        vmas: Vec::new(),
        mmap_top,
        brk: end,
        signals: Signals::default(),
        files: Files::new(world.stdin.clone()),
        fs: fs::Fs::new(world.workdir.as_ref(), EPOCH_NS),
        random: RANDOM_SEED,
        rlimits: Default::default(),
        memory_refused: None,
    };
    os.fs.path_dirs = world
        .env
        .iter()
        .filter_map(|e| e.strip_prefix("PATH="))
        .flat_map(|p| p.split(':'))
        .filter(|d| d.starts_with('/'))
        .map(|d| d.trim_end_matches('/').to_string())
        .collect();
    for r in m.mem.regions() {
        let (base, len) = (r.base, r.data.len() as u64);
        os.add_vma(base, len);
    }
    let stack_base = stack_top - stack_size;
    m.mem
        .map(stack_base, stack_size as usize, true, "initial stack");
    os.add_vma(stack_base, stack_size);

    // Strings and random bytes at the top, then the vectors below them.
    let mut top = stack_top - 16;
    let mut put_str = |m: &mut Machine<'_>, s: &str| {
        top -= s.len() as u64 + 1;
        m.mem
            .poke(top, s.as_bytes())
            .expect("initial stack is mapped");
        m.mem
            .poke(top + s.len() as u64, &[0])
            .expect("initial stack is mapped");
        top
    };
    let argv: Vec<u64> = world.args.iter().map(|a| put_str(m, a)).collect();
    let envp: Vec<u64> = world.env.iter().map(|e| put_str(m, e)).collect();
    let execfn = argv.first().copied().unwrap_or(0);
    top &= !15;
    top -= 16;
    let random_at = top;
    let random: Vec<u8> = (0..2).flat_map(|_| os.random_u64().to_le_bytes()).collect();
    m.mem
        .poke(random_at, &random)
        .expect("initial stack is mapped");

    const AT_NULL: u64 = 0;
    const AT_PAGESZ: u64 = 6;
    const AT_ENTRY: u64 = 9;
    const AT_UID: u64 = 11;
    const AT_EUID: u64 = 12;
    const AT_GID: u64 = 13;
    const AT_EGID: u64 = 14;
    const AT_HWCAP: u64 = 16;
    const AT_CLKTCK: u64 = 17;
    const AT_SECURE: u64 = 23;
    const AT_EXECFN: u64 = 31;
    let auxv = [
        (AT_PAGESZ, crate::elf::PAGE),
        (AT_ENTRY, entry),
        (AT_UID, 1000),
        (AT_EUID, 1000),
        (AT_GID, 1000),
        (AT_EGID, 1000),
        (AT_HWCAP, 0),
        (AT_CLKTCK, 100),
        (AT_SECURE, 0),
        (crate::abi::AT_RANDOM, random_at),
        (AT_EXECFN, execfn),
        (AT_NULL, 0),
    ];
    let mut words = vec![argv.len() as u64];
    words.extend(&argv);
    words.push(0);
    words.extend(&envp);
    words.push(0);
    for (k, v) in auxv {
        words.extend([k, v]);
    }
    let sp = (top - words.len() as u64 * word) & !15;
    for (i, w) in words.iter().enumerate() {
        let bytes = w.to_le_bytes();
        m.mem
            .poke(sp + i as u64 * word, &bytes[..word as usize])
            .expect("initial stack is mapped");
    }

    m.cpu = Cpu::default();
    m.cpu.gpr[RSP] = sp;
    m.cpu.rip = entry;
    os.threads.push(Thread::new(PID, m.cpu.clone()));
    m.os = Some(Box::new(os));
    Ok(())
}

/// The checks `execve` makes of the arguments and environment (Linux's
/// `fs/exec.c`): no string longer than `MAX_ARG_STRLEN` (32 pages), and all
/// of them with their pointers within a quarter of the stack limit (at least
/// `ARG_MAX`, 32 pages). Returns the strings' bytes.
fn exec_limits(world: &World, word: u64) -> Result<u64, crate::LoadError> {
    const MAX_ARG_STRLEN: u64 = 32 * crate::elf::PAGE;
    const ARG_MAX: u64 = 32 * crate::elf::PAGE;
    let strings = || world.args.iter().chain(&world.env);
    if let Some(long) = strings().find(|s| s.len() as u64 + 1 > MAX_ARG_STRLEN) {
        return Err(crate::LoadError::TooBig(format!(
            "one string of {} bytes (`{}...`), where Linux takes at most {MAX_ARG_STRLEN} with its NUL",
            long.len(),
            long.chars().take(16).collect::<String>()
        )));
    }
    let stack_limit = RLIMITS
        .iter()
        .find(|r| r.resource == 3)
        .expect("a stack limit")
        .soft;
    let limit = (stack_limit / 4).clamp(ARG_MAX, 6 << 20);
    let pointers = strings().count() as u64 * word;
    let bytes: u64 = strings().map(|s| s.len() as u64 + 1).sum();
    if pointers + bytes > limit {
        return Err(crate::LoadError::TooBig(format!(
            "{} strings of {bytes} bytes in all, where Linux takes {limit} bytes with their pointers (a quarter of the {} MiB stack limit)",
            strings().count(),
            stack_limit >> 20
        )));
    }
    Ok(bytes)
}

/// Runs `f` with the system and the machine borrowed apart.
pub(crate) fn with<R>(m: &mut Machine<'_>, f: impl FnOnce(&mut Linux, &mut Machine<'_>) -> R) -> R {
    let mut os = m.os.take().expect("the run has a system");
    let r = f(&mut os, m);
    m.os = Some(os);
    r
}

/// The step loop's periodic visit: moves the clock on, wakes sleepers whose
/// time has come, and gives the CPU to the next runnable thread when the
/// running one's quantum is over.
pub(crate) fn tick(m: &mut Machine<'_>) -> Exec {
    with(m, |os, m| {
        let steps = m.steps;
        let now = os.now(steps);
        for t in &mut os.threads {
            wake_if_due(t, now);
        }
        if steps >= os.quantum_end {
            os.quantum_end = steps + QUANTUM;
            let next = (1..=os.threads.len())
                .map(|i| (os.current + i) % os.threads.len())
                .find(|&i| os.threads[i].wait == Wait::None);
            if let Some(next) = next
                && next != os.current
            {
                switch_to(os, m, next);
            }
        }
        signal::deliver_pending(os, m)
    })
}

/// Ends a wait whose deadline has passed, setting the call's timeout result.
fn wake_if_due(t: &mut Thread, now: u64) {
    if let Some((deadline, result)) = t.deadline
        && now >= deadline
        && t.wait != Wait::None
        && t.wait != Wait::Exited
    {
        t.wait = Wait::None;
        t.deadline = None;
        t.cpu.gpr[crate::cpu::RAX] = result as u64;
    }
}

/// Saves the running thread's registers and loads thread `next`'s.
fn switch_to(os: &mut Linux, m: &mut Machine<'_>, next: usize) {
    os.threads[os.current].cpu = m.cpu.clone();
    load(os, m, next);
}

/// Makes thread `next` the running one, its registers as it left them.
fn load(os: &mut Linux, m: &mut Machine<'_>, next: usize) {
    os.current = next;
    m.cpu = os.threads[next].cpu.clone();
    if os.arch == Arch::I386 {
        m.cpu.gs_base = signal::gs_base(&os.threads[next]);
    }
}

/// The running thread waits, its registers saved as the call left them
/// (the result it gets when woken already set): another runnable thread
/// gets the CPU; when none is, the clock jumps to the earliest deadline and
/// that thread wakes. When no thread can ever wake, the program would hang,
/// and the run stops.
pub(crate) fn block(
    os: &mut Linux,
    m: &mut Machine<'_>,
    wait: Wait,
    deadline: Option<(u64, i64)>,
) -> Exec {
    let cur = os.current;
    let t = &mut os.threads[cur];
    t.cpu = m.cpu.clone();
    t.wait = wait;
    t.deadline = deadline;
    let n = os.threads.len();
    let next = match (1..=n)
        .map(|i| (cur + i) % n)
        .find(|&i| os.threads[i].wait == Wait::None)
    {
        Some(next) => next,
        None => {
            let Some((i, deadline)) = os
                .threads
                .iter()
                .enumerate()
                .filter(|(_, t)| t.wait != Wait::Exited && t.wait != Wait::None)
                .filter_map(|(i, t)| t.deadline.map(|(d, _)| (i, d)))
                .min_by_key(|&(i, d)| (d, i))
            else {
                return Err(Box::new(Stop::Hung { at: here(m) }));
            };
            os.slept += deadline.saturating_sub(os.now(m.steps));
            let now = os.now(m.steps);
            wake_if_due(&mut os.threads[i], now);
            i
        }
    };
    os.quantum_end = m.steps + QUANTUM;
    load(os, m, next);
    Ok(())
}

/// Gives the CPU to the next runnable thread, if another is (`sched_yield`).
pub(crate) fn yield_cpu(os: &mut Linux, m: &mut Machine<'_>) {
    let n = os.threads.len();
    if let Some(next) = (1..n)
        .map(|i| (os.current + i) % n)
        .find(|&i| os.threads[i].wait == Wait::None)
    {
        os.quantum_end = m.steps + QUANTUM;
        switch_to(os, m, next);
    }
}

/// A memory fault of the program: the signal it raises, delivered to the
/// program's handler. Returns the halt that tells the step loop to go on
/// at the handler, or what ends the run when the program has none.
pub(crate) fn fault(m: &mut Machine<'_>, fault: Fault) -> Halt {
    fault_signal(m, signal::SIGSEGV, signal::SEGV_MAPERR, fault.addr)
}

/// Where the running thread is, for messages.
pub(crate) fn here(m: &Machine<'_>) -> Location {
    m.location(m.pc)
}

/// Executes a system call instruction (`SYSCALL`, or `INT 0x80` on 386).
pub(crate) fn syscall(m: &mut Machine<'_>) -> Exec {
    with(m, |os, m| {
        calls::dispatch(os, m)?;
        signal::deliver_pending(os, m)
    })
}
