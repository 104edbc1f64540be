//! Datasets, key generators and workloads (fixed seeds): generated and file datasets for
//! `.load`, and the YCSB core workloads.
pub mod dataset;
pub mod keys;
pub mod ycsb;

/// A count with optional `_`/`,` separators and a `k`/`m` suffix; 0 allowed.
pub fn parse_count(s: &str) -> Result<u64, String> {
    let hint = "expected a whole number such as 1000000, 1_000_000, 500k or 10M";
    let t: String = s
        .trim()
        .chars()
        .filter(|c| *c != '_' && *c != ',')
        .collect();
    let (digits, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1_000u64),
        Some('m' | 'M') => (&t[..t.len() - 1], 1_000_000u64),
        _ => (&t[..], 1u64),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(hint.to_string());
    }
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| "too large".to_string())
}
