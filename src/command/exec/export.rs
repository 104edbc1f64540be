//! `.export metrics FILE.svg` outside the dashboard: the executor's own metrics history
//! (one sample a second) drawn by [`crate::plot::metrics`], with the events as markers.
use super::Executor;
use crate::command::outcome::{ExecError, Outcome};
use crate::plot::metrics::{MetricsPoint, metrics_svg};
use crate::plot::{check_svg_path, save_svg};

impl Executor {
    pub(super) fn export_metrics_svg(&self, path: &str) -> Result<Outcome, ExecError> {
        let refused = |e: crate::plot::PlotError| ExecError::Refused(e.to_string());
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
}
