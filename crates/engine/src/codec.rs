//! In-memory compression of cached values: none, LZ4, or zstd with a dictionary trained
//! from a sample of the loaded values (issue 13).
//!
//! **Stored form.** No header and no marker byte: the cache keeps each value's raw
//! length, so a stored slice exactly as long as the raw value *is* the raw value (a codec
//! keeps a value raw when compressing would not shrink it), and a shorter one is
//! compressed. LZ4 stores a bare block; zstd stores a frame without its 4-byte magic
//! number, checksum or dictionary ID (a frame header of 2 bytes and a block header of 3).
//!
//! **Training.** [`sample_values`] picks up to [`MAX_SAMPLES`] values evenly spread over
//! the loaded rows and [`Codec::build`] trains the zstd dictionary from them. The Db calls
//! both after a `.load` and when `value_cache_compression` becomes `zstd-dict`; a new
//! codec cannot read bytes the old one stored, so the cache is emptied (or re-encoded)
//! when it swaps codecs.
//!
//! **Contexts.** zstd's compression and decompression contexts live in a thread-local,
//! built once per thread and reused by every codec (the bulk calls take the dictionary
//! per call, so a context is never bound to one), so a hit builds nothing.
use std::cell::RefCell;
use std::sync::Arc;

use zstd_safe::{CCtx, CDict, DCtx, DDict};

use super::options::MAX_VALUE_BYTES;

/// Most values [`sample_values`] returns: enough for zstd to learn the value alphabet
/// and common substrings, small enough to train in well under a second.
pub const MAX_SAMPLES: usize = 2_000;

/// Longest prefix of one value kept as a sample, so 2,000 large values stay a few MiB.
pub const MAX_SAMPLE_BYTES: usize = 4_096;

/// Largest dictionary trained. Values like the generated datasets' (random characters)
/// gain only from the dictionary's entropy tables (1 KiB or 16 KiB: 53.2 B either way
/// per 100-B value); text with shared substrings gains from its content too. Prepared,
/// a 16 KiB dictionary holds ~110 KB in all at level 1.
pub const MAX_DICT_BYTES: usize = 16 * 1024;

/// zstd level. Levels 1 to 3 store the same bytes for cache-sized values (measured: 53.2 B
/// per 100-B dataset value), and level 1's prepared dictionary is the smallest; negative
/// levels skip literal compression (63 B).
const ZSTD_LEVEL: i32 = 1;

/// Fewest samples (and bytes of them) worth training on; below this the codec compresses
/// without a dictionary.
const MIN_TRAIN_SAMPLES: usize = 16;
const MIN_TRAIN_BYTES: usize = 1_024;

/// The zstd frame magic number, little-endian: dropped from stored frames, put back in
/// front of them to decode.
const ZSTD_MAGIC: [u8; 4] = 0xFD2F_B528_u32.to_le_bytes();

/// Offset of the dictionary ID in a zstd dictionary (after its own 4-byte magic).
const DICT_ID_OFFSET: usize = 4;

/// Which compression a [`Codec`] applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodecKind {
    None,
    Lz4,
    ZstdDict,
}

impl CodecKind {
    /// The option value naming this codec (`value_cache_compression`).
    pub fn as_str(self) -> &'static str {
        match self {
            CodecKind::None => "none",
            CodecKind::Lz4 => "lz4",
            CodecKind::ZstdDict => "zstd-dict",
        }
    }
}

/// A value codec. Cheap to clone (one `Arc`); shareable between threads.
#[derive(Clone)]
pub struct Codec {
    inner: Arc<Inner>,
}

enum Inner {
    None,
    Lz4,
    Zstd(Option<ZstdDict>),
}

/// A trained dictionary, prepared once for each direction.
struct ZstdDict {
    cdict: CDict<'static>,
    ddict: DDict<'static>,
}

impl std::fmt::Debug for Codec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Codec")
            .field("kind", &self.kind())
            .field("dictionary_bytes", &self.dictionary_bytes())
            .finish()
    }
}

impl Codec {
    /// The codec that stores values as they are.
    pub fn none() -> Codec {
        Codec {
            inner: Arc::new(Inner::None),
        }
    }

