import BridgeSupport
import Foundation
import GPT

/// The resumable state of a training run in one safetensors file (GPT's `Checkpoint`): θ and w, plus
/// extra tensors for the AdamW moments of θ and w, π_ref, and the shadow proxy; the scalar state
/// (step, AdamW step counts, work counters, wall time so far) as JSON metadata "train_state".
/// Everything else a step needs is derived from (seed, step), so this is all resume needs.
public struct TrainState: Codable, Sendable, Equatable {
    /// Updates completed (the next update is `step`).
    public var step = 0
    public var optThetaT = 0
    public var optWT = 0
    public var shadowT = 0
    public var hasReference = false
    public var counters = WorkCounters()
    /// Wall seconds spent before this checkpoint (all segments of a resumed run).
    public var wallSeconds = 0.0
    /// SHA-256 of the resolved config: a checkpoint only resumes the run it belongs to.
    public var configHash = ""
    /// Rows metrics.csv held when this checkpoint was written (nil in older checkpoints): a resume
    /// checks it, so that a metrics.csv cut short or edited since is noticed instead of continued with a hole.
    public var metricRows: Int? = nil

    public init() {}
    enum CodingKeys: String, CodingKey {
        case step, optThetaT = "opt_theta_t", optWT = "opt_w_t", shadowT = "shadow_t", hasReference = "has_reference",
             counters, wallSeconds = "wall_s", configHash = "config_hash", metricRows = "metric_rows"
    }
}

public enum TrainCheckpoint {
    public static let fileName = "checkpoint.safetensors"

    /// Writes the context's state at `state.step` atomically (SafeTensors writes temp + rename).
    public static func write(_ ctx: TrainContext, state: TrainState, to url: URL) throws {
        var extra: [String: (shape: [Int], data: [Float])] = [:]
        func add(_ name: String, _ data: [Float]) { if !data.isEmpty { extra[name] = ([data.count], data) } }
        add("opt_theta_m", ctx.optTheta.m); add("opt_theta_v", ctx.optTheta.v)
        add("opt_w_m", ctx.optW.m); add("opt_w_v", ctx.optW.v)
        if let ref = ctx.reference { add("ref_theta", ref.theta.storage); add("ref_w", ref.w.storage) }
        add("shadow_theta", ctx.shadowTheta); add("shadow_m", ctx.shadowOpt.m); add("shadow_v", ctx.shadowOpt.v)
        let meta = ["train_state": try ConfigValue.encode(state).canonicalJSON]
        try Checkpoint(model: ctx.model, extra: extra, metadata: meta).write(to: url)
    }

    /// Restores the context from a checkpoint; returns its state. Errors name the file and the fix.
    public static func read(_ url: URL, into ctx: TrainContext, expectedConfigHash: String) throws -> TrainState {
        let ck = try Checkpoint.read(url)
        guard let text = ck.metadata["train_state"] else {
            throw TrainError.checkpoint("\(url.path) has no train_state metadata: not a training checkpoint; delete it or use a new --out")
        }
        let state = try ConfigValue.parseYAML(text, source: url.path).value.decode(TrainState.self, source: url.path)
        guard state.configHash == expectedConfigHash else {
            throw TrainError.checkpoint("\(url.path) belongs to a different config (hash \(state.configHash.prefix(12)) vs \(expectedConfigHash.prefix(12))); use a new --out or the run's own config.json")
        }
        try ck.load(into: ctx.model, source: url.path)
        func tensor(_ name: String, _ count: Int) throws -> [Float] {
            if count == 0 { return [] }
            guard let t = ck.extra[name], t.data.count == count else {
                throw TrainError.checkpoint("\(url.path) lacks tensor extra.\(name) of \(count) values; delete the checkpoint to restart the run")
            }
            return t.data
        }
        let nt = ctx.model.theta.count, nw = ctx.model.w.count
        ctx.optTheta = AdamState(count: nt); ctx.optTheta.m = try tensor("opt_theta_m", nt); ctx.optTheta.v = try tensor("opt_theta_v", nt); ctx.optTheta.t = state.optThetaT
        ctx.optW = AdamState(count: nw); ctx.optW.m = try tensor("opt_w_m", nw); ctx.optW.v = try tensor("opt_w_v", nw); ctx.optW.t = state.optWT
        if state.hasReference {
            let ref = ctx.model.copy()
            ref.theta.storage = try tensor("ref_theta", nt); ref.w.storage = try tensor("ref_w", nw)
            ctx.reference = ref
        } else { ctx.reference = nil }
        if ck.extra["shadow_theta"] != nil {
            ctx.shadowTheta = try tensor("shadow_theta", nt)
            ctx.shadowOpt = AdamState(count: nt); ctx.shadowOpt.m = try tensor("shadow_m", nt); ctx.shadowOpt.v = try tensor("shadow_v", nt)
            ctx.shadowOpt.t = state.shadowT
        }
        ctx.counters = state.counters
        return state
    }
}
