//! Goroutine stacks: allocation and `runtime.morestack`, which moves the
//! goroutine to a stack twice as large and adjusts the pointers into it.

use super::{STACK_GUARD, g};
use crate::cpu::{RBP, RDX, RSP};
use crate::exec::{Exec, Machine};
use crate::trace::Event;

/// Maps a new stack of `size` bytes at a fresh address and returns `[lo, hi)`.
pub(crate) fn allocate(m: &mut Machine<'_>, size: u64) -> (u64, u64) {
    let lo = m.rt.next_stack;
    // Leave an unmapped gap after each stack so running off its end faults.
    m.rt.next_stack = lo + size + 0x1_0000;
    m.mem.map(lo, size as usize, true, "stack");
    (lo, lo + size)
}

/// `runtime.morestack` and `morestack_noctxt`: called from a prologue whose frame would cross the guard.
///
/// Like the real `newstack`, it doubles the stack until the function's frame
/// fits, copies the used part to the top of the new stack, adjusts every
/// word of the copy that points into the old stack's used part (saved frame
/// pointers, pointers to locals, defer records), the frame pointer, the
/// closure context in DX and `g._defer`, then resumes after the call on the
/// new stack, where the function's `JMP` back to its prologue runs again.
///
/// The real runtime adjusts only words its stack maps mark as pointers; this
/// model adjusts every word that holds an address in the old stack's used
/// range, which differs only for an integer that happens to equal such an address.
pub(crate) fn morestack(m: &mut Machine<'_>) -> Exec {
    let w = m.arch.word();
    let resume = m.pop()?;
    let sp = m.sp();
    let old_lo = m.load_word(m.g_field(g::STACK_LO))?;
    let old_hi = m.load_word(m.g_field(g::STACK_HI))?;
    let used = old_hi - sp;
    let frame = frame_size_at(m, resume);
    let mut size = (old_hi - old_lo) * 2;
    while size - used < frame + STACK_GUARD {
        size *= 2;
    }
    let (new_lo, new_hi) = allocate(m, size);
    let delta = new_hi.wrapping_sub(old_hi);
    let mask = m.mask();
    let moved = move |v: u64| {
        if v >= sp && v < old_hi {
            v.wrapping_add(delta) & mask
        } else {
            v
        }
    };
    let bytes = m.load_bytes(sp, used as usize)?;
    let mut copy = Vec::with_capacity(bytes.len());
    for chunk in bytes.chunks(w as usize) {
        let mut buf = [0u8; 8];
        buf[..chunk.len()].copy_from_slice(chunk);
        let v = moved(u64::from_le_bytes(buf));
        copy.extend_from_slice(&v.to_le_bytes()[..chunk.len()]);
    }
    m.store_bytes(new_hi - used, &copy)?;
    for reg in [RBP, RDX] {
        m.cpu.gpr[reg] = moved(m.cpu.gpr[reg]);
    }
    let d = m.load_word(m.g_field(g::DEFER))?;
    m.store_word(m.g_field(g::DEFER), moved(d))?;
    m.store_word(m.g_field(g::STACK_LO), new_lo)?;
    m.store_word(m.g_field(g::STACK_HI), new_hi)?;
    m.store_word(m.g_field(g::STACKGUARD0), new_lo + STACK_GUARD)?;
    super::maps::relocate(m, sp, old_hi, delta);
    m.mem.unmap(old_lo);
    m.cpu.gpr[RSP] = new_hi - used;
    m.cpu.rip = resume;
    m.event(Event::StackGrown {
        old: (old_lo, old_hi),
        new: (new_lo, new_hi),
    });
    Ok(())
}

/// The frame size of the function holding `pc`, from its `TEXT` line.
fn frame_size_at(m: &Machine<'_>, pc: u64) -> u64 {
    m.image
        .symbol_at(pc)
        .and_then(|s| s.listing_index)
        .and_then(|i| m.listing.symbols[i].func.as_ref())
        .map_or(0, |f| f.frame_size.max(0) as u64 + f.arg_size.max(0) as u64)
}
