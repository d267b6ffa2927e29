import BridgeSupport
import Studies
import Theory
import Training

/// The run kinds this build can execute (`kind:` in study specs and run configs).
///
/// To add a kind, append an instance here (e.g. `TrainRunKind()` from Training, `TheoryRunKind()` from
/// Theory). `toy_quadratic` is a smoke-test kind (seeded noisy gradient descent on a quadratic) used by
/// the study runner's own tests; it says nothing about BRIDGE.
enum RunKinds {
    static let all: [any RunKind] = [
        ToyQuadraticKind(),
        TrainRunKind(),
        TheoryRunKind(),
    ]
}
