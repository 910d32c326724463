"""The ``tokfare`` Polars namespace: counts, ids and truncation equal the Encoding's on
the shared corpus, null for null, through the compiled plugin when it is installed
(required when TOKFARE_REQUIRE_POLARS_PLUGIN=1) and through the map_batches fallback
always."""

import os

import pytest

pl = pytest.importorskip("polars")

import tokfare  # noqa: E402
import tokfare.polars  # noqa: E402
from test_corpus import documents  # noqa: E402


@pytest.fixture(params=["plugin", "fallback"])
def path(request, monkeypatch):
    if request.param == "plugin":
        if not tokfare.polars.PLUGIN:
            if os.environ.get("TOKFARE_REQUIRE_POLARS_PLUGIN") == "1":
                pytest.fail("tokfare-polars is not installed")
            pytest.skip("POLARS PLUGIN TESTS SKIPPED: tokfare-polars is not installed")
    else:
        monkeypatch.setattr(tokfare.polars, "_plugin", None)
    return request.param


def test_corpus_counts_ids_and_cuts_equal_the_encodings(path):
    docs = documents()
    rows = [None if i % 9 == 0 else d for i, d in enumerate(docs)]
    enc = tokfare.get_encoding("o200k_base")
    df = pl.DataFrame({"text": rows})
    out = df.select(
        pl.col("text").tokfare.count_tokens(encoding="o200k_base").alias("n"),
        pl.col("text").tokfare.encode(model="gpt-4o").alias("ids"),
        pl.col("text").tokfare.truncate(5, encoding="o200k_base").alias("cut"),
        pl.col("text").tokfare.count_tokens(model="Qwen/Qwen3-8B").alias("qwen"),
    )
    assert out["n"].dtype == pl.Int64 and out["ids"].dtype == pl.List(pl.UInt32) and out["cut"].dtype == pl.String
    assert out["n"].to_list() == [None if r is None else enc.count(r) for r in rows]
    assert out["ids"].to_list() == [None if r is None else enc.encode_ordinary(r) for r in rows]
    assert out["cut"].to_list() == [None if r is None else enc.truncate(r, 5) for r in rows]
    qwen = tokfare.Tokenizer.for_model("Qwen/Qwen3-8B")
    assert out["qwen"].to_list()[:50] == [None if r is None else qwen.count(r) for r in rows[:50]]


def test_lazy_frames_and_errors(path):
    lazy = pl.LazyFrame({"text": ["hello world", None]}).with_columns(n=pl.col("text").tokfare.count_tokens(encoding="cl100k_base"))
    assert lazy.collect()["n"].to_list() == [2, None]
    with pytest.raises(Exception, match="no_such_encoding|unknown encoding|UnknownEncoding"):
        pl.DataFrame({"text": ["a"]}).select(pl.col("text").tokfare.count_tokens(encoding="no_such_encoding"))


def test_chunks_slices_empty_and_all_null_columns(path):
    enc = tokfare.get_encoding("cl100k_base")
    docs = documents()[:120]
    parts = [pl.DataFrame({"text": docs[:40]}), pl.DataFrame({"text": [None, "x y"] + docs[40:120]})]
    df = pl.concat(parts, rechunk=False)
    assert df["text"].n_chunks() == 2
    rows = df["text"].to_list()
    for frame, expected in [(df, rows), (df.slice(7, 60), rows[7:67])]:
        out = frame.select(
            n=pl.col("text").tokfare.count_tokens(encoding="cl100k_base"),
            ids=pl.col("text").tokfare.encode(encoding="cl100k_base"),
            cut=pl.col("text").tokfare.truncate(3, encoding="cl100k_base"),
        )
        assert out["n"].to_list() == [None if r is None else enc.count(r) for r in expected]
        assert out["ids"].to_list() == [None if r is None else enc.encode_ordinary(r) for r in expected]
        assert out["cut"].to_list() == [None if r is None else enc.truncate(r, 3) for r in expected]
    empty = pl.DataFrame({"text": pl.Series([], dtype=pl.String)}).select(pl.col("text").tokfare.count_tokens())
    assert empty.schema["text"] == pl.Int64 and empty.height == 0
    nulls = pl.DataFrame({"text": pl.Series([None, None], dtype=pl.String)}).select(pl.col("text").tokfare.encode())
    assert nulls["text"].dtype == pl.List(pl.UInt32) and nulls["text"].to_list() == [None, None]


