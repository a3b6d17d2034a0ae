//! A name for every word of a package function's frame: the variable it
//! belongs to and the part of it it holds, from the executable's DWARF
//! (types and locations) and the listing (the compiler's temporaries, the
//! closure contexts and deferred-call records it builds, its stack
//! objects, its calls); the callee's parameter for a word of the outgoing
//! argument area; and what the word is for when no variable covers it.
//!
//! Names are unique within a frame: `closure.&a`, `_defer.fn`, `s.len`,
//! `.autotmp_3+8` (the second word of a temporary whose type the listing
//! does not say), `Println.a.cap` (the callee's argument).

use std::collections::{BTreeMap, HashMap};

use gostack_listing::{Base, Func, Listing};

use super::assign::{self, Place};
use super::{Frame, Reg, RegVar, Slot, WordRole};
use crate::debuginfo::vars::{Shape, VarRole, VarTable};
use crate::{Arch, History};

/// What the listing says of a function's composite temporaries and calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    /// Closure contexts built in the frame: the temporary's name, its offset from SP, the closure function.
    closures: Vec<(String, i64, String)>,
    /// Deferred-call records built in the frame for `runtime.deferprocStack`: name and offset from SP.
    defers: Vec<(String, i64)>,
    /// The stack objects (the address-taken variables): offset from the frame's varp and size.
    objects: Vec<(i64, u64)>,
    /// The calls: offset of the instruction and the callee.
    calls: Vec<(u64, String)>,
}

/// Reads the facts of `func`, named `name`, from its code and its `stkobj` symbol.
pub(crate) fn facts(listing: &Listing, name: &str, func: &Func, arch: Arch) -> Facts {
    let mut facts = Facts::default();
    // The code symbol each register was last loaded with by a LEA.
    let mut lea: HashMap<String, String> = HashMap::new();
    // The slot whose address each register was last loaded with by a LEA.
    let mut slot_at: HashMap<String, (String, i64)> = HashMap::new();
    let needs_context = |target: &str| {
        listing
            .function(target)
            .and_then(|s| s.func.as_ref())
            .is_some_and(|f| f.has_flag("NEEDCTXT"))
    };
    let instrs: Vec<_> = func.instrs.iter().filter(|i| !i.is_pseudo()).collect();
    for (k, ins) in instrs.iter().enumerate() {
        let args: Vec<&str> = ins.args.split(", ").collect();
        let dest = args.last().copied().unwrap_or("");
        if ins.op == "CALL" {
            if let Some(callee) = ins.args.strip_suffix("(SB)") {
                facts.calls.push((u64::from(ins.pc), callee.to_string()));
            }
            lea.clear();
            slot_at.clear();
            continue;
        }
        if ins.op.starts_with("LEA") {
            lea.remove(dest);
            slot_at.remove(dest);
            if let Some(target) = args.first().and_then(|a| a.strip_suffix("(SB)")) {
                lea.insert(dest.to_string(), target.to_string());
                continue;
            }
            if let Some(op) = ins.stack_operands.first()
                && op.base == Base::Sp
            {
                slot_at.insert(dest.to_string(), (op.name.clone(), op.offset));
            }
            // The address of a slot, passed to deferprocStack by the next call.
            if let Some(op) = ins.stack_operands.first()
                && op.base == Base::Sp
                && instrs[k + 1..]
                    .iter()
                    .take(4)
                    .find(|i| i.op == "CALL")
                    .is_some_and(|i| i.args == "runtime.deferprocStack(SB)")
            {
                facts.defers.push((op.name.clone(), op.offset));
            }
            continue;
        }
        // A closure's function stored through a pointer to its context (Go 1.21).
        if ins.op.starts_with("MOV")
            && args.len() == 2
            && let Some(target) = lea.get(args[0])
            && let Some(reg) = dest
                .strip_prefix('(')
                .or_else(|| dest.strip_prefix("0("))
                .and_then(|r| r.strip_suffix(')'))
            && let Some((name, offset)) = slot_at.get(reg)
            && needs_context(target)
        {
            facts.closures.push((name.clone(), *offset, target.clone()));
        }
        if ins.op.starts_with("MOV")
            && args.len() == 2
            && let Some(target) = lea.get(args[0])
            && let Some(op) = ins.stack_operands.iter().find(|o| {
                dest.contains(&format!("{}+", o.name)) || dest.contains(&format!("{}(", o.name))
            })
            && op.base == Base::Sp
            && needs_context(target)
        {
            facts
                .closures
                .push((op.name.clone(), op.offset, target.clone()));
        }
        lea.remove(dest);
        slot_at.remove(dest);
    }
    // `stkobj`: a count (a word), then per object its offset from varp, size,
    // pointer bytes and the offset of its GC mask, four 32-bit numbers.
    let w = arch.word() as usize;
    if let Some(sym) = listing.symbol(&format!("{name}.stkobj")) {
        let d = &sym.data;
        let int = |at: usize| {
            d.get(at..at + 4)
                .map(|b| i32::from_le_bytes(b.try_into().unwrap()))
        };
        let count = d
            .get(..w)
            .map(|b| b.iter().rev().fold(0u64, |n, &x| n << 8 | u64::from(x)));
        if let Some(count) = count
            && d.len() as u64 == w as u64 + 16 * count
        {
            for i in 0..count as usize {
                let at = w + 16 * i;
                if let (Some(off), Some(size)) = (int(at), int(at + 4)) {
                    facts.objects.push((i64::from(off), size.max(0) as u64));
                }
            }
        }
    }
    facts
}

