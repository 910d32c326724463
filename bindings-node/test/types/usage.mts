// Type-checked, never run: the declarations (lib/index.d.mts) describe the API the way
// the README uses it from ESM. `npm run typecheck` fails if they drift.
import tokfare, { getEncoding, encodingForModel, price, estimate, Usage, Meter, Catalog, Schedule, TokfareError, UnknownModelError } from 'tokfare';

const enc = getEncoding('o200k_base');
const ids: Uint32Array = enc.encode('hello', { allowedSpecial: 'all', disallowedSpecial: new Set(['<|endoftext|>']) });
const text: string = enc.decode([...ids], { fatal: true });
const within: number | false = enc.isWithinTokenLimit(text, 10);
const n: number = encodingForModel('gpt-4o').countTokens(text);
const pieces: string[] = enc.chunks(text, 8);
async function later(): Promise<number> {
  const all: Uint32Array[] = await enc.encodeBatchAsync(['a', 'b'], { signal: AbortSignal.timeout(1000) });
  return all.length + (await enc.countTokensAsync('x'));
}
const usage = Usage.fromOpenAI({ prompt_tokens: 10 });
const total: string = price('gpt-4o', usage, { batch: true, at: new Date() }).total;
const other: string = estimate('hi', 'gpt-4o', { outputTokens: 5, catalog: Catalog.bundled(), schedule: 'gtc-2026' }).lines[0].amount;
const meter = new Meter({ journal: 'x.jsonl', schedule: Schedule.bundled('gtc-2026') });
const isNew: boolean = meter.record('id', 'acme', 'gpt-4o', { inputTokens: 5 }, { timestamp: Date.now(), tags: { team: 'a' } });
const invoiceTotal: string | undefined = meter.invoice({ groupBy: ['customer'] }).totals['USD'];
const decemberEvents: number = meter.invoice({ start: '2026-12', end: '2027-01' }).events;
try {
  tokfare.encodingForModel('x');
} catch (e) {
  if (e instanceof UnknownModelError || e instanceof TokfareError) console.log(e.code);
}
export { ids, within, n, pieces, later, total, other, isNew, invoiceTotal, decemberEvents };
