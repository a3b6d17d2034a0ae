//! The run's own file system, in memory: what a program sees when it opens,
//! lists, creates or removes files. Nothing here reaches the host.
//!
//! ```text
//! /                       root's, read-only to the program
//! /dev/null               reads nothing, takes every write
//! /tmp                    empty, writable by all (mode 1777)
//! /home/gopher            the program's home, empty
//! /home/gopher/NAME       the working directory: the program's folder
//! ```
//!
//! The working directory holds the files of the program's folder as the
//! caller's [`Folder`] gives them, read when the program first looks; the
//! program may change them, and every change is lost at exit. Paths outside
//! this tree do not exist (`ENOENT`), as on a machine without them.

use std::collections::BTreeMap;
use std::sync::Arc;

/// The folder a program runs in, as the caller reads it: the run asks for a
/// directory's entries and a file's bytes by their path inside the folder
/// (`""` is the folder itself, `"sub/x.txt"` a file below it).
pub trait Folder: std::fmt::Debug + Send + Sync {
    /// The entries of directory `rel`, each with whether it is a directory;
    /// `None` when `rel` is not a directory of the folder.
    fn list(&self, rel: &str) -> Option<Vec<(String, bool)>>;
    /// The bytes of file `rel`.
    fn read(&self, rel: &str) -> Option<Vec<u8>>;
}

/// The program's folder and the name its working directory has.
#[derive(Debug, Clone)]
pub struct WorkDir {
    /// The last part of the working directory's path: `/home/gopher/NAME`.
    pub name: String,
    /// Its files.
    pub folder: Arc<dyn Folder>,
    /// Directories of the host that a program may name (Go's own tree,
    /// which `runtime.GOROOT` gives it) and that a run does not have:
    /// looking there stops the run rather than find nothing.
    pub host_dirs: Vec<String>,
}

pub(crate) type Errno = i64;
pub(crate) const ENOENT: Errno = 2;
pub(crate) const EACCES: Errno = 13;
pub(crate) const EEXIST: Errno = 17;
pub(crate) const ENOTDIR: Errno = 20;
pub(crate) const EISDIR: Errno = 21;
pub(crate) const EINVAL: Errno = 22;
pub(crate) const ENOSPC: Errno = 28;
pub(crate) const ENAMETOOLONG: Errno = 36;
pub(crate) const ENOTEMPTY: Errno = 39;

/// The user the program runs as (`getuid`).
pub(crate) const UID: u32 = 1000;
/// The most bytes all files together may hold.
const CAPACITY: u64 = 1 << 30;

/// What an inode is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    File,
    Dir,
    /// `/dev/null`.
    Null,
}

/// A file, directory or device.
#[derive(Debug, Clone)]
pub(crate) struct Inode {
    pub(crate) kind: Kind,
    /// Permission bits (`0o644`).
    pub(crate) mode: u32,
    pub(crate) uid: u32,
    pub(crate) data: Vec<u8>,
    /// A directory's entries, by name.
    pub(crate) entries: BTreeMap<String, usize>,
    /// A directory's parent (the root's is itself).
    pub(crate) parent: usize,
    /// Names that refer to it (0 once removed; an open file stays readable).
    pub(crate) links: u32,
    /// Last modification, nanoseconds since 1970.
    pub(crate) mtime: u64,
    /// A node of the folder not read yet: its path in the folder.
    lazy: Option<String>,
}

/// The tree.
#[derive(Debug, Clone)]
pub(crate) struct Fs {
    inodes: Vec<Inode>,
    /// The working directory.
    pub(crate) cwd: usize,
    pub(crate) umask: u32,
    folder: Option<Arc<dyn Folder>>,
    /// Bytes all files hold.
    used: u64,
    /// The directories of the program's `PATH`: a program looked up there
    /// is one it means to start.
    pub(crate) path_dirs: Vec<String>,
    /// Directories of the host a run does not have ([`WorkDir::host_dirs`]).
    pub(crate) host_dirs: Vec<String>,
}

/// The root's inode.
pub(crate) const ROOT: usize = 0;

impl Fs {
    /// The tree a run starts with; files' times are `time`.
    pub(crate) fn new(work: Option<&WorkDir>, time: u64) -> Fs {
        let mut fs = Fs {
            inodes: Vec::new(),
            cwd: ROOT,
            umask: 0o022,
            folder: work.map(|w| Arc::clone(&w.folder)),
            used: 0,
            path_dirs: Vec::new(),
            host_dirs: work.map(|w| w.host_dirs.clone()).unwrap_or_default(),
        };
        let node = |kind, mode, uid| Inode {
            kind,
            mode,
            uid,
            data: Vec::new(),
            entries: BTreeMap::new(),
            parent: ROOT,
            links: 1,
            mtime: time,
            lazy: None,
        };
        fs.inodes.push(node(Kind::Dir, 0o755, 0));
        let dev = fs.attach(ROOT, "dev", node(Kind::Dir, 0o755, 0));
        fs.attach(dev, "null", node(Kind::Null, 0o666, 0));
        fs.attach(ROOT, "tmp", node(Kind::Dir, 0o1777, 0));
        let home = fs.attach(ROOT, "home", node(Kind::Dir, 0o755, 0));
        let gopher = fs.attach(home, "gopher", node(Kind::Dir, 0o755, UID));
        fs.cwd = gopher;
        if let Some(w) = work {
            let mut dir = node(Kind::Dir, 0o755, UID);
            dir.lazy = Some(String::new());
            fs.cwd = fs.attach(gopher, &w.name, dir);
        }
        fs
    }

