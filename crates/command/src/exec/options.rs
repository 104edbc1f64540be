//! The executor's part of the option commands: changes planned and applied (as a job
//! when RocksDB may reopen), profiles, the TiKV export, `.check`'s job and tables.
use std::sync::Arc;

use super::Executor;
use crate::ast::OutputMode;
use crate::outcome::{Cell, ExecError, Outcome, Table};
use engine::options::canonical_name;
use engine::profiles::{self, ProfileError};
use engine::{Applies, CheckPhase, CheckReport, Db, DbOptions, OptionChange};

impl Executor {
    /// `.check` as a job.
    pub(crate) fn start_check(&self) -> crate::jobs::JobId {
        start_check(&self.jobs, &self.db)
    }

    /// Runs an option change: as a job when the engine's plan says it may reopen
    /// RocksDB (a reopen, and a compaction before it, can take a while: the dashboard
    /// keeps drawing, the line shell waits for it), else here and now.
    fn change<F>(&self, may_reopen: bool, label: String, apply: F) -> Result<Outcome, ExecError>
    where
        F: FnOnce(&Db) -> Result<String, ExecError> + Send + 'static,
    {
        if !may_reopen {
            return Ok(Outcome::Message(apply(&self.db)?));
        }
        let db = Arc::clone(&self.db);
        let id = self.jobs.spawn("reopen", &label, "", move |h| {
            h.set_phase("reopening RocksDB", None);
            Ok(Outcome::Message(apply(&db)?))
        });
        Ok(Outcome::JobStarted {
            id,
            label,
            background: false,
        })
    }

    /// Moves every option to `target` (validated and planned first, so a bad target
    /// changes nothing), as one change.
    pub(crate) fn change_all(
        &self,
        target: DbOptions,
        label: String,
        none: String,
    ) -> Result<Outcome, ExecError> {
        let plans = self.db.plan_options(&target)?;
        let may_reopen = plans.iter().any(|p| p.may_reopen);
        self.change(may_reopen, label, move |db| {
            Ok(changes_text(&db.apply_options(target)?, &none))
        })
    }

    /// `.set NAME VALUE`; a bad name or value is refused here, at once, not from a job.
    pub(crate) fn set(&self, name: &str, value: &str) -> Result<Outcome, ExecError> {
        let plan = self.db.plan_option(name, value)?;
        let (n, v) = (name.to_string(), value.to_string());
        self.change(plan.may_reopen, format!(".set {name} {value}"), move |db| {
            Ok(change_text(&db.set_option(&n, &v)?))
        })
    }

    /// `.reset NAME` (to its default) or `.reset all`.
    pub(crate) fn reset(&self, name: Option<&str>) -> Result<Outcome, ExecError> {
        let defaults = DbOptions::default();
        match name {
            Some(n) => {
                let canonical = canonical_name(n).unwrap_or(n);
                let value = defaults.get(canonical).unwrap_or_default();
                let plan = self.db.plan_option(n, &value)?;
                let n = n.to_string();
                self.change(plan.may_reopen, format!(".reset {n}"), move |db| {
                    Ok(change_text(&db.set_option(&n, &value)?))
                })
            }
            None => {
                let mut target = defaults;
                // Fixed while open: keep what the database was opened with.
                target.value_cache_shards = self.db.options().value_cache_shards;
                let none = "all options are at their defaults".to_string();
                self.change_all(target, ".reset all".into(), none)
            }
        }
    }

    /// `.profile save FILE`: every option as TOML.
    pub(crate) fn save_profile(&self, path: &str) -> Result<Outcome, ExecError> {
        let o = self.db.options();
        let mut table = toml::Table::new();
        for name in DbOptions::NAMES {
            table.insert(
                name.to_string(),
                toml::Value::String(o.get(name).unwrap_or_default()),
            );
        }
        let mut doc = toml::Table::new();
        doc.insert("options".into(), toml::Value::Table(table));
        let text = format!(
            "# alexdb options profile: `.profile load {path}` applies it\n{}",
            toml::to_string(&doc)
                .map_err(|e| ExecError::Refused(format!("encoding the profile: {e}")))?
        );
        std::fs::write(path, text).map_err(|e| ExecError::file("write", path, e))?;
        Ok(Outcome::Message(format!(
            "saved {} options to {path}",
            DbOptions::NAMES.len()
        )))
    }

    /// `.profile load NAME|FILE`: a built-in profile or a TOML file, validated whole
    /// first, so a bad one changes nothing. Options a built-in names that this build
    /// lacks are skipped, each with a notice.
    pub(crate) fn load_profile(&self, path: &str) -> Result<Outcome, ExecError> {
        let (target, applied) =
            profiles::resolve(path, &self.db.options()).map_err(|e| match e {
                ProfileError::Read { path, source } => ExecError::file("read", &path, source),
                other => {
                    ExecError::Refused(format!("{other}{}", crate::hints::profile_hint(&other)))
                }
            })?;
        let notices = applied.notices();
        let plans = self.db.plan_options(&target)?;
        let may_reopen = plans.iter().any(|p| p.may_reopen);
        let none = format!("{path}: every option already had its value");
        self.change(may_reopen, format!(".profile load {path}"), move |db| {
            let changes = changes_text(&db.apply_options(target)?, &none);
            Ok(notices
                .into_iter()
                .chain(std::iter::once(changes))
                .collect::<Vec<_>>()
                .join("\n"))
        })
    }

