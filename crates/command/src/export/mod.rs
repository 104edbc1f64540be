//! `.options export FILE --format tikv|myrocks|kvrocks` (and `alexdb export`): the options
//! in force as another RocksDB store's configuration. Each target has ONE key map
//! ([`Target::rules`]): every alexdb option is either written under the target's key, in
//! its units and spelling, or listed as having no equivalent, with the reason. Warnings
//! say where the target overrides or deprecates a key, or where a value had to change
//! (rounding to the target's units). The file starts with a header naming alexdb, the
//! date, the database and the "no equivalent" list. docs/scale-out.md has the tables.
mod kvrocks;
mod myrocks;
mod tikv;

use engine::DbOptions;
use engine::options::{Opt, Val};

/// A store alexdb's options can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Tikv,
    Myrocks,
    Kvrocks,
}

/// One alexdb option's fate in a target.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The alexdb option (its name in the options table).
    pub option: &'static str,
    pub to: To,
}

/// Where an option goes.
#[derive(Debug, Clone, Copy)]
pub enum To {
    /// Written under `keys` (section, key): the first is the option's own key, any
    /// others are keys the target reads instead in some setups (same value). `warn` is
    /// said whenever the key is written; `max` is the target's upper bound in its units.
    Keys {
        keys: &'static [(&'static str, &'static str)],
        form: Form,
        warn: Option<&'static str>,
        max: Option<i128>,
    },
    /// Not written: the target has no equivalent, for this reason.
    Nothing(&'static str),
}

/// How a value is spelled in the target.
#[derive(Debug, Clone, Copy)]
pub enum Form {
    /// Whole bytes.
    Bytes,
    /// TiKV's size string (`64MiB`).
    Size,
    /// Whole MiB (Kvrocks' `MB`), rounded with a warning when not exact.
    Mib,
    Int,
    /// The target's own words for on/off.
    Bool,
    /// The opposite on/off (`wal on` is `disable_wal no`).
    NotBool,
    /// alexdb's value text -> the target's text.
    Name(&'static [(&'static str, &'static str)]),
    /// Whole bloom bits per key (TiKV).
    WholeBits,
    /// RocksDB's filter policy string (`bloomfilter:10:false`, or `nullptr` for none).
    BloomPolicy,
    /// The same compression name for each of RocksDB's 7 levels (TiKV's list).
    PerLevel(&'static [(&'static str, &'static str)]),
    /// RocksDB's nested struct `{field=bytes}`.
    Nested(&'static str),
    /// RocksDB's `metadata_cache_options` for the pinning tier in force.
    Pinning,
    /// The value's plain text (a fraction).
    Plain,
}

/// Why the value cache's options have no equivalent anywhere.
const OWN_VALUE_CACHE: &str = "alexdb's value cache sits in front of RocksDB; the target has \
     none (docs/scale-out.md says what plays its part)";
/// Why the bulk-load options have none.
const OWN_LOAD: &str = "alexdb's bulk load (SST ingest with ALEX built beside it); the target \
     loads through its own import path";
/// Why alexdb's instrumentation options have none.
const OWN_METRICS: &str = "alexdb's own instrumentation of its engine; the target keeps its \
     own metrics";

/// The options no target has, whatever it is: alexdb's own layers. Every target's map
/// ends with these.
const ALEXDB_ONLY: &[Rule] = &[
    nothing("value_cache_size", OWN_VALUE_CACHE),
    nothing("value_cache_entries", OWN_VALUE_CACHE),
    nothing("value_cache_shards", OWN_VALUE_CACHE),
    nothing("value_cache_policy", OWN_VALUE_CACHE),
    nothing("value_cache_compression", OWN_VALUE_CACHE),
    nothing("value_cache_mrc", OWN_VALUE_CACHE),
    nothing("warm_value_cache", OWN_VALUE_CACHE),
    nothing("lend_value_cache", OWN_VALUE_CACHE),
    nothing("bulk_load_method", OWN_LOAD),
    nothing("bulk_load_rows_per_file", OWN_LOAD),
    nothing("metrics", OWN_METRICS),
    nothing("metrics_sample_rate", OWN_METRICS),
];

/// A rule writing `option` under `keys` (section, key) in form `form`.
pub const fn key(
    option: &'static str,
    keys: &'static [(&'static str, &'static str)],
    form: Form,
) -> Rule {
    Rule {
        option,
        to: To::Keys {
            keys,
            form,
            warn: None,
            max: None,
        },
    }
}

/// A rule for an option the target has no key for.
pub const fn nothing(option: &'static str, reason: &'static str) -> Rule {
    Rule {
        option,
        to: To::Nothing(reason),
    }
}

impl Rule {
    /// The same rule, with a warning said whenever it is written.
    pub const fn warn(self, text: &'static str) -> Rule {
        match self.to {
            To::Keys {
                keys, form, max, ..
            } => Rule {
                to: To::Keys {
                    keys,
                    form,
                    warn: Some(text),
                    max,
                },
                ..self
            },
            To::Nothing(_) => self,
        }
    }

    /// The same rule, with the target's upper bound (in its units).
    pub const fn max(self, bound: i128) -> Rule {
        match self.to {
            To::Keys {
                keys, form, warn, ..
            } => Rule {
                to: To::Keys {
                    keys,
                    form,
                    warn,
                    max: Some(bound),
                },
                ..self
            },
            To::Nothing(_) => self,
        }
    }
}

/// A value as the target writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    /// A number or word written as is.
    Raw(String),
    /// Text the target may quote (TiKV's TOML strings).
    Text(String),
    /// A list of texts (TiKV's `compression-per-level`).
    List(Vec<String>),
}

/// One key written: section, key, value.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub section: &'static str,
    pub key: &'static str,
    pub value: Out,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub target: Target,
    /// The whole file.
    pub text: String,
    /// The options written, in the options table's order.
    pub written: Vec<&'static str>,
    /// The options with no equivalent, with their reasons.
    pub nothing: Vec<(&'static str, &'static str)>,
    pub warnings: Vec<String>,
}

impl Export {
    /// The one-line summary front ends print (the warnings follow on their own lines).
    pub fn summary(&self, path: &str) -> String {
        format!(
            "wrote {path} ({}: {} options written, {} with no equivalent, {} warnings)",
            self.target.file_kind(),
            self.written.len(),
            self.nothing.len(),
            self.warnings.len()
        )
    }
}

impl Target {
    pub const ALL: [Target; 3] = [Target::Tikv, Target::Myrocks, Target::Kvrocks];

