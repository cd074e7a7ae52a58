// bert-embed bench: end-to-end throughput of the library on a model and a set of texts.
import BertEmbed
import BertEmbedKernels
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let benchCommand = Subcommand(
    name: "bench",
    summary: "measure tokens/s, sentences/s, load time and peak memory",
    help: """
        usage: bert-embed bench --model DIR [--input FILE] [--threads N] [--compute-type T] [--batch-size N]
               [--runs N] [--json]

        Encodes the texts end to end (tokenize, encode, pool, normalize, as `embed` does) and reports:
        model load time, tokenizer MB/s (single thread), tokens/s and sentences/s (median of the runs),
        the dense layers' GFLOP/s (their floating-point operations divided by the encode time, so a lower bound),
        the bytes the dense layers keep (weights_mb, and weights_bytes exactly: packed weights and biases, in the
        compute type's format),
        and the process's peak resident memory: while loading (the memory-mapped file and the packed weights) and,
        on Linux, while encoding (the packed weights plus a batch's activations; the peak is reset after loading).
        gemm_kernel names the matrix-product micro-kernel chosen for this CPU ("6x16-avx2-jit": generated at run
        time for AVX2 + FMA; "12x32-avx512-jit" where the CPU has AVX-512; BERT_EMBED_JIT=0 turns code generation
        off, BERT_EMBED_GEMM_KERNEL=NAME forces a kernel);
        int8_kernel the integer micro-kernel of int8 layers ("6x16-int16-avx2-jit", generated for AVX2 + FMA;
        "6x8-int16-avxvnni-jit" or "6x8-int16-avx512vnni-jit" where the CPU also has VNNI, "6x32-int16-avx512vnni-jit"
        on zmm registers where it has AVX512-VNNI and AVX512BW; on Linux arm64 "4x8-split-int8-sdot-jit" with dot
        products, "4x8-split-int8-i8mm-jit" with i8mm), or none (not int8, or
        int8 weights widened to float32 for gemm_kernel); bfloat16_kernel the kernel of bfloat16 layers
        ("32x32-bf16-amx-jit" where the CPU has AMX-BF16; BERT_EMBED_AMX=0 turns it off; else gemm_kernel's name +
        "-bf16pairs" where that generated tile has a twin widening bfloat16 weights in registers), or none (not
        bfloat16, or bfloat16 weights widened to float32 in memory for gemm_kernel).

        options:
          --model DIR        a sentence-transformers or BERT folder (plain BERT folders are pooled with mean)
          --input FILE       texts, one per line, empty lines skipped (default: a built-in set of 512 realistic
                             English sentences)
          --threads N        worker threads (default: all cores)
          --compute-type T   float32 (default), bfloat16 (dense weights half the memory, cosine >= 0.9998 to
                             float32) or int8 (weights in int8 blocks, 31 % of the memory, cosine >= 0.998)
          --batch-size N     texts per forward pass (default 32)
          --runs N           timed runs after one warm-up run (default 3)
          --callers N        also time the texts sent by N concurrent async callers, one text per call (as a
                             server's requests; they share forward passes), and one text per call in sequence:
                             callers_tokens_per_s, serial_tokens_per_s (median of the runs)
          --pass-tokens N    the token budget of a pass shared by async callers (default 4096)
          --json             print one JSON object instead of a table
        """,
    run: { args in
        var arguments = try Arguments(
            args,
            valueOptions: [
                "model", "input", "threads", "batch-size", "runs", "compute-type", "callers", "pass-tokens",
            ])
        guard let model = try arguments.string("model") else { throw UsageError("--model DIR is required") }
        let input = try arguments.string("input")
        let threads = try arguments.int("threads")
        let batchSize = try arguments.int("batch-size") ?? 32
        let runs = try arguments.int("runs") ?? 3
        let json = try arguments.flag("json")
        let computeType = try arguments.computeType()
        let callers = try arguments.int("callers")
        let passTokens = try arguments.int("pass-tokens")
        try arguments.finish()
        guard arguments.positional.isEmpty else { throw UsageError("unexpected argument '\(arguments.positional[0])'") }

        let texts: [String]
        if let input {
            texts = try readTextFile(input).filter { !$0.isEmpty }
        } else {
            texts = (0..<512).map { builtInSentences[$0 % builtInSentences.count] }
        }
        guard !texts.isEmpty else { throw CLIError("no texts to encode") }

        let loadStart = monotonicSeconds()
        let directory = try modelFolder(model)
        let encoder: SentenceEncoder
        var compute = ComputeOptions(threads: threads, computeType: computeType)
        if let passTokens { compute.passTokenBudget = passTokens }
        do {
            encoder = try SentenceEncoder(modelDirectory: directory, compute: compute)
        } catch EmbeddingError.poolingRequired {
            encoder = try SentenceEncoder(
                modelDirectory: directory, pooling: .mean, compute: compute)
        }
        let loadSeconds = monotonicSeconds() - loadStart
        let loadPeak = peakResidentMegabytes()
        let encodePeakMeasured = resetPeakResidentMemory()

        // Tokenizer throughput, single thread, on the same texts: one pass to warm up (first use of the vocabulary's
        // pages and tables), then whole passes until a quarter of a second has gone by.
        let textBytes = texts.reduce(0) { $0 + $1.utf8.count }
        var tokens = 0
        for text in texts { tokens += try encoder.tokenIds(text).count }
        var bytes = 0
        let tokenizeStart = monotonicSeconds()
        var tokenizeSeconds = 0.0
        repeat {
            for text in texts { _ = try encoder.tokenIds(text) }
            bytes += textBytes
            tokenizeSeconds = monotonicSeconds() - tokenizeStart
        } while tokenizeSeconds < 0.25

        let options = EncodeOptions(batchSize: batchSize, threads: threads)
        _ = try encoder.encode(texts, options: options)  // warm-up
        var times: [Double] = []
        for _ in 0..<runs {
            let start = monotonicSeconds()
            _ = try encoder.encode(texts, options: options)
            times.append(monotonicSeconds() - start)
        }
        let median = times.sorted()[times.count / 2]
        let flops = encoder.denseFlopsPerToken * Double(tokens)
        var callerStats: [(String, String)] = []
        if let callers {
            let concurrent = try medianSeconds(of: runs) { try encodeConcurrently(encoder, texts, callers: callers) }
            let serial = try medianSeconds(of: runs) {
                for text in texts { _ = try encoder.encode([text], options: EncodeOptions(threads: threads)) }
            }
            callerStats = [
                ("callers", "\(callers)"), ("pass_tokens", "\(compute.passTokenBudget)"),
                ("callers_tokens_per_s", format(Double(tokens) / concurrent)),
                ("serial_tokens_per_s", format(Double(tokens) / serial)),
            ]
        }
        let stats: [(String, String)] =
            [
                ("texts", "\(texts.count)"),
                ("tokens", "\(tokens)"),
                ("threads", "\(threads.map(String.init) ?? "all")"),
                ("batch_size", "\(batchSize)"),
                ("gemm_kernel", encoder.gemmKernelName),
                ("int8_kernel", encoder.int8KernelName ?? "none"),
                ("bfloat16_kernel", encoder.bfloat16KernelName ?? "none"),
                ("compute_type", computeType.name),
                ("weights_mb", format(Double(encoder.denseWeightBytes) / 1e6)),
                ("weights_bytes", "\(encoder.denseWeightBytes)"),
                ("load_ms", format(loadSeconds * 1000)),
                ("tokenizer_mb_per_s", format(Double(bytes) / tokenizeSeconds / 1e6)),
                ("tokens_per_s", format(Double(tokens) / median)),
                ("sentences_per_s", format(Double(texts.count) / median)),
                ("dense_gflop_per_s", format(flops / median / 1e9)),
                ("encode_s_median", format(median)),
                ("load_peak_rss_mb", format(loadPeak)),
                ("encode_peak_rss_mb", encodePeakMeasured ? format(peakResidentMegabytes()) : "n/a"),
            ] + callerStats
        var out = BufferedWriter(fd: 1)
        if json {
            out.write(
                "{" + stats.map { "\"\($0.0)\": \(Double($0.1) != nil ? $0.1 : "\"\($0.1)\"")" }.joined(separator: ", ")
                    + "}\n")
        } else {
            for (key, value) in stats {
                out.write(key + String(repeating: " ", count: max(1, 20 - key.count)) + value + "\n")
            }
        }
        try out.flush()
    }
)

