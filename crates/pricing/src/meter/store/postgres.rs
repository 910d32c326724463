//! [`PostgresStore`]: the meter in PostgreSQL, shared by processes on many hosts.
//!
//! - A batch is one transaction: the ids already stored are read first and the batch
//!   classified in order (new, duplicate, conflict); the new events go in with `COPY`
//!   into a session-private staging table and one `INSERT … SELECT … ORDER BY id ON
//!   CONFLICT (id) DO NOTHING`. If another writer stored one of those ids in between
//!   (the insert adds fewer rows than classified new), the transaction is rolled back
//!   and the batch classified again — so a redelivery racing across hosts still counts
//!   once and a conflict is still reported. Deadlocks and serialization failures are
//!   retried the same way.
//! - The batch's sums go in the same transaction as one row of `tokfare_pending_sums`
//!   (schema version 3): its hour groups as one binary value (`codec::encode_batch`,
//!   exact decimals), last before the commit — no row of `tokfare_period_sums` is
//!   touched. The spend is staged with `COPY` and upserted in key order.
//! - Every [`FOLD_EVERY`]th batch (the `tokfare_batches` sequence counts them across
//!   writers) makes a fold due, which its process runs right after the commit in a
//!   transaction of its own, under an advisory lock (one fold at a time): `DELETE …
//!   RETURNING` the pending rows, add them at every level to `tokfare_period_sums` —
//!   one row per group and period with `NUMERIC` arrays, read without row locks (folds
//!   are its only writers), added to here with exact decimals (a sum that would need
//!   rounding is an `overflow` error), written back in one `UPDATE`, new groups
//!   inserted in key order, emptied ones deleted; the groups travel as array
//!   parameters, so the server probes the primary key for each however large the table
//!   has grown. A fold that fails stays owed: the process's next batch runs it first
//!   and returns its error before writing anything.
//! - Readers add the pending rows to `tokfare_period_sums` in one `REPEATABLE READ`
//!   snapshot: a fold's delete and sums commit together, so a snapshot has the rows
//!   either pending or folded.
//! - Budgets: `reserve` takes a transaction-scoped advisory lock on the customer, then
//!   reads spend, held reservations and limit in one statement (one snapshot), decides
//!   and holds — so racing processes never overspend.
//! - Durability: `fsync = always` commits with `synchronous_commit = on`; `every:N` and
//!   `never` with `off` (a crash of the server may lose the last commits, never corrupt
//!   them), made durable by [`MeterStore::sync`] (every N commits for `every:N`).
//! - Schema migrations (`sql/postgres/`) run on open under an advisory lock, versions
//!   in `tokfare_schema`; tables are prefixed `tokfare_`.
//!
//! One connection per store (a `Meter` is used by one thread at a time; processes and
//! threads that write at once each open their own).

use super::{
    all_levels, codec, redact, BatchSums, HourRange, Inserted, ItemSums, Level, Match, MeterStore, NewRecord, OnConflict, Reserved,
    RollupItem, RollupKey, RollupRow, RollupSums, TimeRange,
};
use crate::meter::budget::decide;
use crate::meter::journal::Fsync;
use crate::meter::priced::PricedEvent;
use crate::meter::ReservationId;
use crate::price::{Currency, Money};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Statement};
use rust_decimal::Decimal;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io::Write;

/// The schema migrations, in order (`tokfare_schema` records the versions applied).
const MIGRATIONS: &[&str] = &[
    include_str!("sql/postgres/0001_init.sql"),
    include_str!("sql/postgres/0002_sums_per_group.sql"),
    include_str!("sql/postgres/0003_pending_sums.sql"),
];

/// Every this many batches (counted by the `tokfare_batches` sequence across writers),
/// a batch folds the pending sums into `tokfare_period_sums`.
const FOLD_EVERY: i64 = 64;

/// The advisory lock a fold runs under ("tokfold1"): one fold at a time.
const FOLD_LOCK: i64 = 0x746f_6b66_6f6c_6431;

/// The advisory lock migrations run under ("tokfare1").
const MIGRATION_LOCK: i64 = 0x746f_6b66_6172_6531;

/// How many times a batch is classified again after a race or a deadlock.
const ATTEMPTS: usize = 64;

/// Session-private staging tables for `COPY`.
const STAGING: &str = r#"
CREATE TEMP TABLE IF NOT EXISTS tokfare_stage_events (id TEXT COLLATE "C", event_hash BYTEA, record_hash BYTEA, ts BIGINT,
    record TEXT) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS tokfare_stage_spend (customer TEXT COLLATE "C", currency TEXT COLLATE "C", amount NUMERIC)
    ON COMMIT DELETE ROWS;
"#;

/// The key columns of a sums row, in index order.
const GROUP_KEY: &str = "level, start, customer, model, schedule, currency";

/// The groups of a batch, as array parameters $1 to $6 (an array parameter, not a
/// staging table: the planner then probes the primary key for each, however large the
/// table has grown).
const GROUPS: &str = "unnest($1::smallint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[]) \
    AS g (level, start, customer, model, schedule, currency)";

/// The groups and their merged items as the ten array parameters of a write of
/// `tokfare_period_sums` (see [`SumsRows`]).
const SUMS_PARAMS: &str = "$1::smallint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], \
    $7::text[], $8::text[], $9::text[], $10::text[]";

/// A sums row `s` is group `g` (text compared in the "C" collation of the index).
const GROUP_MATCH: &str = "s.level = g.level AND s.start = g.start AND s.customer = g.customer COLLATE \"C\" \
    AND s.model = g.model COLLATE \"C\" AND s.schedule = g.schedule COLLATE \"C\" AND s.currency = g.currency COLLATE \"C\"";

