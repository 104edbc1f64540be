//! What makes a sweep's comparison fair (issue 29): a warm-up that ends when the figures
//! are steady, an order of runs that cannot decide (A B C C B A ...), and the noise rule
//! a winner must clear. A sweep that crowned whichever step ran last (the value cache
//! was still warming: hit rate 53% -> 97% over four steps) is what this prevents.
use serde::Serialize;

use engine::metrics::history::figures_agree;
pub use engine::metrics::history::{STEADY_HIT, STEADY_OPS, STEADY_SECS as STEADY_WINDOWS};

/// One short measured window of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Window {
    pub ops_per_sec: f64,
    pub value_hit: Option<f64>,
    pub block_hit: Option<f64>,
    pub p50_ns: u64,
    pub p99_ns: u64,
    pub ops: u64,
    pub secs: f64,
}

/// Whether the last [`STEADY_WINDOWS`] windows agree: ops/s within [`STEADY_OPS`] of
/// each other, each hit rate within [`STEADY_HIT`].
pub fn is_steady(windows: &[Window]) -> bool {
    let Some(last) = windows
        .len()
        .checked_sub(STEADY_WINDOWS)
        .map(|i| &windows[i..])
    else {
        return false;
    };
    let ops: Vec<f64> = last.iter().map(|w| w.ops_per_sec).collect();
    let value: Vec<f64> = last.iter().filter_map(|w| w.value_hit).collect();
    let block: Vec<f64> = last.iter().filter_map(|w| w.block_hit).collect();
    figures_agree(&ops, &[&value, &block])
}

/// The order of `repeat` passes over `steps` steps, every other pass reversed
/// (`0 1 2 2 1 0 0 1 2` for 3 and 3): a step that gains from running late in one pass
/// runs early in the next.
pub fn run_order(steps: usize, repeat: usize) -> Vec<usize> {
    (0..repeat.max(1))
        .flat_map(|pass| {
            let forward = pass % 2 == 0;
            (0..steps).map(move |i| if forward { i } else { steps - 1 - i })
        })
        .collect()
}

/// The median of `v` (0 for none).
pub fn median(v: &[f64]) -> f64 {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return 0.0;
    }
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

pub use engine::metrics::history::min_max;

/// Mean, standard deviation and count of `v`.
pub fn mean_sd(v: &[f64]) -> (f64, f64, usize) {
    let (mean, sd) = engine::metrics::history::mean_sd(v);
    (mean, sd, v.len())
}

/// Twice the standard error of the difference of two means, `2·sqrt(sA²/nA + sB²/nB)`:
/// a difference within it is noise. `.compare` uses the same rule. `None` with fewer
/// than two values on a side.
pub fn two_standard_errors(a: (f64, usize), b: (f64, usize)) -> Option<f64> {
    let ((sa, na), (sb, nb)) = (a, b);
    if na < 2 || nb < 2 {
        return None;
    }
    Some(2.0 * (sa.powi(2) / na as f64 + sb.powi(2) / nb as f64).sqrt())
}

/// What one step's runs measured, for the verdict: each run's ops/s and every window's.
#[derive(Debug, Clone, Default)]
pub struct StepFigures {
    pub runs: Vec<f64>,
    pub windows: Vec<f64>,
}

impl StepFigures {
    pub fn median(&self) -> f64 {
        median(&self.runs)
    }
}

/// The noise between two steps: twice the standard error of their window rates, or
/// the larger run-to-run spread of the two when that is wider.
pub fn noise(a: &StepFigures, b: &StepFigures) -> f64 {
    let (_, sa, na) = mean_sd(&a.windows);
    let (_, sb, nb) = mean_sd(&b.windows);
    let se = two_standard_errors((sa, na), (sb, nb)).unwrap_or(0.0);
    let spread = |s: &StepFigures| {
        let (lo, hi) = min_max(&s.runs);
        hi - lo
    };
    se.max(spread(a)).max(spread(b))
}