/// The median wall time of `runs` calls of `body` (after one untimed call).
func medianSeconds(of runs: Int, _ body: () throws -> Void) throws -> Double {
    try body()
    var times: [Double] = []
    for _ in 0..<max(1, runs) {
        let start = monotonicSeconds()
        try body()
        times.append(monotonicSeconds() - start)
    }
    return times.sorted()[times.count / 2]
}

/// Encodes `texts` with the async API from `callers` concurrent tasks, each taking the next text, one per call
/// (as a server's requests), and waits for all of them.
func encodeConcurrently(_ encoder: SentenceEncoder, _ texts: [String], callers: Int) throws {
    let done = DispatchSemaphore(value: 0)
    let failure = FailureSlot()
    Task {
        do {
            let next = TextCounter()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<max(1, callers) {
                    group.addTask {
                        while let index = next.take(below: texts.count) {
                            _ = try await encoder.encode(texts[index])
                        }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            failure.error = error
        }
        done.signal()
    }
    done.wait()
    if let error = failure.error { throw error }
}

/// The next index to hand out, shared by the callers.
private final class TextCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    func take(below count: Int) -> Int? {
        lock.withLock {
            guard next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }
}

/// An error carried out of a task (written before the semaphore is signalled, read after).
private final class FailureSlot: @unchecked Sendable {
    var error: Error?
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func format(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return "\(rounded)"
}

/// Resets the peak resident set size (Linux: writing 5 to /proc/self/clear_refs); false where that is not possible.
func resetPeakResidentMemory() -> Bool {
    #if os(Linux)
    let fd = open("/proc/self/clear_refs", O_WRONLY)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return write(fd, "5", 1) == 1
    #else
    return false
    #endif
}

/// The process's peak resident set size in MB. On Linux this is VmHWM of /proc/self/status: `ru_maxrss` there is
/// inherited across fork and exec, so a benchmark started from a large parent (Python with torch) would report the
/// parent's peak. Elsewhere `ru_maxrss` (bytes on Darwin).
func peakResidentMegabytes() -> Double {
    #if os(Linux)
    if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
    {
        return kilobytes / 1024
    }
    return 0
    #else
    var usage = rusage()
    getrusage(RUSAGE_SELF, &usage)
    return Double(usage.ru_maxrss) / 1_048_576
    #endif
}

/// A built-in set of realistic English sentences (news, reviews, questions, instructions) for `bench`.
let builtInSentences: [String] = [
    "The central bank raised interest rates by a quarter of a percentage point on Wednesday, citing persistent inflation in services.",
    "I ordered the large pepperoni pizza and it arrived cold, forty minutes late, and with the wrong toppings.",
    "How do I reset my password if I no longer have access to the email address on my account?",
    "Preheat the oven to 200 degrees, then roast the vegetables for twenty-five minutes, turning them once halfway through.",
    "A man is eating food.",
    "The committee will publish its final report after reviewing more than three thousand public comments.",
    "Researchers found that participants who slept less than six hours a night were more likely to catch a cold.",
    "Is it possible to travel from Paris to Rome by train in a single day?",
    "This laptop has an excellent keyboard, but the battery barely lasts four hours under normal use.",
    "The bridge will be closed to traffic for repairs from Monday through Friday next week.",
    "Please attach a copy of your receipt and a short description of the problem to your return request.",
    "The novel follows three generations of a family living in a small fishing village on the northern coast.",
    "What are the main differences between a virus and a bacterium?",
    "Volunteers planted more than two thousand trees along the river to reduce erosion and provide shade.",
    "The software update fixes a bug that caused the application to crash when opening large files.",
    "She finished the marathon in just under three hours, beating her personal best by eight minutes.",
    "Our team is looking for an experienced engineer to help design and maintain our data pipelines.",
    "The museum's new exhibition brings together paintings, letters, and photographs from the artist's early career.",
    "Can you recommend a good book about the history of mathematics for a high school student?",
    "Heavy rain is expected across the region tonight, with local flooding possible in low-lying areas.",
    "The hotel room was clean and quiet, and the staff were friendly, but breakfast was overpriced.",
    "To install the package, run the installer and follow the instructions on the screen.",
    "Scientists have discovered a new species of frog in the rainforests of South America.",
    "The city council approved a plan to expand bike lanes and reduce speed limits in residential neighborhoods.",
    "Why does the sky appear blue during the day but red and orange at sunset?",
    "After months of negotiations, the two companies agreed to merge in a deal worth twelve billion dollars.",
    "The children built a sandcastle on the beach and decorated it with shells and seaweed.",
    "Make sure to back up your files before upgrading the operating system.",
    "The restaurant's signature dish is a slow-cooked lamb shoulder served with roasted garlic and rosemary potatoes.",
    "A recent survey shows that most remote workers would prefer to keep working from home at least part of the week.",
    "The orchestra performed Beethoven's Ninth Symphony to a sold-out audience on Saturday evening.",
    "What time does the pharmacy on Main Street close on Sundays?",
]
