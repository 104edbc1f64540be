//! MyRocks round trip (issue 33): options away from their defaults are exported with
//! `--format myrocks`, a real MariaDB server with the RocksDB engine starts with that
//! `my.cnf` (private data directory and socket, no network), and every value the file
//! carries is read back from the server and must be equal:
//! - the `rocksdb_*` server variables from `SHOW GLOBAL VARIABLES`;
//! - the column-family and table options of `rocksdb_default_cf_options` from the OPTIONS
//!   file the server's RocksDB wrote for the options it opened with (it names every
//!   option; `information_schema.ROCKSDB_CF_OPTIONS` lacks the pending-bytes limits and
//!   the pinning tier);
//! - the Bloom filter's bits per key, which RocksDB 6.29 prints only as
//!   `rocksdb.BuiltinBloomFilter`, from the filter size of a flushed SST file
//!   (`information_schema.ROCKSDB_SST_PROPS`: filter bytes * 8 / keys).
//!
//! Values are compared after normalising spellings (ON/1/true, 0.5/0.500000), never by
//! loosening: a number must be the same number. The server is stopped by a guard (its
//! Drop: `mariadb-admin shutdown`, then a kill if it has not exited) also when the test
//! fails. Without MariaDB the test fails with one line saying `make deps` installs it.
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use command::export::{self, Target};
use engine::DbOptions;

/// Where Debian's packages put the programs and the engine.
const MARIADBD: &str = "/usr/sbin/mariadbd";
const PLUGIN_DIRS: [&str; 2] = ["/usr/lib/mysql/plugin", "/usr/lib64/mysql/plugin"];
const MISSING: &str = "MariaDB with the RocksDB engine is missing (mariadbd, ha_rocksdb.so): \
     `make deps` installs mariadb-server and mariadb-plugin-rocksdb";
/// Longest wait for the server to start or stop.
const PATIENCE: Duration = Duration::from_secs(60);
/// Rows written to measure the Bloom filter (enough that rounding to cache lines
/// moves bits per key by well under one half).
const ROWS: u64 = 20_000;