/// Every statement the store runs, prepared once per connection (a round trip saved
/// on every call).
struct Statements {
    known: Statement,
    insert_one: Statement,
    copy_events: Statement,
    insert_staged: Statement,
    replace: Statement,
    read_groups: Statement,
    update_sums: Statement,
    insert_sums: Statement,
    delete_groups: Statement,
    copy_spend: Statement,
    upsert_spend: Statement,
    insert_pending: Statement,
    next_batch: Statement,
    fold_lock: Statement,
    take_pending: Statement,
    pending: Statement,
    get: Statement,
    len: Statement,
    spent: Statement,
    set_budget: Statement,
    budget: Statement,
    lock_customer: Statement,
    drop_expired: Statement,
    budget_state: Statement,
    hold: Statement,
    release: Statement,
    sums: Statement,
    scan: Statement,
    scan_all: Statement,
}

impl Statements {
    fn prepare(client: &mut Client) -> std::result::Result<Statements, postgres::Error> {
        Ok(Statements {
            known: client.prepare("SELECT id, event_hash, record_hash, record FROM tokfare_events WHERE id = ANY($1)")?,
            insert_one: client.prepare("INSERT INTO tokfare_events (id, event_hash, record_hash, ts, record) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING")?,
            copy_events: client.prepare("COPY tokfare_stage_events (id, event_hash, record_hash, ts, record) FROM STDIN")?,
            insert_staged: client.prepare("INSERT INTO tokfare_events (id, event_hash, record_hash, ts, record) SELECT id, event_hash, record_hash, ts, record FROM tokfare_stage_events ORDER BY id ON CONFLICT (id) DO NOTHING")?,
            replace: client.prepare("UPDATE tokfare_events SET event_hash = $2, record_hash = $3, ts = $4, record = $5 WHERE id = $1 AND record_hash = $6")?,
            // The stored rows of a fold's groups (no row locks: folds, the table's only
            // writers, run one at a time under the fold's advisory lock).
            read_groups: client.prepare(&format!(
                "SELECT s.level, s.start, s.customer, s.model, s.schedule, s.currency, s.items, s.counts, s.quantities::text[], \
                 s.amounts::text[] FROM tokfare_period_sums s JOIN {GROUPS} ON {GROUP_MATCH}"
            ))?,
            // The merged sums written back, and new groups added, in key order (arrays as
            // literals: one text per row).
            update_sums: client.prepare(&format!(
                "UPDATE tokfare_period_sums s SET items = g.items::text[], counts = g.counts::bigint[], \
                 quantities = g.quantities::numeric[], amounts = g.amounts::numeric[] \
                 FROM unnest({SUMS_PARAMS}) AS g ({GROUP_KEY}, items, counts, quantities, amounts) WHERE {GROUP_MATCH}"
            ))?,
            insert_sums: client.prepare(&format!(
                "INSERT INTO tokfare_period_sums ({GROUP_KEY}, items, counts, quantities, amounts) \
                 SELECT {GROUP_KEY}, items::text[], counts::bigint[], quantities::numeric[], amounts::numeric[] \
                 FROM unnest({SUMS_PARAMS}) AS g ({GROUP_KEY}, items, counts, quantities, amounts)"
            ))?,
            // Groups a record taken away (replaced in a merge) left with nothing in them.
            delete_groups: client.prepare(&format!("DELETE FROM tokfare_period_sums s USING {GROUPS} WHERE {GROUP_MATCH}"))?,
            copy_spend: client.prepare("COPY tokfare_stage_spend FROM STDIN")?,
            upsert_spend: client.prepare("INSERT INTO tokfare_spend (customer, currency, amount) SELECT customer, currency, amount FROM tokfare_stage_spend ORDER BY customer, currency ON CONFLICT (customer, currency) DO UPDATE SET amount = tokfare_spend.amount + excluded.amount")?,
            insert_pending: client.prepare("INSERT INTO tokfare_pending_sums (groups) VALUES ($1)")?,
            next_batch: client.prepare("SELECT nextval('tokfare_batches')")?,
            fold_lock: client.prepare("SELECT pg_advisory_xact_lock($1)")?,
            take_pending: client.prepare("DELETE FROM tokfare_pending_sums RETURNING groups")?,
            pending: client.prepare("SELECT groups FROM tokfare_pending_sums")?,
            get: client.prepare("SELECT record FROM tokfare_events WHERE id = $1")?,
            len: client.prepare("SELECT coalesce(sum(counts[array_position(items, 'events')]), 0)::bigint FROM tokfare_period_sums WHERE level = 2")?,
            spent: client.prepare("SELECT amount::text FROM tokfare_spend WHERE customer = $1 AND currency = $2")?,
            set_budget: client.prepare("INSERT INTO tokfare_budgets (customer, currency, amount) VALUES ($1, $2, $3::text::numeric) ON CONFLICT (customer) DO UPDATE SET currency = excluded.currency, amount = excluded.amount")?,
            budget: client.prepare("SELECT currency, amount::text FROM tokfare_budgets WHERE customer = $1")?,
            lock_customer: client.prepare("SELECT pg_advisory_xact_lock(hashtextextended($1, 7477))")?,
            drop_expired: client.prepare("DELETE FROM tokfare_reservations WHERE customer = $1 AND expires <= $2")?,
            budget_state: client.prepare("SELECT (SELECT amount::text FROM tokfare_spend WHERE customer = $1 AND currency = $2), (SELECT coalesce(sum(amount), 0)::text FROM tokfare_reservations WHERE customer = $1 AND currency = $2), (SELECT currency FROM tokfare_budgets WHERE customer = $1), (SELECT amount::text FROM tokfare_budgets WHERE customer = $1)")?,
            hold: client.prepare("INSERT INTO tokfare_reservations (customer, currency, amount, expires) VALUES ($1, $2, $3::text::numeric, $4) RETURNING id")?,
            release: client.prepare("DELETE FROM tokfare_reservations WHERE id = $1")?,
            sums: client.prepare("SELECT start, customer, model, schedule, currency, u.item, u.count, u.quantity::text, u.amount::text FROM tokfare_period_sums, unnest(items, counts, quantities, amounts) AS u (item, count, quantity, amount) WHERE level = $1 AND start >= $2 AND start < $3")?,
            scan: client.prepare("SELECT record FROM tokfare_events WHERE ts >= $1 AND ts < $2 ORDER BY id")?,
            scan_all: client.prepare("SELECT record FROM tokfare_events ORDER BY id")?,
        })
    }
}

