//! Helpers of the benchmark crate's tests: reading an SVG back, and a metrics snapshot
//! to chart. The app's test binary uses this file too (`#[path]` in its support
//! module): its plot tests read the same pictures, so the helpers are written once.
use engine::metrics::Snapshot;

/// Every `<text>` element's content.
pub fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

pub fn count(doc: &roxmltree::Document, tag: &str, attr: &str, value: &str) -> usize {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag) && n.attribute(attr) == Some(value))
        .count()
}

pub fn has(texts: &[String], s: &str) -> bool {
    texts.iter().any(|t| t == s)
}

/// A quarter-second window with `gets` gets (half cache hits), timed, and 3 MiB of cache.
pub fn snap(uptime: f64, gets: u64, timed: bool) -> Snapshot {
    let mut s = Snapshot {
        window_secs: 0.25,
        uptime_secs: uptime,
        ..Snapshot::default()
    };
    s.ops.get = gets;
    s.rows.written = 5;
    s.cache.hits = gets / 2;
    s.cache.misses = gets - gets / 2;
    if timed {
        s.latency.get.samples = gets;
        s.latency.get.p50_ns = 400;
        s.latency.get.p99_ns = 2000;
    }
    s.rocksdb.tickers.block_cache.data_hit = 3;
    s.rocksdb.tickers.block_cache.data_miss = 1;
    s.memory.value_cache_bytes = 3 << 20;
    s
}
