//! Secret detection. Rules are data (`rules/*.toml`, embedded at build time, plus any rule files
//! a user adds); the engine is code: an Aho-Corasick pass over each blob finds the keywords that
//! every rule declares, and only the rules whose keywords appear run their regex. Matches are
//! then checked for entropy and stop-words. Base64 blobs are decoded once and scanned too.

mod encoded;
mod entropy;
mod rules;
mod scanner;

pub use entropy::shannon_entropy;
pub use rules::{load_rule_file, Rule, RuleError, RuleSpec};
pub use scanner::{SecretsOptions, SecretsScanner};

/// Taxonomy given to secret rules that do not name their own.
pub fn default_taxonomy() -> rampart_core::Taxonomy {
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    rampart_core::Taxonomy {
        cwe: v(&["CWE-798"]),
        owasp: v(&["A07:2021"]),
        nist_800_53: v(&["IA-5(7)", "SC-28"]),
        cis: v(&["CIS-Controls-v8-16.1"]),
        // A credential in the open is authentication information mishandled (A.5.17), stored
        // readable (PCI DSS 8.3.2) and hard-coded (8.6.2). Rules for private keys also name
        // cryptography (A.8.24) in their own taxonomy.
        iso_27001: v(&["A.5.17"]),
        pci_dss: v(&["8.3.2", "8.6.2"]),
        hipaa: v(&["164.312(a)(1)", "164.312(d)"]),
    }
}
