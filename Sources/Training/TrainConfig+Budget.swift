import BridgeSupport

/// What a run's length is fixed by.
public enum BudgetUnit: String, ConfigChoice {
    /// `run.steps` updates, whatever each update consumes (the old behaviour; methods then see unequal data).
    case steps
    /// Data: every method may draw up to `run.budget.rollouts` rollouts and `run.budget.sft_examples`
    /// SFT examples and runs until it has drawn all it can use; `run.steps` is derived per method.
    case data
}

/// `run.budget:` the budget a comparison holds equal across methods (docs/training.md, "Budgets").
public struct BudgetSection: Codable, Sendable, Equatable {
    /// steps (default) or data.
    public var unit = BudgetUnit.steps
    /// unit data: rollouts (prompt × response pairs sampled for RL) a method may draw.
    public var rollouts = 0
    /// unit data: SFT examples (prompt + trace + answer) a method may draw.
    public var sftExamples = 0

    public init() {}
    enum CodingKeys: String, CodingKey { case unit, rollouts, sftExamples = "sft_examples" }
}

/// How a method spends a data budget: its SFT and RL update counts. Computed before the run, so that
/// λ schedules, cold_start's switch and evaluation cadence all see the same run.steps.
public struct DataPlan: Equatable, Sendable {
    /// Updates that draw an SFT batch and no rollouts (sft, cold_start's first stage, alternating's SFT steps).
    public var sftSteps: Int
    /// Updates that draw rollouts (with an SFT batch too for mix and bridge).
    public var rlSteps: Int
    /// run.steps.
    public var totalSteps: Int

    public init(sftSteps: Int, rlSteps: Int, totalSteps: Int) {
        self.sftSteps = sftSteps; self.rlSteps = rlSteps; self.totalSteps = totalSteps
    }

    /// Rollouts one RL update of `method` draws: prompts × G, plus bridge's fresh k_step proxy rollouts;
    /// luffy samples prompts × (G − n), its n expert traces per group are SFT examples (`expertTracesPerRLStep`).
    public static func rolloutsPerRLStep(_ c: TrainConfig) -> Int {
        if c.run.method == .luffy { return c.rl.promptsPerStep * (c.rl.groupSize - c.luffy.offPolicyTraces) }
        let batch = c.rl.promptsPerStep * c.rl.groupSize
        guard c.run.method == .bridge, c.bridge.proxy == .kStep, c.bridge.freshRollouts else { return batch }
        return batch * max(c.bridge.proxyK, 1)
    }

    /// Expert traces one luffy update draws (prompts × n, counted as SFT examples); 0 for other methods.
    public static func expertTracesPerRLStep(_ c: TrainConfig) -> Int {
        c.run.method == .luffy ? c.rl.promptsPerStep * c.luffy.offPolicyTraces : 0
    }

    /// The plan for `c.run.method` under `c.run.budget` (unit data). Each kind's step count is the
    /// whole number of batches the budget holds: leftovers smaller than one batch are not drawn.
    public static func make(_ c: TrainConfig) -> DataPlan {
        let b = c.run.budget
        let sftBatches = b.sftExamples / c.sft.batchSize
        let rlBatches = b.rollouts / max(rolloutsPerRLStep(c), 1) // luffy with n ≥ G is refused by validate
        switch c.run.method {
        case .base: return DataPlan(sftSteps: 0, rlSteps: 0, totalSteps: 0)
        case .sft: return DataPlan(sftSteps: sftBatches, rlSteps: 0, totalSteps: sftBatches)
        case .rlZero: return DataPlan(sftSteps: 0, rlSteps: rlBatches, totalSteps: rlBatches)
        case .coldStart, .alternating:
            return DataPlan(sftSteps: sftBatches, rlSteps: rlBatches, totalSteps: sftBatches + rlBatches)
        case .mix, .bridge, .chord: // every update draws one SFT batch and one RL batch
            let n = min(sftBatches, rlBatches)
            return DataPlan(sftSteps: 0, rlSteps: n, totalSteps: n)
        case .luffy: // every update draws prompts × (G − n) rollouts and prompts × n expert traces
            let expert = expertTracesPerRLStep(c)
            let n = expert > 0 ? min(rlBatches, b.sftExamples / expert) : rlBatches
            return DataPlan(sftSteps: 0, rlSteps: n, totalSteps: n)
        }
    }

    /// Data each method draws per update kind, for docs and runs.csv checks: (sft examples, rollouts).
    public static func drawn(_ c: TrainConfig, plan p: DataPlan) -> (sftExamples: Int, rollouts: Int) {
        let both = c.run.method.fusesSFTAndRL
        return ((p.sftSteps + (both ? p.rlSteps : 0)) * c.sft.batchSize + p.rlSteps * expertTracesPerRLStep(c),
                p.rlSteps * rolloutsPerRLStep(c))
    }
}

extension AlternatingSection {
    /// Whether update k is an SFT update. Cycles of sft_steps SFT then rl_steps RL updates; with a data
    /// plan, once one kind's budget is spent the remaining updates are all of the other kind, so that
    /// alternating draws the same data as every other method.
    public func isSFTStep(_ k: Int, plan: DataPlan?) -> Bool {
        let cycle = sftSteps + rlSteps
        guard let plan else { return k % cycle < sftSteps }
        let fullCycles = min(sftSteps > 0 ? plan.sftSteps / sftSteps : Int.max, rlSteps > 0 ? plan.rlSteps / rlSteps : Int.max)
        if k < fullCycles * cycle { return k % cycle < sftSteps }
        let sftLeft = plan.sftSteps - fullCycles * sftSteps
        return k - fullCycles * cycle < sftLeft
    }
}

extension TrainConfig {
    /// The data plan when run.budget.unit is data; nil for a steps budget.
    public var dataPlan: DataPlan? { run.budget.unit == .data ? DataPlan.make(self) : nil }

    /// Under a data budget, sets run.steps and cold_start's S from the plan. An explicit different
    /// sft.cold_start_steps is an error (it is derived); re-deriving a derived config changes nothing.
    mutating func deriveBudget(source: String) throws {
        guard let plan = dataPlan else { return }
        func fail(_ path: String, _ message: String, _ fix: String) -> ConfigError {
            .invalid(source: source, path: path, line: nil, message: message, fix: fix)
        }
        if run.budget.rollouts < 0 || run.budget.sftExamples < 0 {
            throw fail("run.budget", "rollouts and sft_examples must be ≥ 0", "use 0 or a positive count")
        }
        if run.method != .base && plan.totalSteps == 0 {
            throw fail("run.budget", "a budget of \(run.budget.rollouts) rollouts and \(run.budget.sftExamples) SFT examples holds no full batch for \(run.method.rawValue) (\(DataPlan.rolloutsPerRLStep(self)) rollouts per RL update, \(sft.batchSize) SFT examples per update)",
                       "raise run.budget.rollouts / run.budget.sft_examples")
        }
        if run.method == .coldStart {
            if sft.coldStartSteps != -1 && sft.coldStartSteps != plan.sftSteps {
                throw fail("sft.cold_start_steps", "is derived from run.budget.sft_examples under a data budget (S = \(plan.sftSteps))",
                           "remove sft.cold_start_steps, or set run.budget.unit: steps")
            }
            sft.coldStartSteps = plan.sftSteps
        }
        run.steps = plan.totalSteps
    }
}
