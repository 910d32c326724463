//! Checkpoints of an SQLite store's write-ahead log on a thread of their own, so that a
//! writer's batches do not stop to copy the log into the database file.
//!
//! The writer's connection notes the log's size after each commit (SQLite's WAL hook,
//! which replaces its autocheckpoint). A bulk commit ([`BULK_COMMIT_BYTES`] of log or
//! more: a batch) that finds the log at [`BACKGROUND_BYTES`] asks the [`Checkpointer`]'s
//! thread for passive checkpoints, which take no lock a writer or reader waits for; the
//! thread repeats them while the writer committed much during the last. The log starts
//! again from its beginning only once every frame in it has been copied, and the writer
//! goes on committing meanwhile, so after the thread's passes the writer copies the
//! few frames left itself (nothing is committed during that) and its next commit
//! starts the log again. (A thread alone never catches up with a writer that commits one
//! event every ~200 µs: measured, the log then grew for good and every commit waited on
//! the thread's file syncs. So small commits never ask: they leave the log to the
//! writer.) At [`WRITER_BYTES`] (a reader holding old frames, a slow disk, no thread to
//! be had, small commits only) the writer checkpoints it all itself, as SQLite's
//! autocheckpoint would, so the log stays bounded.
//!
//! The thread has its own connection, is started at the first request and stopped
//! (joined) when the store is dropped. A child process forked after the store was
//! opened must not use or drop it (SQLite forbids carrying a connection across `fork`;
//! here the child would wait on a thread that is not there). Measured in
//! benches/RESULTS.md ("streamed SQLite batches").

use rusqlite::{Connection, OpenFlags};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

/// The log's size at which a commit asks for a background checkpoint.
pub const BACKGROUND_BYTES: i64 = 8 * 1024 * 1024;

/// A commit of at least this much log is a bulk write, which asks for background passes;
/// small commits (one event, a reservation) leave the log to the writer's own
/// checkpoint at [`WRITER_BYTES`]: a background pass made them wait on its file syncs
/// (measured: `authorize` p99 65 -> 176 µs without a flush per commit, 344 -> 882 µs
/// with), where one checkpoint per 64 MiB of log delays one commit in thousands.
pub const BULK_COMMIT_BYTES: i64 = 256 * 1024;

/// The log's size at which the writer checkpoints it itself.
pub const WRITER_BYTES: i64 = 64 * 1024 * 1024;

/// Checkpoints the thread runs per request at most, while more than [`LEFT_FRAMES`]
/// frames are left after one.
const MAX_PASSES: usize = 4;

/// Frames the thread may leave for the writer to copy.
const LEFT_FRAMES: i64 = 64;

thread_local! {
    /// Frames in the log after this thread's last commit that wrote any (set by
    /// [`note_frames`]; -1 when read).
    static FRAMES: Cell<i32> = const { Cell::new(-1) };
}

/// The WAL hook: runs in the committing thread, right after the commit.
fn note_frames(_: &rusqlite::hooks::Wal, frames: std::ffi::c_int) -> rusqlite::Result<()> {
    FRAMES.with(|f| f.set(frames));
    Ok(())
}

/// Installs the WAL hook on a writer's connection (SQLite's autocheckpoint is off from
/// then on: [`Checkpointer::committed`] does its job).
pub fn install(conn: &Connection) {
    conn.wal_hook(Some(note_frames));
}

/// What the writer and the thread share.
#[derive(Debug, Default)]
struct State {
    /// A checkpoint was asked for.
    asked: bool,
    /// The store is being dropped.
    stop: bool,
    /// Passes the thread has finished.
    passes: u64,
    /// The thread is in a pass.
    running: bool,
    /// The thread has ended.
    ended: bool,
}

/// The background checkpoints of one store. See the module docs.
#[derive(Debug)]
pub struct Checkpointer {
    path: PathBuf,
    synchronous: &'static str,
    page: i64,
    shared: Arc<(Mutex<State>, Condvar)>,
    thread: Option<JoinHandle<()>>,
    /// The thread's passes when this writer asked for one that has not been finished
    /// off yet.
    asked_after: Option<u64>,
    /// Frames in the log after the last commit.
    frames: i64,
}

impl Checkpointer {
    /// Checkpoints for the store at `path` (pages of `page` bytes), with its
    /// `synchronous` level.
    pub fn new(path: &Path, synchronous: &'static str, page: i64) -> Checkpointer {
        Checkpointer {
            path: path.to_path_buf(),
            synchronous,
            page: page.max(512),
            shared: Arc::default(),
            thread: None,
            asked_after: None,
            frames: 0,
        }
    }

