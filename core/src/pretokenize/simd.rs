//! SIMD fast paths over ASCII: length of the leading run of ASCII letters.
//!
//! x86_64 always has SSE2 (16 bytes per step, part of the baseline, so no run-time
//! detection is needed); wasm32 uses simd128 when compiled with `+simd128`; everything
//! else takes the scalar loop. All variants are checked against the scalar one.
//! AVX2 (32 bytes per step) was left out: letter runs are short (a word), so the first
//! 16-byte step almost always finds the end and wider vectors would not be used.

/// Number of leading bytes of `bytes` that are ASCII letters `[A-Za-z]`.
#[inline(always)]
pub(crate) fn ascii_letters(bytes: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        x86::ascii_letters(bytes)
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        wasm::ascii_letters(bytes)
    }
    #[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
    {
        ascii_letters_scalar(bytes)
    }
}

#[inline(always)]
fn is_ascii_letter(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 26
}

/// The reference implementation.
#[inline(always)]
pub(crate) fn ascii_letters_scalar(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|&&b| is_ascii_letter(b)).count()
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    #[inline(always)]
    pub(super) fn ascii_letters(bytes: &[u8]) -> usize {
        let mut n = 0;
        while n + 16 <= bytes.len() {
            // SAFETY: SSE2 is part of the x86_64 baseline; the load reads bytes[n..n+16],
            // which is in bounds by the loop condition.
            let mask = unsafe { letters_mask16(bytes.as_ptr().add(n)) };
            if mask != 0xFFFF {
                return n + (!mask).trailing_zeros() as usize;
            }
            n += 16;
        }
        n + super::ascii_letters_scalar(&bytes[n..])
    }

    /// Bit i set when byte i is an ASCII letter.
    #[inline(always)]
    unsafe fn letters_mask16(ptr: *const u8) -> u32 {
        // SAFETY: the caller guarantees 16 readable bytes at ptr.
        unsafe {
            let v = _mm_loadu_si128(ptr as *const __m128i);
            // Fold case (set bit 5), then test 'a' <= b <= 'z' with a signed compare
            // after shifting the range to start at -128.
            let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
            let shifted = _mm_sub_epi8(folded, _mm_set1_epi8((b'a' as i8).wrapping_add(-128)));
            let in_range = _mm_cmplt_epi8(shifted, _mm_set1_epi8(-128 + 26));
            _mm_movemask_epi8(in_range) as u32
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use std::arch::wasm32::*;

    #[inline(always)]
    pub(super) fn ascii_letters(bytes: &[u8]) -> usize {
        let mut n = 0;
        while n + 16 <= bytes.len() {
            // SAFETY: bytes[n..n+16] is in bounds by the loop condition; v128_load is unaligned.
            let v = unsafe { v128_load(bytes.as_ptr().add(n) as *const v128) };
            let folded = v128_or(v, u8x16_splat(0x20));
            let offset = u8x16_sub(folded, u8x16_splat(b'a'));
            let in_range = u8x16_lt(offset, u8x16_splat(26));
            let mask = u8x16_bitmask(in_range) as u32;
            if mask != 0xFFFF {
                return n + (!mask).trailing_zeros() as usize;
            }
            n += 16;
        }
        n + super::ascii_letters_scalar(&bytes[n..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_equals_scalar_on_every_byte_at_every_position() {
        for b in 0..=255u8 {
            for pos in 0..40 {
                let mut v = [b'q'; 40];
                v[pos] = b;
                for start in 0..v.len() {
                    assert_eq!(ascii_letters(&v[start..]), ascii_letters_scalar(&v[start..]), "byte {b} pos {pos}");
                }
            }
        }
    }
}
