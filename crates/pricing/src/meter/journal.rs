//! The meter's append-only journal: one [`PricedEvent`] per line (JSON Lines).
//!
//! An event is acknowledged (its `record` returns) only after its whole line,
//! newline included, has been written (and synced, per [`Fsync`]). Recovery reads the
//! complete lines back; bytes after the last newline are a write torn by a crash,
//! which by the rule above was never acknowledged, and are cut off (and counted in
//! [`Recovery::torn_bytes`]). A complete line that is not a record — last or not — was
//! acknowledged once and is corruption: the journal refuses to open rather than drop
//! it.
//!
//! **Several processes on one host** may write one journal. Each write (a batch)
//! takes an exclusive lock on the file (`flock`; released at the end of the batch, or
//! when the process dies), first reads the lines other processes appended since this
//! one last held the lock, counts them, and only then classifies its own events and
//! appends them at the true end of the file. So an event id recorded by two processes
//! counts once, and no line is torn by another writer. Reads (invoices, `get`) see
//! other processes' records as of this process's last write. Budgets and reservations
//! of a journal meter are per process; processes that share budgets, or writers on
//! several hosts, use an SQLite or PostgreSQL store (see [`store`](super::store)).

use super::priced::PricedEvent;
use crate::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// How long [`Journal::lock`] waits for another process's batch before it reports the
/// journal as held.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// When appended records are forced to stable storage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fsync {
    /// After every record, before it is acknowledged (survives power loss). Default.
    #[default]
    Always,
    /// After every `n` records (a crash of the machine may lose the last `n - 1`
    /// acknowledged records; a crash of the process loses none).
    Every(u32),
    /// Leave it to the OS (a process crash loses nothing; a machine crash may).
    Never,
}

impl std::str::FromStr for Fsync {
    type Err = Error;
    /// `always`, `never` or `every:N` (N > 0).
    fn from_str(s: &str) -> Result<Fsync> {
        match s {
            "always" => Ok(Fsync::Always),
            "never" => Ok(Fsync::Never),
            other => match other.strip_prefix("every:").and_then(|n| n.parse::<u32>().ok()) {
                Some(n) if n > 0 => Ok(Fsync::Every(n)),
                _ => {
                    Err(Error::InvalidArgument { name: "fsync", reason: format!("{other:?} is not \"always\", \"never\" or \"every:N\"") })
                }
            },
        }
    }
}

/// What recovery found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Records read back.
    pub records: usize,
    /// Bytes of a torn final write that were cut off (never acknowledged): at open, and
    /// any a writer that died mid-write left for this process to cut since.
    pub torn_bytes: u64,
}

/// What other processes appended since this one last held the lock.
#[derive(Debug, Default)]
pub struct CaughtUp {
    /// Their records, in file order.
    pub records: Vec<PricedEvent>,
    /// Bytes of a torn write (a writer that died mid-line) cut off.
    pub torn_bytes: u64,
}

/// An open journal file.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
    policy: Fsync,
    unsynced: u32,
    len: u64,
    /// Why no further use is allowed (a failed write that could not be undone, or
    /// caught-up records the caller could not take in).
    poisoned_by: Option<String>,
    /// Whether this process holds the file's lock (between `lock` and `unlock`).
    locked: bool,
    /// Lines in the file up to `len`.
    lines: usize,
}

impl Journal {
    /// Opens (creating if needed) and recovers a journal.
    pub fn open(path: impl AsRef<Path>, policy: Fsync) -> Result<(Journal, Vec<PricedEvent>, Recovery)> {
        let path = path.as_ref().to_path_buf();
        let io = |e: std::io::Error| journal_error(&path, format!("{e}"));
        let file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
        let mut journal = Journal { file, path, policy, unsynced: 0, len: 0, poisoned_by: None, locked: false, lines: 0 };
        // Recovery under the lock: another process may be writing.
        let caught_up = journal.lock()?;
        journal.unlock()?;
        let recovery = Recovery { records: caught_up.records.len(), torn_bytes: caught_up.torn_bytes };
        Ok((journal, caught_up.records, recovery))
    }

    /// Takes the file's exclusive lock (waiting up to [`LOCK_WAIT`] for another
    /// process's batch to end) and reads what other processes appended since this one
    /// last held it. Appends are allowed until [`Journal::unlock`]; on an error the lock
    /// is released.
    pub fn lock(&mut self) -> Result<CaughtUp> {
        if !self.locked {
            self.take_lock()?;
        }
        let caught_up = self.catch_up();
        if caught_up.is_err() {
            let _ = self.unlock();
        }
        caught_up
    }

