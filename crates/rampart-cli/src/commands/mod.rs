pub mod baseline;
pub mod db;
pub mod rules;
pub mod sbom;
pub mod scan;
