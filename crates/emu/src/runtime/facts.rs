//! The real runtime's frames, per Go version and GOARCH: where the goroutine's
//! first frames sit, how big the runtime frames are that lie between package
//! code and a deferred call the runtime makes, and where those calls return.
//!
//! The figures are measured from the real runtime of each Go version (see
//! `measured.rs`, written by `cargo xtask runtime-frames`), never estimated:
//! a run that needs a figure its Go version and GOARCH lack stops and says so.

use super::measured::MEASURED;
use crate::Arch;

/// What one Go version's runtime does on one GOARCH.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Facts {
    /// The Go version measured, e.g. `1.26.8`.
    pub(crate) go: &'static str,
    /// Its minor version: the facts serve every listing of `1.<minor>`.
    pub(crate) minor: u32,
    /// The GOARCH measured.
    pub(crate) arch: Arch,
    /// `hi - lo` of the goroutine's stack when the package's code starts, in
    /// a program that imports nothing (only the runtime's init functions ran).
    pub(crate) stack: u64,
    /// Packages that, imported by package main, leave the goroutine's stack
    /// bigger when the package's code starts (their init functions grew it),
    /// with the size then. A package not listed leaves `stack`.
    pub(crate) stack_after_import: &'static [(&'static str, u64)],
    /// `hi -` the slot holding `runtime.goexit`'s return address (the first word
    /// of the goroutine's first frame).
    pub(crate) goexit_slot: u64,
    /// `runtime.main` calling `main.main`.
    pub(crate) main: Entry,
    /// `runtime.doInit1` calling one of the package's init functions.
    pub(crate) init: Entry,
    /// The runtime frames from a package function's `CALL runtime.deferreturn`
    /// to the deferred closure that deferreturn calls.
    pub(crate) deferreturn: &'static [Frame],
    /// From `CALL runtime.gopanic` (a `panic(v)` in package code) to a deferred
    /// closure the panic calls.
    pub(crate) panic: &'static [Frame],
    /// From an integer division by zero in package code to a deferred closure.
    pub(crate) divide: &'static [Frame],
    /// From a nil dereference (a fault in package code) to a deferred closure.
    pub(crate) nil: &'static [Frame],
    /// From an index out of range (`s[i]`) to a deferred closure.
    pub(crate) index: &'static [Frame],
    /// From a slice expression out of range (`s[:n]`) to a deferred closure.
    pub(crate) slice: &'static [Frame],
    /// From a call of a runtime function that panics (`runtime.panicshift`,
    /// a nil map's `runtime.mapassign_faststr`, ...) to a deferred closure,
    /// keyed by the function package code calls (`runtime.makeslice:len` and
    /// `:cap` for makeslice's two panics).
    pub(crate) calls: &'static [(&'static str, &'static [Frame])],
}

/// A runtime function calling package code from the goroutine's first frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Where the package code returns to: function and offset.
    pub(crate) ret: (&'static str, u64),
    /// `hi - SP` at the package function's first instruction.
    pub(crate) sp: u64,
    /// `hi - BP` there (amd64; 386 does not keep frame pointers: 0).
    pub(crate) bp: u64,
}

/// One runtime frame of a chain from package code to a deferred call.
///
/// A chain starts at the slot holding the first frame's return address into
/// package code (for a fault, the faulting pc the signal handler pushed).
/// Each frame holds its return address at some slot R; on amd64 it saves
/// BP at R - 8 and points BP there; it calls the next function (or, for the
/// last frame, the deferred closure) with its return address at R - `size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Frame {
    /// The runtime function, e.g. `runtime.gopanic`.
    pub(crate) func: &'static str,
    /// Bytes from the slot of its return address to the slot of the return
    /// address of its own call.
    pub(crate) size: u64,
    /// The offset in `func` that its call returns to.
    pub(crate) ret: u64,
}

/// The facts for listings of Go `1.<minor>` on `arch`, if measured.
pub(crate) fn of(minor: u32, arch: Arch) -> Option<&'static Facts> {
    MEASURED.iter().find(|f| f.minor == minor && f.arch == arch)
}

/// Where the last frame of `chain` calls package code: its function and the
/// offset the call returns to.
pub(crate) fn calls_from(chain: &[Frame]) -> Option<(&'static str, u64)> {
    chain.last().map(|f| (f.func, f.ret))
}

impl Facts {
    /// Every chain of runtime frames between package code and a deferred call.
    pub(crate) fn chains(&self) -> impl Iterator<Item = &'static [Frame]> + '_ {
        [
            self.deferreturn,
            self.panic,
            self.divide,
            self.nil,
            self.index,
            self.slice,
        ]
        .into_iter()
        .chain(self.calls.iter().map(|(_, chain)| *chain))
    }

    /// The chain from a call of the panicking runtime function `key`, if measured.
    pub(crate) fn call(&self, key: &str) -> Option<&'static [Frame]> {
        self.calls.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
    }

    /// Every runtime function the facts name: the models need a stub for each.
    pub(crate) fn functions(&self) -> impl Iterator<Item = &'static str> + '_ {
        [self.main.ret.0, self.init.ret.0]
            .into_iter()
            .chain(self.chains().flatten().map(|f| f.func))
    }
}
