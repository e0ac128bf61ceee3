//! The logic of every built-in check, one module per kind of document; the documentation is
//! in `checks/*.toml` (see [`crate::check`]).

use std::collections::HashMap;

use crate::check::CheckFn;

mod azure;
mod cloudformation;
mod compose;
mod dockerfile;
mod gcp;
mod github;
mod gitlab;
mod kubernetes;
mod terraform;

/// Every built-in check's logic, by id.
pub fn implementations() -> HashMap<&'static str, CheckFn> {
    let mut all = HashMap::new();
    for (id, f) in kubernetes::CHECKS
        .iter()
        .chain(dockerfile::CHECKS)
        .chain(github::CHECKS)
        .chain(cloudformation::CHECKS)
        .chain(compose::CHECKS)
        .chain(terraform::CHECKS)
        .chain(azure::CHECKS)
        .chain(gcp::CHECKS)
        .chain(gitlab::CHECKS)
    {
        all.insert(*id, *f);
    }
    all
}
