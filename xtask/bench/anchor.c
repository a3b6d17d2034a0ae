/* The Unicorn anchor for `cargo xtask bench`: a recursive fib(30) in
 * hand-assembled x86-64, run by Unicorn (the C API of the library the
 * `unicorn` Python wheel ships) with a UC_HOOK_CODE hook that counts every
 * instruction, as a tracer must; then again without the hook.
 * Prints: `hooked <instructions> <seconds>` and `unhooked <seconds>`. */
#include <stdio.h>
#include <stdint.h>
#include <time.h>
#include <unicorn/unicorn.h>

#define CODE 0x100000
#define STACK 0x200000
#define STACK_SIZE 0x100000

/* fib(n): rdi = n, result in rax.
 *   0: cmp rdi, 2        4: jl 35           6: push rbx       7: push rdi
 *   8: lea rdi, [rdi-1] 12: call fib       17: mov rbx, rax  20: pop rdi
 *  21: lea rdi, [rdi-2] 25: call fib       30: add rax, rbx  33: pop rbx
 *  34: ret              35: mov rax, rdi   38: ret
 * start:
 *  39: mov rdi, 30      46: call fib       51: (the end) */
static const uint8_t code[] = {
    0x48, 0x83, 0xff, 0x02, 0x7c, 0x1d, 0x53, 0x57, 0x48, 0x8d, 0x7f, 0xff,
    0xe8, 0xef, 0xff, 0xff, 0xff, 0x48, 0x89, 0xc3, 0x5f, 0x48, 0x8d, 0x7f,
    0xfe, 0xe8, 0xe2, 0xff, 0xff, 0xff, 0x48, 0x01, 0xd8, 0x5b, 0xc3, 0x48,
    0x89, 0xf8, 0xc3, 0x48, 0xc7, 0xc7, 0x1e, 0x00, 0x00, 0x00, 0xe8, 0xcd,
    0xff, 0xff, 0xff,
};

static void count(uc_engine *uc, uint64_t address, uint32_t size, void *data) {
    (void)uc; (void)address; (void)size;
    ++*(uint64_t *)data;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Runs fib(30) once; returns its seconds, or -1 on an error. */
static double run(int hooked, uint64_t *steps) {
    uc_engine *uc;
    uc_hook hook;
    uint64_t sp = STACK + STACK_SIZE - 0x100, rax = 0;
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &uc) != UC_ERR_OK) return -1;
    uc_mem_map(uc, CODE, 0x1000, UC_PROT_ALL);
    uc_mem_map(uc, STACK, STACK_SIZE, UC_PROT_ALL);
    uc_mem_write(uc, CODE, code, sizeof code);
    uc_reg_write(uc, UC_X86_REG_RSP, &sp);
    if (hooked) uc_hook_add(uc, &hook, UC_HOOK_CODE, count, steps, 1, 0);
    double start = now();
    uc_err err = uc_emu_start(uc, CODE + 39, CODE + sizeof code, 0, 0);
    double seconds = now() - start;
    uc_reg_read(uc, UC_X86_REG_RAX, &rax);
    uc_close(uc);
    if (err != UC_ERR_OK || rax != 832040) {
        fprintf(stderr, "anchor: fib(30) gave %llu (%s)\n", (unsigned long long)rax, uc_strerror(err));
        return -1;
    }
    return seconds;
}

int main(void) {
    double best = 1e9, plain = 1e9;
    uint64_t steps = 0;
    for (int i = 0; i < 3; i++) {
        steps = 0;
        double s = run(1, &steps);
        if (s < 0) return 1;
        if (s < best) best = s;
        s = run(0, 0);
        if (s < 0) return 1;
        if (s < plain) plain = s;
    }
    printf("hooked %llu %.6f\nunhooked %.6f\n", (unsigned long long)steps, best, plain);
    return 0;
}
