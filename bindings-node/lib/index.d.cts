// Type declarations of the `tokfare` package (CommonJS and, through index.d.mts, ESM).

import type {
  ChatMessage, DecimalString, EncodeOptions, EncodingMethods, EncodingName, RequestConditions, Service, TokenizerMethods, ToolDefinition, Usage,
  UsageCounts,
} from './shared.cjs';
/** The error classes and `Usage`: declared once for the Node and browser packages (bindings-js/src/index.d.ts). */
export * from './shared.cjs';

export interface AsyncOptions {
  /** Rejects the promise with an `AbortError` if aborted before the work starts. */
  signal?: AbortSignal;
}

/**
 * A tokenizer with tiktoken's exact ids. Get one with `getEncoding(name)` or
 * `encodingForModel(model)`; instances are shared and immutable.
 */
/** The methods of tiktoken's API (declared once for both packages: bindings-js/src/index.d.ts). */
export interface Encoding extends EncodingMethods {}
export declare class Encoding {
  private constructor();
  /**
   * A custom encoding, like `new tiktoken.Encoding(...)`: the contents of a `.tiktoken`
   * rank file, a pre-tokenization pattern and special tokens (token -> id).
   */
  static custom(options: {
    name: string;
    patStr: string;
    rankFile: Uint8Array | string;
    specialTokens?: Record<string, number> | Map<string, number>;
  }): Encoding;
  /** The encoding's name, e.g. `o200k_base`. */
  readonly name: string;
  /** Number of tokens, special ones included. */
  readonly nVocab: number;
  /** The largest token id. */
  readonly maxTokenValue: number;
  /** The id of `<|endoftext|>`, if the encoding has it. */
  readonly eotToken: number | undefined;
  /** The pre-tokenization regex. */
  readonly patStr: string;
  /** Special token -> id. */
  readonly specialTokens: Record<string, number>;
  /** Whether `id` is one of the encoding's special tokens. */
  isSpecialToken(id: number): boolean;
  /** The id of one token given as bytes or text (`NotASingleTokenError` otherwise). */
  encodeSingleToken(token: string | Uint8Array): number;
  /** `encode` over many texts, on all cores. */
  encodeBatch(texts: readonly string[], options?: EncodeOptions): Uint32Array[];
  /** `countTokens` over many texts, on all cores. */
  countTokensBatch(texts: readonly string[]): number[];
  /** `encode` on the libuv thread pool (the event loop stays free). */
  encodeAsync(text: string, options?: EncodeOptions & AsyncOptions): Promise<Uint32Array>;
  /** `countTokens` on the libuv thread pool. */
  countTokensAsync(text: string, options?: AsyncOptions): Promise<number>;
  /** `encodeBatch` off the event loop. */
  encodeBatchAsync(texts: readonly string[], options?: EncodeOptions & AsyncOptions): Promise<Uint32Array[]>;
  /** `countTokensBatch` off the event loop. */
  countTokensBatchAsync(texts: readonly string[], options?: AsyncOptions): Promise<number[]>;
  /** Tokens of chat messages for `model` (see the top-level `countChat`). */
  countChat(messages: readonly ChatMessage[], model: string, options?: { tools?: readonly ToolDefinition[] }): number;
}

/**
 * A Hugging Face `tokenizer.json` tokenizer (Qwen 3 bundled; Llama 3, DeepSeek V3 or any
 * other from a file), with the semantics of HF `tokenizers` 0.23: added tokens in the
 * text (`<|im_start|>`) are recognised. Byte-level BPE files run natively; others on the
 * `tokenizers` engine (`engine` says which).
 */
/** The methods of Hugging Face's API (declared once for both packages: bindings-js/src/index.d.ts). */
export interface Tokenizer extends TokenizerMethods {}
export declare class Tokenizer {
  private constructor();
  /** A `tokenizer.json` file, or a folder holding one. */
  static fromFile(path: string): Tokenizer;
  /** The contents of a `tokenizer.json`. */
  static fromJSON(json: string | Uint8Array, name?: string): Tokenizer;
  /** A tokenizer bundled with tokfare: `qwen3`. */
  static bundled(name: 'qwen3' | (string & {})): Tokenizer;
  /** The tokenizer of an open-weight model (`Qwen/Qwen3-8B`); `TokenizerFileNeededError` otherwise. */
  static forModel(model: string): Tokenizer;
  /** The file path, or the bundled name. */
  readonly name: string;
  /** `native bpe, scanner:qwen2`, ... or `tokenizers` (the fallback engine). */
  readonly engine: string;
  /** Whether tokfare's own engine runs this file. */
  readonly isNative: boolean;
  /** One more than the largest id. */
  readonly nVocab: number;
  /** `encode` over many texts, on all cores. */
  encodeBatch(texts: readonly string[], options?: { addSpecialTokens?: boolean }): Uint32Array[];
  /** `countTokens` over many texts, on all cores. */
  countTokensBatch(texts: readonly string[]): number[];
  /** `encode` on the libuv thread pool (the event loop stays free). */
  encodeAsync(text: string, options?: { addSpecialTokens?: boolean } & AsyncOptions): Promise<Uint32Array>;
  /** `countTokens` on the libuv thread pool. */
  countTokensAsync(text: string, options?: AsyncOptions): Promise<number>;
  /** `encodeBatch` off the event loop. */
  encodeBatchAsync(texts: readonly string[], options?: { addSpecialTokens?: boolean } & AsyncOptions): Promise<Uint32Array[]>;
  /** `countTokensBatch` off the event loop. */
  countTokensBatchAsync(texts: readonly string[], options?: AsyncOptions): Promise<number[]>;
}

