import Foundation

/// `bridge`: the bilevel method of method.md, one step k:
/// 1. SFT batch and RL rollouts from π(θ_k, w_k);  2. g_sft = ∇_θ L_SFT, g_rl = ∇_θ L_RL at (θ_k, w_k);
/// 3. student θ_{k+1} = step_θ((1−λ_k)·g_sft + λ_k·g_rl);  4. proxy θ̂ (one_step | k_step | shadow);
/// 5. teacher g_w = (1−λ_k)∇_w L_SFT(θ_t, w_k) + λ_k[∇_w L_RL(θ_t, w_k) − ∇_w L_RL(θ̂, w_k)] at the teacher's
///    point θ_t = θ_k (teacher_point current, the default) or θ_{k+1} (next), w_{k+1} = step_w(g_w), RL terms on the
///    step-1 rollouts (ratios against π(θ_k, w_k));
/// 6. log λ_k, Ĝ_k = J_RL(θ_t, w_k) − J_RL(θ̂, w_k), ‖θ_t − θ̂‖, the meta/SFT share of g_w, norms, cos(g_sft, g_rl).
///
/// θ̂ is the student's step without this update's SFT contribution (docs/training.md, "θ̂"): with the
/// default `proxy_optimizer: frozen`, θ̂ = θ_t + lr·s / (max(√v̂_{k+1}, |s|) + ε), s = (1−λ)·c·g_sft, c the
/// student's clip factor and v̂_{k+1} its AdamW second moment after the step. Momentum would let only (1−β₁) of g_sft
/// into one step, which made the bracket vanish; the preconditioned step of g_sft is what the SFT gradient
/// adds to θ over the momentum's lifetime ((1−β₁)·Σβ₁^j = 1).
///
/// A term of weight 0 is skipped, not multiplied by 0: at λ = 0 no rollouts are sampled and the update is
/// sft's (with teacher_point current: bit for bit), at λ = 1 no SFT pass runs and θ's update is rl_zero's.
public final class BridgeMethod: TrainingMethod {
    public let name = "bridge"
    public init() {}

    public func start(_ ctx: TrainContext) throws {
        ctx.freezeReference()
        if ctx.config.bridge.proxy == .shadow {
            ctx.shadowTheta = ctx.model.theta.storage
            ctx.shadowOpt = AdamState(count: ctx.model.theta.count)
        }
    }

