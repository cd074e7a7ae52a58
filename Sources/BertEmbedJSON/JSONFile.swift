// Reading JSON files of a model folder (config.json, tokenizer.json, modules.json, ...) through the strict parser,
// with typed accessors whose errors name the file and the key: the one JSON layer of every reader of model files.
//
// Conventions, those of the Python readers of these files: a key present twice keeps its last value (Python's
// json), an absent key and `null` read the same (nil), an integer may be written 12 or 12.0 (never `true`), and a
// value of the wrong kind is an error naming its dotted key ("model.vocab", "added_tokens[3].id").
import Foundation

/// Why a JSON file, or a value in it, cannot be used.
package struct JSONFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem.
    package enum Kind: Sendable, Equatable {
        /// The file cannot be read (absent, a folder, no permission).
        case unreadable
        /// The file is not UTF-8.
        case invalidUTF8
        /// The file is not JSON.
        case syntax
        /// A value is missing, of the wrong kind or out of range.
        case invalidValue
    }

    /// The kind of problem.
    package let kind: Kind
    /// The file's path.
    package let path: String
    /// The dotted key of the value, nil for a problem with the whole file.
    package let key: String?
    /// What is wrong.
    package let reason: String

    /// An error of `kind` in the file at `path`, at `key`.
    package init(_ kind: Kind, path: String, key: String? = nil, reason: String) {
        self.kind = kind
        self.path = path
        self.key = key
        self.reason = reason
    }

    /// "key: reason", or the reason alone for a problem with the whole file.
    package var keyedReason: String { key.map { "\($0): \(reason)" } ?? reason }

    /// "path: key: reason", or "path: reason".
    package var description: String { "\(path): \(keyedReason)" }

    /// Runs `body`; a `JSONFileError` it throws is rethrown as `convert(error)`, the calling module's own error type.
    package static func converting<R>(_ convert: (JSONFileError) -> any Error, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as JSONFileError {
            throw convert(error)
        }
    }
}

/// A JSON value found in a file, with where it was found.
package struct JSONNode: Sendable {
    /// The value.
    package let value: JSONValue
    /// The file's path, for messages.
    package let path: String
    /// The dotted key of the value ("" for the top level).
    package let key: String

    /// `value`, found in the file at `path` at `key`.
    package init(value: JSONValue, path: String, key: String) {
        self.value = value
        self.path = path
        self.key = key
    }

    /// The value at the top of the file at `url`.
    /// - Throws: `JSONFileError` when the file is unreadable, not UTF-8 or not JSON.
    package static func read(_ url: URL) throws(JSONFileError) -> JSONNode {
        let data = try readBytes(url)
        do {
            return JSONNode(value: try data.withUnsafeBytes { try JSONParser.parse($0) }, path: url.path, key: "")
        } catch let error as JSONSyntaxError {
            // JSON outside strings is ASCII and the parser validates every string: a file that does not parse may
            // simply not be UTF-8, which is the more useful thing to say.
            guard String(data: data, encoding: .utf8) != nil else {
                throw JSONFileError(.invalidUTF8, path: url.path, reason: "not valid UTF-8")
            }
            throw JSONFileError(.syntax, path: url.path, reason: "not valid JSON: \(error)")
        } catch {
            throw JSONFileError(.syntax, path: url.path, reason: "not valid JSON: \(error)")
        }
    }

    /// The top-level object of the file at `url`.
    /// - Throws: `JSONFileError` as `read`, or when the top level is not an object.
    package static func readObject(_ url: URL) throws(JSONFileError) -> JSONObject {
        try read(url).object()
    }

    /// The bytes of the file at `url`.
    /// - Throws: `JSONFileError.Kind.unreadable` naming the file and why.
    package static func readBytes(_ url: URL) throws(JSONFileError) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw JSONFileError(.unreadable, path: url.path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw JSONFileError(.unreadable, path: url.path, reason: "it is a folder") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw JSONFileError(.unreadable, path: url.path, reason: error.localizedDescription)
        }
    }

    /// An error about this value.
    package func error(_ reason: String) -> JSONFileError {
        JSONFileError(.invalidValue, path: path, key: key.isEmpty ? nil : key, reason: reason)
    }

    /// The error for a value of the wrong kind.
    package func wrongKind(_ expected: String) -> JSONFileError {
        error("expected \(expected), found \(value.kindDescription)")
    }

    /// The value as an object.
    package func object() throws(JSONFileError) -> JSONObject {
        guard case .object(let members) = value else {
            throw key.isEmpty
                ? JSONFileError(
                    .invalidValue, path: path, reason: "the top level is \(value.kindDescription), not an object")
                : wrongKind("an object")
        }
        return JSONObject(members: members, path: path, key: key)
    }

    /// The value as a list, each element with its key ("key[i]").
    package func array() throws(JSONFileError) -> [JSONNode] {
        guard case .array(let items) = value else { throw wrongKind("a list") }
        return items.enumerated().map { JSONNode(value: $1, path: path, key: "\(key)[\($0)]") }
    }

    /// The value as a string.
    package func string() throws(JSONFileError) -> String {
        guard case .string(let string) = value else { throw wrongKind("a string") }
        return string
    }

    /// The value as a boolean (`true` or `false` only).
    package func bool() throws(JSONFileError) -> Bool {
        guard case .bool(let bool) = value else { throw wrongKind("true or false") }
        return bool
    }

    /// The value as an integer: 12, 12.0 or 1.2e1 (not 12.5, not `true`).
    package func int() throws(JSONFileError) -> Int {
        guard case .number(let number) = value, let int = number.integralValue else { throw wrongKind("an integer") }
        return int
    }

    /// The value as a number.
    package func double() throws(JSONFileError) -> Double {
        guard case .number(let number) = value, let double = number.double else { throw wrongKind("a number") }
        return double
    }
}

