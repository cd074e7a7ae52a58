/* Runs the compiled kernels (KernelHarness.swift) against double-precision references, on arm64 under qemu and on
 * the x86-64 host (Scripts/check_arm64_kernels.sh):
 *   - every GEMM micro-kernel: depths that are not multiples of anything (1, 3, 17, 100, 256), both store modes
 *     (c = a.b and c += a.b over a random c), a row stride wider than the tile, every cell outside the tile untouched;
 *   - the activations of the GEMM epilogue (identity, erf GELU, tanh GELU, ReLU, tanh) over a dense sweep of
 *     [-20, 20] plus extremes, rows whose length is not a multiple of 8, with a bias, cells past each row untouched;
 *   - one row of the fused residual add + LayerNorm, widths 1 to 387, with and without the residual;
 *   - attention's softmax row (lengths 1 to 257, written into a micro-panel column, splat 1 and 4) and its packing of
 *     queries and keys into micro-panels.
 * It prints a digest of every output's bits: the script requires arm64's to equal x86-64's (the kernels use no
 * platform-dependent arithmetic: separate multiplies and adds or fused ones in a fixed order, IEEE division and
 * square root). Exit status 0 only when every case passes. */
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

void bert_activation(long, float *, long, long, long, const float *);
double bert_activation_reference(long, double);
void bert_layer_norm_row(float *, const float *, long, const float *, const float *, float);
void bert_layer_norm_reference(float *, const float *, long, long, const float *, const float *, float);
float bert_softmax_row(float *, long, float *, long, long);
void bert_pack_panels(const float *, long, long, long, long, long, long, float, float *);

struct kernel { const char *name; kernel_fn run; int rows, columns, splat; };

static int failures = 0, cases = 0;
static uint64_t digest = 0xcbf29ce484222325ull; /* FNV-1a over the bits of every output */
static void absorb(const float *values, long count) {
    for (long i = 0; i < count; i++) {
        uint32_t bits;
        memcpy(&bits, &values[i], 4);
        for (int b = 0; b < 4; b++) digest = (digest ^ ((bits >> (8 * b)) & 0xff)) * 0x100000001b3ull;
    }
}

