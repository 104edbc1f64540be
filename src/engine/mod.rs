//! The database engine. No terminal code lives here.
pub mod index;