/// A word's name while a frame is being named.
struct Named {
    func: String,
    name: String,
    var: String,
    part: u64,
    role: WordRole,
    /// Holds what an earlier frame or call left, not a value of what it is named by.
    stale: bool,
    /// The bytes of the word it names (offset, length), when not all of them.
    bytes: Option<(u8, u8)>,
    /// DWARF places it here at this pc: another variable DWARF places in
    /// the same word may share it.
    placed: bool,
}

/// Names every word of the package frames in `words` by a [`Slot::Word`].
pub(crate) fn name_words(
    layout: &super::Layout,
    frames: &[Frame],
    words: &mut [(u64, u64, Vec<Slot>)],
    past: Option<&History<'_>>,
) {
    let w = layout.arch.word();
    let Some(&(first, _, _)) = words.first() else {
        return;
    };
    for (k, f) in frames.iter().enumerate() {
        let Some(sym) = layout.image.symbol_at(f.pc.wrapping_sub(u64::from(k > 0))) else {
            continue;
        };
        let callee = k.checked_sub(1).map(|j| &frames[j]);
        let Some(info) = layout.funcs.get(&sym.addr) else {
            // A frame of the runtime (or of another package) that called a
            // package function: that callee's parameters in its argument area.
            if let Some(c) = callee.filter(|c| c.ret_slot + w == f.sp && layout.in_package(c.pc)) {
                name_callee_args(layout, f, c, words, past);
            }
            continue;
        };
        let names = name_frame(layout, info, f, callee, past);
        for (addr, n) in names
            .into_iter()
            .flat_map(|(addr, parts)| parts.into_iter().map(move |n| (addr, n)))
        {
            if addr < first || (addr - first) % w != 0 {
                continue;
            }
            if let Some(word) = words.get_mut(((addr - first) / w) as usize) {
                word.2.push(Slot::Word {
                    func: n.func,
                    name: n.name,
                    var: n.var,
                    part: n.part,
                    role: n.role,
                    stale: n.stale,
                    bytes: n.bytes,
                });
            }
        }
    }
}

/// Names the words of the live callee `c`'s parameters in the argument
/// area at the bottom of frame `f`, a frame of code outside package main:
/// a stack argument the caller wrote for the call; a spill slot or a result
/// the callee fills, stale until it has.
fn name_callee_args(
    layout: &super::Layout,
    f: &Frame,
    c: &Frame,
    words: &mut [(u64, u64, Vec<Slot>)],
    past: Option<&History<'_>>,
) {
    let w = layout.arch.word();
    let Some(&(first, _, _)) = words.first() else {
        return;
    };
    let vars = layout.whole.debug.vars();
    let entered = past.and_then(|p| {
        layout
            .image
            .addr(&c.func)
            .and_then(|pc| p.entered(pc, c.ret_slot))
            .map(|e| (p, e))
    });
    let is_result = |var: &str| {
        vars.variables(&c.func)
            .iter()
            .any(|v| v.name == var && v.role == VarRole::Result)
    };
    for word in argument_words(layout.arch, vars, &c.func) {
        let addr = f.sp.wrapping_add(word.offset);
        let at = addr % w;
        let slot = addr - at;
        let filled_by_callee = word.role == WordRole::Spill || is_result(&word.var);
        let stale = filled_by_callee
            && entered.is_some_and(|(p, e)| p.written(slot).is_none_or(|(t, _)| t < e));
        let len = word.len.min(w - at);
        let Some(entry) = slot
            .checked_sub(first)
            .filter(|d| d % w == 0)
            .and_then(|d| words.get_mut((d / w) as usize))
        else {
            continue;
        };
        entry.2.push(Slot::Word {
            func: c.func.clone(),
            name: word.name,
            var: word.var,
            part: word.part,
            role: word.role,
            stale,
            bytes: (len < w).then_some((at as u8, len as u8)),
        });
    }
}

