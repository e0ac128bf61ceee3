//! Every built-in rule proves itself: its examples match, its negative examples do not, and its
//! documentation is complete. A rule cannot ship untested.

use std::collections::BTreeSet;

use rampart_secrets::{SecretsOptions, SecretsScanner};

fn scanner() -> SecretsScanner {
    SecretsScanner::new(&SecretsOptions::default()).expect("built-in rules compile")
}

#[test]
fn every_rule_matches_its_examples_and_not_its_negative_examples() {
    let s = scanner();
    let mut failures = Vec::new();
    for rule in s.compiled_rules() {
        let id = rule.meta.id.as_str();
        if rule.examples.is_empty() {
            failures.push(format!("{id}: no examples"));
        }
        if rule.negative_examples.is_empty() {
            failures.push(format!("{id}: no negative examples"));
        }
        for ex in &rule.examples {
            if !s.matching_rule_ids(ex.as_bytes()).contains(&id) {
                failures.push(format!("{id}: example does not match: {ex}"));
            }
        }
        for ex in &rule.negative_examples {
            if s.matching_rule_ids(ex.as_bytes()).contains(&id) {
                failures.push(format!("{id}: negative example matches: {ex}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_is_documented_and_ids_are_unique() {
    let s = scanner();
    let mut seen = BTreeSet::new();
    for rule in s.compiled_rules() {
        let m = &rule.meta;
        assert!(seen.insert(m.id.clone()), "duplicate rule id {}", m.id);
        assert!(
            m.id.len() > "secret.".len()
                && m.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'),
            "{}: ids are lowercase slugs",
            m.id
        );
        assert!(!m.title.is_empty(), "{}: title", m.id);
        assert!(
            m.description.len() >= 40,
            "{}: description says too little",
            m.id
        );
        assert!(
            m.remediation.len() >= 40,
            "{}: remediation says too little",
            m.id
        );
        assert!(!m.taxonomy.cwe.is_empty(), "{}: no CWE", m.id);
        for k in &rule.keywords {
            assert!(
                k.len() >= 3,
                "{}: keyword `{k}` is too short to prefilter",
                m.id
            );
        }
    }
}

#[test]
fn the_rule_set_covers_the_providers_leaks_come_from() {
    let s = scanner();
    let n = s.compiled_rules().len();
    assert!(n >= 150, "only {n} built-in rules");
}

#[test]
fn a_provider_token_in_a_generic_assignment_is_reported_once_by_the_provider_rule() {
    let s = scanner();
    let text = b"GITHUB_TOKEN=\"ghp_Zx81qLmN4oPw7RtY2uVb6cDe9fGh3JkA5sT0\"\nAPI_TOKEN=ghp_Zx81qLmN4oPw7RtY2uVb6cDe9fGh3JkA5sT0\n";
    let origin = rampart_core::Origin::File;
    let blob = rampart_core::Blob {
        path: ".env",
        origin: &origin,
        bytes: text,
    };
    let mut found = Vec::new();
    rampart_core::Scanner::scan(&s, &blob, &mut found, &mut Vec::new());
    let ids: Vec<&str> = found.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["secret.github-pat-classic", "secret.github-pat-classic"]
    );
}
