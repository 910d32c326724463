"""Type stubs for tokfare (the extension module and its Python helpers)."""

import os
from datetime import datetime
from decimal import Decimal
from typing import AbstractSet, Any, Collection, Literal, Mapping, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

from ._errors import (
    ConflictingEvent as ConflictingEvent,
    DisallowedSpecialToken as DisallowedSpecialToken,
    EncodingNotBuilt as EncodingNotBuilt,
    FeatureNotBuilt as FeatureNotBuilt,
    InvalidArgument as InvalidArgument,
    InvalidCatalog as InvalidCatalog,
    InvalidMoney as InvalidMoney,
    InvalidSchedule as InvalidSchedule,
    InvalidTokenizerFile as InvalidTokenizerFile,
    InvalidUsage as InvalidUsage,
    InvalidInputUtf8 as InvalidInputUtf8,
    InvalidPattern as InvalidPattern,
    InvalidRankFile as InvalidRankFile,
    InvalidUtf8 as InvalidUtf8,
    InvalidVocabulary as InvalidVocabulary,
    JournalError as JournalError,
    StoreError as StoreError,
    NotASingleToken as NotASingleToken,
    Overflow as Overflow,
    PatternRuntime as PatternRuntime,
    TokenizerFileNeeded as TokenizerFileNeeded,
    TokfareError as TokfareError,
    UnknownEncoding as UnknownEncoding,
    UnknownModel as UnknownModel,
    UnknownModelPrice as UnknownModelPrice,
    UnsupportedPrice as UnsupportedPrice,
    CatalogUpdate as CatalogUpdate,
    UnknownTokenId as UnknownTokenId,
    UnsupportedTokenizer as UnsupportedTokenizer,
)

__version__: str

_Specials = Union[Literal["all"], AbstractSet[str]]
_Disallowed = Union[Literal["all"], Collection[str]]
_Amount = Union[Decimal, int, str]
_Timestamp = Union[datetime, str, int]

class Encoding:
    """A tokenizer: a built-in encoding (``Encoding("cl100k_base")``) or a custom one."""

    def __init__(
        self,
        name: str,
        *,
        pat_str: Optional[str] = ...,
        mergeable_ranks: Optional[dict[bytes, int]] = ...,
        special_tokens: Optional[dict[str, int]] = ...,
        explicit_n_vocab: Optional[int] = ...,
    ) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def n_vocab(self) -> int: ...
    @property
    def max_token_value(self) -> int: ...
    @property
    def eot_token(self) -> int: ...
    @property
    def special_tokens_set(self) -> set[str]: ...
    @property
    def _pat_str(self) -> str: ...
    @property
    def _special_tokens(self) -> dict[str, int]: ...
    @property
    def _mergeable_ranks(self) -> dict[bytes, int]: ...
    def encode_ordinary(self, text: str) -> list[int]: ...
    def encode(self, text: str, *, allowed_special: _Specials = ..., disallowed_special: _Disallowed = ...) -> list[int]: ...
    def encode_to_numpy(
        self, text: str, *, allowed_special: _Specials = ..., disallowed_special: _Disallowed = ...
    ) -> npt.NDArray[np.uint32]: ...
    def encode_with_unstable(
        self, text: str, *, allowed_special: _Specials = ..., disallowed_special: _Disallowed = ...
    ) -> tuple[list[int], list[list[int]]]: ...
    def _encode_bytes(self, text: bytes) -> list[int]: ...
    def encode_batch(
        self, text: Sequence[str], *, num_threads: int = 8, allowed_special: _Specials = ..., disallowed_special: _Disallowed = ...
    ) -> list[list[int]]: ...
    def encode_ordinary_batch(self, text: Sequence[str], *, num_threads: int = 8) -> list[list[int]]: ...
    def encode_single_token(self, text_or_bytes: Union[str, bytes]) -> int: ...
    def count(self, text: str) -> int: ...
    def count_until(self, text: str, limit: int) -> Optional[int]: ...
    def count_batch(self, text: Sequence[str], *, num_threads: int = 8) -> list[int]: ...
    def truncate(self, text: str, max_tokens: int) -> str: ...
    def chunks(self, text: str, max_tokens: int) -> list[str]: ...
    def decode_bytes(self, tokens: Sequence[int]) -> bytes: ...
    def decode(self, tokens: Sequence[int], errors: str = "replace") -> str: ...
    def decode_batch(self, batch: Sequence[Sequence[int]], *, errors: str = "replace", num_threads: int = 8) -> list[str]: ...
    def decode_single_token_bytes(self, token: int) -> bytes: ...
    def decode_tokens_bytes(self, tokens: Sequence[int]) -> list[bytes]: ...
    def decode_with_offsets(self, tokens: Sequence[int]) -> tuple[str, list[int]]: ...
    def token_byte_values(self) -> list[bytes]: ...
    def is_special_token(self, token: int) -> bool: ...

