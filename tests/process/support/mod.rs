//! Helpers shared by the process-level tests.
pub mod pty;
pub mod tmpfs;

/// 200 pseudo-random numbers, a different run for every key (xorshift): values that
/// hardly compress.
pub fn noise(k: i64) -> impl Iterator<Item = u64> {
    let mut x = (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..200).map(move |_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    })
}
