#!/usr/bin/env python3
"""tokfare's Polars plugin (tokfare-polars) against the same namespace's map_batches
fallback over tokfare.arrow, in one run (issue #27: the plugin ≥ 1.3× map_batches).

Rows: the shared corpus's non-empty lines (chat-message sized), --rows of them, each
once. Every figure is one query in a new process, so the tokenizer there (the plugin's,
or the fallback's) has seen none of the rows: each document is seen once per figure.
The processes run plugin, fallback, to_list, plugin ... for --rounds rounds; the best
of the rounds is reported. Queries (o200k_base):

- select: ``df.select(count.sum())``, in-memory engine;
- streaming: the same query on a LazyFrame with ``collect(engine="streaming")``;
- group_by: ``group_by(k).agg(count.sum())`` over 1,000 groups;
- encode: ``df.select(encode.list.len().sum())`` (ids built and handed to Polars).

The fallback is what ``tokfare.polars`` does without the plugin: ``map_batches``
(``is_elementwise=True``) calling ``tokfare.arrow.count`` / ``encode`` on the Series.
"to_list" is the ``map_batches`` one writes without ``tokfare.arrow``:
``s.to_list()`` then ``Encoding.count_batch`` / ``encode_ordinary_batch`` into a new
Series (what the prototype in issue #27 measured as "map_batches").

    python benches/python/polars_plugin.py --rows 200000 --rounds 2

Needs: tokfare and tokfare-polars wheels (scripts/dist.sh python polars), polars 2.1.
"""
import argparse
import json
import pathlib
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))

QUERIES = ["select", "streaming", "group_by", "encode"]
PATHS = ["plugin", "fallback", "to_list"]


def rows(n):
    from compare import documents

    lines = [line for d in documents() for line in d.splitlines() if line.strip()]
    if n > len(lines):
        raise SystemExit(f"--rows {n}: the corpus has {len(lines)} non-empty lines (each row is seen once)")
    return lines[:n]


def child(query, path, n, encoding):
    import polars as pl

    import tokfare.polars

    if path in ("fallback", "to_list"):
        tokfare.polars._plugin = None
    elif not tokfare.polars.PLUGIN:
        raise SystemExit("tokfare-polars is not installed")
    texts = rows(n)
    df = pl.DataFrame({"k": [i % 1000 for i in range(n)], "text": texts})
    # Load the tokenizer on a string that is not a row (load time is not the question).
    pl.DataFrame({"text": ["warm-up"]}).select(pl.col("text").tokfare.count_tokens(encoding=encoding))
    count = pl.col("text").tokfare.count_tokens(encoding=encoding)
    encode = pl.col("text").tokfare.encode(encoding=encoding)
    if path == "to_list":
        enc = tokfare.get_encoding(encoding)
        count = pl.col("text").map_batches(lambda s: pl.Series(enc.count_batch(s.to_list()), dtype=pl.Int64), return_dtype=pl.Int64, is_elementwise=True)
        ids = pl.List(pl.UInt32)
        encode = pl.col("text").map_batches(lambda s: pl.Series(enc.encode_ordinary_batch(s.to_list()), dtype=ids), return_dtype=ids, is_elementwise=True)
    run = {
        "select": lambda: df.select(count.sum()).item(),
        "streaming": lambda: df.lazy().select(count.sum()).collect(engine="streaming").item(),
        "group_by": lambda: df.group_by("k").agg(count.sum())["text"].sum(),
        "encode": lambda: df.select(encode.list.len().sum()).item(),
    }[query]
    t = time.perf_counter()
    total = run()
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "total": int(total)}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--encoding", default="o200k_base")
    ap.add_argument("--child", nargs=2, metavar=("QUERY", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(*args.child, args.rows, args.encoding)
    import polars as pl

    import tokfare
    import tokfare_polars

    texts = rows(args.rows)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    best = {}
    for _ in range(args.rounds):
        for query in QUERIES:
            for path in PATHS:
                cmd = [sys.executable, __file__, "--rows", str(args.rows), "--encoding", args.encoding, "--child", query, path]
                out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
                seconds, total = best.get((query, path), (float("inf"), out["total"]))
                assert total == out["total"], (query, path, total, out["total"])
                best[(query, path)] = (min(seconds, out["seconds"]), total)
        for query in QUERIES:
            assert len({best[(query, path)][1] for path in PATHS}) == 1, query
    print(
        f"tokfare {tokfare.__version__}, tokfare-polars {tokfare_polars.__version__}, polars {pl.__version__}, "
        f"{args.encoding}; {args.rows:,} rows, {mb:.1f} MB; best of {args.rounds} rounds, each a new process\n"
    )
    print("| query | plugin | map_batches: tokfare.arrow (fallback) | map_batches: to_list | plugin vs fallback | plugin vs to_list |")
    print("|---|---|---|---|---|---|")
    for query in QUERIES:
        p, f, t = (best[(query, path)][0] for path in PATHS)
        print(f"| {query} | {p:.3f} s | {f:.3f} s | {t:.3f} s | {f / p:.2f}× | {t / p:.2f}× |")


if __name__ == "__main__":
    main()
