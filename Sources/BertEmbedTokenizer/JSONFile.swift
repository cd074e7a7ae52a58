// Reading tokenizer files: bytes, UTF-8 text and JSON objects, each failure a TokenizerError naming the file.
// JSON goes through the package's strict parser (BertEmbedJSON), not JSONSerialization: parsing tokenizer.json
// (466 KB, 30,522 vocabulary entries) and bridging it to [String: Any] took ~65 ms, the strict parser ~5 ms; and
// members stay byte-exact strings in file order (a Swift Dictionary would merge keys that are only canonically
// equivalent, as "é" and "e\u{301}").
import BertEmbedJSON
import Foundation

/// A parsed JSON object from one file, with typed accessors whose errors name the file and the key.
package struct JSONFile {
    /// The file path, for messages.
    package let path: String
    /// The members of the top-level object, in file order.
    package let object: [JSONMember]

    /// Reads and parses `url`; throws when it is unreadable, not UTF-8, not JSON, or not an object at the top.
    package init(url: URL) throws {
        path = url.path
        let data = try Self.readData(url)
        let root: JSONValue
        do {
            root = try data.withUnsafeBytes { try JSONParser.parse($0) }
        } catch let error as JSONSyntaxError {
            // JSON outside strings is ASCII and the parser validates every string, so a file that parses is UTF-8.
            guard String(data: data, encoding: .utf8) != nil else { throw TokenizerError.invalidUTF8(path: path, line: nil) }
            throw TokenizerError.invalidJSON(path: path, reason: error.description)
        }
        guard let object = root.objectMembers else {
            throw TokenizerError.invalidJSON(path: path, reason: "the top level is not an object")
        }
        self.object = object
    }

    /// The bytes of `url`, or `unreadableFile`.
    package static func readData(_ url: URL) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw TokenizerError.unreadableFile(path: url.path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw TokenizerError.unreadableFile(path: url.path, reason: "it is a folder") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }

    /// The value of `key` in `object` (the last one if repeated, as Python's json) when present and not null.
    package static func value(_ object: [JSONMember], _ key: String) -> JSONValue? {
        guard let value = object.value(key), value != .null else { return nil }
        return value
    }

    /// A boolean at `key` of `object` (nil when absent or null); `name` is the dotted key for messages.
    package func bool(_ object: [JSONMember], _ key: String, name: String) throws -> Bool? {
        guard let value = Self.value(object, key) else { return nil }
        guard case .bool(let bool) = value else { throw wrongType(name, "true or false", value) }
        return bool
    }

    /// An integer at `key` of `object` (nil when absent or null); 12.0 and 1.2e1 count as 12.
    package func int(_ object: [JSONMember], _ key: String, name: String) throws -> Int? {
        guard let value = Self.value(object, key) else { return nil }
        guard case .number(let number) = value, let int = number.integralValue else { throw wrongType(name, "an integer", value) }
        return int
    }

    /// A string at `key` of `object` (nil when absent or null).
    package func string(_ object: [JSONMember], _ key: String, name: String) throws -> String? {
        guard let value = Self.value(object, key) else { return nil }
        guard case .string(let string) = value else { throw wrongType(name, "a string", value) }
        return string
    }

    /// An object at `key` of `object` (nil when absent or null).
    package func object(_ object: [JSONMember], _ key: String, name: String) throws -> [JSONMember]? {
        guard let value = Self.value(object, key) else { return nil }
        guard let members = value.objectMembers else { throw wrongType(name, "an object", value) }
        return members
    }

    /// A list of objects at `key` of `object` (nil when absent or null).
    package func objects(_ object: [JSONMember], _ key: String, name: String) throws -> [[JSONMember]]? {
        guard let value = Self.value(object, key) else { return nil }
        guard case .array(let items) = value else { throw wrongType(name, "a list of objects", value) }
        return try items.enumerated().map { index, item in
            guard let members = item.objectMembers else { throw wrongType("\(name)[\(index)]", "an object", item) }
            return members
        }
    }

    /// The error for a value of the wrong kind at dotted key `name`.
    func wrongType(_ name: String, _ expected: String, _ found: JSONValue) -> TokenizerError {
        TokenizerError.invalidValue(path: path, key: name, reason: "expected \(expected), found \(found.kindDescription)")
    }
}
