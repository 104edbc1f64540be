//! What makes a comparison fair (issue 28): how every engine is warmed before it is
//! timed (`--warm`), which values are loaded (`--values`) and how compressible they are,
//! each engine's cache use during the timed phase, and dropping an engine's files from
//! the OS page cache for a cold start.
use std::path::Path;

use serde::Serialize;

use workload::dataset::{make_value, splitmix64};

/// How every engine is warmed before its timed phase, the same for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarmMode {
    /// Every loaded key read once through the timed handle or connection (SQLite: a
    /// full scan on its query connection), then the benchmark's probe warm-up.
    Full,
    /// Only this many random probes through the timed handle.
    Probes(u64),
    /// Each engine opened fresh, its files dropped from the OS page cache, timed from
    /// its first query.
    None,
}

impl WarmMode {
    /// `full`, `probes 1000` or `none`, as the reports print it.
    pub fn label(self) -> String {
        match self {
            WarmMode::Full => "full".into(),
            WarmMode::Probes(n) => format!("probes {n}"),
            WarmMode::None => "none".into(),
        }
    }

    /// Parses `--warm`'s words: `full`, `none`, `probes N` (also `probes=N`).
    pub fn parse_words(words: &[String]) -> Result<WarmMode, String> {
        let hint = "expected full, none or probes N (e.g. --warm probes 50000)";
        let joined = words
            .join(" ")
            .trim()
            .to_ascii_lowercase()
            .replace('=', " ");
        let mut it = joined.split_whitespace();
        let mode = match it.next() {
            Some("full") => WarmMode::Full,
            Some("none" | "cold") => WarmMode::None,
            Some("probes") => {
                let n = it
                    .next()
                    .ok_or_else(|| format!("--warm probes needs a count: {hint}"))?;
                WarmMode::Probes(workload::parse_count(n)?)
            }
            _ => return Err(hint.to_string()),
        };
        match it.next() {
            Some(extra) => Err(format!("--warm: unexpected {extra:?}; {hint}")),
            None => Ok(mode),
        }
    }
}

pub use workload::dataset::ValueKind;

/// The value of `key` (`size` bytes, from `seed`): the same for every engine and run.
pub fn bench_value(kind: ValueKind, key: i64, size: usize, seed: u64) -> Vec<u8> {
    make_value(kind, key, size, seed)
}

/// How LZ4 shrinks the values, measured on a sample of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Lz4Ratio {
    /// Raw bytes / LZ4 bytes, each value compressed alone (as the value cache does).
    pub per_value: f64,
    /// The same with the values packed into 16 KiB blocks (as RocksDB's blocks are).
    pub per_block: f64,
    /// Values in the sample.
    pub sample: u64,
}

/// LZ4 ratios of `kind` values of `size` bytes over a sample of `n` keys.
pub fn lz4_ratio(kind: ValueKind, size: usize, seed: u64, n: u64) -> Lz4Ratio {
    let (mut raw, mut alone) = (0usize, 0usize);
    let (mut block, mut blocks_raw, mut blocks_lz4) = (Vec::new(), 0usize, 0usize);
    for i in 0..n {
        let key = splitmix64(i ^ 0xC0FFEE) as i64;
        let v = bench_value(kind, key, size, seed);
        raw += v.len();
        alone += lz4_flex::block::compress(&v).len();
        block.extend_from_slice(&v);
        if block.len() >= 16 << 10 {
            blocks_raw += block.len();
            blocks_lz4 += lz4_flex::block::compress(&block).len();
            block.clear();
        }
    }
    if !block.is_empty() {
        blocks_raw += block.len();
        blocks_lz4 += lz4_flex::block::compress(&block).len();
    }
    let ratio = |r: usize, c: usize| if c == 0 { 1.0 } else { r as f64 / c as f64 };
    Lz4Ratio {
        per_value: ratio(raw, alone),
        per_block: ratio(blocks_raw, blocks_lz4),
        sample: n,
    }
}

