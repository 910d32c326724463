// Type declarations of the `tokfare-wasm` package (ESM).

export type EncodingName = 'gpt2' | 'r50k_base' | 'p50k_base' | 'p50k_edit' | 'cl100k_base' | 'o200k_base' | 'o200k_harmony' | (string & {});
export type SpecialTokens = 'all' | readonly string[] | ReadonlySet<string>;
export interface EncodeOptions {
  /** Special tokens to encode as special tokens (default: none). */
  allowedSpecial?: SpecialTokens;
  /** Special tokens whose text is an error (default: all not allowed); `[]` encodes them as ordinary text. */
  disallowedSpecial?: SpecialTokens;
}

/** Where `pkg/` and `vocab/` are served from, if not next to the package (a CDN, a bundler's output). */
export declare function setAssetBase(url: string | URL): void;
/**
 * Loads the tokenizer engine and the pricing module (once each, in parallel); the
 * pricing functions (`price`, `estimate`, `Usage.from*`, `Schedule`, `Catalog`,
 * `gtcTiers`) need it done. `getEncoding` and `getTokenizer` load the engine alone.
 * `{ pricing: false }` loads only the engine.
 */
export declare function ready(options?: { pricing?: boolean }): Promise<void>;

/** A tokenizer with tiktoken's exact ids. Instances are shared and never need freeing. */
export declare class Encoding {
  private constructor();
  readonly name: string;
  readonly nVocab: number;
  readonly maxTokenValue: number;
  readonly eotToken: number | undefined;
  readonly specialTokens: Readonly<Record<string, number>>;
  /** Token ids; text spelling a special token throws `DisallowedSpecialTokenError` unless allowed. */
  encode(text: string, options?: EncodeOptions): Uint32Array;
  encodeOrdinary(text: string): Uint32Array;
  /** `[ids, offsets]`: ordinary ids and the UTF-8 byte offset where each token starts. */
  encodeWithByteOffsets(text: string): [Uint32Array, Uint32Array];
  /** Text of ids; invalid UTF-8 becomes U+FFFD unless `fatal` (then `InvalidUtf8Error`). */
  decode(ids: Uint32Array | readonly number[], options?: { fatal?: boolean }): string;
  decodeBytes(ids: Uint32Array | readonly number[]): Uint8Array;
  decodeSingleTokenBytes(id: number): Uint8Array;
  /** Number of tokens; special-token text counts as ordinary text unless options are given. */
  countTokens(text: string, options?: EncodeOptions): number;
  /** `false` past `limit`, else the count; stops once past the limit. */
  isWithinTokenLimit(text: string, limit: number): number | false;
  truncate(text: string, maxTokens: number): string;
  chunks(text: string, maxTokens: number): string[];
  /** Tokens of chat messages as `model` bills them; this must be `model`'s encoding. */
  countChat(messages: readonly ChatMessage[], model: string, options?: { tools?: readonly ToolDefinition[] }): number;
}

/** The encoding `name`; its vocabulary (0.4–1.8 MB) is fetched on first use, then shared. */
export declare function getEncoding(name: EncodingName): Promise<Encoding>;

/**
 * A Hugging Face `tokenizer.json` byte-level BPE tokenizer, with the semantics of HF
 * `tokenizers` 0.23 (added tokens in the text are recognised).
 */
