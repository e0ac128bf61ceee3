//! GitLab CI checks.

use crate::check::CheckFn;

pub const CHECKS: &[(&str, CheckFn)] = &[];
