// tokfare's Node package side by side with the JavaScript tokenizers, in one process,
// single thread: throughput on ../shared/corpus as 8 KiB documents (encode and count),
// the cost of counting one ~100-byte chat message, and import time and memory.
//
//   (cd bindings-node && npm install && npm run build)   # the addon, release build
//   cd benches/node && npm install && node compare.mjs [--rounds N]
//
// The VM is noisy (the same run minutes apart moves single numbers by ±30%), so the
// corpus is split into 2N+1 interleaved slices (document i goes to slice i mod 2N+1);
// round r has every library encode slice 2r and count slice 2r+1, in turn, and each
// library's best round is reported. Every library sees the same texts, and no measured
// text twice: gpt-tokenizer keeps a cache of merged words, and re-encoding text it has
// seen measures that cache rather than the tokenizer (3x its speed when we tried). For
// the same reason the libraries' counts are checked against tokfare's after the timing.
//
// Before each timed pass the library runs the same operation, untimed, over
// WARM_UP_DOCS documents spread over the last slice (never measured), so every pass
// starts with that library's own tables in the CPU caches, not the previous library's.
// Without it, whichever pass comes first after the other libraries is the slower one:
// tokfare's encode (first) ran 34 MB/s and its count (second) 48; swapping the two
// passes swapped the numbers (45 / 34).
//
// Every library must give the same token counts as tokfare on every document measured
// (checked before timing); a mismatch stops the run.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const corpusDir = process.env.TOKFARE_SHARED ? path.join(process.env.TOKFARE_SHARED, 'corpus') : path.join(root, '..', 'shared', 'corpus');
const tokfarePath = path.join(root, 'bindings-node');
const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const ROUNDS = arg('--rounds', 5);
const WARM_UP_DOCS = 24;

const tokfare = require(tokfarePath);
const { Tiktoken: JsTiktoken } = require('js-tiktoken/lite');
const tiktokenWasm = require('tiktoken');

// ~8 KiB documents cut at line ends (conformance/corpus_oracle.py's rule).
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

function peers(name) {
  const gpt = require(`gpt-tokenizer/encoding/${name}`);
  const js = new JsTiktoken(require(`js-tiktoken/ranks/${name}`));
  const wasm = tiktokenWasm.get_encoding(name);
  const enc = tokfare.getEncoding(name);
  // Every encoder treats special-token text as ordinary text here (the corpus has none).
  return [
    { lib: 'tokfare (native)', encode: (t) => enc.encode(t), count: (t) => enc.countTokens(t) },
    { lib: 'gpt-tokenizer 4.0.0', encode: (t) => gpt.encode(t), count: (t) => gpt.countTokens(t) },
    { lib: 'tiktoken 1.0.22 (WASM)', encode: (t) => wasm.encode_ordinary(t), count: (t) => wasm.encode_ordinary(t).length },
    { lib: 'js-tiktoken 1.0.21', encode: (t) => js.encode(t), count: (t) => js.encode(t).length },
  ];
}

// Bytes per second of one pass of `fn` over `slice`, after an untimed pass over `warmUp`.
function throughput(fn, slice, sliceBytes) {
  for (const d of warmUp) fn(d);
  const t0 = process.hrtime.bigint();
  for (const d of slice) fn(d);
  return sliceBytes / (Number(process.hrtime.bigint() - t0) / 1e9);
}

// Mean time of one call on a short text, in microseconds.
function perCall(fn, text) {
  const n = 50000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(text);
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}

// Import time and resident memory, each in a fresh process.
function coldStart(label, code) {
  const script = `const t0 = process.hrtime.bigint(); ${code}; const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(JSON.stringify({ ms, rss: process.memoryUsage().rss }));`;
  const runs = [0, 1, 2].map(() => JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: here, encoding: 'utf8' })));
  runs.sort((a, b) => a.ms - b.ms);
  return { label, ms: runs[1].ms, rssMB: runs[1].rss / 2 ** 20 };
}

