pub mod baseline;
pub mod db;
pub mod exception;
pub mod rules;
pub mod sbom;
pub mod scan;
