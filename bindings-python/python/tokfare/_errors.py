"""tokfare's exceptions: one class per stable error code of the core.

Every class derives from :class:`TokfareError` and, where tiktoken raises a built-in
exception for the same failure, from that one too (``ValueError`` for a disallowed
special token or an unknown encoding, ``KeyError`` for an unknown model or token), so
code written for tiktoken keeps working. ``error.code`` is the stable snake_case code.
"""


from typing import Any, Dict, Optional


class TokfareError(Exception):
    """Base class of every tokfare error."""

    code = "tokfare_error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.message


class UnknownEncoding(TokfareError, ValueError):
    """`get_encoding` was given a name that is not a known encoding."""

    code = "unknown_encoding"


class EncodingNotBuilt(TokfareError, ValueError):
    """The encoding exists but was left out of this build."""

    code = "encoding_not_built"


class FeatureNotBuilt(TokfareError, ValueError):
    """Something this build of tokfare leaves out (a cargo feature it was built without)."""

    code = "feature_not_built"


class UnknownModel(TokfareError, KeyError):
    """A model name tokfare cannot map to a tokenizer (tiktoken raises KeyError)."""

    code = "unknown_model"


class DisallowedSpecialToken(TokfareError, ValueError):
    """The text contains a special token that was not allowed (tiktoken raises ValueError)."""

    code = "disallowed_special_token"


class UnknownTokenId(TokfareError, KeyError):
    """A token id that is not in the vocabulary (tiktoken raises KeyError)."""

    code = "unknown_token_id"


class NotASingleToken(TokfareError, KeyError):
    """Bytes that are not one token."""

    code = "not_a_single_token"


class InvalidUtf8(TokfareError, ValueError):
    """Decoded bytes are not valid UTF-8."""

    code = "invalid_utf8"


class InvalidInputUtf8(TokfareError, ValueError):
    """Input bytes are not valid UTF-8."""

    code = "invalid_input_utf8"


class InvalidRankFile(TokfareError, ValueError):
    """A .tiktoken rank file that cannot be parsed."""

    code = "invalid_rank_file"


class InvalidVocabulary(TokfareError, ValueError):
    """An inconsistent vocabulary (duplicate tokens or ids, specials clashing with ranks)."""

    code = "invalid_vocabulary"


class InvalidTokenizerFile(TokfareError, ValueError):
    """A tokenizer.json that is not valid; the message names the bad field's JSON path."""

    code = "invalid_tokenizer_file"


class UnsupportedTokenizer(TokfareError, ValueError):
    """A valid tokenizer.json using a feature the native engine does not implement."""

    code = "unsupported_tokenizer"


class TokenizerFileNeeded(TokfareError, LookupError):
    """An open-weight model whose tokenizer is not bundled: load its tokenizer.json."""

    code = "tokenizer_file_needed"


class InvalidPattern(TokfareError, ValueError):
    """A pre-tokenization pattern that does not compile."""

    code = "invalid_pattern"


class PatternRuntime(TokfareError, ValueError):
    """The general-purpose regex engine failed on an input."""

    code = "pattern_runtime"


class InvalidArgument(TokfareError, ValueError):
    """An argument outside its domain."""

    code = "invalid_argument"


class InvalidMoney(TokfareError, ValueError):
    """A money amount, rate or currency that is not acceptable."""

    code = "invalid_money"


class InvalidSchedule(TokfareError, ValueError):
    """A malformed schedule; the message names the bad field."""

    code = "invalid_schedule"


class InvalidCatalog(TokfareError, ValueError):
    """A malformed price catalog; the message names the bad field."""

    code = "invalid_catalog"


class InvalidUsage(TokfareError, ValueError):
    """A usage object or usage-log line that cannot be read (negative counts, ...)."""

    code = "invalid_usage"


class UnknownModelPrice(UnknownModel):
    """No price is known for a model (never priced at $0); the message suggests close names."""

    code = "unknown_model_price"


class UnsupportedPrice(TokfareError, ValueError):
    """A model's catalog entry has a price rule tokfare does not apply: refused rather than
    priced wrong (``model``, ``field``, ``reason``); see ``Catalog.load(..., ignore_unknown_price_fields=True)``."""

    code = "unsupported_price"


class CatalogUpdate(TokfareError, OSError):
    """Fetching or storing a catalog snapshot failed (``path``, ``reason``); the current one is unchanged."""

    code = "catalog_update"


class ConflictingEvent(TokfareError, ValueError):
    """An event id already recorded with different content."""

    code = "conflicting_event"


class JournalError(TokfareError, OSError):
    """A meter journal could not be read or written."""

    code = "journal"


class StoreError(TokfareError, OSError):
    """A meter store (SQLite, PostgreSQL) could not be opened, read or written."""

    code = "store"


class Overflow(TokfareError, OverflowError):
    """A quantity or amount outside the representable range."""

    code = "overflow"


_BY_CODE = {
    cls.code: cls
    for cls in [
        UnknownEncoding, EncodingNotBuilt, FeatureNotBuilt, UnknownModel, DisallowedSpecialToken, UnknownTokenId,
        NotASingleToken, InvalidUtf8, InvalidInputUtf8, InvalidRankFile, InvalidVocabulary, InvalidTokenizerFile,
        UnsupportedTokenizer, TokenizerFileNeeded, InvalidPattern,
        PatternRuntime, InvalidArgument, InvalidMoney, InvalidSchedule, InvalidCatalog, InvalidUsage,
        UnknownModelPrice, UnsupportedPrice, CatalogUpdate, ConflictingEvent, JournalError, StoreError, Overflow,
    ]
}


def from_code(code: str, message: str, fields: Optional[Dict[str, Any]] = None) -> TokfareError:
    """The exception for a core error code (used by the extension module), with the
    error's fields (``line``, ``field``, ``model``, ``suggestions`` ...) as attributes."""
    error = _BY_CODE.get(code, TokfareError)(message)
    error.code = code
    for name, value in (fields or {}).items():
        setattr(error, name, value)
    return error
