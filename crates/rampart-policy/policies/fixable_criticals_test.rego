package rampart.gate.fixable_criticals_test

import data.rampart.gate.fixable_criticals as policy
import rego.v1

vuln(fixed) := {
	"rule_id": "sca.vulnerable-dependency",
	"severity": "critical",
	"fingerprint": "fp5",
	"accepted": false,
	"fixable": fixed != null,
	"vulnerability": {"package": "log4j-core", "version": "2.14.1", "ids": ["CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q"], "fixed": fixed},
}

test_fixable_critical_is_denied if {
	some d in policy.deny with input as {"findings": [vuln("2.15.0")]}
	d.msg == "log4j-core 2.14.1: CVE-2021-44228/GHSA-jfh8-c2jp-5v3q, fixed in 2.15.0"
}

test_unfixable_critical_warns if {
	count(policy.deny) == 0 with input as {"findings": [vuln(null)]}
	count(policy.warn) == 1 with input as {"findings": [vuln(null)]}
}
