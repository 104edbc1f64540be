//! Datasets to load: generated ones (fixed seed, values derived from the key) and files
//! (CSV with a header row, SOSD binary key files). Each is a stream of rows that stops
//! early when its cancel flag is set, so a cancelled load keeps what it read.
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use thiserror::Error;

use super::keys::{KeyDist, generate_keys, shuffled};

/// The largest value a dataset row may carry: the engine's limit (`engine::MAX_VALUE_BYTES`;
/// this crate sits below the engine, and the engine's tests check the two agree).
pub const MAX_VALUE_BYTES: usize = 16 << 20;
/// Default value size in bytes (the original plan's benchmarks).
pub const DEFAULT_VALUE_SIZE: usize = 100;
/// Default seed of generated datasets.
pub const DEFAULT_SEED: u64 = 42;
/// Largest generated dataset (rows).
pub const MAX_GENERATED_ROWS: u64 = 1_000_000_000;
/// Most bytes one CSV record (or the header) may take: the value limit plus room for
/// the key and other columns. Reading stops there, so a file without line ends (or with
/// a 2 GB field) is refused after this much, in bounded memory.
pub const MAX_CSV_RECORD_BYTES: usize = MAX_VALUE_BYTES + 64 * 1024;

/// What to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatasetSpec {
    /// `start, start+step, ...` (`n` keys).
    Sequential { n: u64, start: i64, step: i64 },
    /// `n` distinct uniform i64 keys, in random order.
    Random { n: u64 },
    /// `n` distinct lognormal(0, 2) x 1e9 keys, in random order.
    Lognormal { n: u64 },
    /// `n` increasing microsecond timestamps with jitter and occasional gaps.
    Timestamps { n: u64 },
    /// A CSV file with a header row; `key` names the key column, `value` the value column
    /// (default: the whole row).
    Csv {
        path: PathBuf,
        key: String,
        value: Option<String>,
    },
    /// A SOSD key file: little-endian u64 count, then that many u64 keys.
    Sosd { path: PathBuf },
}

impl DatasetSpec {
    /// Short description for progress bars and job lists.
    pub fn label(&self) -> String {
        match self {
            DatasetSpec::Sequential { n, start, step } => {
                format!("sequential {n} (start {start}, step {step})")
            }
            DatasetSpec::Random { n } => format!("random {n}"),
            DatasetSpec::Lognormal { n } => format!("lognormal {n}"),
            DatasetSpec::Timestamps { n } => format!("timestamps {n}"),
            DatasetSpec::Csv { path, key, .. } => format!("csv {} (key {key})", path.display()),
            DatasetSpec::Sosd { path } => format!("sosd {}", path.display()),
        }
    }
}

/// How generated values look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenOptions {
    pub value_size: usize,
    pub seed: u64,
    pub values: ValueKind,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            value_size: DEFAULT_VALUE_SIZE,
            seed: DEFAULT_SEED,
            values: ValueKind::Text,
        }
    }
}

/// Why a dataset could not be read. Display is one line.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DatasetError {
    #[error("cannot read {path}: {reason}")]
    Io { path: String, reason: String },
    #[error("{path}: no column named \"{column}\" in the header (columns: {columns})")]
    NoColumn {
        path: String,
        column: String,
        columns: String,
    },
    #[error("{path} line {line}: key \"{text}\" is not an integer")]
    BadKey {
        path: String,
        line: u64,
        text: String,
    },
    #[error("{path} line {line}: {reason}")]
    Csv {
        path: String,
        line: u64,
        reason: String,
    },
    #[error(
        "{path} is truncated: its header says {expected} keys ({expected_bytes} bytes) but the file has {actual_bytes} bytes"
    )]
    SosdTruncated {
        path: String,
        expected: u64,
        expected_bytes: u64,
        actual_bytes: u64,
    },
    #[error(
        "{path}: key {key} (number {index}) is above {max}; alexdb keys are i64",
        max = i64::MAX
    )]
    SosdKeyTooLarge { path: String, index: u64, key: u64 },
    /// A CSV record longer than [`MAX_CSV_RECORD_BYTES`], or a value over the value
    /// limit, found while reading it: at most that much of the record was ever held.
    #[error("{path} {place}: {what}; the value limit is {max} bytes (16 MiB)", max = MAX_VALUE_BYTES)]
    TooLarge {
        path: String,
        /// `row 3 (line 4)`, or `header (line 1)`.
        place: String,
        /// What was too large and how large.
        what: String,
    },
    #[error("{0}")]
    Invalid(String),
}

