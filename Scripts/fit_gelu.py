#!/usr/bin/env python3
"""How the GELU in Sources/BertEmbedKernels/VectorMath.swift was fitted (recorded for reproducibility).

GELU(x) = x * Phi(x), Phi(x) = 0.5 + x * P(x^2) / Q(x^2) on |x| <= 5.5 (Phi = 0 or 1 beyond), a degree 5/5
rational fit of 0.5 * erf(x / sqrt 2) by iteratively reweighted least squares (Lawson) on Chebyshev nodes.
Prints the float32 coefficients (ascending powers of x^2) and the float32 evaluation's error against
0.5 x erfc(-x / sqrt 2) in double over [-20, 20] in steps of 1/4096.  Needs numpy.
"""
import numpy as np
from math import erf, erfc, sqrt

C = 5.5


def fit(np_, nq, iters=200):
    n = 6000
    t = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    x = (t + 1) / 2 * C
    y = np.array([0.5 * erf(v / sqrt(2)) for v in x])
    u = (x / C) ** 2
    w = np.ones(n)
    best, best_error = None, 1
    for _ in range(iters):
        A = np.array([x * u ** i for i in range(np_ + 1)] + [-y * u ** i for i in range(1, nq + 1)]).T
        c, *_ = np.linalg.lstsq(A * w[:, None], y * w, rcond=None)
        p = c[:np_ + 1]
        q = np.concatenate([[1], c[np_ + 1:]])
        err = x * np.polyval(p[::-1], u) / np.polyval(q[::-1], u) - y
        e = np.abs(err).max()
        if e < best_error:
            best_error, best = e, (p, q)
        w = w * np.abs(err)
        w = np.sqrt(w / w.sum() * len(w))
        w = np.maximum(w, 1e-6)
    return best, best_error


def main():
    (p, q), e = fit(5, 5)
    print("fit error", e)
    ps = [c / C ** (2 * i) for i, c in enumerate(p)]
    qs = [c / C ** (2 * i) for i, c in enumerate(q)]
    f = np.float32
    print("P", [float(f(v)) for v in ps])
    print("Q", [float(f(v)) for v in qs])
    x = (np.arange(-20 * 4096, 20 * 4096 + 1, dtype=np.float64) / 4096).astype(f)
    xc = np.clip(x, f(-C), f(C)).astype(f)
    s = (xc * xc).astype(f)
    P = f(ps[-1])
    for c in ps[-2::-1]:
        P = (P * s + f(c)).astype(f)
    Q = f(qs[-1])
    for c in qs[-2::-1]:
        Q = (Q * s + f(c)).astype(f)
    g = np.where(x < -C, f(0), (x * (f(0.5) + (xc * P / Q).astype(f))).astype(f)).astype(np.float64)
    ref = np.array([0.5 * v * erfc(-v / sqrt(2)) for v in x.astype(np.float64)])
    err = np.abs(g - ref)
    print("max abs error", err.max(), "max error / (|gelu| + 1)", (err / (np.abs(ref) + 1)).max())
    m = x >= -1
    print("max relative error for x >= -1", (err[m] / np.maximum(np.abs(ref[m]), 1e-30)).max())


if __name__ == "__main__":
    main()
