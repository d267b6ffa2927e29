import BridgeSupport
import Foundation

/// `experiment`: which theory experiment a run performs (docs/theory.md).
public enum TheoryExperiment: String, ConfigChoice {
    case quadraticBias = "quadratic_bias", vpbgdToy = "vpbgd_toy", bomeToy = "bome_toy", hyperCleaning = "hyper_cleaning"
    case oneStepProxy = "one_step_proxy", exactRL = "exact_rl"
}

/// `bome.problem`: which BOME toy.
public enum BOMEProblem: String, ConfigChoice {
    /// θ ∈ R², non-singleton S(ν).
    case lls
    /// ν ∈ R⁴ softmax weights.
    case coreset
}

/// The config of one theory run (`kind: theory`): which experiment, its problem and its sweep.
/// Keys are snake_case; every field has a default so that the default tree lists every key.
public struct TheoryConfig: Codable, Sendable, Equatable {
    /// quadratic_bias | vpbgd_toy | bome_toy | hyper_cleaning | one_step_proxy | exact_rl.
    public var experiment = TheoryExperiment.quadraticBias
    /// Root seed of the problem instance (basis, targets, data); every stream is derived from it.
    public var seed: Int = 0
    /// The closed-form quadratic (quadratic_bias, one_step_proxy).
    public var quadratic = QuadraticSettings()
    /// Swept values (one metrics.csv step per sweep point).
    public var sweep = SweepSettings()
    /// Outer-loop runs (iterations to ε-stationarity and method comparisons).
    public var outer = OuterConfig()
    /// V-PBGD toy.
    public var vpbgd = VPBGDSettings()
    /// BOME toys.
    public var bome = BOMESettings()
    /// Data hyper-cleaning.
    public var hyperCleaning = HyperCleaningSettings()
    /// Exact-expectation RL on the tiny GPT.
    public var exactRL = ExactRLSettings()

    public init() {}
    public static var experiments: [String] { TheoryExperiment.names }

    enum CodingKeys: String, CodingKey {
        case experiment, seed, quadratic, sweep, outer, vpbgd, bome
        case hyperCleaning = "hyper_cleaning", exactRL = "exact_rl"
    }

    /// The γ values of the sweep: from `sweep.lambda` (γ = λ/(1−λ)) when given, else `sweep.gamma`.
    public var gammas: [Double] { sweep.lambda.isEmpty ? sweep.gamma : sweep.lambda.map { $0 / (1 - $0) } }

