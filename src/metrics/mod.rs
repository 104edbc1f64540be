//! Lock-free metric recorders and the plain Snapshot that front ends render.
