// Ports tokenizers' decoders::strip::Strip (src/decoders/strip.rs).
import BertEmbedJSON

/// The Strip decoder: removes up to `start` leading and up to `stop` trailing `content` characters from each token,
/// stopping at the first other character.
///
/// tokenizers panics when a token has fewer than `stop` characters, all of them `content`, or when the two cuts cross
/// (" " with start 1 and stop 1); here the token then becomes empty.
package struct StripDecoder: TokenDecoder, Equatable {
    /// The character removed (one scalar).
    package var content: Unicode.Scalar
    /// At most this many are removed at the start of each token.
    package var start: Int
    /// At most this many are removed at the end of each token.
    package var stop: Int

    /// A decoder removing `content` (at most `start` at the start, `stop` at the end of each token).
    package init(content: Unicode.Scalar, start: Int, stop: Int) {
        self.content = content
        self.start = start
        self.stop = stop
    }

    /// The decoder of a tokenizer.json `{"type": "Strip", "content": " ", "start": 1, "stop": 0}` object (all three
    /// required; the counts non-negative integers).
    /// - Throws: `JSONFileError` naming the key for a missing or wrong value.
    package init(json: JSONObject) throws(JSONFileError) {
        if let type = try json.string("type"), type != "Strip" {
            throw json.error("type", "expected \"Strip\", found \"\(type)\"")
        }
        let content = try json.required("content").string()
        guard content.unicodeScalars.count == 1, let scalar = content.unicodeScalars.first else {
            throw json.error("content", "expected one character, found \"\(content)\"")
        }
        let start = try json.required("start").int()
        let stop = try json.required("stop").int()
        guard start >= 0 else { throw json.error("start", "expected a count, found \(start)") }
        guard stop >= 0 else { throw json.error("stop", "expected a count, found \(stop)") }
        self.init(content: scalar, start: start, stop: stop)
    }

    /// Each token with its leading and trailing `content` characters cut.
    package func decode(_ tokens: [String]) -> [String] {
        tokens.map { token in
            let scalars = Array(token.unicodeScalars)
            var startCut = 0
            while startCut < min(start, scalars.count), scalars[startCut] == content { startCut += 1 }
            var stopCut = scalars.count
            while scalars.count - stopCut < stop, stopCut > 0, scalars[stopCut - 1] == content { stopCut -= 1 }
            guard startCut < stopCut else { return "" }
            if startCut == 0 && stopCut == scalars.count { return token }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[startCut..<stopCut])
            return String(view)
        }
    }
}
