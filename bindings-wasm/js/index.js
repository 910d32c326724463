// tokfare for browsers, bundlers and Node, on WebAssembly: the JavaScript API over two
// modules in ../pkg (wasm-bindgen): the tokenizer engine (built from ../src) and the
// pricing module (from ../pricing), which only `ready()` loads, so an app that counts
// tokens never downloads it.
//
// The engine (~270 KB gzipped) holds no vocabulary. `getEncoding(name)` fetches the one
// it needs (../vocab/<file>.tfv, 0.4-1.8 MB) the first time and keeps it for the life
// of the page. Objects the engine creates are cached here by name and never dropped,
// so nothing needs `free()` and nothing leaks, with or without FinalizationRegistry.
import init, * as engine from '../pkg/tokfare_wasm.js';
import initPricing, * as pricing from '../pkg/tokfare_pricing.js';
// The JavaScript shared with the Node package (../../bindings-js/src, copied here by the build).
import {
  classes, fromEngine, invalidArgument, describe, checkText, checkCount, checkOptions, isoTime, serviceOptions, CONDITION_OPTIONS, conditionOptions,
  Usage, fromOwn, usageOf, setUsageEngine, EncodingBase, TokenizerBase,
} from './shared/index.js';

export const {
  TokfareError, UnknownEncodingError, EncodingNotBuiltError, FeatureNotBuiltError, UnknownModelError, DisallowedSpecialTokenError,
  UnknownTokenIdError, NotASingleTokenError, InvalidUtf8Error, InvalidInputUtf8Error, InvalidRankFileError,
  InvalidVocabularyError, InvalidTokenizerFileError, UnsupportedTokenizerError, TokenizerFileNeededError, InvalidPatternError, PatternRuntimeError, InvalidArgumentError, InvalidMoneyError,
  InvalidScheduleError, InvalidCatalogError, InvalidUsageError, UnknownModelPriceError, UnsupportedPriceError, CatalogUpdateError, ConflictingEventError,
  JournalError, StoreError, OverflowError,
} = classes;

// ---------------------------------------------------------------- assets

let assetBase = new URL('../', import.meta.url);

/**
 * Where `pkg/` and `vocab/` are served from, if not next to this file (a CDN, or a
 * bundler that moves assets). Call before the first `getEncoding`.
 */
export function setAssetBase(url) {
  assetBase = new URL(url, globalThis.location?.href);
}

async function readAsset(path) {
  const url = new URL(path, assetBase);
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new TokfareError(`could not load ${url}: HTTP ${response.status}`, 'TOKFARE_ASSET');
  return new Uint8Array(await response.arrayBuffer());
}

// One WebAssembly module of the package, loaded once, on demand: `load()` fetches and
// instantiates it; `call(f)` runs `f` on its exports (an error if it is not loaded yet)
// and turns what it throws into tokfare's error classes.
function wasmModule(asset, instantiate, exports, notReady) {
  let pending;
  let isLoaded = false;
  const get = () => {
    if (!isLoaded) throw new TokfareError(notReady, 'TOKFARE_NOT_READY');
    return exports;
  };
  return {
    load: () => (pending ??= readAsset(asset).then(async (bytes) => {
      await instantiate({ module_or_path: bytes });
      isLoaded = true;
    })),
    get,
    call(f) {
      try {
        return f(get());
      } catch (e) {
        throw fromEngine(e);
      }
    },
  };
}

const engineModule = wasmModule('pkg/tokfare_wasm_bg.wasm', init, engine, 'the tokfare engine is not loaded yet: await ready() (or getEncoding()) first');
const pricingModule = wasmModule('pkg/tokfare_pricing_bg.wasm', initPricing, pricing, 'the tokfare pricing module is not loaded yet: await ready() first');
const call = engineModule.call;
const callPricing = pricingModule.call;

/**
 * Loads the tokenizer engine and the pricing module (once each, in parallel). The
 * pricing functions need it done; `getEncoding` and `getTokenizer` load the engine
 * alone. `{ pricing: false }`: only the engine (for `Tokenizer.fromJSON` without pricing).
 */
export function ready(options) {
  const o = checkOptions(options, 'options', ['pricing']);
  if (o.pricing !== undefined && typeof o.pricing !== 'boolean') throw invalidArgument('pricing', `expected a boolean, got ${describe(o.pricing)}`);
  return Promise.all([engineModule.load(), o.pricing === false ? undefined : pricingModule.load()]).then(() => undefined);
}

