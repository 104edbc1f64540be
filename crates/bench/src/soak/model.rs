//! The soak's model of what must be in the database: per key, the newest write started,
//! the newest acknowledged, and the newest delete started. Each key has exactly one
//! writer (a worker, or the controller's loads), so at most one write per key is in
//! flight and version numbers per key go up by one per write. A read is judged against
//! the span from the last acknowledged state before it began to the newest state
//! started before it ended: anything outside that span is an error, anything inside is
//! a legal outcome of the race, so there are no false errors.
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

use engine::key_hash;

/// One key's state as a number: `version << 1 | present` (0 = never written, absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State(pub u64);

impl State {
    pub fn new(version: u64, present: bool) -> State {
        State(version << 1 | u64::from(present))
    }
    pub fn version(self) -> u64 {
        self.0 >> 1
    }
    pub fn present(self) -> bool {
        self.0 & 1 == 1
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.present() {
            write!(f, "version {}", self.version())
        } else {
            write!(f, "absent (version {})", self.version())
        }
    }
}

/// What a reader saw of one key before and after its read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The last acknowledged state when the read began.
    pub lo: State,
    /// The newest state started when the read ended.
    pub hi: State,
    /// The version of the newest delete started when the read ended (0 = none).
    pub last_del: u64,
}

impl Span {
    /// Judges a read of the key that returned `got` (a value's version, or absent).
    /// `Err` says what was expected.
    pub fn judge(&self, got: Option<u64>) -> Result<(), String> {
        let ok = match got {
            Some(v) => {
                let in_span = (self.lo.version()..=self.hi.version()).contains(&v);
                // The two ends' kinds are known: a delete writes no value.
                let deleted_end = (v == self.lo.version() && !self.lo.present())
                    || (v == self.hi.version() && !self.hi.present());
                in_span && !deleted_end
            }
            None => self.may_be_absent(),
        };
        if ok { Ok(()) } else { Err(self.expected()) }
    }

    /// True when some moment of the span had the key absent.
    pub fn may_be_absent(&self) -> bool {
        !self.lo.present()
            || (self.last_del > self.lo.version() && self.last_del <= self.hi.version())
    }

    /// True when some moment of the span had the key present.
    pub fn may_be_present(&self) -> bool {
        self.lo.present() || self.hi.version() > self.lo.version()
    }

    /// The legal outcomes, in words.
    pub fn expected(&self) -> String {
        let absent = if self.may_be_absent() {
            " or absent"
        } else {
            ""
        };
        if self.lo == self.hi {
            format!("{}", self.lo)
        } else {
            format!(
                "a version in {}..={}{absent} (a write was in flight)",
                self.lo.version(),
                self.hi.version()
            )
        }
    }
}

/// One key's three counters.
#[derive(Debug, Default)]
struct Slot {
    started: AtomicU64,
    acked: AtomicU64,
    last_del: AtomicU64,
}

/// The model of every key (indexed 0..n; see [`key_of`]).
#[derive(Debug)]
pub struct Model {
    slots: Vec<Slot>,
}

