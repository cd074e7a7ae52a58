// Where and how models by name are fetched: the settings huggingface_hub reads from the environment (constants.py),
// as one value a caller can also set in code.
import Foundation

/// Where models loaded by name (`SentenceEncoder(pretrained:)`) come from: the Hugging Face cache, and the Hub that
/// fills it. The defaults read the environment as Python's huggingface_hub does, so both share one cache.
public struct HubOptions: Sendable {
    /// The cache's root folder, holding `models--ORG--NAME` folders (nil: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
    /// `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`).
    public var cacheDirectory: URL?
    /// The Hub's address: `$HF_ENDPOINT`, else https://huggingface.co.
    public var endpoint: URL
    /// The access token sent to the Hub (`Authorization: Bearer`), for private and gated models: `$HF_TOKEN`, else
    /// `$HUGGING_FACE_HUB_TOKEN`, else the file `$HF_TOKEN_PATH` or `$HF_HOME/token` (where `hf auth login` saves it).
    public var token: String?
    /// Never touch the network: use what the cache holds, or fail naming what is missing. `$HF_HUB_OFFLINE=1`.
    public var offline: Bool
    /// Seconds without a byte from the Hub before a request fails (default 10, as huggingface_hub's).
    public var timeout: Double
    /// Called as files arrive (on a background thread; keep it quick).
    public var progress: (@Sendable (HubProgress) -> Void)?

    /// The settings of `environment` (default: this process's), as huggingface_hub reads them.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
            else { return nil }
            return value
        }
        cacheDirectory = nil
        endpoint = value("HF_ENDPOINT").flatMap { URL(string: $0) } ?? URL(string: "https://huggingface.co")!
        let home = value("HF_HOME").map { ($0 as NSString).expandingTildeInPath }
        let tokenFile =
            value("HF_TOKEN_PATH").map { ($0 as NSString).expandingTildeInPath }
            ?? home.map { $0 + "/token" }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/huggingface/token").path
        token =
            value("HF_TOKEN") ?? value("HUGGING_FACE_HUB_TOKEN")
            ?? FileManager.default.contents(atPath: tokenFile).flatMap { String(data: $0, encoding: .utf8) }?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if token?.isEmpty == true { token = nil }
        offline = ["1", "ON", "YES", "TRUE"].contains(value("HF_HUB_OFFLINE")?.uppercased() ?? "")
        timeout = 10
        progress = nil
        self.environment = environment
    }

    /// The environment the defaults came from (for the cache's location).
    let environment: [String: String]

    /// The cache these options name.
    var cache: HubCache { HubCache(root: cacheDirectory, environment: environment) }
}

/// How far a download has come: reported through `HubOptions.progress`.
public struct HubProgress: Sendable {
    /// The repository ("ORG/NAME").
    public let repository: String
    /// The file being fetched, its path in the repository.
    public let file: String
    /// Bytes of that file on disk so far (a resumed download starts at what was kept).
    public let fileBytes: Int64
    /// The file's size.
    public let fileSize: Int64
    /// Bytes of all the files to fetch on disk so far.
    public let totalBytes: Int64
    /// The size of all the files to fetch.
    public let totalSize: Int64
}
