import Foundation
import Testing
import TensorCore
import Training

@Suite(.serialized) struct BridgeGradientTests {
    /// g_w from `metaGradient` equals central differences of the stated objective
    /// F(w) = (1−λ)L_SFT(θ_{k+1}, w) + λ[L_RL(θ_{k+1}, w) − L_RL(θ̂, w)] along random directions.
    @Test func wGradientMatchesFiniteDifferencesOfTheObjective() throws {
        let c = try TinyRun.config("bridge")
        let ctx = try TinyRun.context(c)
        try BridgeMethod().start(ctx)
        let model = ctx.model
        // Train w a little first so that B ≠ 0 and the adapters matter in both directions.
        var rng = RNG(seed: 99)
        for i in 0..<model.w.count { model.w.storage[i] += Float(0.05 * rng.normal()) }
        let sft = ctx.sftBatch(step: 0)
        var ro = ctx.sampleRollouts(step: 0)
        // Non-trivial advantages (a random model earns no reward): the objective is the same function of them.
        ro.advantages.advantages = (0..<ro.S).map { _ in Float(rng.normal()) }
        ctx.rlGradient(&ro, theta: false, w: false) // π_old = π(θ_k, w_k)
        let thetaK = model.theta.storage
        let thetaNext = thetaK.map { $0 + Float(0.01 * rng.normal()) }
        let thetaHat = thetaK.map { $0 + Float(0.01 * rng.normal()) }
        let lambda = 0.6
        model.zeroGradients()
        _ = try BridgeMethod.metaGradient(ctx, thetaNext: thetaNext, thetaProxy: thetaHat, sft: sft, rollouts: &ro,
                                          lambda: lambda, update: 0)
        let g = model.gradW.storage
        let w0 = model.w.storage
        var worst = (rel: 0.0, what: "")
        for dir in 0..<3 {
            var d = (0..<w0.count).map { _ in rng.normal() }
            let norm = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
            d = d.map { $0 / norm }
            let analytic = zip(g, d).reduce(0.0) { $0 + Double($1.0) * $1.1 }
            let h = 2e-2
            func f(_ s: Double) throws -> Double {
                model.w.storage = zip(w0, d).map { $0 + Float(s * $1) }
                return try BridgeMethod.metaGradient(ctx, thetaNext: thetaNext, thetaProxy: thetaHat, sft: sft, rollouts: &ro,
                                                     lambda: lambda, update: 0, backward: false).objective
            }
            let fd = (try f(h) - f(-h)) / (2 * h)
            model.w.storage = w0
            let rel = abs(fd - analytic) / max(abs(analytic), 1e-3)
            if rel > worst.rel { worst = (rel, "direction \(dir): analytic \(analytic) fd \(fd)") }
            #expect(abs(analytic) > 1e-4, "direction \(dir): directional derivative \(analytic) too small to test")
        }
        #expect(worst.rel < 2e-2, "worst relative error \(worst.rel) at \(worst.what)")
    }

    /// With λ = 1 the student update is the GRPO update: BRIDGE's θ_1 equals rl_zero's θ_1 bitwise.
    /// (Reward noise gives a random model's groups reward variance, hence a non-zero GRPO gradient.)
    @Test func lambdaOneThetaUpdateEqualsGRPO() throws {
        let noise = ["data.reward_noise=0.3"]
        let rl = try TinyRun.context(try TinyRun.config("rl_zero", noise))
        let br = try TinyRun.context(try TinyRun.config("bridge", noise + ["bridge.lambda.lambda0=1"]))
        let same0 = rl.model.theta.storage == br.model.theta.storage
        #expect(same0, "both start from the same θ_0")
        let rlMethod = RLZeroMethod(), brMethod = BridgeMethod()
        try rlMethod.start(rl); try brMethod.start(br)
        let rows = try rlMethod.step(0, rl)
        _ = try brMethod.step(0, br)
        let a = rl.model.theta.storage, b = br.model.theta.storage
        let diffs = zip(a, b).filter { $0 != $1 }.count
        let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(diffs == 0, "θ_1 differs in \(diffs) of \(a.count) entries; first at \(first?.offset ?? -1): \(first.map { "\($0.element.0) vs \($0.element.1)" } ?? "")")
        let moved = a != rl.reference!.theta.storage
        let zeroStd = rows.first { $0.0 == Metric.fracZeroStd }?.1 ?? 1
        #expect(moved && zeroStd < 1, "the GRPO update must move θ (frac_zero_std \(zeroStd))")
    }