    /// The `--format` word.
    pub fn name(self) -> &'static str {
        match self {
            Target::Tikv => "tikv",
            Target::Myrocks => "myrocks",
            Target::Kvrocks => "kvrocks",
        }
    }

    /// The target `--format` word `s` names, any case.
    pub fn from_name(s: &str) -> Option<Target> {
        Target::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s))
    }

    /// The store's own name.
    pub fn title(self) -> &'static str {
        match self {
            Target::Tikv => "TiKV",
            Target::Myrocks => "MyRocks",
            Target::Kvrocks => "Kvrocks",
        }
    }

    /// What the file is.
    pub fn file_kind(self) -> &'static str {
        match self {
            Target::Tikv => "TiKV configuration fragment",
            Target::Myrocks => "MyRocks my.cnf fragment",
            Target::Kvrocks => "Kvrocks kvrocks.conf fragment",
        }
    }

    /// The target's key map: its own rules, then [`ALEXDB_ONLY`].
    pub fn rules(self) -> Vec<&'static Rule> {
        let own = match self {
            Target::Tikv => tikv::RULES,
            Target::Myrocks => myrocks::RULES,
            Target::Kvrocks => kvrocks::RULES,
        };
        own.iter().chain(ALEXDB_ONLY).collect()
    }

    /// The rule for option `name`, if the map has one.
    pub fn rule(self, name: &str) -> Option<&'static Rule> {
        self.rules().into_iter().find(|r| r.option == name)
    }

    /// The version of the target's documentation or source the map follows.
    pub fn reference(self) -> &'static str {
        match self {
            Target::Tikv => tikv::REFERENCE,
            Target::Myrocks => myrocks::REFERENCE,
            Target::Kvrocks => kvrocks::REFERENCE,
        }
    }

    fn bool_text(self, section: &str, b: bool) -> &'static str {
        match (self, b) {
            (Target::Kvrocks, true) => "yes",
            (Target::Kvrocks, false) => "no",
            (Target::Myrocks, true) if section == myrocks::DB => "ON",
            (Target::Myrocks, false) if section == myrocks::DB => "OFF",
            (_, true) => "true",
            (_, false) => "false",
        }
    }
}

/// Options `o` as target `t`'s configuration; `source` names the database and `date`
/// the day (`YYYY-MM-DD`) in the header.
pub fn export(t: Target, o: &DbOptions, source: &str, date: &str) -> Export {
    let mut lines = Vec::new();
    let mut written = Vec::new();
    let mut nothing = Vec::new();
    let mut warnings = Vec::new();
    for opt in Opt::ALL {
        let name = opt.name();
        match t.rule(name).map(|r| r.to) {
            Some(To::Keys {
                keys,
                form,
                warn,
                max,
            }) => {
                let (value, note) = render(t, form, o, opt, keys[0].0);
                warnings.extend(note.map(|n| format!("{name}: {n}")));
                warnings.extend(warn.map(|w| format!("{name}: {w}")));
                if let (Some(m), Out::Raw(v)) = (max, &value)
                    && v.parse::<i128>().is_ok_and(|n| n > m)
                {
                    warnings.push(format!(
                        "{name}: {v} is above {}'s limit of {m}; it refuses the file until it is lowered",
                        t.title()
                    ));
                }
                lines.extend(keys.iter().map(|&(section, key)| Line {
                    section,
                    key,
                    value: value.clone(),
                }));
                written.push(name);
            }
            Some(To::Nothing(reason)) => nothing.push((name, reason)),
            // The walk of the options table in the tests fails on this.
            None => nothing.push((name, "not in alexdb's export map yet")),
        }
    }
    let header = header(t, o, source, date, &nothing, &warnings);
    let body = match t {
        Target::Tikv => tikv::write(o, lines),
        Target::Myrocks => myrocks::write(o, lines),
        Target::Kvrocks => kvrocks::write(o, lines),
    };
    Export {
        target: t,
        text: format!("{header}\n{body}"),
        written,
        nothing,
        warnings,
    }
}

