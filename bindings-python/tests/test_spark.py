"""tokfare.spark on a real local Spark (pyspark from PyPI, Debian's Java 17): counts equal
Encoding.count through Arrow UDFs, and invoices of usage logs priced in partitions equal
one meter's, redeliveries spread over partitions counted once, conflicts reported, money
that does not fit decimal(38,18) an error.

Skipped (loudly) when pyspark or Java is missing, unless TOKFARE_REQUIRE_SPARK=1 (set by
scripts/test.sh, which installs both)."""

import json
import os
import random
import shutil
import sys

import pytest

from conftest import ROOT
from test_corpus import documents

if os.environ.get("TOKFARE_REQUIRE_SPARK") != "1":
    if shutil.which("java") is None:
        pytest.skip("SPARK TESTS SKIPPED: no java on PATH (scripts/test.sh installs openjdk-17-jre-headless)", allow_module_level=True)
    pytest.importorskip("pyspark", reason="SPARK TESTS SKIPPED: pyspark is not installed")

import pyarrow as pa  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

import tokfare  # noqa: E402
import tokfare.spark as ts  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("tokfare-tests")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_counts_ids_and_truncation_equal_the_encodings(spark):
    docs = documents()
    rows = [(i, None if i % 11 == 0 else d) for i, d in enumerate(docs)]
    df = spark.createDataFrame(rows, "n long, text string").repartition(3)
    enc = tokfare.get_encoding("o200k_base")
    out = df.select(
        "n",
        ts.count_tokens("text", encoding="o200k_base").alias("count"),
        ts.count_tokens(F.col("text"), model="gpt-4").alias("cl100k"),
        ts.encode("text", encoding=enc).alias("ids"),
        ts.truncate("text", 7, encoding="o200k_base").alias("cut"),
    ).collect()
    assert len(out) == len(docs)
    cl100k = tokfare.get_encoding("cl100k_base")
    for row in out:
        text = rows[row["n"]][1]
        if text is None:
            assert (row["count"], row["cl100k"], row["ids"], row["cut"]) == (None, None, None, None)
            continue
        assert row["count"] == enc.count(text)
        assert row["cl100k"] == cl100k.count(text)
        assert row["ids"] == enc.encode_ordinary(text)
        assert row["cut"] == enc.truncate(text, 7)
    # An open-weight model's own tokenizer.json.
    qwen = tokfare.Tokenizer.for_model("Qwen/Qwen3-8B")
    got = spark.createDataFrame([("<|im_start|>hi there",)], "text string").select(ts.count_tokens("text", model="Qwen/Qwen3-8B")).first()[0]
    assert got == qwen.count("<|im_start|>hi there")


def reference(lines, tmp_path, **options):
    """What one meter (as `tokfare price`) makes of the whole log."""
    path = tmp_path / "reference.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    meter = tokfare.Meter.summing(schedule="gtc-2026", **options)
    report = meter.record_log(str(path), continue_on_error=True)
    return meter.invoice(**options), report


def example_log():
    """The example log, every third line again much later, and a conflicting redelivery."""
    lines = (ROOT / "examples" / "usage.jsonl").read_text(encoding="utf-8").splitlines()
    return lines + lines[::3] + [lines[1].replace('"promptTokenCount":', '"promptTokenCount":1')]


@pytest.mark.parametrize("options", [{}, {"group_by": ["customer", "day"], "period": "day"}])
def test_invoice_of_the_example_log_equals_one_meters(spark, tmp_path, options):
    lines = example_log()
    df = spark.createDataFrame([(line,) for line in lines], "value string").repartition(3)
    got = ts.invoice(df, schedule="gtc-2026", **options)
    want, report = reference(lines, tmp_path, **options)
    assert (got["json"], got["csv"], got["events"]) == (want["json"], want["csv"], want["events"])
    assert (got["recorded"], got["duplicates"]) == (report["recorded"], report["duplicates"])
    assert [(p["id"], p["code"]) for p in got["problems"]] == [("evt-00001", "conflicting_event")]