class Tokenizer:
    """A Hugging Face ``tokenizer.json`` tokenizer (Qwen 3 bundled; Llama 3, DeepSeek V3
    or any other from a file), with the semantics of HF ``tokenizers`` 0.23. Byte-level
    BPE files run natively; others on the ``tokenizers`` engine (see ``engine``)."""

    @staticmethod
    def from_file(path: Union[str, "os.PathLike[str]"]) -> Tokenizer:
        """Loads a tokenizer.json file, or the tokenizer.json in a folder."""
    @staticmethod
    def from_str(json: Union[str, bytes], name: str = "tokenizer.json") -> Tokenizer:
        """Loads the contents of a tokenizer.json."""
    @staticmethod
    def bundled(name: str) -> Tokenizer:
        """A tokenizer embedded in tokfare: ``"qwen3"``."""
    @staticmethod
    def for_model(model: str) -> Tokenizer:
        """The tokenizer of an open-weight model (``"Qwen/Qwen3-8B"``); TokenizerFileNeeded
        names the file to load for one that is not bundled (Llama 3, DeepSeek V3)."""
    @property
    def name(self) -> str:
        """The file path, or the bundled name."""
    @property
    def engine(self) -> str:
        """Which engine runs: ``native bpe, scanner:qwen2`` ... or ``tokenizers``."""
    @property
    def is_native(self) -> bool:
        """Whether tokfare's own engine runs this file."""
    @property
    def n_vocab(self) -> int:
        """One more than the largest id (model and added tokens)."""
    def is_special_token(self, token: int) -> bool:
        """Whether ``token`` is an added token marked special."""
    def encode(self, text: str, *, add_special_tokens: bool = False) -> list[int]:
        """HF ``encode(text, add_special_tokens).ids``: added tokens in the text are
        recognised; ``add_special_tokens`` adds the post-processor's BOS/EOS."""
    def encode_ordinary(self, text: str) -> list[int]:
        """Like ``encode`` with special tokens read as plain text (for user input)."""
    def count(self, text: str) -> int:
        """``len(encode(text))`` without building the ids."""
    def count_until(self, text: str, limit: int) -> Optional[int]:
        """The count, or None as soon as it passes ``limit``."""
    def encode_batch(self, texts: Sequence[str], *, add_special_tokens: bool = False) -> list[list[int]]:
        """``encode`` of many texts on all cores."""
    def count_batch(self, texts: Sequence[str]) -> list[int]:
        """``count`` of many texts on all cores."""
    def decode(self, tokens: Sequence[int], *, skip_special_tokens: bool = False) -> str:
        """HF ``decode``: invalid UTF-8 becomes U+FFFD; an unknown id raises UnknownTokenId."""
    def decode_bytes(self, tokens: Sequence[int], *, skip_special_tokens: bool = False) -> bytes:
        """The bytes the tokens stand for."""

def get_encoding(encoding_name: str) -> Encoding: ...
def encoding_for_model(model_name: str) -> Encoding: ...
def encoding_name_for_model(model: str) -> str: ...
def list_encoding_names() -> list[str]: ...
def count_tokens(text: str, model: Optional[str] = ..., encoding: Optional[str] = ...) -> int: ...
def count_chat(
    messages: Sequence[Mapping[str, object]], model: str, tools: Optional[Sequence[Mapping[str, object]]] = None
) -> int: ...

class RequestCount:
    """A request's prompt tokens on a model, and how sure that is."""

    tokens: int
    exact: bool
    band_permille: Optional[tuple[int, int]]
    """Expected error of the provider's count relative to ``tokens``, per mille (None: uncalibrated)."""
    band: Optional[str]
    tokenizer: str
    profile: str
    note: str

def count_request(
    model: str,
    request: Union[str, Mapping[str, object]],
    format: Literal["openai-chat", "openai-responses", "anthropic-messages", "gemini", "ai-sdk"] = "openai-chat",
) -> RequestCount:
    """The prompt tokens of a request body (a dict or its JSON text) as its provider
    documents it: exact with the model's own tokenizer, else an approximation
    (``exact=False``) with its band where recorded figures back one."""