/// The comment block at the top of every exported file.
fn header(
    t: Target,
    o: &DbOptions,
    source: &str,
    date: &str,
    nothing: &[(&str, &str)],
    warnings: &[String],
) -> String {
    let mut h = vec![
        format!("# {}: the options in force for {source}", t.file_kind()),
        format!(
            "# written by alexdb {} on {date} (`.options export FILE --format {}`)",
            env!("CARGO_PKG_VERSION"),
            t.name()
        ),
        format!("# key names and units: {}", t.reference()),
        "#".to_string(),
        format!(
            "# alexdb options with no {} equivalent (not written), with their values:",
            t.title()
        ),
    ];
    for (name, reason) in nothing {
        let opt = Opt::from_name(name).expect("a name from the options table");
        h.push(format!("# {name} = {}", o.text(opt)));
        h.push(format!("#     {reason}"));
    }
    if !warnings.is_empty() {
        h.push("#".to_string());
        h.push("# warnings:".to_string());
        h.extend(warnings.iter().map(|w| format!("# - {w}")));
    }
    h.push(String::new());
    h.join("\n")
}

/// Option `opt`'s value in form `form` for target `t` (`section`: where it goes), and a
/// note when the value had to change to fit.
fn render(t: Target, form: Form, o: &DbOptions, opt: Opt, section: &str) -> (Out, Option<String>) {
    let val = o.value(opt);
    let int = match val {
        Val::Int(n) => n,
        _ => 0,
    };
    let raw = |s: String| (Out::Raw(s), None);
    match form {
        Form::Bytes | Form::Int => raw(int.to_string()),
        Form::Size => (Out::Text(size_text(int as usize)), None),
        Form::Mib => mib(int),
        Form::Bool => raw(t.bool_text(section, val == Val::Bool(true)).to_string()),
        Form::NotBool => raw(t.bool_text(section, val != Val::Bool(true)).to_string()),
        Form::Name(table) => (Out::Text(name_in(table, &val)), None),
        Form::PerLevel(table) => (Out::List(vec![name_in(table, &val); LEVELS]), None),
        Form::WholeBits => whole_bits(o.bloom_bits_per_key),
        Form::BloomPolicy => myrocks::bloom_policy(o.bloom_bits_per_key),
        Form::Nested(field) => raw(format!("{{{field}={int}}}")),
        Form::Pinning => raw(myrocks::pinning(o)),
        Form::Plain => raw(val.to_string()),
    }
}

/// RocksDB's default number of levels (TiKV's `compression-per-level` lists each).
pub const LEVELS: usize = 7;

/// The target's name for alexdb's value `val` (its own text when the table misses it).
fn name_in(table: &[(&str, &'static str)], val: &Val) -> String {
    let text = val.to_string();
    table
        .iter()
        .find(|(a, _)| *a == text)
        .map_or(text, |(_, b)| b.to_string())
}

/// A size in TiKV's units: `64MiB`, `16KiB`, plain bytes as `100B`.
fn size_text(n: usize) -> String {
    for (unit, m) in [("GiB", 1usize << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if n >= m && n.is_multiple_of(m) {
            return format!("{}{unit}", n / m);
        }
    }
    format!("{n}B")
}

/// Bytes as whole MiB (at least 1), with a note when that is not exact.
fn mib(bytes: i128) -> (Out, Option<String>) {
    const MIB: i128 = 1 << 20;
    let n = ((bytes + MIB / 2) / MIB).max(1);
    let note = (n * MIB != bytes).then(|| {
        format!(
            "{} is not a whole number of MiB and the target takes MiB: written as {n} ({n} MiB)",
            engine::options::format_size(bytes as usize)
        )
    });
    (Out::Raw(n.to_string()), note)
}

/// Bloom bits per key as whole bits, with a note when they were rounded.
fn whole_bits(bits: f64) -> (Out, Option<String>) {
    let whole = bits.round() as i64;
    let note = (whole as f64 != bits)
        .then(|| format!("{bits} bits per key; the target takes whole bits, written as {whole}"));
    (Out::Raw(whole.to_string()), note)
}

/// Today's date in UTC as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    date_of_day((secs / 86_400) as i64)
}

pub use crate::baseline::date_of_day;
