//! The system calls: a table from each GOARCH's numbers to the calls, and
//! one function per call. Arguments come in registers (amd64: RDI, RSI,
//! RDX, R10, R8, R9; 386: EBX, ECX, EDX, ESI, EDI, EBP), the result goes to
//! RAX, a negative errno on failure.

use super::files::File;
use super::fscalls::{self, FileCall};
use super::signal::{self, Action, SS_DISABLE, SS_ONSTACK, bit};
use super::{Linux, Thread, Wait, block};
use crate::cpu::{RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP};
use crate::exec::{Exec, Machine};
use crate::{Arch, Stop};

/// The system calls this Linux has, by what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Read,
    Write,
    Close,
    Mmap,
    Mmap2,
    Munmap,
    Mprotect,
    Madvise,
    Brk,
    RtSigaction,
    RtSigprocmask,
    RtSigreturn,
    Sigaltstack,
    SchedYield,
    Nanosleep,
    Getpid,
    Gettid,
    Clone,
    Exit,
    ExitGroup,
    Uname,
    Fcntl,
    ArchPrctl,
    SetThreadArea,
    Prctl,
    Prlimit,
    Getrlimit,
    Setrlimit,
    Tkill,
    Tgkill,
    Kill,
    Futex,
    FutexTime64,
    SchedGetaffinity,
    ClockGettime,
    ClockGettime64,
    /// A call on files and directories, or one that starts another program.
    File(FileCall),
    EpollCreate1,
    EpollCtl,
    EpollPwait,
    Eventfd2,
    Pipe2,
    Getrandom,
    Getuid,
}

/// amd64 system call numbers.
const AMD64: &[(u32, &str, Call)] = &[
    (2, "open", Call::File(FileCall::Open)),
    (257, "openat", Call::File(FileCall::Openat)),
    (17, "pread64", Call::File(FileCall::Pread)),
    (18, "pwrite64", Call::File(FileCall::Pwrite)),
    (8, "lseek", Call::File(FileCall::Lseek)),
    (5, "fstat", Call::File(FileCall::Fstat)),
    (4, "stat", Call::File(FileCall::Stat)),
    (6, "lstat", Call::File(FileCall::Lstat)),
    (262, "newfstatat", Call::File(FileCall::Fstatat)),
    (217, "getdents64", Call::File(FileCall::Getdents64)),
    (83, "mkdir", Call::File(FileCall::Mkdir)),
    (258, "mkdirat", Call::File(FileCall::Mkdirat)),
    (84, "rmdir", Call::File(FileCall::Rmdir)),
    (87, "unlink", Call::File(FileCall::Unlink)),
    (263, "unlinkat", Call::File(FileCall::Unlinkat)),
    (82, "rename", Call::File(FileCall::Rename)),
    (264, "renameat", Call::File(FileCall::Renameat)),
    (316, "renameat2", Call::File(FileCall::Renameat2)),
    (79, "getcwd", Call::File(FileCall::Getcwd)),
    (80, "chdir", Call::File(FileCall::Chdir)),
    (81, "fchdir", Call::File(FileCall::Fchdir)),
    (89, "readlink", Call::File(FileCall::Readlink)),
    (267, "readlinkat", Call::File(FileCall::Readlinkat)),
    (91, "fchmod", Call::File(FileCall::Fchmod)),
    (268, "fchmodat", Call::File(FileCall::Fchmodat)),
    (90, "chmod", Call::File(FileCall::Chmod)),
    (77, "ftruncate", Call::File(FileCall::Ftruncate)),
    (76, "truncate", Call::File(FileCall::Truncate)),
    (21, "access", Call::File(FileCall::Access)),
    (269, "faccessat", Call::File(FileCall::Faccessat)),
    (439, "faccessat2", Call::File(FileCall::Faccessat2)),
    (74, "fsync", Call::File(FileCall::Fsync)),
    (75, "fdatasync", Call::File(FileCall::Fsync)),
    (32, "dup", Call::File(FileCall::Dup)),
    (33, "dup2", Call::File(FileCall::Dup2)),
    (292, "dup3", Call::File(FileCall::Dup3)),
    (280, "utimensat", Call::File(FileCall::Utimensat)),
    (95, "umask", Call::File(FileCall::Umask)),
    (59, "execve", Call::File(FileCall::Spawn("execve"))),
    (322, "execveat", Call::File(FileCall::Spawn("execveat"))),
    (57, "fork", Call::File(FileCall::Spawn("fork"))),
    (58, "vfork", Call::File(FileCall::Spawn("vfork"))),
    (435, "clone3", Call::File(FileCall::Spawn("clone3"))),
    (434, "pidfd_open", Call::File(FileCall::Spawn("pidfd_open"))),
    (0, "read", Call::Read),
    (1, "write", Call::Write),
    (3, "close", Call::Close),
    (9, "mmap", Call::Mmap),
    (10, "mprotect", Call::Mprotect),
    (11, "munmap", Call::Munmap),
    (12, "brk", Call::Brk),
    (13, "rt_sigaction", Call::RtSigaction),
    (14, "rt_sigprocmask", Call::RtSigprocmask),
    (15, "rt_sigreturn", Call::RtSigreturn),
    (24, "sched_yield", Call::SchedYield),
    (28, "madvise", Call::Madvise),
    (
        crate::abi::AMD64_SYS_NANOSLEEP as u32,
        "nanosleep",
        Call::Nanosleep,
    ),
    (39, "getpid", Call::Getpid),
    (56, "clone", Call::Clone),
    (60, "exit", Call::Exit),
    (63, "uname", Call::Uname),
    (72, "fcntl", Call::Fcntl),
    (97, "getrlimit", Call::Getrlimit),
    (160, "setrlimit", Call::Setrlimit),
    (102, "getuid", Call::Getuid),
    (104, "getgid", Call::Getuid),
    (107, "geteuid", Call::Getuid),
    (108, "getegid", Call::Getuid),
    (131, "sigaltstack", Call::Sigaltstack),
    (157, "prctl", Call::Prctl),
    (158, "arch_prctl", Call::ArchPrctl),
    (186, "gettid", Call::Gettid),
    (200, "tkill", Call::Tkill),
    (62, "kill", Call::Kill),
    (202, "futex", Call::Futex),
    (204, "sched_getaffinity", Call::SchedGetaffinity),
    (228, "clock_gettime", Call::ClockGettime),
    (231, "exit_group", Call::ExitGroup),
    (233, "epoll_ctl", Call::EpollCtl),
    (234, "tgkill", Call::Tgkill),
    (281, "epoll_pwait", Call::EpollPwait),
    (290, "eventfd2", Call::Eventfd2),
    (291, "epoll_create1", Call::EpollCreate1),
    (293, "pipe2", Call::Pipe2),
    (302, "prlimit64", Call::Prlimit),
    (318, "getrandom", Call::Getrandom),
];

