//! `.baseline save|list|drop` and `.compare`, over the history the executor's sampler
//! keeps, and [`Executor::recent_window`] for other commands that read "the last window".
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::Executor;
use crate::ast::BaselineCmd;
use crate::baseline::{
    Baseline, BaselineFile, Comparison, DEFAULT_WINDOW_SECS, References, Side, check_name, compare,
    file_path, modified, show_value, utc_text,
};
use crate::outcome::{Cell, ExecError, Outcome, Table};
use crate::render::render_table;
use engine::metrics::{Reference, WindowFigures};

impl Executor {
    /// The figures of the last `secs` seconds of this database's history, ending at the
    /// last second with operations (takes a sample first, so work that just finished
    /// counts); `None` when no sampled second had operations.
    pub fn recent_window(&self, secs: f64) -> Option<WindowFigures> {
        self.sampler.sample_now();
        self.sampler.history().lock().window(secs)
    }

    /// The saved baselines as the dashboard draws them, read again whenever the file
    /// changed (a `.replay --save` job writes it without the executor).
    pub fn references(&self) -> Vec<Reference> {
        let changed = modified(&file_path(self.db.path()));
        let mut r = self.references.lock();
        if r.read_at != changed {
            *r = References::read(self.db.path(), changed);
        }
        r.lines.clone()
    }

    /// Re-reads `baselines.json` for [`Executor::references`] now.
    pub(crate) fn reload_references(&mut self) {
        let changed = modified(&file_path(self.db.path()));
        *self.references.lock() = References::read(self.db.path(), changed);
    }

    pub(crate) fn baseline_command(&mut self, cmd: &BaselineCmd) -> Result<Outcome, ExecError> {
        let out = match cmd {
            BaselineCmd::Save { name, window_secs } => self.save_baseline(name, *window_secs)?,
            BaselineCmd::List => Outcome::Rows(self.baseline_list()?),
            BaselineCmd::Drop(name) => {
                let mut file = BaselineFile::load(self.db.path())?;
                if file.find(name).is_none() {
                    return Err(unknown_baseline(name));
                }
                file.baselines.retain(|b| &b.name != name);
                file.save(self.db.path())?;
                Outcome::Message(format!("dropped baseline {name}"))
            }
        };
        self.reload_references();
        Ok(out)
    }

    fn options_now(&self) -> BTreeMap<String, String> {
        self.db
            .options()
            .describe()
            .into_iter()
            .map(|o| (o.name.to_string(), o.value))
            .collect()
    }

    fn window_or_error(&self, secs: u64) -> Result<WindowFigures, ExecError> {
        self.recent_window(secs as f64).ok_or_else(|| {
            ExecError::Refused(
                "no operations in the metrics history since the last option change (it samples once a second): run a workload first"
                    .into(),
            )
        })
    }

    fn save_baseline(&mut self, name: &str, secs: u64) -> Result<Outcome, ExecError> {
        check_name(name)?;
        // Read the file first: an unreadable one fails before anything is measured.
        let mut file = BaselineFile::load(self.db.path())?;
        let window = self.window_or_error(secs)?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut text = format!(
            "saved baseline {name}: {} samples, {:.1} s ({:.1} s with operations), {} options",
            window.samples,
            window.secs,
            window.active_secs,
            self.options_now().len()
        );
        if window.few_samples {
            text.push_str("; few samples: the figures are rough");
        }
        file.put(Baseline {
            name: name.to_string(),
            taken_unix: now,
            taken_utc: utc_text(now),
            db_path: self.db.path().display().to_string(),
            window,
            options: self.options_now(),
        });
        file.save(self.db.path())?;
        Ok(Outcome::Message(text))
    }

    fn baseline_list(&self) -> Result<Table, ExecError> {
        let file = BaselineFile::load(self.db.path())?;
        let mut t = Table::new(&["name", "taken", "samples", "secs", "ops/s", "get p99"]);
        for b in &file.baselines {
            let w = &b.window;
            let fig = |n: &str| {
                w.get(n)
                    .map_or(Cell::Null, |f| Cell::Text(show_value(f.value, &f.unit)))
            };
            let mut samples = w.samples.to_string();
            if w.few_samples {
                samples.push_str(" (few)");
            }
            t.rows.push(vec![
                Cell::Text(b.name.clone()),
                Cell::Text(b.taken_utc.clone()),
                Cell::Text(samples),
                Cell::Text(format!("{:.1}", w.secs)),
                fig("ops/s"),
                fig("get p99"),
            ]);
        }
        Ok(t)
    }

