//! The system calls on files and directories, over the run's own tree
//! ([`super::fs`]), and the calls that would start another program, which
//! stop the run: gostack runs one process.

use super::calls::{Done, EBADF, EINVAL, Errno, get, get_bytes, put, put_bytes, stop_with};
use super::files::File;
use super::fs::{EACCES, EISDIR, ENOENT, ENOTDIR, Kind, UID};
use super::{Linux, here};
use crate::exec::Machine;
use crate::{Arch, Stop};

/// The calls, by what they do; the numbers are in the tables of `calls.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FileCall {
    Open,
    Openat,
    Pread,
    Pwrite,
    Lseek,
    Llseek,
    Fstat,
    Stat,
    Lstat,
    Fstatat,
    Getdents64,
    Mkdir,
    Mkdirat,
    Rmdir,
    Unlink,
    Unlinkat,
    Rename,
    Renameat,
    Renameat2,
    Getcwd,
    Chdir,
    Fchdir,
    Readlink,
    Readlinkat,
    Fchmod,
    Fchmodat,
    Chmod,
    Ftruncate,
    Ftruncate64,
    Truncate,
    Truncate64,
    Access,
    Faccessat,
    Faccessat2,
    Fsync,
    Dup,
    Dup2,
    Dup3,
    Utimensat,
    Umask,
    /// execve, execveat, fork, vfork, clone3, and pidfd_open (with which Go
    /// starts one): another program or process.
    Spawn(&'static str),
}

/// `AT_FDCWD`: a path relative to the working directory.
const AT_FDCWD: i32 = -100;
const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
const AT_REMOVEDIR: u64 = 0x200;
const AT_EMPTY_PATH: u64 = 0x1000;
const O_ACCMODE: u64 = 3;
const O_CREAT: u64 = 0o100;
const O_EXCL: u64 = 0o200;
const O_TRUNC: u64 = 0o1000;
const O_APPEND: u64 = 0o2000;
const O_DIRECTORY: u64 = 0o200000;
const O_TMPFILE: u64 = 0o20000000;
const ESPIPE: Errno = 29;
const ERANGE: Errno = 34;

