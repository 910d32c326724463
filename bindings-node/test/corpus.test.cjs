'use strict';
// Corpus parity: every file of ../shared/corpus, as 8 KiB documents cut at line ends and
// as one whole document, gives exactly the reference ids for cl100k_base, o200k_base and claude.
// The reference is the official tiktoken's output when the oracle's ids are available
// (TOKFARE_CORPUS_IDS, written by conformance/corpus_oracle.py; `scripts/test.sh` sets
// it), and otherwise js-tiktoken, the JavaScript port of tiktoken.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const tokfare = require('..');
const { SHARED } = require('./helpers.cjs');

const CORPUS = path.join(SHARED, 'corpus');
const ENCODINGS = ['cl100k_base', 'o200k_base', 'claude'];
const ORACLE_IDS = process.env.TOKFARE_CORPUS_IDS;
const DOC_BYTES = 8192;

// (start, end) byte ranges of ~8 KiB documents cut at line ends (corpus_oracle.py's rule).
function documents(data) {
  const docs = [];
  let start = 0;
  let pos = 0;
  while (pos < data.length) {
    const nl = data.indexOf(10, pos);
    const end = nl < 0 ? data.length : nl + 1;
    if (end - start > DOC_BYTES && pos > start) {
      docs.push([start, pos]);
      start = pos;
    }
    pos = end;
  }
  if (start < data.length) docs.push([start, data.length]);
  return docs;
}

// The oracle's documents of one file: [{ start, length, ids }].
function oracleDocuments(encoding, file) {
  const buf = fs.readFileSync(path.join(ORACLE_IDS, encoding, file.replace(/\.txt$/, ".bin")));
  const words = new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const docs = [];
  for (let i = 0; i < words.length; ) {
    const [start, length, n] = [words[i], words[i + 1], words[i + 2]];
    docs.push({ start, length, ids: words.subarray(i + 3, i + 3 + n) });
    i += 3 + n;
  }
  return docs;
}

function referenceDocuments(encoding, file, data) {
  if (ORACLE_IDS) return oracleDocuments(encoding, file);
  const { getEncoding } = require('js-tiktoken');
  const reference = getEncoding(encoding);
  const ranges = [...documents(data), [0, data.length]];
  return ranges.map(([start, end]) => ({
    start,
    length: end - start,
    ids: Uint32Array.from(reference.encode(data.subarray(start, end).toString('utf8'))),
  }));
}

const files = fs.existsSync(CORPUS) ? fs.readdirSync(CORPUS).filter((f) => f.endsWith('.txt')).sort() : [];

test('the shared corpus is there', () => {
  assert.ok(files.length >= 7, `expected the corpus in ${CORPUS} (set TOKFARE_SHARED)`);
});

for (const encoding of ENCODINGS) {
  test(`${encoding}: ids equal the reference on the whole corpus (${ORACLE_IDS ? 'official tiktoken' : 'js-tiktoken'})`, () => {
    const enc = tokfare.getEncoding(encoding);
    let checked = 0;
    for (const file of files) {
      const data = fs.readFileSync(path.join(CORPUS, file));
      const docs = referenceDocuments(encoding, file, data);
      assert.ok(docs.length > 1, file);
      for (const doc of docs) {
        const text = data.subarray(doc.start, doc.start + doc.length).toString('utf8');
        const got = enc.encode(text, { disallowedSpecial: [] });
        if (got.length !== doc.ids.length || !got.every((id, i) => id === doc.ids[i])) {
          assert.deepEqual(Array.from(got), Array.from(doc.ids), `${file} bytes ${doc.start}..${doc.start + doc.length}`);
        }
        assert.equal(enc.countTokens(text), doc.ids.length);
        checked += text.length;
      }
    }
    assert.ok(checked > 1_000_000);
  });
}
