#!/usr/bin/env python3
"""Independent numpy (float64) re-implementation of the GPT in Sources/GPT, for tests.

Reads one of our safetensors checkpoints (parsing the format itself: 8-byte little-endian header length,
JSON header, raw float32 data), folds LoRA into the weights (W + alpha/r * B @ A), runs GPT-2's forward
pass and prints JSON {"logprobs": [[...] per sequence]} with logprobs[t] = log p(tok[t+1] | tok[0..t]).

usage: python3 reference_gpt.py CHECKPOINT.safetensors TOKENS.json   (TOKENS.json: {"tokens": [[ids], ...]})
"""
import json
import math
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", name
        b, e = info["data_offsets"]
        arr = np.frombuffer(raw[8 + n + b:8 + n + e], dtype="<f4").astype(np.float64)
        tensors[name] = arr.reshape(info["shape"])
    return tensors, meta


def layer_norm(x, w, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def logits_of(p, cfg, tokens):
    T, C, NH = len(tokens), cfg["channels"], cfg["heads"]
    hs = C // NH
    x = p["wte"][tokens] + p["wpe"][:T]
    mask = np.tril(np.ones((T, T), dtype=bool))
    for l in range(cfg["layers"]):
        g = lambda k: p["h.%d.%s" % (l, k)]
        h = layer_norm(x, g("ln1w"), g("ln1b"))
        qkv = h @ g("qkvw").T + g("qkvb")
        q, k, v = qkv[:, :C], qkv[:, C:2 * C], qkv[:, 2 * C:]
        y = np.zeros((T, C))
        for head in range(NH):
            sl = slice(head * hs, (head + 1) * hs)
            s = q[:, sl] @ k[:, sl].T / math.sqrt(hs)
            s = np.where(mask, s, -np.inf)
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            y[:, sl] = s @ v[:, sl]
        x = x + y @ g("attprojw").T + g("attprojb")
        h = layer_norm(x, g("ln2w"), g("ln2b"))
        x = x + gelu_tanh(h @ g("fcw").T + g("fcb")) @ g("fcprojw").T + g("fcprojb")
    x = layer_norm(x, p["lnfw"], p["lnfb"])
    return x @ p["wte"].T


def main():
    tensors, meta = read_safetensors(sys.argv[1])
    cfg = json.loads(meta["gpt_config"])
    cfg = {"channels": cfg["channels"], "heads": cfg["heads"], "layers": cfg["layers"]}
    lora = json.loads(meta["lora_config"])
    p = {k[len("theta."):]: v for k, v in tensors.items() if k.startswith("theta.")}
    if lora["rank"] > 0 and meta.get("lora_merged") != "true":
        names = {"qkv": "qkvw", "attn_proj": "attprojw", "fc": "fcw", "mlp_proj": "fcprojw"}
        scale = lora["alpha"] / lora["rank"]
        for l in range(cfg["layers"]):
            for t in lora["targets"]:
                a, b = tensors["w.h.%d.%s.lora_a" % (l, t)], tensors["w.h.%d.%s.lora_b" % (l, t)]
                p["h.%d.%s" % (l, names[t])] = p["h.%d.%s" % (l, names[t])] + scale * b @ a
    with open(sys.argv[2]) as f:
        seqs = json.load(f)["tokens"]
    out = []
    for toks in seqs:
        z = logits_of(p, cfg, np.array(toks))
        z = z - z.max(-1, keepdims=True)
        lp = z - np.log(np.exp(z).sum(-1, keepdims=True))
        out.append([float(lp[t, toks[t + 1]]) for t in range(len(toks) - 1)])
    print(json.dumps({"logprobs": out}))


if __name__ == "__main__":
    main()
