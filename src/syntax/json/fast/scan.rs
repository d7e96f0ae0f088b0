//! The two byte scans the JSON parser spends most of its time in: the
//! body of a string, and a line's indentation.
//!
//! Why sixteen bytes at a time: strings and indentation are most of the
//! bytes of a pretty-printed config, and a repository `--check` reads
//! every byte of every legacy config. SSE2 is part of every x86-64
//! processor, so no detection is needed there; elsewhere the same scans
//! run eight bytes at a time in a plain `u64`.

/// Where the body of a string starting at `bytes[0]` stops: the offset
/// and the byte of the first `"` or `\`; `None` when a control character
/// (Go and serde_json refuse them raw) comes first, or the text ends.
#[inline(always)]
pub(super) fn string_run(bytes: &[u8]) -> Option<(usize, u8)> {
    let at = first_marked(bytes, special_mask16, special_bytes)?;
    let stop = *bytes.get(at)?;
    (stop >= 0x20).then_some((at, stop))
}

/// The length of a string body that ends, without escapes or control
/// characters, within the first sixteen bytes of `bytes`; `None` for any
/// other (or fewer than sixteen bytes), which [`string_run`] then reads.
#[inline(always)]
pub(super) fn short_string(bytes: &[u8]) -> Option<usize> {
    let found = special_mask16(bytes.first_chunk::<16>()?);
    let at = found.trailing_zeros() as usize;
    (found != 0 && bytes[at] == b'"').then_some(at)
}

/// How many spaces `bytes` starts with.
#[inline(always)]
pub(super) fn leading_spaces(bytes: &[u8]) -> usize {
    first_marked(bytes, other_than_space16, other_than_space).unwrap_or(bytes.len())
}

/// The offset of the first byte marked: blocks of sixteen by `mask`,
/// then what is left by `marks`; `None` when no byte is.
#[inline(always)]
fn first_marked(
    bytes: &[u8],
    mask: impl Fn(&[u8; 16]) -> u32,
    marks: impl Fn(u64) -> u64,
) -> Option<usize> {
    let mut at = 0;
    while let Some(block) = bytes[at..].first_chunk::<16>() {
        let found = mask(block);
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize);
        }
        at += 16;
    }
    tail8(&bytes[at..], marks).map(|found| at + found)
}

/// The same for fewer than sixteen bytes: a word of eight, then bytes.
fn tail8(bytes: &[u8], marks: impl Fn(u64) -> u64) -> Option<usize> {
    let mut at = 0;
    if let Some(word) = bytes.first_chunk::<8>() {
        let found = marks(u64::from_le_bytes(*word));
        if found != 0 {
            return Some((found.trailing_zeros() / 8) as usize);
        }
        at = 8;
    }
    let mut word = [0u8; 8];
    let rest = &bytes[at..];
    word[..rest.len()].copy_from_slice(rest);
    // Bytes past the end are zero: marked as control characters (or as
    // not spaces), and cut off here.
    let found = (marks(u64::from_le_bytes(word)).trailing_zeros() / 8) as usize;
    (found < rest.len()).then_some(at + found)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` (little-endian) that is `"`, `\`
/// or a control character. Only the lowest set bit is sure to be one:
/// a borrow may mark a byte above a real one, never below, so the first
/// byte marked is the first such byte.
fn special_bytes(word: u64) -> u64 {
    let zero_in = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let quote = zero_in(word ^ (ONES * u64::from(b'"')));
    let backslash = zero_in(word ^ (ONES * u64::from(b'\\')));
    // Bytes below 0x20: a byte of 0x80 or more is not marked (!word).
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    quote | backslash | control
}

/// Non-zero in each byte of `word` that is not a space: each space XORs
/// to zero.
fn other_than_space(word: u64) -> u64 {
    word ^ (ONES * u64::from(b' '))
}

#[cfg(target_arch = "x86_64")]
mod block {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };

    #[inline(always)]
    fn load(block: &[u8; 16]) -> __m128i {
        // SAFETY: the load reads exactly the sixteen bytes of `block`
        // (unaligned loads are allowed), and SSE2 is part of x86-64.
        unsafe { _mm_loadu_si128(block.as_ptr().cast()) }
    }

    /// One bit per byte of `block` that is `"`, `\` or below 0x20.
    #[inline(always)]
    pub(super) fn special_mask16(block: &[u8; 16]) -> u32 {
        let v = load(block);
        // SAFETY: SSE2 is part of x86-64; these touch registers only.
        unsafe {
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // Unsigned: max(v, 0x1f) is 0x1f exactly when v is below 0x20.
            let limit = _mm_set1_epi8(0x1f);
            let control = _mm_cmpeq_epi8(_mm_max_epu8(v, limit), limit);
            let marked = _mm_or_si128(_mm_or_si128(quote, backslash), control);
            _mm_movemask_epi8(marked) as u32
        }
    }

    /// One bit per byte of `block` that is not a space.
    #[inline(always)]
    pub(super) fn other_than_space16(block: &[u8; 16]) -> u32 {
        let v = load(block);
        // SAFETY: SSE2 is part of x86-64; these touch registers only.
        let spaces = unsafe { _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8))) };
        !(spaces as u32) & 0xffff
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod block {
    fn words(block: &[u8; 16], marks: fn(u64) -> u64) -> u32 {
        let (low, high) = block.split_at(8);
        let low = marks(u64::from_le_bytes(low.try_into().expect("eight")));
        if low != 0 {
            return 1 << (low.trailing_zeros() / 8);
        }
        let high = marks(u64::from_le_bytes(high.try_into().expect("eight")));
        if high != 0 {
            return 1 << (8 + high.trailing_zeros() / 8);
        }
        0
    }

    /// The first byte of `block` that is `"`, `\` or below 0x20, as a bit.
    #[inline(always)]
    pub(super) fn special_mask16(block: &[u8; 16]) -> u32 {
        words(block, super::special_bytes)
    }

    /// The first byte of `block` that is not a space, as a bit.
    #[inline(always)]
    pub(super) fn other_than_space16(block: &[u8; 16]) -> u32 {
        words(block, super::other_than_space)
    }
}