/// 386 system call numbers.
const I386: &[(u32, &str, Call)] = &[
    (5, "open", Call::File(FileCall::Open)),
    (295, "openat", Call::File(FileCall::Openat)),
    (180, "pread64", Call::File(FileCall::Pread)),
    (181, "pwrite64", Call::File(FileCall::Pwrite)),
    (19, "lseek", Call::File(FileCall::Lseek)),
    (140, "_llseek", Call::File(FileCall::Llseek)),
    (197, "fstat64", Call::File(FileCall::Fstat)),
    (195, "stat64", Call::File(FileCall::Stat)),
    (196, "lstat64", Call::File(FileCall::Lstat)),
    (300, "fstatat64", Call::File(FileCall::Fstatat)),
    (220, "getdents64", Call::File(FileCall::Getdents64)),
    (39, "mkdir", Call::File(FileCall::Mkdir)),
    (296, "mkdirat", Call::File(FileCall::Mkdirat)),
    (40, "rmdir", Call::File(FileCall::Rmdir)),
    (10, "unlink", Call::File(FileCall::Unlink)),
    (301, "unlinkat", Call::File(FileCall::Unlinkat)),
    (38, "rename", Call::File(FileCall::Rename)),
    (302, "renameat", Call::File(FileCall::Renameat)),
    (353, "renameat2", Call::File(FileCall::Renameat2)),
    (183, "getcwd", Call::File(FileCall::Getcwd)),
    (12, "chdir", Call::File(FileCall::Chdir)),
    (133, "fchdir", Call::File(FileCall::Fchdir)),
    (85, "readlink", Call::File(FileCall::Readlink)),
    (305, "readlinkat", Call::File(FileCall::Readlinkat)),
    (94, "fchmod", Call::File(FileCall::Fchmod)),
    (306, "fchmodat", Call::File(FileCall::Fchmodat)),
    (15, "chmod", Call::File(FileCall::Chmod)),
    (93, "ftruncate", Call::File(FileCall::Ftruncate)),
    (194, "ftruncate64", Call::File(FileCall::Ftruncate64)),
    (92, "truncate", Call::File(FileCall::Truncate)),
    (193, "truncate64", Call::File(FileCall::Truncate64)),
    (33, "access", Call::File(FileCall::Access)),
    (307, "faccessat", Call::File(FileCall::Faccessat)),
    (439, "faccessat2", Call::File(FileCall::Faccessat2)),
    (118, "fsync", Call::File(FileCall::Fsync)),
    (148, "fdatasync", Call::File(FileCall::Fsync)),
    (41, "dup", Call::File(FileCall::Dup)),
    (63, "dup2", Call::File(FileCall::Dup2)),
    (330, "dup3", Call::File(FileCall::Dup3)),
    (320, "utimensat", Call::File(FileCall::Utimensat)),
    (60, "umask", Call::File(FileCall::Umask)),
    (11, "execve", Call::File(FileCall::Spawn("execve"))),
    (358, "execveat", Call::File(FileCall::Spawn("execveat"))),
    (2, "fork", Call::File(FileCall::Spawn("fork"))),
    (190, "vfork", Call::File(FileCall::Spawn("vfork"))),
    (435, "clone3", Call::File(FileCall::Spawn("clone3"))),
    (434, "pidfd_open", Call::File(FileCall::Spawn("pidfd_open"))),
    (1, "exit", Call::Exit),
    (3, "read", Call::Read),
    (4, "write", Call::Write),
    (6, "close", Call::Close),
    (20, "getpid", Call::Getpid),
    (45, "brk", Call::Brk),
    (55, "fcntl", Call::Fcntl),
    (75, "setrlimit", Call::Setrlimit),
    (91, "munmap", Call::Munmap),
    (120, "clone", Call::Clone),
    (122, "uname", Call::Uname),
    (125, "mprotect", Call::Mprotect),
    (158, "sched_yield", Call::SchedYield),
    (
        crate::abi::I386_SYS_NANOSLEEP as u32,
        "nanosleep",
        Call::Nanosleep,
    ),
    (172, "prctl", Call::Prctl),
    (173, "rt_sigreturn", Call::RtSigreturn),
    (174, "rt_sigaction", Call::RtSigaction),
    (175, "rt_sigprocmask", Call::RtSigprocmask),
    (186, "sigaltstack", Call::Sigaltstack),
    (191, "ugetrlimit", Call::Getrlimit),
    (192, "mmap2", Call::Mmap2),
    (199, "getuid32", Call::Getuid),
    (200, "getgid32", Call::Getuid),
    (201, "geteuid32", Call::Getuid),
    (202, "getegid32", Call::Getuid),
    (219, "madvise", Call::Madvise),
    (221, "fcntl64", Call::Fcntl),
    (224, "gettid", Call::Gettid),
    (238, "tkill", Call::Tkill),
    (37, "kill", Call::Kill),
    (240, "futex", Call::Futex),
    (242, "sched_getaffinity", Call::SchedGetaffinity),
    (243, "set_thread_area", Call::SetThreadArea),
    (252, "exit_group", Call::ExitGroup),
    (255, "epoll_ctl", Call::EpollCtl),
    (265, "clock_gettime", Call::ClockGettime),
    (270, "tgkill", Call::Tgkill),
    (319, "epoll_pwait", Call::EpollPwait),
    (328, "eventfd2", Call::Eventfd2),
    (329, "epoll_create1", Call::EpollCreate1),
    (331, "pipe2", Call::Pipe2),
    (340, "prlimit64", Call::Prlimit),
    (355, "getrandom", Call::Getrandom),
    (403, "clock_gettime64", Call::ClockGettime64),
    (422, "futex_time64", Call::FutexTime64),
];

