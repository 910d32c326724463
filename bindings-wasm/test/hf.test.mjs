// Hugging Face tokenizer.json models in the WASM package: the HF vectors (ids from HF
// tokenizers 0.23.3) for qwen3 (the bundled asset, inflated by DecompressionStream) and
// the other files read from disk; errors.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tokfare from '../js/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const hfDir = process.env.TOKFARE_HF_DIR ?? path.join(process.env.TOKFARE_ORACLE_DIR ?? path.join(os.homedir(), '.cache', 'tokfare-oracle'), 'hf');
// Llama 3's pre-tokenization pattern (crates/tokenizer/src/pretokenize/mod.rs `patterns::LLAMA3`).
const LLAMA3 = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
const vectors = (name) => fs.readFileSync(path.join(root, 'conformance', 'tokenize', name), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

test('the bundled Qwen 3 asset equals the HF vectors', async () => {
  const qwen = await tokfare.getTokenizer('qwen3');
  assert.equal(await tokfare.getTokenizer('Qwen/Qwen3-8B'), qwen);
  assert.equal(qwen.engine, 'native bpe, scanner:qwen2');
  let n = 0;
  for (const c of vectors('hf.jsonl').filter((c) => c.model === 'qwen3')) {
    const ids = c.mode === 'ordinary' ? qwen.encodeOrdinary(c.text) : qwen.encode(c.text, { addSpecialTokens: c.mode === 'encode+special' });
    assert.deepEqual(Array.from(ids), c.ids, `${c.mode} ${JSON.stringify(c.text)}`);
    if (c.mode === 'encode') assert.equal(qwen.countTokens(c.text), c.ids.length);
    n++;
  }
  assert.ok(n > 500);
  for (const c of vectors('hf_decode.jsonl').filter((c) => c.model === 'qwen3')) {
    assert.equal(qwen.decode(c.ids, { skipSpecialTokens: c.skip_special_tokens }), c.text);
  }
});

test('other files load from their bytes', { skip: !fs.existsSync(path.join(hfDir, 'llama3', 'tokenizer.json')) && 'no HF files' }, async () => {
  await tokfare.ready();
  for (const model of ['llama3', 'deepseek_v3']) {
    const tok = tokfare.Tokenizer.fromJSON(fs.readFileSync(path.join(hfDir, model, 'tokenizer.json')), model);
    for (const c of vectors('hf.jsonl').filter((c) => c.model === model && c.mode === 'encode').slice(0, 150)) {
      assert.deepEqual(Array.from(tok.encode(c.text)), c.ids, `${model} ${JSON.stringify(c.text)}`);
    }
  }
});

test('errors are typed', async () => {
  await assert.rejects(tokfare.getTokenizer('meta-llama/Llama-3.1-8B-Instruct'), (e) => e instanceof tokfare.TokenizerFileNeededError && /llama3/.test(e.message));
  await assert.rejects(tokfare.getTokenizer('nope'), tokfare.UnknownModelError);
  assert.throws(() => tokfare.Tokenizer.fromJSON('{"model": {"vocab": {"a": -1}, "merges": []}}'), tokfare.InvalidTokenizerFileError);
  assert.throws(() => tokfare.Tokenizer.fromJSON('{"model": {"type": "Unigram", "vocab": []}}'), tokfare.UnsupportedTokenizerError);
  assert.throws(() => tokfare.Tokenizer.fromJSON('['.repeat(100000)), tokfare.InvalidTokenizerFileError);
  // The engine has scanners for the known patterns only (no general regex engine).
  const byteVocab = {}; // GPT-2's byte-to-character map: every byte a token, id = byte
  for (let b = 0, extra = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || b >= 0xae;
    byteVocab[String.fromCodePoint(printable ? b : 256 + extra++)] = b;
  }
  const withPattern = (regex) => JSON.stringify({
    model: { type: 'BPE', vocab: byteVocab, merges: [] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: regex }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
    ] },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  });
  assert.deepEqual(Array.from(tokfare.Tokenizer.fromJSON(withPattern(LLAMA3)).encode('abc')), [97, 98, 99]);
  assert.throws(() => tokfare.Tokenizer.fromJSON(withPattern('a+|[bc]+')), (e) => e instanceof tokfare.FeatureNotBuiltError && /regex/.test(e.message));
  const qwen = await tokfare.getTokenizer('qwen3');
  assert.throws(() => qwen.decode([2 ** 31]), tokfare.UnknownTokenIdError);
  assert.throws(() => qwen.isWithinTokenLimit('x', -1), tokfare.InvalidArgumentError);
  assert.throws(() => qwen.encode(7), tokfare.InvalidArgumentError);
});
