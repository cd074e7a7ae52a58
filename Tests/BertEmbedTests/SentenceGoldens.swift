// The sentence-transformers goldens (Scripts/make_sentence_goldens.py): decoding, variant folders, comparison.
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

/// One golden file: cases, each one encode call over its texts.
struct SentenceGoldens: Decodable {
    struct Options: Decodable {
        enum CodingKeys: String, CodingKey {
            case normalize
            case truncateDim = "truncate_dim"
            case prompt
            case promptName = "prompt_name"
            case maxLength = "max_length"
        }
        var normalize: Bool?
        var truncateDim: Int?
        var prompt: String?
        var promptName: String?
        var maxLength: Int?

        var encodeOptions: EncodeOptions {
            EncodeOptions(
                normalize: normalize, maxSequenceLength: maxLength, prompt: prompt, promptName: promptName,
                truncateDimension: truncateDim)
        }
    }

    struct Case: Decodable {
        var name: String
        /// A folder variant of variants.json, or nil for the base folder.
        var variant: String?
        /// A pooling replacing the folder's (a command-line name, or "cls+max+mean").
        var pooling: String?
        var options: Options
        /// The texts, encoded in one call.
        var texts: [String]
        /// "token_embeddings", or nil for sentence embeddings.
        var output: String?
        /// The reference token ids of each text.
        var ids: [[Int]]
        var vectors: [[Float]]?
        var tokens: [[[Float]]]?
    }

    var model: String
    var cases: [Case]

    init(_ name: String) throws {
        try self.init(url: resource("goldens/sentence/" + name))
    }

    init(url: URL) throws {
        self = try JSONDecoder().decode(SentenceGoldens.self, from: Data(contentsOf: url))
    }
}

/// The golden tolerance, for every element: |ours - reference| <= 1e-5 + 1e-4 * |reference|, and the cosine of
/// the two vectors >= 0.99999.
///
/// Why: the reference runs the same float32 arithmetic in another summation order (PyTorch's blocked GEMM), so
/// elements differ by a few ulps of the partial sums, amplified through the LayerNorms; 1e-5 absolute covers values
/// near zero (the goldens are rounded to 8 significant digits, far below it) and 1e-4 relative covers the few large
/// raw activations (last-four-layer sums reach tens).
let absoluteTolerance: Float = 1e-5
let relativeTolerance: Float = 1e-4
let minimumCosine: Float = 0.99999

/// Why `ours` is not close to `reference`, or nil when it is.
/// `referenceRounding`: the relative rounding of a reference stored in a narrower type (2^-11 for float16, whose
/// subnormals add 2^-25 absolute), added to the tolerance.
func mismatch(_ ours: [Float], _ reference: [Float], referenceRounding: Float = 0) -> String? {
    guard ours.count == reference.count else { return "\(ours.count) values, reference has \(reference.count)" }
    let storageFloor: Float = referenceRounding > 0 ? 0x1p-25 : 0
    for (index, (a, b)) in zip(ours, reference).enumerated()
    where !(abs(a - b) <= absoluteTolerance + storageFloor + (relativeTolerance + referenceRounding) * abs(b)) {
        return "element \(index) is \(a), reference \(b)"
    }
    let cosine = Similarity.cosine(ours, reference)
    let bothZero = Similarity.dot(ours, ours) == 0 && Similarity.dot(reference, reference) == 0
    if !bothZero && !(cosine >= minimumCosine) { return "cosine \(cosine) < \(minimumCosine)" }
    return nil
}

/// Fails the test, naming `what`, when `ours` is not close to `reference`.
func assertClose(
    _ ours: [Float], _ reference: [Float], _ what: @autoclosure () -> String, referenceRounding: Float = 0,
    file: StaticString = #filePath, line: UInt = #line
) {
    if let problem = mismatch(ours, reference, referenceRounding: referenceRounding) {
        XCTFail("\(what()): \(problem)", file: file, line: line)
    }
}

/// The pooling of a golden case's name.
func goldenPooling(_ name: String) throws -> Pooling {
    if name == "cls+max+mean" { return Pooling(tokens: [.cls, .max, .mean]) }
    return try XCTUnwrap(Pooling(name: name), "unknown pooling name \(name)")
}