/// Names of other common system calls, for the message when one is met.
const OTHER_NAMES: &[(Arch, u32, &str)] = &[
    (Arch::Amd64, 7, "poll"),
    (Arch::Amd64, 86, "link"),
    (Arch::Amd64, 88, "symlink"),
    (Arch::Amd64, 265, "linkat"),
    (Arch::Amd64, 266, "symlinkat"),
    (Arch::Amd64, 332, "statx"),
    (Arch::Amd64, 16, "ioctl"),
    (Arch::Amd64, 20, "writev"),
    (Arch::Amd64, 41, "socket"),
    (Arch::Amd64, 61, "wait4"),
    (Arch::Amd64, 96, "gettimeofday"),
    (Arch::Amd64, 334, "rseq"),
    (Arch::I386, 54, "ioctl"),
    (Arch::I386, 303, "linkat"),
    (Arch::I386, 304, "symlinkat"),
    (Arch::I386, 383, "statx"),
    (Arch::I386, 386, "rseq"),
];

pub(super) const EPERM: i64 = 1;
pub(super) const EBADF: i64 = 9;
const EAGAIN: i64 = 11;
const ENOMEM: i64 = 12;
const EFAULT: i64 = 14;
pub(super) const EINVAL: i64 = 22;
const ETIMEDOUT: i64 = 110;

/// A system call's failure: `-errno` in RAX.
pub(super) type Errno = i64;

/// What a call leaves for the caller.
pub(super) enum Done {
    /// Return this value (or `-errno`) in RAX.
    Value(i64),
    /// The call set the registers itself (it blocked, switched threads or returned from a signal).
    Set,
}

/// Reads the system call number and arguments, runs the call and sets its result.
pub(super) fn dispatch(os: &mut Linux, m: &mut Machine<'_>) -> Exec {
    let arch = os.arch;
    let nr = m.cpu.gpr[RAX] as u32;
    let regs = match arch {
        Arch::Amd64 => [RDI, RSI, RDX, 10, 8, 9],
        Arch::I386 => [RBX, RCX, RDX, RSI, RDI, RBP],
    };
    let a = regs.map(|r| m.cpu.gpr[r]);
    let table = match arch {
        Arch::Amd64 => AMD64,
        Arch::I386 => I386,
    };
    let Some(&(_, _, call)) = table.iter().find(|(n, _, _)| *n == nr) else {
        let name = OTHER_NAMES
            .iter()
            .find(|(ar, n, _)| *ar == arch && *n == nr)
            .map_or("unknown", |(_, _, name)| *name);
        return Err(Box::new(Stop::Unsupported {
            what: format!("system call {nr} ({name}) on {arch}"),
            at: super::here(m),
        }));
    };
    if arch == Arch::Amd64 {
        // SYSCALL leaves the return address in RCX and the flags in R11.
        m.cpu.gpr[RCX] = m.cpu.rip;
        m.cpu.gpr[11] = m.cpu.flags | 0x202;
    }
    let done = match run(os, m, call, a) {
        Ok(done) => done,
        Err(STOPPED) => {
            let stop = m.stop.take().unwrap_or(Stop::Exited(0));
            return Err(Box::new(stop));
        }
        Err(errno) => Done::Value(-errno),
    };
    if let Done::Value(v) = done {
        m.cpu.gpr[RAX] = v as u64 & m.mask();
    }
    Ok(())
}