    /// Adds `inode` to directory `dir` as `name`.
    fn attach(&mut self, dir: usize, name: &str, mut inode: Inode) -> usize {
        inode.parent = dir;
        let ino = self.inodes.len();
        self.inodes.push(inode);
        self.inodes[dir].entries.insert(name.to_string(), ino);
        ino
    }

    /// The inode `ino`, read from the folder first if it has not been.
    pub(crate) fn get(&mut self, ino: usize) -> &Inode {
        self.load(ino);
        &self.inodes[ino]
    }

    /// The inode `ino` to change, read from the folder first.
    pub(crate) fn get_mut(&mut self, ino: usize) -> &mut Inode {
        self.load(ino);
        &mut self.inodes[ino]
    }

    /// Reads a node of the folder: a directory's entries (each itself
    /// read later), a file's bytes.
    fn load(&mut self, ino: usize) {
        let Some(rel) = self.inodes[ino].lazy.take() else {
            return;
        };
        let Some(folder) = self.folder.clone() else {
            return;
        };
        let time = self.inodes[ino].mtime;
        match self.inodes[ino].kind {
            Kind::Dir => {
                for (name, is_dir) in folder.list(&rel).unwrap_or_default() {
                    let child = Inode {
                        kind: if is_dir { Kind::Dir } else { Kind::File },
                        mode: if is_dir { 0o755 } else { 0o644 },
                        uid: UID,
                        data: Vec::new(),
                        entries: BTreeMap::new(),
                        parent: ino,
                        links: 1,
                        mtime: time,
                        lazy: Some(if rel.is_empty() {
                            name.clone()
                        } else {
                            format!("{rel}/{name}")
                        }),
                    };
                    self.attach(ino, &name, child);
                }
            }
            _ => {
                let data = folder.read(&rel).unwrap_or_default();
                self.used += data.len() as u64;
                self.inodes[ino].data = data;
            }
        }
    }

    /// The inode `path` names, from directory `start` when it is relative.
    pub(crate) fn lookup(&mut self, start: usize, path: &str) -> Result<usize, Errno> {
        let (dir, name) = self.parent(start, path)?;
        match name {
            None => Ok(dir),
            Some(name) => self.child(dir, &name).ok_or(ENOENT),
        }
    }

    /// The directory that holds what `path` names, and its last part
    /// (`None` when the path ends at `.`, `..` or `/`).
    pub(crate) fn parent(
        &mut self,
        start: usize,
        path: &str,
    ) -> Result<(usize, Option<String>), Errno> {
        if path.is_empty() {
            return Err(ENOENT);
        }
        if path.len() >= 4096 {
            return Err(ENAMETOOLONG);
        }
        let mut at = if path.starts_with('/') { ROOT } else { start };
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        for (i, part) in parts.iter().enumerate() {
            if part.len() > 255 {
                return Err(ENAMETOOLONG);
            }
            if self.get(at).kind != Kind::Dir {
                return Err(ENOTDIR);
            }
            let last = i + 1 == parts.len();
            match *part {
                "." => {}
                ".." => at = self.inodes[at].parent,
                name if last && !path.ends_with('/') => return Ok((at, Some(name.to_string()))),
                name => at = self.child(at, name).ok_or(ENOENT)?,
            }
        }
        if self.get(at).kind != Kind::Dir {
            return Err(ENOTDIR);
        }
        Ok((at, None))
    }

    /// The entry `name` of directory `dir`.
    pub(crate) fn child(&mut self, dir: usize, name: &str) -> Option<usize> {
        self.get(dir).entries.get(name).copied()
    }

    /// The absolute path of directory `dir`.
    pub(crate) fn path_of(&self, dir: usize) -> String {
        let mut parts = Vec::new();
        let mut at = dir;
        while at != ROOT {
            let parent = self.inodes[at].parent;
            let name = self.inodes[parent]
                .entries
                .iter()
                .find(|&(_, &i)| i == at)
                .map_or("?", |(n, _)| n.as_str());
            parts.push(name.to_string());
            at = parent;
        }
        parts.reverse();
        format!("/{}", parts.join("/"))
    }

    /// Whether the program may write into (`want` 2), read (4) or search
    /// (1) inode `ino`.
    pub(crate) fn may(&mut self, ino: usize, want: u32) -> bool {
        let node = self.get(ino);
        let bits = if node.uid == UID {
            node.mode >> 6
        } else {
            node.mode
        };
        bits & want == want
    }

