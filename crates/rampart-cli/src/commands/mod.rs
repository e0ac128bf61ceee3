pub mod baseline;
pub mod rules;
pub mod scan;
