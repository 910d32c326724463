// The shared conformance vectors (conformance/) against the WASM build, in Node: the
// same files the core, Python and Node packages pass.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tokfare from '../js/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const vectors = (name) =>
  fs.readFileSync(path.join(root, 'conformance', name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const ids = (a) => Array.from(a);
const wellFormed = (s) => new TextDecoder().decode(new TextEncoder().encode(s));

test('encodeOrdinary, countTokens and decode equal tiktoken on every ordinary vector', async () => {
  const cases = vectors('tokenize/ordinary.jsonl');
  assert.ok(cases.length > 3000);
  for (const c of cases) {
    const enc = await tokfare.getEncoding(c.encoding);
    const got = enc.encodeOrdinary(c.text);
    assert.ok(got instanceof Uint32Array);
    assert.deepEqual(ids(got), c.ids, `${c.encoding} ${JSON.stringify(c.text).slice(0, 80)}`);
    assert.equal(enc.countTokens(c.text), c.ids.length);
    assert.equal(enc.decode(got), wellFormed(c.text));
  }
});

test('encode follows tiktoken on special tokens', async () => {
  for (const c of vectors('tokenize/special.jsonl')) {
    const enc = await tokfare.getEncoding(c.encoding);
    const options = { allowedSpecial: c.allowed_special, disallowedSpecial: c.disallowed_special };
    if (c.error) {
      assert.throws(() => enc.encode(c.text, options), (e) => e instanceof tokfare.DisallowedSpecialTokenError && e.code === 'TOKFARE_DISALLOWED_SPECIAL_TOKEN');
    } else {
      assert.deepEqual(ids(enc.encode(c.text, options)), c.ids, JSON.stringify(c));
      assert.equal(enc.countTokens(c.text, options), c.ids.length);
    }
  }
});

test('model names map as in tiktoken', async () => {
  await tokfare.ready();
  for (const c of vectors('models.jsonl')) {
    if (c.error) assert.throws(() => tokfare.encodingNameForModel(c.model), tokfare.UnknownModelError);
    else assert.equal(tokfare.encodingNameForModel(c.model), c.encoding, c.model);
  }
});

test('decoding: bytes, unknown ids, invalid UTF-8', async () => {
  for (const c of vectors('errors.jsonl')) {
    const enc = await tokfare.getEncoding(c.encoding);
    if (c.bytes_hex !== undefined) assert.equal(Buffer.from(enc.decodeBytes(c.decode)).toString('hex'), c.bytes_hex);
    if (c.error === 'unknown_token_id') assert.throws(() => enc.decodeBytes(c.decode), tokfare.UnknownTokenIdError);
    if (c.error === 'invalid_utf8') {
      assert.throws(() => enc.decode(c.decode, { fatal: true }), tokfare.InvalidUtf8Error);
      assert.equal(enc.decode(c.decode), new TextDecoder().decode(Buffer.from(c.bytes_hex, 'hex')));
    }
  }
});

const FIELD = {
  input: 'inputTokens', cached_input: 'cachedInputTokens', cache_write_5m: 'cacheWriteTokens', cache_write_1h: 'cacheWrite1hTokens',
  output: 'outputTokens', reasoning: 'reasoningTokens', audio_input: 'audioInputTokens', audio_output: 'audioOutputTokens',
  image_input: 'imageInputTokens', image_output: 'imageOutputTokens', cache_write_12h: 'cacheWrite12hTokens', video_input: 'videoInputTokens', video_output: 'videoOutputTokens',
  cached_audio_input: 'cachedAudioInputTokens', cached_image_input: 'cachedImageInputTokens',
  explicit_cached_input: 'explicitCachedInputTokens', requests: 'requests', images: 'images',
  seconds: 'seconds', web_search_requests: 'webSearchRequests', maps_grounding_requests: 'mapsGroundingRequests', characters: 'characters',
  pages: 'pages', annotation_pages: 'annotationPages', queries: 'queries', citation_tokens: 'citationTokens',
};

test('usage normalisation', async () => {
  await tokfare.ready();
  for (const c of vectors('pricing/usage.jsonl')) {
    if (c.normalized) {
      const expected = Object.fromEntries(Object.values(FIELD).map((f) => [f, 0]));
      for (const [k, v] of Object.entries(c.normalized)) expected[FIELD[k]] = v;
      assert.deepEqual({ ...tokfare.Usage.fromProvider(c.usage) }, expected, c.name);
    } else {
      assert.throws(() => tokfare.Usage.fromProvider(c.usage), (e) => e instanceof tokfare.InvalidUsageError && e.message.includes(c.path), c.name);
    }
  }
});

// The vectors' condition keys -> price options.
const CONDITIONS = {
  region: 'region', fedramp: 'fedramp', endpoint: 'endpoint', speed: 'speed', search_context_size: 'searchContextSize', resolution: 'resolution',
};

test('request prices equal the hand-computed totals', async () => {
  await tokfare.ready();
  for (const c of vectors('pricing/requests.jsonl')) {
    const options = { service: c.service, at: c.at ?? '2026-11-02T12:00:00Z' };
    if (c.prices === 'gtc-2026') options.schedule = 'gtc-2026';
    else if (c.prices !== 'catalog') options.schedule = tokfare.Schedule.fromTOML(fs.readFileSync(path.join(root, c.prices), 'utf8'));
    for (const [key, option] of Object.entries(CONDITIONS)) if (c[key] !== undefined) options[option] = c[key];
    const usage = tokfare.Usage.fromProvider(c.usage);
    if (c.error) {
      assert.throws(() => tokfare.price(c.model, usage, options), (e) => e.code === `TOKFARE_${c.error.toUpperCase()}`, c.name);
    } else {
      assert.equal(tokfare.price(c.model, usage, options).total, c.total.includes('.') ? c.total.replace(/0+$/, '').replace(/\.$/, '') : c.total, c.name);
    }
  }
});

test('estimates: counted with the model\'s tokenizer, then priced (conformance/estimate.jsonl)', async () => {
  await tokfare.ready();
  for (const c of vectors('estimate.jsonl')) {
    const text = c.text.repeat(c.repeat ?? 1);
    const options = { outputTokens: c.output_tokens };
    for (const key of ['service', 'schedule']) if (c[key] !== undefined) options[key] = c[key];
    const count = async () => {
      if (c.tokenizer !== undefined) return tokfare.getTokenizer(c.tokenizer);
      if (c.encoding !== undefined) return tokfare.getEncoding(c.encoding);
      return tokfare.tokenizerForEstimate(c.model);
    };
    if (c.error) {
      await assert.rejects(async () => tokfare.estimate(await count(), text, c.model, options), (e) => e.code === `TOKFARE_${c.error.toUpperCase()}`, c.name);
      continue;
    }
    const cost = tokfare.estimate(await count(), text, c.model, options);
    const got = {
      tokenizer: cost.tokenizer,
      approximate: cost.approximate,
      input_tokens: cost.usage.inputTokens,
      schedule: cost.schedule,
      currency: cost.currency,
      total: cost.total,
      rounded: cost.rounded,
      lines: cost.lines.map((l) => ({ item: l.item, quantity: l.quantity, amount: l.amount })),
      warnings: cost.warnings.length,
    };
    assert.deepEqual(got, c.expected, c.name);
  }
});