/// Who won, if anyone did beyond noise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Verdict {
    /// The step with the highest median, when it beats the runner-up beyond noise.
    pub best: Option<usize>,
    /// The highest median, winner or not.
    pub top: Option<usize>,
    pub runner_up: Option<usize>,
    /// Top over runner-up, as a fraction (0.12 = 12% faster).
    pub margin: Option<f64>,
    /// The noise between the two, as a fraction of the runner-up.
    pub noise: Option<f64>,
}

/// The smallest lead that can win, as a fraction of the runner-up: on this project's
/// machine two runs of one and the same setting, interleaved, came out 6.9% apart
/// with a measured noise of 6.3% (a CI run of
/// `a_difference_made_by_warm_up_alone_is_no_difference`), so a lead under this is not
/// told from the machine's own wandering.
pub const MIN_LEAD: f64 = 0.10;

/// The verdict over `steps` (in plan order): the top median wins only when its lead
/// over the runner-up is larger than their [`noise`] and than [`MIN_LEAD`].
pub fn verdict(steps: &[StepFigures]) -> Verdict {
    verdict_with(steps, 0.0)
}

/// [`verdict`] with a floor under the noise, as a fraction of the runner-up: a sweep
/// whose check run drifted by 20% cannot tell steps 10% apart.
pub fn verdict_with(steps: &[StepFigures], floor: f64) -> Verdict {
    let mut order: Vec<usize> = (0..steps.len())
        .filter(|&i| !steps[i].runs.is_empty())
        .collect();
    order.sort_by(|&a, &b| steps[b].median().total_cmp(&steps[a].median()));
    let (top, runner_up) = (order.first().copied(), order.get(1).copied());
    let Some((t, r)) = top.zip(runner_up) else {
        // One step alone has nothing to beat.
        return Verdict {
            best: None,
            top,
            runner_up,
            margin: None,
            noise: None,
        };
    };
    let (mt, mr) = (steps[t].median(), steps[r].median());
    let n = noise(&steps[t], &steps[r])
        .max(floor * mr)
        .max(MIN_LEAD * mr);
    let rel = |x: f64| (mr > 0.0).then(|| x / mr);
    Verdict {
        best: (mt - mr > n).then_some(t),
        top,
        runner_up,
        margin: rel(mt - mr),
        noise: rel(n),
    }
}

/// The first step measured again at the end of the sweep.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Drift {
    pub step: usize,
    /// Its median over the sweep's runs.
    pub median: f64,
    /// The check run at the end.
    pub last: f64,
    /// `last` over `median`, minus one.
    pub change: f64,
    /// The change is beyond the step's own noise: the machine or the data moved.
    pub drifted: bool,
}

