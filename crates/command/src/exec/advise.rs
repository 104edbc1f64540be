//! `.advise`, `.advise apply N`, `.advise undo`: the advisor's rules over the live
//! figures, and its proposals applied (and undone) through the normal option path.

use serde_json::{Map, Value as Json, json};

use super::Executor;
use crate::advise::{Advice, AdviseInput, Applied, Finding, Proposal, advise};
use crate::ast::AdviseAction;
use crate::outcome::{ExecError, Outcome};
use engine::DbOptions;
use engine::metrics::{NewEvent, Snapshot};

/// Seconds of live figures `.advise` reads (as `.compare ... now`).
const ADVISE_WINDOW_SECS: f64 = 30.0;

/// Said when the window's last seconds disagree (the rule `.sweep` warms up by).
const UNSTEADY_NOTE: &str = "\nnote: the figures were still moving in the window's last seconds (throughput or hit rate not steady): a proposal read from them may not hold; let the workload run longer and ask again\n";

impl Executor {
    pub(crate) fn advise_command(&mut self, action: AdviseAction) -> Result<Outcome, ExecError> {
        if self.advice.db != self.db.path() {
            self.advice = Advice {
                db: self.db.path().to_path_buf(),
                ..Advice::default()
            };
        }
        match action {
            AdviseAction::List => Ok(self.advise_list()),
            AdviseAction::Apply(n) => self.advise_apply(n),
            AdviseAction::Undo => self.advise_undo(),
        }
    }

    /// The live figures the rules read: the metrics history's last window (30 s ending
    /// at the last second with operations, never reaching back across an option
    /// change). With no such window the counters are empty (the rules then say they
    /// lack data) and only the gauges (LSM shape, memory, stalls now) are current.
    fn advise_window(&self) -> Snapshot {
        self.sampler.sample_now();
        if let Some(w) = self
            .sampler
            .history()
            .lock()
            .window_snapshot(ADVISE_WINDOW_SECS)
        {
            return w;
        }
        let now = self.db.metrics_snapshot();
        let mut rocksdb = now.rocksdb;
        rocksdb.tickers = Default::default();
        Snapshot {
            rocksdb,
            memory: now.memory,
            index: engine::metrics::IndexCounters {
                keys: now.index.keys,
                bytes: now.index.bytes,
                ..Default::default()
            },
            ..Snapshot::default()
        }
    }

    /// Marks an `advise` event on the charts, then applies `target` through the normal
    /// option path (a job where `.set` would be one).
    fn apply_marked(&mut self, target: DbOptions, label: String) -> Result<Outcome, ExecError> {
        self.db.metrics().event(NewEvent {
            kind: "advise",
            label: label.clone(),
            ..NewEvent::default()
        });
        self.change_all(target, label, "every option already had its value".into())
    }

