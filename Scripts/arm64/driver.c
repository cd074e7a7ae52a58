/* Runs every compiled GEMM micro-kernel (KernelHarness.swift) against a double-precision reference, on arm64 under
 * qemu (Scripts/check_arm64_kernels.sh): depths that are not multiples of anything (1, 3, 17, 100, 256), both store
 * modes (c = a.b and c += a.b over a random c), a row stride wider than the tile, and every cell outside the tile
 * checked untouched. Exit status 0 only when every case passes. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*kernel_fn)(const float *, const float *, long, float *, long, bool);
void bert_gemm_6x16_simd8_fma(const float *, const float *, long, float *, long, bool);
void bert_gemm_12x32_simd16_fma(const float *, const float *, long, float *, long, bool);
void bert_gemm_8x12_simd4_fma(const float *, const float *, long, float *, long, bool);
void bert_gemm_6x16_simd8_muladd(const float *, const float *, long, float *, long, bool);
void bert_gemm_6x8_simd4_muladd_splat(const float *, const float *, long, float *, long, bool);
void bert_gemm_6x8_simd4_muladd(const float *, const float *, long, float *, long, bool);
void bert_gemm_4x12_simd4_muladd(const float *, const float *, long, float *, long, bool);

struct kernel { const char *name; kernel_fn run; int rows, columns, splat; };

static uint64_t state = 0x9E3779B97F4A7C15ull;
static float next_float(void) { /* splitmix64 -> [-1, 1) */
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (float)((double)(z >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

int main(void) {
    const struct kernel kernels[] = {
        {"8x12-simd4-fma (NEON, chosen on arm64)", bert_gemm_8x12_simd4_fma, 8, 12, 1},
        {"6x16-simd8-fma", bert_gemm_6x16_simd8_fma, 6, 16, 1},
        {"12x32-simd16-fma", bert_gemm_12x32_simd16_fma, 12, 32, 1},
        {"6x16-simd8-muladd", bert_gemm_6x16_simd8_muladd, 6, 16, 1},
        {"6x8-simd4-muladd-splat", bert_gemm_6x8_simd4_muladd_splat, 6, 8, 4},
        {"6x8-simd4-muladd", bert_gemm_6x8_simd4_muladd, 6, 8, 1},
        {"4x12-simd4-muladd", bert_gemm_4x12_simd4_muladd, 4, 12, 1},
    };
    const long depths[] = {1, 3, 17, 100, 256};
    const float sentinel = 12345.5f;
    int failures = 0, cases = 0;
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
        const struct kernel *kernel = &kernels[k];
        double worst = 0;
        for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++) {
            long kc = depths[d], mr = kernel->rows, nr = kernel->columns, ldc = nr + 5, outRows = mr + 2;
            float *a = malloc(sizeof(float) * kc * mr * kernel->splat), *b = malloc(sizeof(float) * kc * nr);
            float *c = malloc(sizeof(float) * outRows * ldc), *start = malloc(sizeof(float) * outRows * ldc);
            double *logical = malloc(sizeof(double) * kc * mr);
            for (long i = 0; i < kc * mr; i++) logical[i] = next_float();
            /* Packed A: (kc, mr, splat), each value `splat` times. */
            for (long p = 0; p < kc; p++)
                for (long r = 0; r < mr; r++)
                    for (long s = 0; s < kernel->splat; s++)
                        a[(p * mr + r) * kernel->splat + s] = (float)logical[p * mr + r];
            for (long i = 0; i < kc * nr; i++) b[i] = next_float();
            for (int accumulate = 0; accumulate < 2; accumulate++) {
                /* The tile gets random values (what c += adds to); every cell outside it a sentinel. */
                for (long r = 0; r < outRows; r++)
                    for (long j = 0; j < ldc; j++)
                        start[r * ldc + j] = (r < mr && j < nr) ? next_float() : sentinel;
                memcpy(c, start, sizeof(float) * outRows * ldc);
                kernel->run(a, b, kc, c, ldc, accumulate);
                cases++;
                for (long r = 0; r < outRows; r++) {
                    for (long j = 0; j < ldc; j++) {
                        float got = c[r * ldc + j];
                        if (r >= mr || j >= nr) {
                            if (got != sentinel) {
                                printf("FAIL %s kc=%ld: cell (%ld, %ld) outside the tile changed\n", kernel->name, kc, r, j);
                                failures++;
                            }
                            continue;
                        }
                        double sum = accumulate ? start[r * ldc + j] : 0, magnitude = fabs(sum);
                        for (long p = 0; p < kc; p++) {
                            double product = (double)a[(p * mr + r) * kernel->splat] * (double)b[p * nr + j];
                            sum += product;
                            magnitude += fabs(product);
                        }
                        /* float32 accumulation over kc terms: error within kc ulps of the sum of magnitudes. */
                        double error = fabs(got - sum) / (magnitude + 1e-30);
                        if (error > worst) worst = error;
                        if (error > 1.2e-7 * (double)(kc + 1)) {
                            printf("FAIL %s kc=%ld accumulate=%d: c[%ld][%ld] = %.9g, reference %.9g\n", kernel->name,
                                   kc, accumulate, r, j, got, sum);
                            failures++;
                        }
                    }
                }
            }
            free(a); free(b); free(c); free(start); free(logical);
        }
        printf("%-40s %dx%d: depths 1 3 17 100 256, both store modes, outside cells untouched; worst relative "
               "error %.2g\n", kernel->name, kernel->rows, kernel->columns, worst);
    }
    printf("%d cases, %d failures\n", cases, failures);
    return failures == 0 ? 0 : 1;
}
