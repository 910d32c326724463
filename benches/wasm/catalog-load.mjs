// The browser package's catalog cost, in Node: `ready()` (loads the modules), then the first
// `price()` (parses the bundled catalog), then the per-price time. Run after the package's
// `npm run build`: `node benches/wasm/catalog-load.mjs` (benches/RESULTS.md, "Catalog load").
import * as tokfare from '../../bindings-wasm/js/index.js';

const t0 = performance.now();
await tokfare.ready();
const t1 = performance.now();
tokfare.price('gpt-5.5', { inputTokens: 1000, outputTokens: 100 });
const t2 = performance.now();
for (let i = 0; i < 100; i++) tokfare.price('gpt-5.5', { inputTokens: 1000 + i, outputTokens: 100 });
const t3 = performance.now();
console.log(`ready ${(t1 - t0).toFixed(1)} ms, first price ${(t2 - t1).toFixed(1)} ms, then ${((t3 - t2) / 100).toFixed(3)} ms per price`);
