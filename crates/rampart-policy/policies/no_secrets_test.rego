package rampart.gate.no_secrets_test

import data.rampart.gate.no_secrets as policy
import rego.v1

secret(accepted) := {
	"rule_id": "secret.github-pat",
	"scanner": "secrets",
	"title": "GitHub personal access token",
	"fingerprint": "fp2",
	"accepted": accepted,
	"locations": [{"path": "ci/deploy.sh", "line": 4}],
}

test_a_secret_is_denied if {
	some d in policy.deny with input as {"findings": [secret(false)]}
	d.msg == "secret in the code: GitHub personal access token (secret.github-pat) at ci/deploy.sh:4"
	d.findings == ["fp2"]
}

test_even_an_accepted_secret_is_denied if {
	count(policy.deny) == 1 with input as {"findings": [secret(true)]}
}

test_other_findings_pass if {
	count(policy.deny) == 0 with input as {"findings": [{"scanner": "iac", "rule_id": "iac.k8s.host-pid", "accepted": false}]}
}
