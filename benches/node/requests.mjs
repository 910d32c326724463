// Counting whole requests (messages and tools) in Node, side by side in one process:
// tokfare's `countRequest` against ai-tokenizer 1.0.6's `count` (Vercel AI SDK messages),
// for a Claude model and a Gemini model, whose calibrated counts are the same formula
// (every count is checked equal before anything is timed).
//
//   (cd bindings-node && npm install && npm run build)   # the addon, release build
//   cd benches/node && npm install && node requests.mjs [--requests N]
//
// Requests are built from lines of ../shared/corpus (all its languages and code): each one
// a system prompt, 16 messages of 3 ~200-byte lines each (some with tool calls and
// results) and two tools; every request is different text, and each library counts each
// request once (both keep caches of merged words: text seen twice would measure the
// cache). Libraries alternate request by request, so drift of the machine hits both.
// ai-tokenizer is given its inputs as its README shows them (Zod schemas for the tools);
// tokfare is given the same request object (it serialises it to JSON itself).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const corpusDir = process.env.TOKFARE_SHARED ? path.join(process.env.TOKFARE_SHARED, 'corpus') : path.join(root, '..', 'shared', 'corpus');
const arg = (name, fallback) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const N = arg('--requests', 400);

const tokfare = require(path.join(root, 'bindings-node'));
const { z } = require('zod');
const ai = await import('ai-tokenizer');
const { count } = await import('ai-tokenizer/sdk');
const encodings = await import('ai-tokenizer/encoding');

// Lines of the corpus, shuffled with a fixed seed; no line is used twice in a run.
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const lines = [];
for (const file of fs.readdirSync(corpusDir).filter((f) => f.endsWith('.txt')).sort()) {
  for (const l of fs.readFileSync(path.join(corpusDir, file), 'utf8').split('\n')) if (l.length > 40) lines.push(l.slice(0, 400));
}
for (let i = lines.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [lines[i], lines[j]] = [lines[j], lines[i]];
}
let next = 0;
const text = (k) => {
  const out = [];
  for (let i = 0; i < k; i++) out.push(lines[next++ % lines.length]);
  return out.join('\n');
};

const TOOLS = {
  searchOrders: {
    description: 'Search customer orders by status, date range and tags',
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'Free-text query' },
        status: { type: 'string', enum: ['open', 'shipped', 'cancelled'], description: 'Order status' },
        range: { type: 'object', description: 'Date range', properties: { from: { type: 'string' }, to: { type: 'string' } } },
        tags: { type: 'array', items: { type: 'string' } },
      },
    },
  },
  getWeather: { description: 'Get the weather', inputSchema: { type: 'object', properties: { city: { type: 'string', description: 'City' } } } },
};
function zodOf(s) {
  let out;
  if (s.enum) out = z.enum(s.enum);
  else if (s.type === 'object') out = z.object(Object.fromEntries(Object.entries(s.properties || {}).map(([k, v]) => [k, zodOf(v)])));
  else if (s.type === 'array') out = z.array(zodOf(s.items));
  else out = z.string();
  return s.description ? out.describe(s.description) : out;
}
const zodTools = Object.fromEntries(Object.entries(TOOLS).map(([n, t]) => [n, { description: t.description, inputSchema: zodOf(t.inputSchema) }]));

function request(i) {
  const messages = [{ role: 'system', content: text(2) }];
  for (let m = 0; m < 16; m++) {
    const role = m % 2 ? 'assistant' : 'user';
    if (role === 'assistant' && m % 6 === 3) {
      const id = `call_${i}_${m}`;
      messages.push({ role, content: [{ type: 'text', text: text(1) }, { type: 'tool-call', toolCallId: id, toolName: 'searchOrders', input: { query: text(1), tags: ['a'] } }] });
      messages.push({ role: 'tool', content: [{ type: 'tool-result', toolCallId: id, toolName: 'searchOrders', output: { type: 'json', value: { rows: i, note: text(1) } } }] });
    } else {
      messages.push({ role, content: text(3) });
    }
  }
  return { messages, tools: TOOLS };
}

const results = [];
for (const [label, model] of [['Claude (claude-opus-4.5)', 'anthropic/claude-opus-4.5'], ['Gemini (gemini-2.5-pro)', 'google/gemini-2.5-pro']]) {
  const config = ai.models[model];
  const tokenizer = new ai.Tokenizer(encodings[config.encoding]);
  const requests = Array.from({ length: N + 20 }, (_, i) => request(i));
  // Checked first, on separate copies of the text (so the timed passes see it fresh
  // for each library): the two libraries must agree on every request.
  const checkTokenizer = new ai.Tokenizer(encodings[config.encoding]);
  for (const r of requests) {
    const want = count({ tokenizer: checkTokenizer, model: config, messages: r.messages, tools: zodTools }).total;
    const got = tokfare.countRequest(model, r, { format: 'ai-sdk' }).tokens;
    if (got !== want) throw new Error(`${model}: tokfare ${got}, ai-tokenizer ${want}`);
  }
  // The check above warmed tokfare's process-wide cache with this text; count fresh
  // requests instead: rebuild them from text not used yet.
  const fresh = Array.from({ length: N + 20 }, (_, i) => request(N + 1000 + i));
  const freshBytes = fresh.map((r) => Buffer.byteLength(JSON.stringify(r)));
  // Warm-up (not measured): the first 20 requests, each library once.
  for (const r of fresh.slice(0, 20)) {
    tokfare.countRequest(model, r, { format: 'ai-sdk' });
    count({ tokenizer, model: config, messages: r.messages, tools: zodTools });
  }
  let tTokfare = 0n;
  let tAi = 0n;
  let totalBytes = 0;
  for (let i = 20; i < fresh.length; i++) {
    const r = fresh[i];
    const first = i % 2 === 0;
    for (const lib of first ? ['t', 'a'] : ['a', 't']) {
      const t0 = process.hrtime.bigint();
      if (lib === 't') tokfare.countRequest(model, r, { format: 'ai-sdk' });
      else count({ tokenizer, model: config, messages: r.messages, tools: zodTools });
      const dt = process.hrtime.bigint() - t0;
      if (lib === 't') tTokfare += dt;
      else tAi += dt;
    }
    totalBytes += freshBytes[i];
  }
  const mb = (ns) => totalBytes / 1e6 / (Number(ns) / 1e9);
  results.push({ label, requests: N, kib: (totalBytes / N / 1024).toFixed(1), tokfare: mb(tTokfare), ai: mb(tAi), ratio: Number(tAi) / Number(tTokfare), perReq: [Number(tTokfare) / N / 1000, Number(tAi) / N / 1000] });
}
console.log(`| model | requests (mean KiB of JSON) | tokfare countRequest MB/s (µs per request) | ai-tokenizer 1.0.6 count MB/s (µs) | tokfare × |`);
console.log('|---|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.label} | ${r.requests} (${r.kib}) | ${r.tokfare.toFixed(1)} (${r.perReq[0].toFixed(0)}) | ${r.ai.toFixed(1)} (${r.perReq[1].toFixed(0)}) | **${r.ratio.toFixed(2)}** |`);
}
