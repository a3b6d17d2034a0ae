//! What a word means, for the words whose bits differ between the runs.
//!
//! Both runs execute the same executable at the same addresses, so a code
//! or data address, like any plain number, must be equal bit for bit. What
//! may lie elsewhere is memory placed at run time: the heap arenas (the
//! goroutines' stacks among them), which the runtime places from its random
//! seed, so at the same address in both runs once they share `AT_RANDOM`
//! (else elsewhere); memory the runtime maps without an address, which the
//! kernel places (Linux next to its vDSO and at 2 MiB boundaries for large
//! mappings, the emulator's imitation plainly top down); and the process's
//! initial stack, which the kernel fills with more auxiliary vector entries
//! than the emulator. A word that differs is compared by what it points
//! at: a stack address as its distance below the goroutine's stack top,
//! the goroutine itself as `g`, a heap pointer as `heap` only when the heap
//! bases differ (else it must be equal), memory the kernel placed and the
//! initial stack by kind.

use std::fmt;

use gostack_emu::{Arch, Layout, Region};

/// What a word means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// A plain number, or an address in the executable's image: equal bits only.
    Num(u64),
    /// An address in the running goroutine's stack, as its distance below the
    /// stack top (`g.stack.hi`); `old` when the stack has moved since (a stale
    /// pointer in a dead slot).
    Stack {
        /// Bytes below the top.
        below: u64,
        /// Whether it points into a stack the goroutine has left.
        old: bool,
    },
    /// The running goroutine, `g`.
    G,
    /// `g.stackguard0`, as its distance above `g.stack.lo`.
    Guard(u64),
    /// The runtime's heap arenas (other goroutines' stacks among them), at
    /// addresses the runtime chooses from its random seed.
    Heap(u64),
    /// Other memory the runtime mapped, where the kernel chose to put it.
    Mapped,
    /// The process's initial stack (argument and environment strings).
    InitialStack,
}

impl Value {
    /// Whether the value is an address whose bits may differ between the runs.
    pub(crate) fn is_address(&self) -> bool {
        !matches!(self, Value::Num(_))
    }

    /// Whether the emulator's value `self` means the same as the real one,
    /// `exact_heap` when the heap bases agree.
    pub(crate) fn agrees(&self, real: &Value, exact_heap: bool) -> bool {
        use Value::*;
        match (self, real) {
            (Num(a), Num(b)) => a == b,
            // Which copy of the stack is not compared: a dead slot keeps
            // pointing into the copy it was written in.
            (Stack { below: a, .. }, Stack { below: b, .. }) | (Guard(a), Guard(b)) => a == b,
            (G, G) | (InitialStack, InitialStack) | (Mapped, Mapped) => true,
            (Heap(a), Heap(b)) => !exact_heap || a == b,
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
            Value::G => write!(f, "g"),
            Value::Guard(k) => write!(f, "stack.lo + {k:#x}"),
            Value::Heap(a) => write!(f, "heap {a:#x}"),
            Value::Mapped => write!(f, "memory the kernel placed"),
            Value::InitialStack => write!(f, "the initial stack"),
        }
    }
}

/// A goroutine as one side sees it: its `g` and its stacks so far (`(lo, hi)`, the current one last).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Goroutine<'a> {
    pub(crate) g: u64,
    pub(crate) stacks: &'a [(u64, u64)],
}

impl Goroutine<'_> {
    /// Where `v` is in the goroutine's stacks.
    fn stack(&self, v: u64) -> Option<Value> {
        let n = self.stacks.len();
        self.stacks
            .iter()
            .enumerate()
            .rev()
            .find(|(_, (lo, hi))| *lo <= v && v <= *hi)
            .map(|(i, (_, hi))| Value::Stack {
                below: hi - v,
                old: i + 1 != n,
            })
    }

    /// What `v` is, for a goroutine or stack address.
    fn own(&self, v: u64) -> Option<Value> {
        if v == self.g && v != 0 {
            return Some(Value::G);
        }
        self.stack(v)
    }
}

/// Where the kernel puts mappings the runtime asks for without an address,
/// top down from just below the stack (randomisation off): at or above this.
/// The runtime's heap arenas lie far below (on amd64, Go 1.26 picks them
/// below 2^46 from its random seed, earlier versions from `0xc000000000`;
/// a 32-bit process's grow up from just after the executable, and the
/// kernel's mappings start below `0xf7ff_e000`).
pub(crate) fn kernel_placed(arch: Arch) -> u64 {
    match arch {
        Arch::Amd64 => 0x7f00_0000_0000,
        Arch::I386 => 0xc000_0000,
    }
}

/// An address of anonymous memory: the heap, or what the kernel placed.
fn mapped(v: u64, arch: Arch) -> Value {
    if v >= kernel_placed(arch) {
        Value::Mapped
    } else {
        Value::Heap(v)
    }
}

/// The meaning of the emulator's word `v`.
pub(crate) fn emu(v: u64, at: Goroutine<'_>, layout: &Layout) -> Value {
    if let Some(own) = at.own(v) {
        return own;
    }
    match layout.region(v) {
        Region::Heap => mapped(v, layout.arch()),
        Region::Stack => Value::InitialStack,
        _ => Value::Num(v),
    }
}

/// The meaning of the real word `v`; `mapping` names the mapping holding an
/// address (empty for anonymous memory), if one does.
pub(crate) fn real<'m>(
    v: u64,
    arch: Arch,
    at: Goroutine<'_>,
    mapping: impl Fn(u64) -> Option<&'m str>,
) -> Value {
    if let Some(own) = at.own(v) {
        return own;
    }
    // Small numbers are never addresses; Go maps nothing below 64 KiB.
    if v < 0x1_0000 {
        return Value::Num(v);
    }
    match mapping(v) {
        Some("") => mapped(v, arch),
        Some("[stack]") => Value::InitialStack,
        _ => Value::Num(v),
    }
}

#[cfg(test)]
mod tests {
    use super::{Goroutine, Value};

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
        assert!(here.agrees(&stale, true));
        assert!(!here.agrees(
            &Value::Stack {
                below: 0x50,
                old: false
            },
            false
        ));
        assert!(!here.agrees(&Value::Heap(0xc000_0000), false));
        assert_eq!(stale.to_string(), "stack top - 0x48 of an old stack");
    }

    #[test]
    fn heap_pointers_agree_exactly_only_when_the_heaps_do() {
        let (a, b) = (Value::Heap(0xc000_1000), Value::Heap(0xc400_1000));
        assert!(a.agrees(&b, false));
        assert!(!a.agrees(&b, true));
        assert!(a.agrees(&a.clone(), true));
        assert!(!Value::Num(1).agrees(&Value::Num(2), false));
    }

    #[test]
    fn a_goroutine_knows_its_g_and_its_stacks() {
        let stacks = [(0x1000, 0x2000), (0x8000, 0xa000)];
        let at = Goroutine {
            g: 0x5000,
            stacks: &stacks,
        };
        assert_eq!(at.own(0x5000), Some(Value::G));
        assert_eq!(
            at.own(0x9ff8),
            Some(Value::Stack {
                below: 8,
                old: false
            })
        );
        assert_eq!(
            at.own(0x1ff0),
            Some(Value::Stack {
                below: 0x10,
                old: true
            })
        );
        assert_eq!(at.own(0x3000), None);
    }
}
