package rampart.gate.iac_cis_test

import data.rampart.gate.iac_cis as policy
import rego.v1

f(cis, accepted) := {
	"rule_id": "iac.aws.s3-public-acl",
	"scanner": "iac",
	"message": "bucket grants public-read",
	"fingerprint": "fp4",
	"accepted": accepted,
	"locations": [{"path": "main.tf", "line": 3}],
	"rule": {"taxonomy": {"cis": cis}},
}

test_a_cis_mapped_finding_is_denied if {
	some d in policy.deny with input as {"findings": [f(["CIS-AWS-2.1.4"], false)]}
	d.msg == "iac.aws.s3-public-acl fails CIS-AWS-2.1.4: bucket grants public-read at main.tf:3"
}

test_without_cis_mapping_passes if {
	count(policy.deny) == 0 with input as {"findings": [f([], false)]}
}

test_cis_controls_alone_pass if {
	count(policy.deny) == 0 with input as {"findings": [f(["CIS-Controls-v8-4.1"], false)]}
}

test_accepted_passes if {
	count(policy.deny) == 0 with input as {"findings": [f(["CIS-AWS-2.1.4"], true)]}
}