    /// A codec of `kind`. `samples`: raw values to train a zstd dictionary from (ignored
    /// by none and lz4). Too few samples, or samples zstd cannot learn from, give a
    /// dictionary-less zstd codec; an error means zstd could not load the dictionary it
    /// trained (out of memory).
    pub fn build(kind: CodecKind, samples: &[&[u8]]) -> Result<Codec, String> {
        let inner = match kind {
            CodecKind::None => Inner::None,
            CodecKind::Lz4 => Inner::Lz4,
            CodecKind::ZstdDict => Inner::Zstd(match train_dictionary(samples) {
                Some(dict) => Some(prepare_dictionary(&dict)?),
                None => None,
            }),
        };
        Ok(Codec {
            inner: Arc::new(inner),
        })
    }

    pub fn kind(&self) -> CodecKind {
        match *self.inner {
            Inner::None => CodecKind::None,
            Inner::Lz4 => CodecKind::Lz4,
            Inner::Zstd(_) => CodecKind::ZstdDict,
        }
    }

    /// Whether this is a zstd codec with a trained dictionary.
    pub fn has_dictionary(&self) -> bool {
        matches!(*self.inner, Inner::Zstd(Some(_)))
    }

    /// Appends the stored form of `raw` to `out`: compressed if that is shorter, else
    /// `raw` itself.
    pub fn compress(&self, raw: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        let shrunk = match &*self.inner {
            Inner::None => false,
            Inner::Lz4 => lz4_compress(raw, out),
            Inner::Zstd(dict) => zstd_compress(dict.as_ref(), raw, out),
        };
        if !shrunk {
            out.truncate(start);
            out.extend_from_slice(raw);
        }
    }

    /// The raw value back from its stored form and raw length; `None` if `stored` is not
    /// something this codec stored for that length (never panics).
    pub fn decompress(&self, stored: &[u8], raw_len: usize) -> Option<Arc<[u8]>> {
        if stored.len() == raw_len {
            return Some(Arc::from(stored));
        }
        // No value is longer than MAX_VALUE_BYTES: a larger length is not one the cache
        // kept, and allocating it could abort.
        if stored.len() > raw_len || raw_len > MAX_VALUE_BYTES {
            return None;
        }
        let mut value = zeroed(raw_len);
        // The Arc was just made, so it is unique and `get_mut` cannot fail.
        let buf = Arc::get_mut(&mut value)?;
        let ok = match &*self.inner {
            Inner::None => false,
            Inner::Lz4 => lz4_flex::block::decompress_into(stored, buf).ok() == Some(raw_len),
            Inner::Zstd(dict) => zstd_decompress(dict.as_ref(), stored, buf) == Some(raw_len),
        };
        ok.then_some(value)
    }

    /// Memory the codec itself holds: zstd's prepared dictionaries (none for the others).
    /// Per-thread contexts are not counted: ~125 KB per thread that used zstd (measured;
    /// more after compressing values of hundreds of KiB).
    pub fn dictionary_bytes(&self) -> usize {
        match &*self.inner {
            Inner::Zstd(Some(d)) => d.cdict.sizeof() + d.ddict.sizeof(),
            _ => 0,
        }
    }
}

/// Up to [`MAX_SAMPLES`] of `values`, evenly spread over the `total` the iterator yields
/// (each cut to [`MAX_SAMPLE_BYTES`]; empty values skipped), to train a dictionary from.
/// The Db calls it with its values in key order after a `.load`, and when
/// `value_cache_compression` is set to `zstd-dict`, then passes the result to
/// [`Codec::build`].
pub fn sample_values<V: AsRef<[u8]>>(
    values: impl IntoIterator<Item = V>,
    total: u64,
) -> Vec<Vec<u8>> {
    let step = (total / MAX_SAMPLES as u64).max(1);
    values
        .into_iter()
        .step_by(usize::try_from(step).unwrap_or(usize::MAX))
        .filter(|v| !v.as_ref().is_empty())
        .take(MAX_SAMPLES)
        .map(|v| {
            let v = v.as_ref();
            v[..v.len().min(MAX_SAMPLE_BYTES)].to_vec()
        })
        .collect()
}

/// A zeroed, uniquely owned buffer to decode into (one allocation: the iterator's exact
/// length lets `collect` size the `Arc` up front).
fn zeroed(len: usize) -> Arc<[u8]> {
    std::iter::repeat_n(0u8, len).collect()
}

