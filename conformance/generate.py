#!/usr/bin/env python3
"""Generate tokfare's conformance vectors from the official tiktoken (the oracle).

    source ~/.cache/tokfare-oracle/env.sh      # after shared/tools/oracle-setup.sh
    $ORACLE_DIR/venv/bin/python conformance/generate.py            # rewrite the vectors
    $ORACLE_DIR/venv/bin/python conformance/generate.py --check    # fail if they differ

Writes, deterministically (same tiktoken version -> same bytes):
  tokenize/ordinary.jsonl  {"encoding", "text", "ids"}                     encode_ordinary
  tokenize/special.jsonl   {"encoding", "text", "allowed_special", "disallowed_special",
                            "ids" | "error"}                                encode with specials
  tokenize/custom.jsonl    {"pattern", "text", "ids"}: cl100k_base's ranks with another pattern and
                           the specials <|x|>=100300, <|y|>=100301, encoded with allowed_special="all"
  models.jsonl             {"model", "encoding" | "error"}                 encoding_name_for_model
  errors.jsonl             {"encoding", "decode", "error"} and/or {"encoding", "decode", "bytes_hex"}
Every binding runs these files; see README.md for the schema.

The `claude` encoding's oracle is tiktoken's `Encoding` built from `claude.json` of the
npm package @anthropic-ai/tokenizer 0.0.4 (its ranks, pattern and specials, as that
package's js-tiktoken does): set TOKFARE_CLAUDE_JSON to the file (scripts/test.sh
fetches it with `npm pack`).
"""
import base64
import json
import os
import pathlib
import random
import sys

import tiktoken

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"
ENCODINGS = ["gpt2", "r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base", "o200k_harmony", "claude"]


def claude_encoding(path=None):
    """Anthropic's legacy tokenizer as a tiktoken Encoding, from the npm package's claude.json."""
    path = pathlib.Path(path or os.environ["TOKFARE_CLAUDE_JSON"])
    spec = json.loads(path.read_text("utf-8"))
    ranks = {}
    for line in spec["bpe_ranks"].split("\n"):
        if line:
            _, first, *tokens = line.split(" ")
            for i, token in enumerate(tokens):
                ranks[base64.b64decode(token)] = int(first) + i
    # No explicit_n_vocab: the file's (64739) contradicts its own ids (0-64999).
    return tiktoken.Encoding("claude", pat_str=spec["pat_str"], mergeable_ranks=ranks,
                             special_tokens=spec["special_tokens"])


_ORACLES = {}


def oracle(name):
    """The reference for `name`: tiktoken's encoding, or claude_encoding()."""
    if name not in _ORACLES:
        _ORACLES[name] = claude_encoding() if name == "claude" else tiktoken.get_encoding(name)
    return _ORACLES[name]

EDGE_TEXTS = [
    "", " ", "  ", "   ", "\t", "\n", "\r\n", "\r\n\r\n", " \n", "\n ", " \n \n ", "\n\n\n\n",
    "hello", "hello world", "hello  world", "hello   world   ", "trailing space ", "trailing spaces   ",
    "tabs\tand\t\tmore\t", "line one\nline two\r\nline three\r\n", "  leading", "\u00a0non-breaking\u00a0space",
    "ideographic\u3000space", "line\u2028separator\u2029paragraph", "next\u0085line",
    # digits of every length, with separators
    *["".join(str((i * 7 + k) % 10) for k in range(n)) for i, n in enumerate(range(1, 17))],
    "3.14159 2,718 1e10 -42 +7 0x1F 1_000_000 10%", "Ⅻ ½ ² ٣٤٥ ०१२ 𝟘𝟙𝟚",
    # contractions in all cases
    "I'm you're he's she'd we've they'll it's don't can't won't",
    "I'M YOU'RE HE'S SHE'D WE'VE THEY'LL IT'S DON'T", "I'm You'Re He'S She'D We'vE They'Ll",
    "'s 't 're 've 'm 'll 'd 'S 'T 'RE 'VE 'M 'LL 'D 'x ''", "rock'n'roll o'clock y'all", "'\u017f \u017f'\u017f",
    # emoji, ZWJ sequences, skin tones, flags, variation selectors
    "😀", "😀😀😀", "👍🏽 👍🏿", "👩\u200d💻 👨\u200d👩\u200d👧\u200d👦", "🇫🇷🇯🇵", "❤\ufe0f ☺\ufe0e", "🏳\ufe0f\u200d🌈",
    # combining marks
    "e\u0301 e\u0301\u0301 A\u030a \u0301alone", "Z\u0351\u0352\u0353a\u0354l\u0355g\u0356o", "क्षत्रिय", "ﬁ ﬀ",
    # CJK, RTL, other scripts
    "中文分词测试，标点！", "日本語のテキストです。カタカナ", "한국어 텍스트", "مرحبا بالعالم", "שלום עולם",
    "Привет, мир! ЁЖИК", "Ελληνικά κείμενα", "ǅungla ǈ ʰa ꜱmall", "Straße STRASSE ẞ", "ÀÉÎÕÜ àéîõü",
    # control characters
    "\x00\x01\x02 \x07\x08 \x1b[31mred\x1b[0m \x7f", "\x1c\x1d\x1e\x1f", "a\x0bb\x0cc",
    # code
    "def f(x):\n    return x ** 2  # square\n", "if (a != b && c <= d) { x->y = z[0]; }", "<div class=\"a\">/path/to//file</div>",
    "http://example.com/a/b?c=d&e=f#g", "/*/*/*/", "\t\t\tindented\n\t\t\t\n",
    # text that looks like special tokens
    "<|endoftext|", "|endoftext|>", "< |endoftext|>", "<|endoftext|>>", "<<|endoftext|>", "<|ENDOFTEXT|>",
    "<|endof text|>", "<|fim_prefix|", "<|reserved_200013|", "<|im_start|>", "<|start|>user<|message|>",
]


