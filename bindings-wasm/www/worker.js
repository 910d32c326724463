// The estimator's Web Worker: all tokenizing and pricing happens here, so a 5 MB paste
// never blocks the page. One message in (`analyze`), two answers out, tagged with `seq`
// so the page can drop answers to text that has changed since: the count and costs
// (`main`), then the GTC tiers (`gtc`), which may first load the Qwen 3 tokenizer.
import { getEncoding, getTokenizer, tokenizerForModel, vocabularyFile, tokenizerFile, Encoding, ready, price, Catalog, gtcTiers } from '../js/index.js';

// Tokens shown as spans: enough to read, few enough for the DOM.
const SHOWN_TOKENS = 3000;
const utf8 = new TextEncoder();
const lossy = new TextDecoder();
const strict = new TextDecoder('utf-8', { fatal: true });

async function analyze({ text, encoding, models, outputTokens }) {
  // The engine, the vocabulary and the pricing module download in parallel.
  const [enc] = await Promise.all([getEncoding(encoding), ready()]);
  const count = enc.countTokens(text);
  // Spans for the first tokens. A token may hold part of a character (CJK, emoji): such
  // tokens are grouped with the following ones until the bytes are whole characters, and
  // the group is one span carrying all its ids.
  const head = text.length > SHOWN_TOKENS * 16 ? text.slice(0, SHOWN_TOKENS * 16) : text;
  const [ids, offsets] = enc.encodeWithByteOffsets(head);
  const bytes = utf8.encode(head);
  const shown = Math.min(ids.length, SHOWN_TOKENS);
  const tokens = [];
  let groupStart = 0;
  let groupIds = [];
  for (let i = 0; i < shown; i++) {
    const end = i + 1 < offsets.length ? offsets[i + 1] : bytes.length;
    groupIds.push(ids[i]);
    const piece = bytes.subarray(offsets[groupStart], end);
    let text;
    try {
      text = strict.decode(piece);
    } catch {
      if (groupIds.length < 8 && i + 1 < shown) continue; // wait for the rest of the character
      text = lossy.decode(piece);
    }
    tokens.push([text, groupIds]);
    groupStart = i + 1;
    groupIds = [];
  }
  const costs = [];
  // The assets in use, for the page to keep offline.
  const files = new Set([assetOf(enc)]);
  for (const model of models) {
    try {
      // Each model's own tokenizer, by the core's rule: gpt-4 counts with cl100k_base,
      // gpt-4o with o200k_base, Qwen 3 models with the shipped Qwen 3 tokenizer.
      const own = await tokenizerForModel(model);
      files.add(assetOf(own));
      const inputTokens = own === enc ? count : own.countTokens(text);
      const cost = price(model, { inputTokens, outputTokens });
      const sum = (prefix) => cost.lines.filter((l) => l.item.startsWith(prefix)).map((l) => l.amount);
      const info = Catalog.lookup(model);
      costs.push({ model, inputTokens, input: sum('input'), output: sum('output'), total: cost.total, contextWindow: info.maxInputTokens ?? null, effectiveDate: info.effectiveDate ?? null });
    } catch (e) {
      costs.push({ model, error: e.message });
    }
  }
  return { count, chars: text.length, tokens, shownAll: shown === count, costs, files: [...files] };
}

// The asset a loaded encoding or tokenizer came from (the core's names).
function assetOf(tokenizer) {
  return tokenizer instanceof Encoding ? vocabularyFile(tokenizer.name) : tokenizerFile(tokenizer.name);
}

// A tier's own tokenizer where its model's is public and bundled (Free: Qwen 3), from the
// tier's first model pattern (`qwen3*`); `null` for the others (no public tokenizer).
async function tierTokenizer(tier) {
  const model = (tier.models[0] ?? '').replace(/\*$/, '');
  try {
    return model ? await getTokenizer(model) : null;
  } catch {
    return null;
  }
}

// Each tier's cost of the text as input: counted with the tier model's tokenizer, else
// with the encoding chosen on the page (`count`).
async function gtcView({ text, encoding }, count) {
  return Promise.all(gtcTiers().map(async (tier) => {
    const own = await tierTokenizer(tier);
    const tokens = own ? own.countTokens(text) : count;
    const cost = price(tier.models[0] ?? tier.name, { inputTokens: tokens, requests: 0 }, { schedule: 'gtc-2026', tier: tier.name }).total;
    return { name: tier.name, pricePerMillion: tier.pricePerMillion, tokens, countedWith: own ? own.name : encoding, file: own ? assetOf(own) : null, cost };
  }));
}

self.onmessage = async ({ data }) => {
  try {
    const main = await analyze(data);
    self.postMessage({ seq: data.seq, kind: 'main', ...main });
    self.postMessage({ seq: data.seq, kind: 'gtc', gtc: await gtcView(data, main.count) });
  } catch (e) {
    self.postMessage({ seq: data.seq, error: `${e.name}: ${e.message}` });
  }
};