    @Test func metaTermOffTrainsWBySFTOnly() throws {
        let ctx = try TinyRun.context(try TinyRun.config("bridge", ["bridge.meta_term=false"]))
        let m = BridgeMethod()
        try m.start(ctx)
        let rows = try m.step(0, ctx)
        #expect(!rows.contains { $0.0 == Metric.coopGain }, "no cooperative gain without the meta term")
        #expect(rows.contains { $0.0 == Metric.gradNormW && $0.1 > 0 })
    }

    @Test(arguments: BridgeProxy.names)
    func proxyModesRun(proxy: String) throws {
        for opt in BridgeProxyOptimizer.names {
            for point in BridgeTeacherPoint.names {
                // Reward noise: a random model's groups then have reward variance, so g_rl ≠ 0 (the copy proxy and
                // the shadow move only with g_rl; at g_rl = 0 they would sit at θ_k, the current teacher's point).
                let ctx = try TinyRun.context(try TinyRun.config("bridge", ["data.reward_noise=0.3", "bridge.proxy=\(proxy)", "bridge.proxy_optimizer=\(opt)",
                                                                             "bridge.teacher_point=\(point)", "bridge.fresh_rollouts=true"]))
                let m = BridgeMethod()
                try m.start(ctx)
                for k in 0..<2 {
                    let rows = try m.step(k, ctx)
                    let gain = rows.first { $0.0 == Metric.coopGain }?.1, gap = rows.first { $0.0 == Metric.proxyGap }?.1
                    #expect(gain?.isFinite == true, "\(proxy)/\(opt)/\(point): coop gain \(String(describing: gain))")
                    #expect(gap.map { $0 > 0 } == true, "\(proxy)/\(opt)/\(point): θ̂ must differ from the teacher's point, gap \(String(describing: gap))")
                    #expect(rows.contains { $0.0 == Metric.shadowClipFrac } == (proxy == "shadow"), "shadow staleness logged for the shadow only")
                }
            }
        }
    }

    /// The frozen proxy is the student's step without its SFT part: θ_{k+1} − θ̂ = the preconditioned step
    /// of c(1−λ)g_sft, at most lr per coordinate. At AdamW's first updates every coordinate of the student's
    /// step has size ≈ lr, so the gap must be a sizeable fraction of the student's own step: ≥ 25% at
    /// updates 0 and 1 (measured ≈ 1; 8 updates of the metaTermMovesW test check the later ones), and
    /// no coordinate may move by more than lr (the cap that keeps v̂_1 = (c·g_fused)² from dividing by ~0).
    @Test func frozenProxyIsAFullSFTStepAway() throws {
        let ctx = try TinyRun.context(try TinyRun.config("bridge", ["data.reward_noise=0.3"]))
        let m = BridgeMethod()
        try m.start(ctx)
        for k in 0..<2 {
            let before = ctx.model.theta.storage
            let rows = try m.step(k, ctx)
            let stepSize = ParamOptimizer.distance(ctx.model.theta.storage, before)
            let gap = try #require(rows.first { $0.0 == Metric.proxyGap }?.1)
            let lr = ctx.config.optimTheta.learningRate
            #expect(gap > 0.25 * stepSize, "update \(k): ‖θ_{k+1} − θ̂‖ = \(gap) against a student step of \(stepSize)")
            #expect(gap <= lr * Double(ctx.model.theta.count).squareRoot() * 1.0001, "update \(k): gap \(gap) exceeds lr per coordinate")
        }
    }
}