/// Runs one call. `Err` is an errno; a call that ends the run returns the stop through `Exit`.
fn run(os: &mut Linux, m: &mut Machine<'_>, call: Call, a: [u64; 6]) -> Result<Done, Errno> {
    let word = os.arch.word() as usize;
    let v = |x: i64| Ok(Done::Value(x));
    match call {
        Call::Read => read(os, m, a[0] as i32, a[1], a[2]),
        Call::Write => write(os, m, a[0] as i32, a[1], a[2]),
        Call::Close => {
            if os.files.close(a[0] as i32) {
                v(0)
            } else {
                Err(EBADF)
            }
        }
        Call::Mmap => mmap(os, m, a[0], a[1], a[2], a[3], a[4] as i32),
        Call::Mmap2 => mmap(os, m, a[0], a[1], a[2], a[3], a[4] as i32),
        Call::Munmap => {
            let len = crate::elf::page_up(a[1]);
            if !a[0].is_multiple_of(crate::elf::PAGE) || len == 0 {
                return Err(EINVAL);
            }
            os.remove_vma(a[0], len);
            m.mem.unmap_range(a[0], len);
            v(0)
        }
        Call::Mprotect => mprotect(os, m, a[0], crate::elf::page_up(a[1]), a[2]),
        Call::Madvise => madvise(os, m, a[0], a[1], a[2]),
        Call::Prctl => v(0),
        Call::Brk => {
            if a[0] > os.brk {
                let end = crate::elf::page_up(a[0]);
                let base = crate::elf::page_up(os.brk);
                if end > base {
                    m.mem.map(base, (end - base) as usize, true, "brk");
                    os.add_vma(base, end - base);
                }
                os.brk = a[0];
            }
            v(os.brk as i64)
        }
        Call::RtSigaction => sigaction(os, m, a[0] as u32, a[1], a[2]),
        Call::RtSigprocmask => {
            let t_mask = os.thread().sigmask;
            if a[2] != 0 {
                put(m, a[2], 8, t_mask)?;
            }
            if a[1] != 0 {
                let set = get(m, a[1], 8)? & !(bit(9) | bit(19));
                let t = os.thread();
                t.sigmask = match a[0] {
                    0 => t_mask | set,
                    1 => t_mask & !set,
                    2 => set,
                    _ => return Err(EINVAL),
                };
            }
            v(0)
        }
        Call::RtSigreturn => {
            signal::sigreturn(os, m).map_err(|h| stop_with(m, *h))?;
            Ok(Done::Set)
        }
        Call::Sigaltstack => sigaltstack(os, m, a[0], a[1], word),
        Call::SchedYield => {
            m.cpu.gpr[RAX] = 0;
            super::yield_cpu(os, m);
            Ok(Done::Set)
        }
        Call::Nanosleep => {
            let ns = timespec(m, a[0], word)?;
            m.cpu.gpr[RAX] = 0;
            let deadline = os.now(m.steps) + ns;
            block(os, m, Wait::Sleep, Some((deadline, 0))).map_err(|h| stop_with(m, *h))?;
            Ok(Done::Set)
        }
        Call::Getpid => v(i64::from(super::PID)),
        Call::Gettid => v(i64::from(os.thread().tid)),
        Call::Getuid => v(1000),
        Call::Clone => clone(os, m, a),
        Call::Exit => {
            let t = os.thread();
            t.wait = Wait::Exited;
            t.cpu = m.cpu.clone();
            if os.threads.iter().all(|t| t.wait == Wait::Exited) {
                return Err(exit(m, a[0] as i32));
            }
            block(os, m, Wait::Exited, None).map_err(|h| stop_with(m, *h))?;
            Ok(Done::Set)
        }
        Call::ExitGroup => Err(exit(m, a[0] as i32)),
        Call::Uname => {
            let fields = [
                "Linux",
                "gostack",
                "6.1.0",
                "#1 SMP",
                machine(os.arch),
                "(none)",
            ];
            for (i, f) in fields.iter().enumerate() {
                let mut buf = [0u8; 65];
                buf[..f.len()].copy_from_slice(f.as_bytes());
                put_bytes(m, a[0] + 65 * i as u64, &buf)?;
            }
            v(0)
        }
        Call::Fcntl => {
            let fd = a[0] as i32;
            if !os.files.contains(fd) {
                return Err(EBADF);
            }
            match a[1] {
                // F_DUPFD, F_DUPFD_CLOEXEC: the lowest free descriptor from a[2].
                0 | 1030 => {
                    if (a[2] as i64) < 0 || a[2] as i64 > i64::from(i32::MAX) {
                        return Err(EINVAL);
                    }
                    v(i64::from(os.files.dup_from(fd, a[2] as i32).ok_or(EBADF)?))
                }
                // F_GETFD, F_SETFD, F_SETFL.
                1 | 2 | 4 => v(0),
                // F_GETFL: read-write.
                3 => v(2),
                _ => Err(EINVAL),
            }
        }
        Call::ArchPrctl => match a[0] {
            // ARCH_SET_FS.
            0x1002 => {
                m.cpu.fs_base = a[1];
                v(0)
            }
            // ARCH_GET_FS.
            0x1003 => {
                put(m, a[1], 8, m.cpu.fs_base)?;
                v(0)
            }
            _ => Err(EINVAL),
        },
        Call::SetThreadArea => {
            // struct user_desc: entry_number, base_addr, limit, flags.
            let entry = get(m, a[0], 4)? as u32;
            let base = get(m, a[0] + 4, 4)? as u32;
            let t = os.thread();
            let slot = if entry == u32::MAX {
                t.tls.iter().position(|&b| b == 0).unwrap_or(0)
            } else {
                entry
                    .checked_sub(12)
                    .map(|e| e as usize)
                    .filter(|&e| e < 3)
                    .ok_or(EINVAL)?
            };
            t.tls[slot] = base;
            put(m, a[0], 4, 12 + slot as u64)?;
            m.cpu.gs_base = signal::gs_base(os.thread());
            v(0)
        }
        Call::Prlimit => {
            if a[3] != 0 {
                let (cur, max) = os.rlimit(a[1]);
                put(m, a[3], 8, cur)?;
                put(m, a[3] + 8, 8, max)?;
            }
            if a[2] != 0 {
                let limit = (get(m, a[2], 8)?, get(m, a[2] + 8, 8)?);
                os.set_rlimit(a[1], limit)?;
            }
            v(0)
        }
        Call::Getrlimit => {
            let (cur, max) = os.rlimit(a[0]);
            // 32-bit limits: anything larger reads as unlimited.
            let clamp = |x: u64| {
                if word == 4 {
                    x.min(u64::from(u32::MAX))
                } else {
                    x
                }
            };
            put(m, a[1], word, clamp(cur))?;
            put(m, a[1] + word as u64, word, clamp(max))?;
            v(0)
        }
        Call::Setrlimit => {
            let widen = |x: u64| {
                if word == 4 && x == u64::from(u32::MAX) {
                    u64::MAX
                } else {
                    x
                }
            };
            let limit = (
                widen(get(m, a[1], word)?),
                widen(get(m, a[1] + word as u64, word)?),
            );
            os.set_rlimit(a[0], limit)?;
            v(0)
        }
        Call::Tkill => kill(os, a[0] as i32, a[1] as u32),
        Call::Tgkill => kill(os, a[1] as i32, a[2] as u32),
        Call::Kill => {
            let (pid, sig) = (a[0] as i32, a[1] as u32);
            if pid != super::PID && pid != 0 {
                // There is no other process: another pid, or every one (-1), is none.
                return Err(3); // ESRCH
            }
            // A signal to the process goes to one thread that does not block
            // it (which one Linux does not promise): the caller's, when it
            // does not, so it is handled before kill returns, as on Linux.
            let current = os.current;
            let free =
                |t: &Thread| t.wait != Wait::Exited && (sig == 0 || t.sigmask & bit(sig) == 0);
            let tid = if free(&os.threads[current]) {
                os.threads[current].tid
            } else {
                os.threads
                    .iter()
                    .find(|t| free(t))
                    .or_else(|| os.threads.iter().find(|t| t.wait != Wait::Exited))
                    .map_or(super::PID, |t| t.tid)
            };
            kill(os, tid, sig)
        }
        Call::Futex => futex(os, m, a, word),
        Call::FutexTime64 => futex(os, m, a, 8),
        Call::SchedGetaffinity => {
            let len = a[1].min(8) as usize;
            if len == 0 {
                return Err(EINVAL);
            }
            let mut mask = vec![0u8; len];
            mask[0] = 1;
            put_bytes(m, a[2], &mask)?;
            v(len as i64)
        }
        Call::ClockGettime => clock_gettime(os, m, a[0], a[1], word),
        Call::ClockGettime64 => clock_gettime(os, m, a[0], a[1], 8),
        Call::File(call) => fscalls::run(os, m, call, a),
        Call::EpollCreate1 => v(i64::from(os.files.add(File::Epoll {
            watch: Default::default(),
        }))),
        Call::EpollCtl => {
            let (epfd, op, fd) = (a[0] as i32, a[1], a[2] as i32);
            let event = if a[3] != 0 {
                let events = get(m, a[3], 4)? as u32;
                // struct epoll_event is packed on amd64: data at offset 4.
                let data = get(m, a[3] + 4, 8)?;
                Some((events, data))
            } else {
                None
            };
            match os.files.get(fd) {
                None => return Err(EBADF),
                // Regular files and directories cannot be polled.
                Some(File::Node { .. }) => return Err(EPERM),
                Some(_) => {}
            }
            let Some(File::Epoll { watch }) = os.files.get_mut(epfd) else {
                return Err(EBADF);
            };
            match (op, event) {
                (1 | 3, Some(e)) => {
                    watch.insert(fd, e);
                }
                (2, _) => {
                    watch.remove(&fd);
                }
                _ => return Err(EINVAL),
            }
            v(0)
        }
        Call::EpollPwait => epoll_wait(os, m, a[0] as i32, a[1], a[2], a[3] as i32),
        Call::Eventfd2 => v(i64::from(os.files.add(File::Event {
            count: a[0],
            nonblock: a[1] & 0x800 != 0,
        }))),
        Call::Pipe2 => {
            let pipe = os.files.pipes.len();
            os.files.pipes.push(Vec::new());
            let r = os.files.add(File::PipeRead { pipe });
            let w = os.files.add(File::PipeWrite { pipe });
            put(m, a[0], 4, r as u64)?;
            put(m, a[0] + 4, 4, w as u64)?;
            v(0)
        }
        Call::Getrandom => {
            let len = a[1].min(1 << 20) as usize;
            let bytes: Vec<u8> = (0..len.div_ceil(8))
                .flat_map(|_| os.random_u64().to_le_bytes())
                .take(len)
                .collect();
            put_bytes(m, a[0], &bytes)?;
            v(len as i64)
        }
    }
}

