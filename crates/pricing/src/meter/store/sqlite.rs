//! [`SqliteStore`]: the meter in one SQLite file (bundled SQLite, WAL mode), shared by
//! any number of processes on one host.
//!
//! - Every write is one `BEGIN IMMEDIATE` transaction: a batch of events, their sums
//!   and the spend, or a budget step. Writers queue on SQLite's lock (waiting up to
//!   [`BUSY_TIMEOUT`]); readers never wait. A large batch is streamed
//!   ([`MeterStore::insert_stream`]): rows come as the meter prices them.
//! - The write-ahead log is checkpointed on a thread of the store's own after bulk
//!   commits, by the writer otherwise (`checkpoint.rs`).
//! - A batch's sums go in as one `pending_sums` row (its hour groups); every
//!   [`FOLD_EVERY`]th batch folds the pending rows into `period_sums` at every level.
//!   Readers add the pending rows to `period_sums` in the same read transaction, so
//!   sums are exact after every commit.
//! - Durability follows [`Fsync`]: `always` is `synchronous=FULL` (a commit is on disk
//!   before it returns: survives power loss); `every:N` and `never` are
//!   `synchronous=NORMAL` (survives a crash of the process, not of the machine, until
//!   [`MeterStore::sync`] checkpoints). A `release` is always committed with
//!   `synchronous=NORMAL`: losing one can only hold budget until its reservation
//!   expires.
//! - The schema is versioned with `PRAGMA user_version` and migrated on open from
//!   the SQL files in `sql/sqlite/` (docs/meter-store.md). A file from a newer
//!   tokfare is refused, never written.

use super::checkpoint::{self, Checkpointer};
use super::codec::{self, add_compact, add_item, decode_compact, encode_compact, encode_groups, GroupRef};
use super::{
    BatchSums, HourRange, Inserted, ItemSums, Level, Match, MeterStore, NewRecord, OnConflict, Reserved, RollupItem, RollupKey, RollupRow,
    RollupSums, Streamed, TimeRange,
};
use crate::meter::budget::decide;
use crate::meter::journal::Fsync;
use crate::meter::priced::PricedEvent;
use crate::meter::ReservationId;
use crate::price::{Currency, Money};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use rusqlite::functions::FunctionFlags;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The page size of a new store file: SQLite's default, 4 KiB. Every commit writes each
/// page it changed, whole, to the write-ahead log, and a batch of random ids (UUIDs)
/// changes about one leaf of the id index per event once the index is large, so small
/// pages cost least but on batches of ids that arrive in order (16 KiB pages measured:
/// ~1.1x the events/s there, the same with random ids, ~0.75x one by one, 2.5x the
/// `authorize` p99; benches/RESULTS.md).
const PAGE_SIZE: u32 = 4 * 1024;

/// How long a writer waits for another process's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// One schema migration: SQL, then (for a change of stored form) a step in Rust.
struct Migration {
    sql: &'static str,
    then: Option<fn(&Connection, &mut ItemIds) -> rusqlite::Result<()>>,
}

/// The schema migrations, in order: `PRAGMA user_version` is how many have run.
const MIGRATIONS: &[Migration] = &[
    Migration { sql: include_str!("sql/sqlite/0001_init.sql"), then: None },
    Migration { sql: include_str!("sql/sqlite/0002_compact_sums.sql"), then: Some(compact_sums) },
    Migration { sql: include_str!("sql/sqlite/0003_pending_sums.sql"), then: None },
    Migration { sql: include_str!("sql/sqlite/0004_no_event_counter.sql"), then: None },
];

/// A batch whose transaction finds this many pending rows (its own included) folds
/// them into `period_sums`: readers add at most `FOLD_EVERY - 1` pending rows to the
/// stored sums, and writers update each group's rows once per fold rather than once
/// per batch.
const FOLD_EVERY: i64 = 64;

/// Version 1 to 2: every `sums` row re-encoded in the compact form into
/// `group_sums`; `sums` is dropped (a version-1 process still running then fails on
/// its next write instead of writing the old form into the new table).
fn compact_sums(conn: &Connection, ids: &mut ItemIds) -> rusqlite::Result<()> {
    {
        let mut read = conn.prepare("SELECT level, start, customer, model, schedule, currency, items FROM sums")?;
        let mut write = conn.prepare(
            "INSERT INTO group_sums (level, start, customer, model, schedule, currency, items) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut rows = read.query([])?;
        while let Some(row) = rows.next()? {
            let items = codec::v1::decode(row.get_ref(6)?.as_blob()?)
                .ok_or_else(|| rusqlite::Error::UserFunctionError("a version-1 sums row is not readable".into()))?;
            let encoded = ids.encode(conn, &items)?;
            let key: (i64, i64, String, String, String, String) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?);
            write.execute(params![key.0, key.1, key.2, key.3, key.4, key.5, encoded])?;
        }
    }
    conn.execute_batch("DROP TABLE sums")
}

/// The dictionary of item codes (table `items`) as this connection knows it. Ids are
/// cached only once committed: an id handed out in a transaction that rolls back may be
/// given to another code by another process.
#[derive(Debug, Default)]
struct ItemIds {
    /// Committed: code to id, id to item.
    ids: HashMap<RollupItem, u32>,
    items: HashMap<u32, RollupItem>,
    /// Added or first read in the open write transaction.
    pending: Vec<(RollupItem, u32)>,
}

