/* Runs a generated arm64 int8 micro-kernel (Sources/BertEmbedKernels/CodeGeneration/Int8GemmARM64JIT.swift: sdot or
 * smmla) on cases written by Int8GemmARM64Tests (on x86-64, with the expected tile from the scalar reference kernel),
 * under qemu-aarch64 -cpu max: the program's bytes are mapped as the package maps them (written, then made read +
 * execute), each case's c (4 rows of ldc floats, filled with a NaN pattern the kernel must leave where it does not
 * write) is compared bit for bit with the expected one, and the registers the kernel must preserve (d8-d15, x19-x28,
 * sp) are checked after each call. Prints one line per mismatch (up to 20 values) and a summary; exit status 0 only
 * when every case matches.
 *
 * File (little-endian): "I8MK", the code's byte count (u32) and bytes, the case count (u32); per case blocks, rows,
 * ldc (u32 each), a's byte count (u32) and bytes, b's byte count (u32) and bytes, then the expected c (4 * ldc
 * floats) and the initial c (4 * ldc floats). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef void (*kernel_fn)(const void *, const void *, long, float *, long, long);

/* call_checked(a, b, blocks, c, ldc, rows, kernel, after): calls kernel(a, b, blocks, c, ldc, rows) with d8-d15 set to
 * 1.0 ... 8.0 and x19-x28 to 19 ... 28, the registers AAPCS64 makes the callee preserve, and stores what the kernel
 * left in them (after[0 ... 7]: d8-d15's bits, after[8 ... 17]: x19-x28) and how far it moved sp (after[18]). */
void call_checked(const void *, const void *, long, float *, long, long, kernel_fn, uint64_t *);
__asm__(".pushsection .text\n"
        ".p2align 2\n"
        ".global call_checked\n"
        ".type call_checked, %function\n"
        "call_checked:\n"
        "  stp x29, x30, [sp, #-176]!\n"
        "  mov x29, sp\n"
        "  stp d8, d9, [sp, #16]\n  stp d10, d11, [sp, #32]\n  stp d12, d13, [sp, #48]\n  stp d14, d15, [sp, #64]\n"
        "  stp x19, x20, [sp, #80]\n  stp x21, x22, [sp, #96]\n  stp x23, x24, [sp, #112]\n"
        "  stp x25, x26, [sp, #128]\n  stp x27, x28, [sp, #144]\n"
        "  str x7, [sp, #160]\n"
        "  mov x9, sp\n  str x9, [sp, #168]\n"
        "  fmov d8, #1.0\n  fmov d9, #2.0\n  fmov d10, #3.0\n  fmov d11, #4.0\n"
        "  fmov d12, #5.0\n  fmov d13, #6.0\n  fmov d14, #7.0\n  fmov d15, #8.0\n"
        "  mov x19, #19\n  mov x20, #20\n  mov x21, #21\n  mov x22, #22\n  mov x23, #23\n"
        "  mov x24, #24\n  mov x25, #25\n  mov x26, #26\n  mov x27, #27\n  mov x28, #28\n"
        "  blr x6\n"
        "  mov x9, sp\n  ldr x10, [x29, #168]\n  sub x9, x9, x10\n"
        "  ldr x7, [x29, #160]\n"
        "  stp d8, d9, [x7]\n  stp d10, d11, [x7, #16]\n  stp d12, d13, [x7, #32]\n  stp d14, d15, [x7, #48]\n"
        "  stp x19, x20, [x7, #64]\n  stp x21, x22, [x7, #80]\n  stp x23, x24, [x7, #96]\n"
        "  stp x25, x26, [x7, #112]\n  stp x27, x28, [x7, #128]\n  str x9, [x7, #144]\n"
        "  mov sp, x29\n"
        "  ldp d8, d9, [sp, #16]\n  ldp d10, d11, [sp, #32]\n  ldp d12, d13, [sp, #48]\n  ldp d14, d15, [sp, #64]\n"
        "  ldp x19, x20, [sp, #80]\n  ldp x21, x22, [sp, #96]\n  ldp x23, x24, [sp, #112]\n"
        "  ldp x25, x26, [sp, #128]\n  ldp x27, x28, [sp, #144]\n"
        "  ldp x29, x30, [sp], #176\n"
        "  ret\n"
        ".size call_checked, .-call_checked\n"
        ".popsection\n");

static FILE *file;
static void read_bytes(void *target, size_t count) {
    if (fread(target, 1, count, file) != count) {
        fprintf(stderr, "int8_kernel_driver: the case file ends early\n");
        exit(2);
    }
}
static uint32_t read_u32(void) {
    uint32_t value;
    read_bytes(&value, 4);
    return value;
}
static void *read_block(uint32_t *count) {
    *count = read_u32();
    void *block = malloc(*count ? *count : 1);
    read_bytes(block, *count);
    return block;
}

int main(int argc, char **argv) {
    if (argc != 2 || !(file = fopen(argv[1], "rb"))) {
        fprintf(stderr, "usage: int8_kernel_driver CASES (a file written by Int8GemmARM64Tests)\n");
        return 2;
    }
    char magic[4];
    read_bytes(magic, 4);
    if (memcmp(magic, "I8MK", 4) != 0) {
        fprintf(stderr, "int8_kernel_driver: not a case file\n");
        return 2;
    }
    uint32_t code_size;
    void *code = read_block(&code_size);
    size_t mapped_size = (code_size + 4095) & ~(size_t)4095;
    void *mapped = mmap(NULL, mapped_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) return 2;
    memcpy(mapped, code, code_size);
    __builtin___clear_cache((char *)mapped, (char *)mapped + code_size);
    if (mprotect(mapped, mapped_size, PROT_READ | PROT_EXEC) != 0) return 2;
    kernel_fn kernel = (kernel_fn)mapped;

    uint32_t cases = read_u32(), failures = 0;
    for (uint32_t i = 0; i < cases; i++) {
        uint32_t blocks = read_u32(), rows = read_u32(), ldc = read_u32(), a_size, b_size;
        void *a = read_block(&a_size), *b = read_block(&b_size);
        float *expected = malloc(16 * ldc), *c = malloc(16 * ldc);
        read_bytes(expected, 16 * ldc);
        read_bytes(c, 16 * ldc);
        uint64_t after[19];
        call_checked(a, b_size ? b : a, blocks, c, ldc, rows, kernel, after);
        for (int r = 0; r < 8; r++) {
            double value;
            memcpy(&value, &after[r], 8);
            if (value != (double)(r + 1)) {
                printf("case %u: d%d not preserved (%g)\n", i, 8 + r, value);
                failures++;
            }
        }
        for (int r = 0; r < 10; r++) {
            if (after[8 + r] != (uint64_t)(19 + r)) {
                printf("case %u: x%d not preserved\n", i, 19 + r);
                failures++;
            }
        }
        if (after[18] != 0) {
            printf("case %u: sp moved by %lld\n", i, (long long)after[18]);
            failures++;
        }
        for (uint32_t j = 0; j < 4 * ldc; j++) {
            uint32_t got, want;
            memcpy(&got, &c[j], 4);
            memcpy(&want, &expected[j], 4);
            if (got != want) {
                if (failures < 20)
                    printf("case %u (blocks %u, rows %u): c[%u][%u] = 0x%08x, expected 0x%08x\n", i, blocks, rows,
                           j / ldc, j % ldc, got, want);
                failures++;
            }
        }
        free(a);
        free(b);
        free(expected);
        free(c);
    }
    printf("int8 arm64 kernel: %u cases, %u values differ\n", cases, failures);
    return failures == 0 ? 0 : 1;
}