def synthetic_log(n, seed=11):
    """n lines: 1,000 customers, six models in three providers' usage shapes, over a
    month; 5% of lines redeliver an earlier line anywhere before them, and a few
    redeliver an id with other usage (conflicts). Shuffled, so deliveries of one id sit
    in different input partitions."""
    rnd = random.Random(seed)
    models = ["gpt-4o", "gpt-4.1-mini", "claude-sonnet-4-6", "claude-haiku-4-5-20251001", "gemini-2.5-flash", "o4-mini"]
    lines = []
    for i in range(n):
        if lines and rnd.random() < 0.05:
            lines.append(lines[rnd.randrange(len(lines))])
            continue
        m = models[i % len(models)]
        inp, outp = rnd.randrange(10, 50000), rnd.randrange(1, 4000)
        if m.startswith("claude"):
            usage = {"input_tokens": inp, "cache_read_input_tokens": inp // 3, "output_tokens": outp}
        elif m.startswith("gemini"):
            usage = {"usageMetadata": {"promptTokenCount": inp, "candidatesTokenCount": outp, "totalTokenCount": inp + outp}}
        else:
            usage = {"prompt_tokens": inp, "completion_tokens": outp, "total_tokens": inp + outp}
        event = {
            "id": f"evt-{i:09d}",
            "customer": f"cust-{rnd.randrange(1000):04d}",
            "model": m,
            "timestamp": f"2026-11-{1 + rnd.randrange(30):02d}T{rnd.randrange(24):02d}:{rnd.randrange(60):02d}:00Z",
            "usage": usage,
        }
        lines.append(json.dumps(event, separators=(",", ":")))
    for k in range(5):
        event = json.loads(lines[k * 1000 + 1])
        event["customer"] = "someone-else"
        lines.append(json.dumps(event, separators=(",", ":")))
    rnd.shuffle(lines)
    return lines


def test_invoice_of_a_million_events_with_redeliveries_equals_one_meters(spark, tmp_path):
    lines = synthetic_log(1_000_000)
    path = tmp_path / "log.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    df = spark.read.text(str(path))
    got = ts.invoice(df, schedule="gtc-2026", partitions=4)
    want, report = reference(lines, tmp_path)
    assert report["duplicates"] > 40_000 and len(report["problems"]) == 5
    assert (got["json"], got["events"], got["recorded"], got["duplicates"]) == (
        want["json"],
        want["events"],
        report["recorded"],
        report["duplicates"],
    )
    assert sorted(p["code"] for p in got["problems"]) == ["conflicting_event"] * 5


def test_price_events_counts_each_id_once_and_refuses_money_that_does_not_fit(spark, tmp_path):
    lines = example_log()
    df = spark.createDataFrame([(line,) for line in lines] + [(None,)], "value string").repartition(2)
    rows = ts.price_events(df, schedule="gtc-2026").collect()
    assert len(rows) == len(lines)
    by_status = {}
    for r in rows:
        by_status.setdefault(r["status"], []).append(r)
    _, report = reference(lines, tmp_path)
    assert (len(by_status["new"]), len(by_status["duplicate"]), len(by_status["error"])) == (
        report["recorded"],
        report["duplicates"],
        len(report["problems"]),
    )
    # The costs are the events' unrounded costs, as a meter sums them.
    meter = tokfare.Meter(schedule="gtc-2026")
    meter.record_log(str(tmp_path / "reference.jsonl"), continue_on_error=True)
    spent = sum(a["cost"]["USD"] for a in meter.aggregate(group_by=["customer"]))
    assert sum(r["cost"] for r in by_status["new"]) == spent
    # A price with 20 decimal places gives a cost that decimal(38,18) cannot hold: an
    # error naming the value, not a rounded cost.
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        json.dumps({"tiny-model": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 3e-20, "output_cost_per_token": 0}}),
        encoding="utf-8",
    )
    line = json.dumps({"id": "t1", "customer": "c", "model": "tiny-model", "timestamp": "2026-11-01T00:00:00Z", "usage": {"prompt_tokens": 1, "completion_tokens": 0, "total_tokens": 1}})
    tiny = spark.createDataFrame([(line,)], "value string")
    with pytest.raises(Exception, match="decimal places, more than decimal128"):
        ts.price_events(tiny, catalog=str(catalog)).collect()
    # The same cost as text: exact.
    meter = tokfare.Meter(catalog=tokfare.Catalog.from_file(str(catalog)))
    assert meter.record_lines(pa.array([line])).column("cost").to_pylist() == ["0.00000000000000000003"]


def test_the_docs_example_runs_as_written(spark, capsys):
    """docs/spark.md's first example (its relative log path made absolute: Spark reads
    it from the JVM's directory; the session it builds is this module's, by
    getOrCreate): it runs, shows the counts, and its invoice is one meter's over the
    same log."""
    import re

    page = (ROOT / "docs" / "spark.md").read_text(encoding="utf-8")
    code = re.findall(r"```python\n(.*?)```", page, re.S)[0]
    assert '"examples/usage.jsonl"' in code
    code = code.replace('"examples/usage.jsonl"', repr(str(ROOT / "examples" / "usage.jsonl")))
    scope = {}
    exec(compile(code, "docs/spark.md", "exec"), scope)
    shown = capsys.readouterr().out
    assert re.search(r"\|\s*2\s*\|", shown) and re.search(r"\|\s*hello\s*\|", shown), shown
    meter = tokfare.Meter.summing(group_by=["customer", "month"])
    meter.record_log(str(ROOT / "examples" / "usage.jsonl"), continue_on_error=True)
    want = meter.invoice(group_by=["customer", "month"])
    got = scope["invoice"]
    assert (got["json"], got["csv"], got["events"]) == (want["json"], want["csv"], want["events"])
    assert scope["priced"].count() == scope["log"].count()
