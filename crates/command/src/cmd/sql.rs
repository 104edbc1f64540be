//! The SQL subset on table `kv(key INTEGER PRIMARY KEY, value BLOB)`: `SELECT`,
//! `INSERT`, `DELETE`; one module for the three (one parser), one table entry each.
use super::data::{kv_table, row_limit, single};
use super::{Entry, Parse};
use crate::ast::{Command, DataCmd, KeyFilter, ParseError, SelectWhat, SqlCmd};
use crate::exec::Executor;
use crate::outcome::{Cell, ExecError, Outcome, Table};
use crate::spec::types::{CommandSpec, Family, db, spec};
use crate::words::{decode_hex, limit_of, parse_int};
use engine::DbError;

pub const SELECT_SPEC: CommandSpec = db(spec(
    "select",
    "SELECT * | key | value | COUNT(*) FROM kv [WHERE key = K | key BETWEEN A AND B | key >= A AND key < B] [LIMIT N];",
    "SQL query on table kv(key INTEGER PRIMARY KEY, value BLOB)",
    Family::Sql,
));
pub const SELECT: Entry = sql(
    SELECT_SPEC,
    "SELECT key FROM kv WHERE key BETWEEN 1 AND 9 LIMIT 3;",
);

pub const INSERT_SPEC: CommandSpec = db(spec(
    "insert",
    "INSERT [OR REPLACE] INTO kv VALUES (K, 'v'), ...;",
    "SQL insert; fails on an existing key unless OR REPLACE",
    Family::Sql,
));
pub const INSERT: Entry = sql(
    INSERT_SPEC,
    "INSERT OR REPLACE INTO kv VALUES (1, 'a'), (2, x'ff');",
);

pub const DELETE_SPEC: CommandSpec = db(spec(
    "delete",
    "DELETE FROM kv WHERE key = K | key BETWEEN A AND B | key >= A AND key < B;",
    "SQL delete by key, or a whole key range at once (one range delete)",
    Family::Sql,
));
pub const DELETE: Entry = sql(DELETE_SPEC, "DELETE FROM kv WHERE key >= 1 AND key < 9;");

const fn sql(spec: CommandSpec, example: &'static str) -> Entry {
    Entry {
        spec,
        example,
        parse: Parse::Sql,
    }
}

/// First words that start a SQL statement (supported or not).
pub const SQL_STARTS: &[&str] = &[
    "select", "insert", "delete", "replace", "update", "create", "drop", "alter", "with", "pragma",
    "begin", "commit", "rollback", "vacuum", "explain", "attach", "upsert",
];

