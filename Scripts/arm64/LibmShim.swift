// MathImports.swift for the Embedded Swift builds of Scripts/check_arm64_kernels.sh: there is no Glibc module for a
// bare-metal target, so the C library functions the Double references call are declared straight from libm, which
// the link with the C driver brings.

/// The C library's tanh.
@_extern(c, "tanh") func libmTanh(_ x: Double) -> Double

/// The C library's exp.
@_extern(c, "exp") func libmExp(_ x: Double) -> Double

/// The C library's erfc.
@_extern(c, "erfc") func libmErfc(_ x: Double) -> Double
