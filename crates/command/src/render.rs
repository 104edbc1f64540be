//! Outcomes as text: the four `.mode`s, the `--json` object per command, and the `.timer`
//! and `.stats` lines. Plain strings, no terminal code, so every front end shares them.
use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Duration;

use serde_json::{Map, Value as Json, json};

use super::ast::{OutputMode, OutputTarget};
use super::outcome::{Cell, CommandStats, Outcome, Report, Table};
pub use super::settings::MAX_CELL_CHARS;
use super::settings::Session;
use engine::persist::{Origin, StartReport};

/// A value as text: itself when it is valid UTF-8, else `x'..'` in lower-case hex.
pub fn format_value(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let mut s = String::with_capacity(bytes.len() * 2 + 3);
            s.push_str("x'");
            for b in bytes {
                let _ = write!(s, "{b:02x}");
            }
            s.push('\'');
            s
        }
    }
}

fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Int(i) => i.to_string(),
        Cell::Bytes(b) => format_value(b),
        Cell::Text(t) => t.clone(),
        Cell::Null => "NULL".to_string(),
    }
}

/// Line mode: the whole cell, control characters escaped so one row stays one line.
fn cell_display(c: &Cell) -> String {
    escaped(&cell_text(c), usize::MAX).0
}

/// Table mode: the cell escaped as in line mode and cut to `limit` characters
/// ([`MAX_CELL_CHARS`] unless `.width` says otherwise).
fn cell_short(c: &Cell, limit: usize) -> String {
    match c {
        Cell::Bytes(b) => match std::str::from_utf8(b) {
            Ok(s) => shortened(s, b.len(), limit),
            // Hex takes two characters a byte: the first `limit` bytes already overflow
            // the cell, so the rest need not be formatted.
            Err(_) => shortened(&format_value(&b[..b.len().min(limit)]), b.len(), limit),
        },
        Cell::Text(t) => shortened(t, t.len(), limit),
        c => cell_text(c),
    }
}

/// `text` escaped, whole if it fits in `limit` characters, else its start and
/// `… (bytes bytes)` within that many characters.
fn shortened(text: &str, bytes: usize, limit: usize) -> String {
    let (all, cut) = escaped(text, limit);
    if !cut {
        return all;
    }
    let suffix = format!("… ({bytes} bytes)");
    let room = limit.saturating_sub(suffix.chars().count());
    let mut head = escaped(text, room).0;
    head.push_str(&suffix);
    head
}

/// `text` with control characters escaped, up to `limit` characters of the result (an
/// escape is kept whole or dropped); `true` when something was left out.
fn escaped(text: &str, limit: usize) -> (String, bool) {
    let mut out = String::with_capacity(text.len().min(limit));
    let mut chars = 0;
    for ch in text.chars() {
        let width = if ch.is_control() {
            ch.escape_default().len()
        } else {
            1
        };
        if chars + width > limit {
            return (out, true);
        }
        chars += width;
        if ch.is_control() {
            out.extend(ch.escape_default());
        } else {
            out.push(ch);
        }
    }
    (out, false)
}

/// An error line's text with control characters escaped (line breaks kept): the message
/// may quote the input, and a quoted escape sequence would otherwise reach the terminal.
pub fn error_text(text: &str) -> String {
    text.split('\n')
        .map(|l| escaped(l, usize::MAX).0)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Appends `text` padded with spaces to `width` characters, on the right or the left.
/// (Spaces are added by hand: the formatter's `{:w$}` panics for widths of 65,536 and
/// over.)
fn push_padded(out: &mut String, text: &str, width: usize, align_right: bool) {
    let pad = " ".repeat(width.saturating_sub(text.chars().count()));
    if align_right {
        out.push_str(&pad);
        out.push_str(text);
    } else {
        out.push_str(text);
        out.push_str(&pad);
    }
}

fn cell_json(c: &Cell) -> Json {
    match c {
        Cell::Int(i) => json!(i),
        Cell::Bytes(b) => Json::String(format_value(b)),
        Cell::Text(t) => Json::String(t.clone()),
        Cell::Null => Json::Null,
    }
}

fn row_object(columns: &[String], row: &[Cell]) -> Json {
    let mut m = Map::new();
    for (name, c) in columns.iter().zip(row) {
        m.insert(name.clone(), cell_json(c));
    }
    Json::Object(m)
}

/// How a front end shows a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// For the front end's screen: the result, and the `.stats` and `.timer` lines.
    Text { body: String, notes: String },
    /// Written to the `.output` file.
    ToFile,
    /// Writing to the `.output` file failed (disk full): the error line to show. The
    /// session's `output_failed` is set, so the run stops.
    FileFailed(String),
}

