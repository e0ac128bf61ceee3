//! The report as gate policies read it, built straight into the policy engine's values.
//!
//! The input is the JSON report (`rampart schema report`) with locations reduced to path, line,
//! column and commit (byte offsets and snippets are never decided on, and are most of a large
//! report's size), each finding also carrying what a policy usually asks about it:
//!
//! - `rule`: the rule's id, scanner, title, severity and taxonomy (CWE and control ids); its
//!   prose is in the report's `rules`, once;
//! - `fixable`: a fixed version exists;
//! - `known_exploited`: in CISA KEV;
//! - `accepted`: an exception or VEX statement covers it;
//! - `new`: not in the baseline (a baseline removes the findings it holds before the gate).
//!
//! Building the values directly, rather than writing JSON and parsing it back, lets every
//! finding share one value per rule, per path and per key: a report of ten thousand findings
//! becomes a few hundred thousand shared nodes instead of millions of fresh ones.

use std::collections::{BTreeMap, HashMap};

use rampart_core::{Finding, Report, RuleMeta};
use regorus::Value;
use serde::Serialize;

/// Below this many findings a second thread costs more than it saves.
const PARALLEL_CHUNK: usize = 2_000;

/// Any serializable part of the report, as a value (`null` if it cannot be represented).
fn value_of(part: &impl Serialize) -> Value {
    serde_json::to_value(part)
        .map(Value::from)
        .unwrap_or(Value::Null)
}

/// Strings that repeat across findings, each made into a value once.
#[derive(Default)]
struct Interner<'r> {
    strings: HashMap<&'r str, Value>,
}

impl<'r> Interner<'r> {
    fn get(&mut self, s: &'r str) -> Value {
        self.strings
            .entry(s)
            .or_insert_with(|| Value::from(s))
            .clone()
    }
}

/// An object under construction whose keys come from the interner.
struct Object<'i, 'r> {
    keys: &'i mut Interner<'r>,
    map: BTreeMap<Value, Value>,
}

impl<'i, 'r> Object<'i, 'r> {
    fn new(keys: &'i mut Interner<'r>) -> Self {
        Object {
            keys,
            map: BTreeMap::new(),
        }
    }

    fn set(&mut self, key: &'static str, value: Value) -> &mut Self {
        let key = self.keys.get(key);
        self.map.insert(key, value);
        self
    }

    fn string(&mut self, key: &'static str, value: &'r str) -> &mut Self {
        let value = self.keys.get(value);
        self.set(key, value)
    }

    fn optional(&mut self, key: &'static str, part: Option<&impl Serialize>) -> &mut Self {
        match part {
            Some(part) => self.set(key, value_of(part)),
            None => self,
        }
    }

    fn done(self) -> Value {
        Value::from(self.map)
    }
}

/// The input of a gate policy over a report.
pub fn gate_input(report: &Report) -> Value {
    let mut strings = Interner::default();
    let mut facts: HashMap<&str, Value> = HashMap::new();
    for rule in &report.rules {
        let value = rule_facts(rule, &mut strings);
        facts.entry(rule.id.as_str()).or_insert(value);
    }
    // Findings are built in parallel, a chunk per core, each chunk with its own interner.
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1);
    let chunk = report.findings.len().div_ceil(threads).max(PARALLEL_CHUNK);
    let findings: Vec<Value> = std::thread::scope(|scope| {
        let facts = &facts;
        let workers: Vec<_> = report
            .findings
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut strings = Interner::default();
                    part.iter()
                        .map(|f| finding(f, facts, &mut strings))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(values) => values,
                // Never a partial input: a gate must not pass on findings it did not see.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });

    let mut top = Object::new(&mut strings);
    top.string("schema_version", &report.schema_version)
        .set("tool", value_of(&report.tool))
        .string("target", &report.target)
        .set("scanners", value_of(&report.scanners))
        .set("findings", Value::from(findings))
        .set("diagnostics", value_of(&report.diagnostics))
        .set("stats", value_of(&report.stats))
        .set("rules", value_of(&report.rules))
        .set("exceptions", value_of(&report.exceptions))
        .set("gate", value_of(&report.gate));
    top.done()
}

/// What a policy asks of a finding's rule.
fn rule_facts<'r>(rule: &'r RuleMeta, strings: &mut Interner<'r>) -> Value {
    let mut o = Object::new(strings);
    o.string("id", &rule.id)
        .string("scanner", &rule.scanner)
        .string("title", &rule.title)
        .string("severity", rule.severity.as_str())
        .set("taxonomy", value_of(&rule.taxonomy));
    o.done()
}

fn finding<'r>(f: &'r Finding, facts: &HashMap<&str, Value>, strings: &mut Interner<'r>) -> Value {
    let locations: Vec<Value> = f
        .locations
        .iter()
        .map(|l| {
            let mut o = Object::new(strings);
            o.string("path", &l.path)
                .set("line", Value::from(l.line))
                .set("column", Value::from(l.column))
                .optional("commit", l.commit.as_ref());
            o.done()
        })
        .collect();
    let v = f.vulnerability.as_ref();
    let mut o = Object::new(strings);
    o.string("rule_id", &f.rule_id)
        .string("scanner", &f.scanner)
        .string("title", &f.title)
        .string("severity", f.severity.as_str())
        .string("confidence", f.confidence.as_str())
        .set("message", Value::from(f.message.as_str()))
        .set("fingerprint", Value::from(f.fingerprint.to_string()))
        .set("locations", Value::from(locations))
        .optional("vulnerability", f.vulnerability.as_ref())
        .optional("priority", f.priority.as_ref())
        .optional("suppressed", f.suppressed.as_ref())
        .set(
            "rule",
            facts
                .get(f.rule_id.as_str())
                .cloned()
                .unwrap_or(Value::Null),
        )
        .set("fixable", Value::from(v.is_some_and(|v| v.fixed.is_some())))
        .set(
            "known_exploited",
            Value::from(v.is_some_and(|v| v.kev.is_some())),
        )
        .set("accepted", Value::from(f.suppressed.is_some()))
        .set("new", Value::from(true));
    if let Some(secret) = &f.secret {
        o.set("secret", Value::from(secret.as_str()));
    }
    o.done()
}
