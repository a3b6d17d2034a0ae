//! Values in a form both runs agree on: the emulator and the real program
//! place code, data, stacks and heaps at different addresses, so each side
//! maps a word to what it means before the two are compared.

use std::fmt;

use gostack_emu::{Layout, Region, Snapshot};

use crate::real::{Symbols, in_range};

/// What a word means.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    /// A plain number.
    Num(u64),
    /// An address in the goroutine's stack, as its distance below the stack top
    /// (`g.stack.hi`); `old` when the stack has moved since (a stale pointer in a dead slot).
    Stack {
        /// Bytes below the top.
        below: u64,
        /// Whether it points into a stack the goroutine has left.
        old: bool,
    },
    /// An address in a stack the goroutine never had.
    OtherStack,
    /// A heap address (or runtime memory outside the binary).
    Heap,
    /// The goroutine itself.
    G,
    /// `g.stackguard0`, as its distance above `g.stack.lo`.
    Guard(u64),
    /// An address in a named symbol of code or data.
    Sym {
        /// The symbol.
        name: String,
        /// The offset in it.
        off: u64,
        /// Whether it is read-only data (the linker renames and merges those).
        rodata: bool,
    },
    /// Read-only data the real binary gives no name.
    Rodata,
    /// Somewhere in the real binary's image with no symbol.
    Image,
}

impl Value {
    /// Whether the value is an address (its raw bits differ between the runs).
    pub(crate) fn is_address(&self) -> bool {
        !matches!(self, Value::Num(_))
    }

    /// Whether the emulator's value `self` means the same as the real one.
    pub(crate) fn agrees(&self, real: &Value) -> bool {
        use Value::*;
        match (self, real) {
            (Num(a), Num(b)) => a == b,
            // Which copy of the stack is not compared: the stacks may have grown at other
            // depths, and a dead slot keeps pointing into the copy it was written in.
            (Stack { below: a, .. }, Stack { below: b, .. }) | (Guard(a), Guard(b)) => a == b,
            (OtherStack, OtherStack) | (Heap, Heap) | (G, G) => true,
            (
                Sym {
                    name: a,
                    off: x,
                    rodata: ra,
                },
                Sym {
                    name: b,
                    off: y,
                    rodata: rb,
                },
            ) => (a == b && x == y) || (a != b && *ra && *rb),
            (Sym { rodata: true, .. }, Rodata | Image) => true,
            (Sym { .. }, Image) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Num(n) if *n < 0x1_0000 => write!(f, "{n}"),
            Value::Num(n) if (*n as i64) < 0 && (*n as i64) > -0x1_0000 => {
                write!(f, "{}", *n as i64)
            }
            Value::Num(n) => write!(f, "{n:#x}"),
            Value::Stack { below, old: false } => write!(f, "stack top - {below:#x}"),
            Value::Stack { below, old: true } => {
                write!(f, "stack top - {below:#x} of an old stack")
            }
            Value::OtherStack => write!(f, "another stack"),
            Value::Heap => write!(f, "heap"),
            Value::G => write!(f, "g"),
            Value::Guard(k) => write!(f, "stack.lo + {k:#x}"),
            Value::Sym { name, off: 0, .. } => write!(f, "{name}"),
            Value::Sym { name, off, .. } => write!(f, "{name}+{off:#x}"),
            Value::Rodata => write!(f, "read-only data"),
            Value::Image => write!(f, "data of the binary"),
        }
    }
}

/// Whether the emulator's symbol `name` is read-only data once linked.
fn is_rodata(name: &str) -> bool {
    [
        "type:",
        "type.",
        "go:",
        "go.",
        "$f64.",
        "$f32.",
        "$i64.",
        "$i32.",
        "runtime.staticuint64s",
    ]
    .iter()
    .any(|p| name.starts_with(p))
        || name.contains("..stmp_")
        || name.contains("..dict.")
        || name.ends_with("\u{b7}f")
}

