# Critical vulnerabilities block only when a fixed version exists: there is something to do.
# Unfixable ones are shown as warnings.
package rampart.gate.fixable_criticals

import rego.v1

# The open critical vulnerabilities, found in one pass over the findings for both rules.
critical := [f |
	some f in input.findings
	f.vulnerability
	f.severity == "critical"
	not f.accepted
]

deny contains {"msg": msg, "findings": [f.fingerprint]} if {
	some f in critical
	f.fixable
	msg := sprintf("%s %s: %s, fixed in %s", [f.vulnerability["package"], f.vulnerability.version, concat("/", f.vulnerability.ids), f.vulnerability.fixed])
}

warn contains msg if {
	some f in critical
	not f.fixable
	msg := sprintf("%s %s: %s has no fix yet", [f.vulnerability["package"], f.vulnerability.version, concat("/", f.vulnerability.ids)])
}
