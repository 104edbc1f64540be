//! Every tunable of the engine, as one table: [`options_table!`] below lists each
//! option once (field, default, name, aliases, type and range, how it is applied, help),
//! and everything else (`set`, `get`, validation, `.show options`, completion, applying
//! a change live) loops over that table. Defaults are the ones that measured fastest for
//! point lookups at equal memory (issue 13; docs/benchmarks.md): a 1 GiB CLOCK value cache
//! with LZ4-compressed values, a 64 MiB block cache holding pinned index/filter blocks,
//! LZ4 at every level, no bloom filters at the bottom level (ALEX answers absent keys),
//! 16 KiB blocks, bloom 10 bits/key above, 256 MiB write buffers. The original plan's
//! tuning is the built-in profile `original-plan` (`profiles.rs`).
use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use super::error::DbError;

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;
const GIB: usize = 1024 * MIB;
const TIB: usize = 1024 * GIB;

pub use super::limits::MAX_VALUE_BYTES;

/// The names an enum option accepts: its values, then extra spellings.
#[derive(Debug)]
pub struct Choices {
    pub names: &'static [&'static str],
    /// (alias, name) pairs.
    pub aliases: &'static [(&'static str, &'static str)],
}

impl Choices {
    /// Index of the value `s` names: any case, `-` and `_` alike, aliases too.
    pub fn parse(&self, s: &str) -> Result<usize, String> {
        let norm = |t: &str| t.trim().to_ascii_lowercase().replace('-', "_");
        let want = norm(s);
        let name = self
            .aliases
            .iter()
            .find(|(a, _)| norm(a) == want)
            .map_or(want.clone(), |(_, n)| norm(n));
        self.names
            .iter()
            .position(|n| norm(n) == name)
            .ok_or_else(|| format!("expected one of {}", self.names.join(", ")))
    }
}

/// Declares an option enum: variants with their names (and aliases after `|`), `ALL`,
/// `as_str`, `Display`, `FromStr` (through [`Choices`]) and serde as the name.
macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident {
        $($(#[$vm:meta])* $v:ident = $s:literal $(| $alias:literal)*),+ $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub const CHOICES: &'static Choices = &Choices {
                names: &[$($s),+],
                aliases: &[$($(($alias, $s),)*)+],
            };
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                // ALL and CHOICES.names list the same variants in the same order.
                Self::CHOICES.parse(s).map(|i| Self::ALL[i])
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl Field for $name {
            fn to_val(&self) -> Val {
                Val::Choice(self.as_str())
            }
            fn from_val(v: Val) -> Option<Self> {
                let Val::Choice(n) = v else { return None };
                Self::ALL.iter().copied().find(|x| x.as_str() == n)
            }
        }
    };
}

named_enum! {
    /// Block compression for SST files.
    Compression { None = "none", Snappy = "snappy", Lz4 = "lz4", Zstd = "zstd" }
}

named_enum! {
    /// RocksDB compaction style.
    CompactionStyle {
        Level = "level",
        Universal = "universal",
        /// Oldest files are deleted once the database passes `fifo_max_size`.
        Fifo = "fifo",
    }
}

named_enum! {
    /// How a batch `load` writes its rows to RocksDB.
    BulkLoadMethod {
        /// Sorted SST files built with `SstFileWriter`, then `ingest_external_file`: atomic
        /// (all rows or none), durable when it returns, no WAL and no compaction for sorted
        /// input. The default: it measured fastest (see docs/engine.md).
        SstIngest = "sst-ingest" | "sst",
        /// Write batches with the WAL off, then a flush. Only used when the database is
        /// empty; loads into a non-empty database always ingest SST files.
        WalOffBatches = "wal-off-batches" | "batches",
    }
}

named_enum! {
    /// Which block cache RocksDB uses.
    BlockCacheType { Lru = "lru", HyperClock = "hyper_clock" }
}

named_enum! {
    /// RocksDB statistics level (RocksDB's `StatsLevel` names without the `k`).
    StatsLevel {
        DisableAll = "disable_all",
        /// Tickers and value histograms; no per-operation timers (the default).
        ExceptTimers = "except_timers",
        ExceptDetailedTimers = "except_detailed_timers",
        ExceptTimeForMutex = "except_time_for_mutex",
        All = "all",
    }
}

named_enum! {
    /// RocksDB PerfContext level for the threads that run operations.
    PerfLevel {
        Off = "off",
        Count = "count",
        TimeExceptMutex = "time_except_mutex",
        TimeAndCpuExceptMutex = "time_and_cpu_except_mutex",
    }
}

named_enum! {
    /// How RocksDB replays the write-ahead log at open when a record is damaged
    /// (RocksDB's `WALRecoveryMode`).
    WalRecoveryMode {
        /// Any damage refuses the open.
        AbsoluteConsistency = "absolute_consistency" | "absolute",
        /// Replay up to the first damaged record and drop the rest (later logs too).
        PointInTime = "point_in_time" | "pit",
        /// A torn last record (a crash mid-write) is dropped; damage before it refuses
        /// the open. The default: crashes recover, silent loss does not.
        TolerateCorruptedTail = "tolerate_corrupted_tail" | "tail",
        /// Skip every damaged record and replay the rest (can break write ordering).
        SkipAny = "skip_any",
    }
}

named_enum! {
    /// Which files' index and filter blocks stay pinned in the block cache while
    /// `cache_index_and_filter_blocks` is on (RocksDB's `unpartitioned_pinning` tier).
    /// Pinned blocks are never evicted, so a get never re-reads them from the file.
    PinningTier {
        /// Every file's, at every level (the bottommost level's large filters too).
        All = "all",
        /// Only files written by flushes (L0) and files no larger than those.
        Flush = "flush" | "l0",
        /// None: data blocks can push them out of the block cache.
        None = "none",
        /// RocksDB's legacy rule: `pin_l0_filter_and_index_blocks` decides (L0 only).
        Fallback = "fallback" | "legacy",
    }
}

named_enum! {
    /// Which value cache answers gets (`value_cache_policy`).
    ValueCachePolicy {
        /// The compact CLOCK cache: packed arena, ~15 B of bookkeeping per value.
        Clock = "clock",
        /// The original plan's `lru`-crate cache (~80 B of bookkeeping per value).
        Lru = "lru",
    }
}

named_enum! {
    /// When the value cache is filled with stored rows (`warm_value_cache`).
    WarmValueCache {
        /// Never: the cache fills from gets only.
        Off = "off",
        /// After a load, and at open when the database has rows, by a task that runs
        /// beside reads and writes ([`crate::Db::warm_value_cache`]); the load
        /// itself runs at full speed.
        Background = "background",
        /// Inside the load, before it returns (the load is slower by the warm-up).
        Inline = "inline",
    }
}