pub fn execute(x: &Executor, cmd: &SqlCmd) -> Result<Outcome, ExecError> {
    x.db.ensure_open()?;
    match cmd {
        SqlCmd::Select {
            what,
            filter,
            limit,
        } => select(x, *what, *filter, *limit),
        SqlCmd::Insert { replace, rows } => insert(x, *replace, rows),
        SqlCmd::Delete { filter } => {
            let db = &x.db;
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
    }
}

fn select(
    x: &Executor,
    what: SelectWhat,
    filter: KeyFilter,
    limit: Option<u64>,
) -> Result<Outcome, ExecError> {
    let db = &x.db;
    let limit = row_limit(limit);
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

fn insert(x: &Executor, replace: bool, rows: &[(i64, Vec<u8>)]) -> Result<Outcome, ExecError> {
    let db = &x.db;
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

impl Executor {
    /// `cmd` with its rows bounded to `cap`, for a front end that keeps results on
    /// screen (the dashboard), and how many rows it would have returned beyond them,
    /// counted in ALEX without reading them. `None` when `cmd` returns at most `cap`
    /// rows or is not a query that returns rows by the key range.
    pub fn bounded(&self, cmd: &Command, cap: u64) -> Option<(Command, u64)> {
        let (range, limit) = match *cmd {
            Command::Data(DataCmd::Scan { start, end, limit }) => {
                ((start <= end).then_some((start, end)), limit)
            }
            Command::Sql(SqlCmd::Select {
                what: SelectWhat::All | SelectWhat::Key | SelectWhat::Value,
                filter,
                limit,
            }) => (bounds(filter), limit),
            _ => return None,
        };
        let (a, b) = range?;
        let rows = self.db.count_range(a, b).min(limit.unwrap_or(u64::MAX));
        if rows <= cap {
            return None;
        }
        let mut capped = cmd.clone();
        if let Command::Data(DataCmd::Scan { limit, .. })
        | Command::Sql(SqlCmd::Select { limit, .. }) = &mut capped
        {
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

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(String),
    Str(Vec<u8>),
    Blob(Vec<u8>),
    Punct(String),
}

fn describe(t: Option<&(Tok, usize)>) -> String {
    match t {
        None => "end of statement".to_string(),
        Some((tok, col)) => {
            let s = match tok {
                Tok::Ident(s) | Tok::Num(s) | Tok::Punct(s) => {
                    format!("\"{}\"", s.chars().take(30).collect::<String>())
                }
                Tok::Str(_) => "a string".to_string(),
                Tok::Blob(_) => "a blob".to_string(),
            };
            format!("{s} at column {col}")
        }
    }
}

fn sql_err(detail: impl Into<String>) -> ParseError {
    ParseError::UnsupportedSql {
        detail: detail.into(),
    }
}

fn tokenize_sql(input: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if (c == 'x' || c == 'X') && chars.get(i + 1) == Some(&'\'') {
            let start = i + 2;
            let Some(end) = (start..chars.len()).find(|&j| chars[j] == '\'') else {
                return Err(ParseError::Unterminated { column: col + 1 });
            };
            let text: String = chars[start..end].iter().collect();
            out.push((Tok::Blob(decode_hex(&text)?), col));
            i = end + 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((Tok::Ident(chars[start..i].iter().collect()), col));
        } else if c.is_ascii_digit()
            || ((c == '-' || c == '+') && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            i += 1;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            out.push((Tok::Num(chars[start..i].iter().collect()), col));
        } else if c == '\'' {
            let mut bytes = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(ParseError::Unterminated { column: col }),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        bytes.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(&ch) => {
                        bytes.push(ch);
                        i += 1;
                    }
                }
            }
            out.push((Tok::Str(bytes.into_bytes()), col));
        } else if c == '"' {
            let Some(end) = (i + 1..chars.len()).find(|&j| chars[j] == '"') else {
                return Err(ParseError::Unterminated { column: col });
            };
            out.push((Tok::Ident(chars[i + 1..end].iter().collect()), col));
            i = end + 1;
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            if [">=", "<=", "<>", "!=", "=="].contains(&two.as_str()) {
                out.push((Tok::Punct(two), col));
                i += 2;
            } else {
                out.push((Tok::Punct(c.to_string()), col));
                i += 1;
            }
        }
    }
    Ok(out)
}

struct Sql {
    toks: Vec<(Tok, usize)>,
    pos: usize,
}

impl Sql {
    fn peek(&self) -> Option<&(Tok, usize)> {
        self.toks.get(self.pos)
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some((Tok::Ident(s), _)) if s.eq_ignore_ascii_case(kw))
    }
    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some((Tok::Punct(s), _)) if s == p)
    }
    fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.is_kw(kw);
        if yes {
            self.pos += 1;
        }
        yes
    }
    fn eat_punct(&mut self, p: &str) -> bool {
        let yes = self.is_punct(p);
        if yes {
            self.pos += 1;
        }
        yes
    }
    fn expect_kw(&mut self, kw: &str) -> Result<(), ParseError> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(sql_err(format!(
                "expected {kw}, found {}",
                describe(self.peek())
            )))
        }
    }
    fn expect_punct(&mut self, p: &str) -> Result<(), ParseError> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(sql_err(format!(
                "expected '{p}', found {}",
                describe(self.peek())
            )))
        }
    }
    fn table(&mut self) -> Result<(), ParseError> {
        match self.peek() {
            Some((Tok::Ident(s), _)) if s.eq_ignore_ascii_case("kv") => {
                self.pos += 1;
                Ok(())
            }
            Some((Tok::Ident(s), _)) => Err(sql_err(format!(
                "no table \"{}\" (the only table is kv)",
                s.chars().take(30).collect::<String>()
            ))),
            other => Err(sql_err(format!(
                "expected table kv, found {}",
                describe(other)
            ))),
        }
    }
    fn int(&mut self, what: &'static str) -> Result<i64, ParseError> {
        match self.peek().cloned() {
            Some((Tok::Num(s), _)) | Some((Tok::Ident(s), _)) => {
                self.pos += 1;
                parse_int(what, &s)
            }
            other => Err(sql_err(format!(
                "expected an integer {what}, found {}",
                describe(other.as_ref())
            ))),
        }
    }
    fn key_column(&mut self) -> Result<(), ParseError> {
        if self.eat_kw("key") {
            Ok(())
        } else {
            Err(sql_err(format!(
                "WHERE must test the key column, found {}",
                describe(self.peek())
            )))
        }
    }
    fn filter(&mut self) -> Result<KeyFilter, ParseError> {
        if !self.eat_kw("where") {
            return Ok(KeyFilter::All);
        }
        self.key_column()?;
        if self.eat_punct("=") || self.eat_punct("==") {
            return Ok(KeyFilter::Eq(self.int("key")?));
        }
        if self.eat_kw("between") {
            let a = self.int("key")?;
            self.expect_kw("and")?;
            let b = self.int("key")?;
            return Ok(KeyFilter::Between(a, b));
        }
        if self.eat_punct(">=") {
            let a = self.int("key")?;
            self.expect_kw("and")?;
            self.key_column()?;
            if !self.eat_punct("<") {
                return Err(sql_err(format!(
                    "expected '<' (key >= A AND key < B), found {}",
                    describe(self.peek())
                )));
            }
            let b = self.int("key")?;
            return Ok(KeyFilter::HalfOpen(a, b));
        }
        Err(sql_err(format!(
            "WHERE supports key = K, key BETWEEN A AND B, key >= A AND key < B; found {}",
            describe(self.peek())
        )))
    }
    fn limit(&mut self) -> Result<Option<u64>, ParseError> {
        if !self.eat_kw("limit") {
            return Ok(None);
        }
        match self.peek().cloned() {
            Some((Tok::Num(s), _)) | Some((Tok::Ident(s), _)) => {
                self.pos += 1;
                Ok(Some(limit_of(&s)?))
            }
            other => Err(ParseError::BadLimit {
                text: describe(other.as_ref()),
            }),
        }
    }
    fn end(&mut self) -> Result<(), ParseError> {
        self.eat_punct(";");
        match self.peek() {
            None => Ok(()),
            Some((Tok::Punct(p), col)) if p == ";" => Err(ParseError::Trailing {
                found: "';'".to_string(),
                column: *col,
            }),
            Some(t) if self.pos > 0 && self.toks[self.pos - 1].0 == Tok::Punct(";".into()) => {
                Err(ParseError::Trailing {
                    found: describe(Some(t)),
                    column: t.1,
                })
            }
            other => Err(sql_err(format!("unexpected {}", describe(other)))),
        }
    }
    fn value(&mut self) -> Result<Vec<u8>, ParseError> {
        match self.peek().cloned() {
            Some((Tok::Str(b), _)) | Some((Tok::Blob(b), _)) => {
                self.pos += 1;
                Ok(b)
            }
            Some((Tok::Num(s), _)) => {
                self.pos += 1;
                Ok(s.into_bytes())
            }
            other => Err(sql_err(format!(
                "expected a value 'text' or x'hex', found {}",
                describe(other.as_ref())
            ))),
        }
    }
}

