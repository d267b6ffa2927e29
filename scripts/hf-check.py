"""Checks a `bridge export-hf` folder with transformers and peft (BRIDGE_LONG_TESTS, HFInteropTests).

Usage: hf-check.py HF_DIR SCORE_JSON TEXT
SCORE_JSON is `bridge score --checkpoint C --text TEXT --logits` of the exported checkpoint. Checks:
AutoTokenizer encodes TEXT to bridge's ids (BOS first) and decodes them back; the merged model and
PeftModel(base θ + adapter) both give bridge's logits; the adapter changes the logits (it is not a no-op);
pipeline("text-generation") runs and returns text that starts with the prompt. Prints one JSON line."""
import json
import sys

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline

hf, score_file, text = sys.argv[1], sys.argv[2], sys.argv[3]
score = json.load(open(score_file))
tok = AutoTokenizer.from_pretrained(hf)
ids = tok(text)["input_ids"]
assert ids == score["tokens"], f"tokenizer ids {ids} != bridge's {score['tokens']}"
decoded = tok.decode(ids, skip_special_tokens=True)
assert decoded == text, f"decode gives {decoded!r}, not {text!r}"
expected = torch.tensor(score["logits"])
x = torch.tensor([ids])
with torch.no_grad():
    merged = AutoModelForCausalLM.from_pretrained(hf).eval()
    base = AutoModelForCausalLM.from_pretrained(f"{hf}/base").eval()
    base_logits = base(x).logits[0]
    adapted = PeftModel.from_pretrained(base, f"{hf}/adapter").eval()
    merged_logits = merged(x).logits[0]
    peft_logits = adapted(x).logits[0]
result = {
    "max_abs_merged_vs_bridge": (merged_logits - expected).abs().max().item(),
    "max_abs_peft_vs_bridge": (peft_logits - expected).abs().max().item(),
    "max_abs_base_vs_bridge": (base_logits - expected).abs().max().item(),
}
generator = pipeline("text-generation", model=merged, tokenizer=tok)
prompt = text.split("#")[0]
out = generator(prompt, max_new_tokens=6, do_sample=False)[0]["generated_text"]
result["generated"] = out
print(json.dumps(result))
assert result["max_abs_merged_vs_bridge"] < 1e-4, result
assert result["max_abs_peft_vs_bridge"] < 1e-4, result
assert result["max_abs_base_vs_bridge"] > 1e-3, "the adapter changes nothing: the check would not see a wrong adapter"
assert out.startswith(prompt), out