fn io_err(path: &Path, e: std::io::Error) -> DatasetError {
    let reason = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    DatasetError::Io {
        path: path.display().to_string(),
        reason,
    }
}

/// Which values generated rows get (`--values`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    /// Letters and digits whose second half repeats the first ([`value_for`]): LZ4
    /// takes them to about half, like db_bench's default.
    #[default]
    Text,
    /// Incompressible bytes from the seed.
    Random,
}

impl ValueKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::Text => "text",
            ValueKind::Random => "random",
        }
    }
}

impl std::str::FromStr for ValueKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(ValueKind::Text),
            "random" => Ok(ValueKind::Random),
            _ => Err("expected text or random".into()),
        }
    }
}

/// The value of `key` of `kind` (`size` bytes, from `seed`): the same for every engine,
/// run and front end.
pub fn make_value(kind: ValueKind, key: i64, size: usize, seed: u64) -> Vec<u8> {
    match kind {
        ValueKind::Text => value_for(key, size, seed),
        ValueKind::Random => random_value(key, size, seed),
    }
}

/// `size` incompressible bytes derived from `key` and `seed`.
fn random_value(key: i64, size: usize, seed: u64) -> Vec<u8> {
    let mut x = splitmix64((key as u64) ^ seed.rotate_left(29) ^ 0x5EED_0FBA_5E00);
    let mut v = Vec::with_capacity(size + 8);
    while v.len() < size {
        x = splitmix64(x);
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(size);
    v
}

/// A value of `size` bytes derived from `key` (same key, size and seed: same value).
/// The first half is random letters and digits, the second half repeats it, so block
/// compression shrinks values to about half, like db_bench's default (compression ratio
/// 0.5) and unlike a value of one repeated byte.
pub fn value_for(key: i64, size: usize, seed: u64) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut x = splitmix64((key as u64) ^ seed.rotate_left(17));
    let half = size.div_ceil(2);
    let mut v = Vec::with_capacity(size);
    while v.len() < half {
        x = splitmix64(x);
        for i in 0..10 {
            if v.len() == half {
                break;
            }
            v.push(ALPHABET[((x >> (i * 6)) & 63) as usize]);
        }
    }
    while v.len() < size {
        v.push(v[v.len() - half]);
    }
    v
}

/// One step of splitmix64, a fast 64-bit generator whose outputs are well mixed.
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The keys of a generated dataset, in load order.
pub fn generated_keys(spec: &DatasetSpec, seed: u64) -> Result<Vec<i64>, DatasetError> {
    let n = match spec {
        DatasetSpec::Sequential { n, .. }
        | DatasetSpec::Random { n }
        | DatasetSpec::Lognormal { n }
        | DatasetSpec::Timestamps { n } => *n,
        _ => return Err(DatasetError::Invalid("not a generated dataset".into())),
    };
    check_count(n)?;
    let count = n as usize;
    Ok(match spec {
        DatasetSpec::Sequential { start, step, .. } => {
            check_sequential(n, *start, *step)?;
            (0..n as i64).map(|i| start + i * step).collect()
        }
        DatasetSpec::Random { .. } => shuffled(&generate_keys(KeyDist::Uniform, count, seed), seed),
        DatasetSpec::Lognormal { .. } => {
            shuffled(&generate_keys(KeyDist::Lognormal, count, seed), seed)
        }
        DatasetSpec::Timestamps { .. } => timestamps(count, seed),
        _ => unreachable!("checked above"),
    })
}

fn check_count(n: u64) -> Result<(), DatasetError> {
    if n == 0 || n > MAX_GENERATED_ROWS {
        return Err(DatasetError::Invalid(format!(
            "row count {n} is out of range (1 to {MAX_GENERATED_ROWS})"
        )));
    }
    Ok(())
}