/// An object of a JSON file. Each accessor returns nil when the key is absent or null, and throws naming the file and
/// the dotted key when the value is of another kind.
package struct JSONObject: Sendable {
    /// The members in file order, duplicates included.
    package let members: [JSONMember]
    /// The file's path, for messages.
    package let path: String
    /// The object's own dotted key ("" for the top level).
    package let key: String

    /// The dotted key of member `name`.
    package func keyPath(_ name: String) -> String { key.isEmpty ? name : key + "." + name }

    /// The keys in file order (a repeated key once, where it first appears).
    package var keys: [String] {
        var seen = Set<String>()
        return members.compactMap { seen.insert($0.key).inserted ? $0.key : nil }
    }

    /// Member `name` (its last value if repeated), or nil when absent or null.
    package subscript(_ name: String) -> JSONNode? {
        guard let value = members.value(name), value != .null else { return nil }
        return JSONNode(value: value, path: path, key: keyPath(name))
    }

    /// An error about member `name`.
    package func error(_ name: String, _ reason: String) -> JSONFileError {
        JSONFileError(.invalidValue, path: path, key: keyPath(name), reason: reason)
    }

    /// Member `name`, which must be present and not null.
    package func required(_ name: String) throws(JSONFileError) -> JSONNode {
        guard let node = self[name] else { throw error(name, "missing") }
        return node
    }

    /// Member `name` as a string.
    package func string(_ name: String) throws(JSONFileError) -> String? { try self[name]?.string() }
    /// Member `name` as a boolean.
    package func bool(_ name: String) throws(JSONFileError) -> Bool? { try self[name]?.bool() }
    /// Member `name` as an integer (12 or 12.0).
    package func int(_ name: String) throws(JSONFileError) -> Int? { try self[name]?.int() }
    /// Member `name` as a number.
    package func double(_ name: String) throws(JSONFileError) -> Double? { try self[name]?.double() }
    /// Member `name` as an object.
    package func object(_ name: String) throws(JSONFileError) -> JSONObject? { try self[name]?.object() }
    /// Member `name` as a list.
    package func array(_ name: String) throws(JSONFileError) -> [JSONNode]? { try self[name]?.array() }

    /// Member `name` as a list of objects.
    package func objects(_ name: String) throws(JSONFileError) -> [JSONObject]? {
        guard let items = try array(name) else { return nil }
        var objects: [JSONObject] = []
        for item in items { objects.append(try item.object()) }
        return objects
    }

    /// Member `name` as a list of strings.
    package func strings(_ name: String) throws(JSONFileError) -> [String]? {
        guard let items = try array(name) else { return nil }
        var strings: [String] = []
        for item in items { strings.append(try item.string()) }
        return strings
    }
}
