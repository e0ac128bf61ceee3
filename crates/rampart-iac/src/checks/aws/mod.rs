//! AWS checks, by domain. One id per problem: a check reads Terraform (resources and plans)
//! and CloudFormation alike, with one function per language registered under the same id.

pub(super) mod identity;
pub(super) mod logging;
pub(super) mod network;
pub(super) mod storage;
