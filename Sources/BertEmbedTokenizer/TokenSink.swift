// Where the tokenization pipeline puts its tokens: ids only (the fast path), or ids with offsets.

/// Receives the tokens of one sequence in order. `start`/`end` are offsets into the original text, in Unicode
/// scalars; sinks that do not want them set `wantsOffsets` to false and the pipeline skips computing them.
package protocol TokenSink {
    /// Whether the pipeline should compute offsets for this sink.
    static var wantsOffsets: Bool { get }
    /// Appends one token.
    mutating func append(id: Int, start: Int, end: Int)
}

/// Collects ids only.
package struct IdSink: TokenSink {
    /// The ids so far.
    package var ids: [Int] = []
    /// An empty sink.
    package init() {}
    /// Offsets are not wanted.
    package static var wantsOffsets: Bool { false }
    /// Appends `id`.
    @inline(__always)
    package mutating func append(id: Int, start: Int, end: Int) { ids.append(id) }
}

/// Collects ids and their offsets.
package struct OffsetSink: TokenSink {
    /// The ids so far.
    package var ids: [Int] = []
    /// The offsets of `ids`, in Unicode scalars of the original text.
    package var offsets: [Range<Int>] = []
    /// An empty sink.
    package init() {}
    /// Offsets are wanted.
    package static var wantsOffsets: Bool { true }
    /// Appends `id` with its offsets.
    @inline(__always)
    package mutating func append(id: Int, start: Int, end: Int) {
        ids.append(id)
        offsets.append(start..<end)
    }
}
