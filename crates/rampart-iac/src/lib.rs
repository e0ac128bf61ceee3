//! Infrastructure-as-code and pipeline-configuration scanning: Terraform, CloudFormation,
//! Kubernetes, Dockerfiles, compose files and CI workflows, loaded into one document model
//! ([`model`]) that keeps the line of every value, and checked by built-in checks and by
//! policies in Rego.

pub mod check;
pub mod checks;
pub mod detect;
pub mod dockerfile;
pub mod model;
pub mod policy;
pub mod scanner;
pub mod terraform;
pub mod yaml;