/// The old name of `warm_value_cache`, still accepted (saved options files, profiles,
/// scripts): its `on` means `inline` (what it did) and `off` means `off`.
pub const OLD_WARM_NAME: &str = "warm_value_cache_on_load";

named_enum! {
    /// In-memory compression of the CLOCK cache's values (`value_cache_compression`).
    ValueCacheCompression { None = "none", Lz4 = "lz4", ZstdDict = "zstd-dict" | "zstd_dict" }
}

impl WarmValueCache {
    /// What the old boolean `warm_value_cache_on_load` meant: on warmed inside the load.
    pub fn from_bool(on: bool) -> WarmValueCache {
        if on {
            WarmValueCache::Inline
        } else {
            WarmValueCache::Off
        }
    }
}

impl PerfLevel {
    /// The level with discriminant `i` (`Off` when out of range).
    pub fn from_index(i: u8) -> PerfLevel {
        Self::ALL
            .get(usize::from(i))
            .copied()
            .unwrap_or(PerfLevel::Off)
    }
}

/// When a changed option takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Applies {
    /// Changes while the database is open.
    Live,
    /// RocksDB takes it at once, but only files written from now on use it (flushes and
    /// compactions; `.compact` rewrites the old ones).
    NewFiles,
    /// Needs the database closed and reopened (the shell does it; ALEX stays in memory).
    Reopen,
    /// Fixed while the database is open; used when a database is opened.
    AtOpen,
}

impl Applies {
    pub fn as_str(self) -> &'static str {
        match self {
            Applies::Live => "live",
            Applies::NewFiles => "new files",
            Applies::Reopen => "reopen",
            Applies::AtOpen => "at open",
        }
    }

    /// What the kind means for a change, in a sentence (for `.help OPTION`).
    pub fn meaning(self) -> &'static str {
        match self {
            Applies::Live => "a change takes effect at once, on the open database",
            Applies::NewFiles => {
                "RocksDB takes a change at once, but only files written from then on \
                 (flushes, compactions) use it; a full compaction rewrites the old ones"
            }
            Applies::Reopen => "a change closes and reopens RocksDB (ALEX stays in memory)",
            Applies::AtOpen => {
                "fixed while the database is open; a change applies at the next open"
            }
        }
    }
}

/// Description of one tunable, for `.show options`.
#[derive(Debug, Clone, Serialize)]
pub struct OptionInfo {
    pub name: &'static str,
    pub value: String,
    pub default: String,
    pub applies: Applies,
    pub changed: bool,
    pub help: &'static str,
}

/// One option's value, whatever its field type: what the table parses, formats and
/// range-checks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val {
    /// Sizes and whole numbers.
    Int(i128),
    Float(f64),
    Bool(bool),
    /// An enum option's value name.
    Choice(&'static str),
}

/// Plain text: numbers in full (sizes in bytes), `on`/`off`, names.
impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::Int(n) => write!(f, "{n}"),
            Val::Float(x) => write!(f, "{x}"),
            Val::Bool(b) => f.write_str(on_off(*b)),
            Val::Choice(s) => f.write_str(s),
        }
    }
}

/// Allowed whole numbers: `lo..=hi`, plus `or` (e.g. -1 for "unlimited").
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub lo: i128,
    pub hi: i128,
    pub or: Option<i128>,
    /// The error text when a value is outside.
    pub text: &'static str,
}

const fn range(lo: usize, hi: usize, text: &'static str) -> Range {
    Range {
        lo: lo as i128,
        hi: hi as i128,
        or: None,
        text,
    }
}

/// An option's type: how its text is parsed and formatted, and what it allows.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    /// Bytes, written with binary units (`16KiB`, `512MiB`).
    Size(Range),
    Int(Range),
    Float {
        lo: f64,
        hi: f64,
        text: &'static str,
    },
    Bool,
    Enum(&'static Choices),
}

impl Ty {
    /// Parses user text (no range check: that is `check`'s).
    pub fn parse(&self, s: &str) -> Result<Val, String> {
        match self {
            Ty::Size(_) if s.trim_start().starts_with('-') => {
                Err("sizes cannot be negative".to_string())
            }
            Ty::Size(_) => parse_size(s).map(|n| Val::Int(n as i128)),
            Ty::Int(_) => parse_num(s).map(Val::Int),
            Ty::Float { .. } => parse_num(s).map(Val::Float),
            Ty::Bool => parse_bool(s).map(Val::Bool),
            Ty::Enum(c) => c.parse(s).map(|i| Val::Choice(c.names[i])),
        }
    }

    /// The text `parse` reads back (`512MiB`, `on`, `lz4`, `10`).
    pub fn format(&self, v: Val) -> String {
        match (self, v) {
            (Ty::Size(_), Val::Int(n)) => usize::try_from(n).map_or(n.to_string(), format_size),
            _ => v.to_string(),
        }
    }

    /// `Err(text)` when `v` is out of range.
    pub fn check(&self, v: Val) -> Result<(), &'static str> {
        match (self, v) {
            (Ty::Size(r) | Ty::Int(r), Val::Int(n)) => {
                let ok = (r.lo..=r.hi).contains(&n) || r.or == Some(n);
                if ok { Ok(()) } else { Err(r.text) }
            }
            (Ty::Float { lo, hi, text }, Val::Float(x)) => {
                let ok = x.is_finite() && (*lo..=*hi).contains(&x);
                if ok { Ok(()) } else { Err(text) }
            }
            _ => Ok(()),
        }
    }

    /// The allowed values in words (`0 .. 1TiB`, `on or off`, `lz4, zstd`).
    pub fn allowed(&self) -> String {
        match self {
            Ty::Size(r) => {
                let f = |n: i128| usize::try_from(n).map_or(n.to_string(), format_size);
                format!("{} .. {}", f(r.lo), f(r.hi))
            }
            Ty::Int(r) => match r.or {
                Some(x) => format!("{x}, or {} .. {}", r.lo, r.hi),
                None => format!("{} .. {}", r.lo, r.hi),
            },
            Ty::Float { lo, hi, .. } => format!("{lo} .. {hi}"),
            Ty::Bool => "on or off".to_string(),
            Ty::Enum(c) => c.names.join(", "),
        }
    }

    /// The values to offer for completion when they form a short list.
    pub fn choices(&self) -> Vec<&'static str> {
        match self {
            Ty::Bool => vec!["on", "off"],
            Ty::Enum(c) => c.names.to_vec(),
            _ => Vec::new(),
        }
    }
}

