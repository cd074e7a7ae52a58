// Platform math (erf, tanh, exp) for the Double reference kernels the tests compare against.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// The C library's tanh, under a name that no `Activation.tanh` case can shadow.
@inline(__always)
func libmTanh(_ x: Double) -> Double { tanh(x) }

/// The C library's exp in Double.
@inline(__always)
func libmExp(_ x: Double) -> Double { exp(x) }

/// The C library's erfc in Double.
@inline(__always)
func libmErfc(_ x: Double) -> Double { erfc(x) }
