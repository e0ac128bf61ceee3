# No committed secret, ever: exceptions do not apply, because a committed credential must be
# revoked whatever anyone accepted.
package rampart.gate.no_secrets

import rego.v1

deny contains {"msg": msg, "findings": [f.fingerprint]} if {
	some f in input.findings
	f.scanner == "secrets"
	msg := sprintf("secret in the code: %s (%s) at %s:%d", [f.title, f.rule_id, f.locations[0].path, f.locations[0].line])
}
