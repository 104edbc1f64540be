//! Stand-in for the value codec (`src/engine/codec.rs`, written separately): the same
//! interface, only `none` built. The merge replaces this file's use with the real codec.
use std::sync::Arc;

/// The compression a codec applies (`value_cache_compression`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodecKind {
    None,
    Lz4,
    ZstdDict,
}

/// Encodes values for the cache and decodes them on a hit.
#[derive(Debug)]
pub struct Codec {
    kind: CodecKind,
}

impl Codec {
    pub fn none() -> Codec {
        Codec {
            kind: CodecKind::None,
        }
    }

    /// A codec of `kind`; only `none` exists in this stand-in.
    pub fn build(kind: CodecKind, _samples: &[&[u8]]) -> Result<Codec, String> {
        match kind {
            CodecKind::None => Ok(Codec::none()),
            CodecKind::Lz4 | CodecKind::ZstdDict => {
                Err("value cache compression is not built yet (only none)".to_string())
            }
        }
    }

    pub fn kind(&self) -> CodecKind {
        self.kind
    }

    /// Appends the encoded form of `raw` to `out`.
    pub fn compress(&self, raw: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(raw);
    }

    /// Decodes `stored` (whose raw length is `raw_len`) into a fresh Arc.
    pub fn decompress(&self, stored: &[u8], raw_len: usize) -> Option<Arc<[u8]>> {
        (stored.len() == raw_len).then(|| Arc::from(stored))
    }
}