fn check_sequential(n: u64, start: i64, step: i64) -> Result<(), DatasetError> {
    check_count(n)?;
    if step == 0 {
        return Err(DatasetError::Invalid(
            "step 0 would repeat one key; use a step other than 0".into(),
        ));
    }
    let last = i128::from(start) + i128::from(step) * (i128::from(n) - 1);
    if i64::try_from(last).is_err() {
        return Err(DatasetError::Invalid(format!(
            "{n} keys from {start} in steps of {step} run past the i64 range"
        )));
    }
    Ok(())
}

/// Increasing microsecond timestamps from 2024-01-01: about 1 ms apart with jitter, and
/// now and then a gap of up to an hour (a quiet period).
struct Timestamps {
    t: i64,
    x: u64,
}

impl Timestamps {
    fn new(seed: u64) -> Self {
        Timestamps {
            t: 1_704_067_200_000_000,
            x: splitmix64(seed),
        }
    }
}

impl Iterator for Timestamps {
    type Item = i64;
    fn next(&mut self) -> Option<i64> {
        self.x = splitmix64(self.x);
        self.t += 1 + (self.x % 2_000) as i64;
        if self.x >> 54 == 0 {
            // About 1 in 1024 rows follows a gap.
            self.t += ((self.x >> 20) % 3_600_000_000) as i64;
        }
        Some(self.t)
    }
}

fn timestamps(n: usize, seed: u64) -> Vec<i64> {
    Timestamps::new(seed).take(n).collect()
}

/// Counters a source updates while it is read (for the load report).
#[derive(Debug, Default)]
pub struct SourceStats {
    /// Rows skipped because their key was empty or NA (CSV).
    pub skipped: AtomicU64,
    /// Rows handed out.
    pub rows: AtomicU64,
}

/// A dataset opened for reading.
pub struct Source {
    pub label: String,
    /// Rows, when known in advance.
    pub total: Option<u64>,
    pub stats: Arc<SourceStats>,
    pub rows: RowIter,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("label", &self.label)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

/// Opens `spec`. Errors that can be seen before reading (missing file, unknown column,
/// truncated SOSD file, bad generator arguments) come back here; errors in the data come
/// as an `Err` row, after which the stream ends. Rows stop early once `cancel` is set.
pub fn open(
    spec: &DatasetSpec,
    gen_opts: GenOptions,
    cancel: Arc<AtomicBool>,
) -> Result<Source, DatasetError> {
    let stats = Arc::new(SourceStats::default());
    let label = spec.label();
    let GenOptions {
        value_size,
        seed,
        values,
    } = gen_opts;
    if value_size > MAX_VALUE_BYTES {
        return Err(DatasetError::Invalid(format!(
            "value size {value_size} is above the 16 MiB limit"
        )));
    }
    let (total, rows): (Option<u64>, Box<dyn Iterator<Item = _> + Send>) = match spec {
        DatasetSpec::Csv { path, key, value } => {
            let cap = MAX_CSV_RECORD_BYTES as u64;
            (None, csv_rows(path, key, value.as_deref(), &stats, cap)?)
        }
        DatasetSpec::Sosd { path } => {
            let (n, it) = sosd_rows(path, (values, value_size), seed)?;
            (Some(n), it)
        }
        DatasetSpec::Sequential { n, start, step } => {
            // Checked up front, generated lazily (no key vector for huge runs).
            check_sequential(*n, *start, *step)?;
            let (start, step) = (*start, *step);
            let it = (0..*n as i64).map(move |i| {
                let k = start + i * step;
                Ok((k, make_value(values, k, value_size, seed)))
            });
            (Some(*n), Box::new(it))
        }
        DatasetSpec::Timestamps { n } => {
            check_count(*n)?;
            let it = Timestamps::new(seed)
                .take(*n as usize)
                .map(move |k| Ok((k, make_value(values, k, value_size, seed))));
            (Some(*n), Box::new(it))
        }
        _ => {
            let keys = generated_keys(spec, seed)?;
            let n = keys.len() as u64;
            let it = keys
                .into_iter()
                .map(move |k| Ok((k, make_value(values, k, value_size, seed))));
            (Some(n), Box::new(it))
        }
    };
    let counted = stats.clone();
    let rows = rows
        .take_while(move |_| !cancel.load(Ordering::Relaxed))
        .inspect(move |r| {
            if r.is_ok() {
                counted.rows.fetch_add(1, Ordering::Relaxed);
            }
        });
    Ok(Source {
        label,
        total,
        stats,
        rows: Box::new(StopAfterError {
            inner: rows,
            failed: false,
        }),
    })
}

/// Ends the stream after the first error.
struct StopAfterError<I> {
    inner: I,
    failed: bool,
}

impl<I, T, E> Iterator for StopAfterError<I>
where
    I: Iterator<Item = Result<T, E>>,
{
    type Item = Result<T, E>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let r = self.inner.next()?;
        self.failed = r.is_err();
        Some(r)
    }
}