/// Compares the check run `last` (its windows) with step `step`'s figures.
pub fn drift(step: usize, fig: &StepFigures, last: &StepFigures) -> Drift {
    let m = fig.median();
    let l = last.median();
    let n = noise(fig, last);
    Drift {
        step,
        median: m,
        last: l,
        change: if m > 0.0 { l / m - 1.0 } else { 0.0 },
        drifted: (l - m).abs() > n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(ops: f64, hit: f64) -> Window {
        Window {
            ops_per_sec: ops,
            value_hit: Some(hit),
            ..Default::default()
        }
    }

    #[test]
    fn steady_needs_three_agreeing_windows() {
        assert!(!is_steady(&[w(100.0, 0.9), w(100.0, 0.9)]));
        assert!(is_steady(&[
            w(50.0, 0.5),
            w(100.0, 0.9),
            w(104.0, 0.905),
            w(98.0, 0.91)
        ]));
        // Throughput steady but the cache still warming.
        assert!(!is_steady(&[
            w(100.0, 0.80),
            w(101.0, 0.85),
            w(100.0, 0.90)
        ]));
        // Hit rate steady, throughput not.
        assert!(!is_steady(&[w(100.0, 0.9), w(130.0, 0.9), w(100.0, 0.9)]));
        assert!(!is_steady(&[w(0.0, 0.9), w(0.0, 0.9), w(0.0, 0.9)]));
    }

    #[test]
    fn passes_alternate_direction() {
        assert_eq!(run_order(3, 2), vec![0, 1, 2, 2, 1, 0]);
        assert_eq!(run_order(2, 3), vec![0, 1, 1, 0, 0, 1]);
        assert_eq!(run_order(3, 0), vec![0, 1, 2]);
        assert!(run_order(0, 2).is_empty());
    }

    #[test]
    fn medians_and_spreads() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
        assert_eq!(min_max(&[2.0, f64::NAN, 5.0]), (2.0, 5.0));
        let (m, sd, n) = mean_sd(&[1.0, 3.0]);
        assert_eq!((m, n), (2.0, 2));
        assert!((sd - 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(two_standard_errors((1.0, 1), (1.0, 4)), None);
    }

    fn fig(runs: &[f64], windows: &[f64]) -> StepFigures {
        StepFigures {
            runs: runs.to_vec(),
            windows: windows.to_vec(),
        }
    }

    #[test]
    fn a_winner_must_beat_the_noise() {
        // 1,000 against 990 with windows wandering by 50: no winner.
        let close = [
            fig(&[990.0, 1010.0], &[950.0, 1050.0, 980.0, 1020.0]),
            fig(&[985.0, 995.0], &[940.0, 1040.0, 960.0, 1020.0]),
        ];
        let v = verdict(&close);
        assert_eq!((v.best, v.top, v.runner_up), (None, Some(0), Some(1)));
        // 2x apart with tight windows: a winner, in either order.
        let apart = [
            fig(&[500.0, 510.0], &[495.0, 505.0, 505.0, 515.0]),
            fig(&[1000.0, 1010.0], &[995.0, 1005.0, 1005.0, 1015.0]),
        ];
        assert_eq!(verdict(&apart).best, Some(1));
        let mut rev = apart.clone();
        rev.reverse();
        assert_eq!(verdict(&rev).best, Some(0));
        // A wide run-to-run spread hides a lead the windows alone would show.
        let spread = [
            fig(&[1000.0, 1400.0], &[1000.0, 1000.0, 1400.0, 1400.0]),
            fig(&[1100.0, 1100.0], &[1100.0, 1100.0, 1100.0, 1100.0]),
        ];
        assert_eq!(verdict(&spread).best, None);
        assert_eq!(verdict(&[fig(&[1.0], &[1.0])]).best, None);
        // A lead beyond the measured noise but under MIN_LEAD: not crowned.
        let small = [
            fig(&[2_660.0, 2_650.0], &[2_640.0, 2_660.0, 2_650.0, 2_670.0]),
            fig(&[2_840.0, 2_845.0], &[2_835.0, 2_845.0, 2_840.0, 2_850.0]),
        ];
        let v = verdict(&small);
        assert_eq!((v.best, v.top), (None, Some(1)), "{v:?}");
        assert!((v.noise.unwrap() - MIN_LEAD).abs() < 1e-9, "{v:?}");
        // A 2x lead is no lead when the sweep drifted by more than that.
        assert_eq!(verdict_with(&apart, 0.5).best, Some(1));
        assert_eq!(verdict_with(&apart, 1.2).best, None);
    }

    #[test]
    fn drift_is_a_change_beyond_the_steps_noise() {
        let f = fig(&[1000.0, 1010.0], &[990.0, 1010.0, 1000.0, 1020.0]);
        let same = fig(&[1005.0], &[1000.0, 1010.0]);
        assert!(!drift(0, &f, &same).drifted);
        let slower = fig(&[700.0], &[690.0, 710.0]);
        let d = drift(0, &f, &slower);
        assert!(d.drifted);
        assert!((d.change + 0.3035).abs() < 0.01, "{d:?}");
    }
}
