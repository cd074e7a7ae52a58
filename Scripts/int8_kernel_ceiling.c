/* What int8 can gain over float32 in a GEMM micro-kernel on an AVX2 CPU (no VNNI): the inner loops that an int8
 * kernel of this package would run, timed on operands in L1 against the float32 tile the package runs today. A
 * measurement for issue 13's design, not package code: C with intrinsics, built and run by hand.
 *
 *   clang -O2 -mavx2 -mfma -o /tmp/int8-ceiling Scripts/int8_kernel_ceiling.c && /tmp/int8-ceiling
 *
 * Kernels (each accumulates a tile over K = 384 values, repeated; multiply-adds per second are reported):
 *   f32 6x16      the float32 tile: 12 ymm accumulators, per k 2 loads of B, 6 broadcasts of A, 12 FMAs
 *   u8s8 4x16     int8 with vpmaddubsw (u8 x s8 -> pairs of int16, saturating) + vpmaddwd by ones (-> int32) +
 *                 vpaddd; per 4 k, 4 broadcast rows x 2 column vectors; exact only when a pair cannot saturate
 *                 (7-bit activations or weights); no scales
 *   s8s8 4x16     the same with symmetric int8 on both sides through the sign trick: |a| (vpabsb, once per
 *                 broadcast) times b with a's sign (vpsignb): exact for values in [-127, 127]
 *   s8s8 blk32    s8s8 with a scale per block of 32 k (llama.cpp's q8_0 layout): every 8 steps each int32
 *                 accumulator is converted (vcvtdq2ps) and added into a float accumulator with the product of the
 *                 row's and the column's block scales (vfmadd), a 3x16 tile for the registers
 *   i16 6x16      int16 operands with vpmaddwd + vpaddd (exact, no saturation), per 2 k
 * Results are checked against a scalar reference so the timed loops compute what they claim. */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { K = 384, REPEAT = 200000 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* float32: A packed (K, 6), B packed (K, 16), C (6, 16). */
__attribute__((noinline)) static void f32_6x16(const float *a, const float *b, float *c) {
    __m256 acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm256_setzero_ps();
    for (int k = 0; k < K; k++) {
        __m256 b0 = _mm256_loadu_ps(b + k * 16), b1 = _mm256_loadu_ps(b + k * 16 + 8);
        for (int r = 0; r < 6; r++) {
            __m256 av = _mm256_broadcast_ss(a + k * 6 + r);
            acc[2 * r] = _mm256_fmadd_ps(av, b0, acc[2 * r]);
            acc[2 * r + 1] = _mm256_fmadd_ps(av, b1, acc[2 * r + 1]);
        }
    }
    for (int i = 0; i < 12; i++) _mm256_storeu_ps(c + i * 8, acc[i]);
}

/* One step of 4 k for `rows` rows and 16 columns: acc[2r], acc[2r + 1] += a[r] . b over the 4 bytes of each lane
 * (vpmaddubsw, then vpmaddwd by ones, then vpaddd). `is_signed`: a is s8, through |a| and b with a's sign. Inlined
 * with constant rows and is_signed, so each kernel gets its own straight-line loop. */
__attribute__((always_inline)) static inline void int8_step(
    __m256i *acc, const uint8_t *a, int rows, const int8_t *b, int is_signed) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i b0 = _mm256_loadu_si256((const __m256i *)b), b1 = _mm256_loadu_si256((const __m256i *)(b + 32));
    for (int r = 0; r < rows; r++) {
        int32_t word;
        memcpy(&word, a + r * 4, 4);
        __m256i av = _mm256_set1_epi32(word), left = is_signed ? _mm256_abs_epi8(av) : av;
        __m256i right0 = is_signed ? _mm256_sign_epi8(b0, av) : b0, right1 = is_signed ? _mm256_sign_epi8(b1, av) : b1;
        acc[2 * r] = _mm256_add_epi32(acc[2 * r], _mm256_madd_epi16(_mm256_maddubs_epi16(left, right0), ones));
        acc[2 * r + 1] = _mm256_add_epi32(acc[2 * r + 1], _mm256_madd_epi16(_mm256_maddubs_epi16(left, right1), ones));
    }
}

/* int8: A packed (K/4, 4 rows, 4 bytes), B packed (K/4, 16 columns, 4 bytes); C (4, 16) int32. */
__attribute__((noinline)) static void u8s8_4x16(const uint8_t *a, const int8_t *b, int32_t *c) {
    __m256i acc[8];
    for (int i = 0; i < 8; i++) acc[i] = _mm256_setzero_si256();
    for (int k = 0; k < K / 4; k++) int8_step(acc, a + k * 16, 4, b + k * 64, 0);
    for (int i = 0; i < 8; i++) _mm256_storeu_si256((__m256i *)(c + i * 8), acc[i]);
}