/// The names of the words of frame `f` below its saved BP (or return address).
fn name_frame(
    layout: &super::Layout,
    info: &super::FuncInfo,
    f: &Frame,
    callee: Option<&Frame>,
    past: Option<&History<'_>>,
) -> BTreeMap<u64, Vec<Named>> {
    let arch = layout.arch;
    let vars = layout.whole.debug.vars();
    let w = arch.word();
    let (lo, hi) = (f.sp, f.bp_slot.unwrap_or(f.ret_slot));
    let cfa = f.ret_slot + w;
    let body_sp = f.ret_slot.saturating_sub(info.frame_size);
    // The runtime's varp: the saved BP's slot on amd64, the return address's on 386.
    let varp = if info.bp_saved_from.is_some() {
        f.ret_slot - w
    } else {
        f.ret_slot
    };
    // A caller is at its call: its variables are looked up there, not at
    // the return address, where a new scope or location may begin.
    let pc = if callee.is_some() { f.pc - 1 } else { f.pc };
    let mut names: BTreeMap<u64, Vec<Named>> = BTreeMap::new();
    // The first name given to a word stays; a variable smaller than a word
    // (a bool, an int16) names its bytes, beside others at other bytes.
    let put = |names: &mut BTreeMap<u64, Vec<Named>>, addr: u64, len: u64, mut n: Named| {
        if addr < lo || addr >= hi {
            return;
        }
        let word = addr - (addr - lo) % w;
        let at = addr - word;
        let len = len.min(w - at);
        if len < w {
            n.bytes = Some((at as u8, len as u8));
        }
        let parts = names.entry(word).or_default();
        // Two live variables in one word: the compiler gave one stack slot
        // to both, and DWARF places both there at this pc.
        let live = |p: &Named| p.placed && p.bytes.is_none();
        let free = parts.iter().all(|p| match (p.bytes, n.bytes) {
            (Some((a, l)), Some((b, m))) => a + l <= b || b + m <= a,
            _ => live(p) && live(&n) && p.var != n.var,
        });
        if free {
            parts.push(n);
        }
    };
    let func = f.func.clone();
    let own = vars.variables(&f.func);
    let mut placed: Vec<&str> = Vec::new();

    // The variables DWARF places in the frame: where they are at this pc
    // first, then where they are at other pcs, which holds what the
    // variable was or will be, not what it is now (stale).
    for current in [true, false] {
        for v in own.iter() {
            let Some(shape) = &v.shape else { continue };
            for home in &v.homes {
                let here = home.pcs.is_none_or(|(a, b)| (a..b).contains(&pc)) && v.in_scope(pc);
                if here != current {
                    continue;
                }
                for &(in_var, size, off) in &home.pieces {
                    let base = cfa.wrapping_add(off as u64).wrapping_sub(in_var);
                    let end = size.map_or(shape.size, |s| in_var + s);
                    if base.wrapping_add(in_var) >= hi || base.wrapping_add(in_var) < lo {
                        continue;
                    }
                    for (at, name, part, len) in word_names(shape, &v.name, w) {
                        if at >= in_var && at < end {
                            put(
                                &mut names,
                                base + at,
                                len.unwrap_or(end - at).min(end - at),
                                Named {
                                    func: func.clone(),
                                    name,
                                    var: v.name.clone(),
                                    part,
                                    role: WordRole::Local,
                                    stale: !current,
                                    bytes: None,
                                    placed: current,
                                },
                            );
                        }
                    }
                    placed.push(&v.name);
                }
            }
        }
    }

    // The listing's named slots DWARF did not place: temporaries, and variables without a location.
    let mut groups: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (name, offset) in &info.slots {
        let addr = body_sp.wrapping_add(*offset as u64);
        if addr < hi && !placed.contains(&name.as_str()) {
            groups.entry(name).or_default().push(*offset);
        }
    }
    let mut groups: Vec<(&str, i64, i64)> = groups
        .into_iter()
        .map(|(n, offs)| (n, *offs.iter().min().unwrap(), *offs.iter().max().unwrap()))
        .collect();
    groups.sort_by_key(|g| g.1);
    let defer_shape = vars.named_shape("runtime._defer");
    for (name, first, last) in groups {
        let base = body_sp.wrapping_add(first as u64);
        let put_shape =
            |names: &mut BTreeMap<u64, Vec<Named>>, shape: &Shape, var: &str, role, stale: bool| {
                for (at, word, part, len) in word_names(shape, var, w) {
                    put(
                        names,
                        base + at,
                        len.unwrap_or(shape.size.max(1) - at),
                        Named {
                            func: func.clone(),
                            name: word,
                            var: var.to_string(),
                            part,
                            role,
                            stale,
                            bytes: None,
                            placed: false,
                        },
                    );
                }
            };
        if info
            .facts
            .defers
            .iter()
            .any(|(n, o)| n == name && *o == first)
            && let Some(shape) = &defer_shape
        {
            put_shape(&mut names, shape, "_defer", WordRole::Defer, false);
            continue;
        }
        if let Some((_, _, closure)) = info
            .facts
            .closures
            .iter()
            .find(|(n, o, _)| n == name && *o == first)
        {
            let shape = closure_shape(vars, closure, w);
            // A context whose captured variables DWARF does not give (a
            // method value's receiver) is the temporary past its function.
            put_shape(&mut names, &shape, "closure", WordRole::Local, false);
        } else if let Some(v) = own.iter().find(|v| v.name == name)
            && let Some(shape) = v.shape.clone()
        {
            // A variable DWARF places elsewhere at this pc does not live
            // in the slot the listing gives it now.
            put_shape(
                &mut names,
                &shape,
                name,
                WordRole::Local,
                !v.homes.is_empty(),
            );
            continue;
        }
        // A temporary: as far as its stack object, or its last named word, goes.
        let object = info
            .facts
            .objects
            .iter()
            .find(|(off, _)| varp.wrapping_add(*off as u64) == base)
            .map(|(_, size)| *size);
        let size = object.unwrap_or(0).max((last - first) as u64 + 1);
        let mut at = 0;
        while at < size {
            let word = if at == 0 {
                name.to_string()
            } else {
                format!("{name}+{at}")
            };
            put(
                &mut names,
                base + at,
                w,
                Named {
                    func: func.clone(),
                    name: word,
                    var: name.to_string(),
                    part: at,
                    role: WordRole::Local,
                    stale: false,
                    bytes: None,
                    placed: false,
                },
            );
            at += w;
        }
    }

    // The outgoing argument area: the parameters of the call each word
    // belongs to (see `outgoing`).
    for (addr, len, n) in outgoing(layout, vars, info, f, callee, past) {
        put(&mut names, addr, len, n);
    }

    // What no variable covers.
    let mut a = lo;
    while a < hi {
        put(
            &mut names,
            a,
            w,
            Named {
                func: func.clone(),
                name: format!("unused {:+}", a - lo),
                var: String::new(),
                part: 0,
                role: WordRole::Unused,
                stale: false,
                bytes: None,
                placed: false,
            },
        );
        a += w;
    }

    // A variable's word that nothing wrote since the frame was entered holds
    // what an earlier frame or the runtime left there. A frame whose entry
    // the walk did not see at its present place (a stack copied since) has none.
    if let Some(past) = past
        && let Some(entered) = layout
            .image
            .addr(&f.func)
            .and_then(|pc| past.entered(pc, f.ret_slot))
    {
        for (addr, parts) in names.iter_mut() {
            for n in parts {
                if !matches!(n.role, WordRole::Arg | WordRole::Spill) {
                    n.stale |= past.written(*addr).is_none_or(|(t, _)| t < entered);
                }
            }
        }
    }

    // Two words of one frame never share a name.
    let mut count: HashMap<(String, String), usize> = HashMap::new();
    for n in names.values_mut().flatten() {
        let seen = count.entry((n.func.clone(), n.name.clone())).or_insert(0);
        *seen += 1;
        if *seen > 1 {
            n.name = format!("{}#{}", n.name, seen);
        }
    }
    names
}

