//! Compliance: the catalogs of the frameworks rampart reports against, and a report judged
//! against one of them, control by control.

pub mod assessment;
pub mod framework;

pub use assessment::{assess, AcceptedRef, Assessment, ControlResult, Counts, FindingRef, Status};
pub use framework::{framework_ids, Control, Family, Framework, FrameworkError};