// ---------------------------------------------------------------- argument checks

// The engine takes counts as u32: larger ones are clamped (no string has 2^32 tokens).
const u32 = (n) => Math.min(n, 0xffffffff);

// ---------------------------------------------------------------- encodings

const PRIVATE = Symbol('tokfare.engine');

// The engine interface of the shared API (../../bindings-js/src/tokenizers.js) over an
// encoding of the WebAssembly engine: its special-token arguments are (all, list) pairs,
// its counts u32, its offsets one flat array.
function encodingEngine(raw) {
  const pair = (value, fallbackAll) => (value === undefined ? [fallbackAll, []] : value === 'all' ? [true, []] : [false, value]);
  return {
    encode: (text, allowed, disallowed) => raw.encode(text, ...pair(allowed, false), ...pair(disallowed, true)),
    encodeOrdinary: (text) => raw.encodeOrdinary(text),
    encodeWithByteOffsets(text) {
      const pairs = raw.encodeWithByteOffsets(text);
      const ids = new Uint32Array(pairs.length / 2);
      const offsets = new Uint32Array(pairs.length / 2);
      for (let i = 0; i < ids.length; i++) {
        ids[i] = pairs[2 * i];
        offsets[i] = pairs[2 * i + 1];
      }
      return [ids, offsets];
    },
    decode: (ids, fatal) => raw.decode(ids, fatal),
    decodeBytes: (ids) => raw.decodeBytes(ids),
    decodeSingleTokenBytes: (id) => raw.decodeSingleTokenBytes(u32(id)),
    count: (text) => raw.countTokens(text),
    countWithSpecial: (text, allowed, disallowed) => raw.countWithSpecial(text, ...pair(allowed, false), ...pair(disallowed, true)),
    countUntil: (text, limit) => raw.countUntil(text, u32(limit)),
    truncate: (text, maxTokens) => raw.truncate(text, u32(maxTokens)),
    chunks: (text, maxTokens) => raw.chunks(text, u32(maxTokens)),
  };
}

/** A tokenizer with tiktoken's exact ids; get one with `await getEncoding(name)`. The API is the Node package's (shared). */
export class Encoding extends EncodingBase {
  constructor(token, handle) {
    if (token !== PRIVATE) throw new TypeError('use await getEncoding() or await encodingForModel() to get an Encoding');
    super(encodingEngine(handle));
    this.name = handle.name;
    this.nVocab = handle.nVocab;
    this.maxTokenValue = handle.maxTokenValue;
    this.eotToken = handle.eotToken ?? undefined;
    const texts = handle.specialTokenTexts();
    const ids = handle.specialTokenIds();
    this.specialTokens = Object.freeze(Object.fromEntries(texts.map((t, i) => [t, ids[i]])));
    this.#raw = handle;
    Object.freeze(this);
  }

  #raw;

  /** Tokens of OpenAI-style chat messages as `model` bills them (this must be its encoding). */
  countChat(messages, model, options) {
    if (!Array.isArray(messages)) throw invalidArgument('messages', `expected an array of messages, got ${describe(messages)}`);
    checkText(model, 'model');
    const o = checkOptions(options, 'options', ['tools']);
    if (o.tools !== undefined && !Array.isArray(o.tools)) throw invalidArgument('tools', `expected an array of tool definitions, got ${describe(o.tools)}`);
    return this._call(() => this.#raw.countChat(JSON.stringify(messages), model, o.tools === undefined ? undefined : JSON.stringify(o.tools)));
  }
}

// ---------------------------------------------------------------- Hugging Face tokenizers

/**
 * A Hugging Face `tokenizer.json` byte-level BPE tokenizer (Qwen 3 as a bundled asset;
 * Llama 3, DeepSeek V3 or any other from the file's bytes), with the semantics of HF
 * `tokenizers` 0.23: added tokens in the text (`<|im_start|>`) are recognised.
 */
export class Tokenizer extends TokenizerBase {
  constructor(token, handle) {
    if (token !== PRIVATE) throw new TypeError('use await getTokenizer() or Tokenizer.fromJSON()');
    super({
      encode: (text, addSpecialTokens) => handle.encode(text, addSpecialTokens),
      encodeOrdinary: (text) => handle.encodeOrdinary(text),
      count: (text) => handle.countTokens(text),
      countUntil: (text, limit) => handle.countUntil(text, limit),
      isSpecialToken: (id) => handle.isSpecialToken(id),
      decode: (ids, skip) => handle.decode(ids, skip),
      decodeBytes: (ids, skip) => handle.decodeBytes(ids, skip),
    });
    this.name = handle.name;
    this.engine = handle.engine;
    this.nVocab = handle.nVocab;
    Object.freeze(this);
  }