/// Options away from their defaults wherever MyRocks takes them (direct reads stay off:
/// the temporary directory may be a tmpfs, which refuses O_DIRECT).
fn tuned() -> DbOptions {
    let mut o = DbOptions::default();
    for (name, value) in [
        ("block_cache_size", "48MiB"),
        ("block_size", "8KiB"),
        ("bloom_bits_per_key", "12"),
        ("data_block_hash_index", "on"),
        ("data_block_hash_ratio", "0.5"),
        ("pin_l0_filter_and_index_blocks", "off"),
        ("pin_index_and_filter_blocks", "none"),
        ("compression", "snappy"),
        ("bottommost_compression", "zstd"),
        ("write_buffer_size", "8MiB"),
        ("max_write_buffer_number", "3"),
        ("level0_file_num_compaction_trigger", "6"),
        ("level0_slowdown_writes_trigger", "24"),
        ("level0_stop_writes_trigger", "40"),
        ("soft_pending_compaction_bytes_limit", "32GiB"),
        ("hard_pending_compaction_bytes_limit", "128GiB"),
        ("target_file_size_base", "16MiB"),
        ("max_bytes_for_level_base", "128MiB"),
        ("fifo_max_size", "2GiB"),
        ("max_open_files", "3000"),
        ("max_background_jobs", "3"),
        ("allow_mmap_reads", "on"),
        ("sync", "off"),
        ("wal_recovery_mode", "point_in_time"),
        ("optimize_filters_for_hits", "off"),
    ] {
        o.set(name, value).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    o
}

/// A running `mariadbd` on a private data directory and socket; dropping it stops the
/// server (and the directory goes with `_dir`, after the server has exited).
struct Server {
    child: Child,
    socket: PathBuf,
    datadir: PathBuf,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Initialises a data directory and starts the server with `cnf`.
    fn start(cnf: &str) -> Server {
        // A short path: a Unix socket's must fit in 108 bytes.
        let dir = tempfile::Builder::new()
            .prefix("myrocks")
            .tempdir_in("/tmp")
            .expect("tempdir");
        let datadir = dir.path().join("data");
        let cnf_path = dir.path().join("my.cnf");
        std::fs::write(&cnf_path, cnf).unwrap();
        let mut install = Command::new("mariadb-install-db");
        install.args([
            "--no-defaults",
            &format!("--datadir={}", datadir.display()),
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ]);
        install.args(as_root());
        let out = run(&mut install);
        assert!(
            out.status.success(),
            "mariadb-install-db: {}",
            text(&out.stderr)
        );
        let socket = dir.path().join("s.sock");
        let log = dir.path().join("error.log");
        let mut server = Command::new(MARIADBD);
        server
            .arg(format!("--defaults-file={}", cnf_path.display()))
            .args([
                &format!("--datadir={}", datadir.display()),
                &format!("--socket={}", socket.display()),
                &format!("--pid-file={}", dir.path().join("pid").display()),
                &format!("--log-error={}", log.display()),
                "--skip-networking",
                "--plugin-load-add=ha_rocksdb.so",
            ])
            .args(as_root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = server.spawn().expect("mariadbd starts");
        let mut s = Server {
            child,
            socket,
            datadir,
            log,
            _dir: dir,
        };
        s.wait_ready();
        s
    }

    fn wait_ready(&mut self) {
        let t0 = Instant::now();
        while t0.elapsed() < PATIENCE {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("mariadbd exited ({status}) at start:\n{}", self.log_tail());
            }
            if self.socket.exists() && self.sql("SELECT 1").is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "mariadbd not ready after {PATIENCE:?}:\n{}",
            self.log_tail()
        );
    }

    /// The rows of `query`, tab-separated cells, or the client's error.
    fn sql(&self, query: &str) -> Result<Vec<Vec<String>>, String> {
        let out = run(Command::new("mariadb").args([
            "--no-defaults",
            &format!("--socket={}", self.socket.display()),
            "-uroot",
            "-N",
            "-B",
            "-e",
            query,
        ]));
        if !out.status.success() {
            return Err(text(&out.stderr));
        }
        Ok(text(&out.stdout)
            .lines()
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect())
    }

    fn query(&self, q: &str) -> Vec<Vec<String>> {
        self.sql(q)
            .unwrap_or_else(|e| panic!("{q}: {e}\n{}", self.log_tail()))
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = run(Command::new("mariadb-admin").args([
            "--no-defaults",
            &format!("--socket={}", self.socket.display()),
            "-uroot",
            "shutdown",
        ]));
        let t0 = Instant::now();
        while t0.elapsed() < PATIENCE {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `--user=root` when the test runs as root (mariadbd refuses root otherwise).
fn as_root() -> Vec<&'static str> {
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    if root { vec!["--user=root"] } else { vec![] }
}

fn run(c: &mut Command) -> Output {
    c.stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{c:?}: {e}; {MISSING}"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim().to_string()
}

/// The exported file's server variables and the `rocksdb_default_cf_options` string.
fn server_lines(cnf: &str) -> (BTreeMap<String, String>, String) {
    let mut vars = BTreeMap::new();
    let mut cf = None;
    for line in cnf.lines().filter(|l| l.starts_with("rocksdb_")) {
        let (k, v) = line.split_once('=').expect("key=value");
        if k == "rocksdb_default_cf_options" {
            cf = Some(v.to_string());
        } else {
            vars.insert(k.to_string(), v.to_string());
        }
    }
    (vars, cf.expect("rocksdb_default_cf_options"))
}

/// A RocksDB options string `a=1;b={c=2;d=3}` as pairs, nested values kept whole.
fn options_pairs(s: &str) -> Vec<(String, String)> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0, 0);
    let s = s.trim().trim_end_matches(';');
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ';'))) {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ';' if depth == 0 => {
                let part = &s[start..i];
                let (k, v) = part.split_once('=').expect("key=value");
                out.push((k.trim().to_string(), v.trim().to_string()));
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

/// The `key=value` lines of section `name` of the RocksDB OPTIONS file `text`.
fn options_section(text: &str, name: &str) -> BTreeMap<String, String> {
    let mut inside = false;
    let mut out = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == name;
        } else if inside && let Some((k, v)) = line.split_once('=') {
            out.insert(k.to_string(), v.to_string());
        }
    }
    out
}

/// The newest OPTIONS file in the server's RocksDB directory.
fn newest_options(datadir: &Path) -> String {
    let dir = datadir.join("#rocksdb");
    let newest = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let n = e
                .file_name()
                .to_string_lossy()
                .strip_prefix("OPTIONS-")?
                .parse::<u64>()
                .ok()?;
            Some((n, e.path()))
        })
        .max_by_key(|(n, _)| *n)
        .expect("an OPTIONS file");
    std::fs::read_to_string(newest.1).unwrap()
}

/// One spelling per value: switches as true/false, numbers as numbers, names as is.
fn norm(v: &str) -> String {
    match v.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" => return "true".into(),
        "off" | "false" | "no" => return "false".into(),
        _ => {}
    }
    match v.trim().parse::<f64>() {
        Ok(x) => format!("{x}"),
        Err(_) => v.trim().to_string(),
    }
}