    /// Waits for the file's lock: another process holds it only for a batch, so a long
    /// wait means a process keeps it (a tokfare from before journals were shared holds
    /// it while open) — an error naming the file, not a hang.
    fn take_lock(&mut self) -> Result<()> {
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        let mut pause = std::time::Duration::from_micros(100);
        loop {
            match self.file.try_lock() {
                Ok(()) => {
                    self.locked = true;
                    return Ok(());
                }
                Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_millis(20));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(journal_error(
                        &self.path,
                        format!(
                            "another process has held the journal's lock for {} s (a tokfare older than shared journals \
                             holds it while open; close it, or use an SQLite store)",
                            LOCK_WAIT.as_secs()
                        ),
                    ))
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(journal_error(&self.path, format!("{e}"))),
            }
        }
    }

    /// Reads the lines appended since `len` (the lock is held).
    fn catch_up(&mut self) -> Result<CaughtUp> {
        if let Some(reason) = &self.poisoned_by {
            return Err(journal_error(&self.path, format!("{reason}; reopen the journal")));
        }
        let io = |e: std::io::Error| journal_error(&self.path, format!("{e}"));
        let end = self.file.metadata().map_err(io)?.len();
        if end < self.len {
            return Err(journal_error(
                &self.path,
                format!(
                    "the file is shorter ({end} bytes) than the {} bytes this process wrote or read: it was truncated or replaced",
                    self.len
                ),
            ));
        }
        let mut bytes = Vec::with_capacity((end - self.len) as usize);
        self.file.seek(SeekFrom::Start(self.len)).map_err(io)?;
        (&mut self.file).take(end - self.len).read_to_end(&mut bytes).map_err(io)?;
        let (records, good) = recover(&self.path, &bytes, self.lines)?;
        let torn = bytes.len() as u64 - good;
        self.len += good;
        self.lines += records.len();
        if torn > 0 {
            // Only a writer holding the lock writes, so a tail without its newline is a
            // write its process never finished (it died): never acknowledged.
            self.file.set_len(self.len).map_err(io)?;
            self.file.sync_all().map_err(io)?;
        }
        self.file.seek(SeekFrom::Start(self.len)).map_err(io)?;
        Ok(CaughtUp { records, torn_bytes: torn })
    }

    /// Refuses every further use: records read from the file could not be taken in
    /// (the caller's view would miss them), or a write could not be undone.
    pub fn poison(&mut self, reason: String) {
        self.poisoned_by = Some(reason);
    }

    /// Releases the lock taken by [`Journal::lock`].
    pub fn unlock(&mut self) -> Result<()> {
        if self.locked {
            self.locked = false;
            self.file.unlock().map_err(|e| journal_error(&self.path, format!("{e}")))?;
        }
        Ok(())
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record; returns once it is as durable as the policy says.
    pub fn append(&mut self, record: &PricedEvent) -> Result<()> {
        self.append_line(&record.to_json())
    }

    /// Appends one record given as its canonical JSON line (no newline).
    pub fn append_line(&mut self, json: &str) -> Result<()> {
        if !self.locked {
            return Err(journal_error(&self.path, "an append outside the lock (a bug: call lock first)".into()));
        }
        if let Some(reason) = &self.poisoned_by {
            return Err(journal_error(&self.path, format!("{reason}; reopen the journal")));
        }
        let mut line = String::with_capacity(json.len() + 1);
        line.push_str(json);
        line.push('\n');
        if let Err(e) = self.file.write_all(line.as_bytes()) {
            // Undo a partial line so the next record does not land glued to it.
            let undone = self.file.set_len(self.len).and_then(|_| self.file.seek(SeekFrom::Start(self.len)));
            if undone.is_err() {
                self.poisoned_by = Some("an earlier write failed and could not be undone".into());
            }
            return Err(journal_error(&self.path, format!("write failed: {e}")));
        }
        self.len += line.len() as u64;
        self.lines += 1;
        self.unsynced += 1;
        let due = match self.policy {
            Fsync::Always => true,
            Fsync::Every(n) => self.unsynced >= n.max(1),
            Fsync::Never => false,
        };
        if due {
            self.sync()?;
        }
        Ok(())
    }

    /// Forces appended records to stable storage now.
    pub fn sync(&mut self) -> Result<()> {
        self.file.sync_data().map_err(|e| journal_error(&self.path, format!("fsync failed: {e}")))?;
        self.unsynced = 0;
        Ok(())
    }
}

fn journal_error(path: &Path, reason: String) -> Error {
    Error::Journal { path: path.display().to_string(), reason }
}

/// The records of the complete lines of `bytes` (which follow the file's first
/// `lines_before` lines) and the length of those lines; what follows the last newline
/// is a torn write. A complete line that is not a record is an error: it was
/// acknowledged once.
fn recover(path: &Path, bytes: &[u8], lines_before: usize) -> Result<(Vec<PricedEvent>, u64)> {
    let mut records = Vec::new();
    let mut start = 0;
    while let Some(nl) = bytes[start..].iter().position(|&b| b == b'\n') {
        let line = &bytes[start..start + nl];
        let parsed =
            std::str::from_utf8(line).map_err(|e| e.to_string()).and_then(|t| PricedEvent::from_json(t).map_err(|e| e.to_string()));
        match parsed {
            Ok(record) => records.push(record),
            Err(reason) => {
                return Err(journal_error(
                    path,
                    format!(
                        "line {} is complete but not a record ({reason}); it was acknowledged once, so the journal is \
                         not read rather than drop it (repair or remove the line by hand)",
                        lines_before + records.len() + 1
                    ),
                ))
            }
        }
        start += nl + 1;
    }
    Ok((records, start as u64))
}
