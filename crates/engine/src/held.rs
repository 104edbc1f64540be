//! What the process holds in memory for data, part by part: the figures a memory budget
//! is checked against (issue 13). RocksDB's parts come from its properties.
use serde::Serialize;

/// Bytes held for data right now. `block_cache_pinned` is part of `block_cache_usage`
/// (pinned blocks are charged to the block cache); `table_readers` is outside it (index
/// and filter blocks held by open table files when `cache_index_and_filter_blocks` is
/// off, and the readers themselves).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HeldBytes {
    /// The ALEX index (every key).
    pub alex: u64,
    /// The value cache's values and bookkeeping.
    pub value_cache: u64,
    /// What the block cache may grow to (`block_cache_size`).
    pub block_cache_capacity: u64,
    /// What the block cache holds now, pinned blocks included.
    pub block_cache_usage: u64,
    /// Blocks in use or pinned, which the block cache cannot evict
    /// (`rocksdb.block-cache-pinned-usage`).
    pub block_cache_pinned: u64,
    /// `rocksdb.estimate-table-readers-mem`.
    pub table_readers: u64,
    /// Every memtable, immutable ones included (`rocksdb.cur-size-all-mem-tables`).
    pub memtables: u64,
}

impl HeldBytes {
    /// Everything held now: ALEX, value cache, block cache usage, table readers and
    /// memtables (pinned blocks are inside the block cache usage).
    pub fn total(&self) -> u64 {
        self.alex + self.value_cache + self.block_cache_usage + self.table_readers + self.memtables
    }
}