    /// Creates a file or directory `name` in `dir`, checking that the
    /// program may write there.
    pub(crate) fn create(
        &mut self,
        dir: usize,
        name: &str,
        kind: Kind,
        mode: u32,
        time: u64,
    ) -> Result<usize, Errno> {
        if self.child(dir, name).is_some() {
            return Err(EEXIST);
        }
        if !self.may(dir, 2) {
            return Err(EACCES);
        }
        self.inodes[dir].mtime = time;
        Ok(self.attach(
            dir,
            name,
            Inode {
                kind,
                mode: mode & 0o7777 & !self.umask,
                uid: UID,
                data: Vec::new(),
                entries: BTreeMap::new(),
                parent: dir,
                links: 1,
                mtime: time,
                lazy: None,
            },
        ))
    }

    /// Removes `name` from `dir`: a directory only when `dir_wanted`
    /// (rmdir, and then only an empty one), a file only when not.
    pub(crate) fn remove(&mut self, dir: usize, name: &str, dir_wanted: bool) -> Result<(), Errno> {
        let ino = self.child(dir, name).ok_or(ENOENT)?;
        let kind = self.get(ino).kind;
        match (kind == Kind::Dir, dir_wanted) {
            (true, false) => return Err(EISDIR),
            (false, true) => return Err(ENOTDIR),
            (true, true) if !self.get(ino).entries.is_empty() => return Err(ENOTEMPTY),
            _ => {}
        }
        if !self.may(dir, 2) || !self.sticky_allows(dir, ino) {
            return Err(EACCES);
        }
        self.inodes[dir].entries.remove(name);
        // An open file keeps its bytes until it is closed; they are not counted free.
        self.inodes[ino].links = 0;
        Ok(())
    }

    /// In a sticky directory (`/tmp`), only a file's owner removes it.
    fn sticky_allows(&self, dir: usize, ino: usize) -> bool {
        self.inodes[dir].mode & 0o1000 == 0 || self.inodes[ino].uid == UID
    }

    /// Moves `from_dir/from` to `to_dir/to`, replacing what is there as
    /// rename(2) does.
    pub(crate) fn rename(
        &mut self,
        (from_dir, from): (usize, &str),
        (to_dir, to): (usize, &str),
        no_replace: bool,
    ) -> Result<(), Errno> {
        let ino = self.child(from_dir, from).ok_or(ENOENT)?;
        if !self.may(from_dir, 2) || !self.may(to_dir, 2) || !self.sticky_allows(from_dir, ino) {
            return Err(EACCES);
        }
        let is_dir = self.get(ino).kind == Kind::Dir;
        // A directory cannot move below itself.
        if is_dir && self.is_below(to_dir, ino) {
            return Err(EINVAL);
        }
        if let Some(old) = self.child(to_dir, to) {
            if old == ino {
                return Ok(());
            }
            if no_replace {
                return Err(EEXIST);
            }
            let old_is_dir = self.get(old).kind == Kind::Dir;
            match (is_dir, old_is_dir) {
                (false, true) => return Err(EISDIR),
                (true, false) => return Err(ENOTDIR),
                _ => {}
            }
            self.remove(to_dir, to, old_is_dir)?;
        }
        self.inodes[from_dir].entries.remove(from);
        self.inodes[to_dir].entries.insert(to.to_string(), ino);
        self.inodes[ino].parent = to_dir;
        Ok(())
    }

    /// Whether directory `dir` is `ancestor` or below it.
    fn is_below(&self, dir: usize, ancestor: usize) -> bool {
        let mut at = dir;
        loop {
            if at == ancestor {
                return true;
            }
            if at == ROOT {
                return false;
            }
            at = self.inodes[at].parent;
        }
    }

    /// Writes `bytes` at `pos` of file `ino`, growing it with zeros.
    pub(crate) fn write(
        &mut self,
        ino: usize,
        pos: u64,
        bytes: &[u8],
        time: u64,
    ) -> Result<(), Errno> {
        let end = pos + bytes.len() as u64;
        let old = self.get(ino).data.len() as u64;
        if end > old && self.used + (end - old) > CAPACITY {
            return Err(ENOSPC);
        }
        let node = &mut self.inodes[ino];
        if end > old {
            node.data.resize(end as usize, 0);
            self.used += end - old;
        }
        node.data[pos as usize..end as usize].copy_from_slice(bytes);
        node.mtime = time;
        Ok(())
    }

    /// Sets file `ino`'s length.
    pub(crate) fn truncate(&mut self, ino: usize, len: u64, time: u64) -> Result<(), Errno> {
        let old = self.get(ino).data.len() as u64;
        if len > old && self.used + (len - old) > CAPACITY {
            return Err(ENOSPC);
        }
        self.used = self.used + len - old;
        let node = &mut self.inodes[ino];
        node.data.resize(len as usize, 0);
        node.mtime = time;
        Ok(())
    }
}
