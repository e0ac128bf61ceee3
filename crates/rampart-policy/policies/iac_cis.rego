# Infrastructure as code must pass the CIS benchmarks: any IaC finding whose check maps to a
# CIS benchmark recommendation (AWS, Azure, Google Cloud, GKE, Kubernetes, Docker) fails, unless
# accepted. Mappings to the CIS Controls alone (`CIS-Controls-*`) do not count.
package rampart.gate.iac_cis

import rego.v1

deny contains {"msg": msg, "findings": [f.fingerprint]} if {
	some f in input.findings
	f.scanner == "iac"
	not f.accepted
	benchmark := [c | some c in object.get(f, ["rule", "taxonomy", "cis"], []); not startswith(c, "CIS-Controls")]
	count(benchmark) > 0
	controls := concat(", ", benchmark)
	msg := sprintf("%s fails %s: %s at %s:%d", [f.rule_id, controls, f.message, f.locations[0].path, f.locations[0].line])
}
