import Foundation

/// `bridge`: the bilevel method of method.md, one step k:
/// 1. SFT batch and RL rollouts from π(θ_k, w_k);  2. g_sft = ∇_θ L_SFT, g_rl = ∇_θ L_RL at (θ_k, w_k);
/// 3. student θ_{k+1} = step_θ((1−λ_k)·g_sft + λ_k·g_rl);  4. proxy θ̂ (one_step | k_step | shadow);
/// 5. teacher g_w = (1−λ_k)∇_w L_SFT(θ_{k+1}, w_k) + λ_k[∇_w L_RL(θ_{k+1}, w_k) − ∇_w L_RL(θ̂, w_k)],
///    w_{k+1} = step_w(g_w), RL terms on the step-1 rollouts (ratios against π(θ_k, w_k));
/// 6. log λ_k, Ĝ_k = J_RL(θ_{k+1}, w_k) − J_RL(θ̂, w_k), both gradient norms, cos(g_sft, g_rl).
public final class BridgeMethod: TrainingMethod {
    public let name = "bridge"
    public init() {}

    public func start(_ ctx: TrainContext) throws {
        ctx.freezeReference()
        if ctx.config.bridge.proxy == "shadow" {
            ctx.shadowTheta = ctx.model.theta.storage
            ctx.shadowOpt = AdamState(count: ctx.model.theta.count)
        }
    }

    public func step(_ k: Int, _ ctx: TrainContext) throws -> [(String, Double)] {
        let cfg = ctx.config.bridge, model = ctx.model
        let lambda = LambdaSchedule(cfg.lambda, runSteps: ctx.config.run.steps).value(atStep: k)
        // 1-2. Batches and the two θ-gradients at (θ_k, w_k).
        let sft = ctx.sftBatch(step: k)
        var ro = ctx.sampleRollouts(step: k)
        model.zeroGradients()
        let sftLoss = ctx.sftGradient(sft, theta: true, w: false)
        try ctx.guardFinite(sftLoss, "sft/loss", step: k)
        let gSft = model.gradTheta.storage
        model.gradTheta.zero()
        let rl = ctx.rlGradient(&ro, theta: true, w: false) // records π_old = π(θ_k, w_k)
        try ctx.guardFinite(rl.loss, "rl/loss", step: k)
        let gRl = model.gradTheta.storage
        let cos = ParamOptimizer.cosine(gSft, gRl)
        // 3. Student update with the fused gradient.
        let thetaK = model.theta.storage, optK = ctx.optTheta
        let a = Float(1 - lambda), b = Float(lambda)
        ctx.phases.time(\.optimizer) { model.gradTheta.storage = zip(gSft, gRl).map { a * $0 + b * $1 } }
        let lr = ctx.config.optimTheta.learningRate(atUpdate: ctx.optTheta.t)
        let normTheta = try ctx.stepTheta(step: k)
        let thetaNext = model.theta.storage
        // 4. Proxy θ̂ of θ*(w_k).
        let thetaHat = try proxy(k, ctx, thetaK: thetaK, optK: optK, gRl: gRl, rollouts: &ro)
        // 5. Teacher update.
        let meta = try BridgeMethod.metaGradient(ctx, thetaNext: thetaNext, thetaProxy: thetaHat, sft: sft, rollouts: &ro,
                                                 lambda: lambda, metaTerm: cfg.metaTerm, step: k)
        let normW = try ctx.stepW(step: k)
        // 6. Metrics.
        var m = ctx.rlMetrics(ro, loss: rl.loss, stats: rl.stats)
        m += [(Metric.sftLoss, sftLoss), (Metric.stageRL, 1), (Metric.lambda, lambda)]
        if cfg.metaTerm { m.append((Metric.coopGain, meta.rlProxy - meta.rlNext)) }
        m += [(Metric.gradNormTheta, normTheta), (Metric.gradNormW, normW), (Metric.cosSftRl, cos),
              (Metric.lr, lr), (Metric.gradNorm, normTheta), (Metric.gradNormWOptim, normW)]
        return m
    }

