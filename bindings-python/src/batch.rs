//! Batches on several threads with the Python lists built as results arrive.
//!
//! Turning ids into Python lists needs the GIL and is a third of the work, so a batch
//! that encodes everything in parallel and then builds the lists runs that third on
//! one thread after the rest. Here `threads - 1` workers encode while the calling
//! thread builds the lists in order and, whenever the next result is not ready yet,
//! encodes a document itself (without the GIL).

use pyo3::prelude::*;
use pyo3::types::PyList;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `[emit(work(doc)) for doc in docs]` on `threads` threads (see the module docs).
pub fn pipelined<'py, T: Send>(
    py: Python<'py>,
    docs: &[String],
    threads: usize,
    work: impl Fn(&str) -> T + Sync,
    mut emit: impl FnMut(T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    let n = docs.len();
    let slots: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let take = |i: usize| slots[i].lock().unwrap_or_else(|p| p.into_inner()).take();
    let put = |i: usize, value: T| *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(value);
    let run_one = |i: usize| put(i, work(&docs[i]));
    let mut out = Vec::with_capacity(n);
    std::thread::scope(|scope| -> PyResult<()> {
        for _ in 1..threads.clamp(1, 64).min(n.max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                run_one(i);
            });
        }
        for i in 0..n {
            loop {
                if let Some(value) = take(i) {
                    out.push(emit(value)?);
                    break;
                }
                let j = next.fetch_add(1, Ordering::Relaxed);
                if j < n {
                    py.detach(|| run_one(j));
                } else {
                    // Every document is claimed; a worker is finishing document i.
                    py.detach(std::thread::yield_now);
                }
            }
        }
        Ok(())
    })?;
    PyList::new(py, out)
}
