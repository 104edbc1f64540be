//! The benchmark crate's tests, in one binary: the SVG charts and the peers' memory
//! budget, through the library alone (the binary's `bench` runs are the app's tests).
mod support;

mod engines_budget;
mod plot_svg;