/// A report as every front end shows it: the body in the session's mode, then the
/// `.stats` and `.timer` lines. With `.output FILE`, results go to the file, while
/// notices for the person (a setting changed, a job started) stay on screen.
/// `show_settings`: confirm setting changes (the dashboard does; the line shell only at
/// a prompt). A failure renders as no text: each front end prints errors its own way.
pub fn render_report(session: &mut Session, r: &Report, show_settings: bool) -> Shown {
    let Ok(outcome) = &r.result else {
        return Shown::Text {
            body: String::new(),
            notes: String::new(),
        };
    };
    let notice = matches!(outcome, Outcome::Setting(_) | Outcome::JobStarted { .. });
    let body = match outcome {
        Outcome::Setting(s) if show_settings => format!("{s}\n"),
        o => render_outcome_width(o, session.settings.mode, session.settings.width),
    };
    let mut notes = String::new();
    if let Some(s) = &r.stats {
        notes.push_str(&stats_line(s));
    }
    if session.settings.timer && !matches!(outcome, Outcome::Quit | Outcome::Setting(_)) {
        notes.push_str(&timer_line(r.elapsed));
    }
    match session.output_file.as_mut() {
        Some(f) if !notice => {
            let written = f
                .write_all(body.as_bytes())
                .and_then(|()| f.write_all(notes.as_bytes()))
                .and_then(|()| f.flush());
            match written {
                Ok(()) => Shown::ToFile,
                Err(e) => {
                    session.output_failed = true;
                    Shown::FileFailed(output_error(session, &e))
                }
            }
        }
        _ => Shown::Text { body, notes },
    }
}

/// The error line for a result that could not be written where the session sends
/// results (the `.output` file, or the front end's stdout).
pub fn output_error(session: &Session, e: &std::io::Error) -> String {
    match &session.settings.output {
        OutputTarget::File(path) => format!("cannot write results to {path}: {e}"),
        OutputTarget::Stdout => format!("cannot write results to stdout: {e}"),
    }
}

/// The text an outcome prints in `mode` (ends with a newline), or `""` when it prints
/// nothing: writes and setting changes are silent in csv and json modes, whose output is
/// data for another program.
pub fn render_outcome(outcome: &Outcome, mode: OutputMode) -> String {
    render_outcome_width(outcome, mode, Some(MAX_CELL_CHARS))
}

/// [`render_outcome`] with table cells cut to `width` characters (`None`: whole).
pub fn render_outcome_width(outcome: &Outcome, mode: OutputMode, width: Option<usize>) -> String {
    match outcome {
        Outcome::Rows(t) => render_table_width(t, mode, width),
        Outcome::Changed { verb, rows, new } => match mode {
            OutputMode::Table | OutputMode::Line => {
                format!("{}\n", changed_text(verb, *rows, *new))
            }
            OutputMode::Csv | OutputMode::Json => String::new(),
        },
        Outcome::Message(m) => format!("{m}\n"),
        Outcome::JobStarted { id, label, .. } => format!("[{id}] started: {label}\n"),
        Outcome::Report { text, json } => match mode {
            OutputMode::Json => format!("{json}\n"),
            _ if text.ends_with('\n') => text.clone(),
            _ => format!("{text}\n"),
        },
        Outcome::Setting(_) | Outcome::Quit => String::new(),
    }
}

fn changed_text(verb: &str, rows: u64, new: u64) -> String {
    let s = if rows == 1 { "" } else { "s" };
    match verb {
        "put" if new == 1 => "OK (new key)".to_string(),
        "put" => "OK (replaced)".to_string(),
        "deleted" if rows == 0 => "deleted 0 rows (no such key)".to_string(),
        _ => format!("{verb} {rows} row{s}"),
    }
}

/// A result set in one of the four modes.
pub fn render_table(t: &Table, mode: OutputMode) -> String {
    render_table_width(t, mode, Some(MAX_CELL_CHARS))
}

