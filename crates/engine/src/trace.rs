//! Traces: the operations that reach a database (gets, puts, deletes, range deletes and
//! scans, with their keys and when they came), written to a file as they happen so a
//! replay can run the same workload later under other options. docs/trace.md describes
//! the format; this file is its one implementation.
//!
//! Format version 1, every number little-endian:
//! - header, [`HEADER_BYTES`]: magic [`MAGIC`] (8), version `u32`, key encoding `u32`
//!   (1: `i64`), start wall time `u64` (µs since the Unix epoch), 8 reserved zero bytes;
//! - then records of [`RECORD_BYTES`] each: op `u8`, 3 zero bytes, value length `u32`
//!   (puts), time since the start `u64` (µs), key `i64`, range end `i64` (scans and range
//!   deletes), limit `u64` (scans).
//!
//! Puts record the value's length, not its bytes: a replay writes [`value_bytes`] of that
//! length, so a trace of a write-heavy workload stays small.
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use serde::Serialize;

use crate::error::DbError;

/// The first bytes of every trace file.
pub const MAGIC: [u8; 8] = *b"ALEXTRC\0";
/// The format version this code writes and reads.
pub const VERSION: u32 = 1;
/// Key encoding 1: keys are `i64`, little-endian.
pub const KEY_ENCODING_I64: u32 = 1;
pub const HEADER_BYTES: usize = 32;
pub const RECORD_BYTES: usize = 40;

/// One operation of a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TraceOp {
    Get(i64),
    /// The value's bytes are not recorded, only their number.
    Put {
        key: i64,
        value_len: u32,
    },
    Delete(i64),
    /// Keys `start..=end`.
    DeleteRange(i64, i64),
    /// Keys `start..=end`, at most `limit` rows (`u64::MAX`: no limit).
    Scan {
        start: i64,
        end: i64,
        limit: u64,
    },
}

/// Operation names, in the order of [`TraceOp::kind`].
pub const OP_KINDS: [&str; 5] = ["get", "put", "delete", "delete_range", "scan"];

impl TraceOp {
    /// Index into [`OP_KINDS`]; the op code in the file is this plus one.
    pub fn kind(&self) -> usize {
        match self {
            TraceOp::Get(_) => 0,
            TraceOp::Put { .. } => 1,
            TraceOp::Delete(_) => 2,
            TraceOp::DeleteRange(..) => 3,
            TraceOp::Scan { .. } => 4,
        }
    }

    pub fn name(&self) -> &'static str {
        OP_KINDS[self.kind()]
    }

    /// Whether replaying it changes the database.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            TraceOp::Put { .. } | TraceOp::Delete(_) | TraceOp::DeleteRange(..)
        )
    }
}

/// One record: an operation and when it reached the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TraceRecord {
    /// Microseconds since the trace started.
    pub offset_us: u64,
    pub op: TraceOp,
}

impl TraceRecord {
    fn encode(&self) -> [u8; RECORD_BYTES] {
        let (key, end, limit, value_len) = match self.op {
            TraceOp::Get(k) | TraceOp::Delete(k) => (k, 0, 0, 0),
            TraceOp::Put { key, value_len } => (key, 0, 0, value_len),
            TraceOp::DeleteRange(a, b) => (a, b, 0, 0),
            TraceOp::Scan { start, end, limit } => (start, end, limit, 0),
        };
        let mut b = [0u8; RECORD_BYTES];
        b[0] = self.op.kind() as u8 + 1;
        b[4..8].copy_from_slice(&value_len.to_le_bytes());
        b[8..16].copy_from_slice(&self.offset_us.to_le_bytes());
        b[16..24].copy_from_slice(&key.to_le_bytes());
        b[24..32].copy_from_slice(&end.to_le_bytes());
        b[32..40].copy_from_slice(&limit.to_le_bytes());
        b
    }

    /// The record in `b`, or the unknown op code.
    fn decode(b: &[u8; RECORD_BYTES]) -> Result<Self, u8> {
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap_or_default());
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or_default());
        let (key, end, limit) = (u64_at(16) as i64, u64_at(24) as i64, u64_at(32));
        let op = match b[0] {
            1 => TraceOp::Get(key),
            2 => TraceOp::Put {
                key,
                value_len: u32_at(4),
            },
            3 => TraceOp::Delete(key),
            4 => TraceOp::DeleteRange(key, end),
            5 => TraceOp::Scan {
                start: key,
                end,
                limit,
            },
            code => return Err(code),
        };
        Ok(TraceRecord {
            offset_us: u64_at(8),
            op,
        })
    }
}

/// What a trace file says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TraceHeader {
    pub version: u32,
    pub key_encoding: u32,
    /// When recording started: µs since the Unix epoch.
    pub start_unix_us: u64,
}

