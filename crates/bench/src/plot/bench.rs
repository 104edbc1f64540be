//! The benchmark reports as figures for `--plot FILE.svg`. Every number comes from the
//! report; the caption repeats the settings its table prints.
use super::{BarChart, Chart, Figure, LineChart, Series};
use crate::engines::mib;
use crate::index::{IndexBenchReport, StructureResult};
use crate::profile::ProfileReport;
use crate::vs_sqlite::{EngineResult, VsSqliteReport};
use crate::ycsb::{YcsbEngineResult, YcsbReport};

fn profile_line(profile: &Option<String>) -> Option<String> {
    profile
        .as_ref()
        .map(|p| format!("options from profile {p}"))
}

/// `bench vs-sqlite`: the query latency CDF per engine, mean and p99 per engine, and
/// the load rate per engine, with each bar's value printed on it.
pub fn vs_sqlite_figure(r: &VsSqliteReport) -> Figure {
    let engines: [(&str, &EngineResult); 3] = [
        ("alexdb", &r.alexdb),
        ("sqlite", &r.sqlite),
        ("sqlite-mmap", &r.sqlite_mmap),
    ];
    let mut panels = Vec::new();
    if engines.iter().any(|(_, e)| !e.latency_cdf.is_empty()) {
        panels.push(Chart::Line(LineChart {
            title: "Point-query latency CDF".into(),
            x_label: "latency per query (ns, log scale)".into(),
            y_label: "queries at or below (%)".into(),
            series: engines
                .iter()
                .map(|(name, e)| Series {
                    name: (*name).into(),
                    points: e.latency_cdf.clone(),
                    ..Series::default()
                })
                .collect(),
            x_log: true,
            ..LineChart::default()
        }));
        panels.push(Chart::Bars(BarChart {
            title: "Point-query latency".into(),
            x_label: "statistic".into(),
            y_label: "latency per query (ns)".into(),
            categories: vec!["mean".into(), "p99".into()],
            series: engines
                .iter()
                .map(|(n, e)| ((*n).into(), vec![e.query_mean_ns, e.query_p99_ns as f64]))
                .collect(),
            value_labels: true,
            ..BarChart::default()
        }));
    }
    panels.push(Chart::Bars(BarChart {
        title: "Load rate".into(),
        x_label: "phase".into(),
        y_label: "rows inserted per second (rows/s)".into(),
        categories: vec!["load".into()],
        series: engines
            .iter()
            .map(|(n, e)| ((*n).into(), vec![e.insert_rows_per_s]))
            .collect(),
        value_labels: true,
        ..BarChart::default()
    }));
    let mut caption = vec![format!(
        "{} rows ({} keys), {} timed {} queries after {} warm-up, {}-byte values, seed {}, 1 thread",
        r.rows,
        r.keys.as_str(),
        r.queries,
        r.mix.as_str(),
        r.warmup_queries,
        r.value_size,
        r.seed
    )];
    caption.push(format!(
        "memory budget {} for each engine ({})",
        mib(r.budget_bytes),
        r.budget_parts.describe()
    ));
    caption.push(format!("queries: {}", r.mix_note));
    caption.extend(profile_line(&r.profile));
    Figure {
        title: format!("alexdb vs SQLite, {} queries", r.mix.as_str()),
        caption,
        panels,
        // Three panels in two columns: a row of three is over four times as wide as tall.
        columns: 2,
    }
}

