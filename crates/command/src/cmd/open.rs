//! `.open PATH`: close this database and open PATH.
use std::path::PathBuf;
use std::sync::Arc;

use super::{Entry, words};
use crate::ast::{Command, ParseError, SessionCmd};
use crate::exec::Executor;
use crate::outcome::{ExecError, Outcome};
use crate::spec::types::{CommandSpec, Family, spec};
use crate::words::{Word, one_path};
use engine::metrics::MetricsWindow;
use engine::{Db, DbError};

pub const SPEC: CommandSpec = spec(
    ".open",
    ".open PATH",
    "close this database and open PATH",
    Family::Session,
);
pub const ENTRY: Entry = words(SPEC, ".open other.db", parse);

fn parse(args: &[Word]) -> Result<Command, ParseError> {
    Ok(Command::Session(SessionCmd::Open(one_path(
        &SPEC, args, "1 path",
    )?)))
}

/// `.open PATH`: opens the new database first, so a failure keeps the current one.
pub fn execute(x: &mut Executor, path: &str) -> Result<Outcome, ExecError> {
    // The value cache's warm-up belongs to the database being closed: stopped.
    x.jobs.stop_quiet();
    if x.jobs.running() > 0 {
        return Err(ExecError::Refused(
            "a job is running on this database (.jobs); wait for it or .cancel it first".into(),
        ));
    }
    let new_path = PathBuf::from(path);
    let same = match (new_path.canonicalize(), x.db.path().canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Ok(Outcome::Message(format!(
            "{} is already open ({} keys)",
            x.db.path().display(),
            x.db.len()
        )));
    }
    let db = match &x.sets {
        Some(sets) => Db::open_saved(&new_path, sets),
        None => Db::open_with(&new_path, x.opts.clone()),
    }
    .map_err(DbError::from)?;
    x.leftover = bench::own_keys::remove_leftover(&db);
    let keys = db.len();
    let secs = db.open_stats().total_secs;
    let old = std::mem::replace(&mut x.db, Arc::new(db));
    // The sampler lets go of the old database before it is closed below.
    x.sampler.follow(Arc::clone(&x.db));
    x.reload_references();
    old.metrics().set_rate_override(None);
    if let Ok(old) = Arc::try_unwrap(old) {
        // Best effort: the data is safe in the WAL even if the flush fails.
        let _ = old.close();
    }
    x.window = MetricsWindow::new();
    // The `.stats` override belongs to this session: it moves to the new database.
    x.set_stats(x.session.settings.stats);
    crate::long::start_warm(&x.jobs, &x.db);
    let mut text = format!("opened {} ({keys} keys, {secs:.2} s)", new_path.display());
    for line in x.open_notices() {
        text.push('\n');
        text.push_str(&line);
    }
    Ok(Outcome::Message(text))
}
