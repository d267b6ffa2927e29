"""Per-phase profile of `bridge bench model` from `perf script` output: where a step's time goes.

    perf record -e cpu-clock -F 499 --call-graph dwarf,16384 -o model.perf -- \
        .build/release/bridge bench model --sizes small --modes train --batches 64 --out /tmp/m.csv
    perf script -i model.perf | python3 scripts/profile_model.py

Each sample is attributed to the benchmark phase on its call chain (the timed train steps or sampling
calls, warm-up included; the raw-SGEMM reference rate and the model set-up are left out) and to a bucket by its innermost frame:
OpenBLAS (every GEMM; the model calls no other BLAS routine), or the Swift kernel it sits in
(attention, GELU, LayerNorm, AdamW, ...). Prints each bucket's share of the phase's samples (OpenBLAS's with the part spent packing operands), so that
share × step time is the time a bucket costs, and 1 / (OpenBLAS share) bounds the speed-up any work
outside GEMM can bring.

Flat mode, for a profile without call chains (dwarf unwinding loses the frames under OpenBLAS's kernels, so
the phase table above undercounts GEMM):

    perf record -e cpu-clock -F 1999 -o model.perf -- .build/release/bridge bench model --sizes tiny \
        --modes train --batches 64 --min-seconds 4 --out /tmp/m.csv
    perf script -i model.perf -F time,ip,sym,dso | python3 scripts/profile_model.py --flat

counts every sample from the first one in one of the model's own kernels on (the run of one mode: the raw-SGEMM
reference and the model set-up come before it), each by its own symbol.
"""
import collections
import sys

# Innermost-frame substrings (mangled Swift names hold the type and function names) -> bucket.
# First match wins; a frame in libopenblas is "OpenBLAS GEMM" whatever its name.
BUCKETS = [
    ("AttentionTiles", "attention"), ("Attention", "attention"), ("5TilesO", "attention"),
    ("12PackedLinear", "decoder GEMM on packed weights (PackedLinear)"),
    ("GELU", "GELU"), ("LayerNorm", "LayerNorm"), ("AdamW", "AdamW"),
    ("TokenLogProb", "softmax / log-prob"), ("TokenChooser", "token choice"),
    ("10decodeStep", "decoder: KV-cache writes, embedding add"), ("Embedding", "embedding"), ("Residual", "residual add"), ("FastMath", "exp / math"),
    ("Linear", "linear: bias add / bias gradient"), ("memset", "zero fill / copy"), ("memmove", "zero fill / copy"), ("memcpy", "zero fill / copy"),
]
PHASES = [("9trainStep", "train step"), ("8sampling", "sampling"), ("9sgemmRate", "reference SGEMM")]
TIMED = "10BenchModelV4time7seconds"  # BenchModel.time(seconds:_:): the timed calls, not the model set-up


def samples(lines):
    """Yields the frames (innermost first) of each sample: (symbol, object file) pairs."""
    frames = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if frames:
                yield frames
            frames = []
        elif line.startswith(("\t", " ")):
            parts = line.strip().split(None, 1)
            if len(parts) == 2:
                symbol, _, obj = parts[1].rpartition(" (")
                frames.append((symbol, obj.rstrip(")")))
    if frames:
        yield frames


def bucket(frames):
    symbol, obj = frames[0]
    if "openblas" in obj:
        return "OpenBLAS GEMM"
    if "kernel" in obj:
        return "Linux kernel (page faults, interrupts)"
    # perf lists inlined functions as frames (a loop's Range iterator, SIMD helpers, closures): the
    # kernel a sample sits in is one of the innermost few;
    # shared helpers (FastMath's exp, memset) count for the kernel that called them when it is there.
    names = [name for f in frames[:6] for key, name in BUCKETS if key in f[0]]
    specific = [n for n in names if n not in ("exp / math", "zero fill / copy")]
    if specific or names:
        return (specific or names)[0]
    return "other: " + frames[0][0].split("+")[0][:60]


def flat_samples(lines):
    """(time, [(symbol, object file)]) of each sample of `perf script -F time,ip,sym,dso` (no call chains)."""
    for line in lines:
        parts = line.strip().split(None, 2)
        if len(parts) < 2 or not parts[0].endswith(":"):
            continue
        symbol, _, obj = (parts[2] if len(parts) == 3 else "").rpartition(" (")
        yield float(parts[0][:-1]), [(symbol, obj.rstrip(")"))]


def print_table(title, c, packing):
    total = sum(c.values())
    print(f"{title}: {total} samples")
    for name, n in c.most_common(12):
        print(f"  {name:<40} {100 * n / total:5.1f} %")
        if name == "OpenBLAS GEMM":
            # Of which packing: OpenBLAS copies both operands into its panel layout on every call
            # (sgemm_incopy/itcopy/oncopy/otcopy); with few rows (the decoder's one row per sequence)
            # re-packing the weights is a visible part of the GEMM.
            print(f"    {'of which packing (sgemm_*copy)':<38} {100 * packing / total:5.1f} %")
    rest = total - sum(n for _, n in c.most_common(12))
    if rest:
        print(f"  {'(the rest)':<40} {100 * rest / total:5.1f} %")


def main_flat():
    model_kernels = {name for _, name in BUCKETS} - {"exp / math", "zero fill / copy"}
    counts, packing, started = collections.Counter(), 0, False
    for _, frames in flat_samples(sys.stdin):
        b = bucket(frames)
        started = started or b in model_kernels
        if started:
            counts[b] += 1
            packing += "openblas" in frames[0][1] and "copy" in frames[0][0]
    if not counts:
        sys.exit("no sample in one of the model's kernels: was the input `perf script -F time,ip,sym,dso`?")
    print_table("timed phase (flat, from the first sample in a model kernel)", counts, packing)


def main():
    if "--flat" in sys.argv[1:]:
        return main_flat()
    counts = collections.defaultdict(collections.Counter)
    packingCounts = collections.Counter()
    for frames in samples(sys.stdin):
        timed = any(TIMED in f[0] for f in frames)
        phase = next((name for f in frames for key, name in PHASES if key in f[0]), "other") if timed else "set-up"
        counts[phase][bucket(frames)] += 1
        if "openblas" in frames[0][1] and "copy" in frames[0][0]:
            packingCounts[phase] += 1
    for phase in ("train step", "sampling"):
        if counts.get(phase):
            print_table(phase, counts[phase], packingCounts[phase])


if __name__ == "__main__":
    main()