/** The encoding called `name` (loaded on first use, then shared). Throws `UnknownEncodingError`. */
export declare function getEncoding(name: EncodingName): Encoding;
/** The encoding `model` uses (`gpt-4o`, `gpt-4.1-mini`, `o3`, ...). Throws `UnknownModelError`. */
export declare function encodingForModel(model: string): Encoding;
/** The name of the encoding `model` uses. */
export declare function encodingNameForModel(model: string): EncodingName;
/** Every encoding in this build. */
export declare function listEncodingNames(): EncodingName[];
/** Tokens of `text` for a model or an encoding (ordinary text, as an API bills it). */
export declare function countTokens(text: string, options: { model: string } | { encoding: EncodingName }): number;

/** A request body's format (its provider's API). */
export type RequestFormat = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini' | 'ai-sdk';
export declare const REQUEST_FORMATS: readonly RequestFormat[];

/** A request's prompt tokens on a model, and how sure that is. */
export interface RequestCount {
  tokens: number;
  /** True when counted with the model's own tokenizer by an exact method. */
  exact: boolean;
  /** `[low, high]` per mille: the expected error of the provider's count relative to `tokens`; null when uncalibrated. */
  bandPermille: [number, number] | null;
  /** The band in words (`"-2.0%..+3.0%"`), or null. */
  band: string | null;
  /** The tokenizer that counted (`o200k_base`, `claude`, `qwen3` ...). */
  tokenizer: string;
  /** The profile that chose how to count (`openai`, `claude-4.5`, `gemini`, `fallback` ...). */
  profile: string;
  /** Why the count is approximate (`""` when exact). */
  note: string;
}

/**
 * The prompt tokens of a request body (an object, or its JSON text) as its provider
 * documents it: exact with the model's own tokenizer, else an approximation
 * (`exact: false`) with its band where recorded figures back one.
 */
export declare function countRequest(model: string, request: object | string, options?: { format?: RequestFormat }): RequestCount;

/**
 * Tokens of chat `messages` as `model` bills them in `prompt_tokens`: the per-message
 * overheads of its family, the reply primer, and the tool definitions when given.
 */
export declare function countChat(messages: readonly ChatMessage[], model: string, options?: { tools?: readonly ToolDefinition[] }): number;

export interface CostLine {
  /** What is charged (`input tokens`, `cached input tokens`, `requests`, ...). */
  item: string;
  quantity: number;
  /** Price of `per` units. */
  unitPrice: DecimalString;
  per: number;
  amount: DecimalString;
}

/** The exact cost of a request. */
export interface Cost {
  /** Exact, unrounded total. */
  readonly total: DecimalString;
  /** The total rounded as the schedule says (currency minor unit by default). */
  readonly rounded: DecimalString;
  readonly currency: string;
  /** The schedule that priced it (the catalog entry's model name for catalog prices). */
  readonly schedule: string;
  readonly lines: CostLine[];
  readonly usage: Usage;
  /** What the reader should know (the prompt is longer than the context window ...). */
  readonly warnings: string[];
  /** The tokenizer that counted the prompt (`estimate` only). */
  readonly tokenizer?: string;
  /** True when that tokenizer is not the model's own: the count is an approximation (with a warning). */
  readonly approximate: boolean;
}

/** What a catalog knows of a model. */
export interface CatalogEntry {
  model: string;
  /** How the asked name was matched (`Exact`, `Alias`, ...). */
  resolution: string;
  provider?: string;
  mode?: string;
  maxInputTokens?: number;
  maxOutputTokens?: number;
  /** The date the prices took effect, `YYYY-MM-DD`. */
  effectiveDate?: string;
  source: string;
  /** Token class -> USD per million tokens. */
  ratesPerMillion: Record<string, DecimalString>;
}

/** Model prices: the bundled LiteLLM snapshot, a file, or both. */
/** A stored catalog snapshot. */
export interface CatalogSnapshot {
  readonly path: string;
  readonly source: string;
  readonly sha256: string;
  readonly fetched_at: string;
  readonly entries: number;
}