/// A meter store in PostgreSQL. See the module docs.
pub struct PostgresStore {
    st: Statements,
    client: RefCell<Client>,
    url: String,
    fsync: Fsync,
    unsynced: Cell<u32>,
    reading: Cell<bool>,
    /// A batch of this process made a fold due and it has not run yet.
    fold_owed: Cell<bool>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").field("url", &self.url).field("fsync", &self.fsync).finish()
    }
}

/// What a batch knows of a stored id: event hash, record hash, record JSON, and its
/// index among the batch's new records if it came from this batch.
type Stored = (Vec<u8>, Vec<u8>, String, Option<usize>);

/// A PostgreSQL failure, or one of tokfare's own inside a transaction.
enum Fail {
    Pg(postgres::Error),
    Tokfare(Error),
}

impl From<postgres::Error> for Fail {
    fn from(e: postgres::Error) -> Fail {
        Fail::Pg(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Tokfare(e)
    }
}

impl PostgresStore {
    /// Connects, migrates and prepares a store (`postgresql://user[:password]@host[:port]/db`).
    pub fn open(url: &str, fsync: Fsync) -> Result<PostgresStore> {
        let shown = redact(url);
        let fail = |e: postgres::Error| pg_error(&shown, e);
        let mut client = Client::connect(url, NoTls).map_err(fail)?;
        let synchronous = if fsync == Fsync::Always { "on" } else { "off" };
        client.batch_execute(&format!("SET synchronous_commit = {synchronous}; SET client_min_messages = warning;")).map_err(fail)?;
        migrate(&mut client, &shown)?;
        client.batch_execute(STAGING).map_err(fail)?;
        let st = Statements::prepare(&mut client).map_err(fail)?;
        Ok(PostgresStore {
            st,
            client: RefCell::new(client),
            url: shown,
            fsync,
            unsynced: Cell::new(0),
            reading: Cell::new(false),
            fold_owed: Cell::new(false),
        })
    }

    fn fail(&self, e: postgres::Error) -> Error {
        pg_error(&self.url, e)
    }

    /// The connection, or an error when a callback of this store's own `scan` or
    /// `rollups` calls the store again (the connection is streaming rows to it).
    fn conn(&self) -> Result<std::cell::RefMut<'_, Client>> {
        self.client.try_borrow_mut().map_err(|_| Error::Store {
            store: self.url.clone(),
            reason: "the store was called from inside its own scan or rollups callback; collect what you need first".into(),
        })
    }

    fn unfail(&self, f: Fail) -> Error {
        match f {
            Fail::Pg(e) => self.fail(e),
            Fail::Tokfare(e) => e,
        }
    }

    fn decimal(&self, s: &str) -> Result<Decimal> {
        Decimal::from_str_exact(s).map_err(|e| Error::Store { store: self.url.clone(), reason: format!("stored amount {s:?}: {e}") })
    }

    /// After a write commits: with `every:N`, a sync every N commits.
    fn committed(&mut self) -> Result<()> {
        if let Fsync::Every(n) = self.fsync {
            self.unsynced.set(self.unsynced.get() + 1);
            if self.unsynced.get() >= n.max(1) {
                self.sync()?;
            }
        }
        Ok(())
    }

