# gdb script (gdb's Python API): single-steps the real program through the
# functions of package main and writes one JSON line per instruction about to
# run there: pc, the sixteen general registers, rflags, the goroutine's stack
# top (g.stack.hi) and the stack words from SP up.
#
# Inputs, from the environment: GOSTACK_FUNCS (JSON list of [start, end) of
# the package's functions), GOSTACK_OUT (output file), GOSTACK_WORDS (how
# many stack words to dump), GOSTACK_MAX (step limit).
import json
import os

import gdb

REGS = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]

funcs = json.loads(os.environ["GOSTACK_FUNCS"])
words = int(os.environ.get("GOSTACK_WORDS", "48"))
limit = int(os.environ.get("GOSTACK_MAX", "200000"))
out = open(os.environ["GOSTACK_OUT"], "w")


def in_main(pc):
    return any(lo <= pc < hi for lo, hi in funcs)


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFFFFFFFFFF


def read(addr, n):
    return bytes(gdb.selected_inferior().read_memory(addr, n))


gdb.execute("set pagination off")
gdb.execute("set confirm off")
# Go turns SIGSEGV into a panic, and uses SIGURG for preemption: let the program have them.
for sig in ("SIGSEGV", "SIGURG", "SIGPIPE"):
    gdb.execute("handle %s nostop noprint pass" % sig, to_string=True)
for lo, _ in funcs:
    gdb.execute("break *%d" % lo, to_string=True)
gdb.execute("run", to_string=True)
gdb.execute("set scheduler-locking step")

steps = 0
pending = set()
while steps < limit:
    try:
        pc = reg("rip")
    except gdb.error:
        break
    if not in_main(pc):
        try:
            gdb.execute("continue", to_string=True)
            continue
        except gdb.error:
            break
    pending.discard(pc)
    regs = [reg(r) for r in REGS]
    g = regs[14]
    lo = int.from_bytes(read(g, 8), "little")
    hi = int.from_bytes(read(g + 8, 8), "little")
    sp = regs[4]
    n = max(0, min(words, (hi - sp) // 8))
    stack = list(int.from_bytes(read(sp + 8 * i, 8), "little") for i in range(n)) if n else []
    out.write(json.dumps({"pc": pc, "regs": regs, "flags": reg("eflags"), "lo": lo, "hi": hi, "stack": stack}) + "\n")
    steps += 1
    insn = gdb.selected_frame().architecture().disassemble(pc)[0]
    is_call = insn["asm"].lstrip().startswith("call")
    try:
        gdb.execute("stepi", to_string=True)
        new_pc = reg("rip")
    except gdb.error:
        break
    if not in_main(new_pc) and is_call:
        # A call out of the package: run it to its return, stopping again if
        # it calls back into the package (a deferred closure).
        ret = pc + insn["length"]
        if ret not in pending:
            gdb.execute("tbreak *%d" % ret, to_string=True)
            pending.add(ret)
        try:
            gdb.execute("continue", to_string=True)
        except gdb.error:
            break
out.close()
gdb.execute("kill", to_string=True)
