//! Number formatting for panes: sizes, counts, rates, durations. Pure functions.

/// `512 B`, `1.5 KiB`, `12.0 MiB`, `3.2 GiB` (binary units).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    if v >= 100.0 {
        format!("{v:.0} {}", UNITS[i])
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

/// `950`, `12.3k`, `4.5M`, `1.2G`: short counts for narrow panes.
pub fn count(n: f64) -> String {
    let a = n.abs();
    if a < 1000.0 {
        if a.fract() == 0.0 || a >= 100.0 {
            format!("{n:.0}")
        } else {
            format!("{n:.1}")
        }
    } else if a < 1e6 {
        short(n / 1e3, "k")
    } else if a < 1e9 {
        short(n / 1e6, "M")
    } else {
        short(n / 1e9, "G")
    }
}

fn short(v: f64, unit: &str) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}{unit}")
    } else {
        format!("{v:.1}{unit}")
    }
}

/// `1,234,567`: full counts with thousands separators.
pub use command::series::grouped;

/// A duration given in nanoseconds: `850ns`, `1.2µs`, `35µs`, `4.1ms`, `2.0s`.
pub fn ns(v: f64) -> String {
    let v = v.max(0.0);
    if v < 1e3 {
        format!("{v:.0}ns")
    } else if v < 1e6 {
        unit(v / 1e3, "µs")
    } else if v < 1e9 {
        unit(v / 1e6, "ms")
    } else {
        unit(v / 1e9, "s")
    }
}

fn unit(v: f64, u: &str) -> String {
    if v >= 10.0 {
        format!("{v:.0}{u}")
    } else {
        format!("{v:.1}{u}")
    }
}

/// Seconds as `m:ss` (or `h:mm:ss` from an hour on).
pub fn clock(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// `45.2%` from a 0..=1 fraction.
pub fn pct(f: f64) -> String {
    format!("{:.1}%", f * 100.0)
}

/// Cuts `s` to at most `width` characters, ending with `…` when cut.
pub fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(bytes(0), "0 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(512 << 20), "512 MiB");
        assert_eq!(count(950.0), "950");
        assert_eq!(count(12_345.0), "12.3k");
        assert_eq!(count(2_500_000.0), "2.5M");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(12), "12");
        assert_eq!(ns(850.0), "850ns");
        assert_eq!(ns(1_234.0), "1.2µs");
        assert_eq!(ns(35_000.0), "35µs");
        assert_eq!(ns(4_100_000.0), "4.1ms");
        assert_eq!(clock(75.0), "1:15");
        assert_eq!(clock(3725.0), "1:02:05");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
    }
}