impl ItemIds {
    /// The id of `item`, adding it to the dictionary if new (inside a write transaction).
    fn id(&mut self, conn: &Connection, item: &RollupItem) -> rusqlite::Result<u32> {
        if let Some(&id) = self.ids.get(item) {
            return Ok(id);
        }
        if let Some((_, id)) = self.pending.iter().find(|(i, _)| i == item) {
            return Ok(*id);
        }
        let code = item.encode();
        conn.prepare_cached("INSERT INTO items (code) VALUES (?1) ON CONFLICT (code) DO NOTHING")?.execute([&code])?;
        let id: i64 = conn.prepare_cached("SELECT id FROM items WHERE code = ?1")?.query_row([&code], |r| r.get(0))?;
        let id = u32::try_from(id).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(0, id))?;
        self.pending.push((item.clone(), id));
        Ok(id)
    }

    /// A group's sums in the compact form.
    fn encode(&mut self, conn: &Connection, items: &ItemSums) -> rusqlite::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(items.len());
        for (item, sums) in items {
            out.push((self.id(conn, item)?, *sums));
        }
        Ok(encode_compact(out))
    }

    /// After the write transaction: its ids are kept if it committed.
    fn finish(&mut self, committed: bool) {
        for (item, id) in self.pending.drain(..) {
            if committed {
                self.items.insert(id, item.clone());
                self.ids.insert(item, id);
            }
        }
    }

    /// The item an id names, reading the dictionary again for an id this connection
    /// has not seen (in the caller's read transaction, which sees the sums' ids).
    fn item(&mut self, conn: &Connection, id: u32) -> rusqlite::Result<Option<RollupItem>> {
        if !self.items.contains_key(&id) {
            let mut stmt = conn.prepare_cached("SELECT id, code FROM items")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, code) = row?;
                if let (Ok(id), Some(item)) = (u32::try_from(id), RollupItem::decode(&code)) {
                    self.ids.insert(item.clone(), id);
                    self.items.insert(id, item);
                }
            }
        }
        Ok(self.items.get(&id).cloned())
    }
}

/// A meter store in an SQLite file. See the module docs.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    fsync: Fsync,
    /// The item dictionary as far as this connection has read or written it.
    ids: RefCell<ItemIds>,
    /// `synchronous` was left at NORMAL by a release ([`SqliteStore::unsynced_step`]).
    normal: bool,
    /// Commits since the last sync (for `every:N`).
    unsynced: u32,
    /// Checkpoints of the write-ahead log. Dropped after `conn` (field order): its
    /// thread's connection, closed last, makes SQLite's closing checkpoint.
    checkpoints: Checkpointer,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates an SQLite store.
    pub fn open(path: impl AsRef<Path>, fsync: Fsync) -> Result<SqliteStore> {
        let path = path.as_ref().to_path_buf();
        let fail = |e: rusqlite::Error| store_error(&path, e);
        let conn = Connection::open(&path).map_err(fail)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        // A file from a newer tokfare (or not a tokfare store at all) is refused before
        // anything is written to it.
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(fail)?;
        check_version(&path, version)?;
        // A new file gets PAGE_SIZE pages (an existing one keeps its own).
        conn.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE}")).map_err(fail)?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(fail)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Store { store: path.display().to_string(), reason: format!("could not turn on WAL mode (got {mode:?})") });
        }
        let synchronous = if fsync == Fsync::Always { "FULL" } else { "NORMAL" };
        conn.execute_batch(&format!("PRAGMA synchronous = {synchronous}; PRAGMA foreign_keys = ON;")).map_err(fail)?;
        // Checkpoints: asked of a background thread as the log grows, by this
        // connection when it is too large (store/checkpoint.rs). The -wal file keeps its
        // largest size (it is reused, not grown again: cutting it back with
        // journal_size_limit cost ~5% of batch speed).
        let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).map_err(fail)?;
        checkpoint::install(&conn);
        // Its thread opens the file this connection opened (the path made absolute:
        // the working directory may change).
        let checkpoints = Checkpointer::new(&std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone()), synchronous, page);
        let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
        conn.create_scalar_function("dec_add", 2, flags, |ctx| {
            let a: String = ctx.get(0)?;
            let b: String = ctx.get(1)?;
            dec_add(&a, &b).map_err(|e| rusqlite::Error::UserFunctionError(e.into()))
        })
        .map_err(fail)?;
        conn.create_scalar_function("sums_add", 2, flags, |ctx| {
            let a: Vec<u8> = ctx.get(0)?;
            let b: Vec<u8> = ctx.get(1)?;
            add_compact(&a, &b).map_err(|e| {
                let text = match e {
                    Error::Overflow(what) => format!("{OVERFLOW}{what}"),
                    other => other.to_string(),
                };
                rusqlite::Error::UserFunctionError(text.into())
            })
        })
        .map_err(fail)?;
        let mut store = SqliteStore { conn, path, fsync, ids: RefCell::default(), normal: false, unsynced: 0, checkpoints };
        store.migrate()?;
        Ok(store)
    }

    /// After a write commits: a checkpoint if the log has grown, and with `every:N`, a
    /// sync every N commits.
    fn committed(&mut self) -> Result<()> {
        self.checkpoints.committed(&self.conn);
        if let Fsync::Every(n) = self.fsync {
            self.unsynced += 1;
            if self.unsynced >= n.max(1) {
                self.sync()?;
            }
        }
        Ok(())
    }

    /// Runs `step` (a release) with `synchronous=NORMAL` whatever the [`Fsync`] policy:
    /// it survives a crash of any process (the write-ahead log is in the operating
    /// system's cache) and the next `FULL` commit or checkpoint puts it on disk; a power
    /// loss can only take it away, which holds the budget until the reservation expires
    /// (never more spend). Reservations keep the policy: a lost one could let a caller
    /// elsewhere spend past the budget. The level is put back before the next write
    /// ([`SqliteStore::full_again`]) even if this step fails or panics.
    fn unsynced_step<T>(&mut self, step: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.fsync != Fsync::Always {
            return step(self);
        }
        self.conn.execute_batch("PRAGMA synchronous = NORMAL").map_err(|e| self.fail(e))?;
        self.normal = true;
        let out = step(self);
        // A failure to go back to FULL is retried before the next write, where it is
        // an error; the step itself committed.
        let _ = self.full_again();
        out
    }

    /// Before a write: `synchronous=FULL` again if a release left it at NORMAL.
    fn full_again(&mut self) -> Result<()> {
        if self.normal {
            self.conn.execute_batch("PRAGMA synchronous = FULL").map_err(|e| self.fail(e))?;
            self.normal = false;
        }
        Ok(())
    }

    /// Runs `read` in one read transaction: every query in it sees the same commits.
    fn snapshot<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            return read();
        }
        self.conn.execute_batch("BEGIN").map_err(|e| self.fail(e))?;
        let out = read();
        let end = self.conn.execute_batch(if out.is_ok() { "COMMIT" } else { "ROLLBACK" }).map_err(|e| self.fail(e));
        let out = out?;
        end?;
        Ok(out)
    }

    /// Inserts a batch in one transaction with its sums (see [`MeterStore::insert`] and
    /// [`MeterStore::insert_stream`]): one answer per item taken; none is taken after a
    /// conflict that stops the batch; an item that is an error rolls it all back.
    fn insert_rows<R: std::borrow::Borrow<NewRecord>>(
        &mut self,
        items: impl Iterator<Item = Result<Streamed<R>>>,
        by: Match,
        on_conflict: OnConflict,
    ) -> Result<Vec<Inserted>> {
        self.full_again()?;
        // Ids of a transaction that never reached finish() (a panic) are not to be trusted.
        self.ids.get_mut().pending.clear();
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| store_error(&path, e);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(fail)?;
        let mut out = Vec::with_capacity(items.size_hint().0);
        let mut sums = BatchSums::default();
        // Rows are freed after the transaction, not one by one: rows made by the meter's
        // pricing thread freed here while it allocates more made both threads wait on
        // the allocator's lock (glibc; 0.7x the events/s measured).
        let mut taken = Vec::with_capacity(out.capacity());
        {
            let mut add = tx
                .prepare_cached(
                    "INSERT INTO events (id, event_hash, record_hash, ts, record) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
                )
                .map_err(fail)?;
            let mut existing = tx.prepare_cached("SELECT event_hash, record_hash, record FROM events WHERE id = ?1").map_err(fail)?;
            let mut replace = tx
                .prepare_cached("UPDATE events SET event_hash = ?2, record_hash = ?3, ts = ?4, record = ?5 WHERE id = ?1")
                .map_err(fail)?;
            let stop = matches!(on_conflict, OnConflict::Report { stop: true });
            for item in items {
                let row = match item? {
                    Streamed::Row(row) => row,
                    Streamed::Unpriced(event) => {
                        let stored: Option<String> = existing.query_row([&event.id], |r| r.get(2)).optional().map_err(fail)?;
                        let answer = match stored {
                            Some(json) if PricedEvent::from_json(&json)?.event == *event => Inserted::Duplicate,
                            Some(_) => Inserted::Conflict,
                            None => Inserted::Unknown,
                        };
                        out.push(answer);
                        if stop && answer != Inserted::Duplicate {
                            break;
                        }
                        continue;
                    }
                };
                taken.push(row);
                let Some(row) = taken.last() else { break };
                let row: &NewRecord = row.borrow();
                let e = &row.record.event;
                let values = params![e.id, &row.event_hash[..], &row.record_hash[..], e.timestamp.timestamp(), row.json];
                if add.execute(values).map_err(fail)? == 1 {
                    sums.add_new(row, 1)?;
                    sums.events += 1;
                    out.push(Inserted::New);
                    continue;
                }
                let (event_hash, record_hash, old): (Vec<u8>, Vec<u8>, String) =
                    existing.query_row([&e.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(fail)?;
                let stored = match by {
                    Match::Event => event_hash,
                    Match::Record => record_hash,
                };
                let outcome = if row.same_record(by, &stored, &old)? {
                    Inserted::Duplicate
                } else {
                    match on_conflict {
                        OnConflict::Report { stop } => {
                            out.push(Inserted::Conflict);
                            // The rest of the batch is not taken.
                            if stop {
                                break;
                            }
                            continue;
                        }
                        OnConflict::KeepCanonical if row.json < old => {
                            replace.execute(values).map_err(fail)?;
                            sums.add(&PricedEvent::from_json(&old)?, -1)?;
                            sums.add_new(row, 1)?;
                            Inserted::Replaced
                        }
                        OnConflict::KeepCanonical => Inserted::Conflict,
                    }
                };
                out.push(outcome);
            }
        }
        let ids = self.ids.get_mut();
        let written = write_sums(&tx, ids, &sums, &fail).and_then(|()| tx.commit().map_err(fail));
        ids.finish(written.is_ok());
        written?;
        self.committed()?;
        drop(taken);
        Ok(out)
    }

    fn fail(&self, e: rusqlite::Error) -> Error {
        store_error(&self.path, e)
    }

    /// Runs the migrations this file has not had, in one transaction (two processes
    /// opening a new file at once: the second waits and finds it done).
    fn migrate(&mut self) -> Result<()> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| store_error(&path, e);
        // Up to date already: no write lock (a process opening a store that writers keep
        // busy would otherwise wait for a gap between their transactions).
        let current: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(fail)?;
        if current == MIGRATIONS.len() as i64 {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(fail)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(fail)?;
        check_version(&path, version)?;
        let ids = self.ids.get_mut();
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(migration.sql).map_err(fail)?;
            if let Some(then) = migration.then {
                then(&tx, ids).map_err(fail)?;
            }
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1)).map_err(fail)?;
        }
        let committed = tx.commit().map_err(fail);
        ids.finish(committed.is_ok());
        committed
    }

    /// Schema version of the file.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.fail(e))
    }
}

