import Foundation
import Testing

/// `bridge study submit` against stand-ins for sbatch and squeue (shell scripts that record what they
/// were given): the scripts, the job dependencies, the option layers and the errors, on any machine.
/// SlurmClusterTests runs the same command against real Slurm daemons.
@Suite(.serialized) struct SlurmSubmitCLITests {
    /// A tiny train study whose base models (one per seed) are not built: the submission needs a
    /// base-model job. Nothing here trains: the stand-in sbatch runs no job.
    static let trainSpec = """
        name: submitcheck
        question: Which jobs does a submission create?
        kind: train
        base:
          run: {seed_scope: all, steps: 2, base_cache_dir: cache}
          model: {preset: tiny}
          eval: {suite: {benchmarks: {names: [b1_indist]}}}
        axes:
          grid:
            run.method: [sft, rl_zero]
        seeds: 2
        metrics: [{name: eval/mean_accuracy}]
        slurm:
          partition: specpart
          time: 90
          sbatch_args: [--constraint=avx2]
        presets:
          long:
            slurm: {time: "2:00:00", max_running: 2}

        """

    /// A folder with the stand-ins: `sbatch` logs its arguments and OPENBLAS_CORETYPE to sbatch.log and
    /// answers job ids 101, 102, …; `squeue` prints `squeueOutput` (nothing: no job is known).
    static func fakeSlurm(in dir: URL, squeueOutput: String = "", sbatchError: String? = nil) throws -> URL {
        let bin = dir.appendingPathComponent("fakebin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let log = bin.appendingPathComponent("sbatch.log").path
        let fail = sbatchError.map { "echo 'sbatch: error: \($0)' >&2; exit 1\n" } ?? ""
        let sbatch = """
            #!/bin/sh
            \(fail)echo "ARGS $* CORETYPE=${OPENBLAS_CORETYPE:-unset}" >> '\(log)'
            n=100; while read -r _; do n=$((n+1)); done < '\(log)'
            echo "$n"

            """
        let squeue = "#!/bin/sh\nprintf '%s' '\(squeueOutput)'\n"
        for (name, text) in [("sbatch", sbatch), ("squeue", squeue), ("sacct", "#!/bin/sh\nexit 1\n")] {
            let url = bin.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        return bin
    }

    func sbatchCalls(_ bin: URL) -> [String] {
        ((try? String(contentsOf: bin.appendingPathComponent("sbatch.log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func submitWritesThreeScriptsAndChainsTheirJobs() throws {
        let dir = try makeTempDir("submit")
        try SlurmSubmitCLITests.trainSpec.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let bin = try SlurmSubmitCLITests.fakeSlurm(in: dir)
        // A value the user set (bridge's markers cleared: scripts/test.sh exports the core bridge chose here).
        let (s, o, e) = try runBridge(["study", "submit", "s.yaml", "--preset", "long", "--partition", "flagpart", "--out", "study"], in: dir,
                                      environment: DoctorCLITests.clean.merging(["PATH": bin.path, "OPENBLAS_CORETYPE": "Haswell"]) { $1 })
        #expect(s == 0, "\(o)\(e)")
        #expect(o.contains("4 runs, 0 complete, 4 submitted (submission 1)") && o.contains("job 101: base models, 2 array task(s)")
                && o.contains("job 102: runs, array 0-3%2 after job 101 succeeds") && o.contains("job 103: collects"), "\(o)")
        let calls = sbatchCalls(bin)
        let slurm = dir.appendingPathComponent("study/slurm")
        #expect(calls.count == 3, "\(calls)")
        #expect(calls.first == "ARGS --parsable \(slurm.path)/setup.sbatch CORETYPE=Haswell", "an OPENBLAS_CORETYPE the user set must reach the jobs: \(calls)")
        #expect(calls.dropFirst().first == "ARGS --parsable --dependency=afterok:101 --kill-on-invalid-dep=yes \(slurm.path)/runs.sbatch CORETYPE=Haswell")
        #expect(calls.last == "ARGS --parsable --dependency=afterany:102 \(slurm.path)/collect.sbatch CORETYPE=Haswell")

        let runs = try String(contentsOf: slurm.appendingPathComponent("runs.sbatch"), encoding: .utf8)
        // The flag beats the spec's partition; the preset's time beats the spec's; the spec's extra option stays.
        for line in ["#SBATCH --array=0-3%2", "#SBATCH --partition=flagpart", "#SBATCH --time=2:00:00", "#SBATCH --cpus-per-task=1",
                     "#SBATCH --constraint=avx2", "#SBATCH --chdir=\(dir.standardizedFileURL.path)",
                     "export OPENBLAS_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"", "exec \"$BRIDGE\" study task \"$STUDY\" \"$RUN\" >> \"$LOG\" 2>&1"] {
            #expect(runs.contains(line + "\n"), "runs.sbatch lacks \(line):\n\(runs)")
        }
        #expect(!runs.contains("specpart") && !runs.contains("OPENBLAS_CORETYPE="), "\(runs)")
        let setup = try String(contentsOf: slurm.appendingPathComponent("setup.sbatch"), encoding: .utf8)
        #expect(setup.contains("#SBATCH --array=0-1%2") && setup.contains("--shared") && setup.contains("pretrain seed 0") && setup.contains("pretrain seed 1"), "\(setup)")
        let collect = try String(contentsOf: slurm.appendingPathComponent("collect.sbatch"), encoding: .utf8)
        #expect(collect.contains("study collect \"$STUDY\" --submission 1"), "\(collect)")

        // status without Slurm answering: every run with its task id, no error.
        let (s3, o3, e3) = try runBridge(["study", "status", "study"], in: dir, environment: ["PATH": bin.path])
        #expect(s3 == 0 && o3.contains("slurm: submission 1 of 1") && o3.contains("no longer known to Slurm (102_3)"), "\(o3)\(e3)")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("study/manifest.json"))) as! [String: Any]
        let executor = manifest["executor"] as? [String: Any]
        #expect(executor?["name"] as? String == "slurm" && (executor?["jobs"] as? [String: Any])?["runs"] as? String == "102", "\(manifest)")
    }

    @Test func bridgesOwnCoreChoiceStaysOnThisMachine() throws {
        let dir = try makeTempDir("submit-core")
        try toyStudy(sleepMs: 0).write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        let bin = try SlurmSubmitCLITests.fakeSlurm(in: dir)
        // OPENBLAS_CORETYPE as bridge sets it for this CPU (with its marker): nodes choose for their own CPUs.
        let (s, o, e) = try runBridge(["study", "submit", "toy.yaml", "--out", "study"], in: dir,
                                      environment: DoctorCLITests.clean.merging(["PATH": bin.path, "OPENBLAS_CORETYPE": "Haswell", "BRIDGE_BLAS_CORE_SET": "Haswell"]) { $1 })
        #expect(s == 0, "\(o)\(e)")
        let calls = sbatchCalls(bin)
        #expect(calls.count == 2 && calls.allSatisfy { $0.hasSuffix("CORETYPE=unset") }, "\(calls)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("study/slurm/setup.sbatch").path), "the toy kind shares nothing")
    }

    @Test func badSubmissionsAreRefusedWithTheFixAndKeepFinishedRuns() throws {
        let dir = try makeTempDir("submit-bad")
        try toyStudy(sleepMs: 0).write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        let empty = dir.appendingPathComponent("emptybin")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)

        let (s1, _, e1) = try runBridge(["study", "submit", "toy.yaml", "--out", "nosbatch"], in: dir, environment: ["PATH": empty.path])
        #expect(s1 != 0 && e1.contains("sbatch is not on PATH") && e1.contains("bridge study run"), "\(e1)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("nosbatch").path), "a submission that cannot be made wrote the folder")

        let (s2, _, e2) = try runBridge(["study", "submit", "toy.yaml", "--time", "soon"], in: dir)
        #expect(s2 != 0 && e2.contains("--time: 'soon' is not a Slurm time limit") && e2.contains("Fix:"), "\(e2)")
        let (s3, _, e3) = try runBridge(["study", "submit", "toy.yaml", "--sbatch-arg=--dependency=afterok:1"], in: dir)
        #expect(s3 != 0 && e3.contains("--sbatch-arg: bridge sets --dependency itself"), "\(e3)")

        let bad = toyStudy(sleepMs: 0) + "slurm: {qos: normal, acount: x}\n"
        try bad.write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let bin = try SlurmSubmitCLITests.fakeSlurm(in: dir)
        let (s4, _, e4) = try runBridge(["study", "submit", "bad.yaml"], in: dir, environment: ["PATH": bin.path])
        #expect(s4 != 0 && e4.contains("bad.yaml:14: 'slurm.acount' is not a known key; did you mean 'account'?"), "\(e4)")

        // A folder of another spec: refused, its finished runs untouched.
        #expect(try runBridge(["study", "run", "toy.yaml", "--out", "done", "--workers", "2"], in: dir).0 == 0)
        let before = try Data(contentsOf: dir.appendingPathComponent("done/runs.csv"))
        let (s5, _, e5) = try runBridge(["study", "submit", "toy.yaml", "--out", "done", "noise=0.3"], in: dir, environment: ["PATH": bin.path])
        #expect(s5 != 0 && e5.contains("this folder holds study 'toycli'") && e5.contains("--force"), "\(e5)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("done/runs.csv")) == before)

        // A study whose runs are all complete submits nothing and collects here.
        let (s6, o6, e6) = try runBridge(["study", "submit", "toy.yaml", "--out", "done"], in: dir, environment: ["PATH": bin.path])
        #expect(s6 == 0 && o6.contains("all 8 runs are complete") && sbatchCalls(bin).isEmpty, "\(o6)\(e6)")

        // sbatch refuses (an unknown partition): the error says so, nothing stays queued or recorded.
        let refusing = try SlurmSubmitCLITests.fakeSlurm(in: dir.appendingPathComponent("r"), sbatchError: "invalid partition specified: nope")
        let (s7, _, e7) = try runBridge(["study", "submit", "toy.yaml", "--out", "refused", "--partition", "nope"], in: dir,
                                        environment: ["PATH": refusing.path])
        #expect(s7 != 0 && e7.contains("sbatch refused the script") && e7.contains("invalid partition specified: nope"), "\(e7)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("refused/slurm/submissions.json").path))
    }

    @Test func aSecondSubmissionWaitsForTheFirstToLeaveTheQueue() throws {
        let dir = try makeTempDir("submit-twice")
        try toyStudy(sleepMs: 0).write(to: dir.appendingPathComponent("toy.yaml"), atomically: true, encoding: .utf8)
        let bin = try SlurmSubmitCLITests.fakeSlurm(in: dir, squeueOutput: "101_0|RUNNING|None\n101_1|PENDING|JobArrayTaskLimit\n")
        #expect(try runBridge(["study", "submit", "toy.yaml", "--out", "study"], in: dir, environment: ["PATH": bin.path]).0 == 0)
        for command in [["study", "submit", "toy.yaml", "--out", "study"], ["study", "run", "toy.yaml", "--out", "study"]] {
            let (s, _, e) = try runBridge(command, in: dir, environment: ["PATH": bin.path])
            #expect(s != 0 && e.contains("submission 1 of this study is still in the queue") && e.contains("1 task(s) running, 1 waiting")
                    && e.contains("scancel 101 102"), "\(command): \(e)")
        }
        let (s2, o2, _) = try runBridge(["study", "status", "study"], in: dir, environment: ["PATH": bin.path])
        #expect(s2 == 0 && o2.contains("RUNNING (101_0)") && o2.contains("PENDING (JobArrayTaskLimit) (101_1)"), "\(o2)")
    }
}
