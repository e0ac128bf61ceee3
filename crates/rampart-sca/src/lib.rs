//! Software composition analysis: which packages a project uses and which of their versions
//! are known to be vulnerable. [`ecosystem`] orders versions the way each package ecosystem
//! does, which every range check against an advisory depends on; [`osv`] reads OSV advisories
//! and decides whether a package version is affected.

pub mod cvss;
pub mod ecosystem;
pub mod intel;
pub mod lockfile;
pub mod osv;
pub mod purl;
pub mod sbom;
pub mod scanner;
pub mod vex;
pub mod vulndb;