/// The engine's live setters for options RocksDB has no `SetOptions` key for (matched
/// exhaustively in `live.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setter {
    BlockCacheCapacity,
    ValueCacheCapacity,
    ValueCachePolicy,
    ValueCacheCompression,
    /// WAL and sync together (one RocksDB `WriteOptions`).
    WriteMode,
    StatsLevel,
    PerfLevel,
    Timing,
    SampleRate,
    /// `verify_checksums` (the store's RocksDB `ReadOptions`).
    ReadMode,
    /// `value_cache_mrc` (the miss-ratio curve estimator).
    ValueCacheMrc,
    /// `lend_value_cache` (the value cache's unused bytes in the block cache).
    LendValueCache,
}

/// How an option's value is written in a RocksDB options string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RocksForm {
    /// The plain number.
    Number,
    /// RocksDB's compression name (`kLZ4Compression`).
    Compression,
    /// Inside a nested struct: `{field=number}`.
    Nested(&'static str),
}

/// How a change to an option is applied to an open database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apply {
    /// RocksDB's `SetOptions` with this key; live.
    SetOptions(&'static str, RocksForm),
    /// Part of the block-based table options, set whole through `SetOptions`; files
    /// written from now on use it, and RocksDB may refuse it (then a reopen applies it).
    Table,
    /// One of the engine's setters; live.
    Setter(Setter),
    /// Read from the options each time it is used; live.
    WhenUsed,
    /// Needs RocksDB closed and reopened.
    Reopen,
    /// Fixed while open.
    AtOpen,
}

impl Apply {
    /// When the change takes effect, derived from how it is applied.
    pub fn applies(self) -> Applies {
        match self {
            Apply::SetOptions(..) | Apply::Setter(_) | Apply::WhenUsed => Applies::Live,
            Apply::Table => Applies::NewFiles,
            Apply::Reopen => Applies::Reopen,
            Apply::AtOpen => Applies::AtOpen,
        }
    }

    /// True when applying it reopens RocksDB, or may fall back to a reopen.
    pub fn may_reopen(self) -> bool {
        matches!(self, Apply::Reopen | Apply::Table)
    }
}

/// One row of the options table.
#[derive(Debug)]
pub struct OptSpec {
    pub opt: Opt,
    pub name: &'static str,
    /// Old names still accepted by `set`/`get`.
    pub aliases: &'static [&'static str],
    pub ty: Ty,
    pub apply: Apply,
    pub help: &'static str,
    /// The field's doc comment, line by line (the longer explanation for `.help`).
    pub doc: &'static [&'static str],
    /// What to watch after changing it, by dashboard pane name ("Cache: ..."); a front
    /// end adds its own keys for the panes.
    pub watch: &'static str,
}

/// A field type the table can hold: it converts to and from a [`Val`].
trait Field: Sized {
    fn to_val(&self) -> Val;
    fn from_val(v: Val) -> Option<Self>;
}

macro_rules! int_field {
    ($($t:ty),+) => {$(
        impl Field for $t {
            fn to_val(&self) -> Val {
                Val::Int(*self as i128)
            }
            fn from_val(v: Val) -> Option<Self> {
                let Val::Int(n) = v else { return None };
                <$t>::try_from(n).ok()
            }
        }
    )+};
}
int_field!(usize, i32, u32);

/// Field types held in a `Val` variant as they are.
macro_rules! plain_field {
    ($($t:ty => $variant:ident),+) => {$(
        impl Field for $t {
            fn to_val(&self) -> Val {
                Val::$variant(*self)
            }
            fn from_val(v: Val) -> Option<Self> {
                let Val::$variant(x) = v else { return None };
                Some(x)
            }
        }
    )+};
}
plain_field!(f64 => Float, bool => Bool);

