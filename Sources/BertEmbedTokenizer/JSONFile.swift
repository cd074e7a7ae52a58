// Reading tokenizer files: bytes, UTF-8 text and JSON objects, each failure a TokenizerError naming the file.
import Foundation

/// A parsed JSON object from one file, with typed accessors whose errors name the file and the key.
package struct JSONFile {
    /// The file path, for messages.
    package let path: String
    /// The top-level object.
    package let object: [String: Any]

    /// Reads and parses `url`; throws when it is unreadable, not UTF-8, not JSON, or not an object at the top.
    package init(url: URL) throws {
        path = url.path
        let data = try Self.readData(url)
        guard String(data: data, encoding: .utf8) != nil else { throw TokenizerError.invalidUTF8(path: path, line: nil) }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw TokenizerError.invalidJSON(path: path, reason: "\(error.localizedDescription)")
        }
        guard let object = parsed as? [String: Any] else {
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

    /// `object[key]` when present and not JSON null.
    package static func value(_ object: [String: Any], _ key: String) -> Any? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        return value
    }

    /// A boolean at `key` of `object` (nil when absent or null); `name` is the dotted key for messages.
    package func bool(_ object: [String: Any], _ key: String, name: String) throws -> Bool? {
        guard let value = Self.value(object, key) else { return nil }
        guard let bool = value as? Bool else {
            throw TokenizerError.invalidValue(path: path, key: name, reason: "expected true or false, found \(value)")
        }
        return bool
    }

    /// An integer at `key` of `object` (nil when absent or null).
    package func int(_ object: [String: Any], _ key: String, name: String) throws -> Int? {
        guard let value = Self.value(object, key) else { return nil }
        guard let number = value as? NSNumber, let int = Int(exactly: number.doubleValue) else {
            throw TokenizerError.invalidValue(path: path, key: name, reason: "expected an integer, found \(value)")
        }
        return int
    }

    /// A string at `key` of `object` (nil when absent or null).
    package func string(_ object: [String: Any], _ key: String, name: String) throws -> String? {
        guard let value = Self.value(object, key) else { return nil }
        guard let string = value as? String else {
            throw TokenizerError.invalidValue(path: path, key: name, reason: "expected a string, found \(value)")
        }
        return string
    }

    /// An object at `key` of `object` (nil when absent or null).
    package func object(_ object: [String: Any], _ key: String, name: String) throws -> [String: Any]? {
        guard let value = Self.value(object, key) else { return nil }
        guard let dictionary = value as? [String: Any] else {
            throw TokenizerError.invalidValue(path: path, key: name, reason: "expected an object")
        }
        return dictionary
    }
}