__attribute__((noinline)) static void s8s8_4x16(const int8_t *a, const int8_t *b, int32_t *c) {
    __m256i acc[8];
    for (int i = 0; i < 8; i++) acc[i] = _mm256_setzero_si256();
    for (int k = 0; k < K / 4; k++) int8_step(acc, (const uint8_t *)a + k * 16, 4, b + k * 64, 1);
    for (int i = 0; i < 8; i++) _mm256_storeu_si256((__m256i *)(c + i * 8), acc[i]);
}

/* Block scales: sa (K/32, 3 rows), sb (K/32, 16 columns); C (3, 16) float. */
__attribute__((noinline)) static void s8s8_blk32_3x16(
    const int8_t *a, const int8_t *b, const float *sa, const float *sb, float *c) {
    __m256 out[6];
    for (int i = 0; i < 6; i++) out[i] = _mm256_setzero_ps();
    for (int blk = 0; blk < K / 32; blk++) {
        __m256i acc[6];
        for (int i = 0; i < 6; i++) acc[i] = _mm256_setzero_si256();
        for (int k = blk * 8; k < blk * 8 + 8; k++) int8_step(acc, (const uint8_t *)a + k * 12, 3, b + k * 64, 1);
        __m256 s0 = _mm256_loadu_ps(sb + blk * 16), s1 = _mm256_loadu_ps(sb + blk * 16 + 8);
        for (int r = 0; r < 3; r++) {
            __m256 row = _mm256_broadcast_ss(sa + blk * 3 + r);
            out[2 * r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc[2 * r]), _mm256_mul_ps(row, s0), out[2 * r]);
            out[2 * r + 1] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(acc[2 * r + 1]), _mm256_mul_ps(row, s1), out[2 * r + 1]);
        }
    }
    for (int i = 0; i < 6; i++) _mm256_storeu_ps(c + i * 8, out[i]);
}

/* int16: A packed (K/2, 6 rows, 2 values), B packed (K/2, 16 columns, 2 values); C (6, 16) int32. */
__attribute__((noinline)) static void i16_6x16(const int16_t *a, const int16_t *b, int32_t *c) {
    __m256i acc[12];
    for (int i = 0; i < 12; i++) acc[i] = _mm256_setzero_si256();
    for (int k = 0; k < K / 2; k++) {
        __m256i b0 = _mm256_loadu_si256((const __m256i *)(b + k * 32));
        __m256i b1 = _mm256_loadu_si256((const __m256i *)(b + k * 32 + 16));
        for (int r = 0; r < 6; r++) {
            int32_t word;
            memcpy(&word, a + k * 12 + r * 2, 4);
            __m256i av = _mm256_set1_epi32(word);
            acc[2 * r] = _mm256_add_epi32(acc[2 * r], _mm256_madd_epi16(av, b0));
            acc[2 * r + 1] = _mm256_add_epi32(acc[2 * r + 1], _mm256_madd_epi16(av, b1));
        }
    }
    for (int i = 0; i < 12; i++) _mm256_storeu_si256((__m256i *)(c + i * 8), acc[i]);
}

static int failures = 0;
static void expect(const char *name, double got, double want) {
    if (got != want) {
        printf("FAIL %s: %.9g != %.9g\n", name, got, want);
        failures++;
    }
}

static void report(const char *name, double seconds, long macs_per_call, double f32_rate) {
    double rate = (double)macs_per_call * REPEAT / seconds / 1e9;
    printf("%-12s %6.1f G multiply-adds/s  %5.2fx float32\n", name, rate, f32_rate > 0 ? rate / f32_rate : 1.0);
}

