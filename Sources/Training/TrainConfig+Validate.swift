import BridgeSupport
import Foundation
import GPT
import Tasks

/// Cross-field checks of a training config: each failure names the key path and the fix.
extension TrainConfig {
    /// The seven methods of method.md's table.
    public static var methods: [String] { TrainMethod.names }

    public func validate(source: String) throws {
        func fail(_ path: String, _ message: String, _ fix: String) -> ConfigError {
            .invalid(source: source, path: path, line: nil, message: message, fix: fix)
        }
        func oneOf(_ path: String, _ value: String, _ allowed: [String]) throws {
            guard allowed.contains(value) else {
                let near = NearestKey.find(value, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                throw fail(path, "'\(value)' is not one of \(allowed.joined(separator: ", "))\(near)", "use one of the listed values")
            }
        }
        func positive(_ path: String, _ v: Int) throws { if v < 1 { throw fail(path, "must be ≥ 1, found \(v)", "use a positive integer") } }
        func nonNegative(_ path: String, _ v: Int) throws { if v < 0 { throw fail(path, "must be ≥ 0, found \(v)", "use 0 or a positive integer") } }
        func unit(_ path: String, _ v: Double) throws {
            if !(v >= 0 && v <= 1) { throw fail(path, "must lie in [0, 1], found \(Format.number(v))", "use a probability/weight in [0, 1]") }
        }

        try nonNegative("run.steps", run.steps)
        try nonNegative("run.seed", run.seed)
        try nonNegative("run.eval_every", run.evalEvery)
        try nonNegative("run.checkpoint_every", run.checkpointEvery)
        try positive("run.log_every", run.logEvery)
        try nonNegative("model.lora_rank", model.loraRank)
        try unit("data.reward_noise", data.rewardNoise)
        try data.dataset.validate(source: source + ": data.dataset")
        for (name, o) in [("optim_theta", optimTheta), ("optim_w", optimW)] {
            if !(o.learningRate >= 0) { throw fail("\(name).lr", "must be ≥ 0", "use a non-negative learning rate") }
            try nonNegative("\(name).warmup_steps", o.warmupSteps)
        }
        try positive("sft.batch_size", sft.batchSize)
        if sft.coldStartSteps < -1 { throw fail("sft.cold_start_steps", "must be ≥ 0, or −1 for half the run", "use e.g. 100 or -1") }
        if run.method == .coldStart, sft.coldStartSteps > run.steps {
            throw fail("sft.cold_start_steps", "S = \(sft.coldStartSteps) exceeds run.steps = \(run.steps)", "lower sft.cold_start_steps or raise run.steps")
        }
        if run.method == .sft, sft.loraOnly, model.loraRank == 0 {
            throw fail("sft.lora_only", "LoRA-only SFT needs adapters", "set model.lora_rank > 0 or sft.lora_only=false")
        }
        try positive("rl.prompts_per_step", rl.promptsPerStep)
        try positive("rl.group_size", rl.groupSize)
        if run.method.usesRL, rl.groupSize < 2 {
            throw fail("rl.group_size", "must be ≥ 2 for \(run.method.rawValue), found \(rl.groupSize): GRPO's advantage is a reward minus its group's mean, so groups of one always give 0 and nothing learns",
                       "use e.g. rl.group_size=8")
        }
        try positive("rl.max_new_tokens", rl.maxNewTokens)
        try positive("rl.ppo_epochs", rl.ppoEpochs)
        try positive("rl.minibatches", rl.minibatches)
        // mix and bridge take one optimiser step per update on one fused gradient (bridge's teacher also
        // reuses the rollouts at ρ = 1): several epochs or minibatches have no meaning there, and were ignored.
        // luffy too: one optimiser step on its mixed group batch [choice: its off-policy term has no ratio,
        // so further epochs would not be "proximal" on those rows; not needed for the comparison].
        if run.method.fusesSFTAndRL || run.method == .luffy {
            for (key, value) in [("rl.ppo_epochs", rl.ppoEpochs), ("rl.minibatches", rl.minibatches)] where value != 1 {
                throw fail(key, "is \(value), which method '\(run.method.rawValue)' does not support (one optimiser step per update on one fused gradient)",
                           "set \(key)=1, or use rl_zero, cold_start or alternating, whose GRPO updates take several epochs and minibatches")
            }
        }
        if rl.promptsPerStep * rl.groupSize % rl.minibatches != 0 {
            throw fail("rl.minibatches", "\(rl.promptsPerStep * rl.groupSize) rollouts do not split into \(rl.minibatches) equal minibatches",
                       "choose a divisor of rl.prompts_per_step × rl.group_size")
        }
        if !(rl.temperature > 0) { throw fail("rl.temperature", "must be > 0", "use e.g. 1.0") }
        if !(rl.clipLow >= 0 && rl.clipLow < 1) { throw fail("rl.clip_low", "must lie in [0, 1)", "use e.g. 0.2") }
        if !(rl.clipHigh >= 0) { throw fail("rl.clip_high", "must be ≥ 0", "use e.g. 0.2 or 0.28") }
        if !(rl.klBeta >= 0) { throw fail("rl.kl_beta", "must be ≥ 0", "use e.g. 0.001 (0 disables the KL term)") }
        let l = bridge.lambda
        try unit("bridge.lambda.lambda0", l.lambda0)
        try unit("bridge.lambda.lambda_max", l.lambdaMax)
        try nonNegative("bridge.lambda.steps", l.steps)
        if !(l.gamma > 0 && l.gamma <= 1) { throw fail("bridge.lambda.gamma", "must lie in (0, 1]", "use e.g. 0.95") }
        if l.milestones.count != l.values.count {
            throw fail("bridge.lambda.values", "\(l.values.count) values for \(l.milestones.count) milestones", "give one value per milestone")
        }
        if l.milestones != l.milestones.sorted() { throw fail("bridge.lambda.milestones", "must be ascending", "sort the milestones") }
        for (i, v) in l.values.enumerated() { try unit("bridge.lambda.values[\(i)]", v) }
        try positive("bridge.proxy_k", bridge.proxyK)
        if !(bridge.proxyLr >= 0) { throw fail("bridge.proxy_lr", "must be ≥ 0", "use e.g. 0.01") }
        if run.method == .bridge, model.loraRank == 0 {
            throw fail("model.lora_rank", "BRIDGE trains the adapters w at the upper level", "set model.lora_rank > 0")
        }
        for (key, value) in [("chord.mu_peak", chord.muPeak), ("chord.mu_valley", chord.muValley)] where value != -1 {
            if !(value >= 0 && value <= 1) { throw fail(key, "must lie in [0, 1], or be −1 for the variant's default, found \(Format.number(value))", "use e.g. 0.1") }
        }
        try nonNegative("chord.mu_warmup_steps", chord.muWarmupSteps)
        if chord.muDecaySteps < -1 { throw fail("chord.mu_decay_steps", "must be ≥ 0, or −1 for the rest of the run", "use e.g. 100 or -1") }
        if run.method == .luffy, !(luffy.offPolicyTraces >= 0 && luffy.offPolicyTraces < rl.groupSize) {
            throw fail("luffy.off_policy_traces", "must lie in 0..<rl.group_size (\(rl.groupSize)), found \(luffy.offPolicyTraces): each group needs at least one sampled response",
                       "use e.g. 1 (LUFFY: 1 of 8)")
        }
        if !(luffy.gamma > 0) { throw fail("luffy.gamma", "must be > 0, found \(Format.number(luffy.gamma))", "use 0.1 (the paper's γ)") }
        try nonNegative("alternating.sft_steps", alternating.sftSteps)
        try nonNegative("alternating.rl_steps", alternating.rlSteps)
        if alternating.sftSteps + alternating.rlSteps == 0 {
            throw fail("alternating", "a cycle needs at least one step", "set alternating.sft_steps or alternating.rl_steps > 0")
        }
        try eval.suite.validate(source: source + ": eval.suite")
        if eval.suite.benchmarks.testFraction != data.dataset.testFraction {
            throw fail("eval.suite.benchmarks.test_fraction", "differs from data.dataset.test_fraction: benchmark problems could overlap the training split",
                       "set both to the same value")
        }
        // A benchmark the preset cannot answer in full is refused here, before any training.
        let preset = model.preset.config
        let sets = try BenchmarkSuite.build(eval.suite.benchmarks).map { (name: $0.benchmark.name, examples: $0.examples) }
        try BenchmarkSuite.checkFits(sets, contextLength: preset.contextLength, source: source, path: "eval.suite.benchmarks.names")
        try nonNegative("eval.probe_size", eval.probeSize)
        try nonNegative("eval.heldout_size", eval.heldoutSize)
        try nonNegative("eval.validation_size", eval.validationSize)
        let probeShare = eval.forgettingProbes ? eval.probeSize : 0
        if eval.validationSize > 0, probeShare + eval.validationSize > data.dataset.heldoutSize {
            throw fail("eval.validation_size", "\(eval.validationSize) validation problems after the \(probeShare) of probe_sft_only need \(probeShare + eval.validationSize) held-out problems, but data.dataset.heldout_size is \(data.dataset.heldoutSize)",
                       "raise data.dataset.heldout_size or lower eval.validation_size / eval.probe_size")
        }
        do {
            try LoRAConfig(rank: model.loraRank, alpha: model.loraAlpha, targets: model.loraTargets).validate(source: source)
        } catch let ConfigError.invalid(_, path, _, message, fix) {
            throw fail("model.lora_\(path)", message, fix)
        }
        try checkMemory(source: source)
    }
}