const docs = documents();
const bytes = docs.map((d) => Buffer.byteLength(d));
const totalMB = bytes.reduce((a, b) => a + b, 0) / 1e6;
const slices = Array.from({ length: 2 * ROUNDS + 1 }, (_, r) => docs.filter((_, i) => i % (2 * ROUNDS + 1) === r));
const spare = slices.pop();
const step = Math.max(1, Math.floor(spare.length / WARM_UP_DOCS));
const warmUp = spare.filter((_, i) => i % step === 0).slice(0, WARM_UP_DOCS); // from every file
const sliceBytes = slices.map((slice) => slice.reduce((a, d) => a + Buffer.byteLength(d), 0));
console.log(`# Node ${process.version}; ${corpusDir}: ${docs.length} documents of <= 8 KiB (${totalMB.toFixed(1)} MB) in ${2 * ROUNDS + 1} slices (${ROUNDS} to encode, ${ROUNDS} to count, one to warm up); best slice per library, single thread\n`);

const message = 'Can you summarise the attached quarterly report in three bullet points for the board? Thanks!';
for (const name of ['cl100k_base', 'o200k_base']) {
  const libs = peers(name);
  console.log(`## ${name}\n`);
  console.log(`| library | encode MB/s | count MB/s | tokfare is … × faster (encode / count) | count a ${Buffer.byteLength(message)}-byte message, µs |`);
  console.log('|---|---:|---:|---:|---:|');
  const rows = libs.map((p) => ({ lib: p.lib, encode: 0, count: 0, msg: Infinity }));
  libs.forEach((p) => ['warm up the JIT', 'and load the vocabulary'].forEach((d) => p.encode(d) && p.count(d)));
  for (let round = 0; round < ROUNDS; round++) {
    libs.forEach((p, i) => {
      const r = rows[i];
      r.encode = Math.max(r.encode, throughput(p.encode, slices[2 * round], sliceBytes[2 * round]));
      r.count = Math.max(r.count, throughput(p.count, slices[2 * round + 1], sliceBytes[2 * round + 1]));
      r.msg = Math.min(r.msg, perCall(p.count, message));
    });
  }
  const reference = docs.map((d) => libs[0].count(d));
  for (const p of libs.slice(1)) {
    const sample = docs.filter((_, i) => i % 7 === 0);
    sample.forEach((d) => {
      const i = docs.indexOf(d);
      if (p.count(d) !== reference[i]) throw new Error(`${p.lib} disagrees with tokfare on ${name} document ${i}`);
    });
  }
  for (const r of rows) {
    console.log(`| ${r.lib} | ${(r.encode / 1e6).toFixed(1)} | ${(r.count / 1e6).toFixed(1)} | ${(rows[0].encode / r.encode).toFixed(2)} / ${(rows[0].count / r.count).toFixed(2)} | ${r.msg.toFixed(2)} |`);
  }
  console.log('');
}

console.log('## Import time and memory (fresh process, median of 3)\n');
console.log('| what | ms | RSS MB |');
console.log('|---|---:|---:|');
const tf = JSON.stringify(tokfarePath);
for (const c of [
  coldStart('node -e "" (baseline)', ''),
  coldStart("require('tokfare')", `require(${tf})`),
  coldStart("require('tokfare') + getEncoding('o200k_base').encode('hi')", `require(${tf}).getEncoding('o200k_base').encode('hi')`),
  coldStart("require('gpt-tokenizer') (o200k_base)", "require('gpt-tokenizer')"),
  coldStart("require('js-tiktoken') + getEncoding('o200k_base').encode('hi')", "require('js-tiktoken').getEncoding('o200k_base').encode('hi')"),
  coldStart("require('tiktoken') + get_encoding('o200k_base').encode('hi')", "require('tiktoken').get_encoding('o200k_base').encode('hi')"),
]) {
  console.log(`| ${c.label} | ${c.ms.toFixed(1)} | ${c.rssMB.toFixed(0)} |`);
}