/// The errno value that carries a stop out of [`run`]; [`dispatch`] never sees it.
const STOPPED: Errno = i64::MIN;

/// Ends the run with `code`, which Linux keeps only the low 8 bits of (as
/// the parent's `wait` sees it: `os.Exit(259)` exits 3, `os.Exit(-1)` 255).
fn exit(m: &mut Machine<'_>, code: i32) -> Errno {
    let code = code & 0xff;
    if let Some(t) = &mut m.trace {
        t.event(crate::trace::Event::Exit { code });
    }
    stop_with(m, Stop::Exited(code))
}

fn machine(arch: Arch) -> &'static str {
    match arch {
        Arch::Amd64 => "x86_64",
        Arch::I386 => "i686",
    }
}

impl Linux {
    /// A resource limit (soft, hard): as set, or the defaults: open files
    /// 1024 (hard 524288), the stack 8 MiB, the rest unlimited.
    fn rlimit(&self, resource: u64) -> (u64, u64) {
        if let Some(&limit) = self.rlimits.get(&resource) {
            return limit;
        }
        super::RLIMITS
            .iter()
            .find(|l| u64::from(l.resource) == resource)
            .map_or((u64::MAX, u64::MAX), |l| (l.soft, l.hard))
    }

    /// Sets a resource limit; the soft limit may not exceed the hard one,
    /// nor the hard one rise.
    fn set_rlimit(&mut self, resource: u64, (cur, max): (u64, u64)) -> Result<(), Errno> {
        if cur > max {
            return Err(EINVAL);
        }
        if max > self.rlimit(resource).1 {
            return Err(EPERM);
        }
        self.rlimits.insert(resource, (cur, max));
        Ok(())
    }
}

pub(super) fn put(m: &mut Machine<'_>, addr: u64, size: usize, value: u64) -> Result<(), Errno> {
    m.kernel_store(addr, size, value).map_err(|_| EFAULT)
}

