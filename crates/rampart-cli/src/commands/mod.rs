pub mod baseline;
pub mod db;
pub mod rules;
pub mod scan;
