// The estimator page in real headless Chromium, served from 127.0.0.1: typing and
// pasting text (emoji, CJK), the count against the official tiktoken's ids (the
// conformance vectors), the costs against the engine's `price`, and a 5 MB paste that
// must not freeze the page. Screenshots go to $TOKFARE_ARTIFACTS (default
// ../target/browser-artifacts).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../scripts/serve.mjs';
import * as tokfare from '../js/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const artifacts = process.env.TOKFARE_ARTIFACTS ?? path.join(root, 'target', 'browser-artifacts');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

// Official tiktoken ids (conformance/tokenize/ordinary.jsonl) of texts with emoji and CJK.
const vectors = fs.readFileSync(path.join(root, 'conformance', 'tokenize', 'ordinary.jsonl'), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l))
  .filter((c) => c.encoding === 'o200k_base');
const withEmoji = vectors.find((c) => /\p{Extended_Pictographic}/u.test(c.text) && /\p{Script=Han}/u.test(c.text) && c.text.length < 400)
  ?? vectors.find((c) => /\p{Extended_Pictographic}/u.test(c.text));
const withCjk = vectors.find((c) => /\p{Script=Han}|\p{Script=Hiragana}/u.test(c.text) && c.text.length > 40 && c.text.length < 2000);

let server;
let browser;
let page;

test.before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  server = await serve(0);
  browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => document.getElementById('status').textContent === 'up to date', null, { timeout: 60_000 });
  assert.deepEqual(errors, []);
  await tokfare.ready();
});

test.after(async () => {
  await browser?.close();
  server?.close();
});

async function showText(value, { type = false } = {}) {
  const before = await page.evaluate(() => document.getElementById('count').dataset.count);
  if (type) {
    await page.fill('#text', '');
    await page.type('#text', value);
  } else {
    await page.fill('#text', value);
  }
  await page.waitForFunction(
    (n) => document.getElementById('status').textContent === 'up to date' && document.getElementById('count').dataset.count !== undefined,
    before,
    { timeout: 60_000 },
  );
  // Wait for the answer to this text (the page drops answers to older text).
  await page.waitForFunction((len) => document.getElementById('chars').textContent.replace(/,/g, '') === String(len), value.length, { timeout: 60_000 });
  return Number(await page.evaluate(() => document.getElementById('count').dataset.count));
}

test('typed text with emoji and CJK: the count equals the official ids', async () => {
  assert.ok(withEmoji && withCjk, 'vectors with emoji and CJK exist');
  assert.equal(await showText(withEmoji.text, { type: true }), withEmoji.ids.length);
  assert.equal(await showText(withCjk.text), withCjk.ids.length);
  // The spans are the tokens: as many as the ids (all shown for a short text), with their ids.
  // (A span holds several ids when a character is split across tokens.)
  const spanIds = await page.$$eval('#tokens span', (spans) => spans.flatMap((s) => s.dataset.id.split(' ').map(Number)));
  assert.deepEqual(spanIds, withCjk.ids);
  await page.screenshot({ path: path.join(artifacts, 'estimator-cjk.png'), fullPage: true });
});

