# Measures the Go runtime's frames in a probe program, for
# `cargo xtask runtime-frames`. Run as `gdb -batch -x runtime_frames.py PROBE`
# with GOSTACK_PROBE set to `entry` or `chain` and GOSTACK_BREAK to the
# function to stop in. Prints one line, `RESULT <json>`, on stdout.
#
# entry: stops at the function's first instruction; reports the goroutine's
#   stack size, where the return address sits and what it points at, and the
#   slot of runtime.goexit's return address above it.
# chain: stops at the first instruction of a deferred closure; walks the
#   runtime frames from the closure's return address up to the return
#   address into package code, then runs the program again, stops at the
#   call (or the faulting instruction) in package code and checks that its
#   return slot is the one the walk reached.
#
# Frame sizes come from each function's prologue (SUB $n, SP); on amd64 each
# frame's saved BP is checked to sit just below its return slot, and the BP
# chain to link the frames.

import json
import os
import re
import struct

import gdb


def fail(msg):
    raise gdb.GdbError("runtime-frames: " + msg)


def run_to(location):
    gdb.execute("delete")
    gdb.execute("break *" + location, to_string=True)
    gdb.execute("run", to_string=True)
    try:
        pc = reg("pc")
    except gdb.error:
        fail("the program ended before reaching " + location)
    return pc


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & MASK


def word(addr):
    data = gdb.selected_inferior().read_memory(addr, PTR).tobytes()
    return struct.unpack("<Q" if PTR == 8 else "<I", data)[0]


def symbol(pc):
    """The function holding pc and the offset of pc in it."""
    out = gdb.execute("info symbol 0x%x" % pc, to_string=True)
    m = re.match(r"(\S+)(?: \+ (\d+))? in section", out)
    if not m:
        fail("no symbol for 0x%x: %s" % (pc, out.strip()))
    name = m.group(1)
    if name.endswith(".abi0"):
        name = name[: -len(".abi0")]
    return name, int(m.group(2) or 0)


def instructions(start, count):
    return gdb.selected_frame().architecture().disassemble(start, count=count)


IMM = re.compile(r"^(sub|add)\s+\$(-?0x[0-9a-f]+|-?\d+),%[re]sp$")


def frame_size(func_start):
    """Bytes from a function's return slot to the return slot of its calls."""
    pushed_bp = False
    for insn in instructions(func_start, 24):
        asm = insn["asm"].split("#")[0].strip()
        if asm == "push   %rbp":
            pushed_bp = True
        m = IMM.match(asm)
        if m:
            n = int(m.group(2), 0)
            if n >= 1 << (PTR * 8 - 1):
                n -= 1 << (PTR * 8)
            if m.group(1) == "add":
                n = -n
            # amd64 since Go 1.21: PUSHQ BP; MOVQ SP, BP; SUBQ $n, SP.
            # Before: SUBQ $n, SP; MOVQ BP, n-8(SP), with BP inside n.
            return n + PTR + (PTR if pushed_bp else 0)
        if asm.startswith("call") or asm.startswith("jmp") or asm.startswith("ret"):
            break
    return PTR + (PTR if pushed_bp else 0)


def goroutine(sp):
    """(lo, hi) of the goroutine whose stack holds sp, found in runtime.allgs."""
    allgs = int(gdb.parse_and_eval("&'runtime.allgs'"))
    array, n = word(allgs), word(allgs + PTR)
    for i in range(n):
        g = word(array + i * PTR)
        lo, hi = word(g), word(g + PTR)
        if lo <= sp < hi:
            if PTR == 8 and reg("r14") != g:
                fail("R14 is 0x%x, not the g 0x%x whose stack holds SP" % (reg("r14"), g))
            return lo, hi
    fail("no goroutine's stack holds SP 0x%x" % sp)


def walk(slot, done):
    """Frames from the return address at slot outwards, until done(func).

    Returns the frames (innermost first) as [func, size, ret] and the slot
    whose return address satisfied done.
    """
    frames = []
    bp = reg("rbp") if PTR == 8 else None
    while True:
        pc = word(slot)
        func, off = symbol(pc)
        if done(func):
            return frames, slot
        size = frame_size(pc - off)
        if bp is not None:
            if bp != slot + size - PTR:
                fail("%s: BP 0x%x is not at its return slot 0x%x - 8" % (func, bp, slot + size))
            bp = word(bp)
        frames.append([func, size, off])
        slot += size
        if len(frames) > 16:
            fail("no end to the frames above 0x%x" % slot)


def entry(target):
    run_to("'%s'" % target)
    sp = reg("sp")
    lo, hi = goroutine(sp)
    func, off = symbol(word(sp))
    _, top = walk(sp, lambda f: f == "runtime.goexit")
    if symbol(word(top)) != ("runtime.goexit", 1):
        fail("the first frame returns to %s+%d" % symbol(word(top)))
    return {
        "stack": hi - lo,
        "ret": [func, off],
        "sp": hi - sp,
        "bp": hi - reg("rbp") if PTR == 8 else 0,
        "goexit_slot": hi - top,
    }


def chain(target):
    run_to("'%s'" % target)
    sp = reg("sp")
    _, hi = goroutine(sp)
    frames, top = walk(sp, lambda f: f.startswith("main."))
    pc = word(top)
    func, off = symbol(pc)
    # The package instruction: a call that returns to pc, or the fault at pc.
    site, kind = pc, "fault"
    for insn in instructions(pc - off, off + 1):
        if insn["addr"] >= pc:
            break
        if insn["addr"] + insn["length"] == pc and insn["asm"].startswith("call"):
            site, kind = insn["addr"], "call"
    asm = instructions(site, 1)[0]["asm"]
    # Run again to the package instruction: its return slot must be top.
    if run_to("0x%x" % site) != site:
        fail("stopped away from 0x%x" % site)
    sp2 = reg("sp")
    _, hi2 = goroutine(sp2)
    if hi2 - (sp2 - PTR) != hi - top:
        fail(
            "the walk from %s ends 0x%x below the stack top, but %s at %s+0x%x leaves its return slot 0x%x below"
            % (target, hi - top, kind, func, off, hi2 - (sp2 - PTR))
        )
    frames.reverse()
    return {"frames": frames, "site": [func, off], "kind": kind, "insn": " ".join(asm.split())}


def main():
    global PTR, MASK
    gdb.execute("set confirm off")
    gdb.execute("set pagination off")
    gdb.execute("set print demangle off")
    gdb.execute("set print asm-demangle off")
    for sig in ("SIGSEGV", "SIGFPE", "SIGURG", "SIGPIPE", "SIGPROF"):
        gdb.execute("handle %s nostop noprint pass" % sig, to_string=True)
    PTR = 8 if "64" in gdb.selected_inferior().architecture().name() else 4
    MASK = (1 << (PTR * 8)) - 1
    probe, target = os.environ["GOSTACK_PROBE"], os.environ["GOSTACK_BREAK"]
    result = entry(target) if probe == "entry" else chain(target)
    print("RESULT " + json.dumps(result))
    gdb.execute("kill")


main()