fn check_version(path: &Path, version: i64) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    if (0..=known).contains(&version) {
        return Ok(());
    }
    Err(Error::Store {
        store: format!("sqlite://{}", path.display()),
        reason: format!(
            "schema version {version} is not one this tokfare knows (0 to {known}): a newer tokfare's store, or not a tokfare store"
        ),
    })
}

/// What `dec_add` says when a sum leaves the decimal range (turned back into
/// [`Error::Overflow`] by [`store_error`]).
const OVERFLOW: &str = "tokfare decimal overflow: ";

fn store_error(path: &Path, e: rusqlite::Error) -> Error {
    let reason = e.to_string();
    if let Some(at) = reason.find(OVERFLOW) {
        return Error::Overflow(format!("meter sums in sqlite://{}: {}", path.display(), &reason[at + OVERFLOW.len()..]));
    }
    Error::Store { store: format!("sqlite://{}", path.display()), reason }
}

/// Exact decimal addition of two decimal strings (the `dec_add` SQL function).
fn dec_add(a: &str, b: &str) -> std::result::Result<String, String> {
    let parse = |s: &str| Decimal::from_str_exact(s).map_err(|e| format!("stored amount {s:?}: {e}"));
    super::exact_add(parse(a)?, parse(b)?, "spend").map(|d| d.normalize().to_string()).map_err(|_| format!("{OVERFLOW}{a} + {b}"))
}

fn text(d: Decimal) -> String {
    d.normalize().to_string()
}