/// [`render_table`] with table cells cut to `width` characters (`None`: whole).
pub fn render_table_width(t: &Table, mode: OutputMode, width: Option<usize>) -> String {
    match mode {
        OutputMode::Table => boxed(t, width.unwrap_or(usize::MAX)),
        OutputMode::Line => line_mode(t),
        OutputMode::Csv => csv_mode(t),
        OutputMode::Json => json_mode(t),
    }
}

fn boxed(t: &Table, limit: usize) -> String {
    if t.rows.is_empty() {
        return "(no rows)\n".to_string();
    }
    let header: Vec<String> = t
        .columns
        .iter()
        .map(|c| shortened(c, c.len(), limit))
        .collect();
    let cells: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| cell_short(c, limit)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|c| c.chars().count()).collect();
    for r in &cells {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let rule: String = {
        let mut s = String::from("+");
        for w in &widths {
            s.push_str(&"-".repeat(w + 2));
            s.push('+');
        }
        s.push('\n');
        s
    };
    let mut out = rule.clone();
    out.push('|');
    for (c, w) in header.iter().zip(&widths) {
        out.push(' ');
        push_padded(&mut out, c, *w, false);
        out.push_str(" |");
    }
    out.push('\n');
    out.push_str(&rule);
    for (row, texts) in t.rows.iter().zip(&cells) {
        out.push('|');
        for ((cell, text), w) in row.iter().zip(texts).zip(&widths) {
            // Numbers line up on the right, text on the left (as sqlite3 does).
            out.push(' ');
            push_padded(&mut out, text, *w, matches!(cell, Cell::Int(_)));
            out.push_str(" |");
        }
        out.push('\n');
    }
    out.push_str(&rule);
    out
}

fn line_mode(t: &Table) -> String {
    let w = t
        .columns
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for (i, row) in t.rows.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (c, cell) in t.columns.iter().zip(row) {
            push_padded(&mut out, c, w, true);
            let _ = writeln!(out, " = {}", cell_display(cell));
        }
    }
    out
}

fn csv_mode(t: &Table) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail; the results are ignored for that reason.
    let _ = w.write_record(&t.columns);
    for row in &t.rows {
        let _ = w.write_record(row.iter().map(|c| match c {
            Cell::Null => String::new(),
            c => cell_text(c),
        }));
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn json_mode(t: &Table) -> String {
    if t.rows.is_empty() {
        return "[]\n".to_string();
    }
    let lines: Vec<String> = t
        .rows
        .iter()
        .map(|r| row_object(&t.columns, r).to_string())
        .collect();
    format!("[{}]\n", lines.join(",\n"))
}

/// `--json`: one object per command. Fields: `command`, `ok`, `elapsed_us`, and then
/// `columns` + `rows` (reads), `changes` + `new_keys` (writes), `message` (text),
/// `error` (failures), `stats` (with `.stats on`), `quit`.
pub fn report_json(r: &Report) -> Json {
    let mut m = Map::new();
    m.insert("command".into(), Json::String(r.input.trim().to_string()));
    let ok = r.result.as_ref().is_ok_and(|o| !o.reports_failure());
    m.insert("ok".into(), Json::Bool(ok));
    m.insert(
        "elapsed_us".into(),
        json!((r.elapsed.as_secs_f64() * 1e6 * 1000.0).round() / 1000.0),
    );
    match &r.result {
        Ok(Outcome::Rows(t)) => {
            m.insert("columns".into(), json!(t.columns));
            let rows: Vec<Json> = t
                .rows
                .iter()
                .map(|row| row_object(&t.columns, row))
                .collect();
            m.insert("rows".into(), Json::Array(rows));
        }
        Ok(Outcome::Changed { rows, new, .. }) => {
            m.insert("changes".into(), json!(rows));
            m.insert("new_keys".into(), json!(new));
        }
        Ok(Outcome::Message(s) | Outcome::Setting(s)) => {
            m.insert("message".into(), Json::String(s.clone()));
        }
        Ok(Outcome::Quit) => {
            m.insert("quit".into(), Json::Bool(true));
        }
        Ok(Outcome::Report { text, json }) => {
            m.insert("message".into(), Json::String(text.trim_end().to_string()));
            m.insert("report".into(), json.clone());
        }
        Ok(Outcome::JobStarted { id, label, .. }) => {
            m.insert("job".into(), json!(id));
            m.insert("message".into(), Json::String(format!("started: {label}")));
        }
        Err(e) => {
            m.insert("error".into(), Json::String(e.to_string()));
        }
    }
    if let Some(s) = &r.stats {
        m.insert("stats".into(), json!(s));
    }
    Json::Object(m)
}

/// A duration for people: `850 ns`, `12.3 µs`, `4.56 ms`, `1.23 s`.
pub fn format_duration(d: Duration) -> String {
    format_ns(d.as_nanos() as f64)
}

fn format_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.0} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.1} µs", ns / 1e3)
    } else if ns < 1_000_000_000.0 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// The `.timer on` line.
