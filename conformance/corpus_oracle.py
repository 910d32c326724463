#!/usr/bin/env python3
"""Expected ids for the whole shared corpus, from the official tiktoken and from
Hugging Face tokenizers.

    $ORACLE_DIR/venv/bin/python conformance/corpus_oracle.py OUT_DIR [HF_DIR]

With HF_DIR (the oracle's hf/ folder, one <model>/tokenizer.json per model), the
same documents are also encoded by `tokenizers` (`encode(text,
add_special_tokens=False)`) into OUT_DIR/hf-<model>/<file>.bin for
crates/tokenizer/tests/hf_corpus.rs.

The corpus is ~14 MB, so its ids (~7 MB of u32 per encoding) are regenerated here
instead of being stored. For every corpus file and encoding (cl100k_base, o200k_base, and
claude from TOKFARE_CLAUDE_JSON, see generate.py)
it writes OUT_DIR/<encoding>/<file>.bin: the file cut into documents of at most
8 KiB at line ends (a line longer than that is a document of its own), then the whole
file as one last document. Format, little-endian u32s:
    per document: byte_start, byte_len, n_ids, ids...
The Rust corpus test (crates/tokenizer/tests/corpus.rs) reads these and compares.
"""
import pathlib
import struct
import sys

import tiktoken

from generate import claude_encoding

CORPUS = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
DOC_BYTES = 8192


def documents(data: bytes):
    """(start, end) of ~8 KiB documents cut at line ends."""
    docs, start, pos = [], 0, 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        end = len(data) if nl < 0 else nl + 1
        if end - start > DOC_BYTES and pos > start:
            docs.append((start, pos))
            start = pos
        pos = end
    if start < len(data):
        docs.append((start, len(data)))
    return docs


def main():
    out = pathlib.Path(sys.argv[1])
    for name in ["cl100k_base", "o200k_base", "claude"]:
        enc = claude_encoding() if name == "claude" else tiktoken.get_encoding(name)
        (out / name).mkdir(parents=True, exist_ok=True)
        for path in sorted(CORPUS.glob("*.txt")):
            data = path.read_bytes()
            parts = documents(data) + [(0, len(data))]
            texts = [data[s:e].decode("utf-8") for s, e in parts]
            ids = enc.encode_ordinary_batch(texts, num_threads=2)
            with open(out / name / (path.stem + ".bin"), "wb") as f:
                for (s, e), doc in zip(parts, ids):
                    f.write(struct.pack(f"<III{len(doc)}I", s, e - s, len(doc), *doc))
            print(f"{name} {path.name}: {len(parts) - 1} documents, {len(ids[-1])} ids whole")
    if len(sys.argv) > 2:
        hf_oracle(out, pathlib.Path(sys.argv[2]))


HF_MODELS = ["llama3", "qwen3", "gpt4o", "deepseek_v3"]


def hf_oracle(out, hf_dir):
    import tokenizers

    for model in HF_MODELS:
        tok = tokenizers.Tokenizer.from_file(str(hf_dir / model / "tokenizer.json"))
        (out / f"hf-{model}").mkdir(parents=True, exist_ok=True)
        for path in sorted(CORPUS.glob("*.txt")):
            data = path.read_bytes()
            parts = documents(data) + [(0, len(data))]
            texts = [data[s:e].decode("utf-8") for s, e in parts]
            ids = [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]
            with open(out / f"hf-{model}" / (path.stem + ".bin"), "wb") as f:
                for (s, e), doc in zip(parts, ids):
                    f.write(struct.pack(f"<III{len(doc)}I", s, e - s, len(doc), *doc))
            print(f"hf {model} {path.name} (tokenizers {tokenizers.__version__}): {len(parts) - 1} documents, {len(ids[-1])} ids whole")


if __name__ == "__main__":
    main()
