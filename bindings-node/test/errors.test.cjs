'use strict';
// Bad input of every kind gets a typed error with a stable code, and never crashes.
const test = require('node:test');
const assert = require('node:assert/strict');
const tokfare = require('..');

const enc = tokfare.getEncoding('o200k_base');

function throwsCode(fn, cls, code) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof cls, `${e.name}: ${e.message}`);
    assert.ok(e instanceof tokfare.TokfareError);
    assert.ok(e instanceof Error);
    assert.equal(e.code, code);
    assert.equal(e.name, cls.name);
    assert.ok(e.message.length > 10);
    return true;
  });
}

test('every error class has its code and is exported', () => {
  for (const [name, value] of Object.entries(tokfare)) {
    if (name.endsWith('Error')) {
      assert.ok(value === tokfare.TokfareError || value.prototype instanceof tokfare.TokfareError, name);
      assert.match(value.code, /^TOKFARE_[A-Z0-9_]+$/);
    }
  }
  assert.ok(tokfare.UnknownModelPriceError.prototype instanceof tokfare.UnknownModelError);
});

test('every field an error can carry (tokfare::Error::fields) is declared on TokfareError', () => {
  const fs = require('node:fs');
  const path = require('node:path');
  const root = path.join(__dirname, '..', '..');
  const rust = fs.readFileSync(path.join(root, 'crates', 'tokfare', 'src', 'error.rs'), 'utf8');
  const body = rust.slice(rust.indexOf('pub fn fields('), rust.indexOf('pub fn fields_json('));
  const names = new Set([...body.matchAll(/\("([a-z_]+)", /g)].map((m) => m[1]));
  assert.ok(names.has('line') && names.has('suggestions') && names.size > 15, [...names].join(' '));
  const dts = fs.readFileSync(path.join(root, 'bindings-js', 'src', 'index.d.ts'), 'utf8');
  const base = dts.slice(dts.indexOf('export declare class TokfareError'), dts.indexOf('export declare class UnknownEncodingError'));
  for (const name of names) assert.match(base, new RegExp(`readonly ${name}\\?:`), name);
});

test('every code the core can raise has its class, and no class is left over', () => {
  // The core's list (tokfare::ERROR_CODES, through the addon) against the shared classes (bindings-js/src/errors.js).
  const { fromEngine: fromNative } = require('../lib/shared.cjs');
  const codes = require('../native/binding.cjs').errorCodes();
  assert.ok(codes.length > 20);
  for (const code of codes) {
    const e = fromNative(Object.assign(new Error('message'), { code }));
    assert.ok(e instanceof tokfare.TokfareError && e.constructor !== tokfare.TokfareError, code);
    assert.equal(e.constructor.code, code);
    assert.equal(e.code, code);
  }
  const classes = Object.entries(tokfare).filter(([name, v]) => name.endsWith('Error') && v !== tokfare.TokfareError);
  assert.deepEqual(classes.map(([, v]) => v.code).sort(), [...codes].sort());
  // The shared Usage field list against the core's, in order.
  const { USAGE_FIELDS } = require('../lib/shared.cjs');
  assert.deepEqual(Object.values(USAGE_FIELDS), require('../native/binding.cjs').usageFields());
});

test('non-strings where text belongs', () => {
  for (const bad of [undefined, null, 42, {}, ['a'], Buffer.from('a'), Symbol('s')]) {
    throwsCode(() => enc.encode(bad), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
    throwsCode(() => enc.countTokens(bad), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
    throwsCode(() => enc.encodeOrdinary(bad), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
    throwsCode(() => tokfare.getEncoding(bad), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  }
  throwsCode(() => enc.encodeBatch(['a', 1]), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => enc.encodeBatch('a'), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
});

test('negative, fractional and huge limits', () => {
  for (const bad of [-1, 1.5, NaN, Infinity, '3', 2 ** 60, undefined]) {
    throwsCode(() => enc.isWithinTokenLimit('hello', bad), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
    throwsCode(() => enc.truncate('hello', bad), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
    throwsCode(() => enc.chunks('hello', bad), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  }
});

test('unknown encodings, models and prices', () => {
  throwsCode(() => tokfare.getEncoding('cl200k'), tokfare.UnknownEncodingError, 'TOKFARE_UNKNOWN_ENCODING');
  throwsCode(() => tokfare.encodingForModel('llama-9'), tokfare.UnknownModelError, 'TOKFARE_UNKNOWN_MODEL');
  throwsCode(() => tokfare.price('gpt-4oo-mini', { inputTokens: 1 }), tokfare.UnknownModelPriceError, 'TOKFARE_UNKNOWN_MODEL_PRICE');
  assert.throws(() => tokfare.price('gpt-4oo-mini', { inputTokens: 1 }), /gpt-4o-mini/); // suggests the close name
});

test('bad special-token arguments and disallowed specials', () => {
  throwsCode(() => enc.encode('x', { allowedSpecial: 'some' }), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => enc.encode('x', { allowedSpecial: [1] }), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => enc.encode('x', { allowed: 'all' }), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => enc.encode('a <|endoftext|>'), tokfare.DisallowedSpecialTokenError, 'TOKFARE_DISALLOWED_SPECIAL_TOKEN');
});

test('bad token ids', () => {
  throwsCode(() => enc.decode([1, -1]), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => enc.decode([0.5]), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => enc.decode(['12']), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => enc.decode('12'), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => enc.decode([2 ** 32]), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => enc.decode(new Uint32Array([4_000_000_000])), tokfare.UnknownTokenIdError, 'TOKFARE_UNKNOWN_TOKEN_ID');
  throwsCode(() => enc.decodeSingleTokenBytes(300_000), tokfare.UnknownTokenIdError, 'TOKFARE_UNKNOWN_TOKEN_ID');
});

test('malformed custom encodings', () => {
  const base = { name: 'x', patStr: '\\w+|\\s+' };
  throwsCode(() => tokfare.Encoding.custom({ ...base, rankFile: 'not base64!!! 0\n' }), tokfare.InvalidRankFileError, 'TOKFARE_INVALID_RANK_FILE');
  throwsCode(() => tokfare.Encoding.custom({ ...base, rankFile: 'YQ== 0\n' }), tokfare.InvalidVocabularyError, 'TOKFARE_INVALID_VOCABULARY');
  const allBytes = Array.from({ length: 256 }, (_, i) => `${Buffer.from([i]).toString('base64')} ${i}`).join('\n');
  throwsCode(() => tokfare.Encoding.custom({ ...base, patStr: '(unclosed', rankFile: allBytes }), tokfare.InvalidPatternError, 'TOKFARE_INVALID_PATTERN');
  const ok = tokfare.Encoding.custom({ ...base, rankFile: allBytes, specialTokens: { '<|end|>': 256 } });
  assert.deepEqual(Array.from(ok.encode('ab <|end|>', { allowedSpecial: 'all' })), [97, 98, 32, 256]);
});

test('malformed usage objects', () => {
  throwsCode(() => new tokfare.Usage({ inputTokens: -5 }), tokfare.InvalidUsageError, 'TOKFARE_INVALID_USAGE');
  throwsCode(() => new tokfare.Usage({ inputTokens: 1.5 }), tokfare.InvalidUsageError, 'TOKFARE_INVALID_USAGE');
  throwsCode(() => new tokfare.Usage({ prompt_tokens: 5 }), tokfare.InvalidUsageError, 'TOKFARE_INVALID_USAGE');
  throwsCode(() => tokfare.Usage.fromOpenAI({ prompt_tokens: -1, completion_tokens: 2 }), tokfare.InvalidUsageError, 'TOKFARE_INVALID_USAGE');
  throwsCode(() => tokfare.Usage.fromOpenAI({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 11 } }), tokfare.InvalidUsageError, 'TOKFARE_INVALID_USAGE');
  throwsCode(() => tokfare.Usage.fromAnthropic('input_tokens=5'), tokfare.InvalidUsageError, 'TOKFARE_INVALID_USAGE');
  throwsCode(() => tokfare.Usage.fromAnthropic(null), tokfare.InvalidUsageError, 'TOKFARE_INVALID_USAGE');
  throwsCode(() => tokfare.price('gpt-4o', { outputTokens: -1 }), tokfare.InvalidUsageError, 'TOKFARE_INVALID_USAGE');
});

test('malformed schedules and catalogs name the bad field', () => {
  assert.throws(
    () => tokfare.Schedule.fromTOML('name = "x"\n[schedules.a]\nmodels = ["m"]\nrates = { input = "-1", output = "2" }\n'),
    (e) => e instanceof tokfare.InvalidScheduleError && e.code === 'TOKFARE_INVALID_SCHEDULE' && /schedules\.a\.rates\.input/.test(e.message),
  );
  throwsCode(() => tokfare.Schedule.fromJSON('{"name": '), tokfare.InvalidScheduleError, 'TOKFARE_INVALID_SCHEDULE');
  throwsCode(() => tokfare.Schedule.bundled('gtc-1999'), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => tokfare.Catalog.fromJSON('[1, 2]'), tokfare.InvalidCatalogError, 'TOKFARE_INVALID_CATALOG');
  throwsCode(() => tokfare.Catalog.fromFile('/nonexistent/prices.json'), tokfare.InvalidCatalogError, 'TOKFARE_INVALID_CATALOG');
});

test('money is never a fractional JS number', () => {
  const meter = new tokfare.Meter();
  throwsCode(() => meter.setBudget('acme', 12.5), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => meter.setBudget('acme', '-3'), tokfare.InvalidMoneyError, 'TOKFARE_INVALID_MONEY');
  meter.setBudget('acme', '12.50');
  meter.setBudget('acme', 12n);
  throwsCode(() => tokfare.capacityPlan({ megawatts: 1.5, hours: 1, tokensPerSecondPerMW: {} }), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
});

test('chat messages and options of the wrong shape', () => {
  throwsCode(() => tokfare.countChat('hi', 'gpt-4o'), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => tokfare.countChat([{ role: 'user', content: 5 }], 'gpt-4o'), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => tokfare.countChat([{ role: 'user', content: 'hi' }], 'gpt-4o', { tools: {} }), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => tokfare.price('gpt-4o', {}, { batch: true, service: 'priority' }), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => tokfare.price('gpt-4o', {}, { at: 'yesterday' }), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
  throwsCode(() => tokfare.price('gpt-4o', {}, { at: new Date(NaN) }), tokfare.InvalidArgumentError, 'TOKFARE_INVALID_ARGUMENT');
});

test('errors carry their fields as properties', () => {
  assert.throws(() => tokfare.price('gpt-4oo-mini', { inputTokens: 1 }), (e) => {
    assert.ok(e instanceof tokfare.UnknownModelPriceError);
    assert.equal(e.code, 'TOKFARE_UNKNOWN_MODEL_PRICE');
    assert.equal(e.model, 'gpt-4oo-mini');
    assert.ok(e.suggestions.includes('gpt-4o-mini'), e.suggestions);
    return true;
  });
  assert.throws(() => tokfare.Usage.fromOpenAI({ prompt_tokens: -5, completion_tokens: 1 }), (e) => {
    assert.ok(e instanceof tokfare.InvalidUsageError);
    assert.equal(e.code, 'TOKFARE_INVALID_USAGE');
    assert.equal(e.field, '$.prompt_tokens');
    assert.match(e.reason, /negative/);
    return true;
  });
});