impl Model {
    pub fn new(n: usize) -> Model {
        Model {
            slots: (0..n).map(|_| Slot::default()).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The last acknowledged state of key `i`.
    pub fn acked(&self, i: usize) -> State {
        State(self.slots[i].acked.load(SeqCst))
    }

    /// The writer of key `i` begins a write: returns the new state. Only the key's
    /// owner calls it, so versions never collide.
    pub fn begin(&self, i: usize, present: bool) -> State {
        let s = &self.slots[i];
        let v = State(s.started.load(SeqCst)).version() + 1;
        let next = State::new(v, present);
        if !present {
            // Before `started`, so a reader that sees the delete started sees this too.
            s.last_del.store(v, SeqCst);
        }
        s.started.store(next.0, SeqCst);
        next
    }

    /// The write of `state` to key `i` was acknowledged.
    pub fn ack(&self, i: usize, state: State) {
        self.slots[i].acked.store(state.0, SeqCst);
    }

    /// A read of key `i` ends: its span, from `lo` (taken with [`Model::acked`] before).
    pub fn span(&self, i: usize, lo: State) -> Span {
        let s = &self.slots[i];
        let hi = State(s.started.load(SeqCst));
        Span {
            lo,
            hi,
            last_del: s.last_del.load(SeqCst),
        }
    }
}

/// The key of model index `i`: spaced by 3 and centred on 0, so keys are negative and
/// positive and a range of keys holds gaps no one writes.
pub fn key_of(i: usize, n: usize) -> i64 {
    (i as i64 - (n / 2) as i64) * 3
}

/// The model index of `key`, when it is one of the soak's keys.
pub fn index_of(key: i64, n: usize) -> Option<usize> {
    let off = key.checked_add(3 * (n / 2) as i64)?;
    if off < 0 || off % 3 != 0 {
        return None;
    }
    let i = (off / 3) as usize;
    (i < n).then_some(i)
}

/// Bytes of a value before its padding: key and version, little-endian.
const HEAD: usize = 16;

/// The value of `key` at `version`: key, version, then 24-87 bytes of padding derived
/// from both, half pseudo-random and half a repeated byte (so it compresses about 2:1).
pub fn encode(key: i64, version: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(HEAD + 88);
    v.extend_from_slice(&key.to_le_bytes());
    v.extend_from_slice(&version.to_le_bytes());
    v.extend(padding(key, version));
    v
}

fn padding(key: i64, version: u64) -> Vec<u8> {
    let mut h = key_hash(key ^ version.wrapping_mul(0x9E37_79B9) as i64);
    let len = 24 + (h % 64) as usize;
    let mut out = Vec::with_capacity(len);
    while out.len() < len / 2 {
        h = key_hash(h as i64);
        out.extend_from_slice(&h.to_le_bytes());
    }
    out.truncate(len / 2);
    out.resize(len, (h & 0xff) as u8);
    out
}

/// The version a value of `key` holds; `Err` when it is not a value the soak wrote for
/// that key (wrong key, bad padding: a corrupt or misplaced value).
pub fn decode(key: i64, value: &[u8]) -> Result<u64, String> {
    let bad = || format!("a corrupt value ({} bytes)", value.len());
    let (Some(k), Some(ver)) = (value.get(..8), value.get(8..HEAD)) else {
        return Err(bad());
    };
    // Both slices are 8 bytes long (the ranges above).
    let k = i64::from_le_bytes(k.try_into().map_err(|_| bad())?);
    let ver = u64::from_le_bytes(ver.try_into().map_err(|_| bad())?);
    if k != key {
        return Err(format!("the value of key {k}"));
    }
    if value[HEAD..] != padding(key, ver)[..] {
        return Err(format!("version {ver} with corrupt padding"));
    }
    Ok(ver)
}

/// A read's result in words, for an error report.
pub fn got_text(got: Option<u64>) -> String {
    got.map_or("absent".to_string(), |v| format!("version {v}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(lo: State, hi: State, last_del: u64) -> Span {
        Span { lo, hi, last_del }
    }

    #[test]
    fn quiet_key_must_match_exactly() {
        let s = State::new(4, true);
        let q = span(s, s, 2);
        assert!(q.judge(Some(4)).is_ok());
        assert!(
            q.judge(Some(3)).is_err(),
            "an older version is a lost write"
        );
        assert!(
            q.judge(Some(5)).is_err(),
            "a newer version is a phantom write"
        );
        assert!(q.judge(None).is_err(), "absent is a lost row");
        let gone = State::new(5, false);
        let g = span(gone, gone, 5);
        assert!(g.judge(None).is_ok());
        assert!(g.judge(Some(4)).is_err(), "a deleted row came back");
        assert!(span(State(0), State(0), 0).judge(Some(1)).is_err());
    }

    #[test]
    fn racing_put_allows_old_or_new() {
        let q = span(State::new(4, true), State::new(5, true), 2);
        assert!(q.judge(Some(4)).is_ok());
        assert!(q.judge(Some(5)).is_ok());
        assert!(q.judge(Some(6)).is_err());
        assert!(q.judge(None).is_err(), "no delete in the span");
    }

    #[test]
    fn racing_delete_allows_absent() {
        let q = span(State::new(4, true), State::new(5, false), 5);
        assert!(q.judge(None).is_ok());
        assert!(q.judge(Some(4)).is_ok());
        assert!(q.judge(Some(5)).is_err(), "a delete writes no value");
    }

    #[test]
    fn delete_inside_a_longer_span_allows_absent() {
        // Put 4 acked, delete 5, put 6 started while the read ran.
        let q = span(State::new(4, true), State::new(6, true), 5);
        assert!(q.judge(None).is_ok());
        assert!(q.judge(Some(6)).is_ok());
        // An old delete (before the span) does not excuse absence.
        let old = span(State::new(4, true), State::new(6, true), 3);
        assert!(old.judge(None).is_err());
    }

    #[test]
    fn model_begin_and_ack() {
        let m = Model::new(3);
        let lo = m.acked(1);
        let s = m.begin(1, true);
        assert_eq!(s, State::new(1, true));
        let mid = m.span(1, lo);
        assert!(mid.judge(None).is_ok() && mid.judge(Some(1)).is_ok());
        m.ack(1, s);
        let d = m.begin(1, false);
        m.ack(1, d);
        let after = m.span(1, m.acked(1));
        assert!(after.judge(None).is_ok());
        assert!(after.judge(Some(1)).is_err());
    }

    #[test]
    fn values_round_trip_and_detect_damage() {
        let v = encode(-42, 7);
        assert_eq!(decode(-42, &v), Ok(7));
        assert!(decode(-39, &v).is_err(), "another key's value");
        let mut bad = v.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(decode(-42, &bad).is_err());
        assert!(decode(-42, &v[..10]).is_err());
    }

    #[test]
    fn keys_and_indexes() {
        for n in [1, 2, 10, 1001] {
            for i in 0..n {
                assert_eq!(index_of(key_of(i, n), n), Some(i));
            }
            assert_eq!(index_of(key_of(0, n) - 3, n), None);
            assert_eq!(index_of(key_of(n - 1, n) + 3, n), None);
            assert_eq!(index_of(key_of(0, n) + 1, n), None);
        }
    }
}
