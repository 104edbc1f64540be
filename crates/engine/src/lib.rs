//! The database engine. No terminal code lives here.
//!
//! [`Db`] puts three layers behind one thread-safe handle: the ALEX learned index
//! ([`index`]) that holds every key, RocksDB ([`store`]) that holds the values, and a value
//! cache ([`cache`], CLOCK or LRU, sized in bytes) for hot values. [`options`] lists every
//! tunable and [`error`] every failure.
pub mod cache;
pub mod codec;
pub mod db;
pub mod error;
mod fifo;
mod fifo_open;
pub mod held;
/// The learned index lives in its own crate (`alex`, no RocksDB); re-exported under its
/// old name so `engine::index::AlexIndex` still reads as the layer it is.
pub use alex as index;
pub mod inspect;
mod keys;
mod lend;
mod limits;
mod listener;
pub mod live;
pub mod load;
pub mod lsm;
pub mod metrics;
pub mod mrc;
pub mod options;
mod order;
pub mod persist;
pub mod profiles;
mod reopen;
pub mod store;
#[cfg(feature = "test-hooks")]
pub mod testing;
pub mod trace;

pub use cache::Value;
pub use db::{CheckPhase, CheckProgress, CheckReport, Db, OpenStats};
pub use error::{DbError, OpenError, parse_key};
pub use held::HeldBytes;
pub use live::{ChangePlan, OptionChange};
pub use load::{LoadReport, WarmProgress, WarmReport, WarmStop};
pub use options::{
    Applies, BlockCacheType, BulkLoadMethod, CompactionStyle, Compression, DbOptions,
    MAX_VALUE_BYTES, Opt, PerfLevel, PinningTier, StatsLevel, ValueCacheCompression,
    ValueCachePolicy, WarmValueCache,
};
pub use store::{DamagedRange, SstError, decode_key, encode_key, key_hash};
