# Infrastructure as code must pass the CIS benchmarks: any IaC finding whose check maps to a
# CIS benchmark recommendation (AWS, Azure, Google Cloud, GKE, Kubernetes, Docker) fails, unless
# accepted. Mappings to the CIS Controls alone (`CIS-Controls-*`) do not count.
package rampart.gate.iac_cis

import rego.v1

# The benchmark recommendations of each rule that has some, worked out once per rule rather
# than once per finding.
benchmarks[rule.id] := concat(", ", ids) if {
	some rule in input.rules
	ids := [c | some c in rule.taxonomy.cis; not startswith(c, "CIS-Controls")]
	count(ids) > 0
}

deny contains {"msg": msg, "findings": [f.fingerprint]} if {
	some f in input.findings
	f.scanner == "iac"
	not f.accepted
	controls := benchmarks[f.rule_id]
	msg := sprintf("%s fails %s: %s at %s:%d", [f.rule_id, controls, f.message, f.locations[0].path, f.locations[0].line])
}
