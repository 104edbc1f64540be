//! Metric structs combined field by field, written once: [`metric_struct!`] declares a
//! struct and its [`Combine`], so a sum or a difference of two windows cannot forget a
//! field added later.

/// A metric value two windows can be combined into one: counters with the function
/// given (`u64::saturating_add` for a sum, `u64::saturating_sub` for a difference),
/// structs of them field by field.
pub trait Combine {
    fn combine(&self, other: &Self, f: fn(u64, u64) -> u64) -> Self;
}

impl Combine for u64 {
    fn combine(&self, other: &u64, f: fn(u64, u64) -> u64) -> u64 {
        f(*self, *other)
    }
}

/// Declares a struct of metrics and its field-wise [`Combine`]. A field whose type is
/// followed by `[keep]` (a gauge, a flag, a ratio to recompute) is not combined: the
/// result has `self`'s.
/// Every other field's type must be `Combine` (`u64` or another such struct).
macro_rules! metric_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $fvis:vis $field:ident : $ty:ty $([$keep:ident])?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $(#[$fmeta])* $fvis $field: $ty, )*
        }

        impl $crate::metrics::sum::Combine for $name {
            fn combine(&self, other: &Self, f: fn(u64, u64) -> u64) -> Self {
                $name {
                    $( $field: $crate::metrics::sum::metric_struct!(
                        @field self.$field, other.$field, f $(, $keep)?
                    ), )*
                }
            }
        }
    };
    (@field $a:expr, $b:expr, $f:expr, keep) => {
        $a.clone()
    };
    (@field $a:expr, $b:expr, $f:expr) => {
        $crate::metrics::sum::Combine::combine(&$a, &$b, $f)
    };
}
pub(crate) use metric_struct;

#[cfg(test)]
mod tests {
    use super::*;

    metric_struct! {
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        struct Inner {
            a: u64,
            b: u64,
        }
    }

    metric_struct! {
        /// A counter, a nested struct and a kept gauge.
        #[derive(Debug, Clone, Default, PartialEq)]
        struct Outer {
            n: u64,
            inner: Inner,
            name: String [keep],
            rate: f64 [keep],
        }
    }

    fn outer(n: u64, a: u64, b: u64, name: &str) -> Outer {
        Outer {
            n,
            inner: Inner { a, b },
            name: name.to_string(),
            rate: n as f64,
        }
    }

    #[test]
    fn a_difference_then_a_sum_round_trips() {
        let (later, earlier) = (outer(10, 7, 100, "new"), outer(4, 2, 40, "old"));
        let d = later.combine(&earlier, u64::saturating_sub);
        assert_eq!(d.n, 6);
        assert_eq!(d.inner, Inner { a: 5, b: 60 });
        let back = d.combine(&earlier, u64::saturating_add);
        assert_eq!((back.n, back.inner), (later.n, later.inner));
    }

    #[test]
    fn kept_fields_are_the_left_sides() {
        let s = outer(1, 1, 1, "left").combine(&outer(2, 2, 2, "right"), u64::saturating_add);
        assert_eq!(s.name, "left");
        assert_eq!(s.rate, 1.0);
        assert_eq!(s.n, 3);
    }

    #[test]
    fn combining_saturates_instead_of_wrapping() {
        let small = outer(1, 0, u64::MAX, "");
        let big = outer(5, 3, 1, "");
        let d = small.combine(&big, u64::saturating_sub);
        assert_eq!(
            (d.n, d.inner.a),
            (0, 0),
            "a counter reset gives 0, not a huge number"
        );
        assert_eq!(d.inner.b, u64::MAX - 1);
        let s = small.combine(&big, u64::saturating_add);
        assert_eq!(s.inner.b, u64::MAX);
    }
}
