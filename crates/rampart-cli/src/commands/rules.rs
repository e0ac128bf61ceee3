use rampart_core::RuleMeta;
use rampart_secrets::{SecretsOptions, SecretsScanner};

use crate::cli::ListFormat;
use crate::{Failure, Outcome};

/// Every built-in rule of every scanner, sorted by id.
pub fn builtin_rules() -> Result<Vec<RuleMeta>, Failure> {
    let secrets = SecretsScanner::new(&SecretsOptions::default())
        .map_err(|e| Failure::Runtime(e.to_string()))?;
    let mut rules: Vec<RuleMeta> = rampart_core::Scanner::rules(&secrets).to_vec();
    rules.push(rampart_sca::scanner::rule());
    let iac =
        rampart_iac::scanner::IacScanner::new().map_err(|e| Failure::Runtime(e.to_string()))?;
    rules.extend(rampart_core::Scanner::rules(&iac).iter().cloned());
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rules)
}

pub fn list(format: ListFormat) -> Outcome {
    let rules = builtin_rules()?;
    match format {
        ListFormat::Json => {
            let text = serde_json::to_string_pretty(&rules)
                .map_err(|e| Failure::Runtime(e.to_string()))?;
            outln!("{text}");
        }
        ListFormat::Table => {
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in &rules {
                outln!(
                    "{:<width$}  {:<8}  {:<6}  {}",
                    r.id,
                    r.severity,
                    r.confidence,
                    r.title
                );
            }
            outln!(
                "\n{} rules. `rampart rules explain ID` shows one in full.",
                rules.len()
            );
        }
    }
    Ok(())
}

pub fn explain(id: &str) -> Outcome {
    let rules = builtin_rules()?;
    let Some(rule) = rules.iter().find(|r| r.id == id) else {
        let close: Vec<&str> = rules
            .iter()
            .map(|r| r.id.as_str())
            .filter(|r| r.contains(id.trim_start_matches("secret.")))
            .take(5)
            .collect();
        let hint = if close.is_empty() {
            "`rampart rules list` shows every rule".to_string()
        } else {
            format!("did you mean: {}?", close.join(", "))
        };
        return Err(Failure::Usage(format!("no rule `{id}`; {hint}")));
    };
    outln!(
        "{}\n{}\n",
        rule.title,
        "=".repeat(rule.title.chars().count())
    );
    outln!("id:         {}", rule.id);
    outln!("scanner:    {}", rule.scanner);
    outln!("severity:   {}", rule.severity);
    outln!("confidence: {}", rule.confidence);
    outln!("\nWhy it matters\n--------------\n{}\n", rule.description);
    outln!("How to fix it\n-------------\n{}\n", rule.remediation);
    if !rule.taxonomy.is_empty() {
        outln!("Maps to\n-------");
        for (framework, id) in rule.taxonomy.entries() {
            outln!("{framework:<12}{id}");
        }
        outln!();
    }
    if !rule.references.is_empty() {
        outln!("References\n----------");
        for r in &rule.references {
            outln!("{r}");
        }
    }
    Ok(())
}