/// Where `v` is in the goroutine's stacks, the current one last.
fn in_stacks(v: u64, stacks: &[(u64, u64)]) -> Option<Value> {
    let n = stacks.len();
    stacks
        .iter()
        .enumerate()
        .rev()
        .find(|(_, (lo, hi))| *lo <= v && v <= *hi)
        .map(|(i, (_, hi))| Value::Stack {
            below: hi - v,
            old: i + 1 != n,
        })
}

/// The meaning of the emulator's word `v`, given the goroutine's stacks so far (`(lo, hi)`, the current one last).
pub(crate) fn emu(v: u64, stacks: &[(u64, u64)], layout: &Layout) -> Value {
    if layout.runtime_object(v) == Some("g") {
        return Value::G;
    }
    match layout.region(v) {
        Region::Stack => in_stacks(v, stacks).unwrap_or(Value::OtherStack),
        Region::Heap => Value::Heap,
        Region::Code | Region::Data | Region::Runtime => match layout.symbolize(v) {
            Some((name, off)) => Value::Sym {
                rodata: is_rodata(&name),
                name,
                off,
            },
            // The runtime's objects the models keep (the files behind os.Stdout) live on the heap in Go.
            None if layout.region(v) == Region::Runtime => Value::Heap,
            None => Value::Num(v),
        },
        Region::None => Value::Num(v),
    }
}

/// The meaning of the real word `v`, for the goroutine `g` with its stacks so far
/// (the current one last); `heap` says whether an address is in the runtime's memory.
pub(crate) fn real(
    v: u64,
    g: u64,
    stacks: &[(u64, u64)],
    syms: &Symbols,
    heap: impl Fn(u64) -> bool,
) -> Value {
    if v == g {
        return Value::G;
    }
    if let Some(at) = in_stacks(v, stacks) {
        return at;
    }
    if in_range(v, syms.image) {
        return match syms.name(v) {
            Some((name, off)) => Value::Sym {
                name: name.to_string(),
                off,
                rodata: in_range(v, syms.rodata),
            },
            None if in_range(v, syms.rodata) => Value::Rodata,
            None => Value::Image,
        };
    }
    // Small numbers are never addresses; Go maps nothing below 64 KiB.
    if v >= 0x1_0000 && heap(v) {
        return Value::Heap;
    }
    Value::Num(v)
}

/// The emulator's goroutine stack bounds in `snap`.
pub(crate) fn emu_stack(snap: &Snapshot) -> (u64, u64) {
    let g = Layout::g_addr();
    (snap.read(g, 8), snap.read(g + 8, 8))
}

#[cfg(test)]
mod tests {
    use super::Value;

    fn sym(name: &str, off: u64, rodata: bool) -> Value {
        Value::Sym {
            name: name.into(),
            off,
            rodata,
        }
    }

    #[test]
    fn symbols_agree_by_name_and_offset() {
        assert!(sym("main.add1", 0x2e, false).agrees(&sym("main.add1", 0x2e, false)));
        assert!(!sym("main.add1", 0x2e, false).agrees(&sym("main.add1", 0x30, false)));
        assert!(!sym("runtime.doInit1", 0x10, false).agrees(&sym("runtime.doInit1", 0xd5, false)));
    }

    #[test]
    fn read_only_data_the_linker_renamed_agrees() {
        assert!(sym("go:string.\"hi\"", 0, true).agrees(&sym("go:string.*", 0x1234, true)));
        assert!(sym("type:int", 0, true).agrees(&Value::Rodata));
        assert!(!sym("main.counter", 0, false).agrees(&Value::Rodata));
    }

    #[test]
    fn stack_addresses_agree_by_distance_below_the_top() {
        let here = Value::Stack {
            below: 0x48,
            old: false,
        };
        let stale = Value::Stack {
            below: 0x48,
            old: true,
        };
        assert!(here.agrees(&stale));
        assert!(!here.agrees(&Value::Stack {
            below: 0x50,
            old: false
        }));
        assert!(!here.agrees(&Value::Heap));
        assert_eq!(stale.to_string(), "stack top - 0x48 of an old stack");
    }
}