/// Checks every case of `goldens` against the encoders `encoderFor` gives: token ids exactly; vectors from the
/// texts (for texts whose ids match) within the tolerance above, and, for texts whose ids differ, vectors from the
/// reference ids (so that pooling is checked on them even while the tokenizer is wrong).
/// Returns the names of texts whose token ids differ from the reference.
@discardableResult
func checkGoldens(
    _ goldens: SentenceGoldens, encoderFor: (SentenceGoldens.Case) throws -> SentenceEncoder,
    file: StaticString = #filePath, line: UInt = #line
) throws -> [String] {
    var idMismatches: [String] = []
    var reported: Set<String> = []
    for golden in goldens.cases {
        let encoder = try encoderFor(golden)
        let options = golden.options.encodeOptions
        guard golden.ids.count == golden.texts.count,
            (golden.vectors ?? golden.tokens?.map { _ in [] } ?? []).count == golden.texts.count
        else {
            XCTFail("\(golden.name): the golden has not one entry per text", file: file, line: line)
            continue
        }
        var idsMatch: [Bool] = []
        for (index, text) in golden.texts.enumerated() {
            let ids = try encoder.tokenIds(text, options: options)
            idsMatch.append(ids == golden.ids[index])
            // Each differing (text, reference ids) pair fails once, not once per case.
            if ids != golden.ids[index] && !reported.contains("\(golden.ids[index])") {
                reported.insert("\(golden.ids[index])")
                idMismatches.append("\(golden.name) / text \(index) \(text.prefix(30).debugDescription)")
                XCTFail(
                    "\(golden.name), text \(index) \(text.prefix(30).debugDescription): token ids \(ids) differ "
                        + "from the reference \(golden.ids[index])", file: file, line: line)
            }
        }
        if let tokens = golden.tokens {
            let ours = try encoder.tokenEmbeddings(golden.texts, options: options)
            for index in golden.texts.indices where idsMatch[index] {
                XCTAssertEqual(ours[index].count, tokens[index].count, "\(golden.name), text \(index): token count")
                for (row, (a, b)) in zip(ours[index], tokens[index]).enumerated() {
                    assertClose(a, b, "\(golden.name), text \(index), token \(row)", file: file, line: line)
                }
            }
            continue
        }
        let reference = try XCTUnwrap(golden.vectors)
        let fromTexts = try encoder.encode(golden.texts, options: options)
        for index in golden.texts.indices where idsMatch[index] {
            assertClose(fromTexts[index], reference[index], "\(golden.name), text \(index)", file: file, line: line)
        }
        let differing = golden.texts.indices.filter { !idsMatch[$0] }
        guard !differing.isEmpty else { continue }
        let fromIds = try encoder.encode(tokenIds: differing.map { golden.ids[$0] }, options: options)
        for (k, index) in differing.enumerated() {
            assertClose(
                fromIds[k], reference[index], "\(golden.name), text \(index) from reference ids",
                file: file, line: line)
        }
    }
    return idMismatches
}

final class GoldenToleranceTests: XCTestCase {
    /// The comparison can fail: a perturbation beyond the tolerance, a NaN or a length change is caught; the
    /// reference itself, and a change within the tolerance, pass.
    func testComparisonCatchesPerturbations() {
        let reference: [Float] = [0.3, -1.25, 0.0, 2.5, 0.04]
        XCTAssertNil(mismatch(reference, reference))
        var perturbed = reference
        perturbed[0] += 1e-4
        XCTAssertNotNil(mismatch(perturbed, reference))
        perturbed = reference
        perturbed[2] = 2e-5
        XCTAssertNotNil(mismatch(perturbed, reference))
        perturbed = reference
        perturbed[3] = .nan
        XCTAssertNotNil(mismatch(perturbed, reference))
        XCTAssertNotNil(mismatch(Array(reference.prefix(4)), reference))
        // Within the tolerance: a change of 5e-6 in one element.
        perturbed = reference
        perturbed[1] += 5e-6
        XCTAssertNil(mismatch(perturbed, reference))
    }
}