    /// One attempt at a batch: `None` when another writer raced it (roll back, again).
    fn try_insert(&self, batch: &[NewRecord], by: Match, on_conflict: OnConflict) -> std::result::Result<Option<Vec<Inserted>>, Fail> {
        let mut client = self.conn()?;
        let mut tx = client.transaction()?;
        let ids: Vec<&str> = batch.iter().map(|r| r.record.event.id.as_str()).collect();
        let mut known: HashMap<String, Stored> = HashMap::new();
        for row in tx.query(&self.st.known, &[&ids])? {
            known.insert(row.get(0), (row.get(1), row.get(2), row.get(3), None));
        }
        let mut out = Vec::with_capacity(batch.len());
        let mut sums = BatchSums::default();
        let mut new: Vec<&NewRecord> = Vec::new();
        let mut replaced: Vec<(&NewRecord, Vec<u8>)> = Vec::new();
        let mut stopped = false;
        for row in batch {
            if stopped {
                out.push(Inserted::NotAttempted);
                continue;
            }
            let id = &row.record.event.id;
            let Some((event_hash, record_hash, old_json, pending)) = known.get(id).cloned() else {
                known.insert(id.clone(), (row.event_hash.to_vec(), row.record_hash.to_vec(), row.json.clone(), Some(new.len())));
                sums.add_new(row, 1)?;
                sums.events += 1;
                new.push(row);
                out.push(Inserted::New);
                continue;
            };
            let stored = if by == Match::Event { &event_hash } else { &record_hash };
            let outcome = if row.same_record(by, stored, &old_json)? {
                Inserted::Duplicate
            } else {
                match on_conflict {
                    OnConflict::Report { stop } => {
                        stopped = stop;
                        Inserted::Conflict
                    }
                    OnConflict::KeepCanonical if row.json < old_json => {
                        match pending {
                            Some(i) => {
                                sums.add_new(new[i], -1)?;
                                new[i] = row;
                            }
                            None => {
                                sums.add(&PricedEvent::from_json(&old_json)?, -1)?;
                                replaced.push((row, record_hash.clone()));
                            }
                        }
                        sums.add_new(row, 1)?;
                        known.insert(id.clone(), (row.event_hash.to_vec(), row.record_hash.to_vec(), row.json.clone(), pending));
                        Inserted::Replaced
                    }
                    OnConflict::KeepCanonical => Inserted::Conflict,
                }
            };
            out.push(outcome);
        }
        // The new events, in id order (every writer locks ids in the same order).
        let inserted = if new.len() <= 4 {
            let stmt = &self.st.insert_one;
            let mut sorted = new.clone();
            sorted.sort_by(|a, b| a.record.event.id.cmp(&b.record.event.id));
            let mut n = 0;
            for r in sorted {
                let e = &r.record.event;
                n += tx.execute(stmt, &[&e.id, &&r.event_hash[..], &&r.record_hash[..], &e.timestamp.timestamp(), &r.json])?;
            }
            n
        } else {
            let mut copy = tx.copy_in(&self.st.copy_events)?;
            let mut line = String::new();
            for r in &new {
                line.clear();
                let e = &r.record.event;
                copy_text(&mut line, &e.id);
                line.push('\t');
                copy_bytea(&mut line, &r.event_hash);
                line.push('\t');
                copy_bytea(&mut line, &r.record_hash);
                line.push('\t');
                line.push_str(&e.timestamp.timestamp().to_string());
                line.push('\t');
                copy_text(&mut line, &r.json);
                line.push('\n');
                copy.write_all(line.as_bytes()).map_err(|e| Error::Store { store: self.url.clone(), reason: format!("COPY: {e}") })?;
            }
            copy.finish()?;
            tx.execute(&self.st.insert_staged, &[])?
        };
        if inserted != new.len() as u64 {
            // Another writer stored one of these ids since we looked: classify again.
            tx.rollback()?;
            return Ok(None);
        }
        replaced.sort_by(|a, b| a.0.record.event.id.cmp(&b.0.record.event.id));
        for (r, old_hash) in &replaced {
            let e = &r.record.event;
            let n = tx.execute(
                &self.st.replace,
                &[&e.id, &&r.event_hash[..], &&r.record_hash[..], &e.timestamp.timestamp(), &r.json, old_hash],
            )?;
            if n != 1 {
                tx.rollback()?;
                return Ok(None);
            }
        }
        let due = write_sums(&mut tx, &self.st, &sums, &self.url)?;
        tx.commit()?;
        if due {
            self.fold_owed.set(true);
        }
        Ok(Some(out))
    }

    /// Runs the fold this process owes, if any (see [`fold`]); one that failed stays
    /// owed, for the next batch.
    fn fold_if_owed(&self) -> Result<()> {
        if !self.fold_owed.get() {
            return Ok(());
        }
        let mut client = self.conn()?;
        (|| -> std::result::Result<(), Fail> {
            let mut tx = client.transaction()?;
            fold(&mut tx, &self.st, &self.url)?;
            tx.commit()?;
            Ok(())
        })()
        .map_err(|e| self.unfail(e))?;
        self.fold_owed.set(false);
        Ok(())
    }

    /// Visits the sums of one level whose period starts in `starts`: the stored rows
    /// with the pending rows (`pending`: [`PostgresStore::pending_hours`], read once per
    /// snapshot, mapped to this level here) added to them, each group and item once,
    /// net. Inside a snapshot: both from the same commits.
    fn sums(
        &self,
        level: Level,
        starts: HourRange,
        pending_hours: &super::Groups,
        visit: &mut dyn FnMut(RollupRow) -> Result<()>,
    ) -> Result<()> {
        let mut pending: HashMap<(RollupKey, RollupItem), RollupSums> = HashMap::new();
        let mut periods: HashMap<i64, i64> = HashMap::new();
        for (hour, items) in pending_hours {
            let start = *periods.entry(hour.start).or_insert_with(|| level.start_of(hour.start));
            if start < starts.from || start >= starts.to {
                continue;
            }
            let key = RollupKey { level, start, ..hour.clone() };
            for (item, sums) in items {
                pending.entry((key.clone(), item.clone())).or_default().add(sums, 1)?;
            }
        }
        let mut client = self.conn()?;
        let params: [&(dyn ToSql + Sync); 3] = [&(level as i16), &starts.from, &starts.to];
        let mut rows = client.query_raw(&self.st.sums, params).map_err(|e| self.fail(e))?;
        while let Some(row) = rows.next().map_err(|e| self.fail(e))? {
            let start: i64 = row.try_get(0).map_err(|e| self.fail(e))?;
            let (key, item, mut sums) = self.sums_row(&row, level, start)?;
            let mut at = (key, item);
            if let Some((stored, more)) = pending.remove_entry(&at) {
                sums.add(&more, 1)?;
                at = stored;
            }
            let (key, item) = at;
            if sums != RollupSums::default() {
                visit(RollupRow { key, item, sums })?;
            }
        }
        for ((key, item), sums) in pending {
            if sums != RollupSums::default() {
                visit(RollupRow { key, item, sums })?;
            }
        }
        Ok(())
    }