class Usage:
    """Quantities a request consumed, in disjoint classes."""

    def __init__(
        self,
        input_tokens: int = 0,
        cached_input_tokens: int = 0,
        cache_write_tokens: int = 0,
        cache_write_1h_tokens: int = 0,
        output_tokens: int = 0,
        reasoning_tokens: int = 0,
        audio_input_tokens: int = 0,
        audio_output_tokens: int = 0,
        image_input_tokens: int = 0,
        image_output_tokens: int = 0,
        cache_write_12h_tokens: int = 0,
        video_input_tokens: int = 0,
        video_output_tokens: int = 0,
        cached_audio_input_tokens: int = 0,
        cached_image_input_tokens: int = 0,
        explicit_cached_input_tokens: int = 0,
        requests: int = 1,
        images: int = 0,
        seconds: int = 0,
        web_search_requests: int = 0,
        maps_grounding_requests: int = 0,
        characters: int = 0,
        pages: int = 0,
        annotation_pages: int = 0,
        queries: int = 0,
        citation_tokens: int = 0,
    ) -> None: ...
    @staticmethod
    def from_openai(usage: Mapping[str, object]) -> Usage: ...
    @staticmethod
    def from_openai_responses(usage: Mapping[str, object]) -> Usage: ...
    @staticmethod
    def from_anthropic(usage: Mapping[str, object]) -> Usage: ...
    @staticmethod
    def from_gemini(usage: Mapping[str, object]) -> Usage: ...
    @staticmethod
    def from_dict(usage: Mapping[str, object]) -> Usage: ...
    input_tokens: int
    cached_input_tokens: int
    cache_write_tokens: int
    cache_write_1h_tokens: int
    output_tokens: int
    reasoning_tokens: int
    audio_input_tokens: int
    audio_output_tokens: int
    image_input_tokens: int
    image_output_tokens: int
    cache_write_12h_tokens: int
    video_input_tokens: int
    video_output_tokens: int
    cached_audio_input_tokens: int
    cached_image_input_tokens: int
    explicit_cached_input_tokens: int
    requests: int
    images: int
    seconds: int
    web_search_requests: int
    maps_grounding_requests: int
    characters: int
    pages: int
    annotation_pages: int
    queries: int
    citation_tokens: int
    prompt_tokens: int
    total_tokens: int
    def to_dict(self) -> dict[str, int]: ...
    def __add__(self, other: Usage) -> Usage: ...

class CostLine:
    item: str
    quantity: int
    unit_price: Decimal
    per: int
    amount: Decimal

class Cost:
    total: Decimal
    rounded: Decimal
    currency: str
    lines: list[CostLine]
    schedule: str
    usage: Usage
    warnings: list[str]
    tokenizer: Optional[str]
    approximate: bool

class Catalog:
    @staticmethod
    def bundled(*, ignore_unknown_price_fields: bool = False) -> Catalog: ...
    @staticmethod
    def update(source: str = ..., *, catalog_dir: Optional[str] = None, timeout: int = 60) -> dict[str, object]: ...
    @staticmethod
    def history(*, catalog_dir: Optional[str] = None) -> list[dict[str, object]]: ...
    @staticmethod
    def at(date: str, *, catalog_dir: Optional[str] = None, ignore_unknown_price_fields: bool = False) -> Catalog: ...
    @staticmethod
    def from_file(path: str, *, extend_bundled: bool = True, ignore_unknown_price_fields: bool = False) -> Catalog: ...
    @staticmethod
    def from_dict(
        prices: Mapping[str, object], *, extend_bundled: bool = True, source: str = "dict", ignore_unknown_price_fields: bool = False
    ) -> Catalog: ...
    def lookup(self, model: str) -> dict[str, object]: ...
    def models(self) -> list[str]: ...
    def __len__(self) -> int: ...
    def __contains__(self, model: str) -> bool: ...

class Schedule:
    @staticmethod
    def from_file(path: str) -> Schedule: ...
    @staticmethod
    def from_dict(spec: Mapping[str, object]) -> Schedule: ...
    @staticmethod
    def from_toml(text: str) -> Schedule: ...
    @staticmethod
    def bundled(name: str) -> Schedule: ...
    @property
    def name(self) -> str: ...
    @property
    def schedules(self) -> list[str]: ...

