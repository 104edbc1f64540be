//! The value type every cache holds, a leaf the policies and the cache front share.
use std::sync::Arc;

/// A value as the engine hands it out: shared, immutable bytes.
pub type Value = Arc<[u8]>;
