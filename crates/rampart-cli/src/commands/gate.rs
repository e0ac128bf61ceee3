use std::path::{Path, PathBuf};

use rampart_core::config::Config;
use rampart_core::report::Gate;
use rampart_core::severity::FailOn;
use rampart_core::Report;
use rampart_policy::gate::GatePolicy;

use crate::cli::GateArgs;
use crate::{Failure, Outcome};

/// The largest report `rampart gate` reads.
const MAX_REPORT: u64 = 1 << 30;

/// A saved JSON report, read with a size limit and a clear error for anything else.
pub fn read_report(path: &Path) -> Result<Report, Failure> {
    let name = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| Failure::Usage(format!("{name}: {e}")))?
        .len();
    if size > MAX_REPORT {
        return Err(Failure::Usage(format!(
            "{name}: larger than {MAX_REPORT} bytes"
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| Failure::Usage(format!("{name}: {e}")))?;
    serde_json::from_str(&text).map_err(|e| {
        Failure::Usage(format!(
            "{name}: not a rampart JSON report (`rampart scan --format json`): {e}"
        ))
    })
}

/// `rampart gate REPORT`: the gate decided again on a saved report.
pub fn run(args: &GateArgs) -> Outcome {
    let report = read_report(&args.report)?;
    let config_file = match &args.config {
        Some(f) => Some(f.clone()),
        None => Config::discover(Path::new(".")),
    };
    let config = match &config_file {
        Some(f) => Config::load(f).map_err(|e| Failure::Usage(e.to_string()))?,
        None => Config::default(),
    };
    let policies: Vec<PathBuf> = if args.gate_policies.is_empty() {
        config.gate.policy.clone()
    } else {
        args.gate_policies.clone()
    };
    let fail_on = match &args.fail_on {
        Some(s) => s
            .parse::<FailOn>()
            .map_err(|e| Failure::Usage(format!("--fail-on: {e}")))?,
        None if !policies.is_empty() => FailOn::None,
        None => report.gate.fail_on,
    };
    let mut gate = Gate::decide(fail_on, &report.findings);
    if !policies.is_empty() {
        let policy = GatePolicy::load(&policies)
            .map_err(|e| Failure::Usage(format!("--gate-policy: {e}")))?;
        gate = gate.with_policy(decide(&policy, &report));
    }
    match args.format.as_str() {
        "json" => outln!(
            "{}",
            serde_json::to_string_pretty(&gate).map_err(|e| Failure::Runtime(e.to_string()))?
        ),
        "table" => print_gate(&gate),
        other => {
            return Err(Failure::Usage(format!(
                "--format {other}: expected table or json"
            )))
        }
    }
    if gate.passed {
        Ok(())
    } else {
        Err(Failure::Gate)
    }
}

/// The policy's decision on a report, in a process that ends soon after: the input, a tree of
/// hundreds of thousands of small values for a large report, is left for the exit to reclaim
/// instead of being freed value by value.
pub fn decide(policy: &GatePolicy, report: &Report) -> rampart_core::report::PolicyDecision {
    let input = rampart_policy::input::gate_input(report);
    let decision = policy.decide_on(&input);
    std::mem::forget(input);
    decision
}

fn print_gate(gate: &Gate) {
    let verdict = if gate.passed { "passed" } else { "FAILED" };
    match gate.fail_on {
        FailOn::None => outln!("gate {verdict}"),
        FailOn::Severity(t) => outln!(
            "gate {verdict}: {} finding(s) at or above {t}",
            gate.failing_findings
        ),
    }
    if let Some(p) = &gate.policy {
        outln!("policy {} ({})", p.digest, p.files.join(", "));
        for d in &p.denies {
            outln!("  deny  {}: {}", d.rule, d.message);
            for f in &d.findings {
                outln!("        finding {f}");
            }
        }
        for w in &p.warnings {
            outln!("  warn  {}: {}", w.rule, w.message);
        }
        for e in &p.errors {
            outln!("  error (fails the gate) {e}");
        }
    }
}

/// `rampart policy test DIR...`: every `test_` rule, as `opa test` runs them.
pub fn test(dirs: &[PathBuf]) -> Outcome {
    let results = rampart_policy::testing::run(dirs).map_err(|e| Failure::Usage(e.to_string()))?;
    if results.is_empty() {
        return Err(Failure::Usage(
            "no tests: a test is a rule whose name starts with `test_`".into(),
        ));
    }
    for r in &results {
        match &r.failure {
            None => outln!("PASS {}", r.name),
            Some(why) => outln!("FAIL {}: {why}", r.name),
        }
    }
    let failed = results.iter().filter(|r| !r.passed).count();
    outln!(
        "{}: {} passed, {failed} failed",
        if failed == 0 { "PASS" } else { "FAIL" },
        results.len() - failed
    );
    if failed == 0 {
        Ok(())
    } else {
        Err(Failure::Gate)
    }
}
