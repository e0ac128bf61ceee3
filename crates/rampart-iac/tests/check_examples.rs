//! Every built-in check's examples: each failing example must be reported (at its line, when
//! the example names one), each passing example must not, and every check must have both.

use rampart_iac::model::Document;
use rampart_iac::scanner::{load_documents, terraform_in_file, IacScanner};

/// An example's documents: Terraform is loaded as a module directory of its own, written to
/// a temporary directory; everything else from its text.
fn load_example(file: &str, text: &str) -> (Vec<Document>, Vec<(u32, String)>) {
    if !file.ends_with(".tf") {
        return load_documents(file, text);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(file);
    std::fs::write(&path, text).expect("write");
    let module = rampart_iac::terraform::load_module(
        dir.path(),
        &|p: &std::path::Path| std::fs::read_to_string(p).ok(),
        &Default::default(),
    );
    terraform_in_file(&module, &path)
}

#[test]
fn every_check_has_passing_and_failing_examples_that_hold() {
    let scanner = IacScanner::new().expect("the built-in checks load");
    let mut problems = Vec::new();
    let mut examples = 0;
    for check in scanner.checks() {
        let fails = check.examples.iter().filter(|e| e.fails).count();
        let passes = check.examples.len() - fails;
        if fails == 0 || passes == 0 {
            problems.push(format!(
                "{}: needs failing and passing examples",
                check.meta.id
            ));
        }
        for (i, example) in check.examples.iter().enumerate() {
            examples += 1;
            let (docs, load_problems) = load_example(&example.file, &example.text);
            if docs.is_empty() {
                problems.push(format!(
                    "{} example {i}: {} loads no document ({load_problems:?})",
                    check.meta.id, example.file
                ));
                continue;
            }
            let mut hits = Vec::new();
            for doc in docs.iter().filter(|d| check.kinds.contains(&d.kind)) {
                check.run(doc, &mut hits);
            }
            match (example.fails, hits.is_empty()) {
                (true, true) => {
                    problems.push(format!("{} example {i}: not reported", check.meta.id))
                }
                (false, false) => problems.push(format!(
                    "{} example {i}: reported on a passing example: {:?}",
                    check.meta.id,
                    hits.iter()
                        .map(|h| (&h.message, h.span.line))
                        .collect::<Vec<_>>()
                )),
                (true, false) => {
                    if let Some(line) = example.line {
                        if !hits.iter().any(|h| h.span.line == line) {
                            problems.push(format!(
                                "{} example {i}: expected line {line}, got {:?}",
                                check.meta.id,
                                hits.iter().map(|h| h.span.line).collect::<Vec<_>>()
                            ));
                        }
                    }
                }
                (false, true) => {}
            }
        }
    }
    assert!(examples >= 2 * scanner.checks().len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_check_is_documented_with_its_controls() {
    let scanner = IacScanner::new().expect("the built-in checks load");
    for check in scanner.checks() {
        let m = &check.meta;
        assert!(m.id.starts_with("iac."), "{}", m.id);
        assert!(
            m.description.len() > 40 && m.remediation.len() > 20,
            "{}",
            m.id
        );
        assert!(!m.taxonomy.cwe.is_empty(), "{}: no CWE", m.id);
        assert!(
            !m.taxonomy.nist_800_53.is_empty(),
            "{}: no NIST 800-53 control",
            m.id
        );
        assert!(!m.references.is_empty(), "{}: no reference", m.id);
    }
}