/// Runs one call.
pub(super) fn run(
    os: &mut Linux,
    m: &mut Machine<'_>,
    call: FileCall,
    a: [u64; 6],
) -> Result<Done, Errno> {
    let fd = a[0] as i32;
    let now = super::calls::realtime(os, m);
    let v = |x: i64| Ok(Done::Value(x));
    match call {
        FileCall::Open => open(os, m, AT_FDCWD, a[0], a[1], a[2]),
        FileCall::Openat => open(os, m, a[0] as i32, a[1], a[2], a[3]),
        FileCall::Pread | FileCall::Pwrite => {
            // 386 passes the 64-bit offset in two registers.
            let pos = match os.arch {
                Arch::Amd64 => a[3],
                Arch::I386 => a[3] | a[4] << 32,
            };
            let ino = file_of(os, fd)?.0;
            if call == FileCall::Pread {
                read_at(os, m, ino, a[1], a[2], pos).map(|n| Done::Value(n as i64))
            } else {
                let bytes = get_bytes(m, a[1], a[2])?;
                write_at(os, ino, pos, &bytes, now)
            }
        }
        FileCall::Lseek => v(lseek(os, fd, a[1] as i64, a[2])?),
        FileCall::Llseek => {
            let pos = lseek(os, fd, (a[1] << 32 | (a[2] & 0xffff_ffff)) as i64, a[4])?;
            put(m, a[3], 8, pos as u64)?;
            v(0)
        }
        FileCall::Fstat => {
            let ino = node_of(os, fd)?;
            stat(os, m, ino, a[1])
        }
        FileCall::Stat | FileCall::Lstat => {
            let ino = resolve(os, m, AT_FDCWD, a[0])?;
            stat(os, m, ino, a[1])
        }
        FileCall::Fstatat => {
            let ino = if a[3] & AT_EMPTY_PATH != 0 && get_bytes(m, a[1], 1)? == [0] {
                node_of(os, fd)?
            } else {
                if a[3] & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
                    return Err(EINVAL);
                }
                resolve(os, m, fd, a[1])?
            };
            stat(os, m, ino, a[2])
        }
        FileCall::Getdents64 => getdents(os, m, fd, a[1], a[2]),
        FileCall::Mkdir => mkdir(os, m, AT_FDCWD, a[0], a[1], now),
        FileCall::Mkdirat => mkdir(os, m, fd, a[1], a[2], now),
        FileCall::Rmdir => remove(os, m, AT_FDCWD, a[0], true),
        FileCall::Unlink => remove(os, m, AT_FDCWD, a[0], false),
        FileCall::Unlinkat => match a[2] {
            0 => remove(os, m, fd, a[1], false),
            AT_REMOVEDIR => remove(os, m, fd, a[1], true),
            _ => Err(EINVAL),
        },
        FileCall::Rename => rename(os, m, (AT_FDCWD, a[0]), (AT_FDCWD, a[1]), 0),
        FileCall::Renameat => rename(os, m, (fd, a[1]), (a[2] as i32, a[3]), 0),
        FileCall::Renameat2 => rename(os, m, (fd, a[1]), (a[2] as i32, a[3]), a[4]),
        FileCall::Getcwd => {
            let mut path = os.fs.path_of(os.fs.cwd).into_bytes();
            path.push(0);
            if (path.len() as u64) > a[1] {
                return Err(ERANGE);
            }
            put_bytes(m, a[0], &path)?;
            v(path.len() as i64)
        }
        FileCall::Chdir => {
            let ino = resolve(os, m, AT_FDCWD, a[0])?;
            chdir(os, ino)
        }
        FileCall::Fchdir => {
            let ino = node_of(os, fd)?;
            chdir(os, ino)
        }
        // No symbolic links here: an existing name is not one.
        FileCall::Readlink => resolve(os, m, AT_FDCWD, a[0]).and(Err(EINVAL)),
        FileCall::Readlinkat => resolve(os, m, fd, a[1]).and(Err(EINVAL)),
        FileCall::Fchmod => {
            let ino = node_of(os, fd)?;
            chmod(os, ino, a[1])
        }
        FileCall::Chmod => {
            let ino = resolve(os, m, AT_FDCWD, a[0])?;
            chmod(os, ino, a[1])
        }
        FileCall::Fchmodat => {
            let ino = resolve(os, m, fd, a[1])?;
            chmod(os, ino, a[2])
        }
        FileCall::Ftruncate | FileCall::Ftruncate64 => {
            let len = if call == FileCall::Ftruncate64 {
                a[1] | a[2] << 32
            } else {
                a[1]
            };
            let (ino, file) = file_of(os, fd)?;
            if !file.1 {
                return Err(EINVAL);
            }
            if (len as i64) < 0 {
                return Err(EINVAL);
            }
            os.fs.truncate(ino, len, now)?;
            v(0)
        }
        FileCall::Truncate | FileCall::Truncate64 => {
            let len = if call == FileCall::Truncate64 {
                a[1] | a[2] << 32
            } else {
                a[1]
            };
            let ino = resolve(os, m, AT_FDCWD, a[0])?;
            match os.fs.get(ino).kind {
                Kind::Dir => return Err(EISDIR),
                Kind::Null => return v(0),
                Kind::File => {}
            }
            if !os.fs.may(ino, 2) {
                return Err(EACCES);
            }
            if (len as i64) < 0 {
                return Err(EINVAL);
            }
            os.fs.truncate(ino, len, now)?;
            v(0)
        }
        FileCall::Access => access(os, m, AT_FDCWD, a[0], a[1]),
        FileCall::Faccessat | FileCall::Faccessat2 => access(os, m, fd, a[1], a[2]),
        FileCall::Fsync => node_of(os, fd).and(v(0)),
        FileCall::Dup => v(i64::from(os.files.dup_from(fd, 0).ok_or(EBADF)?)),
        FileCall::Dup2 | FileCall::Dup3 => {
            let to = a[1] as i32;
            if !os.files.contains(fd) || to < 0 {
                return Err(EBADF);
            }
            if call == FileCall::Dup3 && to == fd {
                return Err(EINVAL);
            }
            os.files.dup_to(fd, to);
            v(i64::from(to))
        }
        FileCall::Utimensat => {
            let ino = if a[1] == 0 {
                node_of(os, fd)?
            } else {
                resolve(os, m, fd, a[1])?
            };
            os.fs.get_mut(ino).mtime = now;
            v(0)
        }
        FileCall::Umask => {
            let old = os.fs.umask;
            os.fs.umask = a[0] as u32 & 0o777;
            v(i64::from(old))
        }
        FileCall::Spawn(name) => {
            let what = match name {
                "execve" => format!("execve {}", c_string(m, a[0]).unwrap_or_default()),
                "execveat" => format!("execveat {}", c_string(m, a[1]).unwrap_or_default()),
                _ => name.to_string(),
            };
            Err(another_process(m, &what))
        }
    }
}

