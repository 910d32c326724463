#!/usr/bin/env python3
"""tokfare.arrow against the list-of-str batch calls, in one process: counting and
encoding a string column that lives in Arrow (pyarrow or Polars), as a data engine
holds it.

Contenders per column, each run on a new Encoding (the merge cache is keyed by the
vocabulary object, so every run starts cold and sees each document once):

- ``list`` — what one does without tokfare.arrow: ``column.to_pylist()`` (or
  ``Series.to_list()``) then ``Encoding.count_batch`` / ``encode_ordinary_batch``;
- ``list, ready`` — the same batch call on a list of str built beforehand (not timed):
  the floor of the list path;
- ``arrow`` — ``tokfare.arrow.count`` / ``encode`` on the column itself (ids come back
  as one ``list<uint32>`` array, not Python lists).

Columns: the shared corpus as 8 KiB documents, and the same text as its lines (most
under 200 bytes: chat messages and log rows, where per-row costs show). Runs are
interleaved (list, ready, arrow, list, ...); the best of --rounds is reported, ratios
from the same run.

    python benches/python/arrow.py --rounds 5 --threads 1,2

Needs: tokfare (the wheel), pyarrow, polars.
"""
import argparse
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("TOKFARE_SHARED", ROOT.parent / "shared"))
sys.path.insert(0, str(pathlib.Path(__file__).parent))
from compare import documents  # noqa: E402


def fresh(name):
    """A new Encoding equal to the built-in one (a cold merge cache)."""
    import tokfare

    base = tokfare.get_encoding(name)
    enc = tokfare.Encoding(name, pat_str=base._pat_str, mergeable_ranks=base._mergeable_ranks, special_tokens=base._special_tokens)
    enc.count("Grüße, 世界! Привет.")  # tables built on first use, as a server's first request would
    return enc


def timed(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--encoding", default="o200k_base")
    args = ap.parse_args()
    import polars as pl
    import pyarrow as pa

    import tokfare
    import tokfare.arrow

    docs = documents()
    lines = [line for d in docs for line in d.splitlines() if line.strip()]
    shapes = {"8 KiB documents": docs, "lines": lines}
    name = args.encoding
    print(f"tokfare {tokfare.__version__}, pyarrow {pa.__version__}, polars {pl.__version__}, python {sys.version.split()[0]}; {name}\n")
    print("| column | rows | MB | threads | op | list (to_pylist + batch) | list, ready | arrow | arrow vs list | arrow vs ready |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for shape, rows in shapes.items():
        mb = sum(len(r.encode()) for r in rows) / 1e6
        columns = {"pyarrow": pa.array(rows, type=pa.large_string()), "polars": pl.Series("text", rows)}
        for threads in [int(t) for t in args.threads.split(",")]:
            for op in ["count", "encode"]:
                for lib, column in columns.items():
                    to_list = column.to_pylist if lib == "pyarrow" else column.to_list
                    ready = to_list()
                    if op == "count":
                        expected = fresh(name).count_batch(ready, num_threads=threads)
                        got = tokfare.arrow.count(column, encoding=fresh(name), num_threads=threads)
                        assert list(got.to_list() if lib == "polars" else got.to_pylist()) == expected
                    runs = {
                        "list": lambda e, op=op, to_list=to_list: getattr(e, op + "_batch" if op == "count" else "encode_ordinary_batch")(to_list(), num_threads=threads),
                        "ready": lambda e, op=op, ready=ready: getattr(e, op + "_batch" if op == "count" else "encode_ordinary_batch")(ready, num_threads=threads),
                        "arrow": lambda e, op=op, column=column: getattr(tokfare.arrow, op)(column, encoding=e, num_threads=threads),
                    }
                    best = {k: float("inf") for k in runs}
                    for _ in range(args.rounds):
                        for k, run in runs.items():
                            enc = fresh(name)
                            best[k] = min(best[k], timed(lambda run=run, enc=enc: run(enc)))
                    print(
                        f"| {shape} ({lib}) | {len(rows):,} | {mb:.1f} | {threads} | {op} | {best['list']:.3f} s | {best['ready']:.3f} s "
                        f"| {best['arrow']:.3f} s | {best['list'] / best['arrow']:.2f}× | {best['ready'] / best['arrow']:.2f}× |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
