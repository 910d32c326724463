'use strict';
// Hugging Face tokenizer.json models: the shared HF vectors (ids from HF tokenizers
// 0.23.3), the bundled Qwen 3, and errors.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tokfare = require('..');

const root = path.resolve(__dirname, '..', '..');
const hfDir = process.env.TOKFARE_HF_DIR ?? path.join(process.env.TOKFARE_ORACLE_DIR ?? path.join(os.homedir(), '.cache', 'tokfare-oracle'), 'hf');
const vectors = (name) => fs.readFileSync(path.join(root, 'conformance', 'tokenize', name), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const haveFiles = ['llama3', 'qwen3', 'gpt4o', 'deepseek_v3'].every((m) => fs.existsSync(path.join(hfDir, m, 'tokenizer.json')));

test('the HF vectors: encode, encode with special tokens, ordinary, decode', { skip: !haveFiles && 'no HF files (TOKFARE_HF_DIR)' }, () => {
  const tokenizers = new Map();
  const get = (m) => {
    if (!tokenizers.has(m)) tokenizers.set(m, tokfare.Tokenizer.fromFile(path.join(hfDir, m)));
    return tokenizers.get(m);
  };
  let n = 0;
  for (const c of vectors('hf.jsonl')) {
    const tok = get(c.model);
    const ids = c.mode === 'ordinary' ? tok.encodeOrdinary(c.text) : tok.encode(c.text, { addSpecialTokens: c.mode === 'encode+special' });
    assert.deepEqual([...ids], c.ids, `${c.model} ${c.mode} ${JSON.stringify(c.text)}`);
    if (c.mode === 'encode') assert.equal(tok.countTokens(c.text), c.ids.length);
    n++;
  }
  assert.ok(n > 2000);
  for (const c of vectors('hf_decode.jsonl')) {
    assert.equal(get(c.model).decode(c.ids, { skipSpecialTokens: c.skip_special_tokens }), c.text);
  }
});

test('the bundled Qwen 3 tokenizer', () => {
  const qwen = tokfare.Tokenizer.bundled('qwen3');
  assert.equal(qwen.engine, 'native bpe, scanner:qwen2');
  assert.ok(qwen.isNative && Object.isFrozen(qwen));
  const text = 'Hello <|im_start|>user\n你好 🙂';
  const ids = qwen.encode(text);
  assert.ok(ids instanceof Uint32Array);
  assert.ok(ids.includes(151644));
  assert.ok(!qwen.encodeOrdinary(text).includes(151644));
  assert.equal(qwen.decode(ids), text);
  assert.equal(qwen.decode([...ids], { skipSpecialTokens: true }), 'Hello user\n你好 🙂');
  assert.equal(qwen.isWithinTokenLimit(text, ids.length), ids.length);
  assert.equal(qwen.isWithinTokenLimit(text, ids.length - 1), false);
  assert.equal(tokfare.countTokens(text, { model: 'Qwen/Qwen3-8B' }), ids.length);
  assert.deepEqual([...tokfare.Tokenizer.forModel('qwen3-32b').encode(text)], [...ids]);
  // A lone surrogate is U+FFFD, as TextEncoder makes it.
  assert.deepEqual([...qwen.encode('a\ud800b')], [...qwen.encode('a\ufffdb')]);
});

test('errors are typed', () => {
  assert.throws(() => tokfare.Tokenizer.forModel('meta-llama/Llama-3.1-8B-Instruct'), (e) => e instanceof tokfare.TokenizerFileNeededError && e.code === 'TOKFARE_TOKENIZER_FILE_NEEDED' && /llama3/.test(e.message));
  assert.throws(() => tokfare.Tokenizer.forModel('nope'), tokfare.UnknownModelError);
  assert.throws(() => tokfare.Tokenizer.fromJSON('{"model": {"vocab": {"a": -1}, "merges": []}}'), (e) => e instanceof tokfare.InvalidTokenizerFileError && e.message.includes('$.model.vocab'));
  assert.throws(() => tokfare.Tokenizer.fromJSON('['.repeat(100000)), tokfare.InvalidTokenizerFileError);
  assert.throws(() => tokfare.Tokenizer.fromFile('/nonexistent/tokenizer.json'), tokfare.InvalidTokenizerFileError);
  assert.throws(() => tokfare.Tokenizer.fromJSON(42), tokfare.InvalidArgumentError);
  const qwen = tokfare.Tokenizer.bundled('qwen3');
  assert.throws(() => qwen.decode([2 ** 31]), tokfare.UnknownTokenIdError);
  assert.throws(() => qwen.encode(5), tokfare.InvalidArgumentError);
  assert.throws(() => qwen.isWithinTokenLimit('x', -1), tokfare.InvalidArgumentError);
  assert.throws(() => qwen.encode('x', { addSpecial: true }), tokfare.InvalidArgumentError);
  assert.throws(() => new tokfare.Tokenizer(), TypeError);
});

test('batches and async methods give the sync results, concurrently, and reject bad input', async () => {
  const qwen = tokfare.Tokenizer.bundled('qwen3');
  const corpusDir = path.join(process.env.TOKFARE_SHARED ?? path.join(root, '..', 'shared'), 'corpus');
  const texts = fs.readdirSync(corpusDir).sort().slice(0, 8).map((f) => fs.readFileSync(path.join(corpusDir, f), 'utf8').slice(0, 20000));
  texts.push('', '<|im_start|>user\nhi<|im_end|>', 'a\ud800b');
  const expected = texts.map((t) => [...qwen.encode(t)]);
  assert.deepEqual(qwen.encodeBatch(texts).map((ids) => [...ids]), expected);
  assert.deepEqual(qwen.countTokensBatch(texts), expected.map((ids) => ids.length));
  const [single, counts, batch, countBatch] = await Promise.all([
    Promise.all(texts.map((t) => qwen.encodeAsync(t))),
    Promise.all(texts.map((t) => qwen.countTokensAsync(t))),
    qwen.encodeBatchAsync(texts),
    qwen.countTokensBatchAsync(texts),
  ]);
  assert.deepEqual(single.map((ids) => [...ids]), expected);
  assert.deepEqual(counts, expected.map((ids) => ids.length));
  assert.deepEqual(batch.map((ids) => [...ids]), expected);
  assert.deepEqual(countBatch, expected.map((ids) => ids.length));
  assert.ok(single[0] instanceof Uint32Array);
  // `addSpecialTokens` reaches the batch and async paths (Qwen 3 adds none: same ids).
  assert.deepEqual([...(await qwen.encodeAsync('hi', { addSpecialTokens: true }))], [...qwen.encode('hi', { addSpecialTokens: true })]);
  assert.deepEqual(qwen.encodeBatch(['hi'], { addSpecialTokens: true }).map((ids) => [...ids]), [[...qwen.encode('hi', { addSpecialTokens: true })]]);

  const aborted = AbortSignal.abort();
  await assert.rejects(qwen.countTokensAsync('hi', { signal: aborted }), (e) => e.name === 'AbortError');
  await assert.rejects(qwen.encodeAsync(42), tokfare.InvalidArgumentError);
  await assert.rejects(qwen.encodeBatchAsync(["ok", 7]), tokfare.InvalidArgumentError);
  await assert.rejects(qwen.countTokensAsync("hi", { sginal: aborted }), tokfare.InvalidArgumentError);
  assert.throws(() => qwen.encodeBatch("not a list"), tokfare.InvalidArgumentError);
});
