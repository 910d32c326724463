//! GPT-2's byte-level alphabet: every byte is written as one printable character in
//! `tokenizer.json` (space is `Ġ`, newline `Ċ`), so the vocabulary is text. tokfare
//! stores tokens as the bytes they stand for.

/// `CHARS[b]` is the character that stands for byte `b`.
pub(crate) const CHARS: [char; 256] = byte_chars();

const fn byte_chars() -> [char; 256] {
    let mut out = ['\0'; 256];
    let mut next = 256u32;
    let mut b = 0usize;
    while b < 256 {
        // Printable Latin-1 stands for itself; the other 68 bytes take 256, 257, ...
        let printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
        out[b] = if printable {
            match char::from_u32(b as u32) {
                Some(c) => c,
                None => '\0',
            }
        } else {
            let c = match char::from_u32(next) {
                Some(c) => c,
                None => '\0',
            };
            next += 1;
            c
        };
        b += 1;
    }
    out
}

/// The byte a character stands for, if it is one of the 256.
#[inline]
pub(crate) fn byte_of(c: char) -> Option<u8> {
    let cp = c as u32;
    match cp {
        0x21..=0x7e | 0xa1..=0xac | 0xae..=0xff => Some(cp as u8),
        0x100..=0x143 => Some(NON_PRINTABLE[(cp - 0x100) as usize]),
        _ => None,
    }
}

/// The bytes that take the characters U+0100.. in order.
const NON_PRINTABLE: [u8; 68] = non_printable();

const fn non_printable() -> [u8; 68] {
    let mut out = [0u8; 68];
    let mut n = 0;
    let mut b = 0usize;
    while b < 256 {
        let printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
        if !printable {
            out[n] = b as u8;
            n += 1;
        }
        b += 1;
    }
    out
}

/// The bytes a vocabulary string stands for, or `None` if one of its characters is
/// outside the alphabet (such a token can never come out of byte-level BPE).
pub(crate) fn decode_token(token: &str) -> Option<Vec<u8>> {
    token.chars().map(byte_of).collect()
}

/// `BYTE_OF[cp]` is the byte code point `cp` stands for, or `NOT_A_BYTE`: the whole
/// alphabet lies below U+0144.
const BYTE_OF: [u16; 0x144] = byte_of_table();
const NOT_A_BYTE: u16 = 0x100;

const fn byte_of_table() -> [u16; 0x144] {
    let mut out = [NOT_A_BYTE; 0x144];
    let mut b = 0;
    while b < 256 {
        out[CHARS[b] as usize] = b as u16;
        b += 1;
    }
    out
}

/// Appends the bytes `token` stands for to `out`; `false` (and nothing appended) if a
/// character is outside the alphabet. Reads UTF-8 directly: every character of the
/// alphabet is one or two bytes long (this runs over every token and merge at load).
#[inline]
pub(crate) fn decode_into(token: &str, out: &mut Vec<u8>) -> bool {
    let start = out.len();
    let bytes = token.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let lead = bytes[i] as usize;
        let cp = if lead < 0x80 {
            i += 1;
            lead
        } else if lead & 0xe0 == 0xc0 {
            // `token` is valid UTF-8: a two-byte lead is followed by its continuation.
            let cp = (lead & 0x1f) << 6 | (bytes[i + 1] as usize & 0x3f);
            i += 2;
            cp
        } else {
            usize::MAX
        };
        match BYTE_OF.get(cp) {
            Some(&b) if b != NOT_A_BYTE => out.push(b as u8),
            _ => {
                out.truncate(start);
                return false;
            }
        }
    }
    true
}

/// The vocabulary string of these bytes.
pub(crate) fn encode_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| CHARS[b as usize]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alphabet_round_trips_and_matches_gpt2() {
        assert_eq!(CHARS[b' ' as usize], 'Ġ');
        assert_eq!(CHARS[b'\n' as usize], 'Ċ');
        assert_eq!(CHARS[b'a' as usize], 'a');
        assert_eq!(CHARS[0xad], 'Ń');
        for b in 0..=255u8 {
            assert_eq!(byte_of(CHARS[b as usize]), Some(b));
        }
        assert_eq!(byte_of('中'), None);
        assert_eq!(byte_of(' '), None);
        assert_eq!(decode_token("ĠhelloĊ"), Some(b" hello\n".to_vec()));
        assert_eq!(encode_bytes(b" hi"), "Ġhi");
    }
}
