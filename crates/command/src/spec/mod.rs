//! Every command as data: one [`CommandSpec`] per command, in `.help` order. The types
//! are in `types`; the table itself ([`SPECS`], [`lookup`], [`spec_of`], the name lists)
//! is the command registry's (`crate::registry`), re-exported here.
pub mod types;

pub use crate::registry::{ALL_NAMES, COMMAND_NAMES, DOT_COMMAND_NAMES, SPECS, lookup, spec_of};
pub use types::{CommandSpec, Family, Runs};