def test_group_by_and_streaming_engine(path):
    docs = documents()[:300]
    enc = tokfare.get_encoding("o200k_base")
    df = pl.DataFrame({"k": [i % 3 for i in range(len(docs))], "text": docs})
    by_group = (
        df.lazy()
        .group_by("k")
        .agg(pl.col("text").tokfare.count_tokens(encoding="o200k_base").sum().alias("n"))
        .sort("k")
        .collect(engine="streaming")
    )
    assert by_group["n"].to_list() == [sum(enc.count(d) for d in docs[k::3]) for k in range(3)]


def test_errors_name_the_cause(path):
    df = pl.DataFrame({"text": ["hello"], "n": [1]})
    with pytest.raises(Exception, match="not both"):
        df.select(pl.col("text").tokfare.count_tokens(encoding="o200k_base", model="gpt-4o"))
    with pytest.raises(Exception, match="OpenAI encoding"):
        df.select(pl.col("text").tokfare.truncate(2, model="Qwen/Qwen3-8B"))
    for column in [pl.col("n"), pl.lit(None)]:
        with pytest.raises(Exception, match=r"a string column \(utf8, large_utf8 or string_view\) is needed, not (Int64|Null)"):
            df.select(column.tokfare.count_tokens(encoding="o200k_base"))
    if path == "plugin":
        # The plugin refuses a column that is not text when the query is planned.
        with pytest.raises(Exception, match="a string column"):
            df.lazy().select(pl.col("n").tokfare.encode()).collect_schema()


LEAK_CHECK = """
import resource, sys
sys.path.insert(0, sys.argv[1])
import polars as pl
import tokfare.polars
from test_corpus import documents

assert tokfare.polars.PLUGIN
docs, size = [], 0
for d in documents():
    docs.append(d)
    size += len(d.encode())
    if size > 4_000_000:
        break
df = pl.DataFrame({"text": docs})
fresh = pl.col("text").str.to_uppercase()  # a new 4 MB column per query: only the plugin holds it
queries = [
    fresh.tokfare.count_tokens(encoding="o200k_base").sum(),
    fresh.tokfare.truncate(100_000, encoding="o200k_base").str.len_bytes().sum(),
    fresh.tokfare.encode(encoding="o200k_base").list.len().sum(),
]


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def run():
    return [df.select(q).item() for q in queries]


expected = run()
for _ in range(4):  # the allocators reach their working size
    assert run() == expected
before = rss_mb()
for _ in range(30):
    assert run() == expected
print(rss_mb() - before)
"""


def test_plugin_releases_what_it_is_given_and_returns():
    """30 rounds of three queries, each on a new 4 MB column, in a new process: an input
    or a result (4-5 MB each but a count) the plugin did not release would grow the
    resident memory by 100 MB or more."""
    if not tokfare.polars.PLUGIN:
        pytest.skip("POLARS PLUGIN TESTS SKIPPED: tokfare-polars is not installed")
    import subprocess
    import sys

    tests = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", LEAK_CHECK, tests], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    grown_mb = float(out.stdout.strip().splitlines()[-1])
    assert grown_mb < 40, f"resident memory grew {grown_mb:.0f} MB over 90 plugin calls"


def test_price_a_struct_of_usage_as_tokfare_arrow_does():
    from decimal import Decimal

    df = pl.DataFrame(
        {
            "model": ["gpt-4o", "no-such-model", None, "gpt-4o-mini"],
            "input": [1000, 5, 1, 250_000],
            "output": [200, 5, 1, None],
        }
    )
    out = df.select(priced=pl.struct("model", "input", "output").tokfare.price()).unnest("priced")
    assert out.columns == ["cost", "rounded", "currency", "schedule", "error_code", "error"]
    for row, got in zip(df.iter_rows(named=True), out.iter_rows(named=True)):
        if row["model"] is None:
            assert all(v is None for v in got.values())
        elif row["model"] == "no-such-model":
            assert got["cost"] is None and got["error_code"] and "no-such-model" in got["error"]
        else:
            usage = tokfare.Usage.from_dict({"input": row["input"], "output": row["output"] or 0})
            assert Decimal(got["cost"]) == tokfare.price(row["model"], usage).total


def test_the_docs_examples_run(path):
    import pathlib
    import re

    page = (pathlib.Path(__file__).parents[2] / "docs" / "polars.md").read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```python\n(.*?)```", page, re.S))
    assert "tokfare" in code
    exec(compile(code, "docs/polars.md", "exec"), {})