    /// `.profile list`: the built-in profiles.
    pub(crate) fn list_profiles(&self) -> Outcome {
        let mut t = Table::new(&["profile", "what"]);
        for b in profiles::BUILTINS {
            t.rows.push(vec![
                Cell::Text(b.name.to_string()),
                Cell::Text(b.about.to_string()),
            ]);
        }
        Outcome::Rows(t)
    }
}

/// One line about an option change.
pub fn change_text(c: &OptionChange) -> String {
    if c.note.as_deref() == Some("unchanged") {
        return format!("{} is already {}", c.name, c.new);
    }
    let how = match c.applied {
        Applies::Live => "applied live".to_string(),
        Applies::NewFiles => "applies to new files; .compact rewrites the old ones".to_string(),
        Applies::Reopen => format!("reopened in {:.3} s, ALEX kept in memory", c.secs),
        Applies::AtOpen => "applies at the next open".to_string(),
    };
    let note = c
        .note
        .as_ref()
        .map(|n| format!("; {n}"))
        .unwrap_or_default();
    format!("{}: {} -> {} ({how}{note})", c.name, c.old, c.new)
}

fn changes_text(changes: &[OptionChange], none: &str) -> String {
    if changes.is_empty() {
        return none.to_string();
    }
    changes
        .iter()
        .map(change_text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `.show options`: name, value, default, kind, and `*` where changed from the default.
pub fn options_table(o: &DbOptions) -> Table {
    let mut t = Table::new(&["name", "value", "default", "kind", "changed"]);
    for info in o.describe() {
        t.rows.push(vec![
            Cell::Text(info.name.to_string()),
            Cell::Text(info.value),
            Cell::Text(info.default),
            Cell::Text(info.applies.as_str().to_string()),
            Cell::Text(if info.changed { "*" } else { "" }.to_string()),
        ]);
    }
    t
}

/// `.check` as a job: reading every key of a large database takes a while, so it shows
/// progress and can be cancelled (a cancelled check reports nothing found).
fn start_check(jobs: &crate::jobs::Jobs, db: &Arc<Db>) -> crate::jobs::JobId {
    let db = db.clone();
    jobs.spawn("check", ".check", "keys", move |h| {
        let report = db.check_with(&mut |p| {
            match p.phase {
                CheckPhase::Keys if p.done == 0 => h.set_phase("reading keys", Some(p.total)),
                CheckPhase::Keys => h.set_done(p.done),
                CheckPhase::Checksums => h.set_phase("verifying table checksums", None),
            }
            !h.cancelled()
        })?;
        Ok(match report {
            Some(r) => check_outcome(&r),
            None => Outcome::Message(format!(
                ".check cancelled after {} keys; nothing checked is reported",
                h.done()
            )),
        })
    })
}

/// `.check`'s answer (and `alexdb check`'s): its table for people and its JSON object.
pub fn check_outcome(r: &CheckReport) -> Outcome {
    let json = serde_json::json!({
        "ok": r.ok,
        "alex_keys": r.alex_keys,
        "rocksdb_keys": r.rocksdb_keys,
        "key_checksum_match": r.key_checksum_match,
        "alex_valid": r.alex_valid.is_ok(),
        "alex_error": r.alex_valid.as_ref().err(),
        "sst_ok": r.sst_ok,
        "sst_errors": r.sst_errors,
        "damaged": r.damaged,
        "findings": r.findings,
    });
    // Whole cells: a finding's line names files and what an open would do with them.
    let text = crate::render::render_table_width(&check_table(r), OutputMode::Table, None);
    Outcome::Report { text, json }
}

/// `.check`'s table: one row per finding, then one per damaged file and key range.
fn check_table(r: &CheckReport) -> Table {
    let mut t = Table::new(&["check", "result"]);
    let mut row = |n: &str, v: String| t.rows.push(vec![Cell::Text(n.into()), Cell::Text(v)]);
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
    row("ok", yes_no(r.ok));
    row("alex keys", r.alex_keys.to_string());
    row("rocksdb keys", r.rocksdb_keys.to_string());
    row("key checksum match", yes_no(r.key_checksum_match));
    row(
        "alex structure",
        match &r.alex_valid {
            Ok(()) => "valid".into(),
            Err(e) => e.clone(),
        },
    );
    row(
        "sst",
        if r.sst_ok {
            "ok".into()
        } else {
            "damaged".into()
        },
    );
    for e in &r.sst_errors {
        row("damaged file", format!("{}: {}", e.file, e.error));
    }
    for d in &r.damaged {
        row(
            "damaged range",
            format!("{}..={} unreadable: {}", d.first, d.last, d.reason),
        );
    }
    for f in &r.findings {
        let note = if f.fails { "" } else { "note: " };
        row(&f.kind.replace('_', " "), format!("{note}{}", f.detail));
    }
    t
}
