//! Data commands (`get`, `put`, `scan`, ...) and the SQL subset on table `kv`.
use super::{Executor, misrouted};
use crate::outcome::{Cell, ExecError, Outcome, Table};
use crate::parse::{Command, KeyFilter, SelectWhat};
use engine::{DbError, Value};

impl Executor {
    /// `get`, `put`, `del`, `scan`, `count`, `exists`, `mget`.
    pub(super) fn data(&mut self, cmd: &Command) -> Result<Outcome, ExecError> {
        let db = &self.db;
        // ALEX alone answers count and exists: not for a closed database.
        db.ensure_open()?;
        Ok(match cmd {
            Command::Get(k) => {
                let mut t = Table::new(&["key", "value"]);
                t.rows.push(vec![Cell::Int(*k), opt_cell(db.get(*k)?)]);
                Outcome::Rows(t)
            }
            Command::MGet(keys) => {
                let mut t = Table::new(&["key", "value"]);
                for k in keys {
                    t.rows.push(vec![Cell::Int(*k), opt_cell(db.get(*k)?)]);
                }
                Outcome::Rows(t)
            }
            Command::Put { key, value } => {
                let new = db.put(*key, value)?;
                Outcome::Changed {
                    verb: "put",
                    rows: 1,
                    new: new as u64,
                }
            }
            Command::Del(k) => Outcome::Changed {
                verb: "deleted",
                rows: db.delete(*k)? as u64,
                new: 0,
            },
            Command::Scan { start, end, limit } => {
                let rows = db.scan(*start, *end, limit_of(*limit))?;
                Outcome::Rows(kv_table(rows))
            }
            Command::Count(range) => {
                let n = match range {
                    None => db.count(),
                    Some((a, b)) => db.count_range(*a, *b),
                };
                Outcome::Rows(single("count", Cell::Int(n as i64)))
            }
            Command::Exists(k) => {
                let mut t = Table::new(&["key", "exists"]);
                t.rows
                    .push(vec![Cell::Int(*k), Cell::Int(db.contains(*k) as i64)]);
                Outcome::Rows(t)
            }
            _ => return Err(misrouted(cmd)),
        })
    }

    /// `SELECT`, `INSERT`, `DELETE` on table `kv`.
    pub(super) fn sql(&mut self, cmd: &Command) -> Result<Outcome, ExecError> {
        self.db.ensure_open()?;
        match cmd {
            Command::Select {
                what,
                filter,
                limit,
            } => self.select(*what, *filter, *limit),
            Command::Insert { replace, rows } => self.insert(*replace, rows),
            Command::Delete { filter } => {
                let db = &self.db;
                // One key is a point delete; a key range is one range delete.
                let n = match *filter {
                    KeyFilter::Eq(k) => db.delete(k)? as u64,
                    f => match bounds(f) {
                        Some((a, b)) => db.delete_range(a, b)?,
                        None => 0,
                    },
                };
                Ok(Outcome::Changed {
                    verb: "deleted",
                    rows: n,
                    new: 0,
                })
            }
            _ => Err(misrouted(cmd)),
        }
    }

    fn select(
        &self,
        what: SelectWhat,
        filter: KeyFilter,
        limit: Option<u64>,
    ) -> Result<Outcome, ExecError> {
        let db = &self.db;
        let limit = limit_of(limit);
        let Some((a, b)) = bounds(filter) else {
            let t = match what {
                SelectWhat::Count => single("COUNT(*)", Cell::Int(0)),
                SelectWhat::All => Table::new(&["key", "value"]),
                SelectWhat::Key => Table::new(&["key"]),
                SelectWhat::Value => Table::new(&["value"]),
            };
            return Ok(Outcome::Rows(t));
        };
        let t = match what {
            SelectWhat::Count => {
                let n = if matches!(filter, KeyFilter::All) {
                    db.count()
                } else {
                    db.count_range(a, b)
                };
                let mut t = single("COUNT(*)", Cell::Int(n as i64));
                t.rows.truncate(limit);
                t
            }
            SelectWhat::Key => {
                let mut t = Table::new(&["key"]);
                t.rows = db
                    .keys(a, b, limit)
                    .into_iter()
                    .map(|k| vec![Cell::Int(k)])
                    .collect();
                t
            }
            SelectWhat::All => kv_table(db.scan(a, b, limit)?),
            SelectWhat::Value => {
                let mut t = Table::new(&["value"]);
                t.rows = db
                    .scan(a, b, limit)?
                    .into_iter()
                    .map(|(_, v)| vec![Cell::Bytes(v)])
                    .collect();
                t
            }
        };
        Ok(Outcome::Rows(t))
    }