int main(void) {
    static float fa[K * 6], fb[K * 16], fc[96], sa[K / 32 * 3], sb[K / 32 * 16], bc[48];
    static uint8_t ua[K * 4];
    static int8_t sa8[K * 4], sb8[K * 16], ta8[K * 3];
    static int16_t wa[K * 6], wb[K * 16];
    static int32_t ic[96];
    srand(7);
    for (int i = 0; i < K * 6; i++) fa[i] = (float)(rand() % 17 - 8);
    for (int i = 0; i < K * 16; i++) fb[i] = (float)(rand() % 17 - 8);
    for (int i = 0; i < K * 4; i++) { ua[i] = (uint8_t)(rand() % 128); sa8[i] = (int8_t)(rand() % 255 - 127); }
    for (int i = 0; i < K * 16; i++) sb8[i] = (int8_t)(rand() % 255 - 127);
    for (int i = 0; i < K * 3; i++) ta8[i] = (int8_t)(rand() % 255 - 127);
    for (int i = 0; i < K * 6; i++) wa[i] = (int16_t)(rand() % 2001 - 1000);
    for (int i = 0; i < K * 16; i++) wb[i] = (int16_t)(rand() % 2001 - 1000);
    for (int i = 0; i < K / 32 * 3; i++) sa[i] = 1.0f / (float)(1 + rand() % 4);
    for (int i = 0; i < K / 32 * 16; i++) sb[i] = 1.0f / (float)(1 + rand() % 4);

    /* Check each kernel once against a scalar reference (one cell per row and column vector suffices). */
    f32_6x16(fa, fb, fc);
    u8s8_4x16(ua, sb8, ic);
    for (int r = 0; r < 4; r++)
        for (int j = 0; j < 16; j += 5) {
            long want = 0;
            for (int k = 0; k < K; k++) want += (long)ua[(k / 4) * 16 + r * 4 + k % 4] * sb8[(k / 4) * 64 + j * 4 + k % 4];
            expect("u8s8", ic[r * 16 + j], (double)want);
        }
    s8s8_4x16(sa8, sb8, ic);
    for (int r = 0; r < 4; r++)
        for (int j = 0; j < 16; j += 5) {
            long want = 0;
            for (int k = 0; k < K; k++) want += (long)sa8[(k / 4) * 16 + r * 4 + k % 4] * sb8[(k / 4) * 64 + j * 4 + k % 4];
            expect("s8s8", ic[r * 16 + j], (double)want);
        }
    s8s8_blk32_3x16(ta8, sb8, sa, sb, bc);
    for (int r = 0; r < 3; r++)
        for (int j = 0; j < 16; j += 5) {
            double want = 0;
            for (int blk = 0; blk < K / 32; blk++) {
                long sum = 0;
                for (int k = blk * 32; k < blk * 32 + 32; k++)
                    sum += (long)ta8[(k / 4) * 12 + r * 4 + k % 4] * sb8[(k / 4) * 64 + j * 4 + k % 4];
                want += (double)sum * ((double)sa[blk * 3 + r] * sb[blk * 16 + j]);
            }
            if (bc[r * 16 + j] - want > 1e-3 * (1 + (want < 0 ? -want : want)) ||
                want - bc[r * 16 + j] > 1e-3 * (1 + (want < 0 ? -want : want)))
                expect("s8s8 blk32", bc[r * 16 + j], want);
        }
    i16_6x16(wa, wb, ic);
    for (int r = 0; r < 6; r++)
        for (int j = 0; j < 16; j += 5) {
            long want = 0;
            for (int k = 0; k < K; k++) want += (long)wa[(k / 2) * 12 + r * 2 + k % 2] * wb[(k / 2) * 32 + j * 2 + k % 2];
            expect("i16", ic[r * 16 + j], (double)want);
        }

    double t = now();
    for (int i = 0; i < REPEAT; i++) { f32_6x16(fa, fb, fc); __asm__ volatile("" ::: "memory"); }
    double f32_seconds = now() - t, f32_rate = 6.0 * 16 * K * REPEAT / f32_seconds / 1e9;
    report("f32 6x16", f32_seconds, 6L * 16 * K, 0);
    t = now();
    for (int i = 0; i < REPEAT; i++) { u8s8_4x16(ua, sb8, ic); __asm__ volatile("" ::: "memory"); }
    report("u8s8 4x16", now() - t, 4L * 16 * K, f32_rate);
    t = now();
    for (int i = 0; i < REPEAT; i++) { s8s8_4x16(sa8, sb8, ic); __asm__ volatile("" ::: "memory"); }
    report("s8s8 4x16", now() - t, 4L * 16 * K, f32_rate);
    t = now();
    for (int i = 0; i < REPEAT; i++) { s8s8_blk32_3x16(ta8, sb8, sa, sb, bc); __asm__ volatile("" ::: "memory"); }
    report("s8s8 blk32", now() - t, 3L * 16 * K, f32_rate);
    t = now();
    for (int i = 0; i < REPEAT; i++) { i16_6x16(wa, wb, ic); __asm__ volatile("" ::: "memory"); }
    report("i16 6x16", now() - t, 6L * 16 * K, f32_rate);
    /* The outputs are read, so that no store (and no loop) of a kernel is dead. */
    printf("checksum %g\n", (double)fc[5] + bc[3] + ic[7]);
    printf("%s\n", failures ? "FAILED" : "all kernels equal their scalar reference");
    return failures != 0;
}
