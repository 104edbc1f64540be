//! Closing and reopening a store at the same path: both check first that the directory
//! still holds the database that was open (it may have been deleted or replaced).
use std::path::Path;
use std::sync::Arc;

use super::error::{DbError, OpenError};
use super::listener::FifoEvents;
use super::options::DbOptions;
use super::store::Store;

/// Closes `store` at the end of the Db's life: flushed first when `flush` (so the next
/// open replays no log), unless the directory no longer holds this database. Then
/// nothing is written there: RocksDB's close would write a MANIFEST and CURRENT into
/// whatever directory now sits at the path.
pub(super) fn release(store: Store, path: &Path, flush: bool) -> Result<(), DbError> {
    if let Err(Reopen::Gone(why)) = same_database(path, store.identity()) {
        abandon(store, path);
        return Err(DbError::Closed { reason: why });
    }
    if flush { store.flush() } else { Ok(()) }
}

/// Lets go of a store whose directory was deleted or replaced. Where something is at
/// `path` now, it is not closed: RocksDB's close checks its MANIFEST by path and,
/// finding another file there, writes a new MANIFEST and CURRENT into that directory,
/// breaking whatever database is there. The handle (and its lock on `path` in this
/// process) is leaked instead, once per such reopen.
pub(super) fn abandon(store: Store, path: &Path) {
    if path.exists() {
        std::mem::forget(store);
    }
}

/// Why a reopen did not get its database back.
pub(super) enum Reopen {
    /// The directory no longer holds the database that was open.
    Gone(String),
    Failed(DbError),
}

/// The database directory no longer holds the database that was open.
pub(super) fn gone(detail: String) -> Reopen {
    Reopen::Gone(format!(
        "the database directory was deleted or replaced while open: {detail}"
    ))
}

fn another_database(path: &Path, found: &str, identity: &str) -> Reopen {
    gone(format!(
        "{} now holds another database (identity {found}, was {identity})",
        path.display()
    ))
}

/// Checks from its files that `path` still holds the database with `identity`, so that
/// another database found there is not even opened. A database without an `IDENTITY`
/// file passes (the open compares RocksDB's own identity).
pub(super) fn same_database(path: &Path, identity: &str) -> Result<(), Reopen> {
    if !path.join("CURRENT").exists() {
        return Err(gone(format!("{} holds no database now", path.display())));
    }
    match std::fs::read_to_string(path.join("IDENTITY")) {
        Ok(found) if !identity.is_empty() && found.trim() != identity => {
            Err(another_database(path, found.trim(), identity))
        }
        _ => Ok(()),
    }
}

/// Opens the database that was open at `path` again: never creates one, and checks that
/// RocksDB's identity is still `identity` (the directory may have been deleted, or
/// replaced by another database, while it was open).
/// Files FIFO deletes are reported to `fifo`.
pub(super) fn open_same(
    path: &Path,
    o: &DbOptions,
    identity: &str,
    fifo: &Arc<FifoEvents>,
) -> Result<Store, Reopen> {
    same_database(path, identity)?;
    let mut o = o.clone();
    o.create_if_missing = false;
    let store = match Store::open(path, &o, fifo) {
        Ok(s) => s,
        Err(OpenError::Missing { .. }) => {
            return Err(gone(format!("{} holds no database now", path.display())));
        }
        Err(e @ OpenError::NotADatabase { .. }) => return Err(gone(e.to_string())),
        Err(e) => return Err(Reopen::Failed(e.into())),
    };
    if store.identity() != identity {
        let found = store.identity().to_string();
        drop(store);
        return Err(another_database(path, &found, identity));
    }
    Ok(store)
}
