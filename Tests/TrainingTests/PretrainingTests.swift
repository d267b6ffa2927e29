import BridgeSupport
import Foundation
import GPT
import Tasks
import TensorCore
import Testing
import Training

/// A pretraining config that runs in about a second: tiny preset, 40 steps of 16 short documents.
func tinyPretrainConfig(seed: Int = 1) -> PretrainConfig {
    var c = PretrainConfig()
    c.model = try! GPTConfig.preset("tiny")
    c.corpus.problems = 400
    c.corpus.factCopies = 1
    c.corpus.tasks.addition.maxDigits = 2
    c.corpus.tasks.multiplication.maxDigits = 2
    c.steps = 40
    c.batchSize = 16
    c.warmupSteps = 5
    c.optimizer.learningRate = 3e-3
    c.seed = seed
    return c
}

func temporaryDirectory(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bridge-tests-\(name)-\(getpid())")
    try? FileManager.default.removeItem(at: dir)
    return dir.path
}

@Suite(.serialized) struct PretrainingTests {
    @Test func lossFallsAndTrainingIsDeterministic() throws {
        let (a, sa) = try Pretrainer.train(tinyPretrainConfig())
        let (b, _) = try Pretrainer.train(tinyPretrainConfig())
        let first = sa.losses.prefix(5).reduce(0, +) / 5, last = sa.losses.suffix(5).reduce(0, +) / 5
        #expect(last < first - 0.5, "loss went from \(first) to \(last)")
        #expect(a.theta.storage == b.theta.storage, "same config gave different θ")
        let (c, _) = try Pretrainer.train(tinyPretrainConfig(seed: 2))
        #expect(a.theta.storage != c.theta.storage)
    }

    @Test func cacheServesSecondRequestAndRebuildsCorruptEntries() throws {
        let dir = temporaryDirectory("cache")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = tinyPretrainConfig()
        let first = try BaseModel.checkpoint(config: config, cacheDirectory: dir, log: { _ in })
        #expect(first.source == .trained)
        #expect(first.url.lastPathComponent == (try config.cacheKey()) + ".safetensors")
        let second = try BaseModel.checkpoint(config: config, cacheDirectory: dir, log: { _ in })
        #expect(second.source == .cache && second.checkpoint.theta.storage == first.checkpoint.theta.storage)

        // Flip bytes inside the tensor data: loads, but the checksum catches it.
        var bytes = try Data(contentsOf: first.url)
        for i in stride(from: bytes.count - 4000, to: bytes.count - 3000, by: 7) { bytes[i] ^= 0x5a }
        try bytes.write(to: first.url)
        var messages: [String] = []
        let third = try BaseModel.checkpoint(config: config, cacheDirectory: dir, log: { messages.append($0) })
        #expect(third.source == .rebuilt && third.checkpoint.theta.storage == first.checkpoint.theta.storage)
        #expect(messages.first?.contains("checksum") == true, "\(messages)")

        // A truncated file fails to load and is rebuilt too.
        try Data(bytes.prefix(100)).write(to: first.url)
        let fourth = try BaseModel.checkpoint(config: config, cacheDirectory: dir, log: { _ in })
        #expect(fourth.source == .rebuilt && fourth.checkpoint.theta.storage == first.checkpoint.theta.storage)

        // BaseModel.load hands back θ with the requested adapters.
        let model = try BaseModel.load(config: config, cacheDirectory: dir, lora: LoRAConfig(rank: 2), loraRNG: RNG(seed: 5))
        #expect(model.theta.storage == first.checkpoint.theta.storage && model.lora.rank == 2)
    }

    @Test func cacheKeyFollowsTheWholeConfig() throws {
        let a = tinyPretrainConfig()
        var b = a; b.corpus.seed = 2
        var c = a; c.optimizer.beta2 = 0.99
        let keys = try [a, b, c].map { try $0.cacheKey() }
        #expect(Set(keys).count == 3)
        #expect(try a.cacheKey() == tinyPretrainConfig().cacheKey())
        // A base computed under another OpenBLAS core has other bits: another entry.
        #expect(try a.cacheKey(blasCore: "Haswell") != a.cacheKey(blasCore: "Cooperlake"))
        #expect(try a.cacheKey() == a.cacheKey(blasCore: BLAS.coreName))
        // Likewise under another kernel generation; generation 1 keeps the keys written before generations
        // existed (its cached bases stay valid).
        #expect(try Set(KernelGeneration.allCases.map { try a.cacheKey(kernels: $0) }).count == KernelGeneration.allCases.count)
        #expect(try a.cacheKey(blasCore: "Haswell", kernels: .v1)
                == SHA256.hex("bridge-pretrain/v\(PretrainConfig.codeVersion):Haswell:" + ConfigValue.encode(a).canonicalJSON))
    }
}

/// The documented base-model band (docs/tasks.md): default config, seed 1. Minutes of CPU the first
/// time (then cached in results/cache/base), so only with BRIDGE_LONG_TESTS=1.
@Suite struct BaseModelBandTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["BRIDGE_LONG_TESTS"] == "1"))
    func defaultBaseModelSolvesSomeEasyAndFewHardProblems() throws {
        let model = try BaseModel.load(config: PretrainConfig())
        let report = try Evaluator().evaluate(model)
        let easy = report.sets.first { $0.name == "b1_indist" }!.accuracy
        let hard = report.sets.first { $0.name == "b5_compose" }!.accuracy
        #expect(easy >= 0.25 && easy <= 0.60, "b1_indist accuracy \(easy) outside the documented band 0.25-0.60")
        #expect(hard <= 0.05, "b5_compose accuracy \(hard) above the documented 0.05")
    }
}
