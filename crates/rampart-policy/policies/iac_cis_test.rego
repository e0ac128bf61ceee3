package rampart.gate.iac_cis_test

import data.rampart.gate.iac_cis as policy
import rego.v1

# The report lists each rule once with its taxonomy; findings name their rule by id.
report(cis, accepted) := {
	"rules": [{"id": "iac.aws.s3-public-acl", "taxonomy": {"cis": cis}}],
	"findings": [f(cis, accepted)],
}

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
	some d in policy.deny with input as report(["CIS-AWS-2.1.4"], false)
	d.msg == "iac.aws.s3-public-acl fails CIS-AWS-2.1.4: bucket grants public-read at main.tf:3"
}

test_without_cis_mapping_passes if {
	count(policy.deny) == 0 with input as report([], false)
}

test_cis_controls_alone_pass if {
	count(policy.deny) == 0 with input as report(["CIS-Controls-v8-4.1"], false)
}

test_accepted_passes if {
	count(policy.deny) == 0 with input as report(["CIS-AWS-2.1.4"], true)
}
