import BridgeSupport
import Foundation
import GPT
import TensorCore

/// Pretrained base models, cached on disk under the SHA-256 of their full config.
///
/// `<cache>/<key>.safetensors` is a GPT `Checkpoint` whose metadata holds the resolved pretraining config
/// ("pretrain_config"), its key ("pretrain_key"), an FNV-1a 64 checksum of θ's bytes ("theta_checksum")
/// and the final loss. A request whose file is missing, unreadable, of another key or with a wrong
/// checksum (a torn or edited file) pretrains again and overwrites it atomically.
public enum BaseModel {
    /// Default cache folder (relative to the working directory).
    public static let defaultCacheDirectory = "results/cache/base"

    /// Where the base model of a config lives.
    public static func cachePath(config: PretrainConfig, cacheDirectory: String = defaultCacheDirectory) throws -> URL {
        URL(fileURLWithPath: cacheDirectory).appendingPathComponent(try config.cacheKey() + ".safetensors")
    }

    /// How a request was served.
    public enum Source: String, Sendable { case cache, trained, rebuilt }

    /// The base model of `config` with LoRA adapters `lora` initialised from `loraRNG` (θ from the cache,
    /// pretrained first when needed). This is what training runs call.
    public static func load(config: PretrainConfig, cacheDirectory: String = defaultCacheDirectory,
                            lora: LoRAConfig = .none, loraRNG: RNG = RNG(seed: 0),
                            progress: Pretrainer.Progress? = nil) throws -> GPTModel {
        let base = try checkpoint(config: config, cacheDirectory: cacheDirectory, progress: progress).checkpoint
        let model = GPTModel(config: base.config, lora: lora, rng: loraRNG)
        model.theta = base.theta
        return model
    }

    /// The cached checkpoint of `config` and how it was obtained; `log` receives one line on a rebuild.
    public static func checkpoint(config: PretrainConfig, cacheDirectory: String = defaultCacheDirectory,
                                  progress: Pretrainer.Progress? = nil,
                                  log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        throws -> (checkpoint: Checkpoint, source: Source, url: URL) {
        try config.validate()
        let key = try config.cacheKey()
        let url = try cachePath(config: config, cacheDirectory: cacheDirectory)
        // Parallel study workers often ask for the same missing base at once: one trains, the others
        // wait on the lock and then read the finished file.
        let lock = try CacheLock(url.appendingPathExtension("lock"))
        defer { lock.release() }
        var source = Source.trained
        if FileManager.default.fileExists(atPath: url.path) {
            switch verify(url, key: key, config: config) {
            case let .success(ckpt): return (ckpt, .cache, url)
            case let .failure(reason):
                log("base model cache entry \(url.path) is invalid (\(reason)); pretraining it again")
                source = .rebuilt
            }
        }
        let (model, summary) = try Pretrainer.train(config, progress: progress)
        let meta = [
            "pretrain_config": try ConfigValue.encode(config).canonicalJSON,
            "pretrain_key": key,
            "theta_checksum": checksum(model.theta.storage),
            "final_loss": Format.number(summary.finalLoss),
            "created_by": "bridge pretrain (BaseModel.checkpoint)",
        ]
        let ckpt = Checkpoint(model: model, metadata: meta)
        try ckpt.write(to: url)
        return (ckpt, source, url)
    }

    /// Reads and checks a cache entry.
    static func verify(_ url: URL, key: String, config: PretrainConfig) -> Result<Checkpoint, VerifyFailure> {
        let ckpt: Checkpoint
        do { ckpt = try Checkpoint.read(url) } catch { return .failure(VerifyFailure("cannot load: \(error)")) }
        guard ckpt.metadata["pretrain_key"] == key else {
            return .failure(VerifyFailure("its key is '\(ckpt.metadata["pretrain_key"] ?? "missing")', expected '\(key)'"))
        }
        guard ckpt.config == config.model else { return .failure(VerifyFailure("its model shape differs from the config")) }
        let sum = checksum(ckpt.theta.storage)
        guard ckpt.metadata["theta_checksum"] == sum else {
            return .failure(VerifyFailure("θ checksum \(sum) differs from the stored \(ckpt.metadata["theta_checksum"] ?? "missing")"))
        }
        return .success(ckpt)
    }

    struct VerifyFailure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// FNV-1a 64 over the little-endian bytes of the values, as 16 hex digits.
    public static func checksum(_ values: [Float]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in values {
            var bits = x.bitPattern.littleEndian
            for _ in 0..<4 { h = (h ^ UInt64(bits & 0xff)) &* 0x0000_0100_0000_01B3; bits >>= 8 }
        }
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

/// An exclusive advisory lock (flock) on a file next to a cache entry; released on `release()` or exit.
final class CacheLock {
    private let fd: Int32

    init(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        fd = open(url.path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FileProblem(path: url.path, errno: errno, action: "create the lock file")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            FileHandle.standardError.write(Data("waiting for another process that is building \(url.deletingPathExtension().lastPathComponent)\n".utf8))
            flock(fd, LOCK_EX)
        }
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