  /** A tokenizer from the contents of a `tokenizer.json` (a string or bytes); the engine must be loaded (`await ready({ pricing: false })`, or any `getEncoding`). */
  static fromJSON(json, name = 'tokenizer.json') {
    const bytes = typeof json === 'string' ? new TextEncoder().encode(json) : json;
    if (!(bytes instanceof Uint8Array)) throw invalidArgument('json', `expected a string or Uint8Array, got ${describe(json)}`);
    checkText(name, 'name');
    return new Tokenizer(PRIVATE, call((e) => e.loadTokenizer(name, bytes)));
  }
}

const tokenizers = new Map();

/** zlib-compressed bytes, inflated by the platform (browsers and Node 18+). */
async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * A bundled tokenizer (`qwen3`), or the one an open-weight model uses
 * (`Qwen/Qwen3-8B`), its asset fetched on first use (then shared). Models whose
 * tokenizer is not bundled (Llama 3, DeepSeek V3) reject with `TokenizerFileNeededError`:
 * fetch their tokenizer.json yourself and use `Tokenizer.fromJSON`.
 */
export function getTokenizer(nameOrModel) {
  checkText(nameOrModel, 'nameOrModel');
  let pending = tokenizers.get(nameOrModel);
  if (pending === undefined) {
    pending = (async () => {
      await engineModule.load();
      // The core says which shipped asset holds it (or throws TokenizerFileNeededError).
      const [name, file] = call((e) => e.packedTokenizerFile(nameOrModel));
      if (name !== nameOrModel) return getTokenizer(name);
      const json = await inflate(await readAsset(`vocab/${file}`));
      return new Tokenizer(PRIVATE, call((e) => e.loadTokenizer(name, json)));
    })();
    tokenizers.set(nameOrModel, pending);
    pending.catch(() => tokenizers.delete(nameOrModel));
  }
  return pending;
}

const encodings = new Map();
const vocabularies = new Map();

/** The encoding called `name`, its vocabulary fetched on first use (then shared). */
export function getEncoding(name) {
  checkText(name, 'name');
  let pending = encodings.get(name);
  if (pending === undefined) {
    pending = (async () => {
      await engineModule.load();
      const file = call((e) => e.vocabularyFile(name));
      if (!vocabularies.has(file)) vocabularies.set(file, readAsset(`vocab/${file}`));
      const bytes = await vocabularies.get(file);
      return new Encoding(PRIVATE, call((e) => e.loadEncoding(name, bytes)));
    })();
    encodings.set(name, pending);
    // A failed load (unknown name, network error) may be retried later.
    pending.catch(() => encodings.delete(name));
  }
  return pending;
}

/** The name of the encoding a model uses (after `ready()`). */
export function encodingNameForModel(model) {
  checkText(model, 'model');
  return call((e) => e.encodingNameForModel(model));
}

/**
 * The tokenizer a model uses, by the core's rule: its OpenAI encoding, else its
 * open-weight tokenizer.json (`Qwen/Qwen3-8B`; see `getTokenizer`).
 */
export function tokenizerForModel(model) {
  return loadModelTokenizer(model, (e) => e.modelTokenizer(model));
}

/** The tokenizer the engine's rule `which` names for `model` (`[kind, name]`), loaded. */
async function loadModelTokenizer(model, which) {
  checkText(model, 'model');
  await engineModule.load();
  const [kind, name] = call(which);
  return kind === 'encoding' ? getEncoding(name) : getTokenizer(model);
}

/**
 * The tokenizer `estimate` counts `model` with: its own (`tokenizerForModel`), else —
 * for a model without a public tokenizer tokfare knows (Claude, Gemini ...) — the
 * `o200k_base` encoding; such an estimate says `approximate: true`.
 */
export function tokenizerForEstimate(model) {
  return loadModelTokenizer(model, (e) => e.estimateTokenizer(model));
}

/** The encoding a model uses. */
export async function encodingForModel(model) {
  await engineModule.load();
  return getEncoding(encodingNameForModel(model));
}

/** Every encoding name (after `ready()`). */
export function listEncodingNames() {
  return call((e) => e.listEncodingNames());
}

/** The vocabulary asset an encoding is loaded from (`o200k_harmony` -> `o200k_base.tfv`; after `ready()`). */
export function vocabularyFile(name) {
  checkText(name, 'name');
  return call((e) => e.vocabularyFile(name));
}

/** The asset a shipped tokenizer is loaded from (`qwen3` or `Qwen/Qwen3-8B` -> `qwen3.tokenizer.json.zz`; after `ready()`). */
export function tokenizerFile(nameOrModel) {
  checkText(nameOrModel, 'nameOrModel');
  return call((e) => e.packedTokenizerFile(nameOrModel))[1];
}

// ---------------------------------------------------------------- pricing

setUsageEngine({
  parse: (json, provider) => JSON.parse(callPricing((e) => e.parseUsage(json, provider))),
  add: (a, b) => JSON.parse(callPricing((e) => e.addUsage(JSON.stringify(a), JSON.stringify(b)))),
});

export { Usage };

function costOf(json) {
  const cost = JSON.parse(json);
  cost.usage = fromOwn(cost.usage);
  if (cost.tokenizer === null) delete cost.tokenizer;
  return Object.freeze(cost);
}

/** A set of declarative price schedules (TOML or JSON text), or the bundled `gtc-2026`. */
export class Schedule {
  #engine;

