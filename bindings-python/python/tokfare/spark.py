"""tokfare on Spark: token counts as column expressions, and exact prices and invoices of
usage logs too big for one process.

Counting (``count_tokens``, ``encode``, ``truncate``) runs as Spark Arrow UDFs
(``pyspark.sql.functions.arrow_udf``, Spark 4.1 and later; a pandas UDF on older
Spark): each batch of rows reaches ``tokfare.arrow`` as Arrow, without a Python string
per row. The tokenizer is named (an encoding name or a model), so what a UDF closes
over pickles; each Python worker loads it once.

Pricing (``price_events``, ``invoice``) reads a column of usage-log lines (each row one
JSON event, as ``spark.read.text("usage.jsonl")`` gives them in ``value``) and follows
the partition-by-event-id contract of the meter's partial sums:

1. each line's event id is the one the meter deduplicates by (``tokfare.arrow.event_ids``:
   derived from the provider's response when the line has none);
2. the rows are repartitioned by that id, so every delivery of an id meets the others in
   one partition, whose summing meter counts it once (the same id with another event is
   a reported conflict that changes nothing);
3. each partition hands over its partial sums (plain rows, exact decimals as text), and
   the driver adds them in one summing meter that makes the invoice: the same invoice as
   ``tokfare price`` / ``Meter.invoice`` on the whole log, to the last digit.

Money leaves as ``decimal(38,18)``: a cost that needs more than 18 decimal places or 20
integer digits is an error, never rounded or wrapped. The catalog and schedule are paths
or names (``catalog=None`` is the bundled catalog; ``schedule`` a bundled
schedule set name or a file, or the objects: ``tokfare.Catalog`` and
``tokfare.Schedule`` pickle as their documents, so the workers need no file).
"""

from __future__ import annotations

import functools as _functools
from typing import Optional as _Optional, Sequence as _Sequence

import pyarrow as _pa
import pyarrow.compute as _pc
from pyspark.sql import Column as _Column, DataFrame as _DataFrame, functions as _F, types as _T

import tokfare as _tokfare
import tokfare.arrow as _arrow

__all__ = ["count_tokens", "encode", "truncate", "event_ids", "price_events", "invoice"]

_MONEY = _T.DecimalType(38, 18)


def _udf(fn, return_type):
    """An Arrow UDF (Spark 4.1+), else a pandas UDF that converts to Arrow and back."""
    if hasattr(_F, "arrow_udf"):
        return _F.arrow_udf(fn, return_type)

    def pandas_fn(series):
        import pandas as pd

        # Spark 3.5 reads null as None (not pd.NA) in lists and strings; counts stay
        # integers with nulls as pandas' nullable Int64.
        strings = _pa.array(series, type=_pa.string(), from_pandas=True)  # an all-null batch is still text
        return fn(strings).to_pandas(types_mapper={_pa.int64(): pd.Int64Dtype()}.get)

    return _F.pandas_udf(pandas_fn, return_type)


def _tokenizer_spec(encoding, model):
    """What a UDF closes over: names, or an Encoding object (it pickles: a built-in one
    by name, a custom one by its ranks)."""
    if encoding is not None and not isinstance(encoding, (str, _tokfare.Encoding)):
        raise TypeError("encoding must be an encoding name or a tokfare.Encoding")
    if model is not None and encoding is not None:
        raise TypeError("pass model or encoding, not both")
    return encoding, model


def _tokenizer(encoding, model):
    """The tokenizer: an Encoding as given, else loaded once per worker process."""
    if isinstance(encoding, _tokfare.Encoding):
        return encoding
    return _named_tokenizer(encoding, model)


@_functools.lru_cache(maxsize=None)
def _named_tokenizer(encoding, model):
    return _tokfare._tokenizer_for(encoding, model)


