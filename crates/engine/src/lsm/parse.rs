//! Readers for RocksDB's text properties: the "Compaction Stats" table
//! (`rocksdb.stats`, `rocksdb.cfstats`, `rocksdb.cfstats-no-file-histogram`), its
//! "Write Stall (count)" line, the "Cumulative stall" line of `rocksdb.dbstats`, and
//! `rocksdb.block-cache-entry-stats`. The formats are RocksDB 11.8's
//! (db/internal_stats.cc); a line that does not parse is skipped, never an error.

/// One level's row of RocksDB's Compaction Stats table. RocksDB prints the byte columns
/// in GB with one decimal, W-Amp with one, seconds with two.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CompactionStatsRow {
    pub level: u32,
    pub files: u64,
    pub score: f64,
    pub read_gb: f64,
    /// Read from the level above (`Rn(GB)`).
    pub rn_gb: f64,
    /// Read from the output level itself (`Rnp1(GB)`).
    pub rnp1_gb: f64,
    pub write_gb: f64,
    pub moved_gb: f64,
    pub w_amp: f64,
    pub comp_secs: f64,
    pub comp_count: u64,
}

/// The level rows (`L0`, `L1`, ...) of the first Compaction Stats table in `text`; levels
/// RocksDB left out (no files and no compactions) are absent.
pub fn compaction_stats(text: &str) -> Vec<CompactionStatsRow> {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.contains("** Compaction Stats"));
    let Some(header) = lines.by_ref().find(|l| l.trim_start().starts_with("Level")) else {
        return Vec::new();
    };
    let names: Vec<&str> = header.split_whitespace().collect();
    let mut rows = Vec::new();
    for line in lines {
        let t: Vec<&str> = line.split_whitespace().collect();
        match t.first() {
            Some(first) if first.starts_with('-') => continue,
            Some(first) if first.starts_with('L') => {
                if let Some(row) = stats_row(&names, &t) {
                    rows.push(row);
                }
            }
            // `Sum` ends the level rows.
            _ => break,
        }
    }
    rows
}

/// One level row, its values found by the header's column names. `Size` is printed as
/// two tokens (`12.34 MB`), so columns after it are one token further right.
fn stats_row(names: &[&str], t: &[&str]) -> Option<CompactionStatsRow> {
    let size_at = names.iter().position(|n| *n == "Size")?;
    let col = |name: &str| -> Option<&str> {
        let i = names.iter().position(|n| *n == name)?;
        t.get(if i > size_at { i + 1 } else { i }).copied()
    };
    let num = |name: &str| col(name).and_then(|v| v.parse::<f64>().ok());
    Some(CompactionStatsRow {
        level: t.first()?.strip_prefix('L')?.parse().ok()?,
        files: col("Files")?.split('/').next()?.parse().ok()?,
        score: num("Score")?,
        read_gb: num("Read(GB)")?,
        rn_gb: num("Rn(GB)")?,
        rnp1_gb: num("Rnp1(GB)")?,
        write_gb: num("Write(GB)")?,
        moved_gb: num("Moved(GB)").unwrap_or(0.0),
        w_amp: num("W-Amp")?,
        comp_secs: num("Comp(sec)")?,
        comp_count: col("Comp(cnt)")?.parse().ok()?,
    })
}

/// RocksDB's write-stall counters by cause (the "Write Stall (count)" line of
/// `rocksdb.cfstats` and `rocksdb.cf-write-stall-stats`). RocksDB adds one each time it
/// recomputes the stall condition (after a flush, a compaction or a memtable switch)
/// and finds writes delayed or stopped for that cause.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StallCounts {
    pub l0_delays: u64,
    pub l0_stops: u64,
    pub memtable_delays: u64,
    pub memtable_stops: u64,
    pub pending_delays: u64,
    pub pending_stops: u64,
}