/// Appends an LZ4 block of `raw` to `out`; false if it would not be shorter.
fn lz4_compress(raw: &[u8], out: &mut Vec<u8>) -> bool {
    let start = out.len();
    out.resize(
        start + lz4_flex::block::get_maximum_output_size(raw.len()),
        0,
    );
    match lz4_flex::block::compress_into(raw, &mut out[start..]) {
        Ok(n) if n < raw.len() => {
            out.truncate(start + n);
            true
        }
        _ => false,
    }
}

/// Trains a dictionary, or `None` when there is too little to learn from or zstd fails.
fn train_dictionary(samples: &[&[u8]]) -> Option<Vec<u8>> {
    let total: usize = samples.iter().map(|s| s.len()).sum();
    if samples.len() < MIN_TRAIN_SAMPLES || total < MIN_TRAIN_BYTES {
        return None;
    }
    let sizes: Vec<usize> = samples.iter().map(|s| s.len()).collect();
    let mut dict = Vec::with_capacity(MAX_DICT_BYTES.min(total));
    // `sizes` adds up to the buffer's length by construction (train_from_buffer asserts it).
    zstd_safe::train_from_buffer(&mut dict, &samples.concat(), &sizes).ok()?;
    if dict.len() < DICT_ID_OFFSET + 4 {
        return None;
    }
    // Every frame would carry the dictionary's ID (up to 4 bytes per value); ID 0 means
    // "no ID" in the zstd format, and the cache always knows which dictionary it used.
    dict[DICT_ID_OFFSET..DICT_ID_OFFSET + 4].fill(0);
    Some(dict)
}

fn prepare_dictionary(dict: &[u8]) -> Result<ZstdDict, String> {
    let cdict = CDict::try_create(dict, ZSTD_LEVEL);
    let ddict = DDict::try_create(dict);
    match (cdict, ddict) {
        (Some(cdict), Some(ddict)) => Ok(ZstdDict { cdict, ddict }),
        _ => Err("zstd could not prepare the trained dictionary".into()),
    }
}

/// One thread's zstd contexts and scratch buffer, reused by every codec.
struct Contexts {
    cctx: CCtx<'static>,
    dctx: DCtx<'static>,
    scratch: Vec<u8>,
}

thread_local! {
    static CONTEXTS: RefCell<Option<Contexts>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's contexts; `None` if zstd cannot allocate them.
fn with_contexts<T>(f: impl FnOnce(&mut Contexts) -> Option<T>) -> Option<T> {
    CONTEXTS.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(Contexts {
                cctx: CCtx::try_create()?,
                dctx: DCtx::try_create()?,
                scratch: Vec::new(),
            });
        }
        f(slot.as_mut()?)
    })
}

/// Appends a magic-less zstd frame of `raw` to `out`; false if it would not be shorter.
fn zstd_compress(dict: Option<&ZstdDict>, raw: &[u8], out: &mut Vec<u8>) -> bool {
    with_contexts(|c| {
        c.scratch.clear();
        c.scratch.reserve(zstd_safe::compress_bound(raw.len()));
        let written = match dict {
            Some(d) => c.cctx.compress_using_cdict(&mut c.scratch, raw, &d.cdict),
            None => c.cctx.compress(&mut c.scratch, raw, ZSTD_LEVEL),
        };
        let n = written.ok()?;
        let frame = c.scratch.get(..n)?.strip_prefix(&ZSTD_MAGIC)?;
        if frame.len() >= raw.len() {
            return None;
        }
        out.extend_from_slice(frame);
        Some(())
    })
    .is_some()
}

/// Decodes a magic-less frame into `buf`; the number of bytes written, or `None`.
fn zstd_decompress(dict: Option<&ZstdDict>, stored: &[u8], buf: &mut [u8]) -> Option<usize> {
    with_contexts(|c| {
        c.scratch.clear();
        c.scratch.extend_from_slice(&ZSTD_MAGIC);
        c.scratch.extend_from_slice(stored);
        let read = match dict {
            Some(d) => c.dctx.decompress_using_ddict(buf, &c.scratch, &d.ddict),
            None => c.dctx.decompress(buf, &c.scratch),
        };
        read.ok()
    })
}
