//! Baselines (a window's figures plus the options in force, saved under a name in the
//! database directory's `baselines.json`) and the A/B comparison of two of them.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::outcome::ExecError;
use engine::metrics::Reference;
use engine::metrics::history::{Figure, WindowFigures};

/// The file in the database directory that holds every baseline.
pub const FILE_NAME: &str = "baselines.json";
/// The window `.baseline save` and `.compare ... now` read unless told otherwise.
pub const DEFAULT_WINDOW_SECS: f64 = 30.0;
/// Longest baseline name.
const MAX_NAME: usize = 64;

/// One saved baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub name: String,
    /// When it was taken: seconds since the Unix epoch, and the same as UTC text.
    pub taken_unix: u64,
    pub taken_utc: String,
    /// The database it was taken on.
    pub db_path: String,
    pub window: WindowFigures,
    /// Every option in force: name -> value text.
    pub options: BTreeMap<String, String>,
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BaselineFile {
    pub baselines: Vec<Baseline>,
}

/// Names are one word of letters, digits, `_`, `-` and `.`; `now` is `.compare`'s.
pub fn check_name(name: &str) -> Result<(), ExecError> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if name.is_empty() || name.len() > MAX_NAME || !ok_chars {
        return Err(ExecError::Refused(format!(
            "bad baseline name {name:?}: use up to {MAX_NAME} letters, digits, _ - or ."
        )));
    }
    if name.eq_ignore_ascii_case("now") {
        return Err(ExecError::Refused(
            "\"now\" names the current window in .compare; pick another name".into(),
        ));
    }
    Ok(())
}

pub fn file_path(db_dir: &Path) -> PathBuf {
    db_dir.join(FILE_NAME)
}

impl BaselineFile {
    /// Reads the file; a missing file is an empty list, an unreadable one an error.
    pub fn load(db_dir: &Path) -> Result<Self, ExecError> {
        let path = file_path(db_dir);
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(ExecError::file("read", &shown, e)),
        };
        serde_json::from_str(&text).map_err(|e| {
            ExecError::Refused(format!(
                "{shown} is not a baselines file ({e}); move it away to start a new one"
            ))
        })
    }

    /// Writes the file atomically and durably: a temporary file beside it, synced, then
    /// renamed over the file and the directory synced. A failure removes the temporary
    /// file and leaves the old file as it was.
    pub fn save(&self, db_dir: &Path) -> Result<(), ExecError> {
        use std::io::Write;
        let path = file_path(db_dir);
        let shown = path.display().to_string();
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| ExecError::Refused(format!("cannot encode baselines: {e}")))?;
        let tmp = db_dir.join(format!("{FILE_NAME}.tmp"));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            drop(f);
            std::fs::rename(&tmp, &path)?;
            // The rename is durable only once the directory is synced.
            std::fs::File::open(db_dir)?.sync_all()
        };
        write().map_err(|e| {
            // Best effort; after a successful rename there is no temporary file left.
            let _ = std::fs::remove_file(&tmp);
            ExecError::file("write", &shown, e)
        })
    }

    pub fn find(&self, name: &str) -> Option<&Baseline> {
        self.baselines.iter().find(|b| b.name == name)
    }

    /// Adds `b`, replacing a baseline of the same name.
    pub fn put(&mut self, b: Baseline) {
        self.baselines.retain(|x| x.name != b.name);
        self.baselines.push(b);
    }
}

/// One row of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureDelta {
    pub name: String,
    pub unit: String,
    pub a: Option<f64>,
    pub b: Option<f64>,
    pub delta_pct: Option<f64>,
    pub ratio: Option<f64>,
    /// `None` when a side is missing or has fewer than two per-second values.
    pub within_noise: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionDiff {
    pub name: String,
    pub a: Option<String>,
    pub b: Option<String>,
}

/// What `.compare` shows; serialises to its `--json` fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub baseline_a: Side,
    pub baseline_b: Side,
    pub options_differ: Vec<OptionDiff>,
    pub figures: Vec<FigureDelta>,
}

/// One side of a comparison: its name and what its window rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub name: String,
    pub taken_utc: String,
    pub samples: usize,
    pub secs: f64,
    pub few_samples: bool,
    /// The window's last seconds agreed (`None`: too few, or an old baseline).
    pub steady: Option<bool>,
}

impl Side {
    pub fn of(name: &str, taken_utc: &str, w: &WindowFigures) -> Self {
        Side {
            name: name.to_string(),
            taken_utc: taken_utc.to_string(),
            samples: w.samples,
            secs: w.secs,
            few_samples: w.few_samples,
            steady: w.steady,
        }
    }
}

