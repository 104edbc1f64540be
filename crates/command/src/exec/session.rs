//! The executor's part of the session commands: `.stats`' recorder override (`.stats`
//! sets it, `.open` moves it to the new database).
use super::state::Executor;

impl Executor {
    /// `.stats on`: per-command figures need every operation timed, not 1 in N; a
    /// session override in the recorder, so the database's stored options stay as set.
    pub(crate) fn set_stats(&mut self, on: bool) {
        self.db.metrics().set_rate_override(on.then_some(1));
        self.session.settings.stats = on;
    }
}
