// Ports tokenizers' decoders::sequence::Sequence: several decoders, each rewriting the pieces of the one before.

/// `Sequence`: decoders applied in order.
package struct SequenceDecoder: TokenDecoder {
    /// The decoders.
    package let decoders: [any TokenDecoder]
    /// Runs `decoders` in order.
    package init(_ decoders: [any TokenDecoder]) { self.decoders = decoders }
    /// The pieces after every decoder.
    package func decode(_ tokens: [String]) -> [String] {
        decoders.reduce(tokens) { pieces, decoder in decoder.decode(pieces) }
    }
}
