//! Policy as code for rampart. [`bundle`] loads Rego files (regorus) and evaluates their rules
//! within a time limit; [`gate`] decides a run's gate by a bundle's `deny` and `warn` rules
//! over the whole report, whose input [`input`] builds; [`testing`] runs a bundle's `test_` rules, as `opa test` does.

pub mod bundle;
pub mod gate;
pub mod input;
pub mod testing;

pub use bundle::{Bundle, BundleError, Message};