/// Declares every option once: the [`DbOptions`] field with its doc and default, the
/// [`Opt`] variant, and its [`OptSpec`] row.
macro_rules! options_table {
    (
        $(
        $(#[doc = $doc:literal])*
        $opt:ident $field:ident: $t:ty = $default:expr,
            $name:literal $([$($alias:literal),+])?, $ty:expr, $apply:expr, $help:literal
            $(, watch $watch:literal)?;
    )+) => {
        /// Every tunable of a [`crate::Db`]. `Default` is the original plan's tuning.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct DbOptions {
            $($(#[doc = $doc])* pub $field: $t,)+
        }

        impl Default for DbOptions {
            fn default() -> Self {
                Self { $($field: $default,)+ }
            }
        }

        /// One option, for engine code: a misspelt option is a compile error.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Opt { $($opt),+ }

        const COUNT: usize = [$($name),+].len();

        /// The table, in display order (`Opt as usize` indexes it).
        pub static SPECS: [OptSpec; COUNT] = [$(OptSpec {
            opt: Opt::$opt,
            name: $name,
            aliases: &[$($($alias),+)?],
            ty: $ty,
            apply: $apply,
            help: $help,
            doc: &[$($doc),*],
            watch: watch_or!($($watch)? ; default_watch($apply)),
        }),+];

        impl Opt {
            pub const ALL: [Opt; COUNT] = [$(Opt::$opt),+];
        }

        impl DbOptions {
            /// Names of every option, in display order.
            pub const NAMES: [&'static str; COUNT] = [$($name),+];

            /// Option `opt`'s value.
            pub fn value(&self, opt: Opt) -> Val {
                match opt { $(Opt::$opt => self.$field.to_val()),+ }
            }

            /// Stores `v` in option `opt`; `None` when `v` does not fit its field.
            fn put(&mut self, opt: Opt, v: Val) -> Option<()> {
                match opt { $(Opt::$opt => self.$field = Field::from_val(v)?),+ }
                Some(())
            }
        }
    };
}

/// An option's own "what to watch" text, or the one derived from how it is applied.
macro_rules! watch_or {
    ($w:literal ; $d:expr) => {
        $w
    };
    (; $d:expr) => {
        $d
    };
}

/// What to watch after a change, by how it is applied (entries override it where this
/// is too vague).
const fn default_watch(apply: Apply) -> &'static str {
    match apply {
        Apply::SetOptions(..) => {
            "LSM: levels, files and compactions as new files are written; \
             Throughput: the write rate"
        }
        Apply::Table => {
            "Cache: block-cache and bloom figures as new files replace old ones \
             (a full compaction rewrites them all); Latency: get p99"
        }
        Apply::Setter(_) => "Throughput and Latency: ops/s and p99 right after the change",
        Apply::WhenUsed => "Throughput: rows/s of the next bulk load",
        Apply::Reopen => "Throughput and Latency after the reopen (caches start cold)",
        Apply::AtOpen => "Memory and Latency after the next open",
    }
}

/// Default `metrics_sample_rate`: time 1 operation in 32. A timed value-cache hit costs
/// about 50-90 ns more than an untimed one (two TSC reads, six counter adds, a histogram
/// record; measured in benches/engine_measure.rs), while the hit itself costs 30-50 ns. At
/// 1 in 32 that is ~2 ns per operation on the cheapest path (under 5% of a hit, and
/// nothing next to a RocksDB read of 2-8 us), and a dashboard refreshing 4 times a second
/// at 1M ops/s still gets ~7,800 timed operations per frame, plenty for p99.
pub const DEFAULT_SAMPLE_RATE: u32 = 32;

// Short names for the table below.
use Apply::{Reopen, SetOptions, Table, WhenUsed};
use RocksForm::Number;

options_table! {
    /// Shared block cache for data, index and filter blocks (bytes); `block_cache_size`.
    BlockCacheSize block_cache_bytes: usize = 64 * MIB,
        "block_cache_size" ["block_cache_bytes"],
        Ty::Size(range(0, TIB, "must be between 0 and 1TiB")),
        Apply::Setter(Setter::BlockCacheCapacity),
        "RocksDB shared block cache size",
        watch "Cache: block-cache hit rate; Memory: bcache";
    BlockCacheType block_cache_type: BlockCacheType = BlockCacheType::Lru,
        "block_cache_type", Ty::Enum(BlockCacheType::CHOICES), Reopen,
        "block cache implementation (lru or hyper_clock)",
        watch "Cache: block-cache hit rate; Latency: get p99 under many threads";
    /// Bloom filter bits per key; 0 turns filters off.
    BloomBitsPerKey bloom_bits_per_key: f64 = 10.0,
        "bloom_bits_per_key" ["bloom_bits"],
        Ty::Float { lo: 0.0, hi: 100.0, text: "must be between 0 (off) and 100" },
        Table, "bloom filter bits per key (0 = no filter)",
        watch "Cache: bloom-skip rate for missing keys (new files); Memory: filter blocks";
    /// SST data block size (bytes).
    BlockSize block_size: usize = 16 * KIB,
        "block_size", Ty::Size(range(KIB, 64 * MIB, "must be between 1KiB and 64MiB")),
        Table, "SST data block size",
        watch "Cache: block-cache hit rate; Latency: get p99; LSM: size (new files)";
    /// Hash index inside data blocks (faster point lookups, a little more space).
    DataBlockHashIndex data_block_hash_index: bool = false,
        "data_block_hash_index", Ty::Bool, Table,
        "hash index in data blocks for point lookups",
        watch "Latency: get p99; Get split: block search time (new files)";
    /// Keep index and filter blocks in the block cache (charged to it).
    CacheIndexAndFilterBlocks cache_index_and_filter_blocks: bool = true,
        "cache_index_and_filter_blocks", Ty::Bool, Table,
        "keep index/filter blocks in the block cache",
        watch "Memory: bcache vs table readers; Cache: block-cache hit rate";
    /// Pin L0 index and filter blocks in the block cache.
    PinL0FilterAndIndexBlocks pin_l0_filter_and_index_blocks: bool = true,
        "pin_l0_filter_and_index_blocks", Ty::Bool, Table,
        "pin L0 index/filter blocks in the block cache",
        watch "Cache: block-cache hit rate; Memory: bcache";
    /// Compression of every level but the last.
    Compression compression: Compression = Compression::Lz4,
        "compression", Ty::Enum(Compression::CHOICES),
        SetOptions("compression", RocksForm::Compression),
        "compression of levels above the bottom (none/snappy/lz4/zstd)",
        watch "LSM: size on disk per level (new files); Get split: block read time";
    /// Compression of the bottommost level (also used by bulk-load SST files).
    BottommostCompression bottommost_compression: Compression = Compression::Lz4,
        "bottommost_compression", Ty::Enum(Compression::CHOICES),
        SetOptions("bottommost_compression", RocksForm::Compression),
        "compression of the bottom level and bulk-load files",
        watch "LSM: size on disk of the bottom level (new files); Get split: block read time";
    /// Memtable size (bytes).
    WriteBufferSize write_buffer_size: usize = 256 * MIB,
        "write_buffer_size",
        Ty::Size(range(64 * KIB, 64 * GIB, "must be between 64KiB and 64GiB")),
        SetOptions("write_buffer_size", Number), "memtable size",
        watch "Memory: memtables; LSM: L0 files and flushes";
    /// Memtables kept before writes stall.
    MaxWriteBufferNumber max_write_buffer_number: i32 = 4,
        "max_write_buffer_number", Ty::Int(range(2, 64, "must be between 2 and 64")),
        SetOptions("max_write_buffer_number", Number), "memtables kept before writes stall",
        watch "Memory: memtables; Throughput: write stalls";
    Level0FileNumCompactionTrigger level0_file_num_compaction_trigger: i32 = 4,
        "level0_file_num_compaction_trigger",
        Ty::Int(range(1, 1000, "must be between 1 and 1000")),
        SetOptions("level0_file_num_compaction_trigger", Number),
        "L0 files that start a compaction",
        watch "LSM: L0 file count and compactions; Latency: get p99";
    /// L0 files at which RocksDB starts delaying writes (its default, 20).
    Level0SlowdownWritesTrigger level0_slowdown_writes_trigger: i32 = 20,
        "level0_slowdown_writes_trigger",
        Ty::Int(range(1, 100_000, "must be between 1 and 100000")),
        SetOptions("level0_slowdown_writes_trigger", Number),
        "L0 files at which writes are delayed",
        watch "LSM: L0 files and the write stall cause; Throughput: write stalls";
    /// L0 files at which RocksDB stops writes until a compaction catches up (its
    /// default, 36); at least `level0_slowdown_writes_trigger`.
    Level0StopWritesTrigger level0_stop_writes_trigger: i32 = 36,
        "level0_stop_writes_trigger",
        Ty::Int(range(1, 100_000, "must be between 1 and 100000")),
        SetOptions("level0_stop_writes_trigger", Number),
        "L0 files at which writes stop",
        watch "LSM: L0 files and the write stall cause; Throughput: write stalls";
    /// Estimated compaction debt at which RocksDB starts delaying writes (its default,
    /// 64 GiB); 0 = no limit.
    SoftPendingCompactionBytesLimit soft_pending_compaction_bytes_limit: usize = 64 * GIB,
        "soft_pending_compaction_bytes_limit",
        Ty::Size(range(0, 1024 * TIB, "must be between 0 (no limit) and 1PiB")),
        SetOptions("soft_pending_compaction_bytes_limit", Number),
        "compaction debt at which writes are delayed (0 = no limit)",
        watch "LSM: pending compaction bytes and the write stall cause; Throughput: write stalls";
    /// Estimated compaction debt at which RocksDB stops writes (its default, 256 GiB);
    /// 0 = no limit; when both are set, at least `soft_pending_compaction_bytes_limit`.
    HardPendingCompactionBytesLimit hard_pending_compaction_bytes_limit: usize = 256 * GIB,
        "hard_pending_compaction_bytes_limit",
        Ty::Size(range(0, 1024 * TIB, "must be between 0 (no limit) and 1PiB")),
        SetOptions("hard_pending_compaction_bytes_limit", Number),
        "compaction debt at which writes stop (0 = no limit)",
        watch "LSM: pending compaction bytes and the write stall cause; Throughput: write stalls";
    TargetFileSizeBase target_file_size_base: usize = 64 * MIB,
        "target_file_size_base",
        Ty::Size(range(64 * KIB, 64 * GIB, "must be between 64KiB and 64GiB")),
        SetOptions("target_file_size_base", Number), "target SST file size at L1";
    MaxBytesForLevelBase max_bytes_for_level_base: usize = 256 * MIB,
        "max_bytes_for_level_base",
        Ty::Size(range(64 * KIB, TIB, "must be between 64KiB and 1TiB")),
        SetOptions("max_bytes_for_level_base", Number), "total size of L1";
    CompactionStyle compaction_style: CompactionStyle = CompactionStyle::Level,
        "compaction_style", Ty::Enum(CompactionStyle::CHOICES), Reopen,
        "level, universal or fifo compaction";
    /// FIFO compaction deletes the oldest files above this total size.
    FifoMaxSize fifo_max_size: usize = GIB,
        "fifo_max_size", Ty::Size(range(MIB, 1024 * TIB, "must be between 1MiB and 1PiB")),
        SetOptions("compaction_options_fifo", RocksForm::Nested("max_table_files_size")),
        "fifo: delete the oldest files above this total size",
        watch "LSM: total size stays under this";
    /// -1 keeps every SST file open.
    MaxOpenFiles max_open_files: i32 = -1,
        "max_open_files",
        Ty::Int(Range {
            or: Some(-1),
            ..range(16, 10_000_000, "must be -1 (unlimited) or between 16 and 10000000")
        }),
        Reopen, "SST files kept open (-1 = all)",
        watch "Memory: table readers; Latency: get p99";
    /// Background flush + compaction threads.
    MaxBackgroundJobs max_background_jobs: i32 = 2,
        "max_background_jobs", Ty::Int(range(1, 256, "must be between 1 and 256")),
        Reopen, "background flush and compaction threads",
        watch "LSM: pending compactions; Throughput: write stalls";
    UseDirectReads use_direct_reads: bool = false,
        "use_direct_reads", Ty::Bool, Reopen, "O_DIRECT reads (bypass the OS page cache)",
        watch "Latency: get p99 (the OS page cache no longer helps); Memory: RSS";
    UseDirectIoForFlushAndCompaction use_direct_io_for_flush_and_compaction: bool = false,
        "use_direct_io_for_flush_and_compaction", Ty::Bool, Reopen,
        "O_DIRECT for flush and compaction",
        watch "Throughput: write rate during compactions; LSM: compactions";
    AllowMmapReads allow_mmap_reads: bool = false,
        "allow_mmap_reads", Ty::Bool, Reopen, "read SST files through mmap",
        watch "Latency: get p99; Memory: RSS (mapped files)";
    /// Write-ahead log for `put`/`delete`. Off loses unflushed writes on a crash.
    Wal wal: bool = true,
        "wal", Ty::Bool, Apply::Setter(Setter::WriteMode), "write-ahead log for put/delete",
        watch "Throughput: put rate; Latency: put p99";
    /// fsync the WAL on every write (`sync`; power-loss safe, much slower). Off still
    /// survives a process crash: the WAL is in the OS page cache once a write returns.
    Sync sync_writes: bool = false,
        "sync" ["sync_writes"], Ty::Bool, Apply::Setter(Setter::WriteMode),
        "fsync the WAL on every write",
        watch "Throughput: put rate; Latency: put p99 (each put waits for the disk)";
    /// Cap on the value cache's entries (the cache is sized by `value_cache_size`);
    /// 0 turns the value cache off, 1000000000 is no cap.
    ValueCacheEntries value_cache_entries: usize = 1_000_000_000,
        "value_cache_entries",
        Ty::Int(range(0, 1_000_000_000, "must be between 0 (off) and 1000000000")),
        Apply::Setter(Setter::ValueCacheCapacity),
        "cap on value cache entries (0 = off, 1000000000 = no cap)",
        watch "Cache: value-cache hit rate; Memory: vcache";
    /// Independently locked shards of the value cache.
    ValueCacheShards value_cache_shards: usize = 16,
        "value_cache_shards", Ty::Int(range(1, 1024, "must be between 1 and 1024")),
        Apply::AtOpen, "value cache shards (independent locks)",
        watch "Latency: get p99 under many threads; Cache: value-cache hit rate";
    /// Fill the value cache's free room with stored rows (key order) after a load and
    /// at open: `off`; `background` (the default: the load runs at full speed, the
    /// warm-up runs afterwards beside reads and writes, can be stopped, and stops when
    /// the cache is full); `inline` (inside the load, before it returns). The old name
    /// `warm_value_cache_on_load` is accepted: `on` means `inline`, `off` means `off`.
    WarmValueCache warm_value_cache: WarmValueCache = WarmValueCache::Background,
        "warm_value_cache" ["warm_value_cache_on_load"], Ty::Enum(WarmValueCache::CHOICES),
        WhenUsed,
        "fill the value cache with stored rows after a load or open: off, background, inline",
        watch "Cache: value-cache hit rate after a load or open; Memory: vcache; Throughput: load rows/s";
    /// How `load` writes rows.
    BulkLoadMethod bulk_load_method: BulkLoadMethod = BulkLoadMethod::SstIngest,
        "bulk_load_method", Ty::Enum(BulkLoadMethod::CHOICES), WhenUsed,
        "load via sst-ingest or wal-off-batches";
    /// Rows per SST file written by `load` (files are ingested together at the end).
    BulkLoadRowsPerFile bulk_load_rows_per_file: usize = 4_000_000,
        "bulk_load_rows_per_file",
        Ty::Int(range(1_000, 1_000_000_000, "must be between 1000 and 1000000000")),
        WhenUsed, "rows per SST file written by load";
    /// RocksDB statistics (tickers for block cache and bloom); costs a little per read.
    RocksdbStatistics rocksdb_statistics: bool = true,
        "rocksdb_statistics", Ty::Bool, Reopen, "RocksDB tickers (block cache, bloom)",
        watch "Cache: block-cache and bloom figures (they need statistics); Throughput: its cost";
    StatsLevel stats_level: StatsLevel = StatsLevel::ExceptTimers,
        "stats_level", Ty::Enum(StatsLevel::CHOICES), Apply::Setter(Setter::StatsLevel),
        "RocksDB statistics detail",
        watch "Cache: block-cache and bloom figures; Throughput: its cost";
    PerfLevel perf_level: PerfLevel = PerfLevel::Off,
        "perf_level", Ty::Enum(PerfLevel::CHOICES), Apply::Setter(Setter::PerfLevel),
        "RocksDB PerfContext detail for operation threads",
        watch "Get split: where a get spends its time (needs perf_level above off)";
    /// Engine latency timing; counters are always kept.
    Metrics metrics: bool = true,
        "metrics", Ty::Bool, Apply::Setter(Setter::Timing), "engine latency timing",
        watch "Latency: percentiles (off: no new samples); Get split";
    /// Time 1 in N operations (1 = every operation).
    MetricsSampleRate metrics_sample_rate: u32 = DEFAULT_SAMPLE_RATE,
        "metrics_sample_rate",
        Ty::Int(range(1, 1_000_000, "must be between 1 (time every operation) and 1000000")),
        Apply::Setter(Setter::SampleRate), "time 1 in N operations",
        watch "Latency: the sample count under each percentile; Throughput: timing cost";
    /// Create the database when the directory is missing or empty.
    CreateIfMissing create_if_missing: bool = true,
        "create_if_missing", Ty::Bool, WhenUsed,
        "create the database if the directory is missing or empty",
        watch "Options: shows it; it matters only when a database is opened";
    /// What WAL replay at open does with a damaged record; the default refuses to open
    /// past damage that is not a crash's torn tail.
    WalRecoveryMode wal_recovery_mode: WalRecoveryMode = WalRecoveryMode::TolerateCorruptedTail,
        "wal_recovery_mode", Ty::Enum(WalRecoveryMode::CHOICES), Apply::AtOpen,
        "WAL damage at open: tolerate_corrupted_tail, point_in_time, absolute_consistency or skip_any",
        watch "Options: shows it; it matters only when a database is opened";
    /// No filters for the bottommost level, and gets skip its filters: ALEX already
    /// answers absent keys, so a filter there only says "maybe" to keys that exist.
    /// RocksDB cannot change it on an open database.
    OptimizeFiltersForHits optimize_filters_for_hits: bool = true,
        "optimize_filters_for_hits", Ty::Bool, Reopen,
        "no bloom filters at the bottommost level (ALEX answers absent keys)",
        watch "Memory: bcache (filter blocks); Get split: filter time";
    /// Check each block's checksum when it is read from a file (a read option: gets,
    /// batched gets and scans; ALEX rebuilds and `.check` always verify).
    VerifyChecksums verify_checksums: bool = true,
        "verify_checksums", Ty::Bool, Apply::Setter(Setter::ReadMode),
        "check block checksums on reads from SST files",
        watch "Get split: block read time; Latency: get p99";
    /// Which files' cached index and filter blocks are pinned (never evicted).
    PinIndexAndFilterBlocks pin_index_and_filter_blocks: PinningTier = PinningTier::All,
        "pin_index_and_filter_blocks", Ty::Enum(PinningTier::CHOICES), Table,
        "pin cached index/filter blocks: all levels, flush (L0), none or fallback",
        watch "Memory: bcache pinned; Cache: index/filter block-cache misses";
    /// Fill ratio of the hash index in data blocks (with `data_block_hash_index`).
    DataBlockHashRatio data_block_hash_ratio: f64 = 0.75,
        "data_block_hash_ratio",
        Ty::Float { lo: 0.1, hi: 1.0, text: "must be between 0.1 and 1" },
        Table, "fill ratio of the data-block hash index (lower: fewer collisions, more space)",
        watch "Get split: block search time; LSM: size (new files)";
    /// The value cache's memory in bytes, bookkeeping included; 0 turns it off.
    ValueCacheSize value_cache_size: usize = GIB,
        "value_cache_size", Ty::Size(range(0, TIB, "must be between 0 (off) and 1TiB")),
        Apply::Setter(Setter::ValueCacheCapacity),
        "value cache memory, bookkeeping included (0 = off)",
        watch "Cache: value-cache hit rate; Memory: vcache";
    /// Which value cache answers gets: clock (compact) or lru (the original plan's).
    ValueCachePolicy value_cache_policy: ValueCachePolicy = ValueCachePolicy::Clock,
        "value_cache_policy", Ty::Enum(ValueCachePolicy::CHOICES),
        Apply::Setter(Setter::ValueCachePolicy),
        "value cache policy: clock (compact) or lru (original plan)",
        watch "Cache: value-cache hit rate (starts cold); Latency: get p50";
    /// Compression of values in the clock cache; a change empties that cache.
    ValueCacheCompression value_cache_compression: ValueCacheCompression =
        ValueCacheCompression::Lz4,
        "value_cache_compression", Ty::Enum(ValueCacheCompression::CHOICES),
        Apply::Setter(Setter::ValueCacheCompression),
        "compression of cached values: none, lz4 or zstd-dict (clock only)",
        watch "Cache: entries held and hit rate; Latency: get p50 (decoding)";
    /// Estimate the value cache's miss-ratio curve from a hash sample of the gets
    /// (`.mrc`); off stops sampling and drops the estimate.
    ValueCacheMrc value_cache_mrc: bool = true,
        "value_cache_mrc", Ty::Bool, Apply::Setter(Setter::ValueCacheMrc),
        "estimate the value cache's miss-ratio curve",
        watch "Cache: the miss-ratio curve; Latency: get p50 (sampling cost)";
    /// While the value cache is not full, the block cache may grow into its unused
    /// bytes; they go back as it fills (see lend.rs).
    LendValueCache lend_value_cache: bool = true,
        "lend_value_cache", Ty::Bool, Apply::Setter(Setter::LendValueCache),
        "lend the value cache's unused bytes to the block cache until it fills",
        watch "Cache: block used/capacity; Latency: get p50 on a cold cache";
}

impl Opt {
    /// This option's row of the table.
    pub fn spec(self) -> &'static OptSpec {
        // SPECS lists the options in the order Opt declares them.
        &SPECS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// When a change to it takes effect.
    pub fn applies(self) -> Applies {
        self.spec().apply.applies()
    }

    /// True for an option whose effect reaches only files written after a change: the
    /// table options ("new files"), and the compressions, which RocksDB takes live but
    /// applies to flushes and compactions from then on. Data already on disk keeps the
    /// old value until it is rewritten (`.compact`).
    pub fn reaches_new_files_only(self) -> bool {
        self.applies() == Applies::NewFiles
            || matches!(self, Opt::Compression | Opt::BottommostCompression)
    }

    /// True for an option that decides whether an acknowledged write survives a crash
    /// (`wal`, `sync`, and `wal_recovery_mode` at open): an experiment never varies it.
    pub fn is_durability(self) -> bool {
        self.spec().apply == Apply::Setter(Setter::WriteMode) || self == Opt::WalRecoveryMode
    }

    /// The option `name` (or one of its aliases) means, any case.
    pub fn from_name(name: &str) -> Option<Opt> {
        let n = name.trim().to_ascii_lowercase();
        SPECS
            .iter()
            .find(|s| s.name == n || s.aliases.contains(&n.as_str()))
            .map(|s| s.opt)
    }

    /// Like `from_name`, with the user's error (and a "did you mean") for an unknown name.
    pub fn lookup(name: &str) -> Result<Opt, DbError> {
        Opt::from_name(name).ok_or_else(|| unknown(name))
    }
}

fn invalid(name: &str, value: impl fmt::Display, reason: impl Into<String>) -> DbError {
    DbError::InvalidOption {
        name: name.to_string(),
        value: value.to_string(),
        reason: reason.into(),
    }
}

/// Parses a byte size: `4096`, `16k`, `16KiB`, `512M`, `512MB`, `1g`, `1GiB` (binary units).
pub fn parse_size(s: &str) -> Result<usize, String> {
    let not_a_size = || format!("{s:?} is not a size (use e.g. 4096, 16KiB, 512MiB, 1GiB)");
    let t = s.trim().replace('_', "");
    let lower = t.to_ascii_lowercase();
    let split = lower
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(split);
    let mult: usize = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => KIB,
        "m" | "mb" | "mib" => MIB,
        "g" | "gb" | "gib" => GIB,
        "t" | "tb" | "tib" => TIB,
        _ => return Err(not_a_size()),
    };
    if num.is_empty() {
        return Err(not_a_size());
    }
    let n: f64 = num.parse().map_err(|_| not_a_size())?;
    let bytes = n * mult as f64;
    if !(0.0..=(u64::MAX as f64)).contains(&bytes) {
        return Err(format!("{s:?} is out of range"));
    }
    Ok(bytes as usize)
}

/// Formats a byte size the way `parse_size` reads it back (`512MiB`, `16KiB`, `100`).
pub fn format_size(n: usize) -> String {
    for (unit, m) in [("GiB", GIB), ("MiB", MIB), ("KiB", KIB)] {
        if n >= m && n.is_multiple_of(m) {
            return format!("{}{unit}", n / m);
        }
    }
    n.to_string()
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Ok(true),
        "false" | "off" | "no" | "0" => Ok(false),
        _ => Err("expected on/off (true/false)".to_string()),
    }
}