export declare class Tokenizer {
  private constructor();
  /** From the contents of a `tokenizer.json`; the engine must be loaded (`await ready({ pricing: false })` or any `getEncoding`). */
  static fromJSON(json: string | Uint8Array, name?: string): Tokenizer;
  readonly name: string;
  /** `native bpe, scanner:qwen2`, ... */
  readonly engine: string;
  readonly nVocab: number;
  encode(text: string, options?: { addSpecialTokens?: boolean }): Uint32Array;
  encodeOrdinary(text: string): Uint32Array;
  countTokens(text: string): number;
  isWithinTokenLimit(text: string, limit: number): number | false;
  isSpecialToken(id: number): boolean;
  decode(ids: Uint32Array | readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  decodeBytes(ids: Uint32Array | readonly number[], options?: { skipSpecialTokens?: boolean }): Uint8Array;
}

/** A bundled tokenizer (`qwen3`) or an open-weight model's (`Qwen/Qwen3-8B`), its asset fetched on first use. */
export declare function getTokenizer(nameOrModel: string): Promise<Tokenizer>;
export declare function encodingForModel(model: string): Promise<Encoding>;
/** The encoding name of a model (after `ready()`). */
export declare function encodingNameForModel(model: string): EncodingName;
export declare function listEncodingNames(): EncodingName[];

export interface ChatMessage {
  role: string;
  content?: string | null | ReadonlyArray<{ type: string; text?: string }>;
  name?: string;
  tool_calls?: ReadonlyArray<{ id?: string; type?: 'function'; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}
export interface ToolDefinition {
  type?: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface UsageCounts {
  inputTokens?: number; cachedInputTokens?: number; cacheWriteTokens?: number; cacheWrite1hTokens?: number;
  outputTokens?: number; reasoningTokens?: number; audioInputTokens?: number; audioOutputTokens?: number;
  imageInputTokens?: number; imageOutputTokens?: number; requests?: number; images?: number; seconds?: number;
}
/** Quantities one request consumed, in disjoint classes. */
export declare class Usage implements Required<UsageCounts> {
  constructor(counts?: UsageCounts);
  readonly inputTokens: number; readonly cachedInputTokens: number; readonly cacheWriteTokens: number;
  readonly cacheWrite1hTokens: number; readonly outputTokens: number; readonly reasoningTokens: number;
  readonly audioInputTokens: number; readonly audioOutputTokens: number; readonly imageInputTokens: number;
  readonly imageOutputTokens: number; readonly requests: number; readonly images: number; readonly seconds: number;
  static fromOpenAI(usage: object): Usage;
  static fromOpenAIResponses(usage: object): Usage;
  static fromAnthropic(usage: object): Usage;
  static fromGemini(usage: object): Usage;
  static fromProvider(usage: object): Usage;
  /** tokfare's own JSON usage form. */
  toJSON(): Record<string, number>;
}

export type DecimalString = string;
export interface Cost {
  readonly total: DecimalString;
  readonly rounded: DecimalString;
  readonly currency: string;
  readonly schedule: string;
  readonly lines: { item: string; quantity: number; unitPrice: DecimalString; per: number; amount: DecimalString }[];
  readonly usage: Usage;
}
export type Service = 'standard' | 'batch' | 'flex' | 'priority';

export declare class Schedule {
  private constructor();
  static fromTOML(text: string): Schedule;
  static fromJSON(spec: string | object): Schedule;
  static bundled(name: 'gtc-2026' | (string & {})): Schedule;
  readonly name: string;
}

/** The exact cost of one request (decimal strings). Needs `await ready()`. */
export declare function price(
  model: string,
  usage: Usage | UsageCounts,
  options?: { batch?: boolean; service?: Service; at?: Date | string | number; tier?: string; schedule?: Schedule | 'gtc-2026' },
): Cost;
/** `text` tokenized with `encoding`, priced for `model` as input plus `outputTokens` of output. Needs `await ready()`. */
export declare function estimate(encoding: Encoding, text: string, model: string, options?: { outputTokens?: number; batch?: boolean; service?: Service }): Cost;

export interface CatalogEntry {
  model: string; resolution: string; provider?: string; mode?: string; maxInputTokens?: number; maxOutputTokens?: number;
  /** When the prices took effect, `YYYY-MM-DD`. */
  effectiveDate?: string;
  source: string;
  ratesPerMillion: Record<string, DecimalString>;
}
/** The bundled model price catalog. */
export declare const Catalog: {
  lookup(model: string): CatalogEntry;
  has(model: string): boolean;
  models(): string[];
};
export declare function gtcTiers(): { name: string; pricePerMillion: DecimalString; description?: string; models: string[] }[];

export declare class TokfareError extends Error {
  readonly code: string;
  static readonly code: string;
}
export declare class UnknownEncodingError extends TokfareError {}
export declare class EncodingNotBuiltError extends TokfareError {}
/** Something this build leaves out: the WASM engine has no general regex engine, so a tokenizer.json whose pattern has no built-in scanner is refused. */
export declare class FeatureNotBuiltError extends TokfareError {}
export declare class UnknownModelError extends TokfareError {}
export declare class DisallowedSpecialTokenError extends TokfareError {}
export declare class UnknownTokenIdError extends TokfareError {}
export declare class NotASingleTokenError extends TokfareError {}
export declare class InvalidUtf8Error extends TokfareError {}
export declare class InvalidInputUtf8Error extends TokfareError {}
export declare class InvalidRankFileError extends TokfareError {}
export declare class InvalidVocabularyError extends TokfareError {}
export declare class InvalidTokenizerFileError extends TokfareError {}
export declare class UnsupportedTokenizerError extends TokfareError {}
export declare class TokenizerFileNeededError extends TokfareError {}
export declare class InvalidPatternError extends TokfareError {}
export declare class PatternRuntimeError extends TokfareError {}
export declare class InvalidArgumentError extends TokfareError {}
export declare class InvalidMoneyError extends TokfareError {}
export declare class InvalidScheduleError extends TokfareError {}
export declare class InvalidCatalogError extends TokfareError {}
export declare class InvalidUsageError extends TokfareError {}
export declare class UnknownModelPriceError extends UnknownModelError {}
export declare class ConflictingEventError extends TokfareError {}
export declare class JournalError extends TokfareError {}
export declare class OverflowError extends TokfareError {}
