#!/usr/bin/env python3
"""Generate the Hugging Face conformance vectors from `tokenizers` (the oracle).

    source ~/.cache/tokfare-oracle/env.sh      # after shared/tools/oracle-setup.sh
    $ORACLE_DIR/venv/bin/python conformance/generate_hf.py          # rewrite the vectors
    $ORACLE_DIR/venv/bin/python conformance/generate_hf.py --check  # fail if they differ

The tokenizer.json files are read from $TOKFARE_HF_DIR/<model>/tokenizer.json (default
$ORACLE_DIR/hf). Writes, deterministically (same tokenizers version -> same bytes):

  tokenize/hf.jsonl        {"model", "text", "mode", "ids"}: mode "encode" is
                           encode(text, add_special_tokens=False), "encode+special" with
                           add_special_tokens=True, "ordinary" with encode_special_tokens=True
  tokenize/hf_decode.jsonl {"model", "ids", "skip_special_tokens", "text"}: decode
  tokenize/hf_variants.jsonl first {"variant", "base", "patch"} lines: the base model's file
                           with `patch` applied (each key a dotted path into the JSON,
                           replaced by its value); then {"variant", "text", "mode", "ids"}
                           and {"variant", "decode", "text"} cases. They cover what the
                           four files do not use:
                           Split behaviors, ByteLevel's own regex and prefix space, added-token
                           flags, BOS/EOS templates, ignore_merges, no decoder
Texts: the tiktoken vectors' edge cases (generate.py), each model's added tokens in and
around text, NFC-sensitive text, long repetitions, corpus excerpts, random strings.
"""
import json
import os
import pathlib
import random
import sys

import tokenizers

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import generate  # noqa: E402  (EDGE_TEXTS, corpus_samples, random_texts, adversarial, write)

HERE = pathlib.Path(__file__).resolve().parent
HF_DIR = pathlib.Path(os.environ.get("TOKFARE_HF_DIR") or pathlib.Path(os.environ.get("ORACLE_DIR", pathlib.Path.home() / ".cache" / "tokfare-oracle")) / "hf")
MODELS = ["llama3", "qwen3", "gpt4o", "deepseek_v3"]

NFC_TEXTS = [
    "A\u030angstro\u0308m \u212b \u00c5",  # decomposed, the Angstrom sign, precomposed
    "e\u0301te\u0301 \u00e9t\u00e9", "\u1100\u1161\u11a8 \uac01", "\u2126 \u03a9 K \u212a", "q\u0307\u0323 \u1e0b\u0323",
    "\ufb01 \u00bd \u2460", "\u0958\u0959 \u095a", "\u0f73 \u0f75",
    # Combining marks assigned after Unicode 9, the tables `tokenizers` normalizes with:
    # there they are unassigned (class 0), so the marks around them are not reordered
    # past them as newer tables would. U+1DFA, U+1AC1, U+0898, U+10EFD, U+1E08F,
    # U+1E4EC, U+1E5EE, U+0897 (Unicode 14-16), next to marks of other classes.
    "x\u0323\u1dfa y\u0301\u1dfa", "a\u0301\u1ac1\u0323 e\u1ac1\u0316", "\u0628\u0651\u0898\u0650 \u0628\U00010efd\u064e",
    "\u0430\u0301\U0001e08f\u0323 q\U0001e4ec\u0315\u0323", "o\u0323\U0001e5ee\u0301 \u0628\u0897\u0655", "K\u0301\u1dfa\u0323\u030a\u0327!",
]


def added_texts(tok):
    added = sorted(tok.get_added_tokens_decoder().items())
    some = [t.content for _, t in added[:6]] + [t.content for _, t in added[-3:]]
    out = []
    for s in some:
        out += [s, f"hello {s} world", f"{s}{s}", f"x{s}y", f"  {s}  ", s[:-1], s[1:], s.upper()]
    out.append("".join(some))
    return out


def mode_ids(tok, ordinary_tok, text, mode):
    if mode == "ordinary":
        return ordinary_tok.encode(text, add_special_tokens=False).ids
    return tok.encode(text, add_special_tokens=(mode == "encode+special")).ids


def load(model):
    return json.loads((HF_DIR / model / "tokenizer.json").read_text("utf-8"))


def from_json(spec):
    tok = tokenizers.Tokenizer.from_str(json.dumps(spec))
    ordinary = tokenizers.Tokenizer.from_str(json.dumps(spec))
    ordinary.encode_special_tokens = True
    return tok, ordinary


def patched(base, patch):
    spec = json.loads(json.dumps(base))
    for path, value in patch.items():
        node = spec
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    return spec


def byte_level(prefix=False, regex=False):
    return {"type": "ByteLevel", "add_prefix_space": prefix, "trim_offsets": True, "use_regex": regex}


def split(pattern, behavior, invert=False, literal=False):
    return {"type": "Split", "pattern": {"String" if literal else "Regex": pattern}, "behavior": behavior, "invert": invert}