/// The noise test: the difference of the window values is within twice the standard
/// error of the difference of the per-second means, `2·sqrt(sA²/nA + sB²/nB)`.
pub fn within_noise(a: &Figure, b: &Figure) -> Option<bool> {
    let noise = bench::steady::two_standard_errors((a.sd, a.n), (b.sd, b.n))?;
    Some((b.value - a.value).abs() <= noise)
}

fn delta(a: Option<&Figure>, b: Option<&Figure>, name: &str, unit: &str) -> FigureDelta {
    let (va, vb) = (a.map(|f| f.value), b.map(|f| f.value));
    let nonzero_a = va.filter(|v| *v != 0.0);
    FigureDelta {
        name: name.to_string(),
        unit: unit.to_string(),
        a: va,
        b: vb,
        delta_pct: nonzero_a.zip(vb).map(|(x, y)| (y - x) / x * 100.0),
        ratio: nonzero_a.zip(vb).map(|(x, y)| y / x),
        within_noise: a.zip(b).and_then(|(x, y)| within_noise(x, y)),
    }
}

/// Compares window `a` with window `b` (figures in A's order, then B's extras) and
/// lists the options whose values differ.
pub fn compare(
    a: (Side, &WindowFigures, &BTreeMap<String, String>),
    b: (Side, &WindowFigures, &BTreeMap<String, String>),
) -> Comparison {
    let mut figures: Vec<FigureDelta> =
        a.1.figures
            .iter()
            .map(|fa| delta(Some(fa), b.1.get(&fa.name), &fa.name, &fa.unit))
            .collect();
    for fb in b.1.figures.iter().filter(|f| a.1.get(&f.name).is_none()) {
        figures.push(delta(None, Some(fb), &fb.name, &fb.unit));
    }
    let mut names: Vec<&String> = a.2.keys().chain(b.2.keys()).collect();
    names.sort();
    names.dedup();
    let options_differ = names
        .into_iter()
        .filter(|n| a.2.get(*n) != b.2.get(*n))
        .map(|n| OptionDiff {
            name: n.clone(),
            a: a.2.get(n).cloned(),
            b: b.2.get(n).cloned(),
        })
        .collect();
    Comparison {
        baseline_a: a.0,
        baseline_b: b.0,
        options_differ,
        figures,
    }
}

/// `secs` since the Unix epoch as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn utc_text(secs: u64) -> String {
    let rem = secs % 86_400;
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        date_of_day((secs / 86_400) as i64),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The civil date of day `z` counted from 1970-01-01 (proleptic Gregorian calendar):
/// split into 400-year eras of 146097 days, with years starting on 1 March so the leap
/// day falls last.
pub fn date_of_day(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A figure's value in its unit, for tables.
pub fn show_value(v: f64, unit: &str) -> String {
    match unit {
        "ns" | "ns/get" => {
            if v >= 1e6 {
                format!("{:.2} ms", v / 1e6)
            } else if v >= 1e3 {
                format!("{:.2} µs", v / 1e3)
            } else {
                format!("{v:.0} ns")
            }
        }
        "B" => {
            let mib = v / (1024.0 * 1024.0);
            if mib >= 1.0 {
                format!("{mib:.1} MiB")
            } else {
                format!("{:.1} KiB", v / 1024.0)
            }
        }
        "%" => format!("{v:.1}%"),
        "ops/s" => format!("{v:.0}/s"),
        _ => format!("{v:.0}"),
    }
}

/// `--window D`: whole seconds from 1 s to the history's length.
pub(crate) fn window_secs(text: &str) -> Result<u64, String> {
    let d = crate::ast::bench_args::parse_duration(text)?;
    let secs = d.as_secs_f64().round() as u64;
    let max = engine::metrics::history::HISTORY_SAMPLES as u64;
    if !(1..=max).contains(&secs) {
        return Err(format!(
            "--window {text} is out of range 1s..{max}s (the history keeps {max} s)"
        ));
    }
    Ok(secs)
}

/// The baselines' reference lines and the file time they were read at.
#[derive(Debug, Default)]
pub(crate) struct References {
    pub(crate) read_at: Option<SystemTime>,
    pub(crate) lines: Vec<Reference>,
}

impl References {
    /// An unreadable file means no lines (the `.baseline` commands report the problem).
    pub(crate) fn read(db_dir: &Path, at: Option<SystemTime>) -> References {
        let lines = BaselineFile::load(db_dir)
            .map(|f| {
                f.baselines
                    .iter()
                    .map(|b| Reference::from_figures(&b.name, &b.window))
                    .collect()
            })
            .unwrap_or_default();
        References { read_at: at, lines }
    }
}

/// When `path` last changed (`None` when it does not exist).
pub(crate) fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