impl TraceHeader {
    fn encode(&self) -> [u8; HEADER_BYTES] {
        let mut b = [0u8; HEADER_BYTES];
        b[..8].copy_from_slice(&MAGIC);
        b[8..12].copy_from_slice(&self.version.to_le_bytes());
        b[12..16].copy_from_slice(&self.key_encoding.to_le_bytes());
        b[16..24].copy_from_slice(&self.start_unix_us.to_le_bytes());
        b
    }
}

/// Why a trace file cannot be read (one line each).
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("cannot read trace {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path} is not an alexdb trace: it does not start with the trace magic")]
    NotATrace { path: PathBuf },
    #[error(
        "{path} is cut short in its header ({got} of {HEADER_BYTES} bytes): it holds no records"
    )]
    TruncatedHeader { path: PathBuf, got: usize },
    #[error(
        "{path} is a trace of format version {found}; this alexdb reads version {VERSION} only"
    )]
    Version { path: PathBuf, found: u32 },
    #[error(
        "{path} uses key encoding {found}; this alexdb knows encoding {KEY_ENCODING_I64} (i64) only"
    )]
    KeyEncoding { path: PathBuf, found: u32 },
    #[error(
        "{path} is cut short after {records} complete records: {got} of {RECORD_BYTES} bytes at byte offset {offset}"
    )]
    Truncated {
        path: PathBuf,
        records: u64,
        offset: u64,
        got: usize,
    },
    #[error(
        "{path}: record {record} at byte offset {offset} has unknown operation code {code}; the {record} records before it are readable"
    )]
    BadRecord {
        path: PathBuf,
        record: u64,
        offset: u64,
        code: u8,
    },
}

/// Reads as many bytes as `buf` holds, fewer only at the end of the input.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Reads a trace record by record. A damaged record ends it: the iterator yields every
/// complete record before it, then the error, then nothing.
pub struct TraceReader {
    input: BufReader<File>,
    path: PathBuf,
    header: TraceHeader,
    records: u64,
    done: bool,
}

impl TraceReader {
    /// Opens `path` and checks its header (magic, version, key encoding).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, TraceError> {
        let path = path.as_ref().to_path_buf();
        let io_err = |source| TraceError::Io {
            path: path.clone(),
            source,
        };
        let mut input = BufReader::new(File::open(&path).map_err(io_err)?);
        let mut b = [0u8; HEADER_BYTES];
        let got = read_full(&mut input, &mut b).map_err(io_err)?;
        if got < MAGIC.len() || b[..8] != MAGIC {
            return Err(TraceError::NotATrace { path });
        }
        if got < HEADER_BYTES {
            return Err(TraceError::TruncatedHeader { path, got });
        }
        let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let (version, key_encoding) = (word(8), word(12));
        if version != VERSION {
            return Err(TraceError::Version {
                path,
                found: version,
            });
        }
        if key_encoding != KEY_ENCODING_I64 {
            return Err(TraceError::KeyEncoding {
                path,
                found: key_encoding,
            });
        }
        let mut start = [0u8; 8];
        start.copy_from_slice(&b[16..24]);
        Ok(TraceReader {
            input,
            path,
            header: TraceHeader {
                version,
                key_encoding,
                start_unix_us: u64::from_le_bytes(start),
            },
            records: 0,
            done: false,
        })
    }

    pub fn header(&self) -> &TraceHeader {
        &self.header
    }

    /// Complete records read so far.
    pub fn records_read(&self) -> u64 {
        self.records
    }

    fn next_record(&mut self) -> Result<Option<TraceRecord>, TraceError> {
        let offset = HEADER_BYTES as u64 + self.records * RECORD_BYTES as u64;
        let mut b = [0u8; RECORD_BYTES];
        let got = read_full(&mut self.input, &mut b).map_err(|source| TraceError::Io {
            path: self.path.clone(),
            source,
        })?;
        match got {
            0 => Ok(None),
            RECORD_BYTES => {
                let r = TraceRecord::decode(&b).map_err(|code| TraceError::BadRecord {
                    path: self.path.clone(),
                    record: self.records,
                    offset,
                    code,
                })?;
                self.records += 1;
                Ok(Some(r))
            }
            got => Err(TraceError::Truncated {
                path: self.path.clone(),
                records: self.records,
                offset,
                got,
            }),
        }
    }
}

impl Iterator for TraceReader {
    type Item = Result<TraceRecord, TraceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.next_record();
        self.done = !matches!(r, Ok(Some(_)));
        r.transpose()
    }
}

/// The whole trace at `path`, or the first thing wrong with it.
pub fn read_trace(path: impl AsRef<Path>) -> Result<(TraceHeader, Vec<TraceRecord>), TraceError> {
    let reader = TraceReader::open(path)?;
    let header = *reader.header();
    let records = reader.collect::<Result<Vec<_>, _>>()?;
    Ok((header, records))
}

/// Writes a trace: the header at once, then records through a buffer; [`finish`] flushes
/// and syncs it.
///
/// [`finish`]: TraceWriter::finish
pub struct TraceWriter {
    out: BufWriter<File>,
    path: PathBuf,
    records: u64,
}