  constructor(token, handle) {
    if (token !== PRIVATE) throw new TypeError('use Schedule.fromTOML(), fromJSON() or bundled()');
    this.#engine = handle;
    this.name = handle.name;
    Object.freeze(this);
  }

  static fromTOML(text) {
    checkText(text, 'text');
    return new Schedule(PRIVATE, callPricing((e) => e.WasmSchedule.fromTOML(text)));
  }

  static fromJSON(spec) {
    const text = typeof spec === 'string' ? spec : JSON.stringify(spec);
    return new Schedule(PRIVATE, callPricing((e) => e.WasmSchedule.fromJSON(text)));
  }

  static bundled(name) {
    checkText(name, 'name');
    return new Schedule(PRIVATE, callPricing((e) => e.WasmSchedule.bundled(name)));
  }

  /** Puts this schedule set first in a call's prices. */
  static attach(schedule, prices) {
    prices.withSchedule(schedule.#engine);
  }
}

function scheduleOption(value) {
  const schedule = typeof value === 'string' ? Schedule.bundled(value) : value;
  if (!(schedule instanceof Schedule)) throw invalidArgument('schedule', `expected a Schedule or a bundled name, got ${describe(value)}`);
  return schedule;
}

/**
 * A model price catalog: the bundled LiteLLM snapshot (`Catalog.bundled()`, also behind the
 * static `Catalog.lookup`, `has` and `models`), or a newer LiteLLM-format JSON the page
 * fetched (`Catalog.fromJSON`), passed to `price` and `estimate` as `{ catalog }`. A model
 * whose entry has a price rule tokfare does not apply throws `UnsupportedPriceError`
 * unless `ignoreUnknownPriceFields`.
 */
export class Catalog {
  #engine;
  static #bundled;

  constructor(token, handle) {
    if (token !== PRIVATE) throw new TypeError('use Catalog.bundled() or Catalog.fromJSON()');
    this.#engine = handle;
    Object.freeze(this);
  }

  /** The bundled catalog (after `ready()`). */
  static bundled({ ignoreUnknownPriceFields = false } = {}) {
    if (ignoreUnknownPriceFields) return new Catalog(PRIVATE, callPricing((e) => e.WasmCatalog.bundled(true)));
    Catalog.#bundled ??= new Catalog(PRIVATE, callPricing((e) => e.WasmCatalog.bundled(false)));
    return Catalog.#bundled;
  }

  /** LiteLLM-format prices (JSON text or an object), by default over the bundled ones (after `ready()`). */
  static fromJSON(prices, { extendBundled = true, source = 'json', ignoreUnknownPriceFields = false } = {}) {
    const text = typeof prices === 'string' ? prices : JSON.stringify(prices);
    return new Catalog(PRIVATE, callPricing((e) => e.WasmCatalog.fromJSON(text, source, extendBundled, ignoreUnknownPriceFields)));
  }

