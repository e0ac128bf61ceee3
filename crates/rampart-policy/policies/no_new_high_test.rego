package rampart.gate.no_new_high_test

import data.rampart.gate.no_new_high as policy
import rego.v1

f(severity, new) := {"rule_id": "iac.k8s.privileged-container", "message": "privileged", "fingerprint": "fp3", "severity": severity, "new": new, "accepted": false}

test_new_high_is_denied if {
	count(policy.deny) == 1 with input as {"findings": [f("high", true)]}
}

test_old_high_passes if {
	count(policy.deny) == 0 with input as {"findings": [f("high", false)]}
}

test_new_medium_warns if {
	count(policy.deny) == 0 with input as {"findings": [f("medium", true)]}
	count(policy.warn) == 1 with input as {"findings": [f("medium", true)]}
}
