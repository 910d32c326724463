'use strict';
// tokfare for Node.js: the idiomatic JavaScript face of the native addon.
//
// The addon (native/, built from ../src by napi-rs) does the work; this file only
// shapes it for JavaScript: option objects, `Uint32Array | number[]` inputs, Date
// timestamps, error subclasses with a `code`, and decimal strings for money.
// Vocabularies are embedded in the addon and decoded on first use of an encoding,
// so `require('tokfare')` stays cheap.

const native = require('../native/binding.cjs');
// The JavaScript shared with the browser package (bindings-js/, bundled by `npm run build`).
const shared = require('./shared.cjs');
const errors = shared.classes;
const { fromEngine: fromNative, invalidArgument, describe, checkText, checkTexts, checkCount, checkOptions, specials, tokenIds, isoTime, decimalArg, serviceOptions, CONDITION_OPTIONS, conditionOptions, Usage, usageOf } = shared;

shared.setUsageEngine({
  parse(json, provider) {
    try {
      return new Usage(native.parseUsage(json, provider)).toJSON();
    } catch (e) {
      throw fromNative(e);
    }
  },
  add(a, b) {
    try {
      return new Usage(native.addUsage(shared.fromOwn(a), shared.fromOwn(b))).toJSON();
    } catch (e) {
      throw fromNative(e);
    }
  },
});

// ---------------------------------------------------------------- encodings

const PRIVATE = Symbol('tokfare.native');

// napi-rs listens for `abort` events only; a signal aborted before the call rejects here.
function checkSignal(signal) {
  if (signal === undefined) return;
  if (!(signal instanceof AbortSignal)) throw invalidArgument('signal', `expected an AbortSignal, got ${describe(signal)}`);
  signal.throwIfAborted();
}
const ENCODE_OPTIONS = ['allowedSpecial', 'disallowedSpecial'];
const ASYNC_ENCODE_OPTIONS = [...ENCODE_OPTIONS, 'signal'];

/**
 * A tokenizer with tiktoken's exact ids. Get one with `getEncoding(name)` or
 * `encodingForModel(model)`; instances are shared and immutable.
 */
class Encoding extends shared.EncodingBase {
  #native;

  constructor(token, handle) {
    if (token !== PRIVATE) throw new TypeError('use getEncoding(), encodingForModel() or Encoding.custom() to get an Encoding');
    super(handle);
    this.#native = handle;
    this.name = handle.name;
    this.nVocab = handle.nVocab;
    this.maxTokenValue = handle.maxTokenValue;
    this.eotToken = handle.eotToken ?? undefined;
    Object.freeze(this);
  }

