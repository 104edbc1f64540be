//! Large values in every output mode (issue 12, bug 1): table mode cuts a long cell to
//! its start and its size in bytes (it used to panic past 65,535 characters), csv, json
//! and line modes print the whole value.
use crate::support::alexdb_with_input;
use std::sync::Arc;

use command::render::{MAX_CELL_CHARS, render_table, render_table_width};
use command::{Cell, OutputMode, Table};

const SIZES: [usize; 3] = [64 * 1024, 1024 * 1024, 16 * 1024 * 1024];

fn kv(key: i64, value: Vec<u8>) -> Table {
    Table {
        columns: vec!["key".into(), "value".into()],
        rows: vec![vec![Cell::Int(key), Cell::Bytes(Arc::from(value))]],
    }
}

/// The cells of a boxed table's rows (between the `|`s), header first.
fn boxed_cells(out: &str) -> Vec<Vec<String>> {
    out.lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn table_mode_cuts_large_values_and_states_their_size() {
    for n in SIZES {
        let out = render_table(&kv(1, vec![b'a'; n]), OutputMode::Table);
        let cells = boxed_cells(&out);
        assert_eq!(cells.len(), 2, "{n}: {out}");
        let value = &cells[1][1];
        let suffix = format!("… ({n} bytes)");
        assert!(value.ends_with(&suffix), "{n}: {value}");
        let head = value.strip_suffix(&suffix).unwrap_or_default();
        assert!(
            head.len() > 200 && head.bytes().all(|b| b == b'a'),
            "{n}: {value}"
        );
        assert_eq!(value.chars().count(), MAX_CELL_CHARS, "{n}");
        // Every line of the box is as wide as the others.
        let widths: Vec<usize> = out.lines().map(|l| l.chars().count()).collect();
        assert!(widths.iter().all(|&w| w == widths[0]), "{n}: {widths:?}");
    }
}

#[test]
fn csv_json_and_line_modes_print_large_values_whole() {
    for n in SIZES {
        let t = kv(7, vec![b'a'; n]);
        let whole = "a".repeat(n);
        assert_eq!(
            render_table(&t, OutputMode::Csv),
            format!("key,value\n7,{whole}\n"),
            "csv {n}"
        );
        assert_eq!(
            render_table(&t, OutputMode::Line),
            format!("  key = 7\nvalue = {whole}\n"),
            "line {n}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render_table(&t, OutputMode::Json)).expect("valid json");
        assert_eq!(json[0]["value"].as_str().map(str::len), Some(n), "json {n}");
        assert_eq!(json[0]["key"], 7, "json {n}");
    }
}

#[test]
fn binary_and_control_character_values_are_cut_too() {
    let n = 1024 * 1024;
    let out = render_table(&kv(1, vec![0xff; n]), OutputMode::Table);
    let value = &boxed_cells(&out)[1][1];
    assert!(value.starts_with("x'ffff"), "{value}");
    assert!(value.ends_with(&format!("… ({n} bytes)")), "{value}");
    assert_eq!(value.chars().count(), MAX_CELL_CHARS);
    // csv prints the whole hex: x' + two characters a byte + '.
    let csv = render_table(&kv(1, vec![0xff; n]), OutputMode::Csv);
    assert_eq!(csv.len(), "key,value\n1,".len() + 2 * n + 3 + 1);

    // Escapes are never split: 70,000 newlines show as whole `\n`s.
    let out = render_table(&kv(1, vec![b'\n'; 70_000]), OutputMode::Table);
    assert_eq!(out.lines().count(), 5, "{out}");
    let value = &boxed_cells(&out)[1][1];
    let head = value.strip_suffix("… (70000 bytes)").expect("cut");
    assert!(head.len() > 200 && head.len().is_multiple_of(2), "{head}");
    assert!(
        head.chars()
            .collect::<Vec<_>>()
            .chunks(2)
            .all(|c| c == ['\\', 'n'])
    );
}

#[test]
fn values_up_to_the_limit_are_shown_whole() {
    let exact = "b".repeat(MAX_CELL_CHARS);
    let out = render_table(&kv(1, exact.clone().into_bytes()), OutputMode::Table);
    assert_eq!(boxed_cells(&out)[1][1], exact);
    let over = "b".repeat(MAX_CELL_CHARS + 1);
    let out = render_table(&kv(1, over.into_bytes()), OutputMode::Table);
    let value = &boxed_cells(&out)[1][1];
    assert!(value.ends_with(&format!("… ({} bytes)", MAX_CELL_CHARS + 1)));
    // A long text cell (not a value) is cut the same way, by its size in bytes.
    let t = Table {
        columns: vec!["name".into()],
        rows: vec![vec![Cell::Text("é".repeat(40_000))]],
    };
    let cell = &boxed_cells(&render_table(&t, OutputMode::Table))[1][0];
    assert!(
        cell.starts_with("éé") && cell.ends_with("… (80000 bytes)"),
        "{cell}"
    );
}

#[test]
fn the_shell_prints_a_64_kib_and_a_1_mib_value_and_exits_0() {
    let home = tempfile::tempdir().expect("tempdir");
    let (small, big) = (64 * 1024, 1024 * 1024);
    let input = format!(
        "put 1 {}\nget 1\nput 2 {}\nget 2\n.mode csv\nget 2\n",
        "a".repeat(small),
        "b".repeat(big)
    );
    let o = alexdb_with_input(&["--temp"], Some(&input), home.path());
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(err, "");
    assert!(out.contains(&format!("… ({small} bytes) |")), "{out:.2000}");
    assert!(out.contains(&format!("… ({big} bytes) |")), "{out:.2000}");
    // The csv line carries the whole value.
    let csv = format!("\n2,{}\n", "b".repeat(big));
    assert!(out.ends_with(&csv), "{}", out.len());
    assert!(out.len() < big + 4_000, "{}", out.len());
}

#[test]
fn width_sets_the_table_cut_and_off_shows_whole_values() {
    let n = 64 * 1024;
    let t = kv(1, vec![b'a'; n]);
    let whole = render_table_width(&t, OutputMode::Table, None);
    assert!(whole.contains(&"a".repeat(n)), "whole value in the box");
    assert!(!whole.contains("bytes)"));
    let narrow = render_table_width(&t, OutputMode::Table, Some(40));
    let cell = &boxed_cells(&narrow)[1][1];
    assert_eq!(cell.chars().count(), 40, "{cell}");
    assert!(cell.ends_with(&format!("… ({n} bytes)")), "{cell}");
}

#[test]
fn the_width_command_changes_table_cells_and_refuses_bad_widths() {
    let home = tempfile::tempdir().expect("tempdir");
    let value = "c".repeat(70_000);
    let input = format!("put 1 {value}\n.width off\nget 1\n.width 30\nget 1\n.width 3\n");
    let o = alexdb_with_input(&["--temp"], Some(&input), home.path());
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "the bad width fails: {err}");
    assert!(
        out.contains(&format!("| {value} |")),
        "whole value after .width off"
    );
    assert!(out.contains("… (70000 bytes) |"), "{out:.300}");
    assert!(err.contains(".width") && err.contains("at least"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
