'use strict';
// Async variants run on the libuv thread pool: same results as the sync calls under
// concurrency, errors as rejections with their class, and a free event loop meanwhile.
const test = require('node:test');
const assert = require('node:assert/strict');
const tokfare = require('..');

const enc = tokfare.getEncoding('cl100k_base');
const texts = Array.from({ length: 200 }, (_, i) => `document ${i}: ` + 'token counting at native speed, ünïcode 🙂 '.repeat(i % 37));

test('many concurrent encodeAsync / countTokensAsync calls equal the sync results', async () => {
  const [ids, counts] = await Promise.all([
    Promise.all(texts.map((t) => enc.encodeAsync(t))),
    Promise.all(texts.map((t) => enc.countTokensAsync(t))),
  ]);
  texts.forEach((t, i) => {
    assert.deepEqual(Array.from(ids[i]), Array.from(enc.encode(t)));
    assert.equal(counts[i], enc.countTokens(t));
  });
});

test('encodeBatchAsync and countTokensBatchAsync equal the sync batches', async () => {
  const [ids, counts] = await Promise.all([enc.encodeBatchAsync(texts), enc.countTokensBatchAsync(texts)]);
  assert.deepEqual(ids.map((a) => Array.from(a)), enc.encodeBatch(texts).map((a) => Array.from(a)));
  assert.deepEqual(counts, enc.countTokensBatch(texts));
});

test('errors reject with the tokfare error class and code', async () => {
  await assert.rejects(enc.encodeAsync('<|endoftext|>'), (e) => e instanceof tokfare.DisallowedSpecialTokenError && e.code === 'TOKFARE_DISALLOWED_SPECIAL_TOKEN');
  await assert.rejects(enc.encodeBatchAsync(['fine', 'bad <|endoftext|>']), tokfare.DisallowedSpecialTokenError);
  await assert.rejects(enc.countTokensAsync(42), tokfare.InvalidArgumentError);
  assert.deepEqual(Array.from(await enc.encodeAsync('<|endoftext|>', { allowedSpecial: 'all' })), [100257]);
});

test('the event loop keeps running while a 10 MB document is counted', async () => {
  const doc = 'The quick brown fox jumps over the lazy dog. '.repeat(230_000);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const count = await enc.countTokensAsync(doc);
  clearInterval(timer);
  assert.equal(count, enc.countTokens(doc));
  assert.ok(ticks > 0, 'no timer callback ran while counting');
});

test('an aborted signal rejects with an AbortError', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(enc.countTokensAsync('hello', { signal: controller.signal }), (e) => e.name === 'AbortError');
});
