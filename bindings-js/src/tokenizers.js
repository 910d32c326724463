// The synchronous tokenizer API shared by the Node and browser packages, over an engine
// each package supplies (the Node addon's handles; adapters over the WebAssembly
// engine's). `EncodingBase` is tiktoken's API; `TokenizerBase` Hugging Face's. Each
// package's `Encoding` and `Tokenizer` extend them with their own loading (sync files and
// async work on the libuv pool in Node; fetched assets in the browser).
//
// The engine of an encoding: encode(text, allowed, disallowed), encodeOrdinary(text),
// encodeWithByteOffsets(text) -> [ids, offsets], decode(ids, fatal), decodeBytes(ids),
// decodeSingleTokenBytes(id), count(text), countWithSpecial(text, allowed, disallowed),
// countUntil(text, limit) -> number | null, truncate(text, maxTokens), chunks(text, maxTokens);
// `allowed` / `disallowed` are undefined (tiktoken's default), 'all' or an array of strings.
// The engine of a tokenizer.json model: encode(text, addSpecialTokens), encodeOrdinary(text),
// count(text), countUntil(text, limit), isSpecialToken(id), decode(ids, skipSpecialTokens),
// decodeBytes(ids, skipSpecialTokens).
import { fromEngine } from './errors.js';
import { checkCount, checkOptions, checkText, specials, tokenIds } from './checks.js';

const ENCODE_OPTIONS = ['allowedSpecial', 'disallowedSpecial'];

/** An object over an engine: `_call(f)` runs `f` on it, its errors as tokfare's classes. */
class EngineBound {
  #engine;

  constructor(engine) {
    this.#engine = engine;
  }

  /** Runs `f` on the engine, turning what it throws into tokfare's error classes. */
  _call(f) {
    try {
      return f(this.#engine);
    } catch (e) {
      throw fromEngine(e);
    }
  }
}

/** tiktoken's API over an encoding engine. */
export class EncodingBase extends EngineBound {
  /**
   * Token ids of `text`. Special tokens follow tiktoken: by default, text that spells a
   * special token is an error (`DisallowedSpecialTokenError`); `allowedSpecial: "all"`
   * encodes them as special tokens, `disallowedSpecial: []` as ordinary text.
   */
  encode(text, options) {
    checkText(text);
    const o = checkOptions(options, 'options', ENCODE_OPTIONS);
    const allowed = specials(o.allowedSpecial, 'allowedSpecial');
    const disallowed = specials(o.disallowedSpecial, 'disallowedSpecial');
    return this._call((e) => e.encode(text, allowed, disallowed));
  }

  /** Token ids of `text`, with special-token text encoded as ordinary text. */
  encodeOrdinary(text) {
    checkText(text);
    return this._call((e) => e.encodeOrdinary(text));
  }

  /** `[ids, offsets]`: ordinary ids and the UTF-8 byte offset where each token starts. */
  encodeWithByteOffsets(text) {
    checkText(text);
    return this._call((e) => e.encodeWithByteOffsets(text));
  }

  /**
   * The text of token ids. Bytes that are not valid UTF-8 (a character split between
   * ids) become U+FFFD, as with `TextDecoder`; with `{ fatal: true }` they are an
   * `InvalidUtf8Error`. An unknown id is an `UnknownTokenIdError`.
   */
  decode(ids, options) {
    const fatal = checkOptions(options, 'options', ['fatal']).fatal === true;
    const typed = tokenIds(ids);
    return this._call((e) => e.decode(typed, fatal));
  }

  /** The bytes of token ids. */
  decodeBytes(ids) {
    const typed = tokenIds(ids);
    return this._call((e) => e.decodeBytes(typed));
  }

  /** The bytes of one token. */
  decodeSingleTokenBytes(id) {
    checkCount(id, 'id');
    return this._call((e) => e.decodeSingleTokenBytes(id));
  }

  /**
   * Number of tokens in `text`, without building the ids. Without options, special-token
   * text counts as ordinary text (what an API bills for user content); with options,
   * special tokens follow the rules of `encode`.
   */
  countTokens(text, options) {
    checkText(text);
    if (options === undefined) return this._call((e) => e.count(text));
    checkOptions(options, 'options', ENCODE_OPTIONS);
    const allowed = specials(options.allowedSpecial, 'allowedSpecial');
    const disallowed = specials(options.disallowedSpecial, 'disallowedSpecial');
    return this._call((e) => e.countWithSpecial(text, allowed, disallowed));
  }

  /**
   * `false` if `text` has more than `limit` tokens, else its token count. Stops counting
   * as soon as the limit is passed, so a huge text over the limit is cheap to reject.
   */
  isWithinTokenLimit(text, limit) {
    checkText(text);
    checkCount(limit, 'limit');
    return this._call((e) => e.countUntil(text, limit)) ?? false;
  }

  /** The longest prefix of `text` with at most `maxTokens` tokens, cut on a token boundary. */
  truncate(text, maxTokens) {
    checkText(text);
    checkCount(maxTokens, 'maxTokens');
    return this._call((e) => e.truncate(text, maxTokens));
  }

  /** `text` cut into consecutive pieces of at most `maxTokens` tokens (at least 1), on token boundaries. */
  chunks(text, maxTokens) {
    checkText(text);
    checkCount(maxTokens, 'maxTokens');
    return this._call((e) => e.chunks(text, maxTokens));
  }
}

/** Hugging Face `tokenizers`' API over a tokenizer.json engine. */
export class TokenizerBase extends EngineBound {
  /** Token ids, as HF `encode(text, addSpecialTokens).ids`; `addSpecialTokens` adds the post-processor's BOS/EOS. */
  encode(text, options) {
    checkText(text);
    const o = checkOptions(options, 'options', ['addSpecialTokens']);
    return this._call((t) => t.encode(text, o.addSpecialTokens === true));
  }

  /** Token ids with special tokens read as plain text (for user input). */
  encodeOrdinary(text) {
    checkText(text);
    return this._call((t) => t.encodeOrdinary(text));
  }

  /** Number of tokens of `text` (as `encode`), without building the ids. */
  countTokens(text) {
    checkText(text);
    return this._call((t) => t.count(text));
  }

  /** `false` if `text` has more than `limit` tokens (stopping early), else the count. */
  isWithinTokenLimit(text, limit) {
    checkText(text);
    checkCount(limit, 'limit');
    return this._call((t) => t.countUntil(text, limit)) ?? false;
  }

  /** Whether `id` is an added token marked special. */
  isSpecialToken(id) {
    checkCount(id, 'id');
    return this._call((t) => t.isSpecialToken(id));
  }

  /** HF `decode`: invalid UTF-8 becomes U+FFFD; an unknown id throws UnknownTokenIdError. */
  decode(ids, options) {
    const o = checkOptions(options, 'options', ['skipSpecialTokens']);
    const typed = tokenIds(ids);
    return this._call((t) => t.decode(typed, o.skipSpecialTokens === true));
  }

  /** The bytes the ids stand for. */
  decodeBytes(ids, options) {
    const o = checkOptions(options, 'options', ['skipSpecialTokens']);
    const typed = tokenIds(ids);
    return this._call((t) => t.decodeBytes(typed, o.skipSpecialTokens === true));
  }
}
