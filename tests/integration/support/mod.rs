//! Helpers shared by the application's tests.
/// The SVG and snapshot helpers of the benchmark crate's tests: the plot tests here
/// read the same pictures.
#[path = "../../../crates/bench/tests/integration/support.rs"]
pub mod plots;
pub mod sst_damage;

/// The exact name of test `test` in module `module` (pass `module_path!()`), as the test
/// binary filters it: a child run of this binary selects one test by a name that does not
/// depend on which binary or module the test lives in.
pub fn this_test(module: &str, test: &str) -> String {
    match module.split_once("::") {
        Some((_, path)) => format!("{path}::{test}"),
        None => test.to_string(),
    }
}