/// The write-stall counters in `text`; `None` when it has no "Write Stall (count)" line.
pub fn stall_counts(text: &str) -> Option<StallCounts> {
    let line = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Write Stall (count):"))?;
    let mut c = StallCounts::default();
    for part in line.split(',') {
        let Some((name, value)) = part.split_once(':') else {
            continue;
        };
        let Ok(n) = value.trim().parse::<u64>() else {
            continue;
        };
        let slot = match name.trim() {
            "l0-file-count-limit-delays" => &mut c.l0_delays,
            "l0-file-count-limit-stops" => &mut c.l0_stops,
            "memtable-limit-delays" => &mut c.memtable_delays,
            "memtable-limit-stops" => &mut c.memtable_stops,
            "pending-compaction-bytes-delays" => &mut c.pending_delays,
            "pending-compaction-bytes-stops" => &mut c.pending_stops,
            _ => continue,
        };
        *slot = n;
    }
    Some(c)
}

/// Seconds writers waited in write stalls since open, from the "Cumulative stall:
/// 00:00:1.234 H:M:S, 2.3 percent" line of `rocksdb.dbstats` (or `rocksdb.stats`).
pub fn cumulative_stall_secs(text: &str) -> Option<f64> {
    let rest = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Cumulative stall:"))?;
    let hms = rest.split_whitespace().next()?;
    let mut secs = 0.0;
    for part in hms.split(':') {
        secs = secs * 60.0 + part.parse::<f64>().ok()?;
    }
    Some(secs)
}

/// One block kind's line of `rocksdb.block-cache-entry-stats`:
/// `DataBlock(1234,5.67 MB,8.9%)` gives ("data", 1234, 5.67 MiB).
#[derive(Debug, Clone, PartialEq)]
pub struct BlockKindEntry {
    pub kind: String,
    pub entries: u64,
    pub bytes: u64,
}

/// The block kinds in the "Block cache entry stats(count,size,portion):" line of
/// `text`; empty when there is none. RocksDB prints sizes as `12.34 KB|MB|GB|TB`
/// (binary units, two decimals), so bytes are exact to 1/200 of the unit.
pub fn block_cache_entries(text: &str) -> Vec<BlockKindEntry> {
    let Some(line) = text.lines().find_map(|l| {
        l.trim()
            .strip_prefix("Block cache entry stats(count,size,portion):")
    }) else {
        return Vec::new();
    };
    line.split(')')
        .filter_map(|item| {
            let (name, inside) = item.trim().split_once('(')?;
            let mut parts = inside.split(',');
            let entries = parts.next()?.trim().parse().ok()?;
            let bytes = human_bytes(parts.next()?)?;
            Some(BlockKindEntry {
                kind: kind_name(name),
                entries,
                bytes,
            })
        })
        .collect()
}

/// RocksDB's `BytesToHumanString` read back (`5.67 MB` = 5.67 MiB).
fn human_bytes(s: &str) -> Option<u64> {
    let mut t = s.split_whitespace();
    let n: f64 = t.next()?.parse().ok()?;
    let unit = match t.next()? {
        "KB" => 1u64 << 10,
        "MB" => 1 << 20,
        "GB" => 1 << 30,
        "TB" => 1 << 40,
        _ => return None,
    };
    Some((n * unit as f64).round() as u64)
}

/// `DataBlock` -> `data`, `FilterMetaBlock` -> `filter meta`, `Misc` -> `misc`.
fn kind_name(camel: &str) -> String {
    let base = camel.trim().strip_suffix("Block").unwrap_or(camel.trim());
    let mut out = String::new();
    for (i, c) in base.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_short_and_lower_case() {
        assert_eq!(kind_name("DataBlock"), "data");
        assert_eq!(kind_name("FilterMetaBlock"), "filter meta");
        assert_eq!(kind_name("Misc"), "misc");
        assert_eq!(
            kind_name("BlockBasedTableReader"),
            "block based table reader"
        );
    }

    #[test]
    fn human_sizes_read_back_in_binary_units() {
        assert_eq!(human_bytes("1.00 KB"), Some(1024));
        assert_eq!(human_bytes("2.50 MB"), Some(5 << 19));
        assert_eq!(human_bytes("2.50 XB"), None);
        assert_eq!(human_bytes("x MB"), None);
    }
}
