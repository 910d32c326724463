// Conformance vectors of the calibrated request counts (Claude, Gemini), from their reference:
// ai-tokenizer 1.0.6's `count` (npm, MIT; coder/ai-tokenizer), whose overheads tokfare's
// model profiles use and whose recorded accuracy (accuracy.json) their error bands come from.
//
//   node conformance/generate_requests.mjs ORACLE_NODE_MODULES [--check]
//
// ORACLE_NODE_MODULES holds ai-tokenizer@1.0.6 and zod@4 (scripts/test.sh installs them).
// Each case is a request built here (seeded, deterministic) as AI SDK messages and tools
// with JSON-Schema input schemas; ai-tokenizer counts it (the schemas turned into the Zod
// schemas it reads) for each model. The same request is also written as an Anthropic
// Messages body (Claude models) and as a Gemini generateContent body (Gemini models, without
// tool calls: Gemini's function responses carry a name where AI SDK carries a call id),
// expected to give the same count: the body says the same thing in another format.
//
// Writes conformance/requests/calibrated.jsonl:
//   {"name", "model", "format", "body" (JSON text), "tokens", "banded", "source"}
// (`banded`: the count has an error band; not with images or files, which no recorded
// figure covers).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [modules, ...flags] = process.argv.slice(2);
if (!modules) throw new Error('usage: generate_requests.mjs ORACLE_NODE_MODULES [--check]');
const check = flags.includes('--check');
const require = createRequire(path.join(path.resolve(modules), 'x.js'));
const { z } = require('zod');
const aiTokenizer = await import(path.join(path.resolve(modules), 'ai-tokenizer', 'dist', 'index.js'));
const { count } = await import(path.join(path.resolve(modules), 'ai-tokenizer', 'dist', 'sdk.js'));
const encodings = await import(path.join(path.resolve(modules), 'ai-tokenizer', 'dist', 'encoding', 'index.js'));
const pkg = JSON.parse(fs.readFileSync(path.join(path.resolve(modules), 'ai-tokenizer', 'package.json'), 'utf8'));
if (pkg.version !== '1.0.6') throw new Error(`ai-tokenizer ${pkg.version}, expected 1.0.6`);
const Tokenizer = aiTokenizer.default;

// mulberry32: a small seeded generator, so the vectors are the same on every run.
function rng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SENTENCES = [
  'Summarise the quarterly revenue figures and point out anything unusual.',
  'Write a Rust function that parses ISO 8601 dates, with tests.',
  'Bonjour ! Pouvez-vous traduire ce paragraphe en allemand, s’il vous plaît ?',
  '東京の天気はどうですか。明日は雨が降るでしょうか。',
  '서울에서 부산까지 기차로 얼마나 걸리나요?',
  'Объясните, пожалуйста, разницу между TCP и UDP.',
  'مرحبا، أريد حجز طاولة لشخصين مساء الغد.',
  'Math: ∀x ∈ ℝ, x² ≥ 0; ∑ 1/n² = π²/6 ≈ 1.6449.',
  'Emoji 🚀🔥✨ and symbols ← → ≤ ≥ ± ∞ in one line.',
  'const total = items.reduce((sum, x) => sum + x.price * x.qty, 0); // cart total',
  'SELECT customer_id, SUM(amount) FROM payments WHERE paid_at >= \'2026-01-01\' GROUP BY 1;',
  'Numbers: 1234567890, 0xDEADBEEF, 192.168.0.1, 550e8400-e29b-41d4-a716-446655440000.',
  '  indented text\twith tabs\nand a second line\r\nand a third.  ',
  'The café’s naïve résumé mentioned Zürich, São Paulo and Kraków.',
];

function sentence(r, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(SENTENCES[Math.floor(r() * SENTENCES.length)]);
  return out.join(' ');
}