pub fn timer_line(d: Duration) -> String {
    format!("Run Time: {}\n", format_duration(d))
}

/// The `.stats on` line.
pub fn stats_line(s: &CommandStats) -> String {
    let mut out = format!(
        "Stats: value cache {} hit / {} miss",
        s.cache_hits, s.cache_misses
    );
    if s.timed_gets > 0 {
        let _ = write!(
            out,
            " | get time: cache {}, ALEX {}, RocksDB {}, other {}",
            format_ns(s.cache_ns as f64),
            format_ns(s.alex_ns as f64),
            format_ns(s.rocksdb_ns as f64),
            format_ns(s.other_ns as f64)
        );
    }
    match (s.block_reads, s.block_cache_hits) {
        (Some(r), Some(h)) => {
            let _ = write!(out, " | RocksDB block reads {r} (block cache hits {h})");
            if let Some(kinds) = &s.block_kinds {
                out.push_str(&block_kinds_text(kinds));
            }
        }
        _ => out.push_str(" | RocksDB block reads n/a (rocksdb_statistics off)"),
    }
    let _ = writeln!(
        out,
        " | rows read {} written {}",
        s.rows_read, s.rows_written
    );
    out
}

/// ` | block cache by kind: data 12 hit / 3 miss 1.2 MiB held, index ..., filter ...`.
fn block_kinds_text(kinds: &[crate::outcome::BlockKindStats]) -> String {
    let parts: Vec<String> = kinds
        .iter()
        .map(|k| {
            let held = k.bytes.map_or(String::new(), |b| {
                format!(" {} held", engine::options::human_bytes(b))
            });
            format!("{} {} hit / {} miss{held}", k.kind, k.hits, k.misses)
        })
        .collect();
    format!(" | block cache by kind: {}", parts.join(", "))
}

/// What an open made of the saved options, as lines for the person: one `warning:` line
/// per problem with the saved file, then one line listing the options that differ from
/// the defaults and where each came from (nothing when all are at their defaults).
pub fn start_lines(report: &StartReport) -> Vec<String> {
    let mut lines: Vec<String> = report
        .warnings
        .iter()
        .map(|w| format!("warning: {w}"))
        .collect();
    if !report.changed.is_empty() {
        let list: Vec<String> = report
            .changed
            .iter()
            .map(|(name, value, origin)| {
                let from = match origin {
                    Origin::File => "saved",
                    Origin::Override => "--set",
                };
                format!("{name}={value} ({from})")
            })
            .collect();
        lines.push(format!(
            "options differing from the defaults: {}",
            list.join(", ")
        ));
    }
    lines
}

/// A horizontal bar chart, one bar per `(label, value)`, scaled so the largest value
/// fills `width` cells (eighth-cell precision); `best` is marked with `*`. Plain text, so
/// the line shell and the dashboard's output pane show the same chart.
pub fn bar_chart(bars: &[(String, f64)], best: Option<usize>, width: usize) -> String {
    const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let label_w = bars
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let max = bars.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let mut out = String::new();
    for (i, (label, v)) in bars.iter().enumerate() {
        let eighths = if max > 0.0 {
            (v.max(0.0) / max * (width * 8) as f64).round() as usize
        } else {
            0
        };
        let mut bar = "█".repeat(eighths / 8);
        bar.push_str(EIGHTHS[eighths % 8]);
        let cells = bar.chars().count();
        out.push_str("  ");
        push_padded(&mut out, label, label_w, false);
        out.push_str(" |");
        out.push_str(&bar);
        out.push_str(&" ".repeat(width.saturating_sub(cells)));
        let mark = if best == Some(i) { " *" } else { "" };
        let _ = writeln!(out, " {v:.0}{mark}");
    }
    out
}
