import Foundation

/// exact_rl: exact-expectation RL on the tiny GPT (needs the GPT module's GPTModel).
public enum ExactRLExperiment {
    public static func run(_ c: TheoryConfig, _ rec: inout TheoryRecorder, progress: ((Int, Int) -> Void)?) throws {
        throw TheoryError.invalidConfig("exact_rl needs the GPT model (branch gpt), which this build does not have yet")
    }
}