    /// The hour groups of every pending row (in the caller's snapshot).
    fn pending_hours(&self) -> Result<super::Groups> {
        let mut hours = super::Groups::new();
        for row in self.conn()?.query(&self.st.pending, &[]).map_err(|e| self.fail(e))? {
            add_pending(row.try_get(0).map_err(|e| self.fail(e))?, &mut hours, &self.url)?;
        }
        Ok(hours)
    }

    /// A row of the `sums` statement: start, customer, model, schedule, currency, item,
    /// count, quantity, amount.
    fn sums_row(&self, row: &postgres::Row, level: Level, start: i64) -> Result<(RollupKey, RollupItem, RollupSums)> {
        let get = |i: usize| -> Result<&str> { row.try_get(i).map_err(|e| self.fail(e)) };
        // The schema's CHECK keeps the arrays whole; a NULL here is still an error,
        // never a panic.
        let item = get(5)?;
        let item = RollupItem::decode(item)
            .ok_or_else(|| Error::Store { store: self.url.clone(), reason: format!("unknown sum item {item:?}") })?;
        let key = RollupKey {
            customer: get(1)?.to_string(),
            model: get(2)?.to_string(),
            schedule: get(3)?.to_string(),
            level,
            start,
            currency: Currency::stored(get(4)?)?,
        };
        let sums = RollupSums {
            count: row.try_get(6).map_err(|e| self.fail(e))?,
            quantity: self.decimal(get(7)?)?,
            amount: self.decimal(get(8)?)?,
        };
        Ok((key, item, sums))
    }

    /// Runs `read` in one repeatable-read transaction.
    fn snapshot<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        if self.reading.get() {
            return read();
        }
        self.conn()?.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").map_err(|e| self.fail(e))?;
        self.reading.set(true);
        let out = read();
        self.reading.set(false);
        let end = self.conn()?.batch_execute(if out.is_ok() { "COMMIT" } else { "ROLLBACK" }).map_err(|e| self.fail(e));
        let out = out?;
        end?;
        Ok(out)
    }
}

fn pg_error(url: &str, e: postgres::Error) -> Error {
    if e.code() == Some(&SqlState::NUMERIC_VALUE_OUT_OF_RANGE) {
        return Error::Overflow(format!("meter sums in {url}: {e}"));
    }
    let reason = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => e.to_string(),
    };
    Error::Store { store: url.to_string(), reason }
}

fn retryable(e: &Fail) -> bool {
    matches!(e, Fail::Pg(e) if matches!(e.code(), Some(c) if *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE))
}