  /** What the catalog knows of `model`; `UnknownModelPriceError` with suggestions if nothing. */
  lookup(model) {
    checkText(model, 'model');
    return JSON.parse(call2(() => this.#engine.lookup(model)));
  }

  /** Whether a price is known for `model`. */
  has(model) {
    try {
      this.lookup(model);
      return true;
    } catch (e) {
      if (e instanceof UnknownModelPriceError) return false;
      throw e;
    }
  }

  /** Every model name. */
  models() {
    return call2(() => this.#engine.models());
  }

  static lookup(model) {
    return Catalog.bundled().lookup(model);
  }

  static has(model) {
    return Catalog.bundled().has(model);
  }

  static models() {
    return Catalog.bundled().models();
  }

  /** Uses this catalog in a call's prices. */
  static attach(catalog, prices) {
    if (!(catalog instanceof Catalog)) throw invalidArgument('catalog', `expected a tokfare Catalog, got ${describe(catalog)}`);
    prices.withCatalog(catalog.#engine);
  }
}

// A call on a pricing-module object, its errors made tokfare's.
function call2(f) {
  try {
    return f();
  } catch (e) {
    throw fromEngine(e);
  }
}

// One call's prices (its schedule set, then its catalog), used once and freed.
function withPrices(o, f) {
  const prices = callPricing((e) => new e.WasmPrices());
  try {
    if (o.schedule !== undefined) Schedule.attach(scheduleOption(o.schedule), prices);
    if (o.catalog !== undefined) Catalog.attach(o.catalog, prices);
    return call2(() => f(prices));
  } finally {
    prices.free();
  }
}

/**
 * The exact cost of one request (amounts are decimal strings). Needs `await ready()`.
 * Options: `batch`, `service`, `at`, `tier`, `schedule`, `catalog`, and the request's
 * conditions: `region` (`global`, `us`, `eu`), `fedramp`, `endpoint` (`global`,
 * `regional` or a location), `speed` (`standard`, `fast`), `searchContextSize`.
 */
export function price(model, usage, options) {
  checkText(model, 'model');
  const o = checkOptions(options, 'options', ['batch', 'service', 'at', 'tier', 'schedule', 'catalog', ...CONDITION_OPTIONS]);
  if (o.tier !== undefined) checkText(o.tier, 'tier');
  const own = JSON.stringify(usageOf(usage));
  const [batch, service] = serviceOptions(o);
  const at = isoTime(o.at);
  const c = conditionOptions(o);
  return costOf(withPrices(o, (p) => p.price(model, own, batch, service, o.tier, at, c.region, c.fedramp, c.endpoint, c.speed, c.searchContextSize, c.resolution)));
}

/**
 * `text` counted with `tokenizer` (an Encoding or a Tokenizer, e.g. from
 * `await tokenizerForModel(model)`) and priced for `model` as input plus
 * `outputTokens` of output.
 */
export function estimate(tokenizer, text, model, options) {
  if (!(tokenizer instanceof Encoding || tokenizer instanceof Tokenizer)) {
    throw invalidArgument('tokenizer', `expected an Encoding or a Tokenizer (await tokenizerForModel(...)), got ${describe(tokenizer)}`);
  }
  checkText(text);
  checkText(model, 'model');
  const o = checkOptions(options, 'options', ['outputTokens', 'batch', 'service', 'schedule', 'catalog', ...CONDITION_OPTIONS]);
  const outputTokens = o.outputTokens ?? 0;
  checkCount(outputTokens, 'outputTokens');
  const [batch, service] = serviceOptions(o);
  pricingModule.get();
  const inputTokens = tokenizer.countTokens(text);
  const exact = call((e) => e.countIsExact(model, tokenizer.name));
  const c = conditionOptions(o);
  return costOf(withPrices(o, (p) => p.estimate(model, inputTokens, tokenizer.name, outputTokens, batch, service, exact, c.region, c.fedramp, c.endpoint, c.speed)));
}

/** The GTC 2026 tiers: `[{ name, pricePerMillion, description, models }]`. */
export function gtcTiers() {
  return JSON.parse(callPricing((e) => e.gtcTiers()));
}
