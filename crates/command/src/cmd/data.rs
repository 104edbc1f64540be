//! The data commands: `get`, `put`, `del`, `scan`, `count`, `exists`, `mget`. One
//! module for all seven (they share their checks and tables), one table entry each.
use super::{Entry, words};
use crate::ast::{Command, DataCmd, ParseError};
use crate::exec::Executor;
use crate::outcome::{Cell, ExecError, Outcome, Table};
use crate::spec::types::{CommandSpec, Family, db, spec};
use crate::words::{Word, arity, key_of, limit_of};
use engine::Value;

pub const GET_SPEC: CommandSpec = db(spec(
    "get",
    "get K",
    "value of key K (NULL if absent)",
    Family::Data,
));
pub const GET: Entry = words(GET_SPEC, "get 7", parse_get);

pub const PUT_SPEC: CommandSpec = db(spec(
    "put",
    "put K VALUE",
    "store VALUE under K (bare word, 'quoted', or x'hex')",
    Family::Data,
));
pub const PUT: Entry = words(PUT_SPEC, "put 7 'seven'", parse_put);

pub const DEL_SPEC: CommandSpec = db(spec("del", "del K", "delete key K", Family::Data));
pub const DEL: Entry = words(DEL_SPEC, "del 7", parse_del);

pub const SCAN_SPEC: CommandSpec = db(spec(
    "scan",
    "scan A B [limit N]",
    "rows with A <= key <= B in key order",
    Family::Data,
));
pub const SCAN: Entry = words(SCAN_SPEC, "scan 1 9 limit 3", parse_scan);

pub const COUNT_SPEC: CommandSpec = db(spec(
    "count",
    "count [A B]",
    "number of keys (in A..=B if given)",
    Family::Data,
));
pub const COUNT: Entry = words(COUNT_SPEC, "count 1 9", parse_count);

pub const EXISTS_SPEC: CommandSpec = db(spec(
    "exists",
    "exists K",
    "1 if key K exists, else 0",
    Family::Data,
));
pub const EXISTS: Entry = words(EXISTS_SPEC, "exists 7", parse_exists);

pub const MGET_SPEC: CommandSpec = db(spec(
    "mget",
    "mget K1 K2 ...",
    "values of several keys",
    Family::Data,
));
pub const MGET: Entry = words(MGET_SPEC, "mget 1 2 3", parse_mget);

/// The one key of `get`, `del` and `exists`.
fn one_key(spec: &CommandSpec, args: &[Word]) -> Result<i64, ParseError> {
    arity(spec, args.len() == 1, "1 key", args.len())?;
    key_of(&args[0])
}

fn parse_get(args: &[Word]) -> Result<Command, ParseError> {
    Ok(Command::Data(DataCmd::Get(one_key(&GET_SPEC, args)?)))
}

fn parse_del(args: &[Word]) -> Result<Command, ParseError> {
    Ok(Command::Data(DataCmd::Del(one_key(&DEL_SPEC, args)?)))
}

fn parse_exists(args: &[Word]) -> Result<Command, ParseError> {
    Ok(Command::Data(DataCmd::Exists(one_key(&EXISTS_SPEC, args)?)))
}

fn parse_put(args: &[Word]) -> Result<Command, ParseError> {
    let argc = args.len();
    arity(
        &PUT_SPEC,
        argc == 2,
        "2 arguments (a key and a value)",
        argc,
    )?;
    Ok(Command::Data(DataCmd::Put {
        key: key_of(&args[0])?,
        value: args[1].bytes(),
    }))
}

fn parse_scan(args: &[Word]) -> Result<Command, ParseError> {
    let argc = args.len();
    let ok = argc == 2 || (argc == 4 && args[2].text().eq_ignore_ascii_case("limit"));
    arity(&SCAN_SPEC, ok, "2 keys and an optional `limit N`", argc)?;
    let limit = if argc == 4 {
        Some(limit_of(&args[3].text())?)
    } else {
        None
    };
    Ok(Command::Data(DataCmd::Scan {
        start: key_of(&args[0])?,
        end: key_of(&args[1])?,
        limit,
    }))
}

fn parse_count(args: &[Word]) -> Result<Command, ParseError> {
    let argc = args.len();
    arity(&COUNT_SPEC, argc == 0 || argc == 2, "0 or 2 keys", argc)?;
    let range = if argc == 0 {
        None
    } else {
        Some((key_of(&args[0])?, key_of(&args[1])?))
    };
    Ok(Command::Data(DataCmd::Count(range)))
}

fn parse_mget(args: &[Word]) -> Result<Command, ParseError> {
    arity(&MGET_SPEC, !args.is_empty(), "at least 1 key", args.len())?;
    let keys = args.iter().map(key_of).collect::<Result<Vec<_>, _>>()?;
    Ok(Command::Data(DataCmd::MGet(keys)))
}

pub fn execute(x: &Executor, cmd: &DataCmd) -> Result<Outcome, ExecError> {
    let db = &x.db;
    // ALEX alone answers count and exists: not for a closed database.
    db.ensure_open()?;
    Ok(match cmd {
        DataCmd::Get(k) => {
            let mut t = Table::new(&["key", "value"]);
            t.rows.push(vec![Cell::Int(*k), opt_cell(db.get(*k)?)]);
            Outcome::Rows(t)
        }
        DataCmd::MGet(keys) => {
            let mut t = Table::new(&["key", "value"]);
            for k in keys {
                t.rows.push(vec![Cell::Int(*k), opt_cell(db.get(*k)?)]);
            }
            Outcome::Rows(t)
        }
        DataCmd::Put { key, value } => {
            let new = db.put(*key, value)?;
            Outcome::Changed {
                verb: "put",
                rows: 1,
                new: new as u64,
            }
        }
        DataCmd::Del(k) => Outcome::Changed {
            verb: "deleted",
            rows: db.delete(*k)? as u64,
            new: 0,
        },
        DataCmd::Scan { start, end, limit } => {
            let rows = db.scan(*start, *end, row_limit(*limit))?;
            Outcome::Rows(kv_table(rows))
        }
        DataCmd::Count(range) => {
            let n = match range {
                None => db.count(),
                Some((a, b)) => db.count_range(*a, *b),
            };
            Outcome::Rows(single("count", Cell::Int(n as i64)))
        }
        DataCmd::Exists(k) => {
            let mut t = Table::new(&["key", "exists"]);
            t.rows
                .push(vec![Cell::Int(*k), Cell::Int(db.contains(*k) as i64)]);
            Outcome::Rows(t)
        }
    })
}

pub(crate) fn row_limit(limit: Option<u64>) -> usize {
    limit.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX))
}

fn opt_cell(v: Option<Value>) -> Cell {
    v.map_or(Cell::Null, Cell::Bytes)
}

pub(crate) fn kv_table(rows: Vec<(i64, Value)>) -> Table {
    let mut t = Table::new(&["key", "value"]);
    t.rows = rows
        .into_iter()
        .map(|(k, v)| vec![Cell::Int(k), Cell::Bytes(v)])
        .collect();
    t
}

pub(crate) fn single(column: &str, cell: Cell) -> Table {
    let mut t = Table::new(&[column]);
    t.rows.push(vec![cell]);
    t
}