fn is_missing(key: &str) -> bool {
    let k = key.trim();
    k.is_empty()
        || ["na", "n/a", "nan", "null", "none", "-"]
            .iter()
            .any(|m| k.eq_ignore_ascii_case(m))
}

/// A stream of rows; an `Err` row ends it.
pub type RowIter = Box<dyn Iterator<Item = Result<(i64, Vec<u8>), DatasetError>> + Send>;

fn csv_rows(
    path: &Path,
    key_col: &str,
    value_col: Option<&str>,
    stats: &Arc<SourceStats>,
    cap: u64,
) -> Result<RowIter, DatasetError> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    let capped = RecordCap::new(file, cap);
    let record_start = capped.record_start.clone();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(1 << 20)
        .from_reader(capped);
    let shown = path.display().to_string();
    let headers = reader
        .byte_headers()
        .map_err(|e| csv_error(&shown, e, cap, "header (line 1)".into(), 1))?
        .clone();
    record_start.store(reader.position().byte(), Ordering::Relaxed);
    let names: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let find = |col: &str| {
        names
            .iter()
            .position(|n| n == col)
            .or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(col)))
            .ok_or_else(|| DatasetError::NoColumn {
                path: shown.clone(),
                column: col.to_string(),
                columns: names.join(", "),
            })
    };
    let key_i = find(key_col)?;
    let value_i = value_col.map(find).transpose()?;
    let stats = stats.clone();
    let mut record = csv::ByteRecord::new();
    // Data rows read so far (skipped ones included), for messages naming a row.
    let mut row = 0u64;
    let it = std::iter::from_fn(move || {
        loop {
            row += 1;
            let start_line = reader.position().line();
            let place = || format!("row {row} (line {start_line})");
            let read = reader.read_byte_record(&mut record);
            // The next record starts where this one ended: the cap counts from there.
            record_start.store(reader.position().byte(), Ordering::Relaxed);
            match read {
                Ok(false) => return None,
                Err(e) => return Some(Err(csv_error(&shown, e, cap, place(), start_line))),
                Ok(true) => {}
            }
            let line = record.position().map_or(0, |p| p.line());
            let raw = String::from_utf8_lossy(record.get(key_i).unwrap_or_default());
            if is_missing(&raw) {
                stats.skipped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            let key: i64 = match raw.trim().parse() {
                Ok(k) => k,
                Err(_) => {
                    return Some(Err(DatasetError::BadKey {
                        path: shown.clone(),
                        line,
                        text: raw.chars().take(40).collect(),
                    }));
                }
            };
            let value = match value_i {
                Some(i) => record.get(i).unwrap_or_default().to_vec(),
                None => whole_row(&record),
            };
            if value.len() > MAX_VALUE_BYTES {
                return Some(Err(DatasetError::TooLarge {
                    path: shown.clone(),
                    place: place(),
                    what: format!("its value has {} bytes", value.len()),
                }));
            }
            return Some(Ok((key, value)));
        }
    });
    Ok(Box::new(it))
}

/// A CSV reader's error as one line: `place` names the row being read (or the header),
/// `line` is where it started, `cap` is the record limit.
fn csv_error(path: &str, e: csv::Error, cap: u64, place: String, line: u64) -> DatasetError {
    if is_record_cap(&e) {
        return DatasetError::TooLarge {
            path: path.to_string(),
            place,
            what: format!("the record runs past {cap} bytes without ending (read no further)"),
        };
    }
    let line = e.position().map_or(line, |p| p.line());
    let reason = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len}"),
        _ => e.to_string(),
    };
    DatasetError::Csv {
        path: path.to_string(),
        line,
        reason,
    }
}