def special_strings():
    seen = []
    for name in ENCODINGS:
        for s in sorted(oracle(name).special_tokens_set):
            if s not in seen and (not s.startswith("<|reserved_") or s.endswith(("00|>", "13|>", "87|>"))):
                seen.append(s)
    return seen


def corpus_samples(rng):
    samples = []
    for path in sorted(CORPUS.glob("*.txt")):
        lines = path.read_text("utf-8").splitlines(keepends=True)
        for _ in range(12):
            start = rng.randrange(len(lines))
            samples.append("".join(lines[start:start + rng.randint(1, 6)]))
    return samples


ALPHABET = list("aAzZsStTlLvVrReE0179 \t\n\r'\".,!/-_()<|>") + [
    "\u0301", "\u00a0", "\u3000", "\u2028", "\u0085", "\u017f", "\u212a", "\u01c5", "\u02b0", "é", "É", "Ж",
    "ж", "中", "の", "한", "ا", "٣", "²", "😀", "👍", "🏽", "\u200d", "\ufe0f", "€", "\x00", "\x1c",
]


def random_texts(rng, n):
    out = []
    for _ in range(n):
        out.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 40))))
    return out


def adversarial():
    return ["a" * 1000, "😀" * 300, " " * 500 + "x", "\n" * 300, "1" * 200, "ab" * 400, "🏽" * 200,
            "x" + "\u0301" * 300, "ſ" * 100, "<|endoftext|>" * 20]