fn parse_num<T: FromStr>(s: &str) -> Result<T, String> {
    s.trim()
        .replace('_', "")
        .parse()
        .map_err(|_| "expected a number".to_string())
}

fn on_off(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

/// The canonical name of an option (resolving aliases), or `None` if unknown.
pub fn canonical_name(name: &str) -> Option<&'static str> {
    Opt::from_name(name).map(Opt::name)
}

/// The known option nearest to `name` (for "did you mean").
pub fn nearest_name(name: &str) -> Option<&'static str> {
    let n = name.trim().to_ascii_lowercase();
    DbOptions::NAMES
        .iter()
        .copied()
        .map(|k| (edit_distance(&n, k), k))
        .filter(|(d, k)| *d <= (k.len() / 2).max(2) || k.contains(n.as_str()))
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn unknown(name: &str) -> DbError {
    DbError::UnknownOption {
        name: name.to_string(),
        hint: nearest_name(name)
            .map(|n| format!("; did you mean \"{n}\"?"))
            .unwrap_or_default(),
    }
}

impl DbOptions {
    /// Checks every field; the error names the option, its value and the allowed range.
    pub fn validate(&self) -> Result<(), DbError> {
        for s in &SPECS {
            let v = self.value(s.opt);
            s.ty.check(v).map_err(|text| invalid(s.name, v, text))?;
        }
        self.check_combinations()
    }