/** What `Catalog.update` did: the new snapshot (null if unchanged) and the changes against the previous one. */
export interface CatalogUpdateReport {
  readonly stored: CatalogSnapshot | null;
  readonly previous: string;
  readonly added: string[];
  readonly removed: string[];
  readonly changed: { model: string; field: string; before: DecimalString; after: DecimalString; percent: DecimalString | null }[];
}

export declare class Catalog {
  private constructor();
  /**
   * The catalog shipped with tokfare. A model whose entry has a price rule tokfare does not
   * apply throws `UnsupportedPriceError` unless `ignoreUnknownPriceFields`.
   */
  static bundled(options?: { ignoreUnknownPriceFields?: boolean }): Catalog;
  /** A LiteLLM-format JSON file; by default its entries extend (and override) the bundled ones. */
  static fromFile(path: string, options?: { extendBundled?: boolean; ignoreUnknownPriceFields?: boolean }): Catalog;
  /** Downloads, validates, diffs and stores a newer price file (blocking); throws `CatalogUpdateError` and stores nothing on failure. */
  static update(options?: { from?: string; catalogDir?: string; timeout?: number }): Promise<CatalogUpdateReport>;
  /** The stored snapshots, oldest first (the last is current). */
  static history(options?: { catalogDir?: string }): CatalogSnapshot[];
  /** The catalog in force on `date` (`YYYY-MM-DD`): the snapshot fetched last by then, else the bundled one. */
  static at(date: string, options?: { catalogDir?: string; ignoreUnknownPriceFields?: boolean }): Catalog;
  /** LiteLLM-format prices as JSON text or an object. */
  static fromJSON(prices: string | object, options?: { extendBundled?: boolean; source?: string; ignoreUnknownPriceFields?: boolean }): Catalog;
  /** Number of models. */
  readonly size: number;
  /** Whether a price is known for `model`. */
  has(model: string): boolean;
  /** What the catalog knows of `model`; throws `UnknownModelPriceError` (with suggestions). */
  lookup(model: string): CatalogEntry;
  /** Every model name. */
  models(): string[];
}

/** A set of declarative price schedules (docs/schedules.md), or the bundled `gtc-2026`. */
export declare class Schedule {
  private constructor();
  static fromFile(path: string): Schedule;
  static fromJSON(spec: string | object): Schedule;
  static fromTOML(text: string): Schedule;
  static bundled(name: 'gtc-2026' | (string & {})): Schedule;
  readonly name: string;
  /** The schedules' names, in matching order. */
  readonly schedules: string[];
}

export interface PriceOptions extends RequestConditions {
  /** Batch API prices (same as `service: "batch"`). */
  batch?: boolean;
  service?: Service;
  /** When the request ran (time-of-day rates): a Date, RFC 3339 string or epoch milliseconds. */
  at?: Date | string | number;
  /** A schedule tier to use instead of matching by model. */
  tier?: string;
  catalog?: Catalog;
  /** A Schedule, a bundled set's name or a schedule file path. */
  schedule?: Schedule | string;
}

/** The exact cost of one request to `model`. Throws `UnknownModelPriceError` (never prices at $0). */
export declare function price(model: string, usage: Usage | UsageCounts, options?: PriceOptions): Cost;
/** Tokenizes `text` for `model` and prices it as input plus `outputTokens` of output. */
export declare function estimate(
  text: string,
  model: string,
  options?: { outputTokens?: number; encoding?: EncodingName; tokenizer?: string; batch?: boolean; service?: Service; catalog?: Catalog; schedule?: Schedule | string } & RequestConditions,
): Cost;

export interface GtcTier {
  name: string;
  pricePerMillion: DecimalString;
  description?: string;
  /** Model name patterns in this tier. */
  models: string[];
}
/** The GTC 2026 tiers (Free, Medium, High, Premium, Ultra). */
export declare function gtcTiers(): GtcTier[];

/** A decimal quantity: a decimal string, a bigint or a safe integer. */
export type DecimalInput = string | bigint | number;

export interface CapacityPlan {
  tiers: { tier: string; share: DecimalString; pricePerMillion: DecimalString; tokens: DecimalString; revenue: DecimalString }[];
  totalTokens: DecimalString;
  totalRevenue: DecimalString;
  currency: string;
}
/** The GTC 2026 capacity planner: tokens and revenue per tier for `megawatts` over `hours`. */
export declare function capacityPlan(input: {
  megawatts: DecimalInput;
  hours: DecimalInput;
  tokensPerSecondPerMW: Record<string, DecimalInput>;
  /** Tier -> fraction of the power (default 25% each of free, medium, high, premium). */
  shares?: Record<string, DecimalInput>;
}): CapacityPlan;

