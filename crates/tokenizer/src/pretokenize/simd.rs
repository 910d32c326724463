//! SIMD fast paths over ASCII: length of the leading run of ASCII letters, upper-case
//! letters or lower-case letters.
//!
//! x86_64 always has SSE2 (16 bytes per step, part of the baseline, so no run-time
//! detection is needed); wasm32 uses simd128 when compiled with `+simd128`; everything
//! else takes the scalar loop. All variants are checked against the scalar one.
//! AVX2 (32 bytes per step) was left out: letter runs are short (a word), so the first
//! 16-byte step almost always finds the end and wider vectors would not be used.

/// A class of ASCII bytes: one contiguous range, optionally case-folded first.
#[derive(Clone, Copy)]
pub(crate) enum Ascii {
    /// `[A-Za-z]`
    Letter,
    /// `[A-Z]`
    Upper,
    /// `[a-z]`
    Lower,
}

impl Ascii {
    /// `(first byte of the range, bits OR-ed in before comparing)`.
    #[inline(always)]
    const fn range(self) -> (u8, u8) {
        match self {
            Ascii::Letter => (b'a', 0x20),
            Ascii::Upper => (b'A', 0),
            Ascii::Lower => (b'a', 0),
        }
    }

    #[inline(always)]
    fn contains(self, b: u8) -> bool {
        let (first, fold) = self.range();
        (b | fold).wrapping_sub(first) < 26
    }
}

/// Number of leading bytes of `bytes` in `class`.
#[inline(always)]
pub(crate) fn ascii_run(bytes: &[u8], class: Ascii) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        x86::ascii_run(bytes, class)
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        wasm::ascii_run(bytes, class)
    }
    #[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
    {
        ascii_run_scalar(bytes, class)
    }
}

/// Number of leading bytes of `bytes` in `[A-Z]*[a-z]*` (o200k's ASCII words).
#[inline(always)]
pub(crate) fn ascii_upper_then_lower(bytes: &[u8]) -> usize {
    // One load decides most words: both masks come from the same 16 bytes.
    #[cfg(target_arch = "x86_64")]
    if bytes.len() >= 16 {
        // SAFETY: SSE2 is part of the x86_64 baseline; 16 bytes are readable.
        let (upper, lower) = unsafe { (x86::class_mask16(bytes.as_ptr(), Ascii::Upper), x86::class_mask16(bytes.as_ptr(), Ascii::Lower)) };
        let u = (!upper).trailing_zeros();
        if u < 16 {
            let run = u + (!(lower >> u)).trailing_zeros();
            if run < 16 {
                return run as usize;
            }
        }
    }
    let u = ascii_run(bytes, Ascii::Upper);
    u + ascii_run(&bytes[u..], Ascii::Lower)
}

/// The reference implementation.
#[inline(always)]
pub(crate) fn ascii_run_scalar(bytes: &[u8], class: Ascii) -> usize {
    bytes.iter().take_while(|&&b| class.contains(b)).count()
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Ascii;
    use std::arch::x86_64::*;

    #[inline(always)]
    pub(super) fn ascii_run(bytes: &[u8], class: Ascii) -> usize {
        let mut n = 0;
        while n + 16 <= bytes.len() {
            // SAFETY: SSE2 is part of the x86_64 baseline; the load reads bytes[n..n+16],
            // which is in bounds by the loop condition.
            let mask = unsafe { class_mask16(bytes.as_ptr().add(n), class) };
            if mask != 0xFFFF {
                return n + (!mask).trailing_zeros() as usize;
            }
            n += 16;
        }
        n + super::ascii_run_scalar(&bytes[n..], class)
    }

    /// Bit i set when byte i is in `class`.
    #[inline(always)]
    pub(super) unsafe fn class_mask16(ptr: *const u8, class: Ascii) -> u32 {
        let (first, fold) = class.range();
        // SAFETY: the caller guarantees 16 readable bytes at ptr.
        unsafe {
            let v = _mm_loadu_si128(ptr as *const __m128i);
            // Fold case if asked (set bit 5), then test first <= b < first + 26 with a
            // signed compare after shifting the range to start at -128.
            let folded = _mm_or_si128(v, _mm_set1_epi8(fold as i8));
            let shifted = _mm_sub_epi8(folded, _mm_set1_epi8((first as i8).wrapping_add(-128)));
            let in_range = _mm_cmplt_epi8(shifted, _mm_set1_epi8(-128 + 26));
            _mm_movemask_epi8(in_range) as u32
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use super::Ascii;
    use std::arch::wasm32::*;

    #[inline(always)]
    pub(super) fn ascii_run(bytes: &[u8], class: Ascii) -> usize {
        let (first, fold) = class.range();
        let mut n = 0;
        while n + 16 <= bytes.len() {
            // SAFETY: bytes[n..n+16] is in bounds by the loop condition; v128_load is unaligned.
            let v = unsafe { v128_load(bytes.as_ptr().add(n) as *const v128) };
            let folded = v128_or(v, u8x16_splat(fold));
            let offset = u8x16_sub(folded, u8x16_splat(first));
            let in_range = u8x16_lt(offset, u8x16_splat(26));
            let mask = u8x16_bitmask(in_range) as u32;
            if mask != 0xFFFF {
                return n + (!mask).trailing_zeros() as usize;
            }
            n += 16;
        }
        n + super::ascii_run_scalar(&bytes[n..], class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_equals_scalar_on_every_byte_at_every_position() {
        for class in [Ascii::Letter, Ascii::Upper, Ascii::Lower] {
            let inside = match class {
                Ascii::Upper => b'Q',
                _ => b'q',
            };
            for b in 0..=255u8 {
                for pos in 0..40 {
                    let mut v = [inside; 40];
                    v[pos] = b;
                    for start in 0..v.len() {
                        assert_eq!(ascii_run(&v[start..], class), ascii_run_scalar(&v[start..], class), "byte {b} pos {pos}");
                    }
                }
            }
        }
    }

    #[test]
    fn upper_then_lower_equals_scalar() {
        let alphabet = b"AZaz@[`{ \x80Qq";
        let mut rng = crate::test_rng::Lcg::new(7);
        for len in 0..40 {
            for _ in 0..400 {
                // Mostly letters, so that long words occur.
                let v: Vec<u8> = (0..len).map(|_| if rng.below(8) == 0 { rng.pick(alphabet) } else { rng.pick(b"Kk") }).collect();
                let u = ascii_run_scalar(&v, Ascii::Upper);
                assert_eq!(ascii_upper_then_lower(&v), u + ascii_run_scalar(&v[u..], Ascii::Lower), "{v:?}");
            }
        }
    }

    #[test]
    fn classes_are_the_ascii_ranges() {
        for b in 0..=255u8 {
            assert_eq!(Ascii::Letter.contains(b), b.is_ascii_alphabetic(), "{b}");
            assert_eq!(Ascii::Upper.contains(b), b.is_ascii_uppercase(), "{b}");
            assert_eq!(Ascii::Lower.contains(b), b.is_ascii_lowercase(), "{b}");
        }
    }
}
