// The WASM package's API: lone surrogates, limits, chat, estimates, errors, linear time.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as tokfare from '../js/index.js';

test('pricing before its module is loaded is a clear error, not a crash', async () => {
  // (This file's first test: nothing has loaded either module yet in this process.)
  const notReady = (e) => e instanceof tokfare.TokfareError && e.code === 'TOKFARE_NOT_READY';
  assert.throws(() => tokfare.gtcTiers(), notReady);
  assert.throws(() => tokfare.Tokenizer.fromJSON('{}'), notReady);
  assert.throws(() => tokfare.ready({ pricing: 'no' }), tokfare.InvalidArgumentError);
  // Counting loads the tokenizer engine alone; pricing still waits for ready().
  await tokfare.ready({ pricing: false });
  const enc = await tokfare.getEncoding('cl100k_base');
  assert.equal(enc.countTokens('hello world'), 2);
  assert.throws(() => tokfare.price('gpt-4o', { inputTokens: 1 }), notReady);
  assert.throws(() => tokfare.estimate(enc, 'hello', 'gpt-4'), notReady);
  await tokfare.ready();
  assert.deepEqual(Object.fromEntries(tokfare.gtcTiers().map((t) => [t.name, t.pricePerMillion])), { free: '0', medium: '3', high: '6', premium: '45', ultra: '150' });
});

test('getEncoding is async, cached, and loads one vocabulary per family', async () => {
  const [a, b] = await Promise.all([tokfare.getEncoding('o200k_base'), tokfare.getEncoding('o200k_base')]);
  assert.equal(a, b);
  assert.equal(a.nVocab, 200019);
  assert.equal(a.specialTokens['<|endoftext|>'], 199999);
  assert.equal((await tokfare.encodingForModel('gpt-4o')).name, 'o200k_base');
  await assert.rejects(tokfare.getEncoding('cl200k'), tokfare.UnknownEncodingError);
});

test('lone surrogates become U+FFFD, as TextEncoder does', async () => {
  const enc = await tokfare.getEncoding('cl100k_base');
  for (const text of ['a\ud800b', '\udc00', 'x\ud83d', 'ok\udfff\ud800ok']) {
    const fixed = new TextDecoder().decode(new TextEncoder().encode(text));
    assert.deepEqual(Array.from(enc.encode(text)), Array.from(enc.encode(fixed)));
  }
});

test('limits, truncation, chunks, offsets', async () => {
  const enc = await tokfare.getEncoding('o200k_base');
  const text = 'one two three four five 🙂 中文';
  const n = enc.countTokens(text);
  assert.equal(enc.isWithinTokenLimit(text, n), n);
  assert.equal(enc.isWithinTokenLimit(text, n - 1), false);
  assert.ok(enc.countTokens(enc.truncate(text, 3)) <= 3);
  assert.equal(enc.chunks(text, 8).join(''), text);
  const [ids, offsets] = enc.encodeWithByteOffsets(text);
  assert.deepEqual(Array.from(ids), Array.from(enc.encodeOrdinary(text)));
  assert.equal(offsets[0], 0);
  assert.throws(() => enc.isWithinTokenLimit(text, -1), tokfare.InvalidArgumentError);
  assert.throws(() => enc.encode(42), tokfare.InvalidArgumentError);
  assert.throws(() => enc.decode([-1]), tokfare.InvalidArgumentError);
});

