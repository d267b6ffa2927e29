/// Reductions of one metric's curve (steps and values in logged order) to single numbers: the
/// per-run summaries of runs.csv and the forgetting measures.
public enum CurveSummary {
    public static func aggregate(_ how: Aggregate, steps: [Int], values: [Double]) -> Double? {
        guard let last = values.last else { return nil }
        switch how {
        case .final: return last
        case .max: return values.max()
        case .min: return values.min()
        case let .meanLast(k):
            let tail = values.suffix(k)
            return tail.reduce(0, +) / Double(tail.count)
        case let .meanFirst(k):
            let head = values.prefix(k)
            return head.reduce(0, +) / Double(head.count)
        case .auc:
            guard values.count >= 2, let s0 = steps.first, let s1 = steps.last, s1 > s0 else { return last }
            var area = 0.0
            for i in 1..<values.count { area += Double(steps[i] - steps[i - 1]) * (values[i] + values[i - 1]) / 2 }
            return area / Double(s1 - s0)
        }
    }

    /// Forgetting of a skill metric (higher is better), computed at collect time.
    public struct Forgetting: Sendable, Equatable {
        /// max over the curve − final value (≥ 0): how much of the best level was lost by the end.
        public var peakDrop: Double
        /// final − initial (backward transfer): negative when training erased what was there at the start.
        public var backwardTransfer: Double
        /// The step at which the largest decrease between consecutive logged values ends; nil if it never decreases.
        public var dropStep: Int?
    }

    public static let forgettingLabels = ["peak_drop", "bwt", "drop_step"]

    public static func forgetting(steps: [Int], values: [Double]) -> Forgetting? {
        guard let first = values.first, let last = values.last, let peak = values.max() else { return nil }
        var dropStep: Int? = nil, largest = 0.0
        for i in values.indices.dropFirst() where values[i - 1] - values[i] > largest {
            largest = values[i - 1] - values[i]; dropStep = steps[i]
        }
        return Forgetting(peakDrop: peak - last, backwardTransfer: last - first, dropStep: dropStep)
    }
}
