// Type declarations of the `tokfare-wasm` package (ESM).

import type {
  ChatMessage, DecimalString, EncodeOptions, EncodingMethods, EncodingName, RequestConditions, Service, TokenizerMethods, ToolDefinition, Usage,
  UsageCounts,
} from './shared/index.js';
/** The error classes and `Usage`: declared once for the Node and browser packages (bindings-js/src/index.d.ts). */
export * from './shared/index.js';

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
/** The methods of tiktoken's API (declared once for both packages: bindings-js/src/index.d.ts). */
export interface Encoding extends EncodingMethods {}
export declare class Encoding {
  private constructor();
  readonly name: string;
  readonly nVocab: number;
  readonly maxTokenValue: number;
  readonly eotToken: number | undefined;
  readonly specialTokens: Readonly<Record<string, number>>;
  /** Tokens of chat messages as `model` bills them; this must be `model`'s encoding. */
  countChat(messages: readonly ChatMessage[], model: string, options?: { tools?: readonly ToolDefinition[] }): number;
}

/** The encoding `name`; its vocabulary (0.4–1.8 MB) is fetched on first use, then shared. */
export declare function getEncoding(name: EncodingName): Promise<Encoding>;

/**
 * A Hugging Face `tokenizer.json` byte-level BPE tokenizer, with the semantics of HF
 * `tokenizers` 0.23 (added tokens in the text are recognised).
 */
/** The methods of Hugging Face's API (declared once for both packages: bindings-js/src/index.d.ts). */
export interface Tokenizer extends TokenizerMethods {}
export declare class Tokenizer {
  private constructor();
  /** From the contents of a `tokenizer.json`; the engine must be loaded (`await ready({ pricing: false })` or any `getEncoding`). */
  static fromJSON(json: string | Uint8Array, name?: string): Tokenizer;
  readonly name: string;
  /** `native bpe, scanner:qwen2`, ... */
  readonly engine: string;
  readonly nVocab: number;
}

/** A bundled tokenizer (`qwen3`) or an open-weight model's (`Qwen/Qwen3-8B`), its asset fetched on first use. */
export declare function getTokenizer(nameOrModel: string): Promise<Tokenizer>;
export declare function encodingForModel(model: string): Promise<Encoding>;
/** The tokenizer a model uses: its OpenAI encoding, else its open-weight tokenizer.json. */
export declare function tokenizerForModel(model: string): Promise<Encoding | Tokenizer>;
/** The tokenizer `estimate` counts `model` with: its own, else `o200k_base` as an approximation (the cost says `approximate: true`). */
export declare function tokenizerForEstimate(model: string): Promise<Encoding | Tokenizer>;
/** The encoding name of a model (after `ready()`). */
export declare function encodingNameForModel(model: string): EncodingName;
/** Every encoding name (after `ready()`). */
export declare function listEncodingNames(): EncodingName[];
/** The vocabulary asset an encoding is loaded from (`o200k_harmony` -> `o200k_base.tfv`; after `ready()`). */
export declare function vocabularyFile(name: string): string;
/** The asset a shipped tokenizer is loaded from (`qwen3.tokenizer.json.zz`); TokenizerFileNeededError otherwise (after `ready()`). */
export declare function tokenizerFile(nameOrModel: string): string;

export interface Cost {
  readonly total: DecimalString;
  readonly rounded: DecimalString;
  readonly currency: string;
  readonly schedule: string;
  readonly lines: { item: string; quantity: number; unitPrice: DecimalString; per: number; amount: DecimalString }[];
  readonly usage: Usage;
  /** What the reader should know (the prompt is longer than the context window ...). */
  readonly warnings: string[];
  /** The tokenizer that counted the prompt (`estimate` only). */
  readonly tokenizer?: string;
  /** True when that tokenizer is not the model's own: the count is an approximation (with a warning). */
  readonly approximate: boolean;
}
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
  options?: { batch?: boolean; service?: Service; at?: Date | string | number; tier?: string; schedule?: Schedule | 'gtc-2026'; catalog?: Catalog } & RequestConditions,
): Cost;
/** `text` counted with `tokenizer` (see `tokenizerForModel`), priced for `model` as input plus `outputTokens` of output. Needs `await ready()`. */
export declare function estimate(
  tokenizer: Encoding | Tokenizer,
  text: string,
  model: string,
  options?: { outputTokens?: number; batch?: boolean; service?: Service; schedule?: Schedule | 'gtc-2026'; catalog?: Catalog } & RequestConditions,
): Cost;

export interface CatalogEntry {
  model: string; resolution: string; provider?: string; mode?: string; maxInputTokens?: number; maxOutputTokens?: number;
  /** When the prices took effect, `YYYY-MM-DD`. */
  effectiveDate?: string;
  /** When the provider retires the model, `YYYY-MM-DD` (still priced). */
  deprecationDate?: string;
  source: string;
  ratesPerMillion: Record<string, DecimalString>;
}
/**
 * A model price catalog: the bundled LiteLLM snapshot, or a newer LiteLLM-format JSON the
 * page fetched, passed to `price`/`estimate` as `{ catalog }` (after `ready()`). A model
 * whose entry has a price rule tokfare does not apply throws `UnsupportedPriceError`
 * unless `ignoreUnknownPriceFields`.
 */
export declare class Catalog {
  private constructor();
  static bundled(options?: { ignoreUnknownPriceFields?: boolean }): Catalog;
  static fromJSON(prices: string | object, options?: { extendBundled?: boolean; source?: string; ignoreUnknownPriceFields?: boolean }): Catalog;
  /** The bundled catalog's `lookup`, `has`, `models`. */
  static lookup(model: string): CatalogEntry;
  static has(model: string): boolean;
  static models(): string[];
  lookup(model: string): CatalogEntry;
  has(model: string): boolean;
  models(): string[];
}
export declare function gtcTiers(): { name: string; pricePerMillion: DecimalString; description?: string; models: string[] }[];