pub(super) fn put_bytes(m: &mut Machine<'_>, addr: u64, bytes: &[u8]) -> Result<(), Errno> {
    m.kernel_store_bytes(addr, bytes).map_err(|_| EFAULT)
}

pub(super) fn get(m: &mut Machine<'_>, addr: u64, size: usize) -> Result<u64, Errno> {
    m.mem.read(addr, size).map_err(|_| EFAULT)
}

pub(super) fn get_bytes(m: &mut Machine<'_>, addr: u64, len: u64) -> Result<Vec<u8>, Errno> {
    if len == 0 {
        return Ok(Vec::new());
    }
    m.mem.read_bytes(addr, len as usize).map_err(|_| EFAULT)
}

/// A `struct timespec` (fields of `word` bytes) as nanoseconds.
fn timespec(m: &mut Machine<'_>, addr: u64, word: usize) -> Result<u64, Errno> {
    let sec = get(m, addr, word)?;
    let nsec = get(m, addr + word as u64, word)?;
    Ok(sec.saturating_mul(1_000_000_000).saturating_add(nsec))
}

fn read(os: &mut Linux, m: &mut Machine<'_>, fd: i32, buf: u64, len: u64) -> Result<Done, Errno> {
    let bytes = match os.files.get_mut(fd) {
        Some(File::Stdin { data, pos }) => {
            let n = (len as usize).min(data.len() - *pos);
            let out = data[*pos..*pos + n].to_vec();
            *pos += n;
            out
        }
        Some(File::Event { count, nonblock }) => {
            if len < 8 {
                return Err(EINVAL);
            }
            if *count == 0 {
                return if *nonblock {
                    Err(EAGAIN)
                } else {
                    Err(unsupported_wait(m, "a blocking read of an eventfd"))
                };
            }
            std::mem::take(count).to_le_bytes().to_vec()
        }
        Some(File::PipeRead { pipe }) => {
            let pipe = *pipe;
            let data = &mut os.files.pipes[pipe];
            if data.is_empty() {
                return Err(EAGAIN);
            }
            let n = (len as usize).min(data.len());
            data.drain(..n).collect()
        }
        Some(File::Node { .. }) => return fscalls::read(os, m, fd, buf, len),
        _ => return Err(EBADF),
    };
    put_bytes(m, buf, &bytes)?;
    Ok(Done::Value(bytes.len() as i64))
}

/// A wait this Linux does not implement: the run stops.
fn unsupported_wait(m: &mut Machine<'_>, what: &str) -> Errno {
    let at = super::here(m);
    stop_with(
        m,
        Stop::Unsupported {
            what: what.to_string(),
            at,
        },
    )
}

fn write(os: &mut Linux, m: &mut Machine<'_>, fd: i32, buf: u64, len: u64) -> Result<Done, Errno> {
    if let Some(File::Node { .. }) = os.files.get(fd) {
        return fscalls::write(os, m, fd, buf, len);
    }
    let bytes = get_bytes(m, buf, len)?;
    match os.files.get_mut(fd) {
        Some(File::Stdout) => m.stdout.extend_from_slice(&bytes),
        Some(File::Stderr) => m.stderr.extend_from_slice(&bytes),
        Some(File::Event { count, .. }) => {
            if bytes.len() < 8 {
                return Err(EINVAL);
            }
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[..8]);
            *count = count.saturating_add(u64::from_le_bytes(b));
            wake_pollers(os);
            return Ok(Done::Value(8));
        }
        Some(File::PipeWrite { pipe }) => {
            let pipe = *pipe;
            os.files.pipes[pipe].extend_from_slice(&bytes);
            wake_pollers(os);
        }
        _ => return Err(EBADF),
    }
    Ok(Done::Value(bytes.len() as i64))
}

/// Wakes the threads waiting in `epoll_pwait` on a set that now has events;
/// the events are collected when they run again.
fn wake_pollers(os: &mut Linux) {
    for i in 0..os.threads.len() {
        if let Wait::Epoll(epfd) = os.threads[i].wait
            && !os.files.poll(epfd, 1).is_empty()
        {
            let t = &mut os.threads[i];
            t.wait = Wait::None;
            t.deadline = None;
            // Run the call again: it now finds the events.
            t.cpu.rip -= syscall_len(os.arch);
            t.cpu.gpr[RAX] = epoll_call(os.arch);
        }
    }
}

fn syscall_len(_arch: Arch) -> u64 {
    2
}

fn epoll_call(arch: Arch) -> u64 {
    let table = if arch == Arch::Amd64 { AMD64 } else { I386 };
    table
        .iter()
        .find(|(_, _, c)| *c == Call::EpollPwait)
        .map_or(0, |(n, _, _)| u64::from(*n))
}

fn epoll_wait(
    os: &mut Linux,
    m: &mut Machine<'_>,
    epfd: i32,
    events: u64,
    max: u64,
    timeout_ms: i32,
) -> Result<Done, Errno> {
    if !matches!(os.files.get(epfd), Some(File::Epoll { .. })) {
        return Err(EBADF);
    }
    let ready = os.files.poll(epfd, max as usize);
    if !ready.is_empty() {
        for (i, (ev, data)) in ready.iter().enumerate() {
            let at = events + 12 * i as u64;
            put(m, at, 4, u64::from(*ev))?;
            put(m, at + 4, 8, *data)?;
        }
        return Ok(Done::Value(ready.len() as i64));
    }
    if timeout_ms == 0 {
        return Ok(Done::Value(0));
    }
    m.cpu.gpr[RAX] = 0;
    let deadline = (timeout_ms > 0).then(|| {
        (
            os.now(m.steps) + u64::from(timeout_ms as u32) * 1_000_000,
            0,
        )
    });
    block(os, m, Wait::Epoll(epfd), deadline).map_err(|h| stop_with(m, *h))?;
    Ok(Done::Set)
}