    /// After a commit on `conn`: a background pass once a bulk commit finds the log
    /// large, then the rest here; all of it here once the log is too large. A
    /// checkpoint that fails is not the committed write's error (as with SQLite's
    /// autocheckpoint): it is tried again after a later commit, and `sync` reports it.
    pub fn committed(&mut self, conn: &Connection) {
        let frames = i64::from(FRAMES.with(|f| f.replace(-1)));
        if frames < 0 {
            // The commit wrote no frame (every event a duplicate, say).
            return;
        }
        // Less than before: the log started again (after a checkpoint, maybe another
        // process's), with this commit.
        let committed = if frames >= self.frames { frames - self.frames } else { frames };
        self.frames = frames;
        let bytes = frames * self.page;
        let passes = self.shared.0.lock().unwrap_or_else(PoisonError::into_inner).passes;
        match self.asked_after {
            _ if bytes >= WRITER_BYTES => {
                self.asked_after = None;
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
            None if bytes >= BACKGROUND_BYTES && committed * self.page >= BULK_COMMIT_BYTES => {
                self.asked_after = self.ask().then_some(passes);
            }
            Some(asked) if passes > asked => {
                // The frames committed during the thread's pass.
                self.asked_after = None;
                let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            }
            _ => {}
        }
    }

    /// Waits for the thread's pass, if one runs (a checkpoint by this process's writer
    /// would otherwise find the log busy and sync nothing).
    pub fn wait_idle(&self) {
        let (state, wake) = &*self.shared;
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        while (s.asked || s.running) && !s.ended && self.thread.is_some() {
            s = wake.wait(s).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// No pass was ever asked for (no thread started).
    #[cfg(test)]
    pub fn is_idle(&self) -> bool {
        self.thread.is_none()
    }

    /// Asks the thread for a pass (starting it first): false if there is no thread.
    fn ask(&mut self) -> bool {
        if self.thread.as_ref().is_some_and(JoinHandle::is_finished) {
            // It ended (no connection could be opened): the writer's own checkpoints
            // at WRITER_BYTES are left.
            return false;
        }
        if self.thread.is_none() {
            let shared = Arc::clone(&self.shared);
            let (path, synchronous) = (self.path.clone(), self.synchronous);
            let spawned = std::thread::Builder::new().name("tokfare-checkpoint".into()).spawn(move || run(&path, synchronous, &shared));
            match spawned {
                Ok(handle) => self.thread = Some(handle),
                // No thread to be had: the writer checkpoints at WRITER_BYTES.
                Err(_) => return false,
            }
        }
        let (state, wake) = &*self.shared;
        state.lock().unwrap_or_else(PoisonError::into_inner).asked = true;
        wake.notify_all();
        true
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let Some(thread) = self.thread.take() else { return };
        let (state, wake) = &*self.shared;
        state.lock().unwrap_or_else(PoisonError::into_inner).stop = true;
        wake.notify_all();
        let _ = thread.join();
    }
}

/// The thread: a passive checkpoint per request until stopped. Errors are left to the
/// writer's own checkpoints (a busy log is normal: another process checkpoints it).
fn run(path: &Path, synchronous: &str, shared: &(Mutex<State>, Condvar)) {
    passes(path, synchronous, shared);
    let (state, wake) = shared;
    let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
    s.ended = true;
    s.running = false;
    // Wakes a writer in wait_idle.
    wake.notify_all();
}

/// The thread's work until stopped (or its connection could not be had).
fn passes(path: &Path, synchronous: &str, shared: &(Mutex<State>, Condvar)) {
    // The store's file as opened (a canonical path), never created here.
    let Ok(conn) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX) else { return };
    if conn.execute_batch(&format!("PRAGMA synchronous = {synchronous}; PRAGMA wal_autocheckpoint = 0;")).is_err() {
        return;
    }
    let (state, wake) = shared;
    loop {
        {
            let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
            while !s.asked && !s.stop {
                s = wake.wait(s).unwrap_or_else(PoisonError::into_inner);
            }
            if s.stop {
                return;
            }
            s.asked = false;
            s.running = true;
        }
        // Again while the writer committed much during the last pass (each pass is
        // shorter), so that little is left to the writer.
        for _ in 0..MAX_PASSES {
            let left = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok(r.get::<_, i64>(1)? - r.get::<_, i64>(2)?));
            if !matches!(left, Ok(frames) if frames > LEFT_FRAMES) || state.lock().unwrap_or_else(PoisonError::into_inner).stop {
                break;
            }
        }
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        s.passes += 1;
        s.running = false;
        // Wakes a writer in wait_idle.
        wake.notify_all();
    }
}