fn decimal(path: &Path, s: &str) -> Result<Decimal> {
    Decimal::from_str_exact(s).map_err(|e| Error::Store { store: path.display().to_string(), reason: format!("stored amount {s:?}: {e}") })
}

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

impl SqliteStore {
    /// Visits the sums of one level whose period starts in `starts`, a row per item.
    fn sums(&self, level: Level, starts: HourRange, visit: &mut dyn FnMut(RollupRow) -> Result<()>) -> Result<()> {
        // The batches not folded yet, their hour groups mapped to this level: added to
        // the stored row of their group, so that each group is visited once, net.
        let mut pending = IdGroups::new();
        add_pending(&self.conn, level, starts, &mut pending, &|e| self.fail(e))?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT customer, model, schedule, start, currency, items FROM period_sums WHERE level = ?1 AND start >= ?2 AND start < ?3",
            )
            .map_err(|e| self.fail(e))?;
        let mut rows = stmt.query([level as i64, starts.from, starts.to]).map_err(|e| self.fail(e))?;
        while let Some(row) = rows.next().map_err(|e| self.fail(e))? {
            let get = |i: usize| -> Result<String> { row.get::<_, String>(i).map_err(|e| self.fail(e)) };
            let bytes = row.get_ref(5).map_err(|e| self.fail(e))?.as_blob().map_err(|e| self.fail(e.into()))?;
            let mut items = decode_compact(bytes).ok_or_else(|| self.unreadable())?;
            let key = RollupKey {
                customer: get(0)?,
                model: get(1)?,
                schedule: get(2)?,
                level,
                start: row.get(3).map_err(|e| self.fail(e))?,
                currency: Currency::stored(&get(4)?)?,
            };
            for (id, more) in pending.remove(&key).into_iter().flatten() {
                add_item(&mut items, id, &more)?;
            }
            self.visit_items(key, items, visit)?;
        }
        for (key, items) in pending {
            self.visit_items(key, items, visit)?;
        }
        Ok(())
    }

    /// Visits a group's items (named by id) as rows.
    fn visit_items(&self, key: RollupKey, items: codec::CompactItems, visit: &mut dyn FnMut(RollupRow) -> Result<()>) -> Result<()> {
        for (id, sums) in items {
            let item = self.ids.borrow_mut().item(&self.conn, id).map_err(|e| self.fail(e))?.ok_or_else(|| self.unreadable())?;
            if sums != RollupSums::default() {
                visit(RollupRow { key: key.clone(), item, sums })?;
            }
        }
        Ok(())
    }

    fn unreadable(&self) -> Error {
        Error::Store { store: self.location(), reason: "stored sums are not readable".into() }
    }
}

impl MeterStore for SqliteStore {
    fn location(&self) -> String {
        format!("sqlite://{}", self.path.display())
    }

    fn insert(&mut self, batch: &[NewRecord], by: Match, on_conflict: OnConflict) -> Result<Vec<Inserted>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = self.insert_rows(batch.iter().map(|row| Ok(Streamed::Row(row))), by, on_conflict)?;
        out.resize(batch.len(), Inserted::NotAttempted);
        Ok(out)
    }

    fn streams(&self) -> bool {
        true
    }

    fn insert_stream(
        &mut self,
        items: &mut dyn Iterator<Item = Result<Streamed>>,
        by: Match,
        on_conflict: OnConflict,
    ) -> Result<Vec<Inserted>> {
        let mut items = items.peekable();
        if items.peek().is_none() {
            return Ok(Vec::new());
        }
        self.insert_rows(items, by, on_conflict)
    }

    fn get(&self, id: &str) -> Result<Option<PricedEvent>> {
        let record: Option<String> = self
            .conn
            .prepare_cached("SELECT record FROM events WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
            .map_err(|e| self.fail(e))?;
        record.map(|r| PricedEvent::from_json(&r)).transpose()
    }

    /// The month sums' count of events (stored and pending), in one read.
    fn len(&self) -> Result<u64> {
        let mut n: i64 = 0;
        self.snapshot(|| {
            self.sums(Level::Month, HourRange { from: i64::MIN, to: i64::MAX }, &mut |row| {
                if row.item == RollupItem::Events {
                    n = n.checked_add(row.sums.count).ok_or_else(|| Error::Overflow("the number of events".into()))?;
                }
                Ok(())
            })
        })?;
        Ok(n.max(0) as u64)
    }

    fn scan(&self, range: &TimeRange, visit: &mut dyn FnMut(PricedEvent) -> Result<()>) -> Result<()> {
        let from = range.from.map_or(i64::MIN, |t| t.timestamp());
        let to = range.to.map_or(i64::MAX, |t| t.timestamp().saturating_add(1));
        let sql = if *range == TimeRange::ALL {
            "SELECT record FROM events ORDER BY id"
        } else {
            "SELECT record FROM events WHERE ts >= ?1 AND ts < ?2 ORDER BY id"
        };
        let mut stmt = self.conn.prepare_cached(sql).map_err(|e| self.fail(e))?;
        let mut rows = if *range == TimeRange::ALL { stmt.query([]) } else { stmt.query([from, to]) }.map_err(|e| self.fail(e))?;
        while let Some(row) = rows.next().map_err(|e| self.fail(e))? {
            let text = row.get_ref(0).map_err(|e| self.fail(e))?.as_str().map_err(|e| self.fail(e.into()))?;
            let record = PricedEvent::from_json(text)?;
            if range.contains(record.event.timestamp) {
                visit(record)?;
            }
        }
        Ok(())
    }

    fn rollups(&self, hours: &HourRange, coarsest: Level, visit: &mut dyn FnMut(RollupRow) -> Result<()>) -> Result<()> {
        self.snapshot(|| Level::plan(*hours, coarsest).into_iter().try_for_each(|(level, starts)| self.sums(level, starts, visit)))
    }

    fn read(&self, read: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        self.snapshot(read)
    }
    fn spent(&self, customer: &str, currency: Currency) -> Result<Decimal> {
        spent(&self.conn, customer, currency).map_err(|e| self.fail(e))?.map_or(Ok(Decimal::ZERO), |s| decimal(&self.path, &s))
    }

    fn set_budget(&mut self, customer: &str, limit: Money) -> Result<()> {
        self.full_again()?;
        self.conn
            .prepare_cached(
                "INSERT INTO budgets (customer, currency, amount) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (customer) DO UPDATE SET currency = excluded.currency, amount = excluded.amount",
            )
            .and_then(|mut s| s.execute(params![customer, limit.currency().code(), text(limit.amount())]))
            .map_err(|e| self.fail(e))?;
        self.committed()
    }

    fn budget(&self, customer: &str) -> Result<Option<Money>> {
        budget(&self.conn, customer)
            .map_err(|e| self.fail(e))?
            .map(|(c, a)| Ok(Money::new(decimal(&self.path, &a)?, Currency::stored(&c)?)))
            .transpose()
    }

    fn reserve(&mut self, customer: &str, estimate: Money, now: DateTime<Utc>, expires: DateTime<Utc>) -> Result<Reserved> {
        self.full_again()?;
        self.reserve_step(customer, estimate, now, expires)
    }

    fn release(&mut self, reservation: ReservationId) -> Result<bool> {
        self.unsynced_step(|store| store.release_step(reservation))
    }
    /// A passive checkpoint: the write-ahead log is synced to disk (what
    /// `synchronous=NORMAL` leaves to checkpoints), its frames copied into the database
    /// as far as readers allow; it never waits for other processes.
    fn sync(&mut self) -> Result<()> {
        self.checkpoints.wait_idle();
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())).map_err(|e| self.fail(e))?;
        self.unsynced = 0;
        Ok(())
    }

    /// SQLite's integrity check, then the sums, spend and event count recomputed from
    /// the events.
    fn check(&self) -> Result<()> {
        let integrity: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| self.fail(e))?;
        if integrity != "ok" {
            return Err(Error::Store { store: self.location(), reason: format!("integrity check: {integrity}") });
        }
        // One read transaction: a live store's concurrent writes are all in or all out.
        self.snapshot(|| {
            let mut expected = super::Expected::default();
            self.scan(&TimeRange::ALL, &mut |record| expected.add(&record))?;
            let mut stored = super::Groups::new();
            for level in Level::ALL {
                self.sums(level, HourRange { from: i64::MIN, to: i64::MAX }, &mut |row| super::add_row(&mut stored, row))?;
            }
            let mut spend = std::collections::BTreeMap::new();
            {
                let mut stmt = self.conn.prepare_cached("SELECT customer, currency, amount FROM spend").map_err(|e| self.fail(e))?;
                let mut rows = stmt.query([]).map_err(|e| self.fail(e))?;
                while let Some(row) = rows.next().map_err(|e| self.fail(e))? {
                    let (customer, currency, amount): (String, String, String) = (
                        row.get(0).map_err(|e| self.fail(e))?,
                        row.get(1).map_err(|e| self.fail(e))?,
                        row.get(2).map_err(|e| self.fail(e))?,
                    );
                    spend.insert((customer, Currency::stored(&currency)?), decimal(&self.path, &amount)?);
                }
            }
            super::compare_sums(&self.location(), self.len()?, &expected, &stored, &spend)
        })
    }
}

