//! `.export metrics FILE.svg` outside the dashboard (issue 14): the executor's own
//! history drawn as charts, with the option change as a marker; and as CSV and JSON,
//! the change in the CSV's `markers` column (issue 30).
use std::sync::Arc;

use command::{Executor, parse_command};
use engine::{Db, DbOptions};

fn run(exec: &mut Executor, text: &str) -> Result<String, String> {
    let cmd = parse_command(text).map_err(|e| e.to_string())?;
    match exec.run_command(text, &cmd).result {
        Ok(o) => Ok(format!("{o:?}")),
        Err(e) => Err(e.to_string()),
    }
}

#[test]
fn line_shell_exports_its_history_with_markers() {
    let _quiet = crate::support::QUIET.read();
    let dir = tempfile::tempdir().unwrap();
    let opts = DbOptions::default();
    let db = Db::open_with(dir.path().join("db"), opts.clone()).expect("open");
    db.load((0..10_000i64).map(|k| (k, vec![b'v'; 100])))
        .expect("load");
    let mut exec = Executor::with_db(Arc::new(db), opts);
    let svg = dir.path().join("m.svg");
    let path = svg.display().to_string();
    for k in 0..20_000 {
        exec.db().get(k % 10_000).expect("get");
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    run(&mut exec, ".set block_cache_size 32MiB").expect("set");
    for k in 0..20_000 {
        exec.db().get(k % 10_000).expect("get");
    }
    let msg = run(&mut exec, &format!(".export metrics {path}")).expect("export");
    assert!(msg.contains("markers"), "{msg}");
    let text = std::fs::read_to_string(&svg).expect("written");
    let doc = roxmltree::Document::parse(&text).expect("valid SVG");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::trim))
        .collect();
    for want in [
        "Throughput",
        "Get latency",
        "Hit rates",
        "Memory by component",
    ] {
        assert!(texts.contains(&want), "{want} missing: {texts:?}");
    }
    assert!(
        texts.iter().any(|t| t.contains("block_cache_size")),
        "the option change is marked: {texts:?}"
    );
    // The CSV and JSON forms work here too (issue 30), the change in the CSV's
    // `markers` column; a bad directory is one error.
    let csv = dir.path().join("m.csv");
    let msg = run(&mut exec, &format!(".export metrics {}", csv.display())).expect("csv");
    assert!(msg.contains("and 1 markers"), "{msg}");
    let text = std::fs::read_to_string(&csv).expect("written");
    let mut lines = text.lines();
    assert!(lines.next().unwrap().ends_with(",markers"));
    let marked: Vec<&str> = lines
        .filter(|l| l.ends_with(",block_cache_size=32MiB"))
        .collect();
    assert_eq!(marked.len(), 1, "{text}");
    let json = dir.path().join("m.json");
    run(&mut exec, &format!(".export metrics {}", json.display())).expect("json");
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).expect("JSON");
    assert_eq!(j["markers"][0]["label"], "block_cache_size=32MiB");
    for bad in ["/no/such/dir/m.svg", "/no/such/dir/m.csv"] {
        let e = run(&mut exec, &format!(".export metrics {bad}")).unwrap_err();
        assert!(!e.contains('\n'), "{e}");
    }
}