    /// Step 4: θ̂ from θ_k by RL steps only. `copy` continues a copy of θ's AdamW state (or the shadow's
    /// own state); `sgd` takes plain steps of size bridge.proxy_lr. Leaves model.theta as it found it.
    func proxy(_ k: Int, _ ctx: TrainContext, thetaK: [Float], optK: AdamState, gRl: [Float], rollouts ro: inout Rollouts) throws -> [Float] {
        let cfg = ctx.config.bridge, model = ctx.model, settings = ctx.config.optimTheta
        let saved = model.theta.storage
        defer { model.theta.storage = saved; model.gradTheta.zero() }
        func take(_ params: inout [Float], _ grads: inout [Float], _ state: inout AdamState) throws {
            let n = ctx.phases.time(\.optimizer) {
                cfg.proxyOptimizer == "sgd"
                    ? ParamOptimizer.sgdStep(params: &params, grads: &grads, learningRate: cfg.proxyLr, gradClip: settings.gradClip)
                    : ParamOptimizer.adamStep(params: &params, grads: &grads, state: &state, settings: settings)
            }
            try ctx.guardFinite(n, "gradient norm of the proxy θ̂", step: k)
        }
        switch cfg.proxy {
        case "shadow":
            // The persistent θ̂ takes one RL step on this step's rollouts (ratios against π(θ_k, w_k)).
            model.theta.storage = ctx.shadowTheta
            model.gradTheta.zero()
            let r = ctx.rlGradient(&ro, theta: true, w: false)
            try ctx.guardFinite(r.loss, "proxy rl/loss", step: k)
            var g = model.gradTheta.storage
            try take(&ctx.shadowTheta, &g, &ctx.shadowOpt)
            return ctx.shadowTheta
        default:
            var hat = thetaK, state = optK, g = gRl
            try take(&hat, &g, &state)
            if cfg.proxy == "k_step" {
                for j in 1..<max(cfg.proxyK, 1) {
                    model.theta.storage = hat
                    model.gradTheta.zero()
                    if cfg.freshRollouts {
                        var fresh = ctx.sampleRollouts(step: k, purpose: "proxy\(j)_rollout")
                        ctx.rlGradient(&fresh, theta: true, w: false)
                    } else {
                        ctx.rlGradient(&ro, theta: true, w: false)
                    }
                    g = model.gradTheta.storage
                    try take(&hat, &g, &state)
                }
            }
            return hat
        }
    }

    /// The teacher's objective and its w-gradient with θ and θ̂ held fixed (Danskin):
    ///   F(w) = (1−λ)·L_SFT(θ_{k+1}, w) + λ·[L_RL(θ_{k+1}, w) − L_RL(θ̂, w)]
    /// on the given SFT batch and rollouts (π_old, π_ref fixed in `rollouts`). With `backward`, adds
    /// ∇_w F into model.gradW. Without the meta term F = (1−λ)·L_SFT. Leaves model.theta = θ_{k+1}.
    public static func metaGradient(_ ctx: TrainContext, thetaNext: [Float], thetaProxy: [Float], sft: TokenBatch,
                                    rollouts ro: inout Rollouts, lambda: Double, metaTerm: Bool, step k: Int,
                                    backward: Bool = true) throws -> (objective: Double, sftLoss: Double, rlNext: Double, rlProxy: Double) {
        let model = ctx.model
        model.theta.storage = thetaNext
        let sftLoss = ctx.sftGradient(sft, scale: Float(1 - lambda), theta: false, w: backward)
        try ctx.guardFinite(sftLoss, "teacher sft/loss", step: k)
        guard metaTerm else { return ((1 - lambda) * sftLoss, sftLoss, 0, 0) }
        let next = ctx.rlGradient(&ro, scale: Float(lambda), theta: false, w: backward).loss
        model.theta.storage = thetaProxy
        let prox = ctx.rlGradient(&ro, scale: Float(-lambda), theta: false, w: backward).loss
        model.theta.storage = thetaNext
        try ctx.guardFinite(next, "teacher L_RL(θ_{k+1})", step: k)
        try ctx.guardFinite(prox, "teacher L_RL(θ̂)", step: k)
        return ((1 - lambda) * sftLoss + lambda * (next - prox), sftLoss, next, prox)
    }
}
