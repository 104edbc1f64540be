//! Limits the errors and the options both name: a leaf, so neither imports the other
//! for them.

/// Largest value `put`/`load` accept: 16 MiB. Larger values are refused with
/// [`crate::DbError::ValueTooLarge`] and leave the database unchanged.
pub const MAX_VALUE_BYTES: usize = 16 << 20;