def count_tokens(col, *, encoding: _Optional[str] = None, model: _Optional[str] = None, num_threads: int = 1) -> _Column:
    """The number of tokens of each string of ``col`` (``bigint``; null for null).
    ``num_threads`` threads per task (Spark already runs one task per core)."""
    spec = _tokenizer_spec(encoding, model)

    def run(strings: _pa.Array) -> _pa.Array:
        return _arrow.count(strings, encoding=_tokenizer(*spec), num_threads=num_threads)

    return _udf(run, _T.LongType())(col)


def encode(col, *, encoding: _Optional[str] = None, model: _Optional[str] = None, num_threads: int = 1) -> _Column:
    """The ids of each string of ``col`` (``array<int>``; null for null)."""
    spec = _tokenizer_spec(encoding, model)

    def run(strings: _pa.Array) -> _pa.Array:
        ids = _arrow.encode(strings, encoding=_tokenizer(*spec), num_threads=num_threads)
        return ids.cast(_pa.list_(_pa.int32()))  # ids < 2^31: Spark has no unsigned int

    return _udf(run, _T.ArrayType(_T.IntegerType(), containsNull=False))(col)


def truncate(col, max_tokens: int, *, encoding: _Optional[str] = None, model: _Optional[str] = None, num_threads: int = 1) -> _Column:
    """Each string of ``col`` cut to at most ``max_tokens`` tokens (null for null)."""
    spec = _tokenizer_spec(encoding, model)

    def run(strings: _pa.Array) -> _pa.Array:
        return _arrow.truncate(strings, max_tokens, encoding=_tokenizer(*spec), num_threads=num_threads)

    return _udf(run, _T.StringType())(col)


def event_ids(col) -> _Column:
    """The event id of each usage-log line (null for null and for a line that is not an event)."""

    def run(lines: _pa.Array) -> _pa.Array:
        return _arrow.event_ids(lines)

    return _udf(run, _T.StringType())(col)


_OUTCOME = _T.StructType(
    [
        _T.StructField("id", _T.StringType()),
        _T.StructField("status", _T.StringType()),
        _T.StructField("cost", _MONEY),
        _T.StructField("currency", _T.StringType()),
        _T.StructField("schedule", _T.StringType()),
        _T.StructField("error_code", _T.StringType()),
        _T.StructField("error", _T.StringType()),
    ]
)


def _by_id(df: _DataFrame, column: str, partitions: _Optional[int]) -> _DataFrame:
    """The lines as ``line``, with their event id as ``_tokfare_id``, repartitioned by it
    and, within each partition, in the order of ``df`` (a shuffle delivers rows in no
    fixed order; which of two different events with one id counts — the first, as in a
    log — must not depend on it)."""
    lines = df.select(_F.col(column).cast("string").alias("line")).withColumn("_tokfare_pos", _F.monotonically_increasing_id())
    lines = lines.withColumn("_tokfare_id", event_ids(_F.col("line")))
    n = partitions or lines.sparkSession.sparkContext.defaultParallelism
    return lines.repartition(n, "_tokfare_id").sortWithinPartitions("_tokfare_pos")


def _meter(catalog, schedule, options):
    if isinstance(catalog, str):
        catalog = _tokfare.Catalog.from_file(catalog)
    return _tokfare.Meter.summing(catalog=catalog, schedule=schedule, **options)


def price_events(
    df: _DataFrame,
    column: str = "value",
    *,
    catalog=None,
    schedule=None,
    partitions: _Optional[int] = None,
) -> _DataFrame:
    """One row per line of ``df[column]`` (usage-log lines, each a JSON event): ``id``,
    ``status`` (``new``: priced and counted; ``duplicate``: a redelivery, counted once,
    wherever it sits in the data; ``error``: with ``error_code`` and ``error`` — not an
    event, no price for the model, or a conflicting redelivery), the unrounded ``cost``
    (``decimal(38,18)``) with its ``currency`` and ``schedule``. Which delivery of an
    id is ``new`` is the first in ``df``'s row order (a file's line order for
    ``spark.read.text``), as in a log. Rows of null and blank lines are dropped."""
    spec = (catalog, schedule)

    def partition(batches):
        meter = _meter(*spec, {})
        for batch in batches:
            out = meter.record_lines(batch.column("line"))
            cost = _arrow.to_decimal128(out.column("cost"), 38, 18)
            out = out.set_column(out.schema.get_field_index("cost"), "cost", cost)
            yield out.filter(_pc.is_valid(out.column("status")))

    return _by_id(df, column, partitions).mapInArrow(partition, _OUTCOME)