static uint64_t state = 0x9E3779B97F4A7C15ull;
static float next_float(void) { /* splitmix64 -> [-1, 1) */
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (float)((double)(z >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static const float sentinel = 12345.5f; /* every cell a kernel must not write */

static void check_gemm(void) {
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
                absorb(c, outRows * ldc);
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
}

/* The bound of each activation against the C library in Double (VectorMath.swift; VectorMathTests). */
static double activation_bound(long kind, double reference) {
    switch (kind) {
    case 0: case 3: return 0;                              /* identity, ReLU: exact */
    case 1: return 1e-6 * (fabs(reference) + 1);          /* erf GELU */
    case 2: return 3e-6 * fabs(reference) + 1e-12;        /* tanh GELU */
    default: return 5e-7 * fabs(reference) + 1e-30;       /* tanh */
    }
}

static void check_activations(void) {
    const char *names[] = {"identity", "gelu", "gelu-tanh", "relu", "tanh"};
    const float extremes[] = {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-3f, -1e-3f, 87.0f, -87.0f, 100.0f, -100.0f, 1e10f,
                              -1e10f, 3.4e38f, -3.4e38f, 5.5f, -5.5f, 0.625f, -0.625f, 9.0f, -10.0f};
    const long columns = 1337, stride = 1341, per_row = columns, sweep = 4001;
    const long total = sweep + (long)(sizeof extremes / sizeof extremes[0]);
    const long rows = (total + per_row - 1) / per_row;
    for (long kind = 0; kind < 5; kind++) {
        float *values = malloc(sizeof(float) * rows * stride), *bias = malloc(sizeof(float) * columns);
        float *inputs = malloc(sizeof(float) * rows * stride);
        for (long j = 0; j < columns; j++) bias[j] = (j % 7 == 0) ? 0.0f : (float)(next_float() * 1e-3);
        for (long r = 0; r < rows; r++)
            for (long j = 0; j < stride; j++) {
                long n = r * per_row + j;
                float x = n < sweep ? -20.0f + 40.0f * (float)n / (float)(sweep - 1)
                        : n < total ? extremes[n - sweep] : next_float();
                values[r * stride + j] = j < columns ? x : sentinel;
            }
        memcpy(inputs, values, sizeof(float) * rows * stride);
        bert_activation(kind, values, rows, columns, stride, bias);
        absorb(values, rows * stride);
        double worst = 0;
        for (long r = 0; r < rows; r++)
            for (long j = 0; j < stride; j++) {
                float got = values[r * stride + j];
                if (j >= columns) {
                    if (got != sentinel) { printf("FAIL %s: cell %ld past the row changed\n", names[kind], j); failures++; }
                    continue;
                }
                float v = inputs[r * stride + j] + bias[j];
                double reference = bert_activation_reference(kind, (double)v), error = fabs(got - reference);
                if (kind == 0 || kind == 3) reference = (double)(float)reference;
                double bound = activation_bound(kind, reference);
                if (bound > 0 && error / bound > worst) worst = error / bound;
                if (!isfinite(got) || error > bound) {
                    printf("FAIL %s(%.9g) = %.9g, reference %.9g\n", names[kind], v, got, reference);
                    failures++;
                }
            }
        cases++;
        printf("activation %-9s %ld values (rows of %ld, a bias, stride %ld): worst error %.2f of its bound\n",
               names[kind], rows * columns, columns, stride, worst);
        free(values); free(bias); free(inputs);
    }
}

static void check_layer_norm(void) {
    const long widths[] = {1, 7, 8, 9, 31, 32, 33, 100, 387};
    double worst = 0;
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        long cols = widths[w];
        for (int with_residual = 0; with_residual < 2; with_residual++) {
            float *row = malloc(sizeof(float) * (cols + 4)), *reference = malloc(sizeof(float) * cols);
            float *residual = malloc(sizeof(float) * cols), *gamma = malloc(sizeof(float) * cols);
            float *beta = malloc(sizeof(float) * cols);
            for (long j = 0; j < cols; j++) {
                row[j] = 5.0f + 2.0f * next_float();
                residual[j] = next_float();
                gamma[j] = 1.0f + 0.5f * next_float();
                beta[j] = 0.1f * next_float();
            }
            for (long j = cols; j < cols + 4; j++) row[j] = sentinel;
            memcpy(reference, row, sizeof(float) * cols);
            float eps = with_residual ? 1e-12f : 1e-5f;
            bert_layer_norm_row(row, with_residual ? residual : NULL, cols, gamma, beta, eps);
            bert_layer_norm_reference(reference, with_residual ? residual : NULL, 1, cols, gamma, beta, eps);
            absorb(row, cols);
            cases++;
            for (long j = 0; j < cols + 4; j++) {
                if (j >= cols) {
                    if (row[j] != sentinel) { printf("FAIL layer norm %ld: cell past the row changed\n", cols); failures++; }
                    continue;
                }
                double error = fabs((double)row[j] - reference[j]) / (fabs(reference[j]) + 1);
                if (error > worst) worst = error;
                if (error > 2e-6) {
                    printf("FAIL layer norm width %ld residual %d: [%ld] = %.9g, reference %.9g\n", cols,
                           with_residual, j, row[j], reference[j]);
                    failures++;
                }
            }
            free(row); free(reference); free(residual); free(gamma); free(beta);
        }
    }
    printf("layer norm row: widths 1 7 8 9 31 32 33 100 387, with and without residual: worst error %.2g "
           "(|reference| + 1)\n", worst);
}

static void check_softmax(void) {
    const long lengths[] = {1, 5, 8, 9, 16, 17, 100, 257};
    double worst = 0;
    for (size_t n = 0; n < sizeof lengths / sizeof lengths[0]; n++) {
        long length = lengths[n];
        for (long splat = 1; splat <= 4; splat += 3) {
            long stride = splat + 3;
            float *scores = malloc(sizeof(float) * length), *target = malloc(sizeof(float) * length * stride);
            double *exact = malloc(sizeof(double) * length);
            for (long j = 0; j < length; j++) scores[j] = (n % 2 ? 40.0f : 8.0f) * next_float();
            double maximum = -INFINITY, sum = 0;
            for (long j = 0; j < length; j++) maximum = fmax(maximum, scores[j]);
            for (long j = 0; j < length; j++) sum += (exact[j] = exp((double)scores[j] - maximum));
            for (long i = 0; i < length * stride; i++) target[i] = sentinel;
            float inverse = bert_softmax_row(scores, length, target, stride, splat);
            absorb(target, length * stride);
            absorb(&inverse, 1);
            cases++;
            for (long j = 0; j < length; j++)
                for (long s = 0; s < stride; s++) {
                    float got = target[j * stride + s];
                    if (s >= splat) {
                        if (got != sentinel) { printf("FAIL softmax %ld: cell outside the column changed\n", length); failures++; }
                        continue;
                    }
                    double reference = exact[j] / sum, error = fabs((double)got * inverse - reference);
                    double relative = error / (reference + 1e-30);
                    if (reference > 1e-30 && relative > worst) worst = relative;
                    if (error > 1e-6 * reference + 1e-12) {
                        printf("FAIL softmax length %ld splat %ld: p[%ld] = %.9g, reference %.9g\n", length, splat, j,
                               got * inverse, reference);
                        failures++;
                    }
                }
            free(scores); free(target); free(exact);
        }
    }
    printf("softmax row: lengths 1 5 8 9 16 17 100 257, splat 1 and 4, into a panel column: worst relative error "
           "%.2g\n", worst);
}

static void check_pack_panels(void) {
    const long shapes[][4] = {{5, 7, 8, 1}, {13, 17, 12, 1}, {6, 3, 6, 4}, {1, 9, 8, 4}}; /* count depth mr splat */
    for (size_t n = 0; n < sizeof shapes / sizeof shapes[0]; n++) {
        long count = shapes[n][0], depth = shapes[n][1], mr = shapes[n][2], splat = shapes[n][3];
        long rows = (count + mr - 1) / mr * mr, stride = depth + 2, size = rows * depth * splat;
        float *source = malloc(sizeof(float) * count * stride), *target = malloc(sizeof(float) * (size + 4));
        for (long i = 0; i < count * stride; i++) source[i] = next_float();
        for (long i = 0; i < size + 4; i++) target[i] = sentinel;
        float scale = 0.125f + 0.01f * (float)n;
        bert_pack_panels(source, count, stride, depth, rows, mr, splat, scale, target);
        absorb(target, size + 4);
        cases++;
        for (long row = 0; row < rows; row++)
            for (long c = 0; c < depth; c++)
                for (long s = 0; s < splat; s++) {
                    float expected = row < count ? source[row * stride + c] * scale : 0.0f;
                    float got = target[(row / mr) * mr * splat * depth + c * mr * splat + (row % mr) * splat + s];
                    if (got != expected) {
                        printf("FAIL pack count %ld depth %ld mr %ld splat %ld: row %ld col %ld\n", count, depth,
                               mr, splat, row, c);
                        failures++;
                    }
                }
        for (long i = size; i < size + 4; i++)
            if (target[i] != sentinel) { printf("FAIL pack: cell past the panels changed\n"); failures++; }
        free(source); free(target);
    }
    printf("pack panels: 4 shapes (splat 1 and 4, rows past the count zero): exact\n");
}

int main(void) {
    check_gemm();
    check_activations();
    check_layer_norm();
    check_softmax();
    check_pack_panels();
    printf("digest %016llx\n", (unsigned long long)digest);
    printf("%d cases, %d failures\n", cases, failures);
    return failures == 0 ? 0 : 1;
}
