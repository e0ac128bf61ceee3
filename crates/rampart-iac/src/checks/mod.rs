//! The logic of every built-in check, one module per kind of document (AWS by domain); the
//! documentation is in `checks/*.toml` (see [`crate::check`]). `terraform` and
//! `cloudformation` hold what the cloud checks share for reading those languages.

use std::collections::HashMap;

use crate::check::CheckFn;

mod aws;
mod azure;
mod cloudformation;
mod compose;
mod dockerfile;
mod gcp;
mod github;
mod gitlab;
mod kubernetes;
mod terraform;

/// Every built-in check's logic, by id: a check that reads several languages has one
/// function for each.
pub fn implementations() -> HashMap<&'static str, Vec<CheckFn>> {
    let mut all: HashMap<&'static str, Vec<CheckFn>> = HashMap::new();
    for (id, f) in kubernetes::CHECKS
        .iter()
        .chain(dockerfile::CHECKS)
        .chain(compose::CHECKS)
        .chain(github::CHECKS)
        .chain(gitlab::CHECKS)
        .chain(aws::storage::CHECKS)
        .chain(aws::network::CHECKS)
        .chain(aws::identity::CHECKS)
        .chain(aws::logging::CHECKS)
        .chain(azure::CHECKS)
        .chain(gcp::CHECKS)
    {
        all.entry(*id).or_default().push(*f);
    }
    all
}
