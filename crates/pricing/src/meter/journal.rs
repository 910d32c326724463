//! The meter's append-only journal: one [`PricedEvent`] per line (JSON Lines).
//!
//! An event is acknowledged (its `record` returns) only after its whole line,
//! newline included, has been written (and synced, per [`Fsync`]). Recovery reads the
//! complete lines back; bytes after the last good line that do not hold a complete
//! record are a write torn by a crash, which by the rule above was never acknowledged,
//! and are cut off. A bad line *followed by* good ones is corruption, not a torn
//! write, and refuses to open rather than drop anything.
//!
//! A journal has one writer: opening takes an exclusive lock on the file (released
//! when it is closed or the process dies), and a second opener gets an error. Several
//! processes share an SQLite store instead (see [`store`](super::store)).

use super::priced::PricedEvent;
use crate::{Error, Result};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

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
    /// Bytes of a torn final write that were cut off (never acknowledged).
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
    /// Set when a failed write could not be rolled back: no further appends.
    poisoned: bool,
}

impl Journal {
    /// Opens (creating if needed) and recovers a journal.
    pub fn open(path: impl AsRef<Path>, policy: Fsync) -> Result<(Journal, Vec<PricedEvent>, Recovery)> {
        let path = path.as_ref().to_path_buf();
        let io = |e: std::io::Error| journal_error(&path, format!("{e}"));
        let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
        // One writer at a time: two processes appending to one file would each write at
        // their own idea of its end and tear each other's lines.
        file.try_lock().map_err(|e| match e {
            std::fs::TryLockError::WouldBlock => journal_error(
                &path,
                "another process has this journal open; a journal has one writer at a time \
                 (use an SQLite store, e.g. meter.db, for several processes)"
                    .into(),
            ),
            std::fs::TryLockError::Error(e) => io(e),
        })?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let (records, good_len) = recover(&path, &bytes)?;
        let torn = bytes.len() as u64 - good_len;
        if torn > 0 {
            file.set_len(good_len).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        file.seek(SeekFrom::Start(good_len)).map_err(io)?;
        let recovery = Recovery { records: records.len(), torn_bytes: torn };
        Ok((Journal { file, path, policy, unsynced: 0, len: good_len, poisoned: false }, records, recovery))
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
        if self.poisoned {
            return Err(journal_error(&self.path, "an earlier write failed and could not be undone; reopen the journal".into()));
        }
        let mut line = String::with_capacity(json.len() + 1);
        line.push_str(json);
        line.push('\n');
        if let Err(e) = self.file.write_all(line.as_bytes()) {
            // Undo a partial line so the next record does not land glued to it.
            let undone = self.file.set_len(self.len).and_then(|_| self.file.seek(SeekFrom::Start(self.len)));
            self.poisoned = undone.is_err();
            return Err(journal_error(&self.path, format!("write failed: {e}")));
        }
        self.len += line.len() as u64;
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

/// The records of complete good lines and the length of the good prefix.
fn recover(path: &Path, bytes: &[u8]) -> Result<(Vec<PricedEvent>, u64)> {
    let mut records = Vec::new();
    let mut good_len = 0usize;
    let mut first_bad: Option<(usize, String)> = None;
    let mut start = 0;
    let mut line_number = 0;
    while start < bytes.len() {
        line_number += 1;
        let Some(nl) = bytes[start..].iter().position(|&b| b == b'\n') else {
            // No newline: the tail of a write that never completed.
            first_bad.get_or_insert((line_number, "incomplete last line".into()));
            break;
        };
        let line = &bytes[start..start + nl];
        let parsed =
            std::str::from_utf8(line).map_err(|e| e.to_string()).and_then(|t| PricedEvent::from_json(t).map_err(|e| e.to_string()));
        match parsed {
            Ok(record) => {
                if let Some((bad_line, reason)) = &first_bad {
                    return Err(journal_error(
                        path,
                        format!("line {bad_line} is corrupt ({reason}) but good records follow it; refusing to drop data"),
                    ));
                }
                records.push(record);
                good_len = start + nl + 1;
            }
            Err(reason) => {
                first_bad.get_or_insert((line_number, reason));
            }
        }
        start += nl + 1;
    }
    Ok((records, good_len as u64))
}
