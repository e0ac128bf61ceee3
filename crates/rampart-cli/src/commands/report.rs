//! `rampart report compliance`: a scan judged against a framework's controls.

use std::path::Path;

use clap::Parser;
use rampart_core::compliance::{assess, Framework};
use rampart_report::compliance::{render_compliance, ComplianceFormat, ComplianceOptions};

use crate::cli::{ComplianceArgs, ScanArgs};
use crate::settings::Settings;
use crate::terminal::use_color;
use crate::{Failure, Outcome};

/// The scan's flags at their defaults, as `rampart scan .` would take them.
#[derive(Parser)]
struct DefaultScan {
    #[command(flatten)]
    args: ScanArgs,
}

pub fn compliance(args: &ComplianceArgs) -> Outcome {
    // Everything the user typed is checked before a scan can start.
    let format: ComplianceFormat = args.format.parse().map_err(Failure::Usage)?;
    let framework = Framework::load(&args.framework)
        .map_err(|e| Failure::Usage(format!("--framework: {e}")))?;
    framework
        .select(args.baseline.as_deref())
        .map_err(|e| Failure::Usage(format!("--baseline: {e}")))?;
    // The rules that could have run: every built-in one for a saved report, those the scan
    // ran otherwise.
    let (report, rules) = match &args.report {
        Some(path) => (
            super::gate::read_report(path)?,
            super::rules::builtin_rules()?,
        ),
        None => {
            let scan = DefaultScan::try_parse_from(["rampart", "."])
                .map_err(|e| Failure::Runtime(e.to_string()))?;
            let settings = Settings::resolve(&scan.args, Vec::new())?;
            super::scan::execute(&settings, None)?
        }
    };
    let assessment = assess(&framework, args.baseline.as_deref(), &report, &rules)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let generated = rampart_git::rfc3339_utc(now);
    let options = ComplianceOptions {
        color: args.output.is_none() && format == ComplianceFormat::Table && use_color(args.color),
        generated: &generated,
    };
    let text = render_compliance(&assessment, format, &options);
    match &args.output {
        Some(file) => write(file, &text)?,
        None => out!("{text}"),
    }
    Ok(())
}

fn write(file: &Path, text: &str) -> Outcome {
    std::fs::write(file, text)
        .map_err(|e| Failure::Runtime(format!("cannot write {}: {e}", file.display())))
}

#[cfg(test)]
mod tests {
    use rampart_core::compliance::Framework;

    /// A rule that names a control its framework's catalog does not hold would test nothing in
    /// any report: a typo, or an id from another edition.
    #[test]
    fn every_control_a_built_in_rule_names_is_in_its_catalog() {
        let Ok(rules) = super::super::rules::builtin_rules() else {
            panic!("the built-in rules load");
        };
        let mut unknown = Vec::new();
        for fw in Framework::all().unwrap() {
            for (rule, id) in fw.unknown_ids(&rules) {
                unknown.push(format!("{rule}: {id} is not in {}", fw.id));
            }
        }
        assert!(unknown.is_empty(), "{}", unknown.join("\n"));
    }
}