    fn advise_list(&mut self) -> Outcome {
        let snap = self.advise_window();
        let opts = self.db.options();
        let mrc = self.db.miss_ratio_curve();
        let input = AdviseInput {
            snap: &snap,
            opts: &opts,
            mrc: mrc.as_ref(),
        };
        let findings = advise(&input);
        let proposals: Vec<Proposal> = findings
            .iter()
            .filter_map(|(_, f)| match f {
                Finding::Propose(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        let steady = self
            .sampler
            .history()
            .lock()
            .window(ADVISE_WINDOW_SECS)
            .and_then(|w| w.steady);
        let mut text = list_text(&findings, &proposals, snap.window_secs);
        if steady == Some(false) {
            text.push_str(UNSTEADY_NOTE);
        }
        let json = json!({
            "window_secs": snap.window_secs,
            "steady": steady,
            "proposals": proposals.iter().enumerate().map(|(i, p)| proposal_json(i + 1, p)).collect::<Vec<_>>(),
            "quiet": findings.iter().filter_map(|(r, f)| quiet_json(r, f)).collect::<Vec<_>>(),
        });
        self.advice.proposals = proposals;
        self.advice.opts = Some(opts);
        Outcome::Report { text, json }
    }

    /// Applies proposal `n` as one option change (a job when it may reopen), after an
    /// event saying it came from `.advise`.
    fn advise_apply(&mut self, n: usize) -> Result<Outcome, ExecError> {
        let Some(listed) = &self.advice.opts else {
            return Err(refused("no proposals yet: run .advise first"));
        };
        let count = self.advice.proposals.len();
        let Some(p) = n
            .checked_sub(1)
            .and_then(|i| self.advice.proposals.get(i))
            .cloned()
        else {
            return Err(refused(&format!(
                "no proposal {n}: the last .advise listed {count}"
            )));
        };
        let cur = self.db.options();
        if cur != *listed {
            return Err(refused(&format!(
                "proposal {n} is stale: the options changed since .advise listed it; run .advise again"
            )));
        }
        let mut target = cur.clone();
        let mut before = Vec::new();
        for (name, value) in &p.sets {
            before.push((name.clone(), cur.get(name).unwrap_or_default()));
            target.set(name, value)?;
        }
        let label = format!(
            ".advise apply {n} ({}): {}",
            p.rule,
            p.commands().join("; ")
        );
        let outcome = with_note(self.apply_marked(target, label)?, new_files_note(&p.sets));
        self.advice.undo.push(Applied {
            n,
            rule: p.rule,
            before,
        });
        Ok(outcome)
    }

    /// Puts back the values the last applied proposal changed.
    fn advise_undo(&mut self) -> Result<Outcome, ExecError> {
        let Some(last) = self.advice.undo.last() else {
            return Err(refused(match self.advice.undone {
                0 => "nothing to undo: no .advise proposal was applied",
                1 => "nothing left to undo: the applied proposal was already undone",
                _ => "nothing left to undo: every applied proposal was already undone",
            }));
        };
        let mut target = self.db.options();
        for (name, value) in &last.before {
            target.set(name, value)?;
        }
        let sets: Vec<String> = last
            .before
            .iter()
            .map(|(n, v)| format!(".set {n} {v}"))
            .collect();
        let label = format!(
            ".advise undo {} ({}): {}",
            last.n,
            last.rule,
            sets.join("; ")
        );
        let outcome = self.apply_marked(target, label)?;
        self.advice.undo.pop();
        self.advice.undone += 1;
        Ok(outcome)
    }
}

fn refused(text: &str) -> ExecError {
    ExecError::Refused(text.to_string())
}

/// The numbered proposals, then what each quiet rule looked at and what the others lack.
fn list_text(findings: &[(&str, Finding)], proposals: &[Proposal], window: f64) -> String {
    let mut out = Vec::new();
    for (i, p) in proposals.iter().enumerate() {
        out.push(format!("{}. [{}] {}", i + 1, p.rule, p.reason));
        out.push(format!("   read: {}", figures_text(p)));
        for c in p.commands() {
            out.push(format!("   run:  {c}"));
        }
        if let Some(e) = &p.effect {
            out.push(format!("   expect: {e}"));
        }
    }
    if proposals.is_empty() {
        out.push(format!(
            "nothing to advise (figures of the last {window:.1} s):"
        ));
    } else {
        out.push(format!(
            "(.advise apply N runs one; .advise undo puts it back; figures of the last {window:.1} s)"
        ));
    }
    for (rule, f) in findings {
        match f {
            Finding::Quiet(figs) => out.push(format!(
                "   {rule}: fine ({})",
                figs.iter()
                    .map(|f| format!("{} = {}", f.name, f.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Finding::NoData(why) => out.push(format!("   {rule}: cannot judge: {why}")),
            Finding::Propose(_) => {}
        }
    }
    out.join("\n")
}

fn figures_text(p: &Proposal) -> String {
    p.figures
        .iter()
        .map(|f| format!("{} = {}", f.name, f.value))
        .collect::<Vec<_>>()
        .join(", ")
}

fn figures_json(figs: &[crate::advise::Figure]) -> Json {
    let mut m = Map::new();
    for f in figs {
        m.insert(f.name.to_string(), Json::String(f.value.clone()));
    }
    Json::Object(m)
}

fn proposal_json(n: usize, p: &Proposal) -> Json {
    json!({
        "n": n,
        "rule": p.rule,
        "figures": figures_json(&p.figures),
        "reason": p.reason,
        "commands": p.commands(),
        "effect": p.effect,
    })
}

/// A rule that proposed nothing: its figures, or why it could not judge.
fn quiet_json(rule: &str, f: &Finding) -> Option<Json> {
    match f {
        Finding::Quiet(figs) => Some(json!({"rule": rule, "figures": figures_json(figs)})),
        Finding::NoData(why) => Some(json!({"rule": rule, "no_data": why})),
        Finding::Propose(_) => None,
    }
}

/// For options that apply to new files only: the data on disk is unchanged until it is
/// rewritten, so a measurement right after the apply reads the old files.
fn new_files_note(sets: &[(String, String)]) -> Option<String> {
    use engine::options::Opt;
    let names: Vec<&str> = sets
        .iter()
        .filter(|(n, _)| Opt::lookup(n).is_ok_and(Opt::reaches_new_files_only))
        .map(|(n, _)| n.as_str())
        .collect();
    (!names.is_empty()).then(|| {
        format!(
            "note: {} applies to new files only; the data read now is still in files written before (.compact rewrites them, then compare)",
            names.join(", ")
        )
    })
}

/// `o` with `note` as its last line.
fn with_note(o: Outcome, note: Option<String>) -> Outcome {
    let Some(note) = note else { return o };
    match o {
        Outcome::Message(m) => Outcome::Message(format!("{m}\n{note}")),
        Outcome::Report { mut text, mut json } => {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&note);
            text.push('\n');
            json["note"] = Json::String(note);
            Outcome::Report { text, json }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(n: &str, v: &str) -> (String, String) {
        (n.to_string(), v.to_string())
    }

    #[test]
    fn a_new_files_proposal_notes_that_the_files_are_unchanged() {
        let note = new_files_note(&[set("block_size", "8KiB"), set("value_cache_size", "1GiB")]);
        let note = note.expect("block_size applies to new files");
        assert!(
            note.starts_with("note: block_size applies to new files only"),
            "{note}"
        );
        assert!(new_files_note(&[set("value_cache_size", "1GiB")]).is_none());
        let o = with_note(Outcome::Message("applied".into()), Some(note.clone()));
        assert!(
            matches!(&o, Outcome::Message(m) if m.ends_with(&note)),
            "{o:?}"
        );
    }
}
