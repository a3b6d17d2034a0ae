//! Placeholder until `cargo xtask runtime-frames --write` regenerates it.

use super::facts::{Entry, Facts, Frame};
use crate::Arch;

pub(crate) const MEASURED: &[Facts] = &[Facts {
    go: "1.26.8",
    minor: 26,
    arch: Arch::Amd64,
    stack: 0x800,
    stack_after_import: &[("fmt", 0x1000)],
    goexit_slot: 0x28,
    main: Entry {
        ret: ("runtime.main", 0x2d5),
        sp: 0xc0,
        bp: 0x30,
    },
    init: Entry {
        ret: ("runtime.doInit1", 0xd5),
        sp: 0x1e0,
        bp: 0xc8,
    },
    deferreturn: &[Frame {
        func: "runtime.deferreturn",
        size: 0x90,
        ret: 0x5e,
    }],
    panic: &[Frame {
        func: "runtime.gopanic",
        size: 0xb0,
        ret: 0x13a,
    }],
    divide: &[
        Frame {
            func: "runtime.panicdivide",
            size: 0x20,
            ret: 0x3e,
        },
        Frame {
            func: "runtime.gopanic",
            size: 0xb0,
            ret: 0x13a,
        },
    ],
    nil: &[
        Frame {
            func: "runtime.sigpanic",
            size: 0x60,
            ret: 0x378,
        },
        Frame {
            func: "runtime.gopanic",
            size: 0xb0,
            ret: 0x13a,
        },
    ],
    index: &[
        Frame {
            func: "runtime.panicBounds",
            size: 0xa0,
            ret: 0x68,
        },
        Frame {
            func: "runtime.panicBounds64",
            size: 0x60,
            ret: 0xf7,
        },
        Frame {
            func: "runtime.gopanic",
            size: 0xb0,
            ret: 0x13a,
        },
    ],
    slice: &[
        Frame {
            func: "runtime.panicBounds",
            size: 0xa0,
            ret: 0x68,
        },
        Frame {
            func: "runtime.panicBounds64",
            size: 0x60,
            ret: 0xf7,
        },
        Frame {
            func: "runtime.gopanic",
            size: 0xb0,
            ret: 0x13a,
        },
    ],
}];
