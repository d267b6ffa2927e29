"""PyTorch CPU peer of `bridge bench model`: the same GPT-2 shapes, work and timing, one thread.

Run through scripts/bench-peer.sh (it provides the venv with the CPU wheel). Writes JSONL: a first
record {"kind": "peer", ...} naming the machine, torch and its BLAS, then one record per measurement
{"kind": "figure", "size", "mode", "batch", "tokens_per_s", ...} that `bridge bench model --peer FILE`
reads. The work per measurement matches Sources/bridge/BenchModel.swift:
- train: forward, mean next-token cross-entropy, backward, AdamW (lr 1e-4, weight decay 0.1) on all
  parameters; B sequences of the full context T; tokens/s counts B*T.
- lora: the same with rank-8 adapters (alpha 16) on qkv, attention projection, MLP up and down; the
  base weights frozen, AdamW on the adapters only.
- sample: 64 sequences, 16-token random prompts, 32 new tokens at temperature 1 with a KV cache; the
  prefill is timed too; tokens/s counts new tokens (2048 per call).
Times are medians of the calling thread's CPU time over >= 5 repetitions of at least --min-seconds
after one warm-up, as in `bridge bench model`: with one thread that equals wall time on an idle
machine and is less disturbed by other processes on a shared one. The wall-clock median is recorded too.
"""
import argparse
import datetime
import json
import os
import platform
import re
import statistics
import time
import warnings

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")  # numpy is not needed
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# The presets of GPTConfig.preset (V vocabulary, T context, C channels, L layers, NH heads).
PRESETS = {
    "tiny": dict(V=32, T=64, C=64, L=2, NH=4),
    "small": dict(V=32, T=128, C=128, L=4, NH=4),
    "medium": dict(V=64, T=256, C=256, L=6, NH=8),
}


class LowRank(nn.Module):
    """A frozen linear layer plus a trainable rank-r update: y = x W^T + b + (alpha / r) x A^T B^T."""

    def __init__(self, base, rank, alpha):
        super().__init__()
        self.base = base
        self.a = nn.Parameter(torch.randn(rank, base.in_features) * 0.02)
        self.b = nn.Parameter(torch.zeros(base.out_features, rank))  # zero: a fresh adapter changes nothing
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + self.scale * ((x @ self.a.t()) @ self.b.t())


class Block(nn.Module):
    """Pre-LayerNorm GPT-2 block: x + attn(ln1(x)), then x + mlp(ln2(x)); GELU-tanh MLP of width 4C."""

    def __init__(self, C, NH):
        super().__init__()
        self.NH = NH
        self.ln1, self.ln2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.qkv, self.proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.fc, self.fc2 = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

    def attention(self, x, cache, pos):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.NH, C // self.NH).transpose(1, 2) for t in self.qkv(x).split(C, dim=2))
        if cache is not None:  # cache: (keys, values), each (B, NH, capacity, hs); rows < pos are filled
            cache[0][:, :, pos:pos + T] = k
            cache[1][:, :, pos:pos + T] = v
            k, v = cache[0][:, :, :pos + T], cache[1][:, :, :pos + T]
        # A prompt (T > 1, pos 0) is causal; one new token attends to every cached position.
        y = F.scaled_dot_product_attention(q, k, v, is_causal=T > 1)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))

    def forward(self, x, cache=None, pos=0):
        x = x + self.attention(self.ln1(x), cache, pos)
        return x + self.fc2(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    """GPT-2: token + position embeddings, L blocks, final LayerNorm, LM head tied to the token embedding."""

    def __init__(self, V, T, C, L, NH):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(T, C)
        self.blocks = nn.ModuleList(Block(C, NH) for _ in range(L))
        self.lnf = nn.LayerNorm(C)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, idx, caches=None, pos=0):
        x = self.wte(idx) + self.wpe(torch.arange(pos, pos + idx.shape[1]))
        for i, block in enumerate(self.blocks):
            x = block(x, None if caches is None else caches[i], pos)
        return self.lnf(x) @ self.wte.weight.t()

    def add_adapters(self, rank=8, alpha=16):
        """Freezes every parameter and wraps the four linear layers of each block with LowRank."""
        for p in self.parameters():
            p.requires_grad_(False)
        for block in self.blocks:
            for name in ("qkv", "proj", "fc", "fc2"):
                setattr(block, name, LowRank(getattr(block, name), rank, alpha))


def median_seconds(body, min_seconds):
    """(median thread-CPU seconds, median wall seconds, repetitions) of body() after one warm-up call."""
    body()
    cpu, wall = [], []
    start = time.thread_time()
    while len(cpu) < 5 or time.thread_time() - start < min_seconds:
        c0, w0 = time.thread_time(), time.perf_counter()
        body()
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - w0)
    return statistics.median(cpu), statistics.median(wall), len(cpu)


