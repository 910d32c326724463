#!/usr/bin/env python3
"""Hugging Face tokenizer.json models side by side in Python: tokfare.Tokenizer vs
fastokens 0.3.5 (the fastest exact peer we know of) vs HF tokenizers 0.23.3, in one
process, single thread, on ../shared/corpus cut into 8 KiB documents. Ids are checked
equal to HF tokenizers' on every document before timing. Each round builds fresh
tokenizer objects (so no word or segment cache is warm at its start) and encodes every
document once with each, in turn; the first and the best of --rounds are reported.

    python benches/python/compare_hf.py --rounds 3

Needs: tokfare (pip install ./bindings-python), fastokens==0.3.5, tokenizers==0.23.3 and
the oracle's hf/<model>/tokenizer.json files (shared/tools/oracle-setup.sh).
"""
import argparse
import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from compare import ORACLE, documents  # noqa: E402

import fastokens  # noqa: E402
import tokenizers  # noqa: E402
import tokfare  # noqa: E402

MODELS = ["llama3", "qwen3", "deepseek_v3", "gpt4o"]


def peers(path):
    out = {"tokfare": lambda d, t=tokfare.Tokenizer.from_file(path): t.encode(d)}
    try:
        out["fastokens"] = lambda d, t=fastokens.Tokenizer.from_file(str(path)): t.encode(d).ids
    except ValueError:  # fastokens 0.3.5 refuses some files ("unsupported model type")
        pass
    out["tokenizers"] = lambda d, t=tokenizers.Tokenizer.from_file(str(path)): t.encode(d, add_special_tokens=False).ids
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ["RAYON_NUM_THREADS"] = "1"
    docs = documents()
    total = sum(len(d.encode()) for d in docs)
    print(f"tokenizers {tokenizers.__version__}, fastokens 0.3.5, tokfare {tokfare.__version__}; "
          f"{len(docs)} documents, {total / 1e6:.1f} MB, single thread, MB/s (first round / best of {args.rounds})\n")
    print("| model | tokfare | fastokens | tokenizers | tokfare / tokenizers | tokfare / fastokens | ids equal |")
    print("|---|---|---|---|---|---|---|")
    for model in MODELS:
        path = ORACLE / "hf" / model / "tokenizer.json"
        p = peers(path)
        reference = [p["tokenizers"](d) for d in docs]
        equal = {name: all(f(d) == r for d, r in zip(docs, reference)) for name, f in p.items() if name != "tokenizers"}
        rates = {name: [] for name in p}
        for _ in range(args.rounds):
            for name, f in peers(path).items():
                start = time.perf_counter()
                for d in docs:
                    f(d)
                rates[name].append(total / 1e6 / (time.perf_counter() - start))
        cell = lambda n: f"{rates[n][0]:.1f} / {max(rates[n]):.1f}" if n in rates else "unsupported"  # noqa: E731
        best = {n: max(v) for n, v in rates.items()}
        versus_fast = f"{best['tokfare'] / best['fastokens']:.2f}×" if "fastokens" in best else "–"
        print(f"| {model} | {cell('tokfare')} | {cell('fastokens')} | {cell('tokenizers')} | "
              f"{best['tokfare'] / best['tokenizers']:.1f}× | {versus_fast} | "
              f"tokfare {equal['tokfare']}, fastokens {equal.get('fastokens', '–')} |")


if __name__ == "__main__":
    main()
