//! Bounded inflate: raw deflate (zip) and zlib (PDF's FlateDecode), stopping at a cap.

use miniz_oxide::inflate::stream::{inflate as step, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

/// How an inflate ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The stream's end was reached.
    Complete,
    /// The cap was reached first: the output is the stream's first `cap` bytes.
    Capped,
    /// The input ended inside the stream.
    InputEnded,
    /// The stream is not valid deflate (or zlib) data from this point on.
    Invalid,
}

pub struct Inflated {
    pub bytes: Vec<u8>,
    /// Input bytes the stream took (where a data descriptor or the next entry starts).
    pub consumed: usize,
    pub end: End,
}

/// Inflates `input` up to `cap` output bytes.
pub fn inflate(input: &[u8], zlib: bool, cap: u64) -> Inflated {
    let format = if zlib { DataFormat::Zlib } else { DataFormat::Raw };
    let mut state = InflateState::new_boxed(format);
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    let mut consumed = 0;
    loop {
        let room = chunk.len().min(cap - bytes.len());
        if room == 0 {
            return Inflated { bytes, consumed, end: End::Capped };
        }
        let r = step(&mut state, &input[consumed..], &mut chunk[..room], MZFlush::None);
        consumed += r.bytes_consumed;
        bytes.extend_from_slice(&chunk[..r.bytes_written]);
        match r.status {
            Ok(MZStatus::StreamEnd) => return Inflated { bytes, consumed, end: End::Complete },
            Ok(_) if r.bytes_consumed == 0 && r.bytes_written == 0 => {
                let end = if consumed >= input.len() { End::InputEnded } else { End::Invalid };
                return Inflated { bytes, consumed, end };
            }
            Ok(_) => {}
            Err(MZError::Buf) => {
                let end = if consumed >= input.len() { End::InputEnded } else { End::Invalid };
                return Inflated { bytes, consumed, end };
            }
            Err(_) => return Inflated { bytes, consumed, end: End::Invalid },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miniz_oxide::deflate::{compress_to_vec, compress_to_vec_zlib};

    #[test]
    fn raw_and_zlib_streams_inflate_whole_cut_and_capped() {
        let text = "aws_access_key_id = AKIAFLHBMUAPTT2ZN5X2\n".repeat(2000);
        for zlib in [false, true] {
            let packed = if zlib { compress_to_vec_zlib(text.as_bytes(), 6) } else { compress_to_vec(text.as_bytes(), 6) };
            let mut trailing = packed.clone();
            trailing.extend_from_slice(b"PK\x03\x04 next");
            let whole = inflate(&trailing, zlib, u64::MAX);
            assert_eq!((whole.end, whole.bytes.as_slice(), whole.consumed), (End::Complete, text.as_bytes(), packed.len()), "zlib {zlib}");
            let capped = inflate(&packed, zlib, 1000);
            assert_eq!((capped.end, capped.bytes.as_slice()), (End::Capped, &text.as_bytes()[..1000]));
            let cut = inflate(&packed[..packed.len() / 2], zlib, u64::MAX);
            assert_eq!(cut.end, End::InputEnded);
            assert!(text.as_bytes().starts_with(&cut.bytes));
            let invalid = inflate(b"\xff\xff\xff\xff\xff\xff\xff\xff", zlib, u64::MAX);
            assert_eq!(invalid.end, End::Invalid);
        }
    }
}