def price(
    model: str,
    usage: Usage,
    *,
    batch: bool = False,
    service: Optional[str] = None,
    at: Optional[_Timestamp] = None,
    tier: Optional[str] = None,
    catalog: Optional[Catalog] = None,
    schedule: Union[Schedule, str, None] = None,
    region: Optional[str] = None,
    fedramp: bool = False,
    endpoint: Optional[str] = None,
    speed: Optional[str] = None,
    search_context_size: Optional[str] = None,
    resolution: Optional[str] = None,
) -> Cost: ...
def estimate(
    text: str,
    model: str,
    output_tokens: int = 0,
    *,
    encoding: Optional[str] = None,
    tokenizer: Optional[str] = None,
    batch: bool = False,
    service: Optional[str] = None,
    catalog: Optional[Catalog] = None,
    schedule: Union[Schedule, str, None] = None,
    region: Optional[str] = None,
    fedramp: bool = False,
    endpoint: Optional[str] = None,
    speed: Optional[str] = None,
) -> Cost: ...
def gtc_tiers() -> list[tuple[str, Decimal, Optional[str], list[str]]]: ...
def capacity_plan(
    megawatts: _Amount, hours: _Amount, tokens_per_second_per_mw: Mapping[str, _Amount], shares: Optional[Mapping[str, _Amount]] = None
) -> dict[str, object]: ...

class Meter:
    def __init__(
        self,
        store: Optional[str] = None,
        *,
        journal: Optional[str] = None,
        catalog: Optional[Catalog] = None,
        schedule: Union[Schedule, str, None] = None,
        fsync: str = "always",
    ) -> None: ...
    def __len__(self) -> int: ...
    @property
    def location(self) -> str: ...
    @property
    def recovery(self) -> Optional[Mapping[str, int]]: ...
    def close(self) -> None: ...
    def __enter__(self) -> Meter: ...
    def __exit__(self, *exc: object) -> bool: ...
    def record(
        self,
        event_id: str,
        customer: str,
        model: str,
        usage: Usage,
        timestamp: Optional[_Timestamp] = None,
        *,
        service: str = "standard",
        provider: Optional[str] = None,
        request_id: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
        region: Optional[str] = None,
        fedramp: bool = False,
        endpoint: Optional[str] = None,
        speed: Optional[str] = None,
        search_context_size: Optional[str] = None,
        resolution: Optional[str] = None,
    ) -> bool: ...
    def record_log(self, path: str, *, continue_on_error: bool = False) -> dict[str, object]: ...
    def merge(self, other: Meter) -> dict[str, object]: ...
    def snapshot(self) -> list[str]: ...
    @staticmethod
    def restore(lines: Sequence[str], *, catalog: Optional[Catalog] = None, schedule: Union[Schedule, str, None] = None) -> Meter: ...
    def set_budget(self, customer: str, amount: _Amount, currency: str = "USD") -> None: ...
    def spent(self, customer: str, currency: str = "USD") -> Decimal: ...
    def authorize(self, customer: str, model: str, estimate: Usage, *, service: str = "standard") -> dict[str, object]: ...
    def settle(
        self, reservation: int, event_id: str, customer: str, model: str, usage: Usage, timestamp: Optional[_Timestamp] = None
    ) -> bool: ...
    def release(self, reservation: int) -> bool: ...
    def aggregate(self, group_by: Optional[Sequence[str]] = None) -> list[dict[str, object]]: ...
    def invoice(
        self,
        group_by: Optional[Sequence[str]] = None,
        period: Optional[str] = None,
        *,
        start: Optional[str] = None,
        end: Optional[str] = None,
    ) -> dict[str, object]: ...
    @staticmethod
    def summing(
        *,
        catalog: Optional[Catalog] = None,
        schedule: Union[Schedule, str, None] = None,
        group_by: Optional[Sequence[str]] = None,
        period: Optional[str] = None,
        start: Optional[str] = None,
        end: Optional[str] = None,
    ) -> Meter: ...
    def record_lines(self, lines: object) -> Any: ...
    def partial_sums(
        self,
        group_by: Optional[Sequence[str]] = None,
        period: Optional[str] = None,
        *,
        start: Optional[str] = None,
        end: Optional[str] = None,
    ) -> Any: ...
    def add_partial_sums(self, sums: object) -> None: ...
    def to_cloudevents(self, source: str) -> list[str]: ...
    def sync(self) -> None: ...
