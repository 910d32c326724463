#!/usr/bin/env python3
"""Pack OpenAI's official `.tiktoken` rank files into tokfare's compact embedded form.

    python3 tools/pack_vocab.py [--check] [--claude CLAUDE_JSON] [SOURCE_DIR]
        (SOURCE_DIR defaults to $ORACLE_DIR/tiktoken, see shared/tools/oracle-setup.sh;
         --check compares with crates/tokenizer/data instead of writing: CI runs it;
         --claude also packs Anthropic's legacy vocabulary, `claude.json` from the npm
         package @anthropic-ai/tokenizer 0.0.4, into claude.tfv)

Every source file is checked against the sha256 that tiktoken itself pins
(`tiktoken_ext/openai_public.py`), or for claude.json the sha256 of the file in the
npm tarball, before anything is written, so the embedded vocabularies are
byte-for-byte the official ones.

Output: crates/tokenizer/data/<name>.tfv, format "TFV1" (all integers little-endian):
    b"TFV1"  u32 token_count  u32 rank_limit (largest rank + 1)
    token_count times: varint rank_gap, u8 byte_len, byte_len bytes
        (byte_len 0 never describes a token: it is followed by a u16 length, for the
         tokens of 256 bytes or more that only the claude vocabulary has)
Tokens are stored in ascending rank order; `rank_gap` is the number of ranks skipped
since the previous token (0 almost always: p50k_base has one hole, at 50256).
This is about 40% of the size of the base64 text form and decodes in a few ms.
"""
import base64
import hashlib
import json
import os
import pathlib
import sys

OFFICIAL = {
    "r50k_base": "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
    "p50k_base": "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}
GPT2_VOCAB_BPE = "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5"
GPT2_ENCODER_JSON = "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783"
# claude.json of @anthropic-ai/tokenizer 0.0.4 (npm), Anthropic's legacy (pre-Claude 3)
# tokenizer: js-tiktoken's compressed ranks, the GPT-2 pattern, 5 specials (ids 0-4) and
# 64,995 tokens (ids 5-64999), 65,000 ids in all (its `explicit_n_vocab` says 64739, which
# the ids contradict: tokfare's n_vocab is 65000, tiktoken's without explicit_n_vocab).
CLAUDE_JSON = "58dad83d85e9cd57be209172449ebfbc395df2b455c11fe8b7e5b661e6f462ad"
CLAUDE_SPECIALS = {"<EOT>": 0, "<META>": 1, "<META_START>": 2, "<META_END>": 3, "<SOS>": 4}


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_tiktoken(path):
    ranks = {}
    for line in path.read_bytes().splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pack(ranks):
    items = sorted(ranks.items(), key=lambda kv: kv[1])
    out = bytearray(b"TFV1")
    out += len(items).to_bytes(4, "little")
    out += (items[-1][1] + 1).to_bytes(4, "little")
    expected = 0
    for token, rank in items:
        assert rank >= expected, "ranks must be unique"
        assert 0 < len(token) < 65536
        out += varint(rank - expected)
        if len(token) < 256:
            out.append(len(token))
        else:
            out.append(0)
            out += len(token).to_bytes(2, "little")
        out += token
        expected = rank + 1
    return bytes(out)


def gpt2_ranks(src):
    """tiktoken's data_gym_to_mergeable_bpe_ranks, reimplemented to prove gpt2 == r50k_base."""
    rank_to_intbyte = [b for b in range(256) if chr(b).isprintable() and chr(b) != " "]
    data_gym_byte_to_byte = {chr(b): b for b in rank_to_intbyte}
    n = 0
    for b in range(256):
        if b not in rank_to_intbyte:
            rank_to_intbyte.append(b)
            data_gym_byte_to_byte[chr(256 + n)] = b
            n += 1
    merges = [tuple(l.split()) for l in (src / "vocab.bpe").read_text("utf-8").split("\n")[1:-1]]
    decode = lambda s: bytes(data_gym_byte_to_byte[c] for c in s)
    ranks = {bytes([b]): i for i, b in enumerate(rank_to_intbyte)}
    for first, second in merges:
        ranks[decode(first) + decode(second)] = len(ranks)
    encoder = json.loads((src / "encoder.json").read_text("utf-8"))
    encoder = {decode(k): v for k, v in encoder.items()}
    encoder.pop(b"<|endoftext|>", None)
    encoder.pop(b"<|startoftext|>", None)
    assert encoder == ranks
    return ranks


def claude_ranks(path):
    """js-tiktoken's compressed `bpe_ranks`: lines of `! <first rank> <base64 token>...`."""
    if sha256(path) != CLAUDE_JSON:
        sys.exit(f"{path}: sha256 {sha256(path)} is not claude.json of @anthropic-ai/tokenizer 0.0.4")
    spec = json.loads(path.read_text("utf-8"))
    assert spec["special_tokens"] == CLAUDE_SPECIALS and spec["explicit_n_vocab"] == 64739
    assert spec["pat_str"] == r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
    ranks = {}
    for line in spec["bpe_ranks"].split("\n"):
        if line:
            _, first, *tokens = line.split(" ")
            for i, token in enumerate(tokens):
                ranks[base64.b64decode(token)] = int(first) + i
    assert len(set(ranks.values())) == len(ranks), "duplicate ranks"
    assert set(range(65000)) == set(ranks.values()) | set(CLAUDE_SPECIALS.values())
    return ranks


def main():
    default = pathlib.Path(os.environ.get("ORACLE_DIR", pathlib.Path.home() / ".cache/tokfare-oracle")) / "tiktoken"
    args = [a for a in sys.argv[1:] if a != "--check"]
    check = "--check" in sys.argv[1:]
    claude = None
    if "--claude" in args:
        i = args.index("--claude")
        claude = pathlib.Path(args[i + 1])
        del args[i : i + 2]
    src = pathlib.Path(args[0]) if args else default
    out_dir = pathlib.Path(__file__).resolve().parent.parent / "crates" / "tokenizer" / "data"
    out_dir.mkdir(parents=True, exist_ok=True)
    packed = {}
    for name, digest in OFFICIAL.items():
        path = src / f"{name}.tiktoken"
        actual = sha256(path)
        if actual != digest:
            sys.exit(f"{path}: sha256 {actual} is not the official {digest}")
        packed[name] = load_tiktoken(path)
    # gpt2 is served from r50k_base's table: prove they are the same ranks.
    if sha256(src / "vocab.bpe") == GPT2_VOCAB_BPE and sha256(src / "encoder.json") == GPT2_ENCODER_JSON:
        assert gpt2_ranks(src) == packed["r50k_base"], "gpt2 ranks differ from r50k_base"
        print("gpt2 (vocab.bpe + encoder.json) == r50k_base: verified")
    else:
        sys.exit("gpt2 vocab.bpe/encoder.json missing or not the official files")
    if claude:
        packed["claude"] = claude_ranks(claude)
    # p50k_base extends r50k_base; both are stored whole (simplicity over 400 KB).
    stale = []
    for name, ranks in packed.items():
        data = pack(ranks)
        target = out_dir / f"{name}.tfv"
        if check:
            same = target.exists() and target.read_bytes() == data
            stale += [] if same else [name]
            print(f"{name}: {'matches' if same else 'DIFFERS from'} crates/tokenizer/data/{name}.tfv")
        else:
            target.write_bytes(data)
            print(f"{name}: {len(ranks)} tokens -> {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    if stale:
        sys.exit("embedded vocabularies differ from the official files: " + ", ".join(stale))


if __name__ == "__main__":
    main()