def added(id_, content, **flags):
    token = {"id": id_, "content": content, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": False}
    token.update(flags)
    return token


def variants(base):
    qwen_added = base["added_tokens"]
    seq = lambda *p: {"type": "Sequence", "pretokenizers": list(p)}  # noqa: E731
    out = {
        "gpt2-byte-level-regex": {"pre_tokenizer": byte_level(regex=True)},
        "byte-level-prefix-space": {"pre_tokenizer": byte_level(prefix=True, regex=True)},
        "prefix-space-after-split": {"pre_tokenizer": seq(split(r"\s+", "Isolated"), byte_level(prefix=True))},
        "digits-then-qwen": {"pre_tokenizer": seq(split(r"\p{N}{1,3}", "Isolated"), base["pre_tokenizer"]["pretokenizers"][0], byte_level())},
    }
    for behavior in ["Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"]:
        for invert in [False, True]:
            out[f"split-{behavior}-{'inverted' if invert else 'plain'}"] = {"pre_tokenizer": seq(split(r"\s+|[,.!?]", behavior, invert), byte_level())}
    out["split-literal"] = {"pre_tokenizer": seq(split("--", "MergedWithNext", literal=True), byte_level())}
    out["added-token-flags"] = {
        "added_tokens": qwen_added + [
            added(151700, "<tool>", lstrip=True, special=True),
            added(151701, "[END]", rstrip=True, special=True),
            added(151702, "word", single_word=True),
            added(151703, "A\u030angstr\u00f6m", normalized=True),
            added(151704, "<both>", lstrip=True, rstrip=True),
            added(151705, "<tool>x"),
        ]
    }
    out["template-bos-eos"] = {
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<|im_start|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {
                "<|im_start|>": {"id": "<|im_start|>", "ids": [151644], "tokens": ["<|im_start|>"]},
                "<|endoftext|>": {"id": "<|endoftext|>", "ids": [151643], "tokens": ["<|endoftext|>"]},
            },
        }
    }
    out["roberta-processing"] = {"post_processor": {"type": "RobertaProcessing", "sep": ["<|endoftext|>", 151643], "cls": ["<|im_start|>", 151644], "trim_offsets": True, "add_prefix_space": False}}
    out["ignore-merges"] = {"model.ignore_merges": True}
    out["no-normalizer"] = {"normalizer": None}
    out["no-decoder"] = {"decoder": None}
    return out


VARIANT_TEXTS = [
    "", " ", "hello world", "Hello, world! How are you?", "  a  b  ", "a--b--c", "x -- y", "1234567 89",
    "e\u0301te\u0301 A\u030angstr\u00f6m \u00c5ngstr\u00f6m", "use <tool> here", "use   <tool>   here", "done [END]   next",
    "a word here", "words wordy word.", "sword word", "<both>", "  <both>  x", "<tool>x <tool>", "I'm 'S \u017f",
    "line\n\n  next\r\n", "中文 日本語 😀👍🏽", "<|im_start|>user\nhi<|im_end|>", "trailing   ",
]


def main():
    rng = random.Random(20261123)
    texts = generate.EDGE_TEXTS + NFC_TEXTS + generate.adversarial() + generate.corpus_samples(rng) + generate.random_texts(rng, 120)
    rows, decodes = [], []
    for model in MODELS:
        spec = load(model)
        tok, ordinary = from_json(spec)
        for text in texts + added_texts(tok):
            for mode in ["encode", "encode+special", "ordinary"]:
                if mode != "encode" and not any(t in text for t in ["<", "\uff5c"]) and text not in texts[:12]:
                    continue
                rows.append({"model": model, "text": text, "mode": mode, "ids": mode_ids(tok, ordinary, text, mode)})
        specials = sorted(tok.get_added_tokens_decoder().keys())[:4]
        for text in ["hello world", "😀 中文", "<|im_start|>x"]:
            ids = tok.encode(text, add_special_tokens=False).ids
            for skip in [False, True]:
                for case in [ids, specials + ids, ids[:1], ids[1:] if len(ids) > 1 else ids]:
                    decodes.append({"model": model, "ids": case, "skip_special_tokens": skip, "text": tok.decode(case, skip_special_tokens=skip)})
        # a token that is part of a UTF-8 character decodes to U+FFFD
        for ids in (tok.encode("😀", add_special_tokens=False).ids[:1],):
            decodes.append({"model": model, "ids": ids, "skip_special_tokens": False, "text": tok.decode(ids)})

    base = load("qwen3")
    variant_rows = []
    for name, patch in variants(base).items():
        tok, ordinary = from_json(patched(base, patch))
        for text in VARIANT_TEXTS:
            for mode in ["encode", "encode+special", "ordinary"]:
                variant_rows.append({"variant": name, "text": text, "mode": mode, "ids": mode_ids(tok, ordinary, text, mode)})
        if name == "no-decoder":
            for text in ["hello world", "😀 x", "<|im_start|>hi"]:
                ids = tok.encode(text).ids
                variant_rows.append({"variant": name, "decode": ids, "text": tok.decode(ids, skip_special_tokens=False)})

    generate.write(HERE / "tokenize" / "hf.jsonl", rows)
    generate.write(HERE / "tokenize" / "hf_decode.jsonl", decodes)
    generate.write(HERE / "tokenize" / "hf_variants.jsonl", [{"variant": n, "base": "qwen3", "patch": p} for n, p in variants(base).items()] + variant_rows)


if __name__ == "__main__":
    print(f"tokenizers {tokenizers.__version__}, files from {HF_DIR}")
    main()
    if generate.STALE:
        sys.exit("conformance vectors differ from the oracle's output: " + ", ".join(generate.STALE) + " (rerun without --check)")
