//! The report as JSON, the format that `rampart gate` and other tools read back. Its shape is
//! documented by `schema/report.schema.json`.

use rampart_core::Report;

pub fn render(report: &Report) -> String {
    pretty(report, "report")
}

/// Pretty JSON with a final newline, for the report and the other documents rendered from it.
pub(crate) fn pretty(value: &impl serde::Serialize, what: &str) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(mut json) => {
            json.push('\n');
            json
        }
        // Unreachable for the report's types (no maps with non-string keys), but an error
        // object is still valid JSON for whoever reads it.
        Err(e) => format!(
            "{{\"error\": {}}}\n",
            serde_json::Value::String(format!("cannot serialise the {what}: {e}"))
        ),
    }
}