use block::{other_than_space16, special_mask16};

#[cfg(test)]
mod tests {
    use super::*;

    /// The stop of a string's run as a byte-by-byte reading finds it.
    fn naive_run(bytes: &[u8]) -> Option<(usize, u8)> {
        let at = bytes
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        (bytes[at] >= 0x20).then_some((at, bytes[at]))
    }

    /// Every stop byte (and every byte that is none) at every place of
    /// the first blocks and the tail, after bytes that are near misses
    /// (one above a control character, the high half of UTF-8).
    #[test]
    fn a_run_stops_where_a_byte_by_byte_reading_stops() {
        let fillers = [
            b'a', 0x20, 0x21, 0x7f, 0x80, 0xc3, 0xff, b'!', b'#', b'[', b']',
        ];
        let stops = [b'"', b'\\', 0x00, 0x01, 0x1f, 0x20, 0x22, 0x5c, 0x80];
        for filler in fillers {
            for stop in stops {
                for place in 0..50 {
                    for tail in [&b""[..], b"\"", b"\x01\"", b"abcdefghijklmnopq\""] {
                        let mut bytes = vec![filler; place];
                        bytes.push(stop);
                        bytes.extend_from_slice(tail);
                        let naive = naive_run(&bytes);
                        let what = format!("{filler:#x} x {place}, then {stop:#x} {tail:?}");
                        assert_eq!(string_run(&bytes), naive, "{what}");
                        if let Some(end) = short_string(&bytes) {
                            assert_eq!(Some((end, b'"')), naive, "short: {what}");
                        } else if bytes.len() >= 16 {
                            // Only a string that ends in its first block
                            // is short.
                            assert!(
                                naive.is_none_or(|(at, stop)| at >= 16 || stop != b'"'),
                                "{what}"
                            );
                        }
                    }
                }
                let only = vec![filler; 40];
                assert_eq!(string_run(&only), naive_run(&only), "{filler:#x} only");
            }
        }
    }

    #[test]
    fn spaces_are_counted_up_to_the_first_other_byte() {
        for spaces in 0..50 {
            for next in [&b""[..], b"x", b"\t", b"\n  ", b"\x00", b"\xa0"] {
                let mut bytes = vec![b' '; spaces];
                bytes.extend_from_slice(next);
                assert_eq!(leading_spaces(&bytes), spaces, "{spaces} then {next:?}");
            }
        }
    }
}