def main():
    rng = random.Random(20261123)
    texts = EDGE_TEXTS + special_strings() + adversarial() + corpus_samples(rng) + random_texts(rng, 300)
    ordinary = []
    for name in ENCODINGS:
        enc = oracle(name)
        for text in texts:
            ordinary.append({"encoding": name, "text": text, "ids": enc.encode_ordinary(text)})

    special = []
    for name in ENCODINGS:
        enc = oracle(name)
        specials = sorted(enc.special_tokens_set)
        some = [s for s in specials if not s.startswith("<|reserved")][:3]
        texts = [
            "hello <|endoftext|> world",
            "<|endoftext|><|endoftext|>",
            "a<|endoftext|>b<|fim_prefix|>c<|endofprompt|>d",
            "no specials here",
            "almost <|endoftext| special",
            "<|start|>user<|message|>Hi<|end|><|start|>assistant<|channel|>final<|message|>Hello<|return|>",
            "trailing space before special   <|endoftext|>",
            "<|endoftext|>   leading space after special",
            "<EOT>Human: hi<META> <META_START>x<META_END> <SOS>",
        ]
        options = [
            ([], "all"), ("all", []), ("all", "all"), ([], []), (some, "all"), (some, []), ([], ["<|endoftext|>"]),
            ([], ["hello"]),
        ]
        for text in texts:
            for allowed, disallowed in options:
                case = {"encoding": name, "text": text, "allowed_special": allowed, "disallowed_special": disallowed}
                try:
                    case["ids"] = enc.encode(
                        text,
                        allowed_special=allowed if allowed == "all" else set(allowed),
                        disallowed_special=disallowed if disallowed == "all" else set(disallowed),
                    )
                except ValueError:
                    case["error"] = "disallowed_special_token"
                special.append(case)

    errors = []
    for name in ENCODINGS:
        enc = oracle(name)
        for ids in ([enc.max_token_value + 1], [0, enc.n_vocab + 5], [2**31]):
            try:
                enc.decode_bytes(ids)
                raise SystemExit(f"{name}: expected {ids} to be unknown")
            except (KeyError, ValueError, OverflowError, BaseException) as e:
                if isinstance(e, SystemExit):
                    raise
            errors.append({"encoding": name, "decode": ids, "error": "unknown_token_id"})
        for text, rank in sorted(enc._special_tokens.items(), key=lambda kv: kv[1]):
            errors.append({"encoding": name, "decode": [rank], "bytes_hex": enc.decode_single_token_bytes(rank).hex()})
        # a token that is only part of a UTF-8 character: bytes are fine, text is not
        partial = next(i for i in range(enc.max_token_value) if _is_partial(enc, i))
        errors.append({"encoding": name, "decode": [partial], "bytes_hex": enc.decode_single_token_bytes(partial).hex(),
                       "error": "invalid_utf8"})

    # model name -> encoding, from tiktoken's own tables
    from tiktoken.model import MODEL_PREFIX_TO_ENCODING, MODEL_TO_ENCODING
    models = [{"model": m, "encoding": tiktoken.encoding_name_for_model(m)} for m in MODEL_TO_ENCODING]
    for prefix in MODEL_PREFIX_TO_ENCODING:
        for suffix in ["", "2025-01-01", "mini", ":custom:org:id"]:
            models.append({"model": prefix + suffix, "encoding": tiktoken.encoding_name_for_model(prefix + suffix)})
    for unknown in ["", "gpt", "claude-3-opus", "GPT-4O", " gpt-4o", "o2", "llama-3"]:
        try:
            tiktoken.encoding_name_for_model(unknown)
            raise SystemExit(f"{unknown!r} unexpectedly maps")
        except KeyError:
            models.append({"model": unknown, "error": "unknown_model"})

    # custom encodings (the general regex path): cl100k's ranks with other patterns
    base = tiktoken.get_encoding("cl100k_base")
    custom = []
    for pattern in [r"""\S+|\s+""", r"""[\p{L}]+|[^\p{L}]+""", r"""\p{N}{1,2}|[^\p{N}]+""", r"""(?i:ab|cd)|\w+|\W"""]:
        enc = tiktoken.Encoding("custom", pat_str=pattern, mergeable_ranks=base._mergeable_ranks,
                                special_tokens={"<|x|>": 100300, "<|y|>": 100301})
        for text in EDGE_TEXTS[:60] + ["abcd ABCD <|x|> <|y|>", "12345 ab12cd"]:
            custom.append({"pattern": pattern, "text": text, "ids": enc.encode(text, allowed_special="all")})

    write(HERE / "models.jsonl", models)
    write(HERE / "tokenize" / "custom.jsonl", custom)
    write(HERE / "tokenize" / "ordinary.jsonl", ordinary)
    write(HERE / "tokenize" / "special.jsonl", special)
    write(HERE / "errors.jsonl", errors)


def _is_partial(enc, i):
    try:
        b = enc.decode_single_token_bytes(i)
    except KeyError:
        return False
    try:
        b.decode("utf-8")
        return False
    except UnicodeDecodeError:
        return True


CHECK = "--check" in sys.argv
STALE = []


def write(path, rows):
    data = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    name = path.relative_to(HERE.parent)
    if CHECK:
        if not path.exists() or path.read_text("utf-8") != data:
            STALE.append(str(name))
        print(f"{name}: {len(rows)} cases {'DIFFER' if str(name) in STALE else 'up to date'}")
        return
    path.write_text(data, encoding="utf-8", newline="\n") if sys.version_info >= (3, 10) else path.write_text(data, "utf-8")
    print(f"{name}: {len(rows)} cases")


if __name__ == "__main__":
    main()
    if STALE:
        sys.exit("conformance vectors differ from the oracle's output: " + ", ".join(STALE) + " (rerun without --check)")
