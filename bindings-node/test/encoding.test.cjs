'use strict';
// The Encoding API beyond the vectors: round trips, limits, truncation, batches, lone
// surrogates, and the shape of what comes back.
const test = require('node:test');
const assert = require('node:assert/strict');
const tokfare = require('..');
const { Tiktoken } = require('js-tiktoken/lite');
const o200kRanks = require('js-tiktoken/ranks/o200k_base');

const enc = tokfare.getEncoding('o200k_base');
const reference = new Tiktoken(o200kRanks);
const SAMPLES = [
  '', 'hello world', 'Hello, 世界! 🌍👩‍👩‍👧', "I'm   here\r\n\tnow", 'x'.repeat(5000), '🙂'.repeat(300),
  'function f(a, b) { return a + b; }\n', 'Ünïcödé — ряд ряд ряд 1234567890',
];

test('getEncoding shares instances; listEncodingNames lists the built encodings', () => {
  assert.equal(tokfare.getEncoding('o200k_base'), enc);
  assert.equal(tokfare.encodingForModel('gpt-4o'), enc);
  assert.deepEqual(
    [...tokfare.listEncodingNames()].sort(),
    ['cl100k_base', 'claude', 'gpt2', 'o200k_base', 'o200k_harmony', 'p50k_base', 'p50k_edit', 'r50k_base'],
  );
  assert.equal(enc.nVocab, 200019);
  assert.equal(enc.eotToken, 199999);
  assert.equal(enc.specialTokens['<|endoftext|>'], 199999);
  assert.ok(enc.isSpecialToken(199999));
  assert.ok(!enc.isSpecialToken(0));
  assert.ok(Object.isFrozen(enc));
  assert.throws(() => new tokfare.Encoding(), TypeError);
});

test('encode returns a Uint32Array equal to js-tiktoken; decode round-trips', () => {
  for (const text of SAMPLES) {
    const got = enc.encode(text);
    assert.ok(got instanceof Uint32Array);
    assert.deepEqual(Array.from(got), reference.encode(text), text.slice(0, 40));
    assert.equal(enc.decode(got), text);
    assert.equal(enc.decode(Array.from(got)), text);
    assert.equal(Buffer.from(enc.decodeBytes(got)).toString('utf8'), text);
    assert.equal(enc.countTokens(text), got.length);
  }
});

test('encodeWithByteOffsets gives the UTF-8 offset of each token', () => {
  const text = 'héllo wörld 🙂';
  const [ids, offsets] = enc.encodeWithByteOffsets(text);
  assert.equal(ids.length, offsets.length);
  const bytes = Buffer.from(text);
  let pos = 0;
  ids.forEach((id, i) => {
    assert.equal(offsets[i], pos);
    pos += enc.decodeSingleTokenBytes(id).length;
  });
  assert.equal(pos, bytes.length);
});

test('single tokens both ways', () => {
  const id = enc.encodeSingleToken('hello');
  assert.deepEqual(Array.from(enc.encode('hello')), [id]);
  assert.equal(Buffer.from(enc.decodeSingleTokenBytes(id)).toString(), 'hello');
  assert.equal(enc.encodeSingleToken('<|endoftext|>'), 199999);
  assert.throws(() => enc.encodeSingleToken('hello world'), tokfare.NotASingleTokenError);
});

test('lone surrogates are encoded as U+FFFD, as TextEncoder and tiktoken do', () => {
  for (const text of ['a\ud800b', '\udc00', 'x\ud83d', '\ud83d\ude42\ud83d', 'ok\udfff\ud800ok']) {
    const wellFormed = new TextDecoder().decode(new TextEncoder().encode(text));
    assert.ok(wellFormed.includes('\ufffd'));
    assert.deepEqual(Array.from(enc.encode(text)), Array.from(enc.encode(wellFormed)));
    assert.deepEqual(Array.from(enc.encode(text)), reference.encode(wellFormed));
    assert.equal(enc.countTokens(text), enc.encode(wellFormed).length);
  }
});