fn migrate(client: &mut Client, url: &str) -> Result<()> {
    let fail = |e: postgres::Error| pg_error(url, e);
    // Up to date already: no lock and no DDL (a role with data rights only can open it).
    let known = MIGRATIONS.len() as i32;
    let exists: bool = client.query_one("SELECT to_regclass('tokfare_schema') IS NOT NULL", &[]).map_err(fail)?.get(0);
    let current: Option<i32> =
        if exists { client.query_one("SELECT max(version) FROM tokfare_schema", &[]).map_err(fail)?.get(0) } else { None };
    if current == Some(known) {
        return Ok(());
    }
    let mut tx = client.transaction().map_err(fail)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(fail)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS tokfare_schema (version INTEGER NOT NULL, applied TIMESTAMPTZ NOT NULL DEFAULT now())")
        .map_err(fail)?;
    let version: i32 = tx.query_one("SELECT coalesce(max(version), 0) FROM tokfare_schema", &[]).map_err(fail)?.get(0);
    if !(0..=known).contains(&version) {
        return Err(Error::Store {
            store: url.to_string(),
            reason: format!("schema version {version} is not one this tokfare knows (0 to {known}): a newer tokfare's store"),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql).map_err(fail)?;
        tx.execute("INSERT INTO tokfare_schema (version) VALUES ($1)", &[&(i as i32 + 1)]).map_err(fail)?;
    }
    tx.commit().map_err(fail)
}

/// A text field of `COPY … FROM STDIN` (text format): backslash escapes.
fn copy_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// A sums row's key in the order of the table's primary key.
fn pg_order(key: &RollupKey) -> (i16, i64, &str, &str, &str, &str) {
    (key.level as i16, key.start, key.customer.as_str(), key.model.as_str(), key.schedule.as_str(), key.currency.code())
}

/// Groups' keys as the six array parameters of [`GROUPS`].
#[derive(Default)]
struct KeyColumns<'a> {
    level: Vec<i16>,
    start: Vec<i64>,
    text: [Vec<&'a str>; 4],
}

impl<'a> KeyColumns<'a> {
    fn new(keys: impl Iterator<Item = &'a RollupKey>) -> KeyColumns<'a> {
        let mut out = KeyColumns::default();
        keys.for_each(|key| out.push(key));
        out
    }

    fn push(&mut self, key: &'a RollupKey) {
        let (level, start, customer, model, schedule, currency) = pg_order(key);
        self.level.push(level);
        self.start.push(start);
        for (column, value) in self.text.iter_mut().zip([customer, model, schedule, currency]) {
            column.push(value);
        }
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let mut out: Vec<&(dyn ToSql + Sync)> = vec![&self.level, &self.start];
        out.extend(self.text.iter().map(|c| c as &(dyn ToSql + Sync)));
        out
    }
}

/// A PostgreSQL array literal of already-formatted elements: `{a,b}`.
fn array_literal(elements: impl Iterator<Item = String>) -> String {
    format!("{{{}}}", elements.collect::<Vec<_>>().join(","))
}

/// An array element in double quotes (any text: quotes and backslashes escaped).
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A `bytea` field of `COPY` text format: `\x` and hex, its backslash escaped.
fn copy_bytea(out: &mut String, bytes: &[u8]) {
    out.push_str("\\\\x");
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
}

/// Adds a batch's sums and spend (inside the batch's transaction): the spend staged
/// with `COPY` and upserted, then its hour sums as one pending row. `true`: this batch
/// makes a fold due (every [`FOLD_EVERY`]th batch).
fn write_sums(tx: &mut postgres::Transaction<'_>, st: &Statements, sums: &BatchSums, url: &str) -> std::result::Result<bool, Fail> {
    let io = |e: std::io::Error| Error::Store { store: url.to_string(), reason: format!("COPY: {e}") };
    if !sums.spend.is_empty() {
        let mut copy = tx.copy_in(&st.copy_spend)?;
        let mut line = String::new();
        for ((customer, currency), amount) in &sums.spend {
            line.clear();
            copy_text(&mut line, customer);
            line.push_str(&format!("\t{}\t{}\n", currency.code(), amount.normalize()));
            copy.write_all(line.as_bytes()).map_err(io)?;
        }
        copy.finish()?;
        tx.execute(&st.upsert_spend, &[])?;
    }
    // The number of events is the month sums' and pending rows' count (no counter row
    // every writer locks).
    if !sums.hours().values().any(|items| items.values().any(|s| *s != RollupSums::default())) {
        return Ok(false);
    }
    tx.execute(&st.insert_pending, &[&codec::encode_batch(sums.hours())])?;
    let batch: i64 = tx.query_one(&st.next_batch, &[])?.get(0);
    Ok(batch % FOLD_EVERY == 0)
}

/// One fold, in its own transaction: under the fold lock (an advisory lock: folds run
/// one at a time, and they are the only writers of `tokfare_period_sums`), deletes the
/// pending rows its statement sees and adds them at every level to
/// `tokfare_period_sums`, committed together — a reader's snapshot has either the
/// pending rows or the sums they went into, never both or neither. Rows a writer
/// commits meanwhile stay pending.
fn fold(tx: &mut postgres::Transaction<'_>, st: &Statements, url: &str) -> std::result::Result<(), Fail> {
    tx.execute(&st.fold_lock, &[&FOLD_LOCK])?;
    let mut hours = super::Groups::new();
    for row in tx.query(&st.take_pending, &[])? {
        add_pending(row.try_get(0)?, &mut hours, url)?;
    }
    merge_groups(tx, st, all_levels(&hours)?, url)
}

/// Adds `groups` (any level) to their `tokfare_period_sums` rows: the rows there are
/// read (no row locks: see `read_groups`), added to here with exact decimals (the
/// server would spend longer aggregating `NUMERIC`) and written back in one `UPDATE`;
/// new groups go in with one `INSERT` in key order; groups left with nothing are
/// deleted.
fn merge_groups(
    tx: &mut postgres::Transaction<'_>,
    st: &Statements,
    mut groups: super::Groups,
    url: &str,
) -> std::result::Result<(), Fail> {
    groups.retain(|_, items| items.values().any(|s| *s != RollupSums::default()));
    if groups.is_empty() {
        return Ok(());
    }
    // In the rows' order: the key columns in index order, text in byte order ("C").
    let mut ordered: Vec<(&RollupKey, &ItemSums)> = groups.iter().collect();
    ordered.sort_by(|(a, _), (b, _)| pg_order(a).cmp(&pg_order(b)));
    type Owned = (i16, i64, String, String, String, String);
    let mut stored: HashMap<Owned, Vec<(String, RollupSums)>> = HashMap::with_capacity(ordered.len());
    for row in tx.query(&st.read_groups, &KeyColumns::new(ordered.iter().map(|(k, _)| *k)).params())? {
        stored.insert(
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?, row.try_get(5)?),
            row_items(&row, 6, url)?,
        );
    }
    let (mut updates, mut inserts, mut emptied) = (SumsRows::default(), SumsRows::default(), Vec::new());
    for (key, items) in ordered {
        let (level, start, customer, model, schedule, currency) = pg_order(key);
        let owned = (level, start, customer.to_string(), model.to_string(), schedule.to_string(), currency.to_string());
        let (mut sum, existed) = match stored.remove(&owned) {
            Some(sum) => (sum, true),
            None => (Vec::new(), false),
        };
        for (item, s) in items.iter() {
            let code = item.encode();
            match sum.iter_mut().find(|(c, _)| *c == code) {
                Some((_, total)) => total.add(s, 1)?,
                None => sum.push((code, *s)),
            }
        }
        sum.retain(|(_, s)| *s != RollupSums::default());
        sum.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        match (sum.is_empty(), existed) {
            (true, true) => emptied.push(key),
            (true, false) => {}
            (false, true) => updates.push(key, &sum),
            (false, false) => inserts.push(key, &sum),
        }
    }
    for (rows, statement) in [(&updates, &st.update_sums), (&inserts, &st.insert_sums)] {
        if !rows.keys.level.is_empty() {
            tx.execute(statement, &rows.params())?;
        }
    }
    if !emptied.is_empty() {
        tx.execute(&st.delete_groups, &KeyColumns::new(emptied.into_iter()).params())?;
    }
    Ok(())
}

/// Rows of `tokfare_period_sums` to write: keys and merged items, as the parameters of
/// [`SUMS_PARAMS`].
#[derive(Default)]
struct SumsRows<'a> {
    keys: KeyColumns<'a>,
    columns: [Vec<String>; 4],
}

