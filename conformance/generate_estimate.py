#!/usr/bin/env python3
"""Generate the estimate vectors (`estimate.jsonl`): a prompt counted with a model's
tokenizer, then priced. Every front-end (core, CLI, Python, Node, WASM) runs them.

    source ~/.cache/tokfare-oracle/env.sh      # after shared/tools/oracle-setup.sh
    $ORACLE_DIR/venv/bin/python conformance/generate_estimate.py          # rewrite
    $ORACLE_DIR/venv/bin/python conformance/generate_estimate.py --check  # fail if stale

Where the expected values come from (none from tokfare):
- `input_tokens`: the reference tokenizer of the counting step — the official tiktoken
  (`encode_ordinary`) for OpenAI encodings, Hugging Face `tokenizers`
  (`encode(text, add_special_tokens=False)`) for tokenizer.json models;
- money: the rates of the bundled price files read here directly — LiteLLM's per-token
  costs in `crates/pricing/data/catalog.json` (the float's shortest decimal form, times
  10^6 per million, as LiteLLM's file states them), the `_batches` costs for the batch
  service, and the per-million prices of `crates/pricing/data/gtc-2026.toml` — multiplied
  out in Python's `decimal`; `rounded` is the total at the currency's minor unit,
  half-even (tokfare's default rounding, docs/schedules.md).

Each line: {"name", "model", "text" (or "text" + "repeat": the text repeated), "output_tokens",
"encoding"?, "tokenizer"?, "service"?, "schedule"? ("gtc-2026": the set before the
catalog), then either "expected": {"tokenizer", "input_tokens", "schedule", "currency",
"total", "rounded", "lines": [{"item", "quantity", "amount"}], "warnings": N,
"approximate"} or "error": an error code}.

`approximate` is true when the counting tokenizer is not the model's own: the model's own
is tiktoken's `encoding_name_for_model` (on the name, then on the name after a provider's
`.../` prefix) or, for Qwen 3 models, the qwen3 tokenizer.json; a model with neither is
counted with o200k_base, an approximation (docs: crates/tokenizer/src/any.rs).
"""
import decimal
import json
import os
import pathlib
import sys
import tomllib

import tiktoken
import tokenizers

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
ORACLE = pathlib.Path(os.environ.get("ORACLE_DIR", pathlib.Path.home() / ".cache" / "tokfare-oracle"))
HF_DIR = pathlib.Path(os.environ.get("TOKFARE_HF_DIR") or ORACLE / "hf")
OUT = HERE / "estimate.jsonl"
MILLION = decimal.Decimal(1_000_000)

CATALOG = json.loads((ROOT / "crates/pricing/data/catalog.json").read_text())
GTC = tomllib.loads((ROOT / "crates/pricing/data/gtc-2026.toml").read_text())

ENGLISH = "Summarise the attached quarterly report in three bullet points, in French.\n"
CODE = "def price(tokens: int, rate: Decimal) -> Decimal:\n    return tokens * rate / 1_000_000  # exact\n"
MIXED = "Résumé: 東京の会議は10時から。Встреча в 10:00. 🙂 <|endoftext|> is text here.\n"

# name, model, text, repeat, output tokens, options, what counts (reference), what prices
CASES = [
    ("gpt-4o, English", "gpt-4o", ENGLISH, 1, 1000, {}, ("tiktoken", "o200k_base"), ("catalog", "standard")),
    ("gpt-4o, batch service", "gpt-4o", ENGLISH, 1, 1000, {"service": "batch"}, ("tiktoken", "o200k_base"), ("catalog", "batch")),
    ("gpt-4, code", "gpt-4", CODE, 1, 250, {}, ("tiktoken", "cl100k_base"), ("catalog", "standard")),
    ("gpt-4o-mini, many scripts, special-token text counted as text", "gpt-4o-mini", MIXED, 1, 33, {}, ("tiktoken", "o200k_base"), ("catalog", "standard")),
    ("claude priced, counted with an encoding given", "claude-haiku-4-5-20251001", ENGLISH, 1, 500, {"encoding": "o200k_base"}, ("tiktoken", "o200k_base"), ("catalog", "standard")),
    ("Qwen 3 counted with its bundled tokenizer.json", "Qwen/Qwen3-8B", MIXED + "<|im_start|>user\n", 1, 100, {"schedule": "gtc-2026"}, ("hf", "qwen3"), ("gtc-2026", "free")),
    ("a tokenizer.json given by name", "kimi-k2.5", CODE, 1, 7, {"schedule": "gtc-2026", "tokenizer": "qwen3"}, ("hf", "qwen3"), ("gtc-2026", "medium")),
    ("a prompt longer than the context window is priced and warned about", "gpt-4", " hello", 8300, 0, {}, ("tiktoken", "cl100k_base"), ("catalog", "standard")),
    ("no public tokenizer: counted with o200k_base, an approximation", "claude-haiku-4-5-20251001", ENGLISH, 1, 500, {}, ("tiktoken", "o200k_base"), ("catalog", "standard")),
    ("an OpenAI model newer than tiktoken's table: o200k_base, said to be approximate", "gpt-6-sol", CODE, 1, 100, {}, ("tiktoken", "o200k_base"), ("catalog", "standard")),
    ("a provider's prefix before an OpenAI model: its exact encoding", "azure/gpt-4o", ENGLISH, 1, 100, {}, ("tiktoken", "o200k_base"), ("catalog", "standard")),
]
ERRORS = [
    ("no price for the model", "gpt-4o-no-such-snapshot", ENGLISH, {}, "unknown_model_price"),
    ("an unknown service", "gpt-4o", ENGLISH, {"service": "turbo"}, "invalid_argument"),
    ("an unknown encoding", "gpt-4o", ENGLISH, {"encoding": "o300k_base"}, "unknown_encoding"),
]