test('countChat matches the OpenAI cookbook; estimate prices the count', async () => {
  const messages = [
    { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
    { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
    { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
    { role: 'system', name: 'example_user', content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage." },
    { role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
    { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
  ];
  const o200k = await tokfare.getEncoding('o200k_base');
  const cl100k = await tokfare.getEncoding('cl100k_base');
  assert.equal(o200k.countChat(messages, 'gpt-4o'), 124);
  assert.equal(cl100k.countChat(messages, 'gpt-4'), 129);
  assert.throws(() => o200k.countChat(messages, 'gpt-4'), tokfare.InvalidArgumentError);
  const text = 'Summarise the attached report in three bullet points.';
  const cost = tokfare.estimate(o200k, text, 'gpt-4o', { outputTokens: 1000 });
  assert.equal(cost.usage.inputTokens, o200k.countTokens(text));
  assert.equal(typeof cost.total, 'string');
  assert.equal(tokfare.Catalog.lookup('gpt-4o-mini').ratesPerMillion.input, '0.15');
  assert.throws(() => tokfare.Catalog.lookup('gpt-4oo-mini'), tokfare.UnknownModelPriceError);
});

test('a 10 MB single word tokenizes in linear time', async () => {
  const enc = await tokfare.getEncoding('o200k_base');
  const t0 = performance.now();
  const small = enc.countTokens('a'.repeat(1_000_000));
  const t1 = performance.now();
  const big = enc.countTokens('a'.repeat(10_000_000));
  const t2 = performance.now();
  assert.ok(big >= small * 9);
  assert.ok(t2 - t1 < (t1 - t0) * 40 + 50, `1 MB: ${t1 - t0} ms, 10 MB: ${t2 - t1} ms`);
});

test('every code the engine can raise has its class, and no class is left over', async () => {
  // The core's list (tokfare::ERROR_CODES, through the engine) against the shared classes (bindings-js/src/errors.js).
  // The engine raises the tokenizer's codes, the pricing module all of them.
  await tokfare.ready();
  const engine = await import('../pkg/tokfare_wasm.js');
  const pricing = await import('../pkg/tokfare_pricing.js');
  const { fromEngine } = await import('../js/shared/errors.js');
  const codes = pricing.errorCodes();
  assert.ok(engine.errorCodes().every((code) => codes.includes(code)));
  assert.ok(codes.length > 20);
  for (const code of codes) {
    const e = fromEngine(Object.assign(new Error('message'), { code }));
    assert.ok(e instanceof tokfare.TokfareError && e.constructor !== tokfare.TokfareError, code);
    assert.equal(e.constructor.code, code);
    assert.equal(e.code, code);
  }
  const classes = Object.entries(tokfare).filter(([name, v]) => name.endsWith('Error') && v !== tokfare.TokfareError);
  assert.deepEqual(classes.map(([, v]) => v.code).sort(), [...codes].sort());
  // The shared Usage field list against the core's, in order.
  const { USAGE_FIELDS } = await import('../js/shared/usage.js');
  assert.deepEqual(Object.values(USAGE_FIELDS), pricing.usageFields());
});

test('errors carry their fields as properties; token ids may be any typed-array view', async () => {
  await tokfare.ready();
  assert.throws(() => tokfare.price('gpt-4oo-mini', { inputTokens: 1 }), (e) => {
    assert.ok(e instanceof tokfare.UnknownModelPriceError);
    assert.equal(e.code, 'TOKFARE_UNKNOWN_MODEL_PRICE');
    assert.equal(e.model, 'gpt-4oo-mini');
    assert.ok(e.suggestions.includes('gpt-4o-mini'), e.suggestions);
    return true;
  });
  const enc = await tokfare.getEncoding('o200k_base');
  const ids = enc.encode('hello world');
  assert.equal(enc.decode(new Float64Array(ids)), 'hello world');
  const sum = new tokfare.Usage({ inputTokens: 2 }).add({ inputTokens: 3, outputTokens: 1 });
  assert.equal(sum.inputTokens, 5);
  assert.equal(sum.outputTokens, 1);
});

test('Catalog.fromJSON: a newer LiteLLM file in the browser; an unknown price field refuses its model unless ignored', async () => {
  await tokfare.ready();
  const usage = { inputTokens: 1000000, outputTokens: 1000000 };
  const newer = tokfare.Catalog.fromJSON({ 'gpt-4o': { input_cost_per_token: 3e-6, output_cost_per_token: 1e-5 } });
  assert.equal(tokfare.price('gpt-4o', { inputTokens: 1000000 }, { catalog: newer }).total, '3');
  assert.equal(tokfare.price('gpt-4o', { inputTokens: 1000000 }).total, '2.5', 'the bundled catalog stays the default');
  assert.ok(newer.has('gpt-5.5'), 'over the bundled catalog by default');
  const prices = { 'acme-1': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, storage_fee_per_gb_day: 0.1 } };
  assert.throws(() => tokfare.price('acme-1', usage, { catalog: tokfare.Catalog.fromJSON(prices) }), (e) => {
    assert.ok(e instanceof tokfare.UnsupportedPriceError, `${e.name}: ${e.message}`);
    assert.deepEqual([e.code, e.model, e.field], ['TOKFARE_UNSUPPORTED_PRICE', 'acme-1', 'storage_fee_per_gb_day']);
    return true;
  });
  assert.equal(tokfare.price('acme-1', usage, { catalog: tokfare.Catalog.fromJSON(prices, { ignoreUnknownPriceFields: true }) }).total, '3');
  assert.throws(() => tokfare.price('gpt-4o', usage, { catalog: {} }), tokfare.InvalidArgumentError);
});