export interface RecordOptions extends RequestConditions {
  /** When the request ran; default now (or, for a retry, the first record's time). */
  timestamp?: Date | string | number;
  service?: Service;
  provider?: string;
  requestId?: string;
  tags?: Record<string, string>;
}

export type GroupBy = 'customer' | 'model' | 'schedule' | 'hour' | 'day' | 'month';

export interface InvoiceLine {
  /** Dimension -> value of the line's group. */
  group: Record<string, string>;
  schedule: string;
  /** What is charged, and why at this rate when not the schedule's own (`input tokens (prompt above 200000 tokens)`). */
  item: string;
  /** Machine-readable item and basis (`tokens:input|ctx>200000`). */
  itemCode: string;
  /** Why the rate is what it is: a long-context tier, a service, a time window, another class's rate. */
  basis: { contextAbove?: number; service?: string; window?: string; rateOf?: string };
  quantity: number;
  unitPrice: DecimalString;
  per: number;
  /** Rounded as the schedule says. */
  amount: DecimalString;
  exactAmount: DecimalString;
  currency: string;
}

export interface Invoice {
  lines: InvoiceLine[];
  /** Currency -> sum of the rounded lines. */
  totals: Record<string, DecimalString>;
  events: number;
  /** Deprecation dates and ignored price fields of the models invoiced, each once. */
  warnings: string[];
  /** Canonical JSON rendering. */
  json: string;
  /** CSV rendering. */
  csv: string;
}

export interface Authorization {
  allowed: boolean;
  estimate: DecimalString;
  spent: DecimalString;
  reserved: DecimalString;
  remaining?: DecimalString;
  /** Pass to `settle` or `release` (present when allowed). */
  reservation?: number;
}

/**
 * Records usage events exactly once and prices them: `record` is idempotent per event id,
 * `merge` is a set union, and a `journal` file makes the meter durable.
 */
export declare class Meter {
  /**
   * `store`: where the events live — `meter.db` or `sqlite:///path` (SQLite, several
   * processes at once), `meter.jsonl` (a journal), `:memory:`; `journal`: a journal file
   * of any name. Neither: in memory.
   */
  constructor(options?: { store?: string; journal?: string; catalog?: Catalog; schedule?: Schedule | string; fsync?: 'always' | 'never' | `every:${number}` });
  /** Number of events recorded. */
  readonly size: number;
  /** Where the events are kept (a path, URL or `:memory:`). */
  readonly location: string;
  /**
   * What opening a journal found: records read back, and bytes of a torn (never
   * acknowledged) final write cut off, at open or since. `null` for other stores.
   */
  readonly recovery: { records: number; tornBytes: number } | null;
  /** Syncs and closes the store now (a journal's lock, an SQLite connection); later calls throw `StoreError`. */
  close(): void;
  /**
   * Records one request: `false` for a retry of a recorded event (nothing changes);
   * throws `ConflictingEventError` for the same id with different content.
   */
  record(eventId: string, customer: string, model: string, usage: Usage | UsageCounts, options?: RecordOptions): boolean;
  /** Records a JSON Lines usage log. */
  recordLog(
    path: string,
    options?: { continueOnError?: boolean },
  ): { recorded: number; duplicates: number; errors: string[]; problems: { line: number; code: string; message: string }[] };
  /** Adds another meter's events (set union). `conflicts` lists ids recorded differently in each. */
  merge(other: Meter): { added: number; duplicates: number; conflicts: string[] };
  /** Every record as a canonical JSON line, sorted by event id. */
  snapshot(): string[];
  /** A meter holding the records of a snapshot, priced as they were. */
  static restore(lines: readonly string[], options?: { catalog?: Catalog; schedule?: Schedule | string }): Meter;
  setBudget(customer: string, amount: DecimalInput, currency?: string): void;
  /** Unrounded spend so far. */
  spent(customer: string, currency?: string): DecimalString;
  authorize(customer: string, model: string, estimatedUsage: Usage | UsageCounts, options?: { service?: Service }): Authorization;
  settle(reservation: number, eventId: string, customer: string, model: string, usage: Usage | UsageCounts, options?: { timestamp?: Date | string | number }): boolean;
  release(reservation: number): boolean;
  aggregate(options?: { groupBy?: GroupBy[] }): { key: Record<string, string>; events: number; usage: Usage; cost: Record<string, DecimalString> }[];
  /** `start` (included) and `end` (excluded): RFC 3339, `YYYY-MM-DD` or `YYYY-MM`, UTC. */
  invoice(options?: { groupBy?: GroupBy[]; period?: 'hour' | 'day' | 'month' | 'all'; start?: string; end?: string }): Invoice;
  /** Every event as a CloudEvents JSON string (deterministic idempotency keys). */
  toCloudEvents(source: string): string[];
  /** Forces stored records to disk. */
  sync(): void;
}