/// The name of each word of a variable named `var` of shape `shape`:
/// offset in the variable, name, the word's offset (the same), and its
/// length when it is a part of a word. A word holding several scalars names
/// each at its bytes (`_defer.heap` and `_defer.rangefunc`, a byte each); a
/// word inside a scalar larger than a word is `x+4`; a word with no scalar
/// is padding.
fn word_names(shape: &Shape, var: &str, w: u64) -> Vec<(u64, String, u64, Option<u64>)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < shape.size.max(1) {
        let starting: Vec<&crate::debuginfo::vars::Leaf> = shape
            .leaves
            .iter()
            .filter(|l| l.offset >= at && l.offset < at + w)
            .collect();
        if starting.len() > 1 {
            for l in starting {
                out.push((l.offset, format!("{var}{}", l.path), l.offset, Some(l.size)));
            }
        } else if let Some(l) = starting.first() {
            out.push((at, format!("{var}{}", l.path), at, None));
        } else if let Some(l) = shape
            .leaves
            .iter()
            .find(|l| l.offset < at && l.offset + l.size > at)
        {
            out.push((at, format!("{var}{}+{}", l.path, at - l.offset), at, None));
        } else {
            out.push((at, format!("{var}+{at} (padding)"), at, None));
        }
        at += w;
    }
    out
}

