//! When a call gives the GIL up: for texts long enough that other Python threads gain
//! more than the release costs (batches always release it, in their own code).

use pyo3::prelude::*;

/// Texts at least this long are worked on without holding the GIL (releasing it costs
/// about as much as encoding ~100 bytes).
pub const DETACH_BYTES: usize = 2048;

/// `f()`, without the GIL when the text it works on is `len` bytes or longer.
pub fn detach_if_long<T: Send>(py: Python<'_>, len: usize, f: impl FnOnce() -> T + Send) -> T {
    if len >= DETACH_BYTES {
        py.detach(f)
    } else {
        f()
    }
}