impl TraceWriter {
    /// Creates `path` (refused if it exists) and writes the header.
    pub fn create(path: impl AsRef<Path>, start_unix_us: u64) -> io::Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = File::options().write(true).create_new(true).open(&path)?;
        let mut out = BufWriter::with_capacity(256 * 1024, file);
        let header = TraceHeader {
            version: VERSION,
            key_encoding: KEY_ENCODING_I64,
            start_unix_us,
        };
        out.write_all(&header.encode())?;
        Ok(TraceWriter {
            out,
            path,
            records: 0,
        })
    }

    pub fn push(&mut self, r: &TraceRecord) -> io::Result<()> {
        self.out.write_all(&r.encode())?;
        self.records += 1;
        Ok(())
    }

    pub fn records(&self) -> u64 {
        self.records
    }

    /// Bytes written (header included).
    pub fn bytes(&self) -> u64 {
        HEADER_BYTES as u64 + self.records * RECORD_BYTES as u64
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes and syncs the file.
    pub fn finish(self) -> io::Result<()> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.sync_data()
    }
}

/// The deterministic bytes a replay writes for a put of `len` bytes to `key`: lower-case
/// letters from a hash of the key and position (about 4.7 bits of entropy a byte, so they
/// compress a little, as text does).
pub fn value_bytes(key: i64, len: usize) -> Vec<u8> {
    let mut state = (key as u64) ^ 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        // splitmix64: each step gives 8 letters.
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        for byte in z.to_le_bytes() {
            if out.len() < len {
                out.push(b'a' + byte % 26);
            }
        }
    }
    out
}

/// A finished (or running) recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceSummary {
    pub path: PathBuf,
    pub records: u64,
    /// File size, header included.
    pub bytes: u64,
    pub secs: f64,
}

struct Active {
    writer: TraceWriter,
    started: Instant,
    /// The first write that failed: recording stopped there; the stop reports it.
    failed: Option<io::Error>,
}

impl Active {
    fn summary(&self) -> TraceSummary {
        TraceSummary {
            path: self.writer.path().to_path_buf(),
            records: self.writer.records(),
            bytes: self.writer.bytes(),
            secs: self.started.elapsed().as_secs_f64(),
        }
    }
}

/// A database's recorder: off, it costs each operation one relaxed load; on, a lock and
/// a 40-byte copy into the buffer.
#[derive(Default)]
pub(crate) struct Recorder {
    on: AtomicBool,
    active: Mutex<Option<Active>>,
}

impl Recorder {
    /// Records `op` when a trace is running.
    #[inline]
    pub(crate) fn note(&self, op: TraceOp) {
        if self.on.load(Ordering::Relaxed) {
            self.write(op);
        }
    }

    #[cold]
    fn write(&self, op: TraceOp) {
        let mut guard = self.active.lock();
        let Some(a) = guard.as_mut().filter(|a| a.failed.is_none()) else {
            return;
        };
        // Taken under the lock, so offsets never go back in file order.
        let offset_us = a.started.elapsed().as_micros() as u64;
        if let Err(e) = a.writer.push(&TraceRecord { offset_us, op }) {
            a.failed = Some(e);
        }
    }

    /// Starts recording into `path`, a file that must not exist yet.
    pub(crate) fn start(&self, path: &Path) -> Result<(), DbError> {
        let mut guard = self.active.lock();
        if let Some(a) = guard.as_ref() {
            return Err(DbError::Refused(format!(
                "a trace is already being recorded to {}; stop it before starting another",
                a.writer.path().display()
            )));
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64);
        let writer = TraceWriter::create(path, now).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => DbError::Refused(format!(
                "{} exists already; a trace never overwrites a file",
                path.display()
            )),
            _ => DbError::io(path)(e),
        })?;
        *guard = Some(Active {
            writer,
            started: Instant::now(),
            failed: None,
        });
        self.on.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Stops recording: flushes and syncs the file and says what it holds.
    pub(crate) fn stop(&self) -> Result<TraceSummary, DbError> {
        let mut guard = self.active.lock();
        self.on.store(false, Ordering::Relaxed);
        let Some(a) = guard.take() else {
            return Err(DbError::Refused("no trace is being recorded".into()));
        };
        let summary = a.summary();
        let path = summary.path.clone();
        if let Some(e) = a.failed {
            return Err(DbError::Refused(format!(
                "recording stopped at record {} because writing {} failed: {e}; the records before it are in the file",
                summary.records,
                path.display()
            )));
        }
        a.writer.finish().map_err(DbError::io(&path))?;
        Ok(summary)
    }

    /// The running trace, if any.
    pub(crate) fn status(&self) -> Option<TraceSummary> {
        self.active.lock().as_ref().map(Active::summary)
    }
}

impl Drop for Recorder {
    /// Closing the database ends its trace with everything recorded flushed.
    fn drop(&mut self) {
        if self.active.get_mut().is_some() {
            let _ = self.stop();
        }
    }
}