    /// The rules between options.
    fn check_combinations(&self) -> Result<(), DbError> {
        if self.sync_writes && !self.wal {
            return Err(invalid(
                Opt::Sync.name(),
                "on",
                "needs wal on (there is no log to sync)",
            ));
        }
        if self.compaction_style == CompactionStyle::Fifo && self.max_open_files != -1 {
            return Err(invalid(
                Opt::MaxOpenFiles.name(),
                self.max_open_files,
                "must be -1 with fifo compaction (RocksDB requires it)",
            ));
        }
        self.check_stall_limits()?;
        if self.use_direct_reads && self.allow_mmap_reads {
            return Err(invalid(
                Opt::AllowMmapReads.name(),
                "on",
                "cannot be combined with use_direct_reads; turn that off first",
            ));
        }
        Ok(())
    }

    /// The write-stall thresholds in order: RocksDB would silently raise a stop below
    /// its slowdown (at open) or stall on the lower one (live), so refuse it instead.
    fn check_stall_limits(&self) -> Result<(), DbError> {
        if self.level0_stop_writes_trigger < self.level0_slowdown_writes_trigger {
            return Err(invalid(
                Opt::Level0StopWritesTrigger.name(),
                self.level0_stop_writes_trigger,
                format!(
                    "must be at least level0_slowdown_writes_trigger ({})",
                    self.level0_slowdown_writes_trigger
                ),
            ));
        }
        let (soft, hard) = (
            self.soft_pending_compaction_bytes_limit,
            self.hard_pending_compaction_bytes_limit,
        );
        if soft > 0 && hard > 0 && hard < soft {
            return Err(invalid(
                Opt::HardPendingCompactionBytesLimit.name(),
                format_size(hard),
                format!(
                    "must be 0 (no limit) or at least soft_pending_compaction_bytes_limit ({})",
                    format_size(soft)
                ),
            ));
        }
        Ok(())
    }