/// A closure's context: the function's word `F`, then the variables it
/// captured, where `DW_AT_go_closure_offset` says (before Go 1.23, one after
/// the other in the order DWARF lists them).
fn closure_shape(vars: &VarTable, closure: &str, w: u64) -> Shape {
    let mut shape = Shape {
        size: w,
        align: w,
        in_registers: false,
        leaves: vec![crate::debuginfo::vars::Leaf {
            offset: 0,
            size: w,
            path: ".F".to_string(),
            float: false,
            complex: false,
        }],
    };
    let captured = vars.variables(closure);
    let has_offsets = captured.iter().any(|v| v.closure_offset.is_some());
    let mut next = w;
    for v in captured.iter().filter(|v| v.role == VarRole::Local) {
        let Some(s) = &v.shape else { continue };
        let at = match v.closure_offset {
            Some(o) => o,
            None if has_offsets => continue,
            // Without offsets, only variables captured by reference (`&x`) are known to be captured.
            None if !v.name.starts_with('&') => continue,
            None => next.next_multiple_of(s.align.max(1)),
        };
        for l in &s.leaves {
            let mut l = l.clone();
            l.offset += at;
            l.path = format!(".{}{}", v.name, l.path);
            shape.leaves.push(l);
        }
        next = at + s.size;
        shape.size = shape.size.max(next);
    }
    shape.size = shape.size.next_multiple_of(w);
    shape
}

/// A word of a callee's parameter in its caller's outgoing area.
struct ArgWord {
    /// Offset from the caller's SP: where the parameter's part starts.
    offset: u64,
    /// Bytes of the parameter from there (a word, or less at its end).
    len: u64,
    name: String,
    /// The parameter.
    var: String,
    /// Offset in the parameter.
    part: u64,
    /// A stack-assigned argument or result, or a spill slot.
    role: WordRole,
}

/// The words of `callee`'s parameters in its caller's outgoing area, as
/// the ABI places them ([`assign`]): the stack-assigned arguments and
/// results, and (amd64) the spill slots reserved for the register-assigned
/// arguments.
fn argument_words(arch: Arch, vars: &VarTable, callee: &str) -> Vec<ArgWord> {
    let w = arch.word();
    let params = vars.variables(callee);
    let Some(placed) = assign::assign(arch, &params) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in placed {
        let Some(shape) = p.var.shape.as_deref() else {
            continue;
        };
        let (base, role) = match (&p.place, p.spill) {
            (Place::Stack(at), _) => (*at, WordRole::Arg),
            (Place::Regs(_), Some(at)) => (at, WordRole::Spill),
            (Place::Regs(_), None) => continue,
        };
        for (at, name, part, len) in word_names(shape, &p.var.name, w) {
            out.push(ArgWord {
                offset: base + at,
                len: len.unwrap_or(shape.size - at).min(w),
                name,
                var: p.var.name.clone(),
                part,
                role,
            });
        }
    }
    out
}

