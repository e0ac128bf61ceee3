pub mod attest;
pub mod baseline;
pub mod db;
pub mod exception;
pub mod gate;
pub mod rules;
pub mod sbom;
pub mod scan;