    /// `.compare A [B|now]`.
    pub(crate) fn compare_command(
        &mut self,
        a: &str,
        b: Option<&str>,
    ) -> Result<Outcome, ExecError> {
        let file = BaselineFile::load(self.db.path())?;
        let ba = file.find(a).ok_or_else(|| unknown_baseline(a))?;
        let side_a = (
            Side::of(&ba.name, &ba.taken_utc, &ba.window),
            &ba.window,
            &ba.options,
        );
        let cmp = match b {
            Some(name) => {
                let bb = file.find(name).ok_or_else(|| unknown_baseline(name))?;
                let side_b = (
                    Side::of(&bb.name, &bb.taken_utc, &bb.window),
                    &bb.window,
                    &bb.options,
                );
                compare(side_a, side_b)
            }
            None => {
                let w = self.window_or_error(DEFAULT_WINDOW_SECS as u64)?;
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let opts = self.options_now();
                compare(side_a, (Side::of("now", &utc_text(now), &w), &w, &opts))
            }
        };
        let json = serde_json::to_value(&cmp).unwrap_or_else(|e| json!({ "error": e.to_string() }));
        Ok(Outcome::Report {
            text: comparison_text(&cmp),
            json,
        })
    }
}

fn unknown_baseline(name: &str) -> ExecError {
    ExecError::Refused(format!(
        "no baseline named {name:?} in this database (.baseline list shows them)"
    ))
}

fn side_line(tag: &str, s: &Side) -> String {
    let few = if s.few_samples {
        ", few samples: rough"
    } else {
        ""
    };
    let moving = if s.steady == Some(false) {
        ", not steady: its last seconds disagree"
    } else {
        ""
    };
    format!(
        "{tag}: {} ({}, {} samples, {:.1} s{few}{moving})\n",
        s.name, s.taken_utc, s.samples, s.secs
    )
}

/// The comparison as text: the two sides, then one table with the differing options
/// first and every figure after them.
pub fn comparison_text(c: &Comparison) -> String {
    let mut t = Table::new(&["figure", "A", "B", "delta %", "ratio ×", "noise"]);
    let text = |s: String| Cell::Text(s);
    for o in &c.options_differ {
        let v = |x: &Option<String>| x.clone().unwrap_or_else(|| "-".into());
        t.rows.push(vec![
            text(format!("option {}", o.name)),
            text(v(&o.a)),
            text(v(&o.b)),
            text("-".into()),
            text("-".into()),
            text("differs".into()),
        ]);
    }
    for f in &c.figures {
        let v = |x: Option<f64>| x.map_or("-".into(), |x| show_value(x, &f.unit));
        t.rows.push(vec![
            text(f.name.clone()),
            text(v(f.a)),
            text(v(f.b)),
            text(f.delta_pct.map_or("-".into(), |d| format!("{d:+.1}%"))),
            text(f.ratio.map_or("-".into(), |r| format!("{r:.2}×"))),
            text(
                match f.within_noise {
                    Some(true) => "within noise",
                    Some(false) => "beyond noise",
                    None => "n/a",
                }
                .into(),
            ),
        ]);
    }
    let mut out = side_line("A", &c.baseline_a);
    out.push_str(&side_line("B", &c.baseline_b));
    out.push_str(&render_table(&t, crate::OutputMode::Table));
    for name in new_files_differ(c) {
        out.push_str(&format!(
            "note: {name} applies to new files only: unless the data was rewritten between A and B (.compact), both read files written under A's value\n"
        ));
    }
    out
}

/// Differing options that apply only to files written after a change.
pub fn new_files_differ(c: &Comparison) -> Vec<&str> {
    use engine::options::Opt;
    c.options_differ
        .iter()
        .filter(|o| Opt::lookup(&o.name).is_ok_and(Opt::reaches_new_files_only))
        .map(|o| o.name.as_str())
        .collect()
}