/// The words of frame `f`'s outgoing argument area, each named by the
/// parameter of the call it belongs to.
///
/// Without the run's history: the live callee's parameters, then those of
/// the calls the code makes from here on, then of the earlier ones. With
/// it, a word belongs to the call whose arguments the frame wrote it for
/// (the first call at or after a write the frame made itself) or whose
/// callee wrote it (the last call before a write made deeper): the live
/// callee's parameters name their words, stale where no write for this
/// call has filled them yet (a spill slot the callee has not stored, a
/// result it has not written); any other word keeps the name of the call
/// that last used it, stale unless that call is the last one made.
fn outgoing(
    layout: &super::Layout,
    vars: &VarTable,
    info: &super::FuncInfo,
    f: &Frame,
    callee: Option<&Frame>,
    past: Option<&History<'_>>,
) -> Vec<(u64, u64, Named)> {
    let arch = layout.arch;
    let w = arch.word();
    let named = |c: &str, word: ArgWord, stale| {
        (
            f.sp.wrapping_add(word.offset),
            word.len,
            Named {
                func: c.to_string(),
                name: word.name,
                var: word.var,
                part: word.part,
                role: word.role,
                stale,
                bytes: None,
                placed: false,
            },
        )
    };
    // The live callee: the frame right below, whose return address is just below SP.
    let live = callee.filter(|c| c.ret_slot.wrapping_add(w) == f.sp);
    // The static order: the live callee, the calls from here on, the earlier calls.
    let at = f.offset;
    let calls = &info.facts.calls;
    let next = calls.partition_point(|(o, _)| *o < at);
    let mut order: Vec<&str> = live.map(|c| c.func.as_str()).into_iter().collect();
    order.extend(
        calls[next..]
            .iter()
            .chain(&calls[..next])
            .map(|(_, c)| c.as_str()),
    );
    let mut seen: Vec<&str> = Vec::new();
    order.retain(|c| {
        let new = !seen.contains(c);
        seen.push(c);
        new
    });
    // A frame whose entry the walk did not see at its present place (a
    // stack copied since) has no history of its own: named as from one step.
    let entered = past.and_then(|past| {
        layout
            .image
            .addr(&f.func)
            .and_then(|pc| past.entered(pc, f.ret_slot))
    });
    let (Some(past), Some(entered)) = (past, entered) else {
        return order
            .iter()
            .flat_map(|c| {
                argument_words(arch, vars, c)
                    .into_iter()
                    .map(|word| named(c, word, false))
            })
            .collect();
    };
    let made: Vec<crate::Call> = past
        .calls(f.sp.wrapping_sub(w))
        .filter(|c| c.step >= entered)
        .collect();
    let callee_name = |c: &crate::Call| {
        layout
            .image
            .symbol_at(c.callee)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    };
    // The call a word belongs to: `Some(i)` for `made[i]`, `None` for the
    // next call (the frame is writing its arguments) or a word no call used.
    let owner = |addr: u64| -> Option<Option<usize>> {
        let (t, sp) = past.written(addr - addr % w)?;
        if t < entered {
            return None;
        }
        Some(if sp == f.sp {
            made.iter().position(|c| c.step >= t)
        } else {
            Some(made.iter().rposition(|c| c.step < t)?)
        })
    };
    let last = made.len().checked_sub(1);
    let mut out: Vec<(u64, u64, Named)> = Vec::new();
    let mut taken: Vec<u64> = Vec::new();
    if let Some(c) = live {
        for word in argument_words(arch, vars, &c.func) {
            let fresh = owner(f.sp.wrapping_add(word.offset)) == Some(last);
            taken.push(word.offset);
            out.push(named(&c.func, word, !fresh));
        }
    }
    // The words no live call owns: by the call that last used them.
    let mut earlier: Vec<(usize, String)> = made.iter().map(callee_name).enumerate().collect();
    earlier.reverse();
    for (i, c) in &earlier {
        for word in argument_words(arch, vars, c) {
            let addr = f.sp.wrapping_add(word.offset);
            if taken.contains(&word.offset) || owner(addr) != Some(Some(*i)) {
                continue;
            }
            taken.push(word.offset);
            let stale = live.is_some() || Some(*i) != last;
            out.push(named(c, word, stale));
        }
    }
    // The rest: the calls from here on name what the frame is writing for them.
    for c in &order {
        for word in argument_words(arch, vars, c) {
            if taken.contains(&word.offset) {
                continue;
            }
            taken.push(word.offset);
            let stale = owner(f.sp.wrapping_add(word.offset)) != Some(None);
            out.push(named(c, word, stale));
        }
    }
    out
}

