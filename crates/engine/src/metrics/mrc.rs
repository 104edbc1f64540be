//! A miss-ratio curve of the value cache as plain data: the hit rate the cache would
//! have had at each size, estimated from the stream of gets (see `engine::mrc` for how).
use serde::Serialize;

/// One point of the curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MrcPoint {
    /// Cache size in bytes (what the cache would hold, bookkeeping included).
    pub bytes: u64,
    /// Predicted hit rate at that size, 0..=1.
    pub hit_rate: f64,
}

/// The curve, sizes ascending, with what it rests on.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MrcCurve {
    pub points: Vec<MrcPoint>,
    /// Sampled gets the curve rests on (after the key sample).
    pub sampled_gets: u64,
    /// All gets seen while the curve was built.
    pub gets: u64,
    /// Fraction of keys sampled (SHARDS rate), 0..=1.
    pub sample_rate: f64,
    /// Bytes one cached value costs, as used to turn distinct keys into bytes.
    pub bytes_per_value: f64,
    /// The value cache's size now (`value_cache_size`), for marking it on the curve.
    pub current_bytes: u64,
}

/// Fewer sampled gets than this give a curve of noise: front ends say so instead.
pub const MIN_SAMPLED_GETS: u64 = 1000;

impl MrcCurve {
    /// The curve with at most `max` (at least 2) of its points, evenly picked, the first
    /// and last kept: enough to draw, cheap to keep in every sample.
    pub fn thinned(&self, max: usize) -> MrcCurve {
        let n = self.points.len();
        let max = max.max(2);
        let points = if n <= max {
            self.points.clone()
        } else {
            (0..max)
                .map(|i| self.points[i * (n - 1) / (max - 1)])
                .collect()
        };
        MrcCurve {
            points,
            ..self.clone()
        }
    }

    /// Predicted hit rate at `bytes`, interpolated linearly between points; `None` when
    /// the curve is empty. Beyond the last point the curve is flat.
    pub fn hit_rate_at(&self, bytes: u64) -> Option<f64> {
        let first = self.points.first()?;
        if bytes <= first.bytes {
            return Some(first.hit_rate * bytes as f64 / first.bytes.max(1) as f64);
        }
        for w in self.points.windows(2) {
            let (a, b) = (w[0], w[1]);
            if bytes <= b.bytes {
                let f = (bytes - a.bytes) as f64 / (b.bytes - a.bytes).max(1) as f64;
                return Some(a.hit_rate + f * (b.hit_rate - a.hit_rate));
            }
        }
        self.points.last().map(|p| p.hit_rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_between_points_and_is_flat_beyond() {
        let c = MrcCurve {
            points: vec![
                MrcPoint {
                    bytes: 100,
                    hit_rate: 0.2,
                },
                MrcPoint {
                    bytes: 300,
                    hit_rate: 0.6,
                },
            ],
            ..Default::default()
        };
        assert_eq!(c.hit_rate_at(50), Some(0.1));
        assert!((c.hit_rate_at(200).unwrap() - 0.4).abs() < 1e-9);
        assert_eq!(c.hit_rate_at(1000), Some(0.6));
        assert_eq!(MrcCurve::default().hit_rate_at(10), None);
    }
}
