#!/usr/bin/env python3
"""Compare a `bridge export-hf` folder, loaded by Hugging Face transformers' GPT2LMHeadModel, with
`bridge score --logits` output for the same tokens.

usage: python3 hf_check.py HF_DIR SCORE_JSON [--tol 1e-4]
  HF_DIR      folder written by `bridge export-hf` (config.json + model.safetensors)
  SCORE_JSON  file holding the JSON printed by `bridge score --checkpoint C --tokens ... --logits`
Prints {"max_logit_diff": x, "max_logprob_diff": y, "tokens": n} and exits 1 when either exceeds --tol.
Needs torch and transformers (never a dependency of the Swift build or of the default tests).
"""
import argparse
import json
import sys

import torch
from transformers import GPT2LMHeadModel


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("hf_dir")
    ap.add_argument("score_json")
    ap.add_argument("--tol", type=float, default=1e-4)
    args = ap.parse_args()
    with open(args.score_json) as f:
        ours = json.load(f)
    model = GPT2LMHeadModel.from_pretrained(args.hf_dir, torch_dtype=torch.float32)
    model.eval()
    tokens = ours["tokens"]
    with torch.no_grad():
        logits = model(torch.tensor([tokens])).logits[0].double()
    logprobs = torch.log_softmax(logits, dim=-1)
    theirs_lp = [float(logprobs[t, tokens[t + 1]]) for t in range(len(tokens) - 1)]
    max_lp = max(abs(a - b) for a, b in zip(theirs_lp, ours["logprobs"]))
    max_logit = float("nan")
    if "logits" in ours:
        max_logit = float((logits - torch.tensor(ours["logits"], dtype=torch.float64)).abs().max())
    print(json.dumps({"max_logit_diff": max_logit, "max_logprob_diff": max_lp, "tokens": len(tokens)}))
    ok = max_lp <= args.tol and not (max_logit > args.tol)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
