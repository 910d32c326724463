"""tokfare's Polars expression plugin: token counts, ids and truncation of string
columns run inside Polars' engine. Use it through ``tokfare.polars`` (the ``tokfare``
expression namespace), which takes this plugin when it is installed:

>>> import polars as pl, tokfare.polars
>>> pl.DataFrame({"text": ["hello world", None]}).select(pl.col("text").tokfare.count_tokens(encoding="o200k_base"))
"""

from __future__ import annotations

from pathlib import Path as _Path
from typing import Optional as _Optional

import polars as _pl
from polars.plugins import register_plugin_function as _register

from ._tokfare_polars import __version__

__all__ = ["count_tokens", "encode", "truncate", "__version__"]

_LIB = _Path(__file__).parent


def _named(encoding, model):
    # Always at least one key: Polars sends an empty kwargs dict as no bytes at all.
    return {"encoding": encoding, "model": model}


def count_tokens(expr: _pl.Expr, *, encoding: _Optional[str] = None, model: _Optional[str] = None) -> _pl.Expr:
    """The number of tokens of each string (Int64; null for null)."""
    return _register(plugin_path=_LIB, function_name="count_tokens", args=expr, kwargs=_named(encoding, model), is_elementwise=True)


def encode(expr: _pl.Expr, *, encoding: _Optional[str] = None, model: _Optional[str] = None) -> _pl.Expr:
    """The ids of each string (List(UInt32); null for null)."""
    return _register(plugin_path=_LIB, function_name="encode", args=expr, kwargs=_named(encoding, model), is_elementwise=True)


def truncate(expr: _pl.Expr, max_tokens: int, *, encoding: _Optional[str] = None, model: _Optional[str] = None) -> _pl.Expr:
    """Each string cut to at most ``max_tokens`` tokens (OpenAI encodings; null for null)."""
    kwargs = dict(_named(encoding, model), max_tokens=max_tokens)
    return _register(plugin_path=_LIB, function_name="truncate", args=expr, kwargs=kwargs, is_elementwise=True)
