//! Batches on several threads with the Python lists built as results arrive.
//!
//! Turning ids into Python lists needs the GIL and is a fifth to a third of the work,
//! so a batch that encodes everything in parallel and then builds the lists runs that
//! part on one thread after the rest. Here the calling thread encodes documents from
//! the front of the batch (without the GIL) and builds each list right away, the
//! workers (one fewer than `threads`) encode from the back, and whenever workers have
//! finished documents the calling thread builds their lists first. Each thread thus
//! works through one contiguous stretch of the batch: neighbouring documents repeat
//! each other's words, which keeps each thread's merge cache about as useful as with
//! one thread (handing documents out alternately, as before, split every stretch of
//! text between the threads' caches).

use pyo3::prelude::*;
use pyo3::types::PyList;
use std::sync::{Mutex, MutexGuard};

/// `[emit(work(doc)) for doc in docs]` on `threads` threads (see the module docs).
pub fn pipelined<'py, T: Send>(
    py: Python<'py>,
    docs: &[String],
    threads: usize,
    work: impl Fn(&str) -> T + Sync,
    mut emit: impl FnMut(T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    let n = docs.len();
    let workers = threads.clamp(1, 64).min(n.max(1)) - 1;
    if workers == 0 {
        let mut out = Vec::with_capacity(n);
        for doc in docs {
            out.push(emit(py.detach(|| work(doc)))?);
        }
        return PyList::new(py, out);
    }
    // Filled in any order: every slot is replaced before the list is returned.
    let list = PyList::new(py, (0..n).map(|_| py.None()))?;
    let queue = Queue::new(n);
    std::thread::scope(|scope| -> PyResult<()> {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(i) = queue.claim_from_back() {
                    queue.finished(i, work(&docs[i]));
                }
            });
        }
        let mut listed = 0;
        let built = (|| -> PyResult<()> {
            while listed < n {
                match queue.next_for_caller() {
                    Next::Finished(results) => {
                        for (i, value) in results {
                            list.set_item(i, emit(value)?)?;
                            listed += 1;
                        }
                    }
                    Next::Encode(i) => {
                        let value = py.detach(|| work(&docs[i]));
                        list.set_item(i, emit(value)?)?;
                        listed += 1;
                    }
                    // Every document is claimed and a worker is finishing one.
                    Next::Wait => py.detach(std::thread::yield_now),
                }
            }
            Ok(())
        })();
        if built.is_err() {
            // Leave the workers nothing more to claim, so that the error returns promptly.
            queue.close();
        }
        built
    })?;
    Ok(list)
}

/// The documents not claimed yet (`front..back`) and the workers' results not yet
/// turned into Python objects.
struct Queue<T> {
    state: Mutex<State<T>>,
}

struct State<T> {
    front: usize,
    back: usize,
    finished: Vec<(usize, T)>,
}

/// What the calling thread does next.
enum Next<T> {
    Finished(Vec<(usize, T)>),
    Encode(usize),
    Wait,
}

impl<T> Queue<T> {
    fn new(n: usize) -> Queue<T> {
        Queue { state: Mutex::new(State { front: 0, back: n, finished: Vec::new() }) }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The last unclaimed document, for a worker.
    fn claim_from_back(&self) -> Option<usize> {
        let mut s = self.lock();
        (s.front < s.back).then(|| {
            s.back -= 1;
            s.back
        })
    }

    fn finished(&self, i: usize, value: T) {
        self.lock().finished.push((i, value));
    }

    /// The workers' results if there are any, else the first unclaimed document.
    fn next_for_caller(&self) -> Next<T> {
        let mut s = self.lock();
        if !s.finished.is_empty() {
            Next::Finished(std::mem::take(&mut s.finished))
        } else if s.front < s.back {
            s.front += 1;
            Next::Encode(s.front - 1)
        } else {
            Next::Wait
        }
    }

    /// Nothing more to claim.
    fn close(&self) {
        let mut s = self.lock();
        s.back = s.front;
    }
}
