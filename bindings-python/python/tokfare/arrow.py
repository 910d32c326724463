"""Arrow columns in, Arrow columns out: token counts, ids and truncation of a whole
string column, read in place.

Each function takes any object that speaks the Arrow PyCapsule interface
(``__arrow_c_array__`` or ``__arrow_c_stream__``): a pyarrow ``Array`` or
``ChunkedArray``, a Polars ``Series``, an arro3 or nanoarrow array, a DuckDB result's
column (``rel.arrow()["text"]``); a pandas ``Series`` is converted to Arrow first. The strings may be ``utf8``, ``large_utf8`` or
``string_view``, sliced, with nulls. They are read where they are (no Python ``str``
is made) and worked on with the GIL released, on ``num_threads`` threads.

The result is null where the input is null and has the input's row order, and comes
back in the input's library: a pyarrow array (chunked if the input was) for pyarrow,
a ``polars.Series`` for Polars, a pandas ``Series`` (Arrow dtype, the same index) for
pandas, else a pyarrow array if pyarrow is installed, else an object with the same
PyCapsule methods.

The tokenizer is chosen as everywhere in tokfare: ``encoding`` (a name such as
``"o200k_base"``, or an ``Encoding`` or ``Tokenizer`` object), else ``model``'s
tokenizer (default ``gpt-4o``; an open-weight model such as ``Qwen/Qwen3-8B`` uses its
Hugging Face tokenizer).

>>> import pyarrow as pa, tokfare.arrow
>>> tokfare.arrow.count(pa.array(["hello world", None, ""]), encoding="o200k_base").to_pylist()
[2, None, 0]
"""

from __future__ import annotations

from typing import Any as _Any, Optional as _Optional, Union as _Union

from . import Encoding, Tokenizer, _tokenizer_for
from ._tokfare import arrow_count as _count, arrow_decimal128 as _decimal128, arrow_encode as _encode, arrow_event_ids as _event_ids
from ._tokfare import arrow_price_usage as _price_usage, arrow_truncate as _truncate

__all__ = ["count", "encode", "truncate", "price", "event_ids", "to_decimal128"]

_TokenizerArg = _Union[str, Encoding, Tokenizer, None]


def count(strings: _Any, *, encoding: _TokenizerArg = None, model: _Optional[str] = None, num_threads: int = 8) -> _Any:
    """The number of tokens of each string (``int64``), null for null."""
    return _like(strings, _count(_source(strings), _tokenizer_for(encoding, model), num_threads))


def encode(strings: _Any, *, encoding: _TokenizerArg = None, model: _Optional[str] = None, num_threads: int = 8) -> _Any:
    """The ids of each string (``list<uint32>``), null for null. Special-token text is
    ordinary text for an ``Encoding`` (``encode_ordinary``); a ``Tokenizer`` recognises
    its added tokens and adds none."""
    return _like(strings, _encode(_source(strings), _tokenizer_for(encoding, model), num_threads))


def truncate(
    strings: _Any, max_tokens: int, *, encoding: _TokenizerArg = None, model: _Optional[str] = None, num_threads: int = 8
) -> _Any:
    """Each string cut to its longest prefix of at most ``max_tokens`` tokens (on a
    token boundary that is a character boundary, as ``Encoding.truncate``), in the
    input's string layout; null for null. OpenAI encodings only."""
    return _like(strings, _truncate(_source(strings), _tokenizer_for(encoding, model), max_tokens, num_threads))


def price(table: _Any, *, catalog: _Any = None, schedule: _Any = None) -> _Any:
    """Prices a table of usage, one request per row (a pyarrow Table or RecordBatch, a
    Polars DataFrame, any object with ``__arrow_c_stream__`` or ``__arrow_c_array__``;
    a pandas DataFrame is converted first). Columns read: ``model`` (text); usage counts
    named in tokfare's JSON form (``input``, ``cached_input``, ``output``,
    ``reasoning``, ``requests`` ...: ``tokfare.Usage(...).to_dict()``'s keys; null is 0);
    optional ``service`` and ``tier``. Text, time and boolean columns pass unread; any
    other numeric column (``input_tokens``, a float ``prompt_tokens``) raises
    InvalidArgument naming it. Rows are priced with today's prices (no date is read).

    Returns a pyarrow RecordBatch with one row per input row: the exact unrounded
    ``cost`` and ``rounded`` total as text (``to_decimal128`` makes them decimals),
    ``currency``, ``schedule``; or ``error_code`` and ``error`` for a row that cannot be
    priced (unknown model, unsupported price rule, negative count); null for a null
    ``model``. ``catalog`` and ``schedule`` as for ``tokfare.price``."""
    if type(table).__module__.split(".")[0] == "pandas":
        import pyarrow as pa

        table = pa.Table.from_pandas(table, preserve_index=False)
    return _price_usage(table, catalog, schedule)


def event_ids(lines: _Any) -> _Any:
    """The event id of each usage-log line (each row a JSON event, as a line of a log
    ``Meter.record_log`` reads): the id the meter deduplicates by, derived from a
    provider's response when the line has none; null for null and for a line that is
    not an event. What to partition a log by before pricing it in shares
    (``Meter.summing``, ``Meter.partial_sums``)."""
    return _like(lines, _event_ids(_source(lines)))


def to_decimal128(texts: _Any, precision: int = 38, scale: int = 18) -> _Any:
    """Exact decimal text (``Meter.record_lines``' ``cost``, partial sums' amounts) as
    ``decimal128(precision, scale)`` — Spark's ``decimal(38,18)`` by default — null for
    null. A value with more decimal places than ``scale`` or more integer digits than
    ``precision - scale`` raises InvalidArgument naming its row: never rounded, never
    wrapped."""
    return _like(texts, _decimal128(_source(texts), precision, scale))


def _source(strings: _Any) -> _Any:
    """What the native functions read: the object itself when it speaks the PyCapsule
    interface; a pandas Series is converted to Arrow first (without a copy when its
    dtype is Arrow-backed)."""
    if hasattr(strings, "__arrow_c_array__") or hasattr(strings, "__arrow_c_stream__"):
        return strings
    if type(strings).__module__.split(".")[0] == "pandas":
        import pyarrow as pa

        return pa.array(strings)
    raise TypeError(
        f"expected an Arrow array or stream (an object with __arrow_c_array__ or __arrow_c_stream__), not {type(strings).__name__}"
    )


def _like(strings: _Any, result: _Any) -> _Any:
    """``result`` in the library ``strings`` came from (see the module docs)."""
    module = type(strings).__module__.split(".")[0]
    if module == "polars":
        import polars as pl

        return pl.Series(result).alias(strings.name)
    try:
        import pyarrow as pa
    except ImportError:
        return result
    out = pa.array(result) if hasattr(result, "__arrow_c_array__") else pa.chunked_array(result)
    if module == "pandas":
        import pandas as pd

        return out.to_pandas(types_mapper=pd.ArrowDtype).set_axis(strings.index).rename(strings.name)
    return out
