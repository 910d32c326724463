'use strict';
// The meter's stores from Node: the shared store vectors on every store kind, an SQLite
// store shared by handles and processes, and clear errors.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const tokfare = require('..');
const { vectors } = require('./helpers.cjs');

const T = '2026-11-02T10:00:00Z';

function runCase(meter, c) {
  const reservations = [];
  for (const step of c.steps) {
    const where = `${c.name}: ${JSON.stringify(step)}`;
    switch (step.op) {
      case 'record':
      case 'settle': {
        const usage = tokfare.Usage.fromProvider(step.usage);
        let got;
        try {
          const isNew =
            step.op === 'settle'
              ? meter.settle(reservations[step.reservation], step.id, step.customer, step.model, usage, { timestamp: step.timestamp })
              : meter.record(step.id, step.customer, step.model, usage, { timestamp: step.timestamp });
          got = isNew ? 'new' : 'duplicate';
        } catch (e) {
          assert.ok(e instanceof tokfare.ConflictingEventError, `${where}: ${e}`);
          assert.equal(e.event_id, step.id);
          got = 'conflict';
        }
        assert.equal(got, step.expect, where);
        break;
      }
      case 'len':
        assert.equal(meter.size, step.expect, where);
        break;
      case 'spent':
        assert.equal(meter.spent(step.customer), step.expect, where);
        break;
      case 'invoice_total':
        assert.equal(meter.invoice().totals.USD, step.expect, where);
        break;
      case 'set_budget':
        meter.setBudget(step.customer, step.amount);
        break;
      case 'authorize': {
        const a = meter.authorize(step.customer, step.model, tokfare.Usage.fromProvider(step.usage));
        assert.deepEqual([a.allowed, a.reserved, a.spent], [step.expect.allowed, step.expect.reserved, step.expect.spent], where);
        if (a.reservation !== undefined) reservations.push(a.reservation);
        break;
      }
      case 'release':
        assert.equal(meter.release(reservations[step.reservation]), step.expect, where);
        break;
      default:
        throw new Error(`unknown op ${step.op}`);
    }
  }
}

/** A fresh database on the test cluster (scripts/pg-test-cluster.sh), or undefined (a loud skip). */
function postgresDb(name) {
  const admin = process.env.TOKFARE_TEST_POSTGRES;
  if (!admin) {
    assert.ok(!process.env.TOKFARE_REQUIRE_POSTGRES, 'TOKFARE_REQUIRE_POSTGRES is set but the test cluster did not start');
    console.log('*** PostgreSQL store NOT TESTED: no TOKFARE_TEST_POSTGRES (scripts/test.sh starts a cluster) ***');
    return undefined;
  }
  const url = new URL(admin);
  const db = `tokfare_node_${name}_${process.pid}`;
  const where = ['-h', url.hostname, '-p', url.port, '-U', url.username];
  const bin = process.env.TOKFARE_PG_CLUSTER_BIN;
  execFileSync(path.join(bin, 'dropdb'), ['--if-exists', ...where, db]);
  execFileSync(path.join(bin, 'createdb'), [...where, db]);
  return admin.replace(/\/[^/]*$/, `/${db}`);
}

test('the store vectors hold on every store', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokfare-store-'));
  vectors('meter/store.jsonl').forEach((c, n) => {
    const stores = [':memory:', path.join(dir, `j${n}.jsonl`), path.join(dir, `s${n}.db`), `sqlite://${path.join(dir, `u${n}.db`)}`];
    const pg = postgresDb(`v${n}`);
    if (pg) stores.push(pg);
    for (const store of stores) {
      const meter = new tokfare.Meter({ store });
      runCase(meter, c);
      meter.close();
    }
  });
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an SQLite store is shared by handles and processes, each event once', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokfare-store-'));
  const store = path.join(dir, 'meter.db');
  const a = new tokfare.Meter({ store });
  const b = new tokfare.Meter({ store });
  assert.equal(a.location, `sqlite://${store}`);
  const usage = { inputTokens: 1000, outputTokens: 100 };
  assert.equal(a.record('e1', 'acme', 'gpt-4o', usage, { timestamp: T }), true);
  assert.equal(b.record('e1', 'acme', 'gpt-4o', usage, { timestamp: T }), false);
  assert.throws(() => b.record('e1', 'acme', 'gpt-4o', { inputTokens: 1 }, { timestamp: T }), tokfare.ConflictingEventError);
  // Three other Node processes record 200 events each, every 10th id shared by all.
  const script = `
    const tokfare = require(${JSON.stringify(path.join(__dirname, '..'))});
    const m = new tokfare.Meter({ store: process.argv[1] });
    for (let i = 0; i < 200; i++) {
      const id = i % 10 === 0 ? 'shared-' + i : 'w' + process.argv[2] + '-' + i;
      m.record(id, 'acme', 'gpt-4o', { inputTokens: 1000, outputTokens: 100 }, { timestamp: '${T}' });
    }`;
  return Promise.all(
    [0, 1, 2].map(
      (w) =>
        new Promise((resolve, reject) => {
          const child = spawn(process.execPath, ['-e', script, store, String(w)], { stdio: 'inherit' });
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${w} exited ${code}`))));
        }),
    ),
  ).then(() => {
    const m = new tokfare.Meter({ store });
    assert.equal(m.size, 1 + 20 + 3 * 180);
    // 561 events at 1000 x 2.5/M + 100 x 10/M = 0.0035 each.
    assert.equal(m.spent('acme'), '1.9635');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

test('bad stores are typed errors', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokfare-store-'));
  const junk = path.join(dir, 'junk.db');
  fs.writeFileSync(junk, 'not a database '.repeat(20));
  assert.throws(() => new tokfare.Meter({ store: junk }), (e) => {
    assert.ok(e instanceof tokfare.StoreError, `${e.name}: ${e.message}`);
    assert.equal(e.code, 'TOKFARE_STORE');
    assert.equal(e.path, `sqlite://${junk}`);
    return true;
  });
  assert.throws(() => new tokfare.Meter({ store: 'mysql://h/db' }), tokfare.InvalidArgumentError);
  assert.throws(() => new tokfare.Meter({ store: junk, journal: path.join(dir, 'j.jsonl') }), tokfare.InvalidArgumentError);
  assert.throws(() => new tokfare.Meter({ store: 42 }), tokfare.InvalidArgumentError);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a PostgreSQL store reports conflicts and hides its password', (t) => {
  const store = postgresDb('shared');
  if (!store) return t.skip('no test cluster');
  const a = new tokfare.Meter({ store });
  const b = new tokfare.Meter({ store });
  const usage = { inputTokens: 1000, outputTokens: 100 };
  assert.equal(a.record('e1', 'acme', 'gpt-4o', usage, { timestamp: T }), true);
  assert.equal(b.record('e1', 'acme', 'gpt-4o', usage, { timestamp: T }), false);
  assert.throws(() => b.record('e1', 'acme', 'gpt-4o', { inputTokens: 1 }, { timestamp: T }), tokfare.ConflictingEventError);
  assert.equal(a.spent('acme'), '0.0035');
  a.close();
  b.close();
  assert.throws(() => new tokfare.Meter({ store: 'postgresql://tokfare:secret@127.0.0.1:1/nowhere' }), (e) => {
    assert.ok(e instanceof tokfare.StoreError, `${e.name}: ${e.message}`);
    assert.ok(!e.message.includes('secret') && e.path.includes('***'), e.message);
    return true;
  });
});
