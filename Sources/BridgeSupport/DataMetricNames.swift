/// The data/ metrics (what a training run has drawn), defined here once because both the training loop
/// (which logs them) and the study collector (which puts them in runs.csv) need them, and neither module
/// depends on the other. Formulas in docs/metrics.md.
public enum DataMetricNames {
    public static let rollouts = "data/rollouts"
    public static let sftExamples = "data/sft_examples"
    public static let flops = "data/flops"
}