/// Stops the run: the program starts another program or process.
pub(super) fn another_process(m: &mut Machine<'_>, what: &str) -> Errno {
    stop_with(
        m,
        Stop::AnotherProcess {
            what: what.to_string(),
            at: here(m),
        },
    )
}

/// A NUL-terminated path at `addr`.
fn c_string(m: &mut Machine<'_>, addr: u64) -> Result<String, Errno> {
    let mut bytes = Vec::new();
    loop {
        let b = get(m, addr + bytes.len() as u64, 1)? as u8;
        if b == 0 {
            break;
        }
        bytes.push(b);
        if bytes.len() >= 4096 {
            return Err(super::fs::ENAMETOOLONG);
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A path that names nothing: `ENOENT`, unless it is in a directory of the
/// program's `PATH` that the tree does not have. A program looks there for
/// another program to start, and the run stops saying so.
fn not_found(os: &mut Linux, m: &mut Machine<'_>, path: &str) -> Errno {
    let Some((dir, name)) = path.rsplit_once('/') else {
        return ENOENT;
    };
    let dir = if dir.is_empty() { "/" } else { dir };
    if os.fs.path_dirs.iter().any(|d| d == dir) && os.fs.lookup(super::fs::ROOT, dir).is_err() {
        return another_process(
            m,
            &format!("looks up {name} in {dir}, a directory of its PATH"),
        );
    }
    let host = os.fs.host_dirs.iter().find(|h| {
        let h = h.trim_end_matches('/');
        path == h || path.starts_with(&format!("{h}/"))
    });
    if let Some(host) = host {
        let what =
            format!("reading {path}, a file of the host ({host}) outside the program's folder,");
        return stop_with(m, Stop::Unsupported { what, at: here(m) });
    }
    ENOENT
}

/// The directory a `*at` call's path starts from: the root for an
/// absolute path; else `dirfd`'s, the working directory for `AT_FDCWD`.
fn start_dir(os: &mut Linux, dirfd: i32, path: &str) -> Result<usize, Errno> {
    if path.starts_with('/') {
        return Ok(super::fs::ROOT);
    }
    if dirfd == AT_FDCWD {
        return Ok(os.fs.cwd);
    }
    let ino = node_of(os, dirfd)?;
    if os.fs.get(ino).kind != Kind::Dir {
        return Err(ENOTDIR);
    }
    Ok(ino)
}

/// The inode the path at `path` names, from `dirfd`.
fn resolve(os: &mut Linux, m: &mut Machine<'_>, dirfd: i32, path: u64) -> Result<usize, Errno> {
    let path = c_string(m, path)?;
    let start = start_dir(os, dirfd, &path)?;
    match os.fs.lookup(start, &path) {
        Err(ENOENT) => Err(not_found(os, m, &path)),
        found => found,
    }
}

/// The directory and last part of the path at `path`, from `dirfd`.
fn parent(
    os: &mut Linux,
    m: &mut Machine<'_>,
    dirfd: i32,
    path: u64,
) -> Result<(usize, String), Errno> {
    let path = c_string(m, path)?;
    let start = start_dir(os, dirfd, &path)?;
    match os.fs.parent(start, &path)? {
        (dir, Some(name)) => Ok((dir, name)),
        // `.`, `..` or `/`: it exists.
        (_, None) => Err(super::fs::EEXIST),
    }
}

/// The inode an open descriptor refers to.
fn node_of(os: &Linux, fd: i32) -> Result<usize, Errno> {
    match os.files.get(fd) {
        Some(File::Node { ino, .. }) => Ok(*ino),
        Some(_) => Err(EINVAL),
        None => Err(EBADF),
    }
}

/// The inode of an open descriptor and whether it was opened to (read, write).
fn file_of(os: &Linux, fd: i32) -> Result<(usize, (bool, bool)), Errno> {
    match os.files.get(fd) {
        Some(File::Node {
            ino, read, write, ..
        }) => Ok((*ino, (*read, *write))),
        Some(_) => Err(ESPIPE),
        None => Err(EBADF),
    }
}

fn open(
    os: &mut Linux,
    m: &mut Machine<'_>,
    dirfd: i32,
    path: u64,
    flags: u64,
    mode: u64,
) -> Result<Done, Errno> {
    if flags & O_TMPFILE == O_TMPFILE {
        return Err(stop_with(
            m,
            Stop::Unsupported {
                what: "open with O_TMPFILE".into(),
                at: here(m),
            },
        ));
    }
    let now = super::calls::realtime(os, m);
    let (read, write) = match flags & O_ACCMODE {
        0 => (true, false),
        1 => (false, true),
        2 => (true, true),
        _ => return Err(EINVAL),
    };
    let name = c_string(m, path)?;
    let start = start_dir(os, dirfd, &name)?;
    let parent = match os.fs.parent(start, &name) {
        Err(ENOENT) => return Err(not_found(os, m, &name)),
        parent => parent?,
    };
    let ino = match parent {
        (dir, None) => {
            if flags & O_CREAT != 0 && flags & O_EXCL != 0 {
                return Err(super::fs::EEXIST);
            }
            dir
        }
        (dir, Some(last)) => match os.fs.child(dir, &last) {
            Some(_) if flags & O_CREAT != 0 && flags & O_EXCL != 0 => {
                return Err(super::fs::EEXIST);
            }
            Some(ino) => ino,
            None if flags & O_CREAT != 0 => {
                os.fs.create(dir, &last, Kind::File, mode as u32, now)?
            }
            None => return Err(not_found(os, m, &name)),
        },
    };
    let kind = os.fs.get(ino).kind;
    if kind == Kind::Dir && write {
        return Err(EISDIR);
    }
    if kind != Kind::Dir && flags & O_DIRECTORY != 0 {
        return Err(ENOTDIR);
    }
    if (read && !os.fs.may(ino, 4)) || (write && !os.fs.may(ino, 2)) {
        return Err(EACCES);
    }
    if kind == Kind::File && write && flags & O_TRUNC != 0 {
        os.fs.truncate(ino, 0, now)?;
    }
    Ok(Done::Value(i64::from(os.files.add(File::Node {
        ino,
        pos: 0,
        read,
        write,
        append: flags & O_APPEND != 0,
    }))))
}

/// Reads up to `len` bytes of file `ino` at `pos` into `buf`.
pub(super) fn read_at(
    os: &mut Linux,
    m: &mut Machine<'_>,
    ino: usize,
    buf: u64,
    len: u64,
    pos: u64,
) -> Result<u64, Errno> {
    let node = os.fs.get(ino);
    let bytes = match node.kind {
        Kind::Dir => return Err(EISDIR),
        Kind::Null => &[][..],
        Kind::File => {
            let from = (pos as usize).min(node.data.len());
            let to = from.saturating_add(len as usize).min(node.data.len());
            &node.data[from..to]
        }
    };
    let bytes = bytes.to_vec();
    put_bytes(m, buf, &bytes)?;
    Ok(bytes.len() as u64)
}

/// Writes `bytes` to file `ino` at `pos`.
fn write_at(os: &mut Linux, ino: usize, pos: u64, bytes: &[u8], now: u64) -> Result<Done, Errno> {
    match os.fs.get(ino).kind {
        Kind::Dir => Err(EISDIR),
        Kind::Null => Ok(Done::Value(bytes.len() as i64)),
        Kind::File => {
            os.fs.write(ino, pos, bytes, now)?;
            Ok(Done::Value(bytes.len() as i64))
        }
    }
}

/// `read` on an open file: from its position, which moves on.
pub(super) fn read(
    os: &mut Linux,
    m: &mut Machine<'_>,
    fd: i32,
    buf: u64,
    len: u64,
) -> Result<Done, Errno> {
    let Some(&File::Node { ino, pos, read, .. }) = os.files.get(fd) else {
        return Err(EBADF);
    };
    if !read {
        return Err(EBADF);
    }
    let n = read_at(os, m, ino, buf, len, pos)?;
    if let Some(File::Node { pos, .. }) = os.files.get_mut(fd) {
        *pos += n;
    }
    Ok(Done::Value(n as i64))
}

/// `write` on an open file: at its position (its end when appending).
pub(super) fn write(
    os: &mut Linux,
    m: &mut Machine<'_>,
    fd: i32,
    buf: u64,
    len: u64,
) -> Result<Done, Errno> {
    let Some(&File::Node {
        ino,
        pos,
        write,
        append,
        ..
    }) = os.files.get(fd)
    else {
        return Err(EBADF);
    };
    if !write {
        return Err(EBADF);
    }
    let bytes = get_bytes(m, buf, len)?;
    let now = super::calls::realtime(os, m);
    let at = if append {
        os.fs.get(ino).data.len() as u64
    } else {
        pos
    };
    let done = write_at(os, ino, at, &bytes, now)?;
    if let Some(File::Node { pos, .. }) = os.files.get_mut(fd) {
        *pos = at + bytes.len() as u64;
    }
    Ok(done)
}

fn lseek(os: &mut Linux, fd: i32, offset: i64, whence: u64) -> Result<i64, Errno> {
    let (ino, _) = file_of(os, fd)?;
    let size = os.fs.get(ino).data.len() as i64;
    let Some(File::Node { pos, .. }) = os.files.get_mut(fd) else {
        return Err(EBADF);
    };
    let base = match whence {
        0 => 0,
        1 => *pos as i64,
        2 => size,
        _ => return Err(EINVAL),
    };
    let new = base.checked_add(offset).filter(|p| *p >= 0).ok_or(EINVAL)?;
    *pos = new as u64;
    Ok(new)
}

/// Writes inode `ino`'s `struct stat` (amd64) or `struct stat64` (386) at `buf`.
fn stat(os: &mut Linux, m: &mut Machine<'_>, ino: usize, buf: u64) -> Result<Done, Errno> {
    let arch = os.arch;
    let node = os.fs.get(ino);
    let (kind_bits, rdev) = match node.kind {
        Kind::File => (0o100000, 0),
        Kind::Dir => (0o040000, 0),
        Kind::Null => (0o020000, 0x103),
    };
    let mode = u64::from(kind_bits | node.mode);
    let size = match node.kind {
        Kind::Dir => 4096,
        _ => node.data.len() as u64,
    };
    let links = match node.kind {
        Kind::Dir => 2 + node.entries.values().count() as u64,
        _ => u64::from(node.links),
    };
    let blocks = size.div_ceil(4096) * 8;
    let uid = u64::from(node.uid);
    let (sec, nsec) = (node.mtime / 1_000_000_000, node.mtime % 1_000_000_000);
    let dev = 0x801;
    let ino = ino as u64 + 2;
    let fields: Vec<(u64, usize, u64)> = match arch {
        Arch::Amd64 => {
            let mut f = vec![
                (0, 8, dev),
                (8, 8, ino),
                (16, 8, links),
                (24, 4, mode),
                (28, 4, uid),
                (32, 4, uid),
                (40, 8, rdev),
                (48, 8, size),
                (56, 8, 4096),
                (64, 8, blocks),
            ];
            for at in [72, 88, 104] {
                f.extend([(at, 8, sec), (at + 8, 8, nsec)]);
            }
            f
        }
        Arch::I386 => {
            let mut f = vec![
                (0, 8, dev),
                (12, 4, ino),
                (16, 4, mode),
                (20, 4, links),
                (24, 4, uid),
                (28, 4, uid),
                (32, 8, rdev),
                (44, 8, size),
                (52, 4, 4096),
                (56, 8, blocks),
                (88, 8, ino),
            ];
            for at in [64, 72, 80] {
                f.extend([(at, 4, sec), (at + 4, 4, nsec)]);
            }
            f
        }
    };
    let len = if arch == Arch::Amd64 { 144 } else { 96 };
    put_bytes(m, buf, &vec![0; len])?;
    for (at, size, value) in fields {
        put(m, buf + at, size, value)?;
    }
    Ok(Done::Value(0))
}

/// getdents64: as many `linux_dirent64` records as fit, `.` and `..` first.
fn getdents(
    os: &mut Linux,
    m: &mut Machine<'_>,
    fd: i32,
    buf: u64,
    len: u64,
) -> Result<Done, Errno> {
    let Some(&File::Node { ino, pos, .. }) = os.files.get(fd) else {
        return Err(EBADF);
    };
    let dir = os.fs.get(ino);
    if dir.kind != Kind::Dir {
        return Err(ENOTDIR);
    }
    let parent = dir.parent;
    let mut all = vec![(".".to_string(), ino), ("..".to_string(), parent)];
    all.extend(dir.entries.iter().map(|(n, &i)| (n.clone(), i)));
    let mut out = Vec::new();
    let mut next = pos as usize;
    for (name, child) in all.iter().skip(pos as usize) {
        let reclen = (19 + name.len() + 1).next_multiple_of(8);
        if out.len() + reclen > len as usize {
            if out.is_empty() {
                return Err(EINVAL);
            }
            break;
        }
        let d_type: u8 = match os.fs.get(*child).kind {
            Kind::Dir => 4,
            Kind::File => 8,
            Kind::Null => 2,
        };
        next += 1;
        let mut rec = Vec::with_capacity(reclen);
        rec.extend((*child as u64 + 2).to_le_bytes());
        rec.extend((next as u64).to_le_bytes());
        rec.extend((reclen as u16).to_le_bytes());
        rec.push(d_type);
        rec.extend(name.as_bytes());
        rec.resize(reclen, 0);
        out.extend(rec);
    }
    put_bytes(m, buf, &out)?;
    if let Some(File::Node { pos, .. }) = os.files.get_mut(fd) {
        *pos = next as u64;
    }
    Ok(Done::Value(out.len() as i64))
}

fn mkdir(
    os: &mut Linux,
    m: &mut Machine<'_>,
    dirfd: i32,
    path: u64,
    mode: u64,
    now: u64,
) -> Result<Done, Errno> {
    let (dir, name) = parent(os, m, dirfd, path)?;
    os.fs.create(dir, &name, Kind::Dir, mode as u32, now)?;
    Ok(Done::Value(0))
}

fn remove(
    os: &mut Linux,
    m: &mut Machine<'_>,
    dirfd: i32,
    path: u64,
    dir_wanted: bool,
) -> Result<Done, Errno> {
    let (dir, name) = parent(os, m, dirfd, path).map_err(|e| {
        // rmdir of `.` is EINVAL, of `/` or `..` EBUSY or ENOTEMPTY: all refused.
        if e == super::fs::EEXIST { EINVAL } else { e }
    })?;
    os.fs.remove(dir, &name, dir_wanted)?;
    Ok(Done::Value(0))
}

fn rename(
    os: &mut Linux,
    m: &mut Machine<'_>,
    (from_fd, from): (i32, u64),
    (to_fd, to): (i32, u64),
    flags: u64,
) -> Result<Done, Errno> {
    const RENAME_NOREPLACE: u64 = 1;
    if flags & !RENAME_NOREPLACE != 0 {
        return Err(EINVAL);
    }
    let (from_dir, from) = parent(os, m, from_fd, from)?;
    let (to_dir, to) = parent(os, m, to_fd, to)?;
    os.fs.rename(
        (from_dir, &from),
        (to_dir, &to),
        flags & RENAME_NOREPLACE != 0,
    )?;
    Ok(Done::Value(0))
}

fn chdir(os: &mut Linux, ino: usize) -> Result<Done, Errno> {
    if os.fs.get(ino).kind != Kind::Dir {
        return Err(ENOTDIR);
    }
    if !os.fs.may(ino, 1) {
        return Err(EACCES);
    }
    os.fs.cwd = ino;
    Ok(Done::Value(0))
}

fn chmod(os: &mut Linux, ino: usize, mode: u64) -> Result<Done, Errno> {
    let node = os.fs.get_mut(ino);
    if node.uid != UID {
        return Err(super::calls::EPERM);
    }
    node.mode = mode as u32 & 0o7777;
    Ok(Done::Value(0))
}

fn access(
    os: &mut Linux,
    m: &mut Machine<'_>,
    dirfd: i32,
    path: u64,
    mode: u64,
) -> Result<Done, Errno> {
    let ino = resolve(os, m, dirfd, path)?;
    // R_OK 4, W_OK 2, X_OK 1, as the permission bits.
    let want = mode as u32 & 7;
    if want != 0 && !os.fs.may(ino, want) {
        return Err(EACCES);
    }
    Ok(Done::Value(0))
}
