//! Long work on worker threads: `.load`, `.bench`, `.ycsb`, and `.jobs`, `.cancel`.
use super::{Executor, misrouted};
use crate::command::bench_args::ShellBenchArgs;
use crate::command::jobs::{JobId, JobState, JobStatus};
use crate::command::long;
use crate::command::outcome::{Cell, ExecError, Outcome, Table};
use crate::command::parse::Command;

impl Executor {
    pub(super) fn jobs_command(&mut self, cmd: &Command) -> Result<Outcome, ExecError> {
        Ok(match cmd {
            Command::Load { args, background } => {
                let label = input_label(".load", cmd);
                let id = long::start_load(&self.jobs, &self.db, args, &label)?;
                started(id, label, *background)
            }
            Command::Bench { args, background } => {
                let label = input_label(".bench", cmd);
                let id = long::start_bench(&self.jobs, &self.db, args, &label)?;
                started(id, label, *background)
            }
            Command::Ycsb { args, background } => {
                let label = input_label(".ycsb", cmd);
                let id = long::start_ycsb(&self.jobs, &self.db, args, &label)?;
                started(id, label, *background)
            }
            Command::Jobs => Outcome::Rows(jobs_table(&self.jobs.list())),
            Command::Cancel(id) => match self.jobs.cancel(*id) {
                Some(n) => {
                    Outcome::Message(format!("[{n}] cancelling (what it did so far is kept)"))
                }
                None => {
                    return Err(ExecError::Refused(match id {
                        Some(n) => format!("job {n} is not running (.jobs lists them)"),
                        None => "no job is running".to_string(),
                    }));
                }
            },
            _ => return Err(misrouted(cmd)),
        })
    }
}

fn started(id: JobId, label: String, background: bool) -> Outcome {
    Outcome::JobStarted {
        id,
        label,
        background,
    }
}

/// A job's label: the command as typed would be best, but the parsed command is what we
/// have here, so name the kind and let the job add its phase.
fn input_label(kind: &str, cmd: &Command) -> String {
    match cmd {
        Command::Load { args, .. } => format!("{kind} {}", args.spec().0.label()),
        Command::Ycsb { args, .. } => format!(
            "{kind} {}{}",
            args.workload
                .or(args.workload_pos)
                .map_or("?", |w| w.as_str()),
            args.duration
                .map(|d| format!(" for {:.0} s", d.as_secs_f64()))
                .unwrap_or_default()
        ),
        Command::Bench { args, .. } => format!(
            "{kind} {}",
            match args {
                ShellBenchArgs::Profile { .. } => "profile",
                ShellBenchArgs::VsSqlite(_) => "vs-sqlite",
                ShellBenchArgs::Ycsb(_) => "ycsb",
                ShellBenchArgs::Index(_) => "index",
            }
        ),
        _ => kind.to_string(),
    }
}

/// `.jobs`: one row per job.
pub fn jobs_table(jobs: &[JobStatus]) -> Table {
    let mut t = Table::new(&["job", "state", "progress", "elapsed", "command"]);
    for j in jobs {
        let state = match &j.state {
            JobState::Running => "running".to_string(),
            JobState::Done { cancelled: false } => "done".to_string(),
            JobState::Done { cancelled: true } => "cancelled".to_string(),
            JobState::Failed(e) => format!("failed: {e}"),
        };
        let progress = match (j.total, j.fraction()) {
            (Some(t), Some(f)) => format!("{}/{t} {} ({:.0}%)", j.done, j.unit, f * 100.0),
            // A job that counts nothing (a compaction) has no progress to show.
            _ if j.unit.is_empty() => "-".to_string(),
            _ => format!("{} {}", j.done, j.unit),
        };
        let phase = if j.phase.is_empty() {
            String::new()
        } else {
            format!(" [{}]", j.phase)
        };
        t.rows.push(vec![
            Cell::Int(j.id as i64),
            Cell::Text(state),
            Cell::Text(progress),
            Cell::Text(format!("{:.1} s", j.elapsed.as_secs_f64())),
            Cell::Text(format!("{}{phase}", j.label)),
        ]);
    }
    t
}