/// Why [`RecordCap`] stopped a read.
#[derive(Debug)]
struct RecordTooLong;

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a record is longer than the limit")
    }
}

impl std::error::Error for RecordTooLong {}

fn is_record_cap(e: &csv::Error) -> bool {
    match e.kind() {
        csv::ErrorKind::Io(io) => io.get_ref().is_some_and(|r| r.is::<RecordTooLong>()),
        _ => false,
    }
}

/// A reader that fails once the record being parsed has taken more than `cap` bytes:
/// the CSV reader holds a whole record in memory, so without it a file with no line end
/// (`/dev/zero`) or a huge field grows without bound. The CSV loop stores where each
/// record starts (a byte offset of this stream) in `record_start`; the parser consumes
/// what it was given before asking for more, so at each read the bytes handed out since
/// `record_start` are the current record's.
struct RecordCap<R> {
    inner: R,
    cap: u64,
    /// Bytes handed out so far.
    given: u64,
    record_start: Arc<AtomicU64>,
}

impl<R> RecordCap<R> {
    fn new(inner: R, cap: u64) -> Self {
        RecordCap {
            inner,
            cap,
            given: 0,
            record_start: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl<R: Read> Read for RecordCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let used = self
            .given
            .saturating_sub(self.record_start.load(Ordering::Relaxed));
        if used > self.cap {
            return Err(std::io::Error::other(RecordTooLong));
        }
        // Never hand out more than one byte past the cap, so a record is held to it.
        let room = usize::try_from(self.cap + 1 - used).unwrap_or(usize::MAX);
        let want = buf.len().min(room);
        let n = self.inner.read(&mut buf[..want])?;
        self.given += n as u64;
        Ok(n)
    }
}

/// A record written back as one CSV line (without the line end).
fn whole_row(record: &csv::ByteRecord) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = w.write_byte_record(record);
    let mut v = w.into_inner().unwrap_or_default();
    if v.last() == Some(&b'\n') {
        v.pop();
    }
    v
}