impl<'a> SumsRows<'a> {
    fn push(&mut self, key: &'a RollupKey, sum: &[(String, RollupSums)]) {
        self.keys.push(key);
        self.columns[0].push(array_literal(sum.iter().map(|(code, _)| quoted(code))));
        self.columns[1].push(array_literal(sum.iter().map(|(_, s)| s.count.to_string())));
        self.columns[2].push(array_literal(sum.iter().map(|(_, s)| s.quantity.normalize().to_string())));
        self.columns[3].push(array_literal(sum.iter().map(|(_, s)| s.amount.normalize().to_string())));
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let mut out = self.keys.params();
        out.extend(self.columns.iter().map(|c| c as &(dyn ToSql + Sync)));
        out
    }
}

/// Adds the hour groups of a pending row (`codec::encode_batch`) into `hours`.
fn add_pending(bytes: &[u8], hours: &mut super::Groups, url: &str) -> Result<()> {
    codec::add_batch(bytes, hours)?
        .ok_or_else(|| Error::Store { store: url.to_string(), reason: "a row of tokfare_pending_sums is not readable".into() })
}

/// The items of a sums row whose `items`, `counts`, `quantities::text[]` and
/// `amounts::text[]` are the columns from `first` on.
fn row_items(row: &postgres::Row, first: usize, url: &str) -> std::result::Result<Vec<(String, RollupSums)>, Fail> {
    let codes: Vec<String> = row.try_get(first)?;
    let counts: Vec<i64> = row.try_get(first + 1)?;
    let quantities: Vec<String> = row.try_get(first + 2)?;
    let amounts: Vec<String> = row.try_get(first + 3)?;
    if [counts.len(), quantities.len(), amounts.len()] != [codes.len(); 3] {
        return Err(Error::Store { store: url.to_string(), reason: "a sums row has arrays of different lengths".into() }.into());
    }
    let number =
        |s: &str| Decimal::from_str_exact(s).map_err(|e| Error::Store { store: url.to_string(), reason: format!("stored sum {s:?}: {e}") });
    let mut sum: Vec<(String, RollupSums)> = Vec::with_capacity(codes.len() + 4);
    for (((code, count), quantity), amount) in codes.into_iter().zip(counts).zip(quantities).zip(amounts) {
        sum.push((code, RollupSums { count, quantity: number(&quantity)?, amount: number(&amount)? }));
    }
    Ok(sum)
}

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

impl MeterStore for PostgresStore {
    fn location(&self) -> String {
        self.url.clone()
    }