/// One engine's cache during the timed phase and the memory it held at its end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheUse {
    /// SQLite's page cache, RocksDB's block cache (data blocks), alexdb's value cache.
    pub hits: u64,
    pub misses: u64,
    /// alexdb's block cache (data blocks), behind its value cache.
    pub block_hits: u64,
    pub block_misses: u64,
    /// Bytes the engine held in process memory at the end of the timed phase.
    pub memory_used: u64,
    /// The counters are the engine's (every worker sees the same ones), not the
    /// worker's own: merged by taking one, not by adding.
    pub shared: bool,
    /// Some reads bypass the counted cache (sqlite-mmap reads mapped pages outside its
    /// page cache): no hit rate is given.
    pub partial: bool,
}

impl CacheUse {
    /// Hits / (hits + misses), `None` when nothing went through the cache.
    pub fn hit_rate(&self) -> Option<f64> {
        if self.partial {
            return None;
        }
        rate(self.hits, self.misses)
    }
    pub fn block_hit_rate(&self) -> Option<f64> {
        rate(self.block_hits, self.block_misses)
    }
    /// Several workers' figures as one: added for per-connection caches, one of them
    /// for shared ones.
    pub fn merge(all: &[CacheUse]) -> Option<CacheUse> {
        let first = *all.first()?;
        if first.shared {
            return all.iter().copied().max_by_key(|c| c.hits + c.misses);
        }
        Some(all.iter().fold(CacheUse::default(), |a, c| CacheUse {
            hits: a.hits + c.hits,
            misses: a.misses + c.misses,
            block_hits: a.block_hits + c.block_hits,
            block_misses: a.block_misses + c.block_misses,
            memory_used: a.memory_used + c.memory_used,
            shared: false,
            partial: a.partial || c.partial,
        }))
    }
}

fn rate(h: u64, m: u64) -> Option<f64> {
    (h + m > 0).then(|| h as f64 / (h + m) as f64)
}

/// Drops every file under `dir` from the OS page cache (synced first), so the next
/// reads come from the disk: a cold start. Call it with the engine's files closed.
pub fn drop_os_cache(dir: &Path) -> anyhow::Result<()> {
    use std::os::fd::AsRawFd;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries {
        let e = e?;
        let path = e.path();
        if e.file_type()?.is_dir() {
            drop_os_cache(&path)?;
            continue;
        }
        let Ok(f) = std::fs::File::open(&path) else {
            continue;
        };
        // Dirty pages are not dropped: write them first.
        let _ = f.sync_all();
        // SAFETY: the descriptor is open for the whole call; the advice only affects
        // the page cache, never the file's contents.
        let rc = unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
        anyhow::ensure!(
            rc == 0,
            "posix_fadvise(DONTNEED) on {} failed: error {rc}",
            path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warm_words() {
        let w =
            |s: &str| WarmMode::parse_words(&s.split(' ').map(String::from).collect::<Vec<_>>());
        assert_eq!(w("full"), Ok(WarmMode::Full));
        assert_eq!(w("none"), Ok(WarmMode::None));
        assert_eq!(w("probes 10k"), Ok(WarmMode::Probes(10_000)));
        assert_eq!(w("probes=5"), Ok(WarmMode::Probes(5)));
        assert!(w("probes").is_err());
        assert!(w("hot").is_err());
        assert!(w("full 3").is_err());
    }

    #[test]
    fn random_values_do_not_compress_and_text_halves() {
        let text = lz4_ratio(ValueKind::Text, 100, 42, 2_000);
        let random = lz4_ratio(ValueKind::Random, 100, 42, 2_000);
        assert!(
            random.per_value < 1.02 && random.per_block < 1.02,
            "{random:?}"
        );
        assert!(text.per_value > 1.4 && text.per_block > 1.8, "{text:?}");
        assert_eq!(
            bench_value(ValueKind::Random, 7, 100, 1),
            bench_value(ValueKind::Random, 7, 100, 1)
        );
        assert_eq!(bench_value(ValueKind::Random, 7, 13, 1).len(), 13);
        assert_ne!(
            bench_value(ValueKind::Random, 7, 100, 1),
            bench_value(ValueKind::Random, 8, 100, 1)
        );
    }
}
