//! Large lookup tables in transparent huge pages where the OS offers them.
//!
//! The BPE hot path reads MB-sized tables at random (the vocabulary's slots, the merge
//! cache): with 4 KiB pages most of those reads also miss the TLB. On Linux, where
//! transparent huge pages are commonly enabled "on request" (`madvise`, Ubuntu's and
//! Debian's default), asking for them before the table is first written puts it in
//! 2 MiB pages. Elsewhere, or when the OS declines, the table is an ordinary `Vec`.

/// Tables smaller than this gain nothing from huge pages (they are 2 MiB each).
const HUGE_PAGE: usize = 2 << 20;

/// `vec![value; len]`, in huge pages where possible.
pub(crate) fn table<T: Clone>(len: usize, value: T) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(len);
    let bytes = len.saturating_mul(std::mem::size_of::<T>());
    if bytes >= HUGE_PAGE {
        advise_huge(v.as_ptr() as usize, bytes);
    }
    // Written only now, so the first touch of each page already sees the advice.
    v.resize(len, value);
    v
}

#[cfg(target_os = "linux")]
fn advise_huge(start: usize, bytes: usize) {
    // Only the 2 MiB-aligned interior can be huge pages; madvise wants aligned starts.
    let first = start.next_multiple_of(HUGE_PAGE);
    let end = (start + bytes) / HUGE_PAGE * HUGE_PAGE;
    if end > first {
        // SAFETY: the range lies inside an allocation this process owns (the Vec's
        // capacity); MADV_HUGEPAGE only changes how the kernel backs it, never its
        // contents or validity. A failure (THP disabled) is harmless and ignored.
        unsafe {
            libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_start: usize, _bytes: usize) {}

#[cfg(test)]
mod tests {
    #[test]
    fn tables_hold_their_values() {
        for len in [0, 1, 1000, (4 << 20) / 8 + 3] {
            let t = super::table(len, 7u64);
            assert_eq!(t.len(), len);
            assert!(t.iter().all(|&x| x == 7));
        }
    }
}
