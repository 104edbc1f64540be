//! The executor: the state commands run on ([`Executor`], in `state`) and the shared
//! work of the larger commands (options, baselines, jobs, the advisor, exports). Each
//! command's own execute function is in its module under `crate::cmd`; `crate::run`
//! parses statements and routes each to its family's executor.
mod advise;
mod baseline;
mod jobs;
mod options;
mod session;
mod state;

pub use crate::settings::{RunSummary, Session, Settings};
pub use baseline::comparison_text;
pub use jobs::jobs_table;
pub use options::{change_text, check_outcome, options_table};
pub(crate) use state::on_off;
pub use state::{
    Executor, MAX_LINE_BYTES, MAX_READ_BYTES, Waiter, damage_summary, job_result, mode_name,
    not_utf8_text,
};
