/* Runs the generated arm64 int8 micro-kernel (Sources/BertEmbedKernels/CodeGeneration/Int8GemmSDOTJIT.swift) on
 * cases written by Int8GemmSDOTTests (on x86-64, with the expected tile from the scalar reference kernel), under
 * qemu-aarch64 -cpu max: the program's bytes are mapped as the package maps them (written, then made read + execute),
 * each case's c (4 rows of ldc floats, filled with a NaN pattern the kernel must leave where it does not write) is
 * compared bit for bit with the expected one. Prints one line per mismatch and a summary; exit status 0 only when
 * every case matches.
 *
 * File (little-endian): "SDOT", the code's byte count (u32) and bytes, the case count (u32); per case blocks, rows,
 * ldc (u32 each), a's byte count (u32) and bytes, b's byte count (u32) and bytes, then the expected c (4 * ldc
 * floats) and the initial c (4 * ldc floats). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef void (*kernel_fn)(const void *, const void *, long, float *, long, long);

static FILE *file;
static void read_bytes(void *target, size_t count) {
    if (fread(target, 1, count, file) != count) {
        fprintf(stderr, "int8_sdot_driver: the case file ends early\n");
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
        fprintf(stderr, "usage: int8_sdot_driver CASES (a file written by Int8GemmSDOTTests)\n");
        return 2;
    }
    char magic[4];
    read_bytes(magic, 4);
    if (memcmp(magic, "SDOT", 4) != 0) {
        fprintf(stderr, "int8_sdot_driver: not a case file\n");
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
        kernel(a, b_size ? b : a, blocks, c, ldc, rows);
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
    printf("int8 sdot kernel: %u cases, %u values differ\n", cases, failures);
    return failures == 0 ? 0 : 1;
}
