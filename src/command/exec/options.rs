//! Engine options and maintenance: `.set`, `.reset`, `.reopen`, `.flush`, `.compact`,
//! `.profile`, `.options export`.
use std::path::Path;

use super::{Executor, misrouted, on_off};
use crate::command::outcome::{Cell, ExecError, Outcome, Table};
use crate::command::parse::Command;
use crate::engine::options::canonical_name;
use crate::engine::{Applies, DbOptions, OptionChange};

impl Executor {
    pub(super) fn options_command(&mut self, cmd: &Command) -> Result<Outcome, ExecError> {
        Ok(match cmd {
            Command::Set { name, value } if self.reopens(name, value)? => {
                // A reopen (and, universal -> level, the compaction before it) can take a
                // while: a job, so the dashboard keeps drawing; the shell waits for it.
                let label = format!(".set {name} {value}");
                let (db, name, value) = (self.db.clone(), name.clone(), value.clone());
                let id = self.jobs.spawn("reopen", &label, "", move |h| {
                    h.set_phase("reopening RocksDB", None);
                    Ok(Outcome::Message(change_text(
                        &db.set_option(&name, &value)?,
                    )))
                });
                Outcome::JobStarted {
                    id,
                    label,
                    background: false,
                }
            }
            Command::Set { name, value } => {
                Outcome::Message(change_text(&self.db.set_option(name, value)?))
            }
            Command::Reset(name) => self.reset(name.as_deref())?,
            Command::Reopen => {
                let secs = self.db.reopen()?;
                Outcome::Message(format!(
                    "reopened in {secs:.3} s ({} keys; ALEX kept in memory)",
                    self.db.len()
                ))
            }
            Command::Flush => {
                let secs = self.db.flush_now()?;
                Outcome::Message(format!("flushed in {secs:.3} s"))
            }
            Command::Compact(range) => {
                // A job, so the dashboard keeps drawing through a long compaction; the
                // line shell and scripts wait for it as for any foreground job.
                let label = match range {
                    Some((a, b)) => format!(".compact {a} {b}"),
                    None => ".compact".to_string(),
                };
                let id = crate::command::long::start_compact(&self.jobs, &self.db, *range, &label);
                Outcome::JobStarted {
                    id,
                    label,
                    background: false,
                }
            }
            Command::Profile { save, path } => {
                if *save {
                    self.save_profile(path)?
                } else {
                    self.load_profile(path)?
                }
            }
            Command::OptionsExport(path) => {
                let src = self.db.export_rocksdb_options(Path::new(path))?;
                Outcome::Message(format!("wrote {path} (RocksDB's {})", src.display()))
            }
            _ => return Err(misrouted(cmd)),
        })
    }

    /// Whether `.set name value` may reopen RocksDB: the engine's plan decides. A bad
    /// name or value is refused here, at once, rather than from a job.
    fn reopens(&self, name: &str, value: &str) -> Result<bool, ExecError> {
        Ok(self.db.plan_option(name, value)?.may_reopen)
    }

    /// `.reset NAME` (to its default) or `.reset all`.
    fn reset(&self, name: Option<&str>) -> Result<Outcome, ExecError> {
        let defaults = DbOptions::default();
        match name {
            Some(n) => {
                let canonical = canonical_name(n).unwrap_or(n);
                let value = defaults.get(canonical).unwrap_or_default();
                let c = self.db.set_option(n, &value)?;
                Ok(Outcome::Message(change_text(&c)))
            }
            None => {
                let mut target = defaults;
                // Fixed while open: keep what the database was opened with.
                target.value_cache_shards = self.db.options().value_cache_shards;
                let changes = self.db.apply_options(target)?;
                Ok(Outcome::Message(changes_text(
                    &changes,
                    "all options are at their defaults",
                )))
            }
        }
    }

    /// `.profile save FILE`: every option as TOML.
    fn save_profile(&self, path: &str) -> Result<Outcome, ExecError> {
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

    /// `.profile load FILE`: validates every entry first; a bad file changes nothing.
    fn load_profile(&self, path: &str) -> Result<Outcome, ExecError> {
        let text = std::fs::read_to_string(path).map_err(|e| ExecError::file("read", path, e))?;
        let bad =
            |why: String| ExecError::Refused(format!("profile {path}: {why}; nothing changed"));
        let doc: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| bad(e.message().to_string()))?;
        let table = match doc.get("options") {
            Some(toml::Value::Table(t)) => t,
            Some(_) => return Err(bad("[options] is not a table".into())),
            None => &doc,
        };
        let mut target = self.db.options();
        for (k, v) in table {
            let value = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::Boolean(b) => on_off(*b).to_string(),
                other => return Err(bad(format!("{k} has a {} value", other.type_str()))),
            };
            target
                .set_unvalidated(k, &value)
                .map_err(|e| bad(e.to_string()))?;
        }
        target.validate().map_err(|e| bad(e.to_string()))?;
        let changes = self.db.apply_options(target)?;
        Ok(Outcome::Message(changes_text(
            &changes,
            &format!("{path}: every option already had its value"),
        )))
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
