// Progress on stderr for long jobs: a redrawn bar on a terminal, a plain periodic line otherwise, nothing with --quiet.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reports (done, total) texts with texts/s and the time left. Not thread-safe: call from one thread.
final class ProgressReporter: @unchecked Sendable {
    enum Style { case bar, lines, silent }

    let label: String
    let style: Style
    private let start = monotonicSeconds()
    private var lastReport = 0.0

    /// A reporter for `label`; `quiet` silences it, and the style follows whether stderr is a terminal.
    init(label: String, quiet: Bool) {
        self.label = label
        style = quiet ? .silent : (isatty(2) != 0 ? .bar : .lines)
    }

    /// Records progress; draws at most 10 times a second on a terminal, every 5 seconds otherwise. A nil
    /// `total` (texts still streaming in) shows the count and rate only; call `finish` at the end then.
    func update(done: Int, total: Int?) {
        guard style != .silent, total.map({ $0 > 0 }) ?? true else { return }
        let now = monotonicSeconds()
        let finished = total.map { done >= $0 } ?? false
        let interval = style == .bar ? 0.1 : 5.0
        guard finished || now - lastReport >= interval else { return }
        lastReport = now
        let elapsed = max(now - start, 1e-9)
        let rate = Double(done) / elapsed
        guard let total else {
            let stats = "\(done) texts, \(Int(rate.rounded())) texts/s"
            if style == .bar {
                printError("\r\(label) \(stats)\u{1B}[K", newline: false)
            } else {
                printError("\(label): \(stats)")
            }
            return
        }
        let left = rate > 0 ? Double(total - done) / rate : 0
        let stats =
            "\(done)/\(total) texts, \(Int(rate.rounded())) texts/s, \(finished ? "done in \(clock(elapsed))" : "\(clock(left)) left")"
        switch style {
        case .bar:
            let width = 30
            let filled = min(width, max(0, Int(Double(width) * Double(done) / Double(max(total, 1)))))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            printError("\r\(label) [\(bar)] \(stats)\u{1B}[K" + (finished ? "\n" : ""), newline: false)
        case .lines:
            printError("\(label): \(stats)")
        case .silent:
            break
        }
    }

    /// The final report of a run whose total was not known in advance.
    func finish(done: Int) { update(done: done, total: done) }

    private func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}