/// The latencies `bench ycsb` reports for each operation kind the workload ran.
fn ycsb_latencies(e: &YcsbEngineResult) -> [(&'static str, u64, u64, u64); 5] {
    [
        ("read", e.reads, e.read_p50_ns, e.read_p99_ns),
        ("update", e.updates, e.update_p50_ns, e.update_p99_ns),
        ("insert", e.inserts, e.insert_p50_ns, e.insert_p99_ns),
        ("scan", e.scans, e.scan_p50_ns, e.scan_p99_ns),
        ("read-modify-write", e.rmws, e.rmw_p50_ns, e.rmw_p99_ns),
    ]
}

/// `bench ycsb`: ops/s per engine for the workload, and p50/p99 per operation kind.
pub fn ycsb_figure(r: &YcsbReport) -> Figure {
    let workload = format!("workload {}", r.workload.as_str());
    let throughput = Chart::Bars(BarChart {
        title: format!("Throughput, YCSB {workload}"),
        x_label: "YCSB workload".into(),
        y_label: "operations per second (ops/s)".into(),
        categories: vec![workload.clone()],
        series: r
            .results
            .iter()
            .map(|e| (e.engine.to_string(), vec![e.ops_per_s]))
            .collect(),
        value_labels: true,
        ..BarChart::default()
    });
    // Only the kinds some engine ran: the others have no measurement.
    let kinds: Vec<usize> = (0..5)
        .filter(|&k| r.results.iter().any(|e| ycsb_latencies(e)[k].1 > 0))
        .collect();
    let mut categories = Vec::new();
    for &k in &kinds {
        let name = r.results.first().map_or("", |e| ycsb_latencies(e)[k].0);
        categories.push(format!("{name} p50"));
        categories.push(format!("{name} p99"));
    }
    let latency = Chart::Bars(BarChart {
        title: "Latency by operation".into(),
        x_label: "operation and percentile".into(),
        y_label: "latency per operation (ns)".into(),
        categories,
        series: r
            .results
            .iter()
            .map(|e| {
                let l = ycsb_latencies(e);
                let v = kinds
                    .iter()
                    .flat_map(|&k| [l[k].2 as f64, l[k].3 as f64])
                    .collect();
                (e.engine.to_string(), v)
            })
            .collect(),
        ..BarChart::default()
    });
    let mut caption = vec![format!(
        "{workload} ({}), {} distribution, {} records of {} bytes, {} ops after {} warm-up, {} thread(s), seed {}",
        r.mix,
        r.distribution.as_str(),
        r.records,
        r.value_size,
        r.ops,
        r.warmup_ops,
        r.threads,
        r.seed
    )];
    caption.push(format!(
        "memory budget {} for each engine ({})",
        mib(r.budget_bytes),
        r.budget_parts.describe()
    ));
    caption.extend(profile_line(&r.profile));
    let mut panels = vec![throughput];
    if !kinds.is_empty() {
        panels.push(latency);
    }
    Figure {
        title: format!("YCSB {workload}"),
        caption,
        panels,
        columns: 2,
    }
}

/// Nanoseconds per operation of each phase `bench index` times.
fn index_phases(s: &StructureResult, keys: usize) -> Vec<f64> {
    let per_insert = |mops: f64| if mops > 0.0 { 1e3 / mops } else { f64::NAN };
    vec![
        s.bulk_load_s * 1e9 / keys.max(1) as f64,
        s.lookup_ns,
        s.lookup_dependent_ns,
        per_insert(s.insert_random_mops),
        per_insert(s.insert_ascending_mops),
    ]
}

/// `bench index`: ns per operation for each phase, ALEX beside BTreeMap.
pub fn index_figure(r: &IndexBenchReport) -> Figure {
    let chart = BarChart {
        title: "Time per operation by phase".into(),
        x_label: "phase".into(),
        y_label: "time per key or probe (ns)".into(),
        categories: [
            "bulk load",
            "lookup",
            "dependent lookup",
            "random insert",
            "ascending insert",
        ]
        .map(String::from)
        .to_vec(),
        series: vec![
            ("ALEX".into(), index_phases(&r.alex, r.keys)),
            ("BTreeMap".into(), index_phases(&r.btreemap, r.keys)),
        ],
        ..BarChart::default()
    };
    Figure {
        title: format!("ALEX vs BTreeMap, {} {} keys", r.keys, r.dist),
        caption: vec![format!(
            "{} keys ({}), seed {}, {} build, {} per build/insert phase, {} lookup probes, 1 thread",
            r.keys, r.dist, r.seed, r.settings.build, r.settings.statistic, r.settings.probes
        )],
        panels: vec![Chart::Bars(chart)],
        columns: 1,
    }
}

/// `bench profile`: the get split stacked (cache / ALEX / RocksDB / rest), and RocksDB's
/// own split of the gets that reached it beside it when any did.
pub fn profile_figure(r: &ProfileReport) -> Figure {
    let i = &r.rocksdb_internal;
    let get = BarChart {
        title: "Where a get's time goes".into(),
        x_label: "layer split of the timed gets".into(),
        y_label: "time per get (ns)".into(),
        categories: vec!["alexdb get".into()],
        series: [
            ("value cache", r.cache_ns),
            ("ALEX", r.alex_ns),
            ("RocksDB", r.rocksdb_ns),
            ("rest", r.other_ns),
        ]
        .map(|(n, v)| (n.to_string(), vec![v]))
        .to_vec(),
        ..BarChart::default()
    };
    let mut panels = vec![Chart::StackedBars(get)];
    // The block cache's rate is over the gets that reached RocksDB: none, no rate.
    let block_rate = if i.gets > 0 {
        format!("{:.1}%", r.block_cache_hit_rate * 100.0)
    } else {
        "not measured (no get reached RocksDB)".into()
    };
    let mut caption = vec![
        format!(
            "{} rows ({} keys), {} point queries; value cache hit rate {:.1}%, block cache hit rate {block_rate}",
            r.rows,
            r.keys,
            r.queries,
            r.cache_hit_rate * 100.0,
        ),
        r.settings.clone(),
        format!(
            "memory held after the run: {}",
            mib(r.held.total() as usize)
        ),
    ];
    if i.gets > 0 {
        let blocks = i.block_read_ns + i.block_decompress_ns + i.block_checksum_ns;
        let rocks = BarChart {
            title: format!("Inside RocksDB ({} gets reached it)", i.gets),
            x_label: "RocksDB's own split (PerfContext)".into(),
            y_label: "time per get that reached RocksDB (ns)".into(),
            categories: vec!["RocksDB get".into()],
            series: [
                ("memtable", i.memtable_ns),
                ("block read", i.block_read_ns),
                ("decompress", i.block_decompress_ns),
                ("checksum", i.block_checksum_ns),
                ("rest of SST lookup", (i.sst_ns - blocks).max(0.0)),
            ]
            .map(|(n, v)| (n.to_string(), vec![v]))
            .to_vec(),
            ..BarChart::default()
        };
        panels.push(Chart::StackedBars(rocks));
    } else {
        caption.push("RocksDB's own split: no timed get reached RocksDB".into());
    }
    caption.extend(profile_line(&r.profile));
    Figure {
        title: format!("Get profile, {} rows", r.rows),
        caption,
        columns: panels.len(),
        panels,
    }
}
