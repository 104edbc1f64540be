//! ALEX learned index over `i64` keys (TEMPORARY STUB backed by BTreeSet; the real
//! implementation replaces the body of this file, the public API stays as is).
use std::collections::BTreeSet;
use std::ops::RangeBounds;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IndexError {
    #[error(
        "bulk load needs strictly increasing keys: key {key} at position {pos} is not above the previous one"
    )]
    NotSorted { pos: usize, key: i64 },
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct IndexStats {
    pub num_keys: usize,
    pub model_nodes: usize,
    pub data_nodes: usize,
    pub depth: usize,
    pub expansions: u64,
    pub retrains: u64,
    pub splits_sideways: u64,
    pub splits_down: u64,
    pub root_expansions: u64,
    pub contractions: u64,
    pub bytes_used: usize,
}

#[derive(Debug, Default)]
pub struct AlexIndex {
    set: BTreeSet<i64>,
}

impl AlexIndex {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn bulk_load(sorted: &[i64]) -> Result<Self, IndexError> {
        for (i, w) in sorted.windows(2).enumerate() {
            if w[1] <= w[0] {
                return Err(IndexError::NotSorted {
                    pos: i + 1,
                    key: w[1],
                });
            }
        }
        Ok(Self {
            set: sorted.iter().copied().collect(),
        })
    }
    pub fn insert(&mut self, key: i64) -> bool {
        self.set.insert(key)
    }
    pub fn remove(&mut self, key: i64) -> bool {
        self.set.remove(&key)
    }
    pub fn contains(&self, key: i64) -> bool {
        self.set.contains(&key)
    }
    pub fn lower_bound(&self, key: i64) -> Option<i64> {
        self.set.range(key..).next().copied()
    }
    pub fn range<R: RangeBounds<i64>>(&self, r: R) -> impl Iterator<Item = i64> + '_ {
        self.set.range(r).copied()
    }
    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        self.set.iter().copied()
    }
    pub fn len(&self) -> usize {
        self.set.len()
    }
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
    pub fn min_key(&self) -> Option<i64> {
        self.set.first().copied()
    }
    pub fn max_key(&self) -> Option<i64> {
        self.set.last().copied()
    }
    pub fn bytes_used(&self) -> usize {
        self.set.len() * 8
    }
    pub fn stats(&self) -> IndexStats {
        IndexStats {
            num_keys: self.len(),
            ..Default::default()
        }
    }
    pub fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}
