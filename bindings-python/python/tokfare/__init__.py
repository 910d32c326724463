"""tokfare: exact, fast token counting and exact pricing of LLM usage.

A drop-in for tiktoken (``import tokfare as tiktoken``): the same functions and
``Encoding`` methods, the same ids, vocabularies embedded (no network). Plus counting
helpers, exact decimal pricing with provider usage parsers, schedules and a price
catalog, and an idempotent, durable meter.
"""

from __future__ import annotations

import threading as _threading
from typing import Dict as _Dict, Optional as _Optional

from . import _errors
from ._errors import (
    ConflictingEvent,
    DisallowedSpecialToken,
    EncodingNotBuilt,
    FeatureNotBuilt,
    InvalidArgument,
    InvalidCatalog,
    InvalidMoney,
    InvalidSchedule,
    InvalidTokenizerFile,
    InvalidUsage,
    InvalidInputUtf8,
    InvalidPattern,
    InvalidRankFile,
    InvalidUtf8,
    InvalidVocabulary,
    JournalError,
    StoreError,
    NotASingleToken,
    Overflow,
    PatternRuntime,
    TokenizerFileNeeded,
    TokfareError,
    UnknownEncoding,
    UnknownModel,
    UnknownModelPrice,
    UnknownTokenId,
    UnsupportedPrice,
    CatalogUpdate,
    UnsupportedTokenizer,
)
from ._tokfare import (
    Catalog,
    Cost,
    CostLine,
    Encoding,
    Meter,
    RequestCount,
    Schedule,
    Tokenizer,
    Usage,
    __version__,
    capacity_plan,
    count_chat,
    count_request,
    encoding_name_for_model,
    estimate,
    gtc_tiers,
    list_encoding_names,
    price,
)

__all__ = [
    "Encoding", "get_encoding", "encoding_for_model", "encoding_name_for_model", "list_encoding_names",
    "count_tokens", "count_chat", "count_request", "RequestCount", "Usage", "Cost", "CostLine", "Catalog", "Schedule", "price", "estimate", "gtc_tiers",
    "capacity_plan", "Meter", "TokfareError", "UnknownEncoding", "EncodingNotBuilt", "FeatureNotBuilt", "UnknownModel",
    "UnknownModelPrice", "UnsupportedPrice", "CatalogUpdate", "DisallowedSpecialToken", "UnknownTokenId", "InvalidUtf8", "InvalidArgument",
    "InvalidMoney", "InvalidSchedule", "InvalidCatalog", "InvalidUsage", "ConflictingEvent", "JournalError", "StoreError",
    "Tokenizer", "InvalidTokenizerFile", "UnsupportedTokenizer", "TokenizerFileNeeded", "NotASingleToken",
    "InvalidInputUtf8", "InvalidRankFile", "InvalidVocabulary", "InvalidPattern", "PatternRuntime", "Overflow",
]

_CACHE: _Dict[str, Encoding] = {}
_LOCK = _threading.Lock()


def get_encoding(encoding_name: str) -> Encoding:
    """A built-in encoding by name (cached: the same object each time)."""
    enc = _CACHE.get(encoding_name)
    if enc is None:
        with _LOCK:
            enc = _CACHE.get(encoding_name)
            if enc is None:
                enc = _CACHE[encoding_name] = Encoding(encoding_name)
    return enc


def encoding_for_model(model_name: str) -> Encoding:
    """The encoding tiktoken 0.14 uses for a model (UnknownModel, a KeyError, if none)."""
    return get_encoding(encoding_name_for_model(model_name))


def count_tokens(text: str, model: _Optional[str] = None, encoding: _Optional[str] = None) -> int:
    """Number of tokens of ``text`` (special-token strings count as ordinary text) for a
    model (default gpt-4o) or an encoding name. Open-weight models (``Qwen/Qwen3-8B``)
    use their Hugging Face tokenizer (Hugging Face semantics: added tokens in the text
    are recognised); one that is not bundled raises TokenizerFileNeeded."""
    return _tokenizer_for(encoding, model).count(text)


def _tokenizer_for(encoding=None, model: _Optional[str] = None):
    """The tokenizer of an ``encoding`` (a name, or an ``Encoding`` or ``Tokenizer``
    object) or else of a ``model`` (default gpt-4o): its OpenAI encoding, else its
    Hugging Face tokenizer."""
    if model is not None and encoding is not None:
        raise TypeError("pass model or encoding, not both")
    if isinstance(encoding, (Encoding, Tokenizer)):
        return encoding
    if encoding is not None:
        return get_encoding(encoding)
    try:
        return encoding_for_model(model or "gpt-4o")
    except UnknownModel:
        if model is None:
            raise
        return Tokenizer.for_model(model)


def _rebuild_encoding(name, pat_str, mergeable_ranks, special_tokens):
    """Unpickles a custom Encoding."""
    return Encoding(name, pat_str=pat_str, mergeable_ranks=mergeable_ranks, special_tokens=special_tokens)