impl SqliteStore {
    /// [`MeterStore::reserve`] in one transaction.
    fn reserve_step(&mut self, customer: &str, estimate: Money, now: DateTime<Utc>, expires: DateTime<Utc>) -> Result<Reserved> {
        let path = self.path.clone();
        let fail = |e: rusqlite::Error| store_error(&path, e);
        let currency = estimate.currency();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(fail)?;
        tx.prepare_cached("DELETE FROM reservations WHERE customer = ?1 AND expires <= ?2")
            .and_then(|mut s| s.execute(params![customer, millis(now)]))
            .map_err(fail)?;
        let spent = Money::new(spent(&tx, customer, currency).map_err(fail)?.map_or(Ok(Decimal::ZERO), |s| decimal(&path, &s))?, currency);
        let mut reserved = Decimal::ZERO;
        {
            let mut held = tx.prepare_cached("SELECT amount FROM reservations WHERE customer = ?1 AND currency = ?2").map_err(fail)?;
            let mut rows = held.query(params![customer, currency.code()]).map_err(fail)?;
            while let Some(row) = rows.next().map_err(fail)? {
                let amount: String = row.get(0).map_err(fail)?;
                reserved = reserved.checked_add(decimal(&path, &amount)?).ok_or_else(|| Error::Overflow("reserved".into()))?;
            }
        }
        let reserved = Money::new(reserved, currency);
        let limit = budget(&tx, customer)
            .map_err(fail)?
            .map(|(c, a)| Ok::<_, Error>(Money::new(decimal(&path, &a)?, Currency::stored(&c)?)))
            .transpose()?;
        let allowed = decide(customer, estimate, spent, reserved, limit)?;
        let reservation = if allowed {
            tx.prepare_cached("INSERT INTO reservations (customer, currency, amount, expires) VALUES (?1, ?2, ?3, ?4)")
                .and_then(|mut s| s.execute(params![customer, currency.code(), text(estimate.amount()), millis(expires)]))
                .map_err(fail)?;
            Some(ReservationId(tx.last_insert_rowid() as u64))
        } else {
            None
        };
        tx.commit().map_err(fail)?;
        self.committed()?;
        Ok(Reserved { allowed, spent, reserved, limit, reservation })
    }

    /// [`MeterStore::release`].
    fn release_step(&mut self, reservation: ReservationId) -> Result<bool> {
        let id = i64::try_from(reservation.0).unwrap_or(-1);
        let n = self
            .conn
            .prepare_cached("DELETE FROM reservations WHERE id = ?1")
            .and_then(|mut s| s.execute([id]))
            .map_err(|e| self.fail(e))?;
        self.committed()?;
        Ok(n == 1)
    }
}

fn spent(conn: &Connection, customer: &str, currency: Currency) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT amount FROM spend WHERE customer = ?1 AND currency = ?2")?
        .query_row(params![customer, currency.code()], |r| r.get(0))
        .optional()
}