/// Carries a stop out of a call.
pub(super) fn stop_with(m: &mut Machine<'_>, stop: Stop) -> Errno {
    m.stop = Some(stop);
    STOPPED
}

#[allow(clippy::too_many_arguments)]
fn mmap(
    os: &mut Linux,
    m: &mut Machine<'_>,
    addr: u64,
    len: u64,
    prot: u64,
    flags: u64,
    fd: i32,
) -> Result<Done, Errno> {
    const MAP_FIXED: u64 = 0x10;
    const MAP_ANONYMOUS: u64 = 0x20;
    const MAP_FIXED_NOREPLACE: u64 = 0x10_0000;
    if flags & MAP_ANONYMOUS == 0 || fd != -1 {
        return Err(stop_with(
            m,
            Stop::Unsupported {
                what: format!("mmap of a file (fd {fd})"),
                at: super::here(m),
            },
        ));
    }
    let len = crate::elf::page_up(len);
    if len == 0 || !addr.is_multiple_of(crate::elf::PAGE) {
        return Err(EINVAL);
    }
    let base = if flags & MAP_FIXED != 0 || (addr != 0 && os.is_free(addr, len)) {
        addr
    } else if flags & MAP_FIXED_NOREPLACE != 0 {
        return Err(17); // EEXIST
    } else {
        os.place(len).ok_or(ENOMEM)?
    };
    os.add_vma(base, len);
    m.mem.unmap_range(base, len);
    // Inaccessible mappings reserve addresses only.
    if prot & 3 != 0
        && let Err(e) = map_within_limit(os, m, base, len, prot & 2 != 0)
    {
        os.remove_vma(base, len);
        return Err(e);
    }
    Ok(Done::Value(base as i64))
}

/// Maps `len` zero bytes at `base` for the program, unless that passes the
/// run's memory limit: then `ENOMEM`, as a full machine answers, and the
/// run notes the size refused.
fn map_within_limit(
    os: &mut Linux,
    m: &mut Machine<'_>,
    base: u64,
    len: u64,
    writable: bool,
) -> Result<(), Errno> {
    if m.mem.mapped() + len > m.memory_limit {
        os.memory_refused.get_or_insert(len);
        return Err(ENOMEM);
    }
    m.mem.map(base, len as usize, writable, "mmap");
    Ok(())
}

/// mprotect. No access at all (`PROT_NONE`) hides the pages: every access
/// faults, and their bytes come back when access is allowed again. Access
/// allowed to pages mapped without any (`mmap` with `PROT_NONE`, which only
/// reserves the addresses) gives them their zero bytes. On x86 any access
/// lets the program read. A range not wholly mapped is `ENOMEM`, as on Linux.
fn mprotect(
    os: &mut Linux,
    m: &mut Machine<'_>,
    base: u64,
    len: u64,
    prot: u64,
) -> Result<Done, Errno> {
    if !base.is_multiple_of(crate::elf::PAGE) {
        return Err(EINVAL);
    }
    if !os.is_mapped(base, len) {
        return Err(ENOMEM);
    }
    let prot = prot & 7;
    if prot == 0 {
        m.mem.hide(base, len);
        return Ok(Done::Value(0));
    }
    let writable = prot & 2 != 0;
    for (from, n) in m.mem.absent(base, len) {
        map_within_limit(os, m, from, n, writable)?;
    }
    m.mem.protect(base, len, writable);
    Ok(Done::Value(0))
}

/// madvise. `MADV_DONTNEED` empties the pages of a private anonymous
/// mapping: they read as zero afterwards, and Go 1.26's allocator relies on
/// it (a span of pages it scavenged is not cleared again). `MADV_FREE`,
/// `MADV_COLD` and `MADV_PAGEOUT` keep the bytes, as Linux does while memory
/// is plentiful; the advice about access patterns, forks, dumps, merging
/// and huge pages changes nothing in one process. Advice Linux does not
/// know is `EINVAL`; advice it knows and that is not imitated stops the run.
fn madvise(
    os: &mut Linux,
    m: &mut Machine<'_>,
    addr: u64,
    len: u64,
    advice: u64,
) -> Result<Done, Errno> {
    const ENOMEM: Errno = 12;
    let zero = match advice {
        0..=3 | 8 | 10..=23 | 25 => false,
        4 | 24 => true,
        9 | 100 | 101 => {
            return Err(stop_with(
                m,
                Stop::Unsupported {
                    what: format!("madvise advice {advice}"),
                    at: super::here(m),
                },
            ));
        }
        _ => return Err(EINVAL),
    };
    let len = crate::elf::page_up(len);
    if !addr.is_multiple_of(crate::elf::PAGE) {
        return Err(EINVAL);
    }
    if !os.is_mapped(addr, len) {
        return Err(ENOMEM);
    }
    if zero {
        m.mem.zero(addr, len);
    }
    Ok(Done::Value(0))
}

fn sigaction(
    os: &mut Linux,
    m: &mut Machine<'_>,
    sig: u32,
    new: u64,
    old: u64,
) -> Result<Done, Errno> {
    if sig == 0 || sig > 64 {
        return Err(EINVAL);
    }
    let word = os.arch.word() as usize;
    let w = word as u64;
    if old != 0 {
        let a = os.signals.actions[sig as usize];
        put(m, old, word, a.handler)?;
        put(m, old + w, word, a.flags)?;
        put(m, old + 2 * w, word, a.restorer)?;
        put(m, old + 3 * w, 8, a.mask)?;
    }
    if new != 0 {
        if sig == 9 || sig == 19 {
            return Err(EINVAL);
        }
        os.signals.actions[sig as usize] = Action {
            handler: get(m, new, word)?,
            flags: get(m, new + w, word)?,
            restorer: get(m, new + 2 * w, word)?,
            mask: get(m, new + 3 * w, 8)?,
        };
    }
    Ok(Done::Value(0))
}