  /**
   * A custom encoding, like `new tiktoken.Encoding(...)`: the contents of a `.tiktoken`
   * rank file (base64 token, space, rank per line), a pre-tokenization pattern and
   * special tokens.
   */
  static custom({ name, patStr, rankFile, specialTokens } = {}) {
    checkText(name, 'name');
    checkText(patStr, 'patStr');
    const bytes = typeof rankFile === 'string' ? Buffer.from(rankFile, 'utf8') : rankFile;
    if (!(bytes instanceof Uint8Array)) throw invalidArgument('rankFile', `expected a Uint8Array or string, got ${describe(rankFile)}`);
    const specials = specialTokens instanceof Map ? Object.fromEntries(specialTokens) : specialTokens;
    try {
      return new Encoding(PRIVATE, native.newEncoding(name, patStr, bytes, specials ?? undefined));
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** The pre-tokenization regex. */
  get patStr() {
    return this.#native.pattern;
  }

  /** Special token -> id. */
  get specialTokens() {
    return this.#native.specialTokens();
  }

  /** Whether `id` is one of the encoding's special tokens. */
  isSpecialToken(id) {
    return this.#native.isSpecialToken(id);
  }

  /** The id of one token given as bytes or text (NotASingleTokenError otherwise). */
  encodeSingleToken(token) {
    const bytes = typeof token === 'string' ? Buffer.from(token, 'utf8') : token;
    if (!(bytes instanceof Uint8Array)) throw invalidArgument('token', `expected a string or Uint8Array, got ${describe(token)}`);
    try {
      return this.#native.encodeSingleToken(bytes);
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** `encode` over many texts, on all cores. */
  encodeBatch(texts, options) {
    checkTexts(texts);
    const o = checkOptions(options, 'options', ENCODE_OPTIONS);
    try {
      return this.#native.encodeBatch(texts, specials(o.allowedSpecial, 'allowedSpecial'), specials(o.disallowedSpecial, 'disallowedSpecial'));
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** `countTokens` over many texts, on all cores. */
  countTokensBatch(texts) {
    checkTexts(texts);
    return this.#native.countBatch(texts);
  }

  /** `encode` on the libuv thread pool: the event loop is free while a large text is encoded. */
  async encodeAsync(text, options) {
    checkText(text);
    const o = checkOptions(options, 'options', ASYNC_ENCODE_OPTIONS);
    checkSignal(o.signal);
    try {
      return await this.#native.encodeAsync(text, specials(o.allowedSpecial, 'allowedSpecial'), specials(o.disallowedSpecial, 'disallowedSpecial'), o.signal);
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** `countTokens` on the libuv thread pool. */
  async countTokensAsync(text, options) {
    checkText(text);
    const o = checkOptions(options, 'options', ['signal']);
    checkSignal(o.signal);
    try {
      return await this.#native.countAsync(text, o.signal);
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** `encodeBatch` off the event loop. */
  async encodeBatchAsync(texts, options) {
    checkTexts(texts);
    const o = checkOptions(options, 'options', ASYNC_ENCODE_OPTIONS);
    checkSignal(o.signal);
    try {
      return await this.#native.encodeBatchAsync(texts, specials(o.allowedSpecial, 'allowedSpecial'), specials(o.disallowedSpecial, 'disallowedSpecial'), o.signal);
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** `countTokensBatch` off the event loop. */
  async countTokensBatchAsync(texts, options) {
    checkTexts(texts);
    const o = checkOptions(options, 'options', ['signal']);
    checkSignal(o.signal);
    try {
      return await this.#native.countBatchAsync(texts, o.signal);
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** Tokens of OpenAI-style chat messages for `model` (see the top-level `countChat`). */
  countChat(messages, model, options) {
    return countChat(messages, model, options);
  }
}

/**
 * A Hugging Face `tokenizer.json` tokenizer (Qwen 3 bundled; Llama 3, DeepSeek V3 or any
 * other from a file), with the semantics of HF `tokenizers` 0.23: added tokens in the
 * text (`<|im_start|>`) are recognised. Byte-level BPE files run natively; others on the
 * `tokenizers` engine (`engine` says which).
 */
class Tokenizer extends shared.TokenizerBase {
  #native;

  constructor(token, handle) {
    if (token !== PRIVATE) throw new TypeError('use Tokenizer.fromFile(), fromJSON(), bundled() or forModel()');
    super(handle);
    this.#native = handle;
    this.name = handle.name;
    this.engine = handle.engine;
    this.isNative = handle.isNative;
    this.nVocab = handle.nVocab;
    Object.freeze(this);
  }

  static #make(load) {
    try {
      return new Tokenizer(PRIVATE, load());
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** A `tokenizer.json` file, or a folder holding one. */
  static fromFile(path) {
    checkText(path, 'path');
    return Tokenizer.#make(() => native.loadTokenizer(path));
  }

  /** The contents of a `tokenizer.json` (a string or bytes). */
  static fromJSON(json, name = 'tokenizer.json') {
    const bytes = typeof json === 'string' ? Buffer.from(json, 'utf8') : json;
    if (!(bytes instanceof Uint8Array)) throw invalidArgument('json', `expected a string or Uint8Array, got ${describe(json)}`);
    checkText(name, 'name');
    return Tokenizer.#make(() => native.tokenizerFromBytes(name, bytes));
  }

  /** A tokenizer bundled with tokfare: `qwen3`. */
  static bundled(name) {
    checkText(name, 'name');
    return Tokenizer.#make(() => native.bundledTokenizer(name));
  }

  /** The tokenizer of an open-weight model (`Qwen/Qwen3-8B`); `TokenizerFileNeededError` names the file to load otherwise. */
  static forModel(model) {
    checkText(model, 'model');
    return Tokenizer.#make(() => native.tokenizerForModel(model));
  }

  /** `encode` over many texts, on all cores. */
  encodeBatch(texts, options) {
    checkTexts(texts);
    const o = checkOptions(options, 'options', ['addSpecialTokens']);
    return this._call((t) => t.encodeBatch(texts, o.addSpecialTokens === true));
  }

  /** `countTokens` over many texts, on all cores. */
  countTokensBatch(texts) {
    checkTexts(texts);
    return this._call((t) => t.countBatch(texts));
  }

  async #callAsync(signal, f) {
    checkSignal(signal);
    try {
      return await f(this.#native);
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** `encode` on the libuv thread pool: the event loop is free while a large text is encoded. */
  async encodeAsync(text, options) {
    checkText(text);
    const o = checkOptions(options, 'options', ['addSpecialTokens', 'signal']);
    return this.#callAsync(o.signal, (t) => t.encodeAsync(text, o.addSpecialTokens === true, o.signal));
  }

  /** `countTokens` on the libuv thread pool. */
  async countTokensAsync(text, options) {
    checkText(text);
    const o = checkOptions(options, 'options', ['signal']);
    return this.#callAsync(o.signal, (t) => t.countAsync(text, o.signal));
  }

  /** `encodeBatch` off the event loop. */
  async encodeBatchAsync(texts, options) {
    checkTexts(texts);
    const o = checkOptions(options, 'options', ['addSpecialTokens', 'signal']);
    return this.#callAsync(o.signal, (t) => t.encodeBatchAsync(texts, o.addSpecialTokens === true, o.signal));
  }

  /** `countTokensBatch` off the event loop. */
  async countTokensBatchAsync(texts, options) {
    checkTexts(texts);
    const o = checkOptions(options, 'options', ['signal']);
    return this.#callAsync(o.signal, (t) => t.countBatchAsync(texts, o.signal));
  }
}

const encodings = new Map();

/** The encoding called `name`: `o200k_base`, `cl100k_base`, `o200k_harmony`, `p50k_base`, `p50k_edit`, `r50k_base`, `gpt2`. */
function getEncoding(name) {
  checkText(name, 'name');
  let enc = encodings.get(name);
  if (enc === undefined) {
    try {
      enc = new Encoding(PRIVATE, native.getEncoding(name));
    } catch (e) {
      throw fromNative(e);
    }
    encodings.set(name, enc);
  }
  return enc;
}

/** The name of the encoding `model` uses (`UnknownModelError` if none). */
function encodingNameForModel(model) {
  checkText(model, 'model');
  try {
    return native.encodingNameForModel(model);
  } catch (e) {
    throw fromNative(e);
  }
}

/** The encoding `model` uses: `gpt-4o`, `gpt-4.1-mini`, `o3`, `gpt-3.5-turbo`, `text-embedding-3-small`, ... */
function encodingForModel(model) {
  return getEncoding(encodingNameForModel(model));
}

/** Every encoding in this build. */
function listEncodingNames() {
  return native.listEncodingNames();
}

/** Tokens of `text` for `{ model }` or `{ encoding }` (ordinary text, as an API bills it). */
function countTokens(text, options) {
  const o = checkOptions(options, 'options', ['model', 'encoding']);
  if ((o.model === undefined) === (o.encoding === undefined)) throw invalidArgument('options', 'give exactly one of model and encoding');
  if (o.encoding !== undefined) return getEncoding(o.encoding).countTokens(text);
  let enc;
  try {
    enc = encodingForModel(o.model);
  } catch (e) {
    // Not an OpenAI model: an open-weight one with a Hugging Face tokenizer, maybe.
    if (!(e instanceof errors.UnknownModelError)) throw e;
    return Tokenizer.forModel(o.model).countTokens(text);
  }
  return enc.countTokens(text);
}

const REQUEST_FORMATS = ['openai-chat', 'openai-responses', 'anthropic-messages', 'gemini', 'ai-sdk'];

/**
 * The prompt tokens of a request body (an object, or its JSON text) as its provider
 * documents it, for `model`: exact with the model's own tokenizer, else an approximation
 * (`exact: false`) with its expected error band where recorded figures back one.
 * `format` is one of REQUEST_FORMATS (default `openai-chat`).
 */
function countRequest(model, request, options) {
  checkText(model, 'model');
  const o = checkOptions(options, 'options', ['format']);
  const format = o.format === undefined ? 'openai-chat' : o.format;
  if (!REQUEST_FORMATS.includes(format)) throw invalidArgument('format', `unknown request format ${JSON.stringify(format)} (known: ${REQUEST_FORMATS.join(', ')})`);
  let body = request;
  if (typeof request !== 'string') {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) throw invalidArgument('request', `expected a request object or its JSON text, got ${describe(request)}`);
    try {
      body = JSON.stringify(request);
    } catch (e) {
      throw invalidArgument('request', `cannot be written as JSON: ${e.message}`);
    }
  }
  try {
    const r = native.countRequest(model, format, body);
    return { tokens: r.tokens, exact: r.exact, bandPermille: r.bandPermille ?? null, band: r.band ?? null, tokenizer: r.tokenizer, profile: r.profile, note: r.note };
  } catch (e) {
    throw fromNative(e);
  }
}

/**
 * Tokens of OpenAI-style chat `messages` (`[{ role, content, name?, tool_calls? }]`) as
 * billed in `prompt_tokens` by `model`: the per-message overheads of its family, the
 * reply primer, and `tools` (function definitions) when given.
 */
function countChat(messages, model, options) {
  if (!Array.isArray(messages)) throw invalidArgument('messages', `expected an array of messages, got ${describe(messages)}`);
  checkText(model, 'model');
  const o = checkOptions(options, 'options', ['tools']);
  if (o.tools !== undefined && !Array.isArray(o.tools)) throw invalidArgument('tools', `expected an array of tool definitions, got ${describe(o.tools)}`);
  try {
    return native.countChat(JSON.stringify(messages), model, o.tools === undefined ? undefined : JSON.stringify(o.tools));
  } catch (e) {
    throw fromNative(e);
  }
}

// ---------------------------------------------------------------- pricing

// A Usage, or a plain object of the same fields, as the addon's counts object.
const usageCounts = usageOf;

function withUsage(cost) {
  cost.usage = new Usage(cost.usage);
  return Object.freeze(cost);
}

/** Model prices: the bundled LiteLLM snapshot (its effective dates per model), a file, or both. */
class Catalog {
  #native;
  static #bundled;

  constructor(token, handle) {
    if (token !== PRIVATE) throw new TypeError('use Catalog.bundled(), Catalog.fromFile() or Catalog.fromJSON()');
    this.#native = handle;
  }

  /**
   * The catalog shipped with tokfare. A model whose entry has a price rule tokfare does not
   * apply throws `UnsupportedPriceError` unless `ignoreUnknownPriceFields`.
   */
  static bundled({ ignoreUnknownPriceFields = false } = {}) {
    if (ignoreUnknownPriceFields) return new Catalog(PRIVATE, native.NativeCatalog.bundled(true));
    Catalog.#bundled ??= new Catalog(PRIVATE, native.NativeCatalog.bundled(false));
    return Catalog.#bundled;
  }

  /** A LiteLLM-format JSON file; by default its entries extend (and override) the bundled ones. */
  static fromFile(path, { extendBundled = true, ignoreUnknownPriceFields = false } = {}) {
    checkText(path, 'path');
    try {
      return new Catalog(PRIVATE, native.NativeCatalog.fromFile(path, extendBundled, ignoreUnknownPriceFields));
    } catch (e) {
      throw fromNative(e);
    }
  }

  /**
   * Downloads a newer price file (LiteLLM's published JSON by default; a URL or a file),
   * validates it and stores it in `catalogDir` (default: the user's data directory) unless
   * it is the current snapshot. Resolves to `{ stored, previous, added, removed, changed }`
   * (the download runs off the JS thread); a failed download rejects with
   * `CatalogUpdateError` and stores nothing.
   */
  static async update({ from, catalogDir, timeout = 60 } = {}) {
    if (from !== undefined) checkText(from, 'from');
    if (catalogDir !== undefined) checkText(catalogDir, 'catalogDir');
    checkCount(timeout, 'timeout');
    try {
      return JSON.parse(await native.catalogUpdate(from ?? native.catalogDefaultUrl(), catalogDir, timeout));
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** The stored snapshots, oldest first (the last is current). */
  static history({ catalogDir } = {}) {
    try {
      return native.catalogHistory(catalogDir).map((s) => JSON.parse(s));
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** The catalog in force on `date` (`YYYY-MM-DD`): the snapshot fetched last by then, else the bundled one. */
  static at(date, { catalogDir, ignoreUnknownPriceFields = false } = {}) {
    checkText(date, 'date');
    try {
      return new Catalog(PRIVATE, native.NativeCatalog.at(date, catalogDir, ignoreUnknownPriceFields));
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** LiteLLM-format prices as a JSON string or object. */
  static fromJSON(prices, { extendBundled = true, source = 'json', ignoreUnknownPriceFields = false } = {}) {
    const text = typeof prices === 'string' ? prices : JSON.stringify(prices);
    try {
      return new Catalog(PRIVATE, native.NativeCatalog.fromJSON(text, extendBundled, source, ignoreUnknownPriceFields));
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** Number of models. */
  get size() {
    return this.#native.size;
  }

  /** Whether a price is known for `model` (after alias resolution). */
  has(model) {
    checkText(model, 'model');
    return this.#native.has(model);
  }

  /** What the catalog knows of `model` (`UnknownModelPriceError`, with suggestions, if nothing). */
  lookup(model) {
    checkText(model, 'model');
    try {
      return this.#native.lookup(model);
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** Every model name. */
  models() {
    return this.#native.models();
  }

  static handle(catalog) {
    if (catalog === undefined) return undefined;
    if (!(catalog instanceof Catalog)) throw invalidArgument('catalog', `expected a tokfare Catalog, got ${describe(catalog)}`);
    return catalog.#native;
  }
}

/** A set of declarative price schedules (TOML or JSON, see docs/schedules.md), or the bundled `gtc-2026`. */
class Schedule {
  #native;

  constructor(token, handle) {
    if (token !== PRIVATE) throw new TypeError('use Schedule.fromFile(), fromJSON(), fromTOML() or bundled()');
    this.#native = handle;
    this.name = handle.name;
    this.schedules = handle.schedules;
    Object.freeze(this);
  }

  static #make(build) {
    try {
      return new Schedule(PRIVATE, build());
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** A `.toml` or `.json` schedule file, or a bundled set by name. */
  static fromFile(path) {
    checkText(path, 'path');
    return Schedule.#make(() => native.NativeSchedule.fromFile(path));
  }

  /** A schedule set as a JSON string or object (errors name the bad field). */
  static fromJSON(spec) {
    const text = typeof spec === 'string' ? spec : JSON.stringify(spec);
    return Schedule.#make(() => native.NativeSchedule.fromJSON(text));
  }

  /** A schedule set as TOML text. */
  static fromTOML(text) {
    checkText(text, 'text');
    return Schedule.#make(() => native.NativeSchedule.fromTOML(text));
  }

  /** A bundled set: `gtc-2026`. */
  static bundled(name) {
    checkText(name, 'name');
    return Schedule.#make(() => native.NativeSchedule.bundled(name));
  }

  static handle(schedule) {
    if (schedule === undefined) return undefined;
    if (typeof schedule === 'string') return Schedule.fromFile(schedule).#native;
    if (!(schedule instanceof Schedule)) throw invalidArgument('schedule', `expected a tokfare Schedule, a bundled name or a file path, got ${describe(schedule)}`);
    return schedule.#native;
  }
}

/**
 * The exact cost of one request to `model`. Amounts are decimal strings.
 * Options: `batch`, `service` (`standard`, `batch`, `flex`, `priority` ...), `at` (Date:
 * time-of-day rates), `tier`, `catalog`, `schedule` (a Schedule, bundled name or path),
 * and the request's conditions: `region` (`global`, `us`, `eu`), `fedramp`, `endpoint`
 * (`global`, `regional` or a location), `speed` (`standard`, `fast`), `searchContextSize`.
 */
function price(model, usage, options) {
  checkText(model, 'model');
  const o = checkOptions(options, 'options', ['batch', 'service', 'at', 'tier', 'catalog', 'schedule', ...CONDITION_OPTIONS]);
  if (o.tier !== undefined) checkText(o.tier, 'tier');
  try {
    const cost = native.price(
      model, usageCounts(usage), ...serviceOptions(o), isoTime(o.at, 'at'), o.tier, Catalog.handle(o.catalog), Schedule.handle(o.schedule),
      conditionOptions(o),
    );
    return withUsage(cost);
  } catch (e) {
    throw fromNative(e);
  }
}

/**
 * Tokenizes `text` for `model` (its tokenizer, or `encoding`, or a `tokenizer` file or
 * bundled name) and prices it as input, plus `outputTokens` of expected output, under the
 * request's conditions (`region`, `fedramp`, `endpoint`, `speed`, as for `price`).
 * A model without a public tokenizer is counted with o200k_base: `approximate: true`.
 */
function estimate(text, model, options) {
  checkText(text);
  checkText(model, 'model');
  const o = checkOptions(options, 'options', ['outputTokens', 'encoding', 'tokenizer', 'batch', 'service', 'catalog', 'schedule', ...CONDITION_OPTIONS]);
  const outputTokens = o.outputTokens ?? 0;
  checkCount(outputTokens, 'outputTokens');
  if (o.encoding !== undefined) checkText(o.encoding, 'encoding');
  if (o.tokenizer !== undefined) checkText(o.tokenizer, 'tokenizer');
  try {
    const cost = native.estimate(
      text, model, outputTokens, o.encoding, o.tokenizer, ...serviceOptions(o), Catalog.handle(o.catalog), Schedule.handle(o.schedule), conditionOptions(o),
    );
    return withUsage(cost);
  } catch (e) {
    throw fromNative(e);
  }
}

/** The GTC 2026 tiers: `[{ name, pricePerMillion, description, models }]`. */
function gtcTiers() {
  return native.gtcTiers();
}

/**
 * The GTC 2026 capacity planner: tokens and revenue per tier for `megawatts` of power
 * over `hours`. `tokensPerSecondPerMW` maps tier -> throughput; `shares` maps tier ->
 * fraction of the power (default 25% each of free, medium, high and premium). Quantities
 * are decimal strings (or integers); results are decimal strings.
 */
function capacityPlan({ megawatts, hours, tokensPerSecondPerMW, shares } = {}) {
  if (tokensPerSecondPerMW === null || typeof tokensPerSecondPerMW !== 'object') {
    throw invalidArgument('tokensPerSecondPerMW', `expected an object mapping tier -> throughput, got ${describe(tokensPerSecondPerMW)}`);
  }
  const tps = Object.fromEntries(Object.entries(tokensPerSecondPerMW).map(([k, v]) => [k, decimalArg(v, `tokensPerSecondPerMW.${k}`)]));
  const pairs = shares === undefined ? undefined : Object.entries(shares).map(([k, v]) => [k, decimalArg(v, `shares.${k}`)]);
  try {
    return native.capacityPlan(decimalArg(megawatts, 'megawatts'), decimalArg(hours, 'hours'), tps, pairs);
  } catch (e) {
    throw fromNative(e);
  }
}

// ---------------------------------------------------------------- metering

/**
 * Records usage events exactly once and prices them: `record` is idempotent per event
 * id, `merge` is a set union, and a `journal` file makes the meter durable.
 */
class Meter {
  #native;

  /**
   * Options: `store` (where the events live: `meter.db` or `sqlite:///path` for SQLite,
   * shared by several processes; `meter.jsonl` for a journal; `:memory:`), `journal`
   * (a journal file of any name), `catalog`, `schedule`, `fsync` (`always`, `never`,
   * `every:N`). Without `store` or `journal`, in memory.
   */
  constructor(options) {
    const o = checkOptions(options, 'options', ['store', 'journal', 'catalog', 'schedule', 'fsync']);
    if (o.store !== undefined) checkText(o.store, 'store');
    if (o.journal !== undefined) checkText(o.journal, 'journal');
    if (o.fsync !== undefined) checkText(o.fsync, 'fsync');
    if (o === PRIVATE_RESTORE) return;
    try {
      this.#native = new native.NativeMeter(o.store, o.journal, Catalog.handle(o.catalog), Schedule.handle(o.schedule), o.fsync);
    } catch (e) {
      throw fromNative(e);
    }
  }

  #call(f) {
    try {
      return f(this.#native);
    } catch (e) {
      throw fromNative(e);
    }
  }

  /** Number of events recorded. */
  get size() {
    return this.#call((m) => m.size);
  }

  /** Where the events are kept (a path, URL or `:memory:`). */
  get location() {
    return this.#native.location;
  }

  get recovery() {
    return this.#native.recovery ?? null;
  }

  /** Syncs and closes the store now (a journal's lock, an SQLite connection); later calls throw `StoreError`. */
  close() {
    return this.#call((m) => m.close());
  }

  /**
   * Records one request. Returns `false` if `eventId` was already recorded with the same
   * content (a retry: nothing changes); the same id with different content throws
   * `ConflictingEventError`. Options: `timestamp` (Date, RFC 3339 string or epoch ms;
   * default now, or the first record's time for a retry), `service`, `provider`,
   * `requestId`, `tags` (string -> string), and the request's conditions (`region`,
   * `fedramp`, `endpoint`, `speed`, `searchContextSize`, as for `price`).
   */
  record(eventId, customer, model, usage, options) {
    checkText(eventId, 'eventId');
    checkText(customer, 'customer');
    checkText(model, 'model');
    const o = checkOptions(options, 'options', ['timestamp', 'service', 'provider', 'requestId', 'tags', ...CONDITION_OPTIONS]);
    const conditions = conditionOptions(o);
    return this.#call((m) =>
      m.record(eventId, customer, model, usageCounts(usage), isoTime(o.timestamp, 'timestamp'), o.service, o.provider, o.requestId, o.tags, conditions),
    );
  }

  /** Records a JSON Lines usage log: `{ recorded, duplicates, errors }`. */
  recordLog(path, { continueOnError = false } = {}) {
    checkText(path, 'path');
    return this.#call((m) => m.recordLog(path, continueOnError));
  }

  /** Adds another meter's events: `{ added, duplicates, conflicts }`. */
  merge(other) {
    if (!(other instanceof Meter)) throw invalidArgument('other', `expected a tokfare Meter, got ${describe(other)}`);
    return this.#call((m) => m.merge(other.#native));
  }

  /** Every record as a canonical JSON line, sorted by event id (see `Meter.restore`). */
  snapshot() {
    return this.#call((m) => m.snapshot());
  }

  /** A meter holding the records of a snapshot, priced as they were. */
  static restore(lines, options) {
    checkTexts(lines, 'lines');
    const o = checkOptions(options, 'options', ['catalog', 'schedule']);
    const meter = new Meter(PRIVATE_RESTORE);
    try {
      meter.#native = native.NativeMeter.restore(lines, Catalog.handle(o.catalog), Schedule.handle(o.schedule));
    } catch (e) {
      throw fromNative(e);
    }
    return meter;
  }

  /** Sets a customer's budget (a decimal string or integer; USD unless `currency`). */
  setBudget(customer, amount, currency = 'USD') {
    checkText(customer, 'customer');
    const value = decimalArg(amount, 'amount');
    this.#call((m) => m.setBudget(customer, value, currency));
  }

  /** Unrounded spend of a customer so far (decimal string). */
  spent(customer, currency = 'USD') {
    checkText(customer, 'customer');
    return this.#call((m) => m.spent(customer, currency));
  }

  /**
   * May this request run within the customer's budget? Returns `{ allowed, estimate,
   * spent, reserved, remaining, reservation }`; settle or release the reservation.
   */
  authorize(customer, model, estimatedUsage, { service } = {}) {
    checkText(customer, 'customer');
    checkText(model, 'model');
    return this.#call((m) => m.authorize(customer, model, usageCounts(estimatedUsage), service));
  }

  /** Records the actual usage of an authorized request and drops its reservation. */
  settle(reservation, eventId, customer, model, usage, { timestamp } = {}) {
    checkCount(reservation, 'reservation');
    return this.#call((m) => m.settle(reservation, eventId, customer, model, usageCounts(usage), isoTime(timestamp, 'timestamp')));
  }

  /** Drops a reservation (the request did not happen). */
  release(reservation) {
    checkCount(reservation, 'reservation');
    return this.#call((m) => m.release(reservation));
  }

  /** Sums by dimensions (`customer`, `model`, `schedule`, `hour`, `day`, `month`). */
  aggregate({ groupBy } = {}) {
    return this.#call((m) => m.aggregate(groupBy)).map((row) => ({ ...row, usage: new Usage(row.usage) }));
  }

  /**
   * An invoice: `{ lines, totals, events, json, csv }`, lines rounded as each schedule says.
   * `start` (included) and `end` (excluded) limit it to a time range: RFC 3339,
   * `YYYY-MM-DD` or `YYYY-MM` (UTC), as the CLI's `--from` and `--to`.
   */
  invoice({ groupBy, period, start, end } = {}) {
    if (start !== undefined) checkText(start, 'start');
    if (end !== undefined) checkText(end, 'end');
    return this.#call((m) => m.invoice(groupBy, period, start, end));
  }

  /** Every event as a CloudEvents JSON string (deterministic idempotency keys). */
  toCloudEvents(source) {
    checkText(source, 'source');
    return this.#call((m) => m.toCloudEvents(source));
  }

  /** Forces journaled records to disk. */
  sync() {
    this.#call((m) => m.sync());
  }
}
const PRIVATE_RESTORE = Object.freeze({});

module.exports = {
  getEncoding,
  encodingForModel,
  encodingNameForModel,
  listEncodingNames,
  countTokens,
  countChat,
  countRequest,
  REQUEST_FORMATS,
  Encoding,
  Tokenizer,
  Usage,
  Catalog,
  Schedule,
  price,
  estimate,
  gtcTiers,
  capacityPlan,
  Meter,
  ...errors,
};
