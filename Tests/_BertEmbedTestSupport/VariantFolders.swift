// Sentence-transformers folder variants of the tiny fixture (Resources/goldens/sentence/variants.json), built in a
// temporary folder; shared by the library's golden tests and the CLI's.
import Foundation
import XCTest

/// Builds the folder variants of Resources/goldens/sentence/variants.json in a temporary folder, as the script
/// does: the base with model.safetensors symlinked and every other file copied, then the variant's files and
/// JSON updates.
public final class VariantFolders {
    /// The temporary folder holding the variants (removed when this object goes).
    public let root: URL
    private let spec: [String: Any]

    /// Reads the variant list; builds nothing yet.
    public init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("bert-embed-variants-\(UUID().uuidString)")
        let data = try Data(contentsOf: resource("goldens/sentence/variants.json"))
        spec = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// The variants' names.
    public var names: [String] { ((spec["variants"] as? [String: Any]) ?? [:]).keys.sorted() }

    /// A copy of the base folder (model.safetensors symlinked) under `name`, with no variant files.
    public func baseCopy(_ name: String) throws -> URL {
        let base = resource("tiny-bert")
        let folder = root.appendingPathComponent(name)
        let manager = FileManager.default
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        let enumerator = try XCTUnwrap(manager.enumerator(atPath: base.path))
        while let relative = enumerator.nextObject() as? String {
            let source = base.appendingPathComponent(relative)
            let target = folder.appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            _ = manager.fileExists(atPath: source.path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                try manager.createDirectory(at: target, withIntermediateDirectories: true)
            } else if relative.hasSuffix("model.safetensors") {
                try manager.createSymbolicLink(at: target, withDestinationURL: source)
            } else {
                try manager.copyItem(at: source, to: target)
            }
        }
        return folder
    }

    /// The variant folder `name` (built once).
    public func folder(_ name: String) throws -> URL {
        let folder = root.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: folder.path) { return folder }
        let variants = try XCTUnwrap(spec["variants"] as? [String: Any])
        let variant = try XCTUnwrap(variants[name] as? [String: Any], "no variant \(name)")
        _ = try baseCopy(name)
        for (path, content) in variant["json"] as? [String: Any] ?? [:] {
            try write(JSONSerialization.data(withJSONObject: content, options: [.prettyPrinted]), to: path, in: folder)
        }
        for (path, changes) in variant["json_update"] as? [String: Any] ?? [:] {
            let data = try Data(contentsOf: folder.appendingPathComponent(path))
            var content = try XCTUnwrap(
                JSONSerialization.jsonObject(with: data) as? [String: Any], "\(path): not an object")
            Self.merge(try XCTUnwrap(changes as? [String: Any]), into: &content)
            try write(JSONSerialization.data(withJSONObject: content), to: path, in: folder)
        }
        for (path, entry) in variant["dense_weights"] as? [String: Any] ?? [:] {
            let file = try XCTUnwrap((entry as? [String: Any])?["file"] as? String)
            try write(Data(contentsOf: resource("goldens/sentence/" + file)), to: path, in: folder)
        }
        return folder
    }

    /// The script's deep merge for `json_update`: objects merge key by key, any other value replaces the old one.
    public static func merge(_ changes: [String: Any], into content: inout [String: Any]) {
        for (key, value) in changes {
            if let inner = value as? [String: Any], var old = content[key] as? [String: Any] {
                merge(inner, into: &old)
                content[key] = old
            } else {
                content[key] = value
            }
        }
    }

    /// Writes `data` at `path` inside `folder`, replacing a file (never writing through a symlink).
    public func write(_ data: Data, to path: String, in folder: URL) throws {
        let url = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: url)
        try data.write(to: url)
    }
}