def count(reference, text):
    kind, name = reference
    if kind == "tiktoken":
        return len(tiktoken.get_encoding(name).encode_ordinary(text))
    tok = tokenizers.Tokenizer.from_file(str(HF_DIR / name / "tokenizer.json"))
    return len(tok.encode(text, add_special_tokens=False).ids)


def per_million(cost):
    """LiteLLM's per-token float in its shortest decimal form, per million tokens."""
    return decimal.Decimal(repr(cost)) * MILLION


def rates(model, prices):
    source, which = prices
    if source == "gtc-2026":
        rate = decimal.Decimal(GTC["schedules"][which]["per_million_tokens"])
        return which, rate, rate, None
    entry = CATALOG[model]
    suffix = "_batches" if which == "batch" else ""
    return model, per_million(entry["input_cost_per_token" + suffix]), per_million(entry["output_cost_per_token" + suffix]), entry.get("max_input_tokens")


def plain(d):
    """A decimal without trailing zeros, as tokfare writes exact amounts."""
    d = d.normalize()
    return format(d, "f") if d != 0 else "0"


def own_tokenizer(model):
    """The model's own tokenizer by tokfare's documented rule, from tiktoken's table."""
    for name in (model, model.rsplit("/", 1)[-1]):
        try:
            return tiktoken.encoding_name_for_model(name)
        except KeyError:
            pass
        if name.lower().startswith(("qwen/qwen3", "qwen3")):
            return "qwen3"
    return None


def is_approximate(model, options, reference):
    if "encoding" not in options and "tokenizer" not in options and own_tokenizer(model) is None:
        return True  # counted with o200k_base
    return own_tokenizer(model) != reference[1]


def case_line(name, model, text, repeat, output_tokens, options, reference, prices):
    input_tokens = count(reference, text * repeat)
    schedule, input_rate, output_rate, window = rates(model, prices)
    lines = []
    for item, quantity, rate in (("input tokens", input_tokens, input_rate), ("output tokens", output_tokens, output_rate)):
        if quantity:
            lines.append({"item": item, "quantity": quantity, "amount": plain(quantity * rate / MILLION)})
    total = sum((quantity * rate / MILLION for _, quantity, rate in (("", input_tokens, input_rate), ("", output_tokens, output_rate))), decimal.Decimal(0))
    rounded = total.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_EVEN)
    line = {"name": name, "model": model, "text": text}
    if repeat != 1:
        line["repeat"] = repeat
    line["output_tokens"] = output_tokens
    line.update(options)
    approximate = is_approximate(model, options, reference)
    line["expected"] = {
        "tokenizer": reference[1],
        "approximate": approximate,
        "input_tokens": input_tokens,
        "schedule": schedule,
        "currency": "USD",
        "total": plain(total),
        "rounded": str(rounded),
        "lines": lines,
        # A prompt over the context window; a catalog entry with a deprecation_date.
        "warnings": int(window is not None and input_tokens > window)
        + int(prices[0] == "catalog" and "deprecation_date" in CATALOG[model])
        + int(approximate),
    }
    return line


def main():
    decimal.getcontext().prec = 50
    lines = [case_line(*c) for c in CASES]
    for name, model, text, options, code in ERRORS:
        line = {"name": name, "model": model, "text": text, "output_tokens": 0}
        line.update(options)
        line["error"] = code
        lines.append(line)
    body = "".join(json.dumps(l, ensure_ascii=False) + "\n" for l in lines)
    if "--check" in sys.argv:
        if OUT.read_text(encoding="utf-8") != body:
            sys.exit(f"{OUT} is stale: run conformance/generate_estimate.py")
        print(f"{OUT.name}: up to date ({len(lines)} cases)")
    else:
        OUT.write_text(body, encoding="utf-8")
        print(f"wrote {OUT} ({len(lines)} cases)")


if __name__ == "__main__":
    main()