fn budget(conn: &Connection, customer: &str) -> rusqlite::Result<Option<(String, String)>> {
    conn.prepare_cached("SELECT currency, amount FROM budgets WHERE customer = ?1")?
        .query_row([customer], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// Adds a batch's sums, spend and event count (inside the batch's transaction): its
/// hour groups as a pending row or, every [`FOLD_EVERY`]th batch, folded with the
/// pending rows into `period_sums`. An overflow, in this batch's sums or in the fold, is
/// the batch's error (nothing written; see docs/meter-store.md on overflows found by folds).
fn write_sums(conn: &Connection, ids: &mut ItemIds, sums: &BatchSums, fail: &dyn Fn(rusqlite::Error) -> Error) -> Result<()> {
    let pending: i64 =
        conn.prepare_cached("SELECT count(*) FROM pending_sums").and_then(|mut s| s.query_row([], |r| r.get(0))).map_err(fail)?;
    if pending + 1 < FOLD_EVERY {
        let mut groups = Vec::with_capacity(sums.hours().len());
        for (key, items) in sums.hours() {
            groups.push((key, ids.encode(conn, items).map_err(fail)?));
        }
        if !groups.is_empty() {
            conn.prepare_cached("INSERT INTO pending_sums (groups) VALUES (?1)")
                .and_then(|mut s| s.execute([encode_groups(groups)]))
                .map_err(fail)?;
        }
    } else {
        fold(conn, ids, sums, fail)?;
    }
    let mut spend = conn
        .prepare_cached(
            "INSERT INTO spend (customer, currency, amount) VALUES (?1, ?2, ?3) \
             ON CONFLICT (customer, currency) DO UPDATE SET amount = dec_add(amount, excluded.amount)",
        )
        .map_err(fail)?;
    for ((customer, currency), amount) in &sums.spend {
        spend.execute(params![customer, currency.code(), text(*amount)]).map_err(fail)?;
    }
    // The number of events is the month sums' count (schema version 4: no counter row).
    Ok(())
}

/// Sums per group, items named by their ids in the `items` dictionary.
type IdGroups = HashMap<RollupKey, codec::CompactItems>;

/// Calls `each` with every hour group of every pending row and its items.
fn for_each_pending(
    conn: &Connection,
    fail: &dyn Fn(rusqlite::Error) -> Error,
    mut each: impl FnMut(&GroupRef<'_>, codec::CompactItems) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached("SELECT groups FROM pending_sums ORDER BY seq").map_err(fail)?;
    let mut rows = stmt.query([]).map_err(fail)?;
    while let Some(row) = rows.next().map_err(fail)? {
        let bytes = row.get_ref(0).map_err(fail)?.as_blob().map_err(|e| fail(e.into()))?;
        codec::for_each_group(bytes, |group, items| each(&group, items).map(Some))?
            .ok_or_else(|| fail(rusqlite::Error::UserFunctionError("a pending sums row is not readable".into())))?;
    }
    Ok(())
}

/// Adds every pending row's hour groups into `into`, each mapped to its period at
/// `level` and kept when that period starts in `starts`.
fn add_pending(
    conn: &Connection,
    level: Level,
    starts: HourRange,
    into: &mut IdGroups,
    fail: &dyn Fn(rusqlite::Error) -> Error,
) -> Result<()> {
    let mut periods: HashMap<i64, i64> = HashMap::new();
    for_each_pending(conn, fail, |group, items| {
        let start = *periods.entry(group.start).or_insert_with(|| level.start_of(group.start));
        if start < starts.from || start >= starts.to {
            return Ok(());
        }
        let key = RollupKey {
            customer: group.customer.into(),
            model: group.model.into(),
            schedule: group.schedule.into(),
            level,
            start,
            currency: group.currency,
        };
        let total = into.entry(key).or_default();
        items.iter().try_for_each(|(id, s)| add_item(total, *id, s))
    })
}

/// Adds the pending rows and this batch's hour groups into `period_sums` at every level
/// and deletes the pending rows.
fn fold(conn: &Connection, ids: &mut ItemIds, sums: &BatchSums, fail: &dyn Fn(rusqlite::Error) -> Error) -> Result<()> {
    let mut fold = Fold::default();
    for (key, items) in sums.hours() {
        let group = fold.group(&key.customer, &key.model, &key.schedule, key.currency);
        for (item, s) in items {
            fold.add(key.start, group, ids.id(conn, item).map_err(fail)?, s)?;
        }
    }
    for_each_pending(conn, fail, |g, items| {
        let group = fold.group(g.customer, g.model, g.schedule, g.currency);
        items.iter().try_for_each(|(id, s)| fold.add(g.start, group, *id, s))
    })?;
    let mut rollup = conn
        .prepare_cached(
            "INSERT INTO period_sums (level, start, customer, model, schedule, currency, items) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (level, start, customer, model, schedule, currency) DO UPDATE SET items = sums_add(items, excluded.items)",
        )
        .map_err(fail)?;
    let mut emptied = conn
        .prepare_cached(
            "DELETE FROM period_sums WHERE level = ?1 AND start = ?2 AND customer = ?3 AND model = ?4 AND schedule = ?5 AND currency = ?6 \
             AND length(items) = 0",
        )
        .map_err(fail)?;
    // In the table's key order: neighbouring upserts share b-tree pages.
    let (groups, sums) = fold.into_levels()?;
    let mut order: Vec<_> = sums.into_iter().collect();
    order.sort_unstable_by(|a, b| (a.0 .0, a.0 .1, &groups[a.0 .2 as usize]).cmp(&(b.0 .0, b.0 .1, &groups[b.0 .2 as usize])));
    for ((level, start, group), items) in order {
        // A record taken away (replaced in a merge) may leave a group with nothing in it.
        let negative = items.iter().any(|(_, s)| s.count < 0 || s.quantity.is_sign_negative() || s.amount.is_sign_negative());
        let encoded = encode_compact(items);
        if encoded.is_empty() {
            continue;
        }
        let (customer, model, schedule, currency) = &groups[group as usize];
        let k = params![level as i64, start, customer, model, schedule, currency.code()];
        rollup.execute(params![k[0], k[1], k[2], k[3], k[4], k[5], encoded]).map_err(fail)?;
        if negative {
            emptied.execute(k).map_err(fail)?;
        }
    }
    conn.execute_batch("DELETE FROM pending_sums").map_err(fail)
}

/// What a fold adds: group keys interned (each distinct customer, model, schedule and
/// currency once, however many batches and hours name it), items by id, summed per
/// hour first and then per day and month from those sums.
#[derive(Default)]
struct Fold {
    groups: Vec<GroupName>,
    index: HashMap<String, u32>,
    /// A reused buffer for lookups in `index`.
    name: String,
    /// Per (hour, group).
    hours: HashMap<(i64, u32), codec::CompactItems>,
}

/// A group's key texts: customer, model, schedule, currency.
type GroupName = (String, String, String, Currency);

/// Sums of a fold per (level, period start, group).
type FoldSums = HashMap<(Level, i64, u32), codec::CompactItems>;

impl Fold {
    fn group(&mut self, customer: &str, model: &str, schedule: &str, currency: Currency) -> u32 {
        self.name.clear();
        for part in [customer, model, schedule, currency.code()] {
            // Lengths first: no text can be taken for another's boundary.
            let _ = write!(self.name, "{}:{part}", part.len());
        }
        if let Some(&id) = self.index.get(self.name.as_str()) {
            return id;
        }
        let id = self.groups.len() as u32;
        self.groups.push((customer.into(), model.into(), schedule.into(), currency));
        self.index.insert(self.name.clone(), id);
        id
    }

    /// Adds an item's sums to an hour of a group.
    fn add(&mut self, hour: i64, group: u32, item: u32, sums: &RollupSums) -> Result<()> {
        add_item(self.hours.entry((hour, group)).or_default(), item, sums)
    }

    /// The group keys, and the sums per hour, day and month.
    fn into_levels(self) -> Result<(Vec<GroupName>, FoldSums)> {
        let mut out = FoldSums::with_capacity(self.hours.len() * 2);
        let mut months: HashMap<i64, i64> = HashMap::new();
        for ((hour, group), items) in self.hours {
            let month = *months.entry(hour).or_insert_with(|| Level::Month.start_of(hour));
            for key in [(Level::Day, Level::Day.start_of(hour), group), (Level::Month, month, group)] {
                let total = out.entry(key).or_default();
                for (item, sums) in &items {
                    add_item(total, *item, sums)?;
                }
            }
            out.insert((Level::Hour, hour, group), items);
        }
        Ok((self.groups, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meter::{Meter, UsageEvent};
    use crate::price::{PriceBook, Service, Usage};

    fn temp(name: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("tokfare-sqlite-{}-{name}", std::process::id()));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        path
    }

    /// The stored sums at every level (stored and pending rows together).
    fn all_sums(store: &SqliteStore) -> super::super::Groups {
        let mut groups = super::super::Groups::new();
        for level in Level::ALL {
            store
                .sums(level, HourRange { from: i64::MIN, to: i64::MAX }, &mut |row| super::super::add_row(&mut groups, row))
                .expect("sums");
        }
        groups
    }

    /// A release is committed with synchronous=NORMAL, and FULL is back right after.
    #[test]
    fn releases_leave_synchronous_full() {
        let path = temp("sync.db");
        let mut store = SqliteStore::open(&path, Fsync::Always).expect("open");
        let usd = |s: &str| Money::new(Decimal::from_str_exact(s).expect("decimal"), Currency::USD);
        store.set_budget("acme", usd("10")).expect("budget");
        let now: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().expect("time");
        let held = store.reserve("acme", usd("1"), now, now + chrono::Duration::minutes(5)).expect("reserve");
        let level = |s: &SqliteStore| -> i64 { s.conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).expect("pragma") };
        assert_eq!(level(&store), 2, "FULL while reserving");
        assert!(store.release(held.reservation.expect("held")).expect("release"));
        assert_eq!(level(&store), 2, "FULL again after a release");
        assert!(!store.normal);
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    /// The write-ahead log is copied into the database file by the background
    /// checkpointer once it holds `BACKGROUND_BYTES`, long before the writer would do it
    /// at `WRITER_BYTES`: the file grows while the writer only commits batches.
    #[test]
    fn the_log_is_checkpointed_in_the_background() {
        let path = temp("checkpoint.db");
        let mut meter = Meter::open_store(PriceBook::bundled(), path.to_str().expect("path"), Fsync::Never).expect("open");
        let at: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().expect("time");
        let file = || std::fs::metadata(&path).expect("file").len();
        let wal = || std::fs::metadata(format!("{}-wal", path.display())).map_or(0, |m| m.len());
        let mut i = 0u64;
        // ~1 KB of log per event, 1 MB per commit (a bulk commit).
        let copied = super::checkpoint::BACKGROUND_BYTES as u64 / 2;
        // At most ~40 MB of log (below WRITER_BYTES): the writer never checkpoints the
        // whole log itself here.
        while file() < copied && i < 40_960 {
            let batch = (i..i + 1024).map(|k| UsageEvent::new(format!("e{k}"), "acme", "gpt-4o", Usage::tokens(k, 1), at)).collect();
            meter.record_batch(batch, crate::meter::OnError::Stop).expect("batch");
            i += 1024;
        }
        let waited = std::time::Instant::now();
        while file() < copied && waited.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(file() >= copied, "file {} B, log {} B", file(), wal());
        assert_eq!(meter.len().expect("len"), i);
        drop(meter);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    /// Commits of one event never ask for a background pass (it would make them wait on
    /// its file syncs): the log grows to the writer's own checkpoint.
    #[test]
    fn small_commits_leave_the_log_to_the_writer() {
        let path = temp("small-commits.db");
        let mut store = SqliteStore::open(&path, Fsync::Never).expect("open");
        let pricer = Meter::new(PriceBook::bundled());
        let at: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().expect("time");
        let wal = || std::fs::metadata(format!("{}-wal", path.display())).map_or(0, |m| m.len());
        let mut k = 0u64;
        while wal() < super::checkpoint::BACKGROUND_BYTES as u64 + (1 << 20) {
            let event = UsageEvent::new(format!("e{k}"), format!("c{}", k % 50), "gpt-4o", Usage::tokens(k, 1), at);
            let row = NewRecord::new(pricer.price(&event).expect("price"));
            assert_eq!(store.insert(&[row], Match::Event, OnConflict::Report { stop: true }).expect("insert"), vec![Inserted::New]);
            k += 1;
        }
        assert!(store.checkpoints.is_idle(), "no background pass after {k} commits of one event");
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    /// A file written by schema version 1 (sums with their item codes inline) opens,
    /// migrates to the current version (compact sums, then pending sums) and keeps
    /// every sum exactly.
    #[test]
    fn a_version_1_file_migrates_to_compact_sums() {
        // Records from a store of the current version, priced by the meter.
        let current = temp("current.db");
        let mut meter = Meter::open_store(PriceBook::bundled(), current.to_str().expect("path"), Fsync::Never).expect("open");
        let models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5"];
        let events: Vec<UsageEvent> = (0..300u64)
            .map(|i| {
                let mut usage = Usage::tokens(100 + i * 37 % 5000, 10 + i % 700);
                usage.cached_input = i % 3 * 64;
                let at = "2026-10-31T20:00:00Z".parse::<DateTime<Utc>>().expect("time") + chrono::Duration::minutes(i as i64 * 7);
                let mut e = UsageEvent::new(format!("e{i}"), format!("c{}", i % 4), models[i as usize % 3], usage, at);
                if i % 10 == 0 {
                    e.service = Service::Batch;
                }
                e
            })
            .collect();
        for outcome in meter.record_batch(events, crate::meter::OnError::Stop).expect("record") {
            outcome.expect("outcome").expect("recorded");
        }
        let mut records = Vec::new();
        meter
            .scan(&TimeRange::ALL, |r| {
                records.push(r);
                Ok(())
            })
            .expect("scan");
        drop(meter);

        // The same records in a version-1 file, sums in the first form.
        let old = temp("v1.db");
        {
            let conn = Connection::open(&old).expect("open v1");
            conn.execute_batch(MIGRATIONS[0].sql).expect("schema 1");
            conn.execute_batch("PRAGMA user_version = 1").expect("version");
            let mut sums = BatchSums::default();
            for record in &records {
                let row = NewRecord::new(record.clone());
                conn.execute(
                    "INSERT INTO events (id, event_hash, record_hash, ts, record) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![record.event.id, &row.event_hash[..], &row.record_hash[..], record.event.timestamp.timestamp(), row.json],
                )
                .expect("event");
                sums.add(record, 1).expect("sums");
                sums.events += 1;
            }
            for (key, items) in &crate::meter::store::all_levels(sums.hours()).expect("groups") {
                conn.execute(
                    "INSERT INTO sums (level, start, customer, model, schedule, currency, items) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        key.level as i64,
                        key.start,
                        key.customer,
                        key.model,
                        key.schedule,
                        key.currency.code(),
                        codec::v1::encode(items)
                    ],
                )
                .expect("sums row");
            }
            for ((customer, currency), amount) in &sums.spend {
                conn.execute(
                    "INSERT INTO spend (customer, currency, amount) VALUES (?1, ?2, ?3)",
                    params![customer, currency.code(), text(*amount)],
                )
                .expect("spend");
            }
            conn.execute("UPDATE counters SET value = ?1 WHERE name = 'events'", [sums.events]).expect("count");
        }

        let migrated = SqliteStore::open(&old, Fsync::Never).expect("migrate");
        assert_eq!(migrated.schema_version().expect("version"), 4);
        migrated.check().expect("sums agree with events after the migration");
        let reference = SqliteStore::open(&current, Fsync::Never).expect("reopen");
        let (a, b) = (all_sums(&migrated), all_sums(&reference));
        assert!(a.len() > 100, "{} groups", a.len());
        assert_eq!(a, b);
        let table: String =
            migrated.conn.query_row("SELECT sql FROM sqlite_schema WHERE name = 'period_sums'", [], |r| r.get(0)).expect("schema");
        assert!(table.contains("WITHOUT ROWID"), "{table}");
        drop((migrated, reference));
        for path in [old, current] {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }

    /// Folds happen (fewer than `FOLD_EVERY` pending rows, sums in `period_sums`), and a record
    /// replaced in a merge after its sums were folded takes them away there: its group
    /// is deleted from `period_sums` at every level once the replacement is folded,
    /// and reads in between see it net (no group, no negative count).
    #[test]
    fn folds_bound_the_pending_rows_and_delete_emptied_groups() {
        let path = temp("fold.db");
        let url = path.to_str().expect("path");
        let mut meter = Meter::open_store(PriceBook::bundled(), url, Fsync::Never).expect("open");
        let at = |i: i64| "2026-11-01T00:00:00Z".parse::<DateTime<Utc>>().expect("time") + chrono::Duration::minutes(i * 3);
        let event = |id: &str, customer: &str, i: i64| UsageEvent::new(id, customer, "gpt-4o", Usage::tokens(100 + i as u64, 10), at(i));
        let count = |sql: &str| -> i64 {
            let conn = Connection::open(&path).expect("open");
            conn.query_row(sql, [], |r| r.get(0)).expect("count")
        };
        meter.record(event("solo-1", "solo", 0)).expect("record");
        // A batch's events a few minutes apart: hours (and pending rows) in every fold.
        let n = FOLD_EVERY + 4;
        for b in 0..n {
            meter.record_batch(vec![event(&format!("b{b}"), "acme", b)], crate::meter::OnError::Stop).expect("batch");
            assert!(count("SELECT count(*) FROM pending_sums") < FOLD_EVERY, "after batch {b}");
        }
        let solo = "SELECT count(*) FROM period_sums WHERE customer = 'solo'";
        assert_eq!(count(solo), 3, "folded at hour, day and month");
        // The replacement (its JSON sorts first) takes the record away.
        let mut winner = Meter::new(PriceBook::bundled());
        winner.record(event("solo-1", "aardvark", 0)).expect("record");
        assert_eq!(meter.merge(&winner).expect("merge").conflicts, vec!["solo-1".to_string()]);
        let customers = |m: &Meter| -> Vec<(String, u64)> {
            m.aggregate(&[crate::meter::GroupBy::Customer])
                .expect("aggregate")
                .into_iter()
                .map(|r| (r.key[0].1.clone(), r.events))
                .collect()
        };
        assert_eq!(customers(&meter), vec![("aardvark".to_string(), 1), ("acme".to_string(), n as u64)]);
        assert_eq!(count(solo), 3, "still stored, the change pending");
        for b in n..2 * n {
            meter.record_batch(vec![event(&format!("b{b}"), "acme", b)], crate::meter::OnError::Stop).expect("batch");
        }
        assert_eq!(count(solo), 0, "emptied groups deleted by the fold");
        assert_eq!(count("SELECT count(*) FROM period_sums WHERE length(items) = 0"), 0);
        assert_eq!(customers(&meter), vec![("aardvark".to_string(), 1), ("acme".to_string(), 2 * n as u64)]);
        meter.check().expect("check");
        drop(meter);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
