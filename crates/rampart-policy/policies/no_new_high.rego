# No new high or critical finding: with a baseline (`--baseline`), what it holds is left out
# before the gate, so legacy findings do not block while new ones do.
package rampart.gate.no_new_high

import rego.v1

blocking := {"high", "critical"}

# The new findings nobody accepted, found in one pass for both rules.
open_new := [f |
	some f in input.findings
	f.new
	not f.accepted
]

deny contains {"msg": msg, "findings": [f.fingerprint]} if {
	some f in open_new
	f.severity in blocking
	msg := sprintf("new %s finding: %s (%s)", [f.severity, f.message, f.rule_id])
}

warn contains msg if {
	some f in open_new
	f.severity == "medium"
	msg := sprintf("new medium finding: %s (%s)", [f.message, f.rule_id])
}