test('the cost table equals the engine price for each model, and the GTC tiers too', async () => {
  const text = 'Summarise the attached quarterly report in three bullet points for the board. 🙂 谢谢';
  const n = await showText(text);
  const rows = await page.$$eval('#costs tbody tr', (trs) => trs.map((tr) => ({ model: tr.dataset.model, total: tr.querySelector('.total')?.textContent })));
  assert.ok(rows.length >= 3);
  for (const row of rows) {
    const enc = await tokfare.encodingForModel(row.model);
    const expected = tokfare.price(row.model, { inputTokens: enc.countTokens(text), outputTokens: 500 }).total;
    assert.equal(row.total, expected, row.model);
  }
  // The Free tier counts with Qwen 3 (its model's tokenizer), the others with o200k_base.
  const tiers = await page.$$eval('#gtc tbody tr', (trs) => trs.map((tr) => ({ tier: tr.dataset.tier, tokens: Number(tr.querySelector('.tier-tokens').dataset.count), cost: tr.querySelector('.total').textContent })));
  assert.deepEqual(tiers.map((t) => t.tier), ['free', 'medium', 'high', 'premium', 'ultra']);
  const qwenCount = (await tokfare.getTokenizer('qwen3')).countTokens(text);
  assert.notEqual(qwenCount, n);
  for (const t of tiers) {
    assert.equal(t.tokens, t.tier === 'free' ? qwenCount : n, t.tier);
    assert.equal(t.cost, tokfare.price('x', { inputTokens: t.tokens, requests: 0 }, { schedule: 'gtc-2026', tier: t.tier }).total, t.tier);
  }
  // Changing the expected output changes every total as the engine says.
  await page.fill('#output-tokens', '2000');
  await page.waitForFunction(() => document.getElementById('status').textContent === 'up to date');
  await page.waitForTimeout(200);
  const gpt4o = await page.$eval('#costs tbody tr[data-model="gpt-4o"] .total', (td) => td.textContent);
  assert.equal(gpt4o, tokfare.price('gpt-4o', { inputTokens: (await tokfare.getEncoding('o200k_base')).countTokens(text), outputTokens: 2000 }).total);
  await page.screenshot({ path: path.join(artifacts, 'estimator-costs.png'), fullPage: true });
});

test('a 5 MB paste is counted in the worker while the page stays responsive', async () => {
  const shared = process.env.TOKFARE_SHARED ?? path.join(root, '..', 'shared');
  const corpus = fs.readFileSync(path.join(shared, 'corpus', 'ja.txt'), 'utf8');
  const big = corpus.repeat(Math.ceil(5_000_001 / Buffer.byteLength(corpus)));
  const expected = (await tokfare.getEncoding('o200k_base')).countTokens(big);
  await showText(''); // the paste replaces an empty text box
  // Paste (one input event), then watch the main thread: timers must keep firing.
  const worstGap = await page.evaluate(async (value) => {
    const text = document.getElementById('text');
    let last = performance.now();
    let worst = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 10);
    // A real paste event, as the clipboard would deliver it.
    const clipboardData = new DataTransfer();
    clipboardData.setData('text/plain', value);
    text.focus();
    text.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }));
    const started = performance.now();
    while (document.getElementById('chars').textContent.replace(/,/g, '') !== String(value.length) && performance.now() - started < 120_000) {
      await new Promise((r) => setTimeout(r, 20));
    }
    clearInterval(tick);
    return worst;
  }, big);
  const shown = Number(await page.evaluate(() => document.getElementById('count').dataset.count));
  assert.equal(shown, expected);
  assert.ok(Buffer.byteLength(big) > 5_000_000);
  assert.ok(worstGap < 1000, `the main thread stalled ${worstGap.toFixed(0)} ms`);
  assert.equal(await page.isVisible('#large-note'), true);
  await page.screenshot({ path: path.join(artifacts, 'estimator-large-paste.png') });
  await page.click('#large-clear');
  assert.equal(await page.inputValue('#text'), '');
});

test('works offline once loaded', async () => {
  await page.evaluate(() => navigator.serviceWorker.ready);
  // Load an encoding the page has not used yet while online, so it is cached too.
  await page.selectOption('#encoding', 'cl100k_base');
  await page.waitForFunction(() => document.getElementById('status').textContent === 'up to date');
  await page.waitForFunction(async () => {
    const cache = await caches.open('tokfare-estimator-v1');
    return Boolean((await cache.match('/vocab/cl100k_base.tfv')) && (await cache.match('/vocab/o200k_base.tfv')));
  }, null, { timeout: 30_000, polling: 250 });
  await page.context().setOffline(true);
  try {
    await page.reload();
    await page.waitForFunction(() => document.getElementById('status').textContent === 'up to date', null, { timeout: 60_000 });
    assert.equal(await showText(withEmoji.text), withEmoji.ids.length);
  } finally {
    await page.context().setOffline(false);
  }
});

test('readable on a phone-width screen', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: path.join(artifacts, 'estimator-phone.png'), fullPage: true });
});
