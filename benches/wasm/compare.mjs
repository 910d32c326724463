// tokfare's WASM package (bindings-wasm, built with `npm run build`) side by side with
// the JavaScript tokenizers in one Node process, single thread, on ../shared/corpus as
// 8 KiB documents: the same method as benches/node/compare.mjs (interleaved slices, no
// text seen twice by any library, best slice, counts checked after timing).
//
//   (cd bindings-wasm && npm install && npm run build)
//   cd benches/wasm && npm install && node compare.mjs [--rounds N]
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tokfare from '../../bindings-wasm/js/index.js';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const corpusDir = path.join(process.env.TOKFARE_SHARED ?? path.join(root, '..', 'shared'), 'corpus');
const ROUNDS = process.argv.includes('--rounds') ? Number(process.argv[process.argv.indexOf('--rounds') + 1]) : 5;
const { Tiktoken: JsTiktoken } = require('js-tiktoken/lite');
const tiktokenWasm = require('tiktoken');

function documents() {
  const docs = [];
  for (const file of fs.readdirSync(corpusDir).filter((f) => f.endsWith('.txt')).sort()) {
    const data = fs.readFileSync(path.join(corpusDir, file));
    let start = 0;
    let pos = 0;
    while (pos < data.length) {
      const nl = data.indexOf(10, pos);
      const end = nl < 0 ? data.length : nl + 1;
      if (end - start > 8192 && pos > start) {
        docs.push(data.subarray(start, pos).toString('utf8'));
        start = pos;
      }
      pos = end;
    }
    if (start < data.length) docs.push(data.subarray(start).toString('utf8'));
  }
  return docs;
}

async function peers(name) {
  const enc = await tokfare.getEncoding(name);
  const gpt = require(`gpt-tokenizer/encoding/${name}`);
  const js = new JsTiktoken(require(`js-tiktoken/ranks/${name}`));
  const wasm = tiktokenWasm.get_encoding(name);
  return [
    { lib: 'tokfare-wasm', encode: (t) => enc.encode(t, { disallowedSpecial: [] }), count: (t) => enc.countTokens(t) },
    { lib: 'gpt-tokenizer 4.0.0', encode: (t) => gpt.encode(t), count: (t) => gpt.countTokens(t) },
    { lib: 'tiktoken 1.0.22 (WASM)', encode: (t) => wasm.encode_ordinary(t), count: (t) => wasm.encode_ordinary(t).length },
    { lib: 'js-tiktoken 1.0.21', encode: (t) => js.encode(t), count: (t) => js.encode(t).length },
  ];
}

function throughput(fn, slice, bytes) {
  const t0 = process.hrtime.bigint();
  for (const d of slice) fn(d);
  return bytes / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const docs = documents();
const slices = Array.from({ length: 2 * ROUNDS }, (_, r) => docs.filter((_, i) => i % (2 * ROUNDS) === r));
const sliceBytes = slices.map((s) => s.reduce((a, d) => a + Buffer.byteLength(d), 0));
console.log(`# Node ${process.version}; ${docs.length} documents of <= 8 KiB in ${2 * ROUNDS} slices; best slice per library, single thread\n`);
for (const name of ['cl100k_base', 'o200k_base']) {
  const libs = await peers(name);
  const rows = libs.map((p) => ({ lib: p.lib, encode: 0, count: 0 }));
  libs.forEach((p) => ['warm up', 'the JIT'].forEach((d) => p.encode(d) && p.count(d)));
  for (let round = 0; round < ROUNDS; round++) {
    libs.forEach((p, i) => {
      rows[i].encode = Math.max(rows[i].encode, throughput(p.encode, slices[2 * round], sliceBytes[2 * round]));
      rows[i].count = Math.max(rows[i].count, throughput(p.count, slices[2 * round + 1], sliceBytes[2 * round + 1]));
    });
  }
  const reference = docs.map((d) => libs[0].count(d));
  for (const p of libs.slice(1)) {
    docs.forEach((d, i) => {
      if (i % 7 === 0 && p.count(d) !== reference[i]) throw new Error(`${p.lib} disagrees with tokfare-wasm on ${name} document ${i}`);
    });
  }
  console.log(`## ${name}\n`);
  console.log('| library | encode MB/s | count MB/s | tokfare-wasm is … × faster (encode / count) |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.lib} | ${(r.encode / 1e6).toFixed(1)} | ${(r.count / 1e6).toFixed(1)} | ${(rows[0].encode / r.encode).toFixed(2)} / ${(rows[0].count / r.count).toFixed(2)} |`);
  }
  console.log('');
}
