// tokfare-wasm in headless Chromium: encode throughput on ../shared/corpus documents
// (every 4th 8 KiB document, single thread, 3 passes), and the estimator page's
// time to its first count (and to "up to date"), cold and with the engine and vocabulary
// cached.
//
//   (cd bindings-wasm && npm install && npm run build)
//   node benches/wasm/browser.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { serve } from '../../bindings-wasm/scripts/serve.mjs';

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bindings-wasm', 'package.json'));
const { chromium } = require('playwright-core');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpusDir = path.join(process.env.TOKFARE_SHARED ?? path.join(root, '..', 'shared'), 'corpus');

const docs = [];
for (const file of fs.readdirSync(corpusDir).filter((f) => f.endsWith('.txt')).sort()) {
  const text = fs.readFileSync(path.join(corpusDir, file), 'utf8');
  for (let i = 0, n = 0; i < text.length; i += 8192, n++) if (n % 4 === 0) docs.push(text.slice(i, i + 8192));
}

const server = await serve(0);
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();

// Navigation start to the first count on screen (the count and the cost table), and to
// "up to date" (the GTC tiers too, which first load the Qwen 3 tokenizer).
async function firstCount() {
  await page.goto(`${base}/www/`);
  await page.waitForFunction(() => document.getElementById('count').dataset.count !== undefined, null, { timeout: 60_000, polling: 5 });
  const count = await page.evaluate(() => performance.now());
  await page.waitForFunction(() => document.getElementById('status').textContent === 'up to date', null, { timeout: 60_000, polling: 5 });
  return [count, await page.evaluate(() => performance.now())];
}
const cold = await firstCount();
await page.evaluate(() => navigator.serviceWorker.ready);
const warm = [];
for (let i = 0; i < 5; i++) warm.push(await firstCount());
const median = (k) => warm.map((w) => w[k]).sort((a, b) => a - b)[2];

const result = await page.evaluate(async (texts) => {
  const tokfare = await import('/js/index.js');
  const out = {};
  const bytes = texts.reduce((a, t) => a + new TextEncoder().encode(t).length, 0);
  for (const name of ['cl100k_base', 'o200k_base']) {
    const enc = await tokfare.getEncoding(name);
    // Three passes; the first is the honest one (no text seen before), the others show
    // how much the 1 MiB merge cache keeps between passes (little, over 3.5 MB).
    const passes = [];
    for (let pass = 0; pass < 3; pass++) {
      const t0 = performance.now();
      for (const t of texts) enc.encode(t, { disallowedSpecial: [] });
      passes.push(bytes / ((performance.now() - t0) / 1000) / 1e6);
    }
    out[name] = passes;
  }
  out.mb = bytes / 1e6;
  return out;
}, docs);

console.log(`# Chromium ${browser.version()}: ${docs.length} documents (${result.mb.toFixed(2)} MB), encode, single thread\n`);
console.log('| encoding | tokfare-wasm encode MB/s, first pass | passes 2 and 3 |\n|---|---:|---:|');
for (const name of ['cl100k_base', 'o200k_base']) {
  const [first, ...rest] = result[name];
  console.log(`| ${name} | ${first.toFixed(1)} | ${rest.map((v) => v.toFixed(1)).join(', ')} |`);
}
console.log('');
console.log(`estimator page, navigation to the first count: cold ${cold[0].toFixed(0)} ms, cached (median of 5) ${median(0).toFixed(0)} ms; to "up to date" (GTC tiers, Qwen 3 loaded): cold ${cold[1].toFixed(0)} ms, cached ${median(1).toFixed(0)} ms`);
await browser.close();
server.close();
