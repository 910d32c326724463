// The declarations of the JavaScript shared by tokfare's Node and browser packages
// (bindings-js/src): the error classes, `Usage`, and the methods every `Encoding` and
// `Tokenizer` has (each package's class declaration merges `EncodingMethods` /
// `TokenizerMethods` in). Each package's declarations re-export these.

/** Names of the OpenAI encodings. */
export type EncodingName = 'gpt2' | 'r50k_base' | 'p50k_base' | 'p50k_edit' | 'cl100k_base' | 'o200k_base' | 'o200k_harmony' | (string & {});

/** An OpenAI-style chat message. */
export interface ChatMessage {
  role: string;
  content?: string | null | ReadonlyArray<{ type: string; text?: string }>;
  name?: string;
  tool_calls?: ReadonlyArray<{ id?: string; type?: 'function'; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

/** An OpenAI-style tool definition (`{ type: "function", function: { name, description, parameters } }`). */
export interface ToolDefinition {
  type?: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** A decimal amount as a string, exact (e.g. `"0.0125"`). Never a JS number. */
export type DecimalString = string;

/** A provider service level. */
export type Service = 'standard' | 'batch' | 'flex' | 'priority' | 'ultrafast' | 'balanced' | 'decisions';

export type SpecialTokens = 'all' | readonly string[] | ReadonlySet<string>;

export interface EncodeOptions {
  /** Special tokens to encode as special tokens (default: none). */
  allowedSpecial?: SpecialTokens;
  /** Special tokens whose text is an error (default: all not allowed); `[]` encodes them as ordinary text. */
  disallowedSpecial?: SpecialTokens;
}

/** Token ids: a `Uint32Array`, another typed array or an array of numbers. */
export type TokenIds = Uint32Array | ArrayLike<number>;

/** tiktoken's API, the same in Node and in the browser. */
export interface EncodingMethods {
  /**
   * Token ids of `text`. By default text that spells a special token throws
   * `DisallowedSpecialTokenError` (tiktoken's rule); `allowedSpecial: "all"` encodes them as
   * special tokens, `disallowedSpecial: []` as ordinary text.
   */
  encode(text: string, options?: EncodeOptions): Uint32Array;
  /** Token ids of `text`, with special-token text encoded as ordinary text. */
  encodeOrdinary(text: string): Uint32Array;
  /** `[ids, offsets]`: ordinary ids and the UTF-8 byte offset where each token starts. */
  encodeWithByteOffsets(text: string): [Uint32Array, Uint32Array];
  /**
   * The text of token ids. Bytes that are not valid UTF-8 become U+FFFD (as with
   * `TextDecoder`) unless `fatal`, which throws `InvalidUtf8Error`. An unknown id throws
   * `UnknownTokenIdError`.
   */
  decode(ids: TokenIds, options?: { fatal?: boolean }): string;
  /** The bytes of token ids. */
  decodeBytes(ids: TokenIds): Uint8Array;
  /** The bytes of one token. */
  decodeSingleTokenBytes(id: number): Uint8Array;
  /**
   * Number of tokens in `text`, without building the ids. Without options special-token
   * text counts as ordinary text (what an API bills for user content); with options,
   * special tokens follow the rules of `encode`.
   */
  countTokens(text: string, options?: EncodeOptions): number;
  /** `false` if `text` has more than `limit` tokens, else its count; stops as soon as the limit is passed. */
  isWithinTokenLimit(text: string, limit: number): number | false;
  /** The longest prefix of `text` with at most `maxTokens` tokens, cut on a token boundary. */
  truncate(text: string, maxTokens: number): string;
  /** `text` cut into consecutive pieces of at most `maxTokens` (≥ 1) tokens, on token boundaries. */
  chunks(text: string, maxTokens: number): string[];
}

/** Hugging Face `tokenizers`' API, the same in Node and in the browser. */
export interface TokenizerMethods {
  /** Token ids, as HF `encode(text, addSpecialTokens).ids`; `addSpecialTokens` adds the post-processor's BOS/EOS. */
  encode(text: string, options?: { addSpecialTokens?: boolean }): Uint32Array;
  /** Token ids with special tokens read as plain text (for user input). */
  encodeOrdinary(text: string): Uint32Array;
  /** Number of tokens of `text` (as `encode`), without building the ids. */
  countTokens(text: string): number;
  /** `false` if `text` has more than `limit` tokens (stopping early), else the count. */
  isWithinTokenLimit(text: string, limit: number): number | false;
  /** Whether `id` is an added token marked special. */
  isSpecialToken(id: number): boolean;
  /** HF `decode`: invalid UTF-8 becomes U+FFFD; an unknown id throws `UnknownTokenIdError`. */
  decode(ids: TokenIds, options?: { skipSpecialTokens?: boolean }): string;
  /** The bytes the ids stand for. */
  decodeBytes(ids: TokenIds, options?: { skipSpecialTokens?: boolean }): Uint8Array;
}

/** Counts for `new Usage(...)`; each a non-negative integer, absent = 0 (`requests`: 1). */
export interface UsageCounts {
  inputTokens?: number;
  cachedInputTokens?: number;
  /** Cache writes with a 5-minute lifetime. */
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  outputTokens?: number;
  reasoningTokens?: number;
  audioInputTokens?: number;
  audioOutputTokens?: number;
  imageInputTokens?: number;
  imageOutputTokens?: number;
  /** Cache writes with a 12-hour lifetime (OpenAI extended retention). */
  cacheWrite12hTokens?: number;
  videoInputTokens?: number;
  videoOutputTokens?: number;
  /** Audio prompt tokens served from the cache. */
  cachedAudioInputTokens?: number;
  /** Image prompt tokens served from the cache. */
  cachedImageInputTokens?: number;
  /** Prompt tokens served from an explicit (ephemeral) cache (Dashscope). */
  explicitCachedInputTokens?: number;
  requests?: number;
  images?: number;
  seconds?: number;
  /** Web-search queries (or grounded prompts) the provider ran. */
  webSearchRequests?: number;
  /** Google Maps grounding queries (or grounded prompts). */
  mapsGroundingRequests?: number;
  /** Characters billed per character (text-to-speech input). */
  characters?: number;
  /** Document pages processed (OCR). */
  pages?: number;
  /** Pages annotated (OCR annotations). */
  annotationPages?: number;
  /** Queries billed per query (rerank, search). */
  queries?: number;
  /** Citation tokens (Perplexity), billed only where the model prices them. */
  citationTokens?: number;
}

/**
 * Where and how a request ran: what uplift multipliers and web-search prices depend on
 * (docs/catalog.md). Unstated is the provider's default; unknown values throw.
 */
export interface RequestConditions {
  /** Data residency / inference geography. */
  region?: 'global' | 'us' | 'eu';
  /** A FedRAMP deployment. */
  fedramp?: boolean;
  /** `global`, `regional`, or a regional location such as `us-east5`. */
  endpoint?: string;
  /** Anthropic fast mode. */
  speed?: 'standard' | 'fast';
  /** The web-search context size asked for (default medium). */
  searchContextSize?: 'low' | 'medium' | 'high';
  /** The resolution of generated video or images, for prices by resolution (`720p`, `1080p`, `2K` ...). */
  resolution?: string;
}

/**
 * Quantities one request consumed, in disjoint classes (input excludes cached input,
 * output excludes reasoning, ...). Throws `InvalidUsageError` for negative or fractional
 * counts and unknown fields.
 */
export declare class Usage implements Required<UsageCounts> {
  constructor(counts?: UsageCounts);
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheWriteTokens: number;
  readonly cacheWrite1hTokens: number;
  readonly outputTokens: number;
  readonly reasoningTokens: number;
  readonly audioInputTokens: number;
  readonly audioOutputTokens: number;
  readonly imageInputTokens: number;
  readonly imageOutputTokens: number;
  readonly cacheWrite12hTokens: number;
  readonly videoInputTokens: number;
  readonly videoOutputTokens: number;
  readonly cachedAudioInputTokens: number;
  readonly cachedImageInputTokens: number;
  readonly explicitCachedInputTokens: number;
  readonly requests: number;
  readonly images: number;
  readonly seconds: number;
  readonly webSearchRequests: number;
  readonly mapsGroundingRequests: number;
  readonly characters: number;
  readonly pages: number;
  readonly annotationPages: number;
  readonly queries: number;
  readonly citationTokens: number;
  /** From an OpenAI Chat Completions `usage` object. */
  static fromOpenAI(usage: object): Usage;
  /** From an OpenAI Responses API `usage` object. */
  static fromOpenAIResponses(usage: object): Usage;
  /** From an Anthropic Messages `usage` object. */
  static fromAnthropic(usage: object): Usage;
  /** From a Gemini `usageMetadata` object. */
  static fromGemini(usage: object): Usage;
  /** From any provider's usage object, recognised by its fields. */
  static fromProvider(usage: object): Usage;
  /** The sum of two usages (`OverflowError` past 2^64 - 1 in a class). */
  add(other: Usage | UsageCounts): Usage;
  /** tokfare's own form: the non-zero classes and `requests` (`{ input, cached_input, ... }`). */
  toJSON(): Record<string, number>;
}

/**
 * Base class of every error tokfare throws; `code` is stable (`TOKFARE_UNKNOWN_MODEL`, ...).
 * The engine's fields (`tokfare::Error::fields`) are properties, present when the error has them.
 */
export declare class TokfareError extends Error {
  readonly code: string;
  static readonly code: string;
  /** 1-based line of a usage log, rank file or other line-based input. */
  readonly line?: number;
  /** JSON path of the bad field (`usage.prompt_tokens`, `$.model.merges[3]`, a schedule's path). */
  readonly field?: string;
  /** Why the input was refused (the message says the same with context). */
  readonly reason?: string;
  /** The argument that was refused (InvalidArgumentError). */
  readonly argument?: string;
  /** The model asked for (UnknownModelError, UnknownModelPriceError, TokenizerFileNeededError). */
  readonly model?: string;
  /** Close known names (UnknownModelPriceError). */
  readonly suggestions?: string[];
  /** A bundled schedule set that prices the model, not in the price book (UnknownModelPriceError). */
  readonly bundled_set?: string;
  /** The encoding asked for (UnknownEncodingError, EncodingNotBuiltError). */
  readonly encoding?: string;
  /** Known names (UnknownEncodingError). */
  readonly known?: string[];
  /** The cargo feature a build left out (EncodingNotBuiltError, FeatureNotBuiltError). */
  readonly feature?: string;
  /** What a build left out (FeatureNotBuiltError). */
  readonly what?: string;
  /** The disallowed special token and its offset (DisallowedSpecialTokenError). */
  readonly token?: string;
  readonly offset?: number;
  /** The unknown token id (UnknownTokenIdError). */
  readonly id?: number;
  /** Bytes that were valid UTF-8 before the error (InvalidUtf8Error, InvalidInputUtf8Error). */
  readonly valid_up_to?: number;
  /** The tokenizer.json a model needs, and where it comes from (TokenizerFileNeededError). */
  readonly tokenizer?: string;
  readonly origin?: string;
  /** The event id recorded with other content (ConflictingEventError). */
  readonly event_id?: string;
  /** The journal file (JournalError), the meter store (StoreError), or the catalog source or store (CatalogUpdateError). */
  readonly path?: string;
}
export declare class UnknownEncodingError extends TokfareError {}
export declare class EncodingNotBuiltError extends TokfareError {}
/** Something this build leaves out (a build without a cargo feature it needs). */
export declare class FeatureNotBuiltError extends TokfareError {}
export declare class UnknownModelError extends TokfareError {}
export declare class DisallowedSpecialTokenError extends TokfareError {}
export declare class UnknownTokenIdError extends TokfareError {}
export declare class NotASingleTokenError extends TokfareError {}
export declare class InvalidUtf8Error extends TokfareError {}
export declare class InvalidInputUtf8Error extends TokfareError {}
export declare class InvalidRankFileError extends TokfareError {}
/** A tokenizer.json that is not valid; the message names the bad field's JSON path. */
export declare class InvalidTokenizerFileError extends TokfareError {}
/** A valid tokenizer.json using a feature the native engine does not implement. */
export declare class UnsupportedTokenizerError extends TokfareError {}
/** An open-weight model whose tokenizer is not bundled: load its tokenizer.json. */
export declare class TokenizerFileNeededError extends TokfareError {}
export declare class InvalidVocabularyError extends TokfareError {}
export declare class InvalidPatternError extends TokfareError {}
export declare class PatternRuntimeError extends TokfareError {}
/** An argument of the wrong type or outside its domain (`TOKFARE_INVALID_ARGUMENT`). */
export declare class InvalidArgumentError extends TokfareError {}
export declare class InvalidMoneyError extends TokfareError {}
/** A malformed schedule; the message names the bad field. */
export declare class InvalidScheduleError extends TokfareError {}
export declare class InvalidCatalogError extends TokfareError {}
/** A usage object that cannot be read (negative counts, parts larger than their whole, ...). */
export declare class InvalidUsageError extends TokfareError {}
/** No price is known for the model; the message suggests close names. */
export declare class UnknownModelPriceError extends UnknownModelError {}
/** A catalog price rule tokfare does not apply (`model`, `field`, `reason`): refused rather than priced wrong. */
export declare class UnsupportedPriceError extends TokfareError {}
/** Fetching or storing a catalog snapshot failed (`path`, `reason`); the current snapshot is unchanged. */
export declare class CatalogUpdateError extends TokfareError {}
export declare class ConflictingEventError extends TokfareError {}
export declare class JournalError extends TokfareError {}
export declare class StoreError extends TokfareError {}
export declare class OverflowError extends TokfareError {}
