'use strict';
// Pricing and metering from JavaScript: the same cases as the Python binding's tests,
// with the same exact amounts, as decimal strings.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tokfare = require('..');
const { ROOT } = require('./helpers.cjs');

const T = new Date(Date.UTC(2026, 10, 2, 10));

test('count_chat matches the API prompt_tokens in the OpenAI cookbook', () => {
  const messages = [
    { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
    { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
    { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
    { role: 'system', name: 'example_user', content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage." },
    { role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
    { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
  ];
  assert.equal(tokfare.countChat(messages, 'gpt-4'), 129);
  assert.equal(tokfare.countChat(messages, 'gpt-4o'), 124);
  assert.equal(tokfare.getEncoding('o200k_base').countChat(messages, 'gpt-4o'), 124);
  const tools = [{ type: 'function', function: { name: 'f', description: 'Do it.', parameters: { type: 'object', properties: {} } } }];
  assert.ok(tokfare.countChat(messages, 'gpt-4o', { tools }) > 124);
});

test('provider usage objects and exact costs', () => {
  const usage = tokfare.Usage.fromOpenAI({ prompt_tokens: 10000, completion_tokens: 500, prompt_tokens_details: { cached_tokens: 4000 } });
  assert.equal(usage.inputTokens, 6000);
  assert.equal(usage.cachedInputTokens, 4000);
  const cost = tokfare.price('gpt-4o-2024-08-06', usage);
  assert.equal(cost.total, '0.025');
  assert.equal(cost.currency, 'USD');
  assert.ok(cost.usage instanceof tokfare.Usage);
  assert.deepEqual(cost.lines.map((l) => [l.item, l.quantity, l.unitPrice, l.amount]), [
    ['input tokens', 6000, '2.5', '0.015'],
    ['cached_input tokens', 4000, '1.25', '0.005'],
    ['output tokens', 500, '10', '0.005'],
  ]);
  assert.equal(tokfare.price('gpt-4o-2024-08-06', usage, { batch: true }).total, '0.015'); // LiteLLM: no batch cached rate, so the standard one
  // A plain object of Usage fields is accepted wherever a Usage is.
  assert.equal(tokfare.price('gpt-4o-2024-08-06', { inputTokens: 6000, cachedInputTokens: 4000, outputTokens: 500 }).total, '0.025');
  assert.deepEqual({ ...usage.add({ inputTokens: 1 }) }, { ...usage, inputTokens: 6001, requests: 2 });
});

test('schedules from files, JSON and TOML', () => {
  const anthropic = tokfare.Schedule.fromFile(path.join(ROOT, 'examples', 'schedules', 'anthropic.toml'));
  assert.equal(anthropic.name, 'anthropic-2025');
  const usage = tokfare.Usage.fromAnthropic({ input_tokens: 150000, cache_read_input_tokens: 60000, cache_creation_input_tokens: 10000, output_tokens: 2000 });
  assert.equal(tokfare.price('claude-sonnet-4-20250514', usage, { schedule: anthropic }).total, '1.056');
  const spec = { name: 'x', schedules: { flat: { models: ['m-*'], per_million_tokens: '2' } } };
  assert.equal(tokfare.price('m-1', { inputTokens: 500000, outputTokens: 500000 }, { schedule: tokfare.Schedule.fromJSON(spec) }).total, '2');
  assert.throws(
    () => tokfare.Schedule.fromJSON({ name: 'x', schedules: { flat: { rates: { input: '1', output: '-1' } } } }),
    (e) => e instanceof tokfare.InvalidScheduleError && e.message.includes('schedules.flat.rates.output'),
  );
});

test('catalog overrides, lookups and the bundled catalog', () => {
  const catalog = tokfare.Catalog.fromJSON({ 'gpt-4o': { input_cost_per_token: '1e-6', output_cost_per_token: '2e-6' } });
  assert.equal(tokfare.price('gpt-4o', { inputTokens: 1_000_000 }, { catalog }).total, '1');
  assert.ok(catalog.has('claude-sonnet-4-6'));
  const info = tokfare.Catalog.bundled().lookup('my-proxy/gpt-4o-mini');
  assert.equal(info.model, 'gpt-4o-mini');
  assert.equal(info.resolution, 'ProviderPrefix');
  assert.equal(info.ratesPerMillion.input, '0.15');
  assert.ok(tokfare.Catalog.bundled().size > 1000);
  assert.equal(tokfare.Catalog.bundled(), tokfare.Catalog.bundled());
});

test('estimate tokenizes, then prices', () => {
  const text = 'Summarise the attached report in three bullet points.';
  const n = tokfare.countTokens(text, { model: 'gpt-4o' });
  const cost = tokfare.estimate(text, 'gpt-4o', { outputTokens: 1000 });
  assert.equal(cost.usage.inputTokens, n);
  // n x 2.50/M + 1000 x 10/M, in exact decimal arithmetic (BigInt units of 10^-7 dollars).
  const expected = (BigInt(n) * 25n + 100000n).toString().padStart(7, '0');
  assert.equal(cost.total, `0.${expected}`.replace(/0+$/, ''));
});

test('GTC 2026 tiers and the capacity plan', () => {
  const tiers = Object.fromEntries(tokfare.gtcTiers().map((t) => [t.name, t.pricePerMillion]));
  assert.deepEqual(tiers, { free: '0', medium: '3', high: '6', premium: '45', ultra: '150' });
  const plan = tokfare.capacityPlan({ megawatts: 1, hours: 1, tokensPerSecondPerMW: { free: 1000, medium: 1000, high: 1000, premium: 1000 } });
  assert.equal(plan.totalRevenue, '48.6');
  assert.equal(plan.currency, 'USD');
  assert.equal(plan.tiers.length, 4);
});

test('record is idempotent per event id; a conflicting retry is an error', () => {
  const meter = new tokfare.Meter();
  const usage = new tokfare.Usage({ inputTokens: 1000, outputTokens: 100 });
  assert.equal(meter.record('r1', 'acme', 'gpt-4o', usage, { timestamp: T }), true);
  assert.equal(meter.record('r1', 'acme', 'gpt-4o', usage, { timestamp: T }), false);
  assert.equal(meter.record('r2', 'acme', 'gpt-4o', usage), true); // timestamp: now
  assert.equal(meter.record('r2', 'acme', 'gpt-4o', usage), false); // a retry without a timestamp
  assert.throws(() => meter.record('r1', 'acme', 'gpt-4o', { inputTokens: 1 }, { timestamp: T }), tokfare.ConflictingEventError);
  assert.equal(meter.size, 2);
  assert.throws(() => meter.record('r3', 'acme', 'no-such-model', usage, { timestamp: T }), tokfare.UnknownModelPriceError);
  assert.equal(meter.spent('acme'), '0.007');
});

test('a journal survives a torn write and a reopen', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokfare-'));
  const journal = path.join(dir, 'meter.jsonl');
  const meter = new tokfare.Meter({ journal });
  for (let i = 0; i < 5; i++) meter.record(`e${i}`, 'acme', 'gpt-4o-mini', { inputTokens: 100 + i }, { timestamp: T });
  // A second writer appends under the file's lock after reading the first's lines.
  const other = new tokfare.Meter({ journal });
  assert.deepEqual(other.recovery, { records: 5, tornBytes: 0 });
  assert.equal(other.record('e5', 'acme', 'gpt-4o-mini', { inputTokens: 105 }, { timestamp: T }), true);
  other.close();
  assert.equal(meter.record('e5', 'acme', 'gpt-4o-mini', { inputTokens: 105 }, { timestamp: T }), false);
  meter.close();
  assert.throws(() => meter.size, tokfare.StoreError);
  const torn = '{"event": {"id": "torn';
  fs.appendFileSync(journal, torn);
  const reopened = new tokfare.Meter({ journal });
  assert.equal(reopened.size, 6);
  assert.deepEqual(reopened.recovery, { records: 6, tornBytes: torn.length });
  assert.equal(reopened.record('e4', 'acme', 'gpt-4o-mini', { inputTokens: 104 }, { timestamp: T }), false);
  assert.equal(new tokfare.Meter().recovery, null);
  reopened.close();
  fs.appendFileSync(journal, 'not a record\n');
  assert.throws(() => new tokfare.Meter({ journal }), (e) => e instanceof tokfare.JournalError && /line 7 is complete but not a record/.test(e.message));
  fs.rmSync(dir, { recursive: true });
});

test('merge is a set union; snapshot and restore round-trip', () => {
  const a = new tokfare.Meter();
  const b = new tokfare.Meter();
  const usage = { inputTokens: 10, outputTokens: 10 };
  a.record('x', 'acme', 'gpt-4o', usage, { timestamp: T });
  b.record('x', 'acme', 'gpt-4o', usage, { timestamp: T });
  b.record('y', 'beta', 'gpt-4o', usage, { timestamp: T });
  assert.deepEqual(a.merge(b), { added: 1, duplicates: 1, conflicts: [] });
  assert.deepEqual(a.merge(b), { added: 0, duplicates: 2, conflicts: [] });
  assert.throws(() => a.merge(a), tokfare.InvalidArgumentError);
  const restored = tokfare.Meter.restore(a.snapshot());
  assert.deepEqual(restored.snapshot(), a.snapshot());
  assert.deepEqual(restored.invoice().totals, a.invoice().totals);
});

test('budgets: authorize, settle, release', () => {
  const meter = new tokfare.Meter();
  meter.setBudget('acme', '1.00');
  const first = meter.authorize('acme', 'gpt-4o', { inputTokens: 200000, outputTokens: 20000 });
  assert.equal(first.allowed, true);
  assert.equal(first.estimate, '0.7');
  const second = meter.authorize('acme', 'gpt-4o', { inputTokens: 200000, outputTokens: 20000 });
  assert.equal(second.allowed, false);
  assert.equal(second.reservation, undefined);
  meter.settle(first.reservation, 'call-1', 'acme', 'gpt-4o', { inputTokens: 100000, outputTokens: 10000 }, { timestamp: T });
  assert.equal(meter.spent('acme'), '0.35');
  const third = meter.authorize('acme', 'gpt-4o', { inputTokens: 1000 });
  assert.equal(meter.release(third.reservation), true);
  assert.equal(meter.release(third.reservation), false);
});

test('a usage log becomes an invoice whose lines add up', () => {
  const meter = new tokfare.Meter({ schedule: 'gtc-2026' });
  assert.deepEqual(meter.recordLog(path.join(ROOT, 'examples', 'usage.jsonl')), { recorded: 2970, duplicates: 36, errors: [], problems: [] });
  const invoice = meter.invoice({ groupBy: ['schedule'] });
  const cents = (s) => BigInt(s.replace('.', ''));
  assert.ok(invoice.lines.every((l) => /^\d+\.\d{2}$/.test(l.amount)));
  assert.equal(invoice.lines.reduce((acc, l) => acc + cents(l.amount), 0n), cents(invoice.totals.USD));
  assert.ok(invoice.csv.startsWith('schedule,item,quantity,unit_price,per,amount,currency,item_code,context_above,service,window,rate_of\n'));
  // Lines priced at a long-context tier say so, in the item and in a structured field.
  const long = invoice.lines.filter((l) => l.basis.contextAbove != null);
  assert.ok(long.length > 0 && long.every((l) => l.item.includes('prompt above') && l.itemCode.includes('|ctx>')));
  assert.equal(JSON.parse(invoice.json).events, 2970);
  // gpt-4o-2024-08-06 (in the log) has a deprecation date in the catalog: still invoiced, and said.
  assert.ok(invoice.warnings.includes('gpt-4o-2024-08-06 has a deprecation date of 2027-01-14 in the catalog'), invoice.warnings.join('\n'));
  const rows = meter.aggregate({ groupBy: ['month'] });
  assert.deepEqual(rows[0].key, { month: '2026-11' });
  assert.equal(rows[0].events, 2970);
  assert.equal(meter.toCloudEvents('urn:test').length, 2970);
});

test('an unknown price field refuses its model (UnsupportedPriceError) unless ignored', () => {
  const prices = { 'acme-1': { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6, storage_fee_per_gb_day: 0.1 } };
  const usage = { inputTokens: 1000000, outputTokens: 1000000 };
  assert.throws(() => tokfare.price('acme-1', usage, { catalog: tokfare.Catalog.fromJSON(prices) }), (e) => {
    assert.ok(e instanceof tokfare.UnsupportedPriceError, `${e.name}: ${e.message}`);
    assert.deepEqual([e.code, e.model, e.field], ['TOKFARE_UNSUPPORTED_PRICE', 'acme-1', 'storage_fee_per_gb_day']);
    return true;
  });
  const ignoring = tokfare.Catalog.fromJSON(prices, { ignoreUnknownPriceFields: true });
  assert.equal(tokfare.price('acme-1', usage, { catalog: ignoring }).total, '3');
  assert.throws(() => tokfare.price('azure_ai/doc-intelligence/prebuilt-read', usage), tokfare.UnsupportedPriceError);
});

test('Catalog.update validates, diffs and stores a price file; history and at find it again', async () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokfare-catalog-'));
  const source = path.join(dir, 'prices.json');
  fs.writeFileSync(source, '{"gpt-4o": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1e-05}}');
  const catalogDir = path.join(dir, 'store');
  const pending = tokfare.Catalog.update({ from: source, catalogDir });
  assert.ok(pending instanceof Promise, 'the download runs off the JS thread');
  const report = await pending;
  assert.equal(report.stored.entries, 1);
  assert.deepEqual(report.changed.find((c) => c.model === 'gpt-4o'), { model: 'gpt-4o', field: 'input_cost_per_token', before: '0.0000025', after: '0.000003', percent: '20' });
  await assert.rejects(tokfare.Catalog.update({ from: path.join(dir, 'missing.json'), catalogDir }), tokfare.CatalogUpdateError);
  await assert.rejects(tokfare.Catalog.update({ from: source, catalogDir, timeout: -1 }), tokfare.InvalidArgumentError);
  assert.equal(tokfare.Catalog.history({ catalogDir }).length, 1);
  const usage = { inputTokens: 1000000 };
  assert.equal(tokfare.price('gpt-4o', usage, { catalog: tokfare.Catalog.at('2999-01-01', { catalogDir }) }).total, '3');
  assert.equal(tokfare.price('gpt-4o', usage, { catalog: tokfare.Catalog.at('2000-01-01', { catalogDir }) }).total, '2.5');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an invoice over a time range: start included, end excluded, as the CLI', () => {
  const meter = new tokfare.Meter();
  // Whole cents per event (gpt-4o: $2.50 + $1.00), so rounding per line cannot blur the sum.
  const usage = new tokfare.Usage({ inputTokens: 1000000, outputTokens: 100000 });
  const times = [new Date(Date.UTC(2026, 10, 30, 23, 59, 59)), new Date(Date.UTC(2026, 11, 1)), new Date(Date.UTC(2026, 11, 15, 12))];
  times.forEach((t, i) => assert.equal(meter.record(`e${i}`, 'acme', 'gpt-4o', usage, { timestamp: t }), true));
  const whole = meter.invoice();
  const nov = meter.invoice({ end: '2026-12' });
  const dec = meter.invoice({ start: '2026-12-01', end: '2027-01' });
  assert.deepEqual([nov.events, dec.events, whole.events], [1, 2, 3]);
  assert.equal(meter.invoice({ start: '2026-12-01T00:00:00Z', end: '2026-12-01T00:00:01Z' }).events, 1);
  // Totals are decimal strings: add them as integers of 10^-28.
  const scaled = (s) => {
    const [i, f = ''] = s.split('.');
    return BigInt(i + f.padEnd(28, '0'));
  };
  assert.equal(scaled(nov.totals.USD) + scaled(dec.totals.USD), scaled(whole.totals.USD));
  assert.throws(() => meter.invoice({ start: '2026-12', end: '2026-11' }), /not after/);
  assert.throws(() => meter.invoice({ start: 'yesterday' }));
  assert.throws(() => meter.invoice({ start: 5 }), tokfare.InvalidArgumentError);
});

test('events no store could keep are refused: an empty id, a NUL in any text', () => {
  const meter = new tokfare.Meter();
  const usage = new tokfare.Usage({ inputTokens: 10, outputTokens: 1 });
  assert.throws(() => meter.record('', 'acme', 'gpt-4o', usage, { timestamp: T }), tokfare.InvalidArgumentError);
  assert.throws(() => meter.record('a\0b', 'acme', 'gpt-4o', usage, { timestamp: T }), /NUL/);
  assert.throws(() => meter.record('c', 'acme\0', 'gpt-4o', usage, { timestamp: T }), /NUL/);
  assert.equal(meter.record('d', 'acme', 'gpt-4o', usage, { timestamp: T }), true);
});