    fn insert(&mut self, batch: &[NewRecord], by: Match, on_conflict: OnConflict) -> Result<Vec<Inserted>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        // A fold owed from before, and its error (an overflow of a sum), ahead of the
        // batch: nothing of the batch is written when it fails.
        self.fold_if_owed()?;
        for attempt in 1..=ATTEMPTS {
            match self.try_insert(batch, by, on_conflict) {
                Ok(Some(out)) => {
                    self.committed()?;
                    // The fold this batch made due, right away; when it fails the batch
                    // stays written (readers add the pending rows) and the fold owed:
                    // the next batch runs it first and reports its error.
                    let _ = self.fold_if_owed();
                    return Ok(out);
                }
                Ok(None) => continue,
                Err(e) if retryable(&e) && attempt < ATTEMPTS => continue,
                Err(e) => return Err(self.unfail(e)),
            }
        }
        Err(Error::Store {
            store: self.url.clone(),
            reason: format!("a batch lost {ATTEMPTS} races with other writers in a row; try again"),
        })
    }

    fn get(&self, id: &str) -> Result<Option<PricedEvent>> {
        let row = self.conn()?.query_opt(&self.st.get, &[&id]).map_err(|e| self.fail(e))?;
        row.map(|r| PricedEvent::from_json(r.get(0))).transpose()
    }

    /// The month sums' events and the pending rows', in one snapshot.
    fn len(&self) -> Result<u64> {
        self.snapshot(|| {
            let mut n: i64 = self.conn()?.query_one(&self.st.len, &[]).map_err(|e| self.fail(e))?.get(0);
            for items in self.pending_hours()?.values() {
                let events = items.get(&RollupItem::Events).map_or(0, |s| s.count);
                n = n.checked_add(events).ok_or_else(|| Error::Overflow("the number of events".into()))?;
            }
            Ok(n.max(0) as u64)
        })
    }

    fn scan(&self, range: &TimeRange, visit: &mut dyn FnMut(PricedEvent) -> Result<()>) -> Result<()> {
        let from = range.from.map_or(i64::MIN, |t| t.timestamp());
        let to = range.to.map_or(i64::MAX, |t| t.timestamp().saturating_add(1));
        let mut client = self.conn()?;
        let mut rows = if *range == TimeRange::ALL {
            client.query_raw(&self.st.scan_all, std::iter::empty::<&(dyn ToSql + Sync)>())
        } else {
            let params: [&(dyn ToSql + Sync); 2] = [&from, &to];
            client.query_raw(&self.st.scan, params)
        }
        .map_err(|e| self.fail(e))?;
        while let Some(row) = rows.next().map_err(|e| self.fail(e))? {
            let record = PricedEvent::from_json(row.get(0))?;
            if range.contains(record.event.timestamp) {
                visit(record)?;
            }
        }
        Ok(())
    }

    fn rollups(&self, hours: &HourRange, coarsest: Level, visit: &mut dyn FnMut(RollupRow) -> Result<()>) -> Result<()> {
        self.snapshot(|| {
            let pending = self.pending_hours()?;
            Level::plan(*hours, coarsest).into_iter().try_for_each(|(level, starts)| self.sums(level, starts, &pending, visit))
        })
    }

    fn read(&self, read: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        self.snapshot(read)
    }

    fn spent(&self, customer: &str, currency: Currency) -> Result<Decimal> {
        let row = self.conn()?.query_opt(&self.st.spent, &[&customer, &currency.code()]).map_err(|e| self.fail(e))?;
        row.map_or(Ok(Decimal::ZERO), |r| self.decimal(r.get(0)))
    }

    fn set_budget(&mut self, customer: &str, limit: Money) -> Result<()> {
        self.conn()?
            .execute(&self.st.set_budget, &[&customer, &limit.currency().code(), &limit.amount().normalize().to_string()])
            .map_err(|e| self.fail(e))?;
        self.committed()
    }

    fn budget(&self, customer: &str) -> Result<Option<Money>> {
        let row = self.conn()?.query_opt(&self.st.budget, &[&customer]).map_err(|e| self.fail(e))?;
        row.map(|r| Ok(Money::new(self.decimal(r.get(1))?, Currency::stored(r.get::<_, &str>(0))?))).transpose()
    }

    fn reserve(&mut self, customer: &str, estimate: Money, now: DateTime<Utc>, expires: DateTime<Utc>) -> Result<Reserved> {
        let currency = estimate.currency();
        let result = (|| -> std::result::Result<Reserved, Fail> {
            let mut client = self.conn()?;
            let mut tx = client.transaction()?;
            // One customer's budget steps run one at a time, across every process.
            tx.execute(&self.st.lock_customer, &[&customer])?;
            tx.execute(&self.st.drop_expired, &[&customer, &millis(now)])?;
            // Spend, held reservations and limit from one snapshot.
            let row = tx.query_one(&self.st.budget_state, &[&customer, &currency.code()])?;
            let spent = Money::new(row.get::<_, Option<&str>>(0).map_or(Ok(Decimal::ZERO), |s| self.decimal(s))?, currency);
            let reserved = Money::new(self.decimal(row.get(1))?, currency);
            let limit = match (row.get::<_, Option<&str>>(2), row.get::<_, Option<&str>>(3)) {
                (Some(c), Some(a)) => Some(Money::new(self.decimal(a)?, Currency::stored(c)?)),
                _ => None,
            };
            let allowed = decide(customer, estimate, spent, reserved, limit)?;
            let reservation = if allowed {
                let id: i64 = tx
                    .query_one(&self.st.hold, &[&customer, &currency.code(), &estimate.amount().normalize().to_string(), &millis(expires)])?
                    .get(0);
                Some(ReservationId(id as u64))
            } else {
                None
            };
            tx.commit()?;
            Ok(Reserved { allowed, spent, reserved, limit, reservation })
        })();
        let held = result.map_err(|e| self.unfail(e))?;
        self.committed()?;
        Ok(held)
    }

    fn release(&mut self, reservation: ReservationId) -> Result<bool> {
        let id = i64::try_from(reservation.0).unwrap_or(-1);
        let n = self.conn()?.execute(&self.st.release, &[&id]).map_err(|e| self.fail(e))?;
        self.committed()?;
        Ok(n == 1)
    }

    /// Makes every commit so far durable: a commit with `synchronous_commit = on` waits
    /// for the write-ahead log up to it, which holds the earlier asynchronous commits.
    fn sync(&mut self) -> Result<()> {
        let mut client = self.conn()?;
        let synced = (|| {
            let mut tx = client.transaction()?;
            tx.batch_execute("SET LOCAL synchronous_commit = on; UPDATE tokfare_counters SET value = value + 1 WHERE name = 'sync'")?;
            tx.commit()
        })();
        drop(client);
        synced.map_err(|e| self.fail(e))?;
        self.unsynced.set(0);
        Ok(())
    }

    fn check(&self) -> Result<()> {
        self.snapshot(|| {
            let mut expected = super::Expected::default();
            self.scan(&TimeRange::ALL, &mut |record| expected.add(&record))?;
            let mut stored = super::Groups::new();
            let pending = self.pending_hours()?;
            for level in Level::ALL {
                self.sums(level, HourRange { from: i64::MIN, to: i64::MAX }, &pending, &mut |row| super::add_row(&mut stored, row))?;
            }
            super::compare_sums(&self.url, self.len()?, &expected, &stored, &self.spend_rows()?)
        })
    }
}

impl PostgresStore {
    fn spend_rows(&self) -> Result<std::collections::BTreeMap<(String, Currency), Decimal>> {
        let rows = self.conn()?.query("SELECT customer, currency, amount::text FROM tokfare_spend", &[]).map_err(|e| self.fail(e))?;
        let mut out = std::collections::BTreeMap::new();
        for r in rows {
            out.insert((r.get::<_, String>(0), Currency::stored(r.get::<_, &str>(1))?), self.decimal(r.get(2))?);
        }
        Ok(out)
    }
}