def invoice(
    df: _DataFrame,
    column: str = "value",
    *,
    group_by: _Optional[_Sequence[str]] = None,
    period: _Optional[str] = None,
    start: _Optional[str] = None,
    end: _Optional[str] = None,
    catalog=None,
    schedule=None,
    partitions: _Optional[int] = None,
) -> dict:
    """The invoice of the usage-log lines in ``df[column]``: ``Meter.invoice``'s dict
    (lines, totals, events, warnings, json, csv), equal to that of one meter reading the
    whole log, plus ``recorded``, ``duplicates`` and ``problems`` (``id``, ``code``,
    ``message`` per line the meter refused, conflicting redeliveries included), as
    ``Meter.record_log`` reports them. Memory on the driver grows with the groups, not
    the events."""
    options = {"group_by": list(group_by) if group_by is not None else None, "period": period, "start": start, "end": end}
    spec = (catalog, schedule)
    schema = _T.StructType(
        [
            _T.StructField("kind", _T.StringType(), False),
            _T.StructField("payload", _T.BinaryType(), False),
        ]
    )

    def partition(batches):
        meter = _meter(*spec, options)
        counts = {"new": 0, "duplicate": 0}
        problems = []
        for batch in batches:
            out = meter.record_lines(batch.column("line"))
            status = out.column("status").to_pylist()
            for s in status:
                if s in counts:
                    counts[s] += 1
            errors = out.filter(_pc.equal(out.column("status"), "error"))
            problems.append(errors.select(["id", "error_code", "error"]))
        sums = meter.partial_sums(**options)
        report = _pa.record_batch(
            [_pa.array(["new", "duplicate"]), _pa.array([counts["new"], counts["duplicate"]], _pa.int64())], names=["status", "count"]
        )
        parts = [("sums", sums), ("counts", report)] + [("problems", p) for p in problems if p.num_rows]
        yield _pa.record_batch(
            [_pa.array([k for k, _ in parts]), _pa.array([_ipc(b) for _, b in parts], _pa.binary())], names=["kind", "payload"]
        )

    parts = _by_id(df, column, partitions).mapInArrow(partition, schema)
    if hasattr(parts, "toArrow"):  # Spark 4.0 and later
        collected = parts.toArrow()
    else:  # a few rows per partition: collected as rows
        rows = parts.collect()
        collected = _pa.table({"kind": [r["kind"] for r in rows], "payload": _pa.array([bytes(r["payload"]) for r in rows], _pa.binary())})
    total = _meter(*spec, options)
    recorded = duplicates = 0
    problems = []
    for kind, payload in zip(collected.column("kind").to_pylist(), collected.column("payload").to_pylist()):
        batch = _pa.ipc.open_stream(payload).read_all()
        if kind == "sums":
            total.add_partial_sums(batch)
        elif kind == "counts":
            c = dict(zip(batch.column("status").to_pylist(), batch.column("count").to_pylist()))
            recorded += c["new"]
            duplicates += c["duplicate"]
        else:
            problems += [{"id": r["id"], "code": r["error_code"], "message": r["error"]} for r in batch.to_pylist()]
    out = total.invoice(**options)
    problems.sort(key=lambda p: (p["id"] or "", p["code"], p["message"]))
    out.update(recorded=recorded, duplicates=duplicates, problems=problems)
    return out


def _ipc(batch) -> bytes:
    """A record batch as Arrow IPC stream bytes (one Spark cell: partial sums keep their
    exact text decimals and their own schema through the shuffle to the driver)."""
    sink = _pa.BufferOutputStream()
    with _pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()
