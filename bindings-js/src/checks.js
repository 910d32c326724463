// Argument checks shared by the Node and browser packages: every wrong argument is a
// typed InvalidArgumentError naming it, before anything reaches the native module.
import { invalidArgument } from './errors.js';

/** A short description of a value for an error message. */
export function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

export function checkText(text, name = 'text') {
  if (typeof text !== 'string') throw invalidArgument(name, `expected a string, got ${describe(text)}`);
}

export function checkTexts(texts, name = 'texts') {
  if (!Array.isArray(texts)) throw invalidArgument(name, `expected an array of strings, got ${describe(texts)}`);
  for (let i = 0; i < texts.length; i++) {
    if (typeof texts[i] !== 'string') throw invalidArgument(`${name}[${i}]`, `expected a string, got ${describe(texts[i])}`);
  }
}

export function checkCount(value, name) {
  if (!Number.isSafeInteger(value) || value < 0) throw invalidArgument(name, `expected a non-negative integer, got ${describe(value)}`);
}

export function checkBoolean(value, name) {
  if (value !== undefined && typeof value !== 'boolean') throw invalidArgument(name, `expected a boolean, got ${describe(value)}`);
}

/** The options object (or `{}`), refusing keys not in `allowed`. */
export function checkOptions(options, name, allowed) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw invalidArgument(name, `expected an options object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw invalidArgument(name, `unknown option ${JSON.stringify(key)} (known: ${allowed.join(', ')})`);
  }
  return options;
}

/** `"all"`, an array or a Set of special-token strings, or undefined (the default). */
export function specials(value, name) {
  if (value === undefined || value === 'all') return value;
  if (value instanceof Set) value = [...value];
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) return value;
  throw invalidArgument(name, `expected "all" or an array or Set of strings, got ${describe(value)}`);
}

/** Token ids as a Uint32Array: a Uint32Array passes through, arrays and other typed-array views are checked. */
export function tokenIds(ids) {
  if (ids instanceof Uint32Array) return ids;
  if (!Array.isArray(ids) && !ArrayBuffer.isView(ids)) {
    throw invalidArgument('ids', `expected a Uint32Array or an array of token ids, got ${describe(ids)}`);
  }
  const out = new Uint32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
      throw invalidArgument(`ids[${i}]`, `expected a token id (an integer from 0 to 2^32-1), got ${describe(id)}`);
    }
    out[i] = id;
  }
  return out;
}

/** A moment as RFC 3339 text: a Date, an RFC 3339 string, or milliseconds since the epoch. */
export function isoTime(value, name = 'at') {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  const date = value instanceof Date ? value : typeof value === 'number' ? new Date(value) : null;
  if (date === null || Number.isNaN(date.getTime())) {
    throw invalidArgument(name, `expected a Date, an RFC 3339 string or milliseconds since the epoch, got ${describe(value)}`);
  }
  return date.toISOString();
}

/**
 * Money and other exact quantities: decimal strings, bigints or safe integers (never a
 * fractional JS number, which cannot hold most decimal amounts exactly).
 */
export function decimalArg(value, name) {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (Number.isSafeInteger(value)) return String(value);
  throw invalidArgument(name, `expected a decimal string (e.g. "12.50"), a bigint or an integer, got ${describe(value)}; fractional numbers are not exact`);
}

/** The options that state a request's conditions (uplifts, web-search prices). */
export const CONDITION_OPTIONS = Object.freeze(['region', 'fedramp', 'endpoint', 'speed', 'searchContextSize', 'resolution']);

/**
 * The request's conditions as given, for the engine: the core checks each value
 * (`region`: global, us, eu; `endpoint`: global, regional or a location; `speed`:
 * standard, fast; `searchContextSize`: low, medium, high; `resolution`: 720p, 1080p, 2K ...).
 */
export function conditionOptions(o) {
  for (const key of ['region', 'endpoint', 'speed', 'searchContextSize', 'resolution']) if (o[key] !== undefined) checkText(o[key], key);
  checkBoolean(o.fedramp, 'fedramp');
  return { region: o.region, fedramp: o.fedramp, endpoint: o.endpoint, speed: o.speed, searchContextSize: o.searchContextSize, resolution: o.resolution };
}

/** `batch` and `service` as given: the core decides what they mean together. */
export function serviceOptions(o) {
  checkBoolean(o.batch, 'batch');
  if (o.service !== undefined) checkText(o.service, 'service');
  return [o.batch, o.service];
}
