// The labels of a program under construction, shared by the two encoders (X86Assembler.swift, AArch64Assembler.swift):
// each label's position once bound (a byte offset on x86-64, a word index on AArch64) and the places that branch to
// it, which the encoder patches, in its own format, when the program is finished.

/// Label positions and the references to patch (`Reference`: where, and how, an encoder patches one).
struct CodeLabels<Reference> {
    private var positions: [Int?] = []
    private var references: [(reference: Reference, label: Int)] = []

    /// A new label's number.
    mutating func new() -> Int {
        positions.append(nil)
        return positions.count - 1
    }

    /// Binds label `label` to `position`.
    mutating func bind(_ label: Int, to position: Int) {
        precondition(positions[label] == nil, "label bound twice")
        positions[label] = position
    }

    /// Records `reference` to label `label`, to patch once every label is bound.
    mutating func refer(_ reference: Reference, to label: Int) { references.append((reference, label)) }

    /// Each recorded reference with its label's position (every label must be bound); the record is then emptied.
    mutating func resolve() -> [(reference: Reference, position: Int)] {
        defer { references = [] }
        return references.map { entry in
            guard let position = positions[entry.label] else { preconditionFailure("unbound label") }
            return (entry.reference, position)
        }
    }
}
