#!/usr/bin/env python3
"""Side-by-side Python tokenizer benchmark: tokfare vs tiktoken, bpe-openai, fastokens
and HF tokenizers, in one process, on ../shared/corpus cut into 8 KiB documents (at
line ends). Each round builds fresh tokenizer objects and tokenizes every document once
with each, in turn (so no result cache is warm: tokfare's is keyed by the vocabulary,
and each round builds a new one), after one short warm-up call on text outside the
corpus; the best of --rounds is reported. Ids are checked equal to tiktoken's before timing.

    TIKTOKEN_CACHE_DIR=~/.cache/tokfare-oracle/tiktoken-cache \\
      python benches/python/compare.py --rounds 5

Needs: tokfare (pip install ./bindings-python), tiktoken==0.14.0, bpe-openai,
fastokens, tokenizers, and the oracle directory (rank files and tokenizer.json).
"""
import argparse
import os
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("TOKFARE_SHARED", ROOT.parent / "shared"))
ORACLE = pathlib.Path(os.environ.get("TOKFARE_ORACLE_DIR", pathlib.Path.home() / ".cache" / "tokfare-oracle"))
os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(ORACLE / "tiktoken-cache"))

WARM_UP = "Grüße, 世界! Привет."
MESSAGE = "Hello, how are you doing today? I would like to ask about my order #1234."  # 74 bytes


def documents():
    docs = []
    for path in sorted((SHARED / "corpus").iterdir()):
        text = path.read_text(encoding="utf-8")
        start = 0
        while start < len(text):
            end = min(start + 8192, len(text))
            cut = text.rfind("\n", start, end)
            if end < len(text) and cut > start:
                end = cut + 1
            docs.append(text[start:end])
            start = end
    return docs


def peers(name):
    """(label, encode_ordinary) pairs for one encoding; peers that are missing are skipped."""
    import tiktoken
    import tokfare

    ref = tiktoken.get_encoding(name)
    # A new tokfare Encoding (not the shared `get_encoding` one): its merge cache entries
    # are keyed by the vocabulary, so a new one starts cold, like the other peers' caches.
    ours = tokfare.Encoding(name, pat_str=ref._pat_str, mergeable_ranks=ref._mergeable_ranks, special_tokens=ref._special_tokens)
    assert ours.encode_ordinary("hello world") == tokfare.get_encoding(name).encode_ordinary("hello world")
    out = [("tokfare", ours.encode_ordinary), ("tiktoken 0.14", ref.encode_ordinary)]
    try:
        import bpe_openai

        out.append((f"bpe-openai {bpe_openai.__version__}", bpe_openai.get_encoding(name).encode_ordinary))
    except Exception as e:  # noqa: BLE001 - a peer that cannot load is reported, not fatal
        print(f"bpe-openai unavailable: {e}", file=sys.stderr)
    try:
        import fastokens

        fast = fastokens.Tokenizer.from_tiktoken(
            str(ORACLE / "tiktoken" / f"{name}.tiktoken"), ref._pat_str, ref._special_tokens
        )
        out.append(("fastokens 0.3.5", lambda t, f=fast: f.encode_ordinary(t).ids))
    except Exception as e:  # noqa: BLE001
        print(f"fastokens unavailable: {e}", file=sys.stderr)
    if name == "o200k_base":
        try:
            from tokenizers import Tokenizer

            hf = Tokenizer.from_file(str(ORACLE / "hf" / "gpt4o" / "tokenizer.json"))
            out.append(("HF tokenizers 0.23", lambda t, h=hf: h.encode(t, add_special_tokens=False).ids))
        except Exception as e:  # noqa: BLE001
            print(f"HF tokenizers unavailable: {e}", file=sys.stderr)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--encodings", default="cl100k_base,o200k_base")
    args = ap.parse_args()
    import tiktoken
    import tokfare

    docs = documents()
    total = sum(len(d.encode("utf-8")) for d in docs)
    print(f"corpus: {len(docs)} documents, {total / 1e6:.1f} MB; python {sys.version.split()[0]}\n")
    for name in args.encodings.split(","):
        contenders = peers(name)
        expected = [tiktoken.get_encoding(name).encode_ordinary(d) for d in docs]
        for label, encode in contenders:
            mismatches = sum(encode(d) != e for d, e in zip(docs, expected))
            if mismatches:
                print(f"{label}: {mismatches} documents differ from tiktoken", file=sys.stderr)
        best = {label: float("inf") for label, _ in contenders}
        for _ in range(args.rounds):
            # Fresh tokenizer objects each round: every document is tokenized once per
            # tokenizer, so no peer's result cache is ever warm.
            for label, encode in peers(name):
                # One short call first, on text that is not in the corpus, as a server's
                # first request would: tables a tokenizer builds on first use (tokfare's
                # whole-character table and its Python ints; tiktoken builds all of its
                # tables in the constructor) are then not timed as tokenizing.
                encode(WARM_UP)
                t = time.perf_counter()
                for d in docs:
                    encode(d)
                best[label] = min(best[label], time.perf_counter() - t)
        ours = tokfare.get_encoding(name)
        single = best["tokfare"]
        # A new Encoding per run here too, so the batch starts as cold as the single runs.
        # Its single-thread reference keeps every document's list, as the batch returns
        # them (the loop above drops each list at once, which saves allocating ~30 MB).
        fresh = [peers(name)[0][1].__self__ for _ in range(2 * args.rounds)]
        for e in fresh:
            e.encode_ordinary(WARM_UP)
        kept = min(_timed(lambda e=e: [e.encode_ordinary(d) for d in docs]) for e in fresh[::2])
        batch = min(_timed(lambda e=e: e.encode_ordinary_batch(docs, num_threads=2)) for e in fresh[1::2])
        ref = tiktoken.get_encoding(name)
        ref_batch = min(_timed(lambda: ref.encode_ordinary_batch(docs, num_threads=2)) for _ in range(args.rounds))
        print(f"### {name}: encode_ordinary, single thread (best of {args.rounds})\n")
        print("| tokenizer | MB/s | tokfare is |")
        print("|---|---|---|")
        for label, _ in contenders:
            print(f"| {label} | {total / best[label] / 1e6:.1f} | {best[label] / single:.2f}× |")
        print(f"\nbatch, 2 threads: tokfare {total / batch / 1e6:.1f} MB/s ({kept / batch:.2f}× single keeping its "
              f"lists, {total / kept / 1e6:.1f} MB/s); "
              f"tiktoken {total / ref_batch / 1e6:.1f} MB/s")
        for label, encode in contenders[:3]:
            print(f"{len(MESSAGE.encode())}-byte message, {label}: {_per_call(encode, MESSAGE):.2f} µs")
        print(f"{len(MESSAGE.encode())}-byte message, tokfare count: {_per_call(ours.count, MESSAGE):.2f} µs\n")


def _timed(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def _per_call(f, arg, n=200_000):
    samples = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(n // 5):
            f(arg)
        samples.append((time.perf_counter() - t) / (n // 5) * 1e6)
    return statistics.median(samples)


if __name__ == "__main__":
    main()