def train_step_seconds(p, B, lora, min_seconds):
    model = GPT(**p)
    if lora:
        model.add_adapters()
    params = [q for q in model.parameters() if q.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.1)
    n = torch.arange(B * p["T"])
    x, y = ((n * 7 + 3) % p["V"]).view(B, p["T"]), ((n * 5 + 1) % p["V"]).view(B, p["T"])  # as BenchModel

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x).view(-1, p["V"]), y.view(-1))
        loss.backward()
        opt.step()

    return median_seconds(step, min_seconds)


def sample_seconds(p, min_seconds, S=64, prompt=16, new=32):
    model = GPT(**p).eval()
    g = torch.Generator().manual_seed(2)
    prompts = torch.randint(0, p["V"], (S, prompt), generator=g)
    hs = p["C"] // p["NH"]

    @torch.inference_mode()
    def generate():
        caches = [(torch.empty(S, p["NH"], prompt + new, hs), torch.empty(S, p["NH"], prompt + new, hs))
                  for _ in range(p["L"])]
        logits, pos = model(prompts, caches, 0)[:, -1], prompt
        for i in range(new):
            token = torch.multinomial(torch.softmax(logits, dim=-1), 1, generator=g)
            if i < new - 1:  # the last token is drawn, not fed back (as GPTModel.sample)
                logits, pos = model(token, caches, pos)[:, -1], pos + 1

    cpu, wall, reps = median_seconds(generate, min_seconds)
    return cpu, wall, reps, S * new


def cpu_name():
    """'model name' of /proc/cpuinfo with family/model numbers (KVM often shows only 'AMD EPYC')."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                info.setdefault(key.strip(), value.strip())
    except OSError:
        return platform.processor() or "unknown CPU"
    name = info.get("model name", "unknown CPU")
    if "cpu family" in info and "model" in info:
        name += f" (family {info['cpu family']} model {info['model']})"
    return name


def header(args):
    config = torch.__config__.show()
    found = re.search(r"BLAS_INFO=(\w+)", config)
    blas = found.group(1) if found else "unknown"
    library = [line.strip(" -") for line in config.splitlines() if "Math Kernel Library" in line or "OpenBLAS" in line]
    if library:
        blas += f" ({library[0]})"
    return {
        "kind": "peer", "impl": "torch eager", "torch": torch.__version__, "blas": blas,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(), "cpu": cpu_name(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "threads": torch.get_num_threads(), "python": platform.python_version(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"), "min_seconds": args.min_seconds,
        "timing": "median thread CPU seconds per repetition (>= 5, one warm-up)", "torch_config": config,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="results/bench/peer.jsonl", help="JSONL output file (overwritten)")
    ap.add_argument("--sizes", default="tiny,small,medium")
    ap.add_argument("--modes", default="train,lora,sample")
    ap.add_argument("--batches", default="16,64", help="batch sizes of the train and lora modes")
    ap.add_argument("--min-seconds", type=float, default=2.0, help="minimum seconds per measurement")
    args = ap.parse_args()
    sizes, modes = args.sizes.split(","), args.modes.split(",")
    for s in sizes:
        if s not in PRESETS:
            ap.error(f"unknown size '{s}'; use a subset of {','.join(PRESETS)}")
    for m in modes:
        if m not in ("train", "lora", "sample"):
            ap.error(f"unknown mode '{m}'; use a subset of train,lora,sample")
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    records = [header(args)]
    print(f"peer: torch {records[0]['torch']} ({records[0]['blas'].split()[0]}, {records[0]['cpu_capability']}) "
          f"on {records[0]['cpu']}, 1 thread")
    for size in sizes:
        p = PRESETS[size]
        for mode in [m for m in ("train", "lora") if m in modes]:
            for B in [int(b) for b in args.batches.split(",")]:
                cpu, wall, reps = train_step_seconds(p, B, mode == "lora", args.min_seconds)
                tokens = B * p["T"]
                records.append(dict(kind="figure", size=size, mode=mode, batch=B, seq_len=p["T"],
                                    tokens_per_s=tokens / cpu, wall_tokens_per_s=tokens / wall, repetitions=reps))
                print(f"{size} {mode} B={B}: {tokens / cpu:.0f} tok/s (wall {tokens / wall:.0f}, {reps} reps)", flush=True)
        if "sample" in modes:
            cpu, wall, reps, tokens = sample_seconds(p, args.min_seconds)
            records.append(dict(kind="figure", size=size, mode="sample", batch=64, seq_len=48,
                                tokens_per_s=tokens / cpu, wall_tokens_per_s=tokens / wall, repetitions=reps))
            print(f"{size} sample 64x32: {tokens / cpu:.0f} new tok/s (wall {tokens / wall:.0f}, {reps} reps)", flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    os.replace(tmp, args.out)  # a reader never sees half a file
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