/// The registers that hold a value of the innermost frame, when it is a
/// package function's: at its entry its arguments, at its `RET` its
/// results, as the calling convention places them; just after a call the
/// callee's results; elsewhere the register pieces of its variables'
/// DWARF locations at the pc.
pub(crate) fn register_names(
    layout: &super::Layout,
    snap: &super::Snapshot,
    frames: &[Frame],
    past: Option<&History<'_>>,
) -> Vec<RegVar> {
    let Some(f) = frames.first() else {
        return Vec::new();
    };
    let Some(sym) = layout.image.symbol_at(f.pc) else {
        return Vec::new();
    };
    let Some(info) = layout.funcs.get(&sym.addr) else {
        return Vec::new();
    };
    let vars = layout.whole.debug.vars();
    let arch = layout.arch;
    let placed = |func: &str, role: VarRole| -> Vec<RegVar> {
        let params = vars.variables(func);
        let Some(placed) = assign::assign(arch, &params) else {
            return Vec::new();
        };
        placed
            .into_iter()
            .filter(|p| p.var.role == role)
            .flat_map(|p| match p.place {
                Place::Regs(regs) => regs
                    .into_iter()
                    .map(|(path, reg, size)| RegVar {
                        reg,
                        func: func.to_string(),
                        name: format!("{}{path}", p.var.name),
                        size,
                        float: matches!(reg, Reg::Xmm(_)),
                    })
                    .collect(),
                Place::Stack(_) => Vec::new(),
            })
            .collect()
    };
    let mut out = Vec::new();
    let asm = info.lines.get(&f.offset).map_or("", |(_, a)| a.as_str());
    if f.pc == sym.addr {
        out = placed(&f.func, VarRole::Arg);
    } else if asm.starts_with("RET") {
        out = placed(&f.func, VarRole::Result);
    }
    // Just after a call: the callee's results.
    let w = arch.word();
    let sp = snap.cpu.gpr[crate::abi::RSP];
    let returned = info
        .lines
        .range(..f.offset)
        .next_back()
        .filter(|(_, (_, a))| a.starts_with("CALL"));
    if out.is_empty()
        && let Some((_, (_, a))) = returned
    {
        let direct = a
            .split_whitespace()
            .nth(1)
            .and_then(|t| t.strip_suffix("(SB)"));
        // The call made last from here, when it is this call (an indirect
        // one's callee is known only from the run).
        let callee = past
            .and_then(|p| p.calls(sp.wrapping_sub(w)).last())
            .and_then(|c| layout.image.symbol_at(c.callee).map(|s| s.name.clone()))
            .filter(|_| direct.is_none())
            .or_else(|| direct.map(str::to_string));
        if let Some(callee) = callee {
            out = placed(&callee, VarRole::Result);
        }
    }
    // And where DWARF says each variable is at this pc: a register may
    // hold a result being returned and a variable of the function both.
    for v in vars.variables(&f.func).iter() {
        let Some(shape) = &v.shape else { continue };
        for home in v
            .homes
            .iter()
            .filter(|h| h.pcs.is_none_or(|(a, b)| (a..b).contains(&f.pc)))
        {
            for &(in_var, size, dwarf) in &home.regs {
                let Some(reg) = crate::abi::dwarf_register(arch, dwarf) else {
                    continue;
                };
                let size = size.unwrap_or(shape.size - in_var);
                let leaf = shape.leaves.iter().find(|l| l.offset == in_var);
                let path = leaf.map_or_else(
                    || {
                        if in_var == 0 {
                            String::new()
                        } else {
                            format!("+{in_var}")
                        }
                    },
                    |l| l.path.clone(),
                );
                out.push(RegVar {
                    reg,
                    func: f.func.clone(),
                    name: format!("{}{path}", v.name),
                    size,
                    float: leaf.is_some_and(|l| l.float),
                });
            }
        }
    }
    let mut seen = Vec::new();
    out.retain(|r| {
        let key = (r.reg, r.func.clone(), r.name.clone());
        let new = !seen.contains(&key);
        seen.push(key);
        new
    });
    out
}