    /// Cross-field checks with fix-it messages.
    public func validate() throws {
        guard seed >= 0 else { throw TheoryError.invalidConfig("seed must be >= 0") }
        guard sweep.lambda.allSatisfy({ $0 > 0 && $0 < 1 }) else { throw TheoryError.invalidConfig("sweep.lambda values must be in (0, 1)") }
        guard gammas.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw TheoryError.invalidConfig("sweep.gamma values must be finite and > 0") }
        guard sweep.k.allSatisfy({ $0 >= 1 }) else { throw TheoryError.invalidConfig("sweep.k values must be >= 1") }
        guard sweep.alpha.allSatisfy({ $0 > 0 }) else { throw TheoryError.invalidConfig("sweep.alpha values must be > 0") }
        for m in outer.methods where OuterMethod(rawValue: m) == nil {
            throw TheoryError.invalidConfig("outer.methods: unknown method '\(m)'; use \(OuterMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }
}

/// The closed-form quadratic's instance.
public struct QuadraticSettings: Codable, Sendable, Equatable {
    /// n: dimension of x and y. 20 keeps every solve exact and instant.
    public var dimension: Int = 20
    /// μ: smallest eigenvalue of A (largest is 1), condition number 1/μ; benchopt's default range.
    public var mu: Double = 0.1
    /// ρ: upper ridge (ρ/2)‖x‖²; 1 makes F strongly convex so outer runs reach ε-stationarity.
    public var upperRidge: Double = 1
    public init() {}
    enum CodingKeys: String, CodingKey { case dimension, mu, upperRidge = "upper_ridge" }
}

/// Sweep lists.
public struct SweepSettings: Codable, Sendable, Equatable {
    /// γ values (classic penalty weight). Default: log-spaced from 100/μ (μ = 0.1), the asymptotic regime
    /// where the O(1/γ) claims are stated.
    public var gamma: [Double] = [1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000]
    /// BRIDGE λ values; when non-empty they replace `gamma` via γ = λ/(1−λ) (e.g. [0.3, 0.5, 0.7, 0.9, 0.99]).
    public var lambda: [Double] = []
    /// K: proxy / inner steps.
    public var k: [Int] = [1, 2, 4, 8, 16, 32, 64]
    /// α̂: proxy step sizes (in units of 1/L; L = 1 for the quadratic).
    public var alpha: [Double] = [0.25, 0.5, 1.0]
    public init() {}
}

/// Outer-loop runs.
public struct OuterConfig: Codable, Sendable, Equatable {
    /// Methods run per sweep point (see OuterMethod): names as in the docs.
    public var methods: [String] = ["exact_hypergradient", "penalty", "bridge_one_step", "bridge_k_step", "bridge_shadow", "vpbgd", "bome"]
    /// Outer iterations per run.
    public var iterations: Int = 2000
    /// β: upper step (quadratic: ∇²F ≤ 1/μ² + ρ, so 0.5/(1/μ²+ρ) ≈ 0.005 at μ = 0.1).
    public var upperStep: Double = 0.005
    /// α: lower/student step.
    public var lowerStep: Double = 0.5
    /// α̂: proxy / inner step.
    public var proxyStep: Double = 1.0
    /// K for k_step / shadow / V-PBGD / BOME.
    public var innerSteps: Int = 10
    /// BOME's η (paper default 0.5).
    public var eta: Double = 0.5
    /// ε of ε-stationarity ‖x − Π(x − ∇F)‖ ≤ ε.
    public var epsilon: Double = 1e-3
    public init() {}
    enum CodingKeys: String, CodingKey {
        case methods, iterations, eta, epsilon
        case upperStep = "upper_step", lowerStep = "lower_step", proxyStep = "proxy_step", innerSteps = "inner_steps"
    }
}

/// V-PBGD toy.
public struct VPBGDSettings: Codable, Sendable, Equatable {
    /// Starting upper point x0 ∈ [0, 3] (y0 = −x0 + 1, off the solution set).
    public var x0: Double = 1.0
    /// V-PBGD iterations per γ (step 1/(L_g γ), L_g = 8 on [0, 3]).
    public var iterations: Int = 20000
    /// Inner steps K of V-PBGD's ŷ.
    public var innerSteps: Int = 10
    public init() {}
    enum CodingKeys: String, CodingKey { case x0 = "x0", iterations, innerSteps = "inner_steps" }
}

/// BOME toys.
public struct BOMESettings: Codable, Sendable, Equatable {
    /// lls (θ ∈ R², non-singleton S(ν)) or coreset (ν ∈ R⁴ softmax weights).
    public var problem = BOMEProblem.lls
    /// Outer iterations (BOME's scripts: 1000 for lls, 5000 for coreset).
    public var iterations: Int = 1000
    /// Step on every variable (BOME's scripts: 0.5 for lls, 0.05 for coreset).
    public var step: Double = 0.5
    /// γ for penalty / V-PBGD / BRIDGE (λ = γ/(1+γ)).
    public var gamma: Double = 10
    public init() {}
}

/// Hyper-cleaning instance.
public struct HyperCleaningSettings: Codable, Sendable, Equatable {
    /// n_tr: training samples (= dimension of x).
    public var trainSize: Int = 100
    /// n_val: clean validation samples.
    public var validSize: Int = 100
    /// d: features (= dimension of y).
    public var features: Int = 10
    /// Fraction of flipped training labels.
    public var corruption: Double = 0.3
    /// Ridge of the lower level (strong convexity).
    public var ridge: Double = 0.01
    /// Outer iterations of the cleaning runs.
    public var iterations: Int = 200
    /// Upper step on the weight logits x.
    public var upperStep: Double = 100
    public init() {}
    enum CodingKeys: String, CodingKey {
        case features, corruption, ridge, iterations
        case trainSize = "train_size", validSize = "valid_size", upperStep = "upper_step"
    }
}
