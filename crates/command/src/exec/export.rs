//! `.export metrics FILE.svg|FILE.csv|FILE.json` outside the dashboard: the executor's
//! own metrics history (one sample a second) drawn by [`bench::plot::metrics`] with the
//! events as markers, or written in the dashboard's CSV and JSON formats.
use super::Executor;
use crate::ast::ExportWhat;
use crate::outcome::{ExecError, Outcome};
use crate::series::Series;
use bench::plot::metrics::{MetricsPoint, metrics_svg};
use bench::plot::{check_svg_path, save_svg};

impl Executor {
    pub(crate) fn export_metrics_svg(&self, path: &str) -> Result<Outcome, ExecError> {
        let refused = |e: bench::plot::PlotError| ExecError::Refused(e.to_string());
        check_svg_path(std::path::Path::new(path)).map_err(refused)?;
        self.sampler.sample_now();
        let points: Vec<MetricsPoint> = {
            let h = self.sampler.history().lock();
            h.samples()
                .map(|s| MetricsPoint::from_snapshot(s.snapshot.uptime_secs, &s.snapshot))
                .collect()
        };
        if points.is_empty() {
            return Err(ExecError::Refused(
                "no metrics recorded yet (one sample a second; run a workload first)".into(),
            ));
        }
        let from = points[0].t - 1.0;
        let markers: Vec<(f64, String)> = self
            .db
            .metrics()
            .events_since(0)
            .into_iter()
            .filter(|e| e.at_secs >= from)
            .map(|e| (e.at_secs, e.label))
            .collect();
        let caption = vec![format!(
            "database {}; {} one-second samples from the line shell's history",
            self.db.path().display(),
            points.len()
        )];
        let svg = metrics_svg(&points, &markers, &caption).map_err(refused)?;
        save_svg(std::path::Path::new(path), &svg).map_err(refused)?;
        Ok(Outcome::Message(format!(
            "wrote {} samples and {} markers to {path}",
            points.len(),
            markers.len()
        )))
    }

    /// `.export metrics F.csv` / `F.json`: the history as the dashboard's [`Series`] (its
    /// samples on the database's uptime clock, each with the option changes and reopens
    /// of its second as markers), in the dashboard's formats.
    pub(crate) fn export_metrics_data(
        &self,
        what: ExportWhat,
        path: &str,
    ) -> Result<Outcome, ExecError> {
        self.sampler.sample_now();
        let events = self.db.metrics().events_since(0);
        let series = {
            let h = self.sampler.history().lock();
            let mut series = Series::with_capacity(h.samples().count());
            let mut prev: Option<f64> = None;
            for s in h.samples() {
                let mut snap = s.snapshot.clone();
                let end = snap.uptime_secs;
                let start = prev.unwrap_or(end - snap.window_secs - 1.0);
                snap.events = events
                    .iter()
                    .filter(|e| e.at_secs > start && e.at_secs <= end)
                    .cloned()
                    .collect();
                series.push(end, snap);
                prev = Some(end);
            }
            series
        };
        if series.is_empty() {
            return Err(ExecError::Refused(
                "no metrics recorded yet (one sample a second; run a workload first)".into(),
            ));
        }
        let text = if what == ExportWhat::MetricsJson {
            let mut s = serde_json::to_string_pretty(&series.to_json())
                .map_err(|e| ExecError::Refused(e.to_string()))?;
            s.push('\n');
            s
        } else {
            series.to_csv()
        };
        std::fs::write(path, text)
            .map_err(|e| ExecError::Refused(format!("cannot write {path}: {e}")))?;
        Ok(Outcome::Message(format!(
            "wrote {} samples and {} markers to {path}",
            series.len(),
            series.markers().len()
        )))
    }
}