test('isWithinTokenLimit returns false past the limit, else the count', () => {
  const text = 'one two three four five';
  const n = enc.countTokens(text);
  assert.equal(enc.isWithinTokenLimit(text, n), n);
  assert.equal(enc.isWithinTokenLimit(text, n + 10), n);
  assert.equal(enc.isWithinTokenLimit(text, n - 1), false);
  assert.equal(enc.isWithinTokenLimit('', 0), 0);
  assert.equal(enc.isWithinTokenLimit('a', 0), false);
});

test('isWithinTokenLimit stops early: a 10 MB text over a small limit is rejected fast', () => {
  const prose = require('node:fs').readFileSync(require('node:path').join(require('./helpers.cjs').SHARED, 'corpus', 'en.txt'), 'utf8');
  const huge = prose.repeat(Math.ceil(10_000_000 / prose.length));
  // `repeat` builds a rope that V8 flattens on first read: do that before timing.
  assert.equal(enc.isWithinTokenLimit(huge, 100), false);
  const start = process.hrtime.bigint();
  assert.equal(enc.isWithinTokenLimit(huge, 100), false);
  const earlyMs = Number(process.hrtime.bigint() - start) / 1e6;
  const start2 = process.hrtime.bigint();
  const full = enc.countTokens(huge);
  const fullMs = Number(process.hrtime.bigint() - start2) / 1e6;
  assert.ok(full > 100);
  // Not a timing target: early exit must simply not tokenize the whole text.
  // (Both convert the whole string to UTF-8 first; only the count itself stops early.)
  assert.ok(earlyMs * 3 < fullMs, `early ${earlyMs} ms vs full ${fullMs} ms`);
});

test('truncate and chunks cut on token boundaries', () => {
  const text = SAMPLES.join(' ');
  const ids = Array.from(enc.encode(text));
  for (const max of [0, 1, 7, 100, ids.length, ids.length + 5]) {
    const prefix = enc.truncate(text, max);
    assert.ok(text.startsWith(prefix));
    assert.ok(enc.countTokens(prefix) <= max);
    if (max >= ids.length) assert.equal(prefix, text);
  }
  // An emoji is several tokens: pieces of one token cannot hold it.
  assert.throws(() => enc.chunks(text, 1), tokfare.InvalidArgumentError);
  for (const max of [8, 64]) {
    const pieces = enc.chunks(text, max);
    assert.equal(pieces.join(''), text);
    for (const p of pieces) assert.ok(enc.countTokens(p) <= max);
  }
  assert.throws(() => enc.chunks(text, 0), tokfare.InvalidArgumentError);
});

test('batches equal one-by-one results', () => {
  const texts = SAMPLES.concat(SAMPLES.map((s) => s + ' <|endoftext|>'));
  const batch = enc.encodeBatch(texts, { disallowedSpecial: [] });
  assert.equal(batch.length, texts.length);
  texts.forEach((t, i) => assert.deepEqual(Array.from(batch[i]), Array.from(enc.encode(t, { disallowedSpecial: [] }))));
  assert.deepEqual(enc.countTokensBatch(texts), texts.map((t) => enc.countTokens(t)));
  assert.throws(() => enc.encodeBatch(texts), tokfare.DisallowedSpecialTokenError);
});

test('top-level countTokens takes a model or an encoding', () => {
  assert.equal(tokfare.countTokens('hello world', { model: 'gpt-4o' }), 2);
  assert.equal(tokfare.countTokens('hello world', { encoding: 'cl100k_base' }), tokfare.getEncoding('cl100k_base').countTokens('hello world'));
  assert.throws(() => tokfare.countTokens('x', {}), tokfare.InvalidArgumentError);
});

test('a 10 MB single word tokenizes in linear time', () => {
  const small = 'a'.repeat(1_000_000);
  const big = 'a'.repeat(10_000_000);
  const t0 = process.hrtime.bigint();
  const nSmall = enc.countTokens(small);
  const t1 = process.hrtime.bigint();
  const nBig = enc.countTokens(big);
  const t2 = process.hrtime.bigint();
  assert.ok(nBig >= nSmall * 9);
  // 10x the input must not take anywhere near 100x the time (quadratic).
  assert.ok(Number(t2 - t1) < Number(t1 - t0) * 40 + 50e6, `1 MB: ${Number(t1 - t0) / 1e6} ms, 10 MB: ${Number(t2 - t1) / 1e6} ms`);
});
