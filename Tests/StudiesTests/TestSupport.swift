import BridgeSupport
import Foundation
import Studies

/// A fresh temporary folder per test.
func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("bridge-studies-\(name)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A tiny toy study: 2 methods × 2 learning rates × 3 seeds = 12 runs of 30 steps.
let toySpecText = """
name: toy
question: Does heavy-ball momentum reach a lower loss than SGD on a noisy quadratic?
kind: toy_quadratic
base:
  steps: 30
  noise: 0.05
axes:
  grid:
    method: [sgd, heavy_ball]
    learning_rate: [0.05, 0.2]
seeds: 3
metrics:
  - name: train/loss
    how: [final, min, mean_last, auc]
    last_k: 5
  - name: eval/toy/fit
    how: [final, max]
forgetting: [eval/toy/*]
presets:
  quick:
    seeds: 2
  paper:
    seeds: 5

"""

/// Runs a spec in-process into `dir` through the study pipeline (as `bridge study run` does, with the
/// runs executed in this process); returns the number of failed runs.
@discardableResult
func runInProcess(_ text: String, dir: URL, preset: String? = nil, overrides: [String] = [], force: Bool = false) throws -> Int {
    let pipeline = try StudyPipeline(specText: text, source: "test.yaml", preset: preset, overrides: overrides,
                                     kinds: [ToyQuadraticKind()], out: dir.path)
    let outcome = try pipeline.execute(.local(.inProcess(kinds: [ToyQuadraticKind()]), workers: 1, progress: quietProgress()), force: force)
    guard case let .collected(_, _, failed, _) = outcome else { throw SupportError("a local study did not collect: \(outcome)") }
    return failed
}

/// Progress that prints nothing (tests).
func quietProgress() -> ProgressReporter { ProgressReporter(study: "test", isTerminal: false, quiet: true) }

struct SupportError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func read(_ dir: URL, _ file: String) throws -> String {
    try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
}

/// The error text of a throwing expression ("" if it did not throw).
func errorText(_ body: () throws -> Void) -> String {
    do { try body(); return "" } catch { return "\(error)" }
}