    public func step(_ k: Int, _ ctx: TrainContext) throws -> [(String, Double)] {
        let cfg = ctx.config.bridge, model = ctx.model, settings = ctx.config.optimTheta
        let lambda = LambdaSchedule(cfg.lambda, runSteps: ctx.config.run.steps).value(atStep: k)
        let useSFT = lambda < 1, useRL = lambda > 0
        // The bracket is exactly 0 when θ̂ is the teacher's point: one_step at λ = 1 has no SFT part to remove.
        let meta = cfg.metaTerm && useRL && (useSFT || cfg.proxy != .oneStep)
        let current = cfg.teacherPoint == .current
        let a = Float(1 - lambda), b = Float(lambda)
        model.zeroGradients()
        // 1-2. The two θ-gradients at (θ_k, w_k); with teacher_point current the same passes give ∇_w too.
        var sftBatch: TokenBatch?, sftLoss = 0.0, gSft: [Float] = [], gwSft: [Float] = []
        if useSFT {
            let batch = ctx.sftBatch(step: k)
            sftLoss = ctx.sftGradient(batch, theta: true, w: current)
            try ctx.guardFinite(sftLoss, "sft/loss", update: k)
            sftBatch = batch
            if useRL { gSft = model.gradTheta.storage; model.gradTheta.zero() }
            if current && meta { gwSft = model.gradW.storage; model.gradW.zero() }
        }
        var ro: Rollouts?, rl: GRPOLoss.Result?, gwRl: [Float] = [], cos: Double?
        if useRL {
            var r = ctx.sampleRollouts(step: k)
            let res = ctx.rlGradient(&r, theta: true, w: current && meta) // records π_old = π(θ_k, w_k)
            try ctx.guardFinite(res.loss, "rl/loss", update: k)
            if current && meta { gwRl = model.gradW.storage; model.gradW.zero() }
            ro = r; rl = res
            if useSFT { cos = ParamOptimizer.cosine(gSft, model.gradTheta.storage) }
        }
        // 3. Student update with the fused gradient (a weight-1 term alone is used as it is).
        let copyProxy = meta && cfg.proxyOptimizer == .copy && cfg.proxy != .shadow
        let thetaK = current || copyProxy ? model.theta.storage : []
        let optK = copyProxy ? ctx.optTheta : AdamState(count: 0)
        let gRl = copyProxy ? model.gradTheta.storage : []
        if useSFT && useRL {
            ctx.phases.time(\.optimizer) {
                gSft.withUnsafeBufferPointer { s in
                    model.gradTheta.storage.withUnsafeMutableBufferPointer { g in
                        for i in 0..<g.count { g[i] = a * s[i] + b * g[i] }
                    }
                }
            }
        }
        let lr = settings.learningRate(atUpdate: ctx.optTheta.t)
        let normTheta = try ctx.stepTheta(update: k)
        let clip: Float = settings.gradClip > 0 && normTheta > settings.gradClip ? Float(settings.gradClip / normTheta) : 1
        // 4-5. Proxy θ̂ and teacher.
        var m: [(String, Double)] = []
        var gain: Double?, ratio: Double?, gap: Double?, shadowClip: Double?
        if current {
            if meta, var r = ro {
                let step = Step(ctx, lr: lr, clip: clip, lambda: lambda)
                let (hat, clipFrac) = try proxy(k, ctx, point: thetaK, thetaK: thetaK, optK: optK, gSft: gSft, gRl: gRl, step: step, rollouts: &r)
                shadowClip = clipFrac
                let saved = model.theta.storage
                model.theta.storage = hat
                let prox = ctx.rlGradient(&r, scale: -b, theta: false, w: true, phase: \.teacher).loss
                model.theta.storage = saved
                try ctx.guardFinite(prox, "teacher L_RL(θ̂)", update: k)
                // g_w = (1−λ)∇_w L_SFT(θ_k) + (λ∇_w L_RL(θ_k) − λ∇_w L_RL(θ̂)); gradW holds the last term.
                var sftNorm = 0.0, metaNorm = 0.0
                ctx.phases.time(\.optimizer) {
                    gwRl.withUnsafeBufferPointer { r in
                        gwSft.withUnsafeBufferPointer { s in
                            model.gradW.storage.withUnsafeMutableBufferPointer { g in
                                for i in 0..<g.count {
                                    let metaPart = b * r[i] + g[i]
                                    let sftPart = s.isEmpty ? 0 : a * s[i]
                                    metaNorm += Double(metaPart) * Double(metaPart); sftNorm += Double(sftPart) * Double(sftPart)
                                    g[i] = s.isEmpty ? metaPart : sftPart + metaPart
                                }
                            }
                        }
                    }
                }
                gain = prox - rl!.loss
                if useSFT && sftNorm > 0 { ratio = (metaNorm / sftNorm).squareRoot() }
                gap = ParamOptimizer.distance(thetaK, hat)
                ro = r
            } else if useSFT && a != 1 {
                ctx.phases.time(\.optimizer) { model.gradW.storage.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] *= a } } }
            }
        } else if meta, var r = ro {
            let step = Step(ctx, lr: lr, clip: clip, lambda: lambda)
            let thetaNext = model.theta.storage
            let (hat, clipFrac) = try proxy(k, ctx, point: thetaNext, thetaK: thetaK, optK: optK, gSft: gSft, gRl: gRl, step: step, rollouts: &r)
            shadowClip = clipFrac
            let t = try BridgeMethod.metaGradient(ctx, thetaNext: thetaNext, thetaProxy: hat, sft: sftBatch, rollouts: &r,
                                                  lambda: lambda, update: k)
            gain = t.rlProxy - t.rlNext
            if useSFT && t.sftPartNorm > 0 { ratio = t.metaPartNorm / t.sftPartNorm }
            gap = ParamOptimizer.distance(thetaNext, hat)
            ro = r
        } else if let batch = sftBatch {
            let l = ctx.sftGradient(batch, scale: a, theta: false, w: true, phase: \.teacher)
            try ctx.guardFinite(l, "teacher sft/loss", update: k)
        }
        let normW = try ctx.stepW(update: k)
        // 6. Metrics.
        if let r = ro, let rl { m += ctx.rlMetrics(r, loss: rl.loss, stats: rl.stats) }
        if useSFT { m.append((Metric.sftLoss, sftLoss)) }
        m += [(Metric.stageRL, useRL ? 1 : 0), (Metric.lambda, lambda)]
        if let gain { m.append((Metric.coopGain, gain)) }
        if let gap { m.append((Metric.proxyGap, gap)) }
        if let ratio { m.append((Metric.metaToSFT, ratio)) }
        if let shadowClip { m.append((Metric.shadowClipFrac, shadowClip)) }
        m += [(Metric.gradNormTheta, normTheta), (Metric.gradNormW, normW)]
        if let cos { m.append((Metric.cosSftRl, cos)) }
        m += [(Metric.lr, lr), (Metric.gradNorm, normTheta), (Metric.gradNormWOptim, normW)]
        return m
    }

    /// The proxy's step rule: the student's learning rate and clip factor, λ, and (frozen) the student's
    /// AdamW second moment after its update, v̂_{k+1} (see `apply`).
    struct Step {
        let lr: Float, clip: Float, lambda: Float, gradClip: Double, optimizer: BridgeProxyOptimizer, alpha: Float
        let v: [Float], c2: Float, eps: Float

        init(_ ctx: TrainContext, lr: Double, clip: Float, lambda: Double) {
            let s = ctx.config.optimTheta, cfg = ctx.config.bridge
            self.lr = Float(lr); self.clip = clip; self.lambda = Float(lambda); gradClip = s.gradClip
            optimizer = cfg.proxyOptimizer; alpha = Float(cfg.proxyLr)
            v = cfg.proxyOptimizer == .frozen ? ctx.optTheta.v : []
            c2 = Float(1 - Foundation.pow(s.beta2, Double(ctx.optTheta.t))); eps = Float(s.epsilon)
        }

        /// params[i] += sign · s_i · size_i with s_i = scale · g[i]: size_i = α (sgd), or (frozen)
        /// lr / (max(√(v_i/c2), |s_i|) + ε). The max keeps a coordinate's step within lr, as AdamW's own
        /// steps are: at AdamW's first update v̂ = (c·g_fused)², and where the SFT and RL parts cancel, v̂
        /// alone would turn a small s_i into a step of many learning rates.
        func apply(_ params: inout [Float], _ g: [Float], scale: Float, sign: Float) {
            params.withUnsafeMutableBufferPointer { p in
                g.withUnsafeBufferPointer { g in
                    if optimizer == .sgd {
                        for i in 0..<p.count { p[i] += sign * alpha * (scale * g[i]) }
                    } else {
                        v.withUnsafeBufferPointer { v in
                            for i in 0..<p.count {
                                let s = scale * g[i]
                                p[i] += sign * lr * s / (max((v[i] / c2).squareRoot(), abs(s)) + eps)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Step 4: θ̂ by RL-only steps. one_step / k_step with frozen or sgd: θ̂ = point − δ, δ = the student's
    /// step of its SFT part c·(1−λ)·g_sft under the proxy's rule (point: the teacher's θ_t), then (k_step)
    /// K − 1 steps on clip(λ·g_rl(θ̂)) under the same rule. copy: AdamW steps on g_rl from θ_k with a copy
    /// of the student's state before its update. shadow: the persistent θ̂ takes one RL step (its own AdamW
    /// state, or sgd) on this update's rollouts, off-policy (ratios against π(θ_k)): its clip fraction is
    /// returned as its staleness. Leaves model.theta as it found it.
    func proxy(_ k: Int, _ ctx: TrainContext, point: [Float], thetaK: [Float], optK: AdamState, gSft: [Float], gRl: [Float],
               step: Step, rollouts ro: inout Rollouts) throws -> (theta: [Float], shadowClipFrac: Double?) {
        let cfg = ctx.config.bridge, model = ctx.model, settings = ctx.config.optimTheta
        let saved = model.theta.storage
        defer { model.theta.storage = saved; model.gradTheta.zero() }
        func rlGradientAt(_ theta: [Float], purpose j: Int) throws -> (grad: [Float], clipFrac: Double) {
            model.theta.storage = theta
            model.gradTheta.zero()
            let r: GRPOLoss.Result
            if cfg.freshRollouts && cfg.proxy == .kStep {
                var fresh = ctx.sampleRollouts(step: k, purpose: "proxy\(j)_rollout")
                r = ctx.rlGradient(&fresh, theta: true, w: false)
            } else {
                r = ctx.rlGradient(&ro, theta: true, w: false)
            }
            try ctx.guardFinite(r.loss, "proxy rl/loss", update: k)
            return (model.gradTheta.storage, r.stats.clipFrac)
        }
        func adam(_ params: inout [Float], _ grads: inout [Float], _ state: inout AdamState) throws {
            let n = ctx.phases.time(\.optimizer) {
                cfg.proxyOptimizer == .sgd
                    ? ParamOptimizer.sgdStep(params: &params, grads: &grads, learningRate: cfg.proxyLr, gradClip: settings.gradClip)
                    : ParamOptimizer.adamStep(params: &params, grads: &grads, state: &state, settings: settings)
            }
            try ctx.guardFinite(n, "gradient norm of the proxy θ̂", update: k)
        }
        switch (cfg.proxy, cfg.proxyOptimizer) {
        case (.shadow, _):
            var (g, clipFrac) = try rlGradientAt(ctx.shadowTheta, purpose: 0)
            model.theta.storage = saved // release the shared buffer, so the step below does not copy θ̂
            try adam(&ctx.shadowTheta, &g, &ctx.shadowOpt)
            return (ctx.shadowTheta, clipFrac)
        case (_, .copy):
            var hat = thetaK, state = optK, g = gRl
            try adam(&hat, &g, &state)
            if cfg.proxy == .kStep {
                for j in 1..<max(cfg.proxyK, 1) {
                    g = try rlGradientAt(hat, purpose: j).grad
                    try adam(&hat, &g, &state)
                }
            }
            return (hat, nil)
        default:
            var hat = point
            ctx.phases.time(\.optimizer) {
                if !gSft.isEmpty { step.apply(&hat, gSft, scale: step.clip * (1 - step.lambda), sign: 1) }
            }
            if cfg.proxy == .kStep {
                for j in 1..<max(cfg.proxyK, 1) {
                    var g = try rlGradientAt(hat, purpose: j).grad
                    let n = ctx.phases.time(\.optimizer) {
                        for i in 0..<g.count { g[i] *= step.lambda }
                        let n = ParamOptimizer.clip(&g, maxNorm: step.gradClip)
                        if n.isFinite { step.apply(&hat, g, scale: 1, sign: -1) }
                        return n
                    }
                    try ctx.guardFinite(n, "gradient norm of the proxy θ̂", update: k)
                }
            }
            return (hat, nil)
        }
    }

    /// The teacher's objective and its w-gradient with θ and θ̂ held fixed (Danskin):
    ///   F(w) = (1−λ)·L_SFT(θ_t, w) + λ·[L_RL(θ_t, w) − L_RL(θ̂, w)]
    /// at the teacher's point θ_t (`thetaNext`) on the given SFT batch (nil: λ = 1, no SFT term) and
    /// rollouts (π_old, π_ref fixed in `rollouts`). With `backward`, adds ∇_w F into model.gradW and
    /// returns the norms of its SFT part and of its meta part (the bracket). Leaves model.theta = θ_t.
    public static func metaGradient(_ ctx: TrainContext, thetaNext: [Float], thetaProxy: [Float], sft: TokenBatch?,
                                    rollouts ro: inout Rollouts, lambda: Double, update k: Int,
                                    backward: Bool = true) throws -> Teacher {
        let model = ctx.model
        model.theta.storage = thetaNext
        let g0 = backward ? model.gradW.storage : []
        var sftLoss = 0.0
        if let sft {
            sftLoss = ctx.sftGradient(sft, scale: Float(1 - lambda), theta: false, w: backward, phase: \.teacher)
            try ctx.guardFinite(sftLoss, "teacher sft/loss", update: k)
        }
        let g1 = backward ? model.gradW.storage : []
        let next = ctx.rlGradient(&ro, scale: Float(lambda), theta: false, w: backward, phase: \.teacher).loss
        model.theta.storage = thetaProxy
        let prox = ctx.rlGradient(&ro, scale: Float(-lambda), theta: false, w: backward, phase: \.teacher).loss
        model.theta.storage = thetaNext
        try ctx.guardFinite(next, "teacher L_RL(θ_{k+1})", update: k)
        try ctx.guardFinite(prox, "teacher L_RL(θ̂)", update: k)
        let objective = (sft == nil ? 0 : (1 - lambda) * sftLoss) + lambda * (next - prox)
        guard backward else { return Teacher(objective: objective, sftLoss: sftLoss, rlNext: next, rlProxy: prox) }
        return Teacher(objective: objective, sftLoss: sftLoss, rlNext: next, rlProxy: prox,
                       sftPartNorm: ParamOptimizer.distance(g1, g0), metaPartNorm: ParamOptimizer.distance(model.gradW.storage, g1))
    }

    /// What `metaGradient` computed: F, its terms, and (with backward) the norms of ∇_w's two parts.
    public struct Teacher: Sendable {
        public var objective: Double, sftLoss: Double, rlNext: Double, rlProxy: Double
        public var sftPartNorm = 0.0, metaPartNorm = 0.0
    }
}
