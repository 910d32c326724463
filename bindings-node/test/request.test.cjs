'use strict';
// countRequest: the shared request vectors (ai-tokenizer's counts for Claude and Gemini),
// the profiles' verdicts, and typed errors naming the JSON path.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const tokfare = require('..');
const { ROOT } = require('./helpers.cjs');

const cases = (name) =>
  fs
    .readFileSync(path.join(ROOT, 'conformance', 'requests', name), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

for (const name of ['openai.jsonl', 'calibrated.jsonl']) {
  test(`counts equal the shared vectors: ${name}`, () => {
    const rows = cases(name);
    assert.ok(rows.length >= 50);
    for (const c of rows) {
      const got = tokfare.countRequest(c.model, c.body, { format: c.format });
      assert.equal(got.tokens, c.tokens, `${c.name} on ${c.model}`);
      if (c.exact !== undefined) assert.equal(got.exact, c.exact, c.name);
      else assert.deepEqual([got.exact, got.bandPermille !== null], [false, c.banded], c.name);
      assert.equal(tokfare.countRequest(c.model, JSON.parse(c.body), { format: c.format }).tokens, c.tokens);
    }
  });
}

test('verdicts say how sure a count is', () => {
  const body = { messages: [{ role: 'user', content: 'Hello there' }] };
  const exact = tokfare.countRequest('gpt-4o', body);
  const enc = tokfare.getEncoding('o200k_base');
  assert.deepEqual(
    [exact.tokens, exact.exact, exact.band, exact.tokenizer, exact.profile, exact.note],
    [3 + enc.countTokens('user') + enc.countTokens('Hello there') + 3, true, null, 'o200k_base', 'openai', ''],
  );
  const claude = tokfare.countRequest('claude-sonnet-4-5-20250929', { system: 'Be brief.', ...body }, { format: 'anthropic-messages' });
  assert.deepEqual([claude.exact, claude.band, claude.bandPermille, claude.tokenizer], [false, '-2.0%..+3.0%', [-20, 30], 'claude']);
  const newer = tokfare.countRequest('claude-opus-4-6', body, { format: 'anthropic-messages' });
  assert.equal(newer.band, null);
  assert.match(newer.note, /no error band/);
});

test('errors are typed and name the field', () => {
  assert.throws(
    () => tokfare.countRequest('claude-opus-4-5', { messages: [{ role: 'user', content: [{ type: 'video' }] }] }, { format: 'anthropic-messages' }),
    (e) => e instanceof tokfare.InvalidArgumentError && e.code === 'TOKFARE_INVALID_ARGUMENT' && e.message.includes('$.messages[0].content[0].type'),
  );
  assert.throws(() => tokfare.countRequest('gpt-4o', {}, { format: 'cohere' }), tokfare.InvalidArgumentError);
  assert.throws(() => tokfare.countRequest('gpt-4o', '{not json'), tokfare.InvalidArgumentError);
  assert.throws(() => tokfare.countRequest('gpt-4o', 42), tokfare.InvalidArgumentError);
});