    /// Sets one option from text (`block_cache_size 1GiB`), validating the result.
    /// On error the options are unchanged. Returns the option's canonical name.
    pub fn set(&mut self, name: &str, value: &str) -> Result<&'static str, DbError> {
        let mut next = self.clone();
        let key = next.set_unvalidated(name, value)?;
        // The option's own range first, refused with the value as the user wrote it
        // (`100TiB`, not its bytes); `validate` then checks the rest.
        let s = Opt::lookup(key)?.spec();
        s.ty.check(next.value(s.opt))
            .map_err(|text| invalid(s.name, value.trim(), text))?;
        next.validate()?;
        *self = next;
        Ok(key)
    }

    /// Parses and sets one option without the range and cross-option checks of
    /// `validate` (for moving between two valid sets of options one field at a time).
    pub fn set_unvalidated(&mut self, name: &str, value: &str) -> Result<&'static str, DbError> {
        let opt = Opt::lookup(name)?;
        // The old boolean name of `warm_value_cache`: on = inline, off = off.
        let old_warm = name.trim().eq_ignore_ascii_case(OLD_WARM_NAME);
        let value = match parse_bool(value) {
            Ok(b) if old_warm => WarmValueCache::from_bool(b).as_str(),
            _ => value,
        };
        let s = opt.spec();
        let v = s.ty.parse(value).map_err(|e| invalid(s.name, value, e))?;
        // A number too large for its field is out of the option's range too.
        let out_of_range = || match s.ty.check(v) {
            Err(text) => invalid(s.name, value, text),
            Ok(()) => invalid(s.name, value, "out of range"),
        };
        self.put(opt, v).ok_or_else(out_of_range)?;
        Ok(s.name)
    }

    /// Current value of one option as text, or `None` for an unknown name.
    pub fn get(&self, name: &str) -> Option<String> {
        Opt::from_name(name).map(|o| self.text(o))
    }

    /// Option `opt`'s value as text (`512MiB`, `on`, `lz4`).
    pub fn text(&self, opt: Opt) -> String {
        opt.spec().ty.format(self.value(opt))
    }

    /// Copies option `opt` from `other`.
    pub fn copy_from(&mut self, opt: Opt, other: &DbOptions) {
        // Both hold the field's own type, so the value always fits.
        let _fits = self.put(opt, other.value(opt));
    }

    /// Every option with its current value, default, when it applies and a one-line help.
    pub fn describe(&self) -> Vec<OptionInfo> {
        let defaults = DbOptions::default();
        SPECS
            .iter()
            .map(|s| {
                let value = self.text(s.opt);
                let default = defaults.text(s.opt);
                OptionInfo {
                    name: s.name,
                    changed: value != default,
                    value,
                    default,
                    applies: s.apply.applies(),
                    help: s.help,
                }
            })
            .collect()
    }

    /// The options whose values differ between `self` and `other`, in table order.
    pub fn diff(&self, other: &DbOptions) -> Vec<Opt> {
        Opt::ALL
            .into_iter()
            .filter(|&o| self.value(o) != other.value(o))
            .collect()
    }
}

