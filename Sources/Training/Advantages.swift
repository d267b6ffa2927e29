import Foundation

/// GRPO's group-normalised advantages: A_i = (R_i − mean_G R) / (std_G R + 1e−6).
///
/// Rewards are laid out group by group (G consecutive responses to one prompt). std is the sample
/// standard deviation (n − 1 denominator, as torch.std in verl and TRL). A group whose rewards are all
/// equal carries no learning signal: its advantages are exactly 0 and it is counted (`rl/frac_zero_std`).
public enum Advantages {
    public struct Result: Sendable, Equatable {
        /// A_i per response (count = rewards.count).
        public var advantages: [Float]
        /// Number of groups with zero reward variance.
        public var zeroStdGroups: Int
        /// Number of groups.
        public var groups: Int
        public var fractionZeroStd: Double { groups > 0 ? Double(zeroStdGroups) / Double(groups) : 0 }
    }

    /// rewards (S = groups·G); `stdNormalize` false keeps A_i = R_i − mean_G R (no division).
    public static func groupNormalized(rewards: [Double], groupSize G: Int, stdNormalize: Bool = true) -> Result {
        precondition(G > 0 && rewards.count % G == 0, "rewards (\(rewards.count)) must be whole groups of \(G)")
        var out = [Float](repeating: 0, count: rewards.count)
        var zero = 0
        let groups = rewards.count / G
        for g in 0..<groups {
            let r = rewards[(g * G)..<((g + 1) * G)]
            if r.allSatisfy({ $0 == r.first! }) { zero += 1; continue } // A = 0 exactly
            let mean = r.reduce(0, +) / Double(G)
            let variance = r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(G - 1, 1))
            let scale = stdNormalize ? 1 / (variance.squareRoot() + 1e-6) : 1
            for (i, x) in r.enumerated() { out[g * G + i] = Float((x - mean) * scale) }
        }
        return Result(advantages: out, zeroStdGroups: zero, groups: groups)
    }
}
