"""The ``tokfare`` expression namespace for Polars: ``pl.col("text").tokfare.count_tokens(...)``.

Importing this module registers the namespace. With the plugin package installed
(``pip install tokfare-polars``) the expressions run inside Polars' engine (no Python
per batch); without it they fall back to ``map_batches`` over ``tokfare.arrow`` — the
same results, the Series handed to Python as Arrow.

>>> import polars as pl, tokfare.polars
>>> df = pl.DataFrame({"text": ["hello world", None]})
>>> df.select(pl.col("text").tokfare.count_tokens(encoding="o200k_base"))["text"].to_list()
[2, None]

The tokenizer is chosen as everywhere in tokfare: ``encoding`` (a name, or an
``Encoding`` or ``Tokenizer`` object, which always takes the fallback), else
``model``'s (default gpt-4o; an open-weight model such as ``Qwen/Qwen3-8B`` uses its
tokenizer.json). ``PLUGIN`` says whether the plugin is installed.

``price`` prices a struct expression of usage columns (``pl.struct("model", "input",
"output")``) as ``tokfare.arrow.price`` does, through ``map_batches`` in both cases: it
takes a ``Catalog`` or ``Schedule`` object, and the pricing itself runs in Rust.
"""

from __future__ import annotations

from typing import Any as _Any, Optional as _Optional

import polars as _pl

from . import arrow as _arrow

try:  # the plugin package, when installed
    import tokfare_polars as _plugin
except ImportError:  # pragma: no cover - depends on what is installed
    _plugin = None

#: True when the expressions run as the compiled plugin, False for the map_batches fallback.
PLUGIN = _plugin is not None

__all__ = ["PLUGIN", "TokfareExpr"]


@_pl.api.register_expr_namespace("tokfare")
class TokfareExpr:
    """``expr.tokfare``: token counts, ids and truncation of a string expression."""

    def __init__(self, expr: _pl.Expr):
        self._expr = expr

    @staticmethod
    def _use_plugin(encoding) -> bool:
        # The plugin names tokenizers; an Encoding or Tokenizer object stays in Python.
        return _plugin is not None and (encoding is None or isinstance(encoding, str))

    def count_tokens(self, *, encoding: _Optional[str] = None, model: _Optional[str] = None) -> _pl.Expr:
        """The number of tokens of each string (Int64; null for null)."""
        if self._use_plugin(encoding):
            return _plugin.count_tokens(self._expr, encoding=encoding, model=model)
        return self._expr.map_batches(lambda s: _arrow.count(s, encoding=encoding, model=model), return_dtype=_pl.Int64, is_elementwise=True)

    def encode(self, *, encoding: _Optional[str] = None, model: _Optional[str] = None) -> _pl.Expr:
        """The ids of each string (List(UInt32); null for null)."""
        if self._use_plugin(encoding):
            return _plugin.encode(self._expr, encoding=encoding, model=model)
        return self._expr.map_batches(lambda s: _arrow.encode(s, encoding=encoding, model=model), return_dtype=_pl.List(_pl.UInt32), is_elementwise=True)

    def truncate(self, max_tokens: int, *, encoding: _Optional[str] = None, model: _Optional[str] = None) -> _pl.Expr:
        """Each string cut to at most ``max_tokens`` tokens (OpenAI encodings; null for null)."""
        if self._use_plugin(encoding):
            return _plugin.truncate(self._expr, max_tokens, encoding=encoding, model=model)
        return self._expr.map_batches(lambda s: _arrow.truncate(s, max_tokens, encoding=encoding, model=model), return_dtype=_pl.String, is_elementwise=True)

    def price(self, *, catalog: _Any = None, schedule: _Any = None) -> _pl.Expr:
        """Prices a struct of usage columns, one request per row, as
        ``tokfare.arrow.price``: ``model``, counts by their JSON names (``input``,
        ``output``, ``cached_input`` ...), optional ``service`` and ``tier``. The result
        is a struct of text fields ``cost`` (exact, unrounded), ``rounded``,
        ``currency``, ``schedule``, ``error_code`` and ``error`` (a row that cannot be
        priced says why; a null ``model`` gives a null row). ``Decimal`` values:
        ``.struct.field("cost").cast(pl.Decimal(38, 18))``, which refuses a cost that
        needs more scale."""

        def run(s: _pl.Series) -> _pl.Series:
            batch = _arrow.price(s.struct.unnest(), catalog=catalog, schedule=schedule)
            return _pl.Series(s.name, batch.to_struct_array())

        return self._expr.map_batches(run, return_dtype=_PRICED, is_elementwise=True)


_PRICED = _pl.Struct({name: _pl.String for name in ("cost", "rounded", "currency", "schedule", "error_code", "error")})