fn sigaltstack(
    os: &mut Linux,
    m: &mut Machine<'_>,
    new: u64,
    old: u64,
    word: usize,
) -> Result<Done, Errno> {
    let w = word as u64;
    let sp = m.cpu.gpr[RSP];
    let (base, size, flags) = os.thread().altstack;
    let on = flags & SS_DISABLE == 0 && sp > base && sp <= base + size;
    if old != 0 {
        put(m, old, word, base)?;
        put(
            m,
            old + w,
            4,
            u64::from(if on { SS_ONSTACK } else { flags }),
        )?;
        put(m, old + 2 * w, word, size)?;
    }
    if new != 0 {
        if on {
            return Err(EPERM);
        }
        let base = get(m, new, word)?;
        let flags = get(m, new + w, 4)? as u32;
        let size = get(m, new + 2 * w, word)?;
        os.thread().altstack = if flags & SS_DISABLE != 0 {
            (0, 0, SS_DISABLE)
        } else {
            (base, size, 0)
        };
    }
    Ok(Done::Value(0))
}

fn kill(os: &mut Linux, tid: i32, sig: u32) -> Result<Done, Errno> {
    let Some(t) = os
        .threads
        .iter_mut()
        .find(|t| t.tid == tid && t.wait != Wait::Exited)
    else {
        return Err(3); // ESRCH
    };
    if sig > 64 {
        return Err(EINVAL);
    }
    if sig != 0 {
        t.pending |= bit(sig);
    }
    Ok(Done::Value(0))
}

fn clone(os: &mut Linux, m: &mut Machine<'_>, a: [u64; 6]) -> Result<Done, Errno> {
    const CLONE_VM: u64 = 0x100;
    const CLONE_THREAD: u64 = 0x10000;
    const CLONE_SETTLS: u64 = 0x80000;
    let flags = a[0];
    if flags & CLONE_THREAD == 0 {
        return Err(fscalls::another_process(
            m,
            &format!("clone with flags {flags:#x}"),
        ));
    }
    if flags & CLONE_VM == 0 {
        return Err(stop_with(
            m,
            Stop::Unsupported {
                what: format!(
                    "clone with flags {flags:#x} (a thread without the process's memory)"
                ),
                at: super::here(m),
            },
        ));
    }
    let tid = os.next_tid;
    os.next_tid += 1;
    let mut cpu = m.cpu.clone();
    cpu.gpr[RAX] = 0;
    if a[1] != 0 {
        cpu.gpr[RSP] = a[1];
    }
    let parent = os.thread().clone();
    let mut child = Thread::new(tid, cpu);
    child.sigmask = parent.sigmask;
    child.tls = parent.tls;
    child.gs_selector = parent.gs_selector;
    if flags & CLONE_SETTLS != 0 {
        match os.arch {
            Arch::Amd64 => child.cpu.fs_base = a[4],
            Arch::I386 => {
                let entry = get(m, a[3], 4)? as u32;
                let base = get(m, a[3] + 4, 4)? as u32;
                let slot = entry.checked_sub(12).filter(|&e| e < 3).ok_or(EINVAL)?;
                child.tls[slot as usize] = base;
            }
        }
    }
    child.cpu.gs_base = if os.arch == Arch::I386 {
        signal::gs_base(&child)
    } else {
        child.cpu.gs_base
    };
    os.threads.push(child);
    Ok(Done::Value(i64::from(tid)))
}

fn futex(
    os: &mut Linux,
    m: &mut Machine<'_>,
    a: [u64; 6],
    time_word: usize,
) -> Result<Done, Errno> {
    const FUTEX_WAIT: u64 = 0;
    const FUTEX_WAKE: u64 = 1;
    let (addr, op, val) = (a[0], a[1] & 0x7f, a[2] as u32);
    match op {
        FUTEX_WAIT => {
            if get(m, addr, 4)? as u32 != val {
                return Err(EAGAIN);
            }
            let deadline = if a[3] != 0 {
                let ns = timespec(m, a[3], time_word)?;
                Some((os.now(m.steps) + ns, -ETIMEDOUT))
            } else {
                None
            };
            m.cpu.gpr[RAX] = 0;
            block(os, m, Wait::Futex(addr), deadline).map_err(|h| stop_with(m, *h))?;
            Ok(Done::Set)
        }
        FUTEX_WAKE => {
            let mut woken = 0;
            for t in &mut os.threads {
                if woken >= u64::from(val) {
                    break;
                }
                if t.wait == Wait::Futex(addr) {
                    t.wait = Wait::None;
                    t.deadline = None;
                    woken += 1;
                }
            }
            Ok(Done::Value(woken as i64))
        }
        _ => Err(stop_with(
            m,
            Stop::Unsupported {
                what: format!("futex operation {op}"),
                at: super::here(m),
            },
        )),
    }
}

/// The time of day now, nanoseconds since 1970 (`CLOCK_REALTIME`).
pub(super) fn realtime(os: &Linux, m: &Machine<'_>) -> u64 {
    super::EPOCH_NS + os.now(m.steps) - super::BOOT_NS
}

fn clock_gettime(
    os: &mut Linux,
    m: &mut Machine<'_>,
    clock: u64,
    ts: u64,
    word: usize,
) -> Result<Done, Errno> {
    os.reads += 1;
    let now = os.now(m.steps);
    let t = match clock {
        // CLOCK_REALTIME, CLOCK_REALTIME_COARSE.
        0 | 5 => realtime(os, m),
        _ => now,
    };
    put(m, ts, word, t / 1_000_000_000)?;
    put(m, ts + word as u64, word, t % 1_000_000_000)?;
    Ok(Done::Value(0))
}