    fn insert(&self, replace: bool, rows: &[(i64, Vec<u8>)]) -> Result<Outcome, ExecError> {
        let db = &self.db;
        for (_, v) in rows {
            DbError::check_value(v)?;
        }
        if !replace {
            // Check every row first, so a conflict changes nothing (SQL's rule).
            let mut seen = std::collections::HashSet::with_capacity(rows.len());
            for (k, _) in rows {
                if db.contains(*k) || !seen.insert(*k) {
                    return Err(ExecError::Refused(format!(
                        "key {k} already exists (UNIQUE constraint on kv.key); nothing inserted; use INSERT OR REPLACE to overwrite"
                    )));
                }
            }
        }
        let mut new = 0;
        for (k, v) in rows {
            new += db.put(*k, v)? as u64;
        }
        Ok(Outcome::Changed {
            verb: "inserted",
            rows: rows.len() as u64,
            new,
        })
    }
}

impl Executor {
    /// `cmd` with its rows bounded to `cap`, for a front end that keeps results on
    /// screen (the dashboard), and how many rows it would have returned beyond them,
    /// counted in ALEX without reading them. `None` when `cmd` returns at most `cap`
    /// rows or is not a query that returns rows by the key range.
    pub fn bounded(&self, cmd: &Command, cap: u64) -> Option<(Command, u64)> {
        let (range, limit) = match *cmd {
            Command::Scan { start, end, limit } => ((start <= end).then_some((start, end)), limit),
            Command::Select {
                what: SelectWhat::All | SelectWhat::Key | SelectWhat::Value,
                filter,
                limit,
            } => (bounds(filter), limit),
            _ => return None,
        };
        let (a, b) = range?;
        let rows = self.db.count_range(a, b).min(limit.unwrap_or(u64::MAX));
        if rows <= cap {
            return None;
        }
        let mut capped = cmd.clone();
        if let Command::Scan { limit, .. } | Command::Select { limit, .. } = &mut capped {
            *limit = Some(cap);
        }
        Some((capped, rows - cap))
    }
}

/// Inclusive key bounds of a filter; `None` when it matches nothing.
fn bounds(f: KeyFilter) -> Option<(i64, i64)> {
    match f {
        KeyFilter::All => Some((i64::MIN, i64::MAX)),
        KeyFilter::Eq(k) => Some((k, k)),
        KeyFilter::Between(a, b) => (a <= b).then_some((a, b)),
        KeyFilter::HalfOpen(a, b) => (a < b).then(|| (a, b - 1)),
    }
}

fn limit_of(limit: Option<u64>) -> usize {
    limit.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX))
}

fn opt_cell(v: Option<Value>) -> Cell {
    v.map_or(Cell::Null, Cell::Bytes)
}

fn kv_table(rows: Vec<(i64, Value)>) -> Table {
    let mut t = Table::new(&["key", "value"]);
    t.rows = rows
        .into_iter()
        .map(|(k, v)| vec![Cell::Int(k), Cell::Bytes(v)])
        .collect();
    t
}

fn single(column: &str, cell: Cell) -> Table {
    let mut t = Table::new(&[column]);
    t.rows.push(vec![cell]);
    t
}