/// The values option `name` accepts when they form a short list (for completion).
pub fn value_choices(name: &str) -> Vec<&'static str> {
    Opt::from_name(name).map_or_else(Vec::new, |o| o.spec().ty.choices())
}

/// Refuse a set of options whose caches pass the machine's memory by this factor.
pub const MEMORY_REFUSE_FACTOR: u64 = 4;

/// Environment variable that overrides the machine's memory (bytes or a size such as
/// `8GiB`) for the memory check, so tests do not depend on the machine they run on.
pub const MACHINE_MEMORY_ENV: &str = "ALEXDB_MACHINE_MEMORY";

/// The machine's total memory in bytes ([`MACHINE_MEMORY_ENV`] if set), or `None` when
/// it cannot be read (then no memory check is made).
pub fn machine_memory() -> Option<u64> {
    if let Ok(text) = std::env::var(MACHINE_MEMORY_ENV) {
        return parse_size(&text).ok().map(|n| n as u64);
    }
    let mut sys = sysinfo::System::new().ok()?;
    sys.refresh_memory();
    Some(sys.total_memory()).filter(|&n| n > 0)
}

/// Bytes as a person reads them: `23.5 GiB`, `512.0 MiB`, `100 B`.
pub fn human_bytes(n: u64) -> String {
    let units = [("TiB", TIB), ("GiB", GIB), ("MiB", MIB), ("KiB", KIB)];
    for (unit, m) in units {
        if n >= m as u64 {
            return format!("{:.1} {unit}", n as f64 / m as f64);
        }
    }
    format!("{n} B")
}

impl DbOptions {
    /// Memory the caches may take: the block cache, the value cache (its size in bytes,
    /// bookkeeping included) and the write buffers (size times their number).
    pub fn cache_memory(&self) -> u64 {
        let value_cache = self.value_cache_memory();
        let buffers = (self.write_buffer_size as u64)
            .saturating_mul(u64::try_from(self.max_write_buffer_number).unwrap_or(0));
        (self.block_cache_bytes as u64)
            .saturating_add(value_cache)
            .saturating_add(buffers)
    }

    /// Checks the caches against `machine` bytes of memory: an error past
    /// [`MEMORY_REFUSE_FACTOR`] times it, a warning past it, else `None`.
    pub fn check_memory(&self, machine: u64) -> Result<Option<String>, DbError> {
        let total = self.cache_memory();
        if total <= machine {
            return Ok(None);
        }
        let parts = format!(
            "block cache {} + value cache {} + write buffers {}",
            human_bytes(self.block_cache_bytes as u64),
            human_bytes(self.value_cache_memory()),
            human_bytes(total - self.block_cache_bytes as u64 - self.value_cache_memory()),
        );
        let machine_text = human_bytes(machine);
        if total > machine.saturating_mul(MEMORY_REFUSE_FACTOR) {
            return Err(DbError::Refused(format!(
                "caches would take {} ({parts}), over {MEMORY_REFUSE_FACTOR}x this machine's \
                 {machine_text} of memory; nothing changed",
                human_bytes(total)
            )));
        }
        Ok(Some(format!(
            "warning: caches may take {} ({parts}), more than this machine's {machine_text}",
            human_bytes(total)
        )))
    }
}

impl DbOptions {
    /// The value cache's warm-up in force.
    pub fn warm_mode(&self) -> WarmValueCache {
        self.warm_value_cache
    }

    /// The value cache's memory: `value_cache_size`, or nothing when it is off.
    pub fn value_cache_memory(&self) -> u64 {
        if self.value_cache_entries == 0 {
            0
        } else {
            self.value_cache_size as u64
        }
    }
}