/// True when the server's `got` carries what `want` says; for nested values every field
/// written must be there with its value (the server lists its other fields too).
fn same(want: &str, got: &str) -> bool {
    if want.starts_with('{') {
        let inner = |s: &str| -> BTreeMap<String, String> {
            options_pairs(s.trim().trim_start_matches('{').trim_end_matches('}'))
                .into_iter()
                .collect()
        };
        let got = inner(got);
        return inner(want)
            .iter()
            .all(|(k, v)| got.get(k).is_some_and(|g| norm(g) == norm(v)));
    }
    norm(want) == norm(got)
}

/// Bits per key of the Bloom filter in the default family's SST files.
fn measured_bloom_bits(s: &Server) -> f64 {
    s.query("CREATE DATABASE t");
    s.query("CREATE TABLE t.r (id BIGINT PRIMARY KEY) ENGINE=ROCKSDB");
    s.query(&format!(
        "INSERT INTO t.r SELECT seq FROM t.seq_1_to_{ROWS}"
    ));
    s.query("SET GLOBAL rocksdb_force_flush_memtable_now = 1");
    let rows = s.query(
        "SELECT p.ENTRIES, p.FILTER_BLOCK_SIZE FROM information_schema.ROCKSDB_SST_PROPS p \
         JOIN information_schema.ROCKSDB_DDL d ON d.COLUMN_FAMILY = p.COLUMN_FAMILY \
         WHERE d.TABLE_SCHEMA = 't' AND d.TABLE_NAME = 'r'",
    );
    let (keys, bytes) = rows.iter().fold((0.0, 0.0), |(k, b), r| {
        (
            k + r[0].parse::<f64>().unwrap(),
            b + r[1].parse::<f64>().unwrap(),
        )
    });
    assert!(keys >= ROWS as f64, "the flushed rows: {rows:?}");
    bytes * 8.0 / keys
}

#[test]
fn myrocks_server_reads_back_every_exported_value() {
    let plugin = PLUGIN_DIRS
        .iter()
        .any(|d| Path::new(d).join("ha_rocksdb.so").exists());
    assert!(Path::new(MARIADBD).exists() && plugin, "{MISSING}");
    let t0 = Instant::now();
    let done = export::export(Target::Myrocks, &tuned(), "myrocks_roundtrip", "2026-01-02");
    let (vars, cf_string) = server_lines(&done.text);
    let server = Server::start(&done.text);

    // Server variables.
    let shown: BTreeMap<String, String> = server
        .query("SHOW GLOBAL VARIABLES LIKE 'rocksdb%'")
        .into_iter()
        .map(|r| (r[0].clone(), r.get(1).cloned().unwrap_or_default()))
        .collect();
    assert_eq!(shown["rocksdb_default_cf_options"], cf_string);
    let mut checked = 0;
    for (k, want) in &vars {
        let got = shown
            .get(k)
            .unwrap_or_else(|| panic!("the server has no {k}"));
        assert!(
            same(want, got),
            "{k}: exported {want}, the server has {got}"
        );
        checked += 1;
    }

    // Column-family and table options, from what the server's RocksDB opened with.
    let opened = newest_options(&server.datadir);
    let cf = options_section(&opened, "[CFOptions \"default\"]");
    let table = options_section(&opened, "[TableOptions/BlockBasedTable \"default\"]");
    for (k, want) in options_pairs(&cf_string) {
        if k == "block_based_table_factory" {
            for (tk, tw) in options_pairs(want.trim_start_matches('{').trim_end_matches('}')) {
                if tk == "filter_policy" {
                    continue; // measured below
                }
                let got = table
                    .get(&tk)
                    .unwrap_or_else(|| panic!("no table option {tk}"));
                assert!(same(&tw, got), "{tk}: exported {tw}, the server has {got}");
                checked += 1;
            }
            continue;
        }
        let got = cf
            .get(&k)
            .unwrap_or_else(|| panic!("no column-family option {k}"));
        assert!(
            same(&want, got),
            "{k}: exported {want}, the server has {got}"
        );
        checked += 1;
    }
    assert!(
        table["filter_policy"].contains("BloomFilter"),
        "a Bloom filter: {}",
        table["filter_policy"]
    );
    let bits = measured_bloom_bits(&server);
    assert_eq!(
        bits.round(),
        tuned().bloom_bits_per_key,
        "bits per key {bits}"
    );
    checked += 1;
    drop(server);
    // Every option written was read back (one value each; the dynamic-level switch is
    // the file's own addition).
    assert_eq!(checked, done.written.len() + 1, "{:?}", done.written);
    eprintln!(
        "myrocks round trip: {checked} values read back in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
}