// Tools as JSON Schema: nested objects, arrays of strings and of objects, enums,
// descriptions on some properties and not others.
const TOOLS = {
  searchOrders: {
    description: 'Search customer orders by status, date range and tags',
    inputSchema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'Free-text query' },
        status: { type: 'string', enum: ['open', 'shipped', 'cancelled', 'refunded'], description: 'Order status' },
        range: {
          type: 'object',
          description: 'Date range',
          properties: { from: { type: 'string', description: 'Start, ISO 8601' }, to: { type: 'string' } },
        },
        tags: { type: 'array', items: { type: 'string' }, description: 'Tags to match' },
        lines: {
          type: 'array',
          items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'number', description: 'Quantity' } } },
        },
      },
    },
  },
  getWeather: {
    description: 'Get the current weather in a city',
    inputSchema: {
      type: 'object',
      properties: { city: { type: 'string', description: 'City name' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    },
  },
  ping: { inputSchema: { type: 'object', properties: {} } },
};

function zodOf(schema) {
  let s;
  if (schema.enum) s = z.enum(schema.enum);
  else if (schema.type === 'object') s = z.object(Object.fromEntries(Object.entries(schema.properties || {}).map(([k, v]) => [k, zodOf(v)])));
  else if (schema.type === 'array') s = z.array(zodOf(schema.items));
  else if (schema.type === 'number') s = z.number();
  else s = z.string();
  return schema.description ? s.describe(schema.description) : s;
}

function buildCase(seed, nMessages, toolNames, withMedia, withReasoning = false) {
  const r = rng(seed);
  const messages = [{ role: 'system', content: sentence(r, 2) }];
  for (let i = 0; i < nMessages; i++) {
    const role = i % 2 === 0 ? 'user' : 'assistant';
    if (role === 'assistant' && toolNames.length && i % 5 === 3) {
      const id = `call_${seed}_${i}`;
      messages.push({
        role,
        content: [
          { type: 'text', text: sentence(r, 1) },
          { type: 'tool-call', toolCallId: id, toolName: toolNames[0], input: { query: sentence(r, 1), tags: ['a', 'b'], n: Math.floor(r() * 1000), ok: true } },
        ],
      });
      messages.push({
        role: 'tool',
        content: [{ type: 'tool-result', toolCallId: id, toolName: toolNames[0], output: { type: 'json', value: { status: 'success', rows: Math.floor(r() * 100), note: sentence(r, 1) } } }],
      });
    } else if (role === 'user' && i % 4 === 2) {
      const content = [{ type: 'text', text: sentence(r, 2) }, { type: 'text', text: sentence(r, 1) }];
      if (withMedia) {
        content.push({ type: 'image', image: 'iVBORw0KGgoAAAANSUhEUg==', mediaType: 'image/png' });
        content.push({ type: 'file', data: 'JVBERi0xLjQK', mediaType: 'application/pdf' });
      }
      messages.push({ role, content });
    } else if (role === 'assistant' && withReasoning) {
      // Reasoning sent back: ai-tokenizer counts none of it (nor does tokfare).
      messages.push({ role, content: [{ type: 'reasoning', text: sentence(r, 2) }, { type: 'text', text: sentence(r, 1) }] });
    } else {
      messages.push({ role, content: sentence(r, 1 + Math.floor(r() * 4)) });
    }
  }
  const tools = Object.fromEntries(toolNames.map((n) => [n, TOOLS[n]]));
  return { messages, tools };
}

function aiTokenizerCount(model, req) {
  const config = aiTokenizer.models[model];
  const tokenizer = new Tokenizer(encodings[config.encoding]);
  const tools = Object.fromEntries(Object.entries(req.tools).map(([n, t]) => [n, { description: t.description, inputSchema: zodOf(t.inputSchema) }]));
  return count({ tokenizer, model: config, messages: req.messages, tools }).total;
}

// The same request as an Anthropic Messages body.
function anthropicBody(req) {
  const body = { model: 'claude', max_tokens: 1024, messages: [] };
  for (const m of req.messages) {
    if (m.role === 'system') {
      body.system = m.content;
      continue;
    }
    const blocks = typeof m.content === 'string' ? m.content : m.content.map((p) => {
      if (p.type === 'text') return { type: 'text', text: p.text };
      if (p.type === 'reasoning') return { type: 'thinking', thinking: p.text, signature: 'c2ln' };
      if (p.type === 'image') return { type: 'image', source: { type: 'base64', media_type: p.mediaType, data: p.image } };
      if (p.type === 'file') return { type: 'document', source: { type: 'base64', media_type: p.mediaType, data: p.data } };
      if (p.type === 'tool-call') return { type: 'tool_use', id: p.toolCallId, name: p.toolName, input: p.input };
      if (p.type === 'tool-result') return { type: 'tool_result', tool_use_id: p.toolCallId, content: JSON.stringify(p.output) };
      throw new Error(p.type);
    });
    // Anthropic has no tool role: a tool result goes in a user message.
    body.messages.push({ role: m.role === 'tool' ? 'user' : m.role, content: blocks });
  }
  if (Object.keys(req.tools).length) {
    body.tools = Object.entries(req.tools).map(([name, t]) => ({ name, ...(t.description ? { description: t.description } : {}), input_schema: t.inputSchema }));
  }
  return body;
}

// The same request as a Gemini generateContent body (no tool calls in these cases).
function geminiBody(req) {
  const body = { contents: [] };
  for (const m of req.messages) {
    const parts = typeof m.content === 'string' ? [{ text: m.content }] : m.content.map((p) => {
      if (p.type === 'text') return { text: p.text };
      if (p.type === 'image') return { inlineData: { mimeType: p.mediaType, data: p.image } };
      if (p.type === 'file') return { inlineData: { mimeType: p.mediaType, data: p.data } };
      throw new Error(p.type);
    });
    if (m.role === 'system') body.systemInstruction = { parts };
    else body.contents.push({ role: m.role === 'assistant' ? 'model' : 'user', parts });
  }
  if (Object.keys(req.tools).length) {
    body.tools = [{ functionDeclarations: Object.entries(req.tools).map(([name, t]) => ({ name, ...(t.description ? { description: t.description } : {}), parameters: t.inputSchema })) }];
  }
  return body;
}

const CLAUDE = ['anthropic/claude-3-haiku', 'anthropic/claude-3-opus', 'anthropic/claude-3.5-sonnet-20240620', 'anthropic/claude-3.5-sonnet', 'anthropic/claude-opus-4.5'];
const GEMINI = ['google/gemini-2.5-pro', 'google/gemini-2.5-flash-preview-09-2025', 'google/gemini-3-pro-preview'];
const SHAPES = [
  ['text only', 6, [], false],
  ['one tool', 10, ['getWeather'], false],
  ['three tools, tool calls', 24, ['searchOrders', 'getWeather', 'ping'], false],
  ['images and files', 12, ['searchOrders'], true],
  ['long conversation', 120, ['searchOrders', 'getWeather'], false],
  ['reasoning sent back', 14, ['getWeather'], false, true],
];
const source = 'ai-tokenizer 1.0.6 count() (npm; coder/ai-tokenizer src/sdk.ts), zod 4 schemas from the JSON Schemas';

const rows = [];
SHAPES.forEach(([shape, n, tools, media, reasoning], k) => {
  const req = buildCase(1000 + k, n, tools, media, reasoning);
  const hasCalls = req.messages.some((m) => m.role === 'tool');
  for (const model of [...CLAUDE, ...GEMINI]) {
    const tokens = aiTokenizerCount(model, req);
    // A band only for requests like the recorded ones (no images or files).
    const banded = !media;
    rows.push({ name: `${shape} (ai-sdk)`, model, format: 'ai-sdk', body: JSON.stringify(req), tokens, banded, source });
    if (CLAUDE.includes(model)) {
      rows.push({ name: `${shape} (anthropic)`, model, format: 'anthropic-messages', body: JSON.stringify(anthropicBody(req)), tokens, banded, source });
    } else if (!hasCalls) {
      rows.push({ name: `${shape} (gemini)`, model, format: 'gemini', body: JSON.stringify(geminiBody(req)), tokens, banded, source });
    }
  }
});

const out = path.join(here, 'requests', 'calibrated.jsonl');
const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
if (check) {
  const same = fs.existsSync(out) && fs.readFileSync(out, 'utf8') === text;
  console.log(`conformance/requests/calibrated.jsonl: ${rows.length} cases ${same ? 'up to date' : 'DIFFER'}`);
  if (!same) process.exit(1);
} else {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, text);
  console.log(`conformance/requests/calibrated.jsonl: ${rows.length} cases`);
}
