//! The process's file descriptors: standard input, output and error, and
//! the event files, pipes and epoll sets the Go runtime's poller uses, and
//! the files of the run's own tree. No file of the host is ever opened.

use std::collections::BTreeMap;

/// An open file description.
#[derive(Debug, Clone)]
pub(crate) enum File {
    /// Standard input: the bytes given to the run, read once.
    Stdin { data: Vec<u8>, pos: usize },
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
    /// An `eventfd` counter.
    Event { count: u64, nonblock: bool },
    /// A pipe's read end, its buffer shared with the write end by number.
    PipeRead { pipe: usize },
    /// A pipe's write end.
    PipeWrite { pipe: usize },
    /// A file, directory or device of the run's own tree, opened to read,
    /// write or both; `pos` is a file's offset, or a directory's next entry.
    Node {
        ino: usize,
        pos: u64,
        read: bool,
        write: bool,
        append: bool,
    },
    /// An epoll set: watched descriptor, events, user data.
    Epoll { watch: BTreeMap<i32, (u32, u64)> },
}

/// The descriptor table. Each descriptor names an open file description;
/// `dup` and `F_DUPFD` make another descriptor of the same one, so the two
/// share its offset, as on Linux.
#[derive(Debug, Clone)]
pub(crate) struct Files {
    /// Descriptor -> description.
    fds: BTreeMap<i32, usize>,
    /// The open file descriptions, by number; gone when no descriptor names them.
    descriptions: BTreeMap<usize, File>,
    next_description: usize,
    /// Pipe buffers, by number.
    pub(crate) pipes: Vec<Vec<u8>>,
}

/// epoll: the file can be read.
pub(crate) const EPOLLIN: u32 = 0x1;
/// epoll: the file can be written.
pub(crate) const EPOLLOUT: u32 = 0x4;

impl Files {
    /// Descriptors 0, 1 and 2, standard input reading `stdin`.
    pub(crate) fn new(stdin: Vec<u8>) -> Files {
        let mut files = Files {
            fds: BTreeMap::new(),
            descriptions: BTreeMap::new(),
            next_description: 0,
            pipes: Vec::new(),
        };
        files.add(File::Stdin {
            data: stdin,
            pos: 0,
        });
        files.add(File::Stdout);
        files.add(File::Stderr);
        files
    }

    /// Opens `file` as a new description at the lowest free descriptor.
    pub(crate) fn add(&mut self, file: File) -> i32 {
        let id = self.next_description;
        self.next_description += 1;
        self.descriptions.insert(id, file);
        let fd = self.lowest_free(0);
        self.fds.insert(fd, id);
        fd
    }

    /// The lowest descriptor not open, from `from` on.
    fn lowest_free(&self, from: i32) -> i32 {
        (from.max(0)..)
            .find(|fd| !self.fds.contains_key(fd))
            .unwrap_or(from)
    }

    /// Whether `fd` is open.
    pub(crate) fn contains(&self, fd: i32) -> bool {
        self.fds.contains_key(&fd)
    }

    /// The description `fd` names.
    pub(crate) fn get(&self, fd: i32) -> Option<&File> {
        self.descriptions.get(self.fds.get(&fd)?)
    }

    /// The description `fd` names, to change (its offset, say): every
    /// descriptor of it sees the change.
    pub(crate) fn get_mut(&mut self, fd: i32) -> Option<&mut File> {
        self.descriptions.get_mut(self.fds.get(&fd)?)
    }

    /// Closes `fd`; false when it was not open. The description goes with
    /// its last descriptor.
    pub(crate) fn close(&mut self, fd: i32) -> bool {
        let Some(id) = self.fds.remove(&fd) else {
            return false;
        };
        if !self.fds.values().any(|&other| other == id) {
            self.descriptions.remove(&id);
        }
        true
    }

    /// Makes `to` another descriptor of `fd`'s description (closing what
    /// `to` was); `dup2`.
    pub(crate) fn dup_to(&mut self, fd: i32, to: i32) -> bool {
        let Some(&id) = self.fds.get(&fd) else {
            return false;
        };
        if fd != to {
            self.close(to);
            self.fds.insert(to, id);
        }
        true
    }

    /// Another descriptor of `fd`'s description, the lowest free from
    /// `from` on; `dup`, `F_DUPFD`.
    pub(crate) fn dup_from(&mut self, fd: i32, from: i32) -> Option<i32> {
        let &id = self.fds.get(&fd)?;
        let to = self.lowest_free(from);
        self.fds.insert(to, id);
        Some(to)
    }

    /// The events that are ready on `fd` now.
    pub(crate) fn ready(&self, fd: i32) -> u32 {
        match self.get(fd) {
            Some(File::Event { count, .. }) => EPOLLOUT | if *count > 0 { EPOLLIN } else { 0 },
            Some(File::PipeRead { pipe }) => {
                if self.pipes[*pipe].is_empty() {
                    0
                } else {
                    EPOLLIN
                }
            }
            Some(File::PipeWrite { .. } | File::Stdout | File::Stderr) => EPOLLOUT,
            Some(File::Stdin { .. }) => EPOLLIN,
            _ => 0,
        }
    }

    /// The ready events of an epoll set, as (events, data), at most `max`.
    pub(crate) fn poll(&self, epfd: i32, max: usize) -> Vec<(u32, u64)> {
        let Some(File::Epoll { watch }) = self.get(epfd) else {
            return Vec::new();
        };
        watch
            .iter()
            .filter_map(|(&fd, &(events, data))| {
                let ready = self.ready(fd) & events;
                (ready != 0).then_some((ready, data))
            })
            .take(max)
            .collect()
    }
}
