//! Helpers shared by the engine's tests.
use std::collections::HashMap;
use std::path::Path;

use engine::{Db, DbOptions};

/// A value derived from the key; the hex digits keep it from compressing to nothing.
pub fn value(k: i64) -> Vec<u8> {
    let h = (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    format!("value-{k:08}-{h:016x}{:016x}", h.rotate_left(29) ^ 0x5555).into_bytes()
}

/// A database under `o` in `dir/db`: keys `0, 3, 6, ...` (`n` of them) bulk loaded into
/// SST files, then `memtable` keys `1, 4, 7, ...` put (in the memtable).
pub fn filled(dir: &Path, o: DbOptions, n: i64, memtable: i64) -> Db {
    let db = Db::open_with(dir.join("db"), o).expect("open");
    db.load((0..n).map(|k| (k * 3, value(k * 3))))
        .expect("load");
    for k in 0..memtable {
        db.put(k * 3 + 1, &value(k * 3 + 1)).expect("put");
    }
    db
}

pub const CF: &str = "CFOptions";
pub const TABLE: &str = "TableOptions/BlockBasedTable";

pub use engine::testing::fingerprint;

/// The newest OPTIONS file RocksDB wrote: section -> key -> value.
pub fn rocks_options(db: &Db) -> HashMap<String, HashMap<String, String>> {
    let text = std::fs::read_to_string(db.rocksdb_options_file().expect("options file"))
        .expect("read options");
    let mut out: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut section = String::new();
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            section = l.trim_matches(|c| c == '[' || c == ']').to_string();
        } else if let Some((k, v)) = l.split_once('=') {
            out.entry(section.clone())
                .or_default()
                .insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    out
}

/// `key` in the first section named `section...` of the newest OPTIONS file.
pub fn rocks(db: &Db, section: &str, key: &str) -> String {
    let o = rocks_options(db);
    let sec = o
        .iter()
        .find(|(name, _)| name.starts_with(section))
        .unwrap_or_else(|| panic!("no section {section}"))
        .1;
    sec.get(key)
        .unwrap_or_else(|| panic!("no {key} in {section}"))
        .clone()
}

/// The exact name of test `test` in module `module` (pass `module_path!()`), as the test
/// binary filters it: a child run of this binary selects one test by a name that does not
/// depend on which binary or module the test lives in.
pub fn this_test(module: &str, test: &str) -> String {
    match module.split_once("::") {
        Some((_, path)) => format!("{path}::{test}"),
        None => test.to_string(),
    }
}
