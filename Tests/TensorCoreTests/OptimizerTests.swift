import Testing
import TensorCore

/// AdamW and global-norm clipping, fast Float32 vs the Double reference.
@Suite("AdamW and GradClip vs reference")
struct OptimizerTests {
    /// Several steps with changing gradients, weight decay on and off, a learning-rate override.
    /// Float32 state stays within atol 1e-6 + rtol 1e-5 of the Double trajectory after 8 steps.
    @Test(arguments: [true, false]) func adamWTracksReference(_ decay: Bool) {
        var d = TestData("opt.adamw", decay ? 1 : 0)
        let count = 37
        let config = AdamWConfig(learningRate: 1e-2, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1)
        var p = d.floats(count), m = [Float](repeating: 0, count: count), v = [Float](repeating: 0, count: count)
        var rp = p.asDouble, rm = m.asDouble, rv = v.asDouble
        for t in 1...8 {
            var g = d.floats(count, std: 0.5)
            g[t % count] = 0 // a zero gradient: the update comes from the moments alone
            let lr = t == 5 ? 3e-3 : config.learningRate // a schedule's override on one step
            AdamW.update(params: &p, grads: g, m: &m, v: &v, count: count, step: t, config: config,
                         learningRate: t == 5 ? lr : nil, decay: decay)
            Reference.AdamW.step(params: &rp, grads: g.asDouble, m: &rm, v: &rv, t: t, learningRate: lr,
                                 beta1: config.beta1, beta2: config.beta2, epsilon: config.epsilon,
                                 weightDecay: config.weightDecay, decay: decay)
            expectClose(m, rm, atol: 1e-6, rtol: 1e-5, "AdamW m after step \(t), decay \(decay)")
            expectClose(v, rv, atol: 1e-6, rtol: 1e-5, "AdamW v after step \(t), decay \(decay)")
            expectClose(p, rp, atol: 1e-6, rtol: 1e-5, "AdamW params after step \(t), decay \(decay)")
        }
    }

    /// The 8-lane loop gives the same bits as the scalar tail: 37 parameters updated at once vs one
    /// at a time (count 1 takes the scalar path only), over 3 steps.
    @Test func adamWVectorLanesEqualScalarLoop() {
        var d = TestData("opt.adamw.lanes")
        let count = 37
        let config = AdamWConfig(learningRate: 1e-2, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1)
        var p = d.floats(count), m = [Float](repeating: 0, count: count), v = m
        var sp = p, sm = m, sv = v
        for t in 1...3 {
            let g = d.floats(count, std: 0.5)
            AdamW.update(params: &p, grads: g, m: &m, v: &v, count: count, step: t, config: config)
            for i in 0..<count {
                sp.withUnsafeMutableBufferPointer { pp in sm.withUnsafeMutableBufferPointer { mp in sv.withUnsafeMutableBufferPointer { vp in
                    g.withUnsafeBufferPointer { gp in
                        AdamW.update(params: pp.baseAddress! + i, grads: gp.baseAddress! + i, m: mp.baseAddress! + i,
                                     v: vp.baseAddress! + i, count: 1, step: t, config: config)
                    }
                } } }
            }
        }
        let worst = (0..<count).first { p[$0].bitPattern != sp[$0].bitPattern || m[$0].bitPattern != sm[$0].bitPattern || v[$0].bitPattern != sv[$0].bitPattern }
        #expect(worst == nil, "first differing parameter \(worst ?? -1): \(worst.map { "\(p[$0]) vs \(sp[$0])" } ?? "")")
    }

    @Test func gradClipScalesAboveMaxNormOnly() {
        var d = TestData("opt.clip")
        let a = d.floats(13, std: 2), b = d.floats(5, std: 2)
        let refNorm = Reference.GradClip.globalNorm([a.asDouble, b.asDouble])
        var fa = a, fb = b
        let norm = fa.withUnsafeMutableBufferPointer { pa in
            fb.withUnsafeMutableBufferPointer { pb in
                GradClip.clip([(pa.baseAddress!, 13), (pb.baseAddress!, 5)], maxNorm: refNorm / 3)
            }
        }
        var ref = [a.asDouble, b.asDouble]
        let rn = Reference.GradClip.clip(&ref, maxNorm: refNorm / 3)
        expectClose([norm], [rn], atol: 0, rtol: 1e-12, "norm before clipping")
        expectClose(fa, ref[0], atol: 1e-7, rtol: 1e-6, "clipped buffer a")
        expectClose(fb, ref[1], atol: 1e-7, rtol: 1e-6, "clipped buffer b")
        let after = Reference.GradClip.globalNorm([fa.asDouble, fb.asDouble])
        expectClose([after], [refNorm / 3], atol: 0, rtol: 1e-6, "norm after clipping")

        // Below the threshold, and with clipping disabled (maxNorm ≤ 0): bitwise unchanged.
        for maxNorm in [refNorm * 2, 0] {
            var ua = a, ub = b
            ua.withUnsafeMutableBufferPointer { pa in
                ub.withUnsafeMutableBufferPointer { pb in
                    _ = GradClip.clip([(pa.baseAddress!, 13), (pb.baseAddress!, 5)], maxNorm: maxNorm)
                }
            }
            #expect(ua == a && ub == b, "clip(maxNorm: \(maxNorm)) changed gradients below the threshold")
        }
    }
}
