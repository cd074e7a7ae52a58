// A set of Unicode scalars for scans that test every scalar of a text: a bit per ASCII scalar, the rest sorted.

/// A small, immutable set of scalars with a membership test that costs a bit test for ASCII (no hashing).
package struct ScalarSet: Sendable {
    private var ascii: (UInt64, UInt64) = (0, 0)
    private let others: [UInt32]  // sorted

    /// The set of `scalars`.
    package init<S: Sequence>(_ scalars: S) where S.Element == Unicode.Scalar {
        var others: [UInt32] = []
        for scalar in scalars {
            let value = scalar.value
            if value < 64 {
                ascii.0 |= 1 << UInt64(value)
            } else if value < 128 {
                ascii.1 |= 1 << UInt64(value - 64)
            } else {
                others.append(value)
            }
        }
        self.others = Array(Set(others)).sorted()
    }

    /// Whether the set is empty.
    package var isEmpty: Bool { ascii == (0, 0) && others.isEmpty }

    /// Whether `scalar` is in the set.
    @inline(__always)
    package func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 64 { return ascii.0 & (1 << UInt64(value)) != 0 }
        if value < 128 { return ascii.1 & (1 << UInt64(value - 64)) != 0 }
        guard !others.isEmpty else { return false }
        var low = 0, high = others.count
        while low < high {
            let middle = (low + high) / 2
            if others[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < others.count && others[low] == value
    }

    /// The index of the first scalar of `scalars` in the set.
    package func firstIndex(in scalars: [Unicode.Scalar]) -> Int? {
        scalars.withUnsafeBufferPointer { buffer in
            for index in buffer.indices where contains(buffer[index]) { return index }
            return nil
        }
    }
}