/// Parses one SQL statement of the subset (its first word is SELECT, INSERT, DELETE or
/// another SQL verb, which is refused).
pub fn parse_sql(input: &str) -> Result<Command, ParseError> {
    let toks = tokenize_sql(input)?;
    let mut p = Sql { toks, pos: 0 };
    if p.eat_kw("select") {
        let what = if p.eat_punct("*") {
            SelectWhat::All
        } else if p.eat_kw("key") {
            SelectWhat::Key
        } else if p.eat_kw("value") {
            SelectWhat::Value
        } else if p.eat_kw("count") {
            p.expect_punct("(")?;
            p.expect_punct("*")?;
            p.expect_punct(")")?;
            SelectWhat::Count
        } else {
            return Err(sql_err(format!(
                "SELECT takes *, key, value or COUNT(*), found {}",
                describe(p.peek())
            )));
        };
        if p.is_punct(",") {
            return Err(sql_err("select one column list: *, key, value or COUNT(*)"));
        }
        p.expect_kw("from")?;
        p.table()?;
        let filter = p.filter()?;
        let limit = p.limit()?;
        p.end()?;
        return Ok(Command::Sql(SqlCmd::Select {
            what,
            filter,
            limit,
        }));
    }
    let replace_into = p.eat_kw("replace");
    if replace_into || p.eat_kw("insert") {
        let mut replace = replace_into;
        if !replace_into && p.eat_kw("or") {
            if !p.eat_kw("replace") {
                return Err(sql_err(format!(
                    "only INSERT OR REPLACE is supported, found {}",
                    describe(p.peek())
                )));
            }
            replace = true;
        }
        p.expect_kw("into")?;
        p.table()?;
        if p.eat_punct("(") {
            p.expect_kw("key")?;
            p.expect_punct(",")?;
            p.expect_kw("value")?;
            p.expect_punct(")")?;
        }
        p.expect_kw("values")?;
        let mut rows = Vec::new();
        loop {
            p.expect_punct("(")?;
            let k = p.int("key")?;
            p.expect_punct(",")?;
            let v = p.value()?;
            p.expect_punct(")")?;
            rows.push((k, v));
            if !p.eat_punct(",") {
                break;
            }
        }
        p.end()?;
        return Ok(Command::Sql(SqlCmd::Insert { replace, rows }));
    }
    if p.eat_kw("delete") {
        p.expect_kw("from")?;
        p.table()?;
        let filter = p.filter()?;
        if filter == KeyFilter::All {
            return Err(sql_err(
                "DELETE needs WHERE key = K or WHERE key BETWEEN A AND B",
            ));
        }
        p.end()?;
        return Ok(Command::Sql(SqlCmd::Delete { filter }));
    }
    let first = match p.peek() {
        Some((Tok::Ident(s), _)) => s.to_ascii_uppercase(),
        _ => String::new(),
    };
    Err(sql_err(format!(
        "{} statements",
        first.chars().take(20).collect::<String>()
    )))
}
