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

/// The descriptor table.
#[derive(Debug, Clone)]
pub(crate) struct Files {
    pub(crate) open: BTreeMap<i32, File>,
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
        let mut open = BTreeMap::new();
        open.insert(
            0,
            File::Stdin {
                data: stdin,
                pos: 0,
            },
        );
        open.insert(1, File::Stdout);
        open.insert(2, File::Stderr);
        Files {
            open,
            pipes: Vec::new(),
        }
    }

    /// Opens `file` at the lowest free descriptor.
    pub(crate) fn add(&mut self, file: File) -> i32 {
        let fd = (0..).find(|fd| !self.open.contains_key(fd)).unwrap_or(0);
        self.open.insert(fd, file);
        fd
    }

    /// The events that are ready on `fd` now.
    pub(crate) fn ready(&self, fd: i32) -> u32 {
        match self.open.get(&fd) {
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
        let Some(File::Epoll { watch }) = self.open.get(&epfd) else {
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
