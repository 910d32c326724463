'use strict';
// The shared conformance vectors (conformance/), as every binding runs them. The
// tokenizer vectors are the official tiktoken's output; the pricing ones are hand
// computations that the core and the Python binding check too.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const tokfare = require('..');
const { ROOT, vectors } = require('./helpers.cjs');

const ids = (array) => Array.from(array);

test('encodeOrdinary and countTokens equal tiktoken on every ordinary vector', () => {
  const cases = vectors('tokenize/ordinary.jsonl');
  assert.ok(cases.length > 3000);
  for (const c of cases) {
    const enc = tokfare.getEncoding(c.encoding);
    const got = enc.encodeOrdinary(c.text);
    assert.ok(got instanceof Uint32Array);
    assert.deepEqual(ids(got), c.ids, `${c.encoding} ${JSON.stringify(c.text).slice(0, 80)}`);
    assert.equal(enc.countTokens(c.text), c.ids.length);
    assert.equal(enc.decode(got), c.text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
  }
});

test('encode follows tiktoken on special tokens (allowed, disallowed, errors)', () => {
  for (const c of vectors('tokenize/special.jsonl')) {
    const enc = tokfare.getEncoding(c.encoding);
    const options = { allowedSpecial: c.allowed_special, disallowedSpecial: c.disallowed_special };
    if (c.error) {
      assert.throws(() => enc.encode(c.text, options), (e) => {
        assert.ok(e instanceof tokfare.DisallowedSpecialTokenError);
        assert.equal(e.code, `TOKFARE_${c.error.toUpperCase()}`);
        return true;
      });
      assert.throws(() => enc.countTokens(c.text, options), tokfare.DisallowedSpecialTokenError);
    } else {
      assert.deepEqual(ids(enc.encode(c.text, options)), c.ids, JSON.stringify(c));
      assert.equal(enc.countTokens(c.text, options), c.ids.length);
      // A Set is accepted wherever an array is.
      const asSets = {
        allowedSpecial: Array.isArray(c.allowed_special) ? new Set(c.allowed_special) : c.allowed_special,
        disallowedSpecial: Array.isArray(c.disallowed_special) ? new Set(c.disallowed_special) : c.disallowed_special,
      };
      assert.deepEqual(ids(enc.encode(c.text, asSets)), c.ids);
    }
  }
});

test('custom encodings (Encoding.custom) equal tiktoken with their own patterns', () => {
  const base = tokfare.getEncoding('cl100k_base');
  const specials = new Set(Object.values(base.specialTokens));
  const lines = [];
  for (let rank = 0; rank <= base.maxTokenValue; rank++) {
    if (specials.has(rank)) continue;
    let bytes;
    try {
      bytes = base.decodeSingleTokenBytes(rank);
    } catch (e) {
      if (e instanceof tokfare.UnknownTokenIdError) continue; // cl100k_base has unused ids
      throw e;
    }
    lines.push(`${Buffer.from(bytes).toString('base64')} ${rank}`);
  }
  const rankFile = Buffer.from(lines.join('\n') + '\n');
  const byPattern = new Map();
  const cases = vectors('tokenize/custom.jsonl');
  assert.ok(cases.length > 100);
  for (const c of cases) {
    let enc = byPattern.get(c.pattern);
    if (!enc) {
      enc = tokfare.Encoding.custom({ name: 'custom', patStr: c.pattern, rankFile, specialTokens: { '<|x|>': 100300, '<|y|>': 100301 } });
      byPattern.set(c.pattern, enc);
    }
    assert.deepEqual(ids(enc.encode(c.text, { allowedSpecial: 'all' })), c.ids, JSON.stringify(c).slice(0, 200));
  }
});

test('encodingNameForModel and encodingForModel map every model as tiktoken does', () => {
  for (const c of vectors('models.jsonl')) {
    if (c.error) {
      assert.throws(() => tokfare.encodingNameForModel(c.model), (e) => e instanceof tokfare.UnknownModelError && e.code === 'TOKFARE_UNKNOWN_MODEL');
    } else {
      assert.equal(tokfare.encodingNameForModel(c.model), c.encoding, c.model);
      assert.equal(tokfare.encodingForModel(c.model).name, c.encoding);
    }
  }
});

test('decoding: the bytes of ids, unknown ids and invalid UTF-8', () => {
  for (const c of vectors('errors.jsonl')) {
    const enc = tokfare.getEncoding(c.encoding);
    if (c.bytes_hex !== undefined) {
      assert.equal(Buffer.from(enc.decodeBytes(c.decode)).toString('hex'), c.bytes_hex);
    }
    if (c.error === 'unknown_token_id') {
      assert.throws(() => enc.decodeBytes(c.decode), tokfare.UnknownTokenIdError);
      assert.throws(() => enc.decode(c.decode), (e) => e.code === 'TOKFARE_UNKNOWN_TOKEN_ID');
    } else if (c.error === 'invalid_utf8') {
      assert.throws(() => enc.decode(c.decode, { fatal: true }), tokfare.InvalidUtf8Error);
      // Without `fatal`, exactly what TextDecoder makes of the bytes.
      assert.equal(enc.decode(c.decode), new TextDecoder().decode(Buffer.from(c.bytes_hex, 'hex')));
    }
  }
});

// Core token class names (the vectors' "normalized") -> Usage fields.
const FIELD = {
  input: 'inputTokens', cached_input: 'cachedInputTokens', cache_write_5m: 'cacheWriteTokens', cache_write_1h: 'cacheWrite1hTokens',
  output: 'outputTokens', reasoning: 'reasoningTokens', audio_input: 'audioInputTokens', audio_output: 'audioOutputTokens',
  image_input: 'imageInputTokens', image_output: 'imageOutputTokens', cache_write_12h: 'cacheWrite12hTokens', video_input: 'videoInputTokens', video_output: 'videoOutputTokens',
  cached_audio_input: 'cachedAudioInputTokens', cached_image_input: 'cachedImageInputTokens',
  explicit_cached_input: 'explicitCachedInputTokens', requests: 'requests', images: 'images',
  seconds: 'seconds', web_search_requests: 'webSearchRequests', maps_grounding_requests: 'mapsGroundingRequests', characters: 'characters',
  pages: 'pages', annotation_pages: 'annotationPages', queries: 'queries', citation_tokens: 'citationTokens',
};

test('usage normalisation: provider usage objects become disjoint classes', () => {
  for (const c of vectors('pricing/usage.jsonl')) {
    if (c.normalized) {
      const usage = tokfare.Usage.fromProvider(c.usage);
      const expected = Object.fromEntries(Object.values(FIELD).map((f) => [f, 0]));
      for (const [k, v] of Object.entries(c.normalized)) expected[FIELD[k]] = v;
      assert.deepEqual({ ...usage }, expected, c.name);
    } else {
      assert.throws(() => tokfare.Usage.fromProvider(c.usage), (e) => {
        assert.ok(e instanceof tokfare.InvalidUsageError, c.name);
        assert.equal(e.code, `TOKFARE_${c.error.toUpperCase()}`);
        assert.ok(e.message.includes(c.path), `${c.name}: ${e.message}`);
        return true;
      });
    }
  }
});

// The vectors' condition keys -> price options.
const CONDITIONS = {
  region: 'region', fedramp: 'fedramp', endpoint: 'endpoint', speed: 'speed', search_context_size: 'searchContextSize', resolution: 'resolution',
};

test('request prices equal the hand-computed totals (decimal strings)', () => {
  for (const c of vectors('pricing/requests.jsonl')) {
    const options = {};
    if (c.prices === 'gtc-2026') options.schedule = 'gtc-2026';
    else if (c.prices !== 'catalog') options.schedule = path.join(ROOT, c.prices);
    for (const [key, option] of Object.entries(CONDITIONS)) if (c[key] !== undefined) options[option] = c[key];
    const usage = tokfare.Usage.fromProvider(c.usage);
    if (c.error) {
      assert.throws(() => tokfare.price(c.model, usage, options), (e) => e.code === `TOKFARE_${c.error.toUpperCase()}`, c.name);
      continue;
    }
    const cost = tokfare.price(c.model, usage, { ...options, service: c.service, at: c.at ?? '2026-11-02T12:00:00Z' });
    assert.equal(typeof cost.total, 'string');
    assert.equal(cost.total, normalize(c.total), c.name);
    assert.equal(sumDecimals(cost.lines.map((l) => l.amount)), normalize(cost.total), c.name);
  }
});

// Exact decimal arithmetic for the check above, with BigInt (no float anywhere).
function toScaled(s, scale) {
  const [int, frac = ''] = s.replace('-', '').split('.');
  const v = BigInt(int + frac.padEnd(scale, '0'));
  return s.startsWith('-') ? -v : v;
}
function sumDecimals(values) {
  const scale = Math.max(0, ...values.map((v) => (v.split('.')[1] ?? '').length));
  const total = values.reduce((acc, v) => acc + toScaled(v, scale), 0n);
  const s = total.toString().padStart(scale + 1, '0');
  return normalize(scale ? `${s.slice(0, -scale)}.${s.slice(-scale)}` : s);
}
function normalize(s) {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

test('estimates: counted with the model\'s tokenizer, then priced (conformance/estimate.jsonl)', () => {
  for (const c of vectors('estimate.jsonl')) {
    const text = c.text.repeat(c.repeat ?? 1);
    const options = { outputTokens: c.output_tokens };
    for (const key of ['encoding', 'tokenizer', 'service', 'schedule']) if (c[key] !== undefined) options[key] = c[key];
    if (c.error) {
      assert.throws(() => tokfare.estimate(text, c.model, options), (e) => e.code === `TOKFARE_${c.error.toUpperCase()}`, c.name);
      continue;
    }
    const cost = tokfare.estimate(text, c.model, options);
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

test('usage logs: duplicates count once; bad lines, conflicts and unpriced events by line (conformance/usage_log.jsonl)', () => {
  for (const c of vectors('usage_log.jsonl')) {
    const meter = new tokfare.Meter();
    const file = path.join(ROOT, 'conformance', c.log);
    if (c.error) {
      assert.throws(() => meter.recordLog(file, { continueOnError: c.continue_on_error }), (e) => e.code === `TOKFARE_${c.error.code.toUpperCase()}` && e.line === c.error.line, c.name);
      assert.equal(meter.snapshot().length, c.recorded_before, c.name);
      continue;
    }
    const report = meter.recordLog(file, { continueOnError: c.continue_on_error });
    assert.deepEqual([report.recorded, report.duplicates], [c.recorded, c.duplicates], c.name);
    assert.deepEqual(report.problems.map((p) => ({ line: p.line, code: p.code })), c.problems.map((p) => ({ line: p.line, code: `TOKFARE_${p.code.toUpperCase()}` })), c.name);
    assert.deepEqual(meter.invoice().totals, { USD: c.total }, c.name);
  }
});