fn sosd_rows(
    path: &Path,
    (values, value_size): (ValueKind, usize),
    seed: u64,
) -> Result<(u64, RowIter), DatasetError> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    let len = file.metadata().map_err(|e| io_err(path, e))?.len();
    let shown = path.display().to_string();
    let mut r = BufReader::with_capacity(1 << 20, file);
    let mut head = [0u8; 8];
    if len < 8 {
        return Err(DatasetError::SosdTruncated {
            path: shown,
            expected: 0,
            expected_bytes: 8,
            actual_bytes: len,
        });
    }
    r.read_exact(&mut head).map_err(|e| io_err(path, e))?;
    let n = u64::from_le_bytes(head);
    let expected_bytes = n.checked_mul(8).and_then(|b| b.checked_add(8));
    if expected_bytes != Some(len) {
        return Err(DatasetError::SosdTruncated {
            path: shown,
            expected: n,
            expected_bytes: expected_bytes.unwrap_or(u64::MAX),
            actual_bytes: len,
        });
    }
    let mut index = 0u64;
    let it = std::iter::from_fn(move || {
        if index == n {
            return None;
        }
        let mut b = [0u8; 8];
        if let Err(e) = r.read_exact(&mut b) {
            return Some(Err(DatasetError::Io {
                path: shown.clone(),
                reason: e.to_string(),
            }));
        }
        let k = u64::from_le_bytes(b);
        index += 1;
        match i64::try_from(k) {
            Ok(key) => Some(Ok((key, make_value(values, key, value_size, seed)))),
            Err(_) => Some(Err(DatasetError::SosdKeyTooLarge {
                path: shown.clone(),
                index: index - 1,
                key: k,
            })),
        }
    });
    Ok((n, Box::new(it)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_deterministic_sized_and_half_repeated() {
        for size in [0, 1, 7, 100, 1000] {
            let v = value_for(42, size, 7);
            assert_eq!(v.len(), size);
            assert_eq!(v, value_for(42, size, 7));
            let half = size.div_ceil(2);
            assert_eq!(v[half..], v[..size - half]);
        }
        assert_ne!(value_for(1, 100, 7), value_for(2, 100, 7));
        assert_ne!(value_for(1, 100, 7), value_for(1, 100, 8));
    }

    /// A stream without a line end (what `/dev/zero` gives) is refused once a record
    /// passes the cap, having read no more than the cap: bounded memory, however long
    /// the stream.
    #[test]
    fn a_record_without_end_stops_at_the_cap() {
        for header in [&b""[..], b"key,value\n", b"key,value\n1,\""] {
            let stream = std::io::Read::chain(header, std::io::repeat(b'x'));
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .buffer_capacity(1 << 10)
                .from_reader(RecordCap::new(stream, 100_000));
            let mut record = csv::ByteRecord::new();
            let e = loop {
                match r.read_byte_record(&mut record) {
                    Ok(true) => r
                        .get_ref()
                        .record_start
                        .store(r.position().byte(), Ordering::Relaxed),
                    Ok(false) => panic!("an endless stream ended"),
                    Err(e) => break e,
                }
            };
            assert!(is_record_cap(&e), "{e}");
            assert!(r.get_ref().given <= header.len() as u64 + 100_001);
        }
    }

    fn write_csv(name: &str, text: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        (dir, p)
    }

    fn rows_of(
        p: &Path,
        value: Option<&str>,
        cap: u64,
    ) -> Vec<Result<(i64, Vec<u8>), DatasetError>> {
        let stats = Arc::new(SourceStats::default());
        let it = csv_rows(p, "id", value, &stats, cap).expect("open");
        StopAfterError {
            inner: it,
            failed: false,
        }
        .collect()
    }

    /// The cap is per record: a file far longer than it loads when every record fits,
    /// and a long record in the middle (one long line, or a quoted field over many
    /// short lines) is named by its row and line.
    #[test]
    fn the_cap_is_per_record_and_names_the_row() {
        let mut text = b"id,name\n".to_vec();
        for k in 0..1000 {
            text.extend_from_slice(format!("{k},name-{k:08}\n").as_bytes());
        }
        let (_d, p) = write_csv("ok.csv", &text);
        let rows = rows_of(&p, Some("name"), 64);
        assert_eq!(rows.len(), 1000);
        assert!(rows.iter().all(Result::is_ok));

        let long_line = format!("2,{}\n", "y".repeat(500));
        let multi_line = format!("2,\"{}\"\n", "z\n".repeat(300));
        for (middle, line) in [(long_line, 4), (multi_line, 4)] {
            let text = format!("id,name\n0,a\n1,b\n{middle}3,d\n");
            let (_d, p) = write_csv("long.csv", text.as_bytes());
            let rows = rows_of(&p, Some("name"), 64);
            assert_eq!(rows.len(), 3, "two rows, then the error");
            let e = rows[2].as_ref().expect_err("too long").to_string();
            assert!(e.contains(&format!("row 3 (line {line})")), "{e}");
            assert!(e.contains("runs past 64 bytes"), "{e}");
            assert!(e.contains("16777216 bytes (16 MiB)"), "{e}");
        }

        let (_d, p) = write_csv("head.csv", "h".repeat(200).as_bytes());
        let stats = Arc::new(SourceStats::default());
        let Err(e) = csv_rows(&p, "id", None, &stats, 64) else {
            panic!("a header without end was read");
        };
        assert!(e.to_string().contains("header (line 1)"), "{e}");
    }

    #[test]
    fn timestamps_increase() {
        let t = timestamps(100_000, 3);
        assert!(t.windows(2).all(|w| w[0] < w[1]));
        let gaps = t.windows(2).filter(|w| w[1] - w[0] > 1_000_000).count();
        assert!(gaps > 10, "{gaps} gaps");
    }

    #[test]
    fn sequential_checks_its_range() {
        let spec = DatasetSpec::Sequential {
            n: 5,
            start: -10,
            step: 3,
        };
        assert_eq!(generated_keys(&spec, 1).unwrap(), vec![-10, -7, -4, -1, 2]);
        let spec = DatasetSpec::Sequential {
            n: 3,
            start: i64::MAX - 1,
            step: 1,
        };
        assert!(generated_keys(&spec, 1).is_err());
        let spec = DatasetSpec::Sequential {
            n: 3,
            start: 0,
            step: 0,
        };
        assert!(generated_keys(&spec, 1).is_err());
    }
}
