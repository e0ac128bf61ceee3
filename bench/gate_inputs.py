#!/usr/bin/env python3
"""Writes a JSON report with N findings (default 10,000) for the gate benchmark: secrets,
vulnerable dependencies (some fixable, some known exploited, some accepted) and IaC findings
with CIS-mapped rules, in the shape `rampart scan --format json` writes. Deterministic.

usage: gate_inputs.py OUT.json [N]
"""

import json
import random
import sys

SEVERITIES = ["critical", "high", "medium", "low", "info"]


def location(path, line):
    return {"path": path, "line": line, "column": 1, "end_line": line, "end_column": 20,
            "byte_offset": line * 40, "byte_length": 19}


def main():
    out, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    rnd = random.Random(20261122)
    iac_rules = [f"iac.k8s.check-{i}" for i in range(40)]
    findings = []
    for i in range(n):
        kind = i % 3
        sev = rnd.choice(SEVERITIES)
        f = {"scanner": "", "title": "", "severity": sev, "confidence": "high",
             "fingerprint": f"{i:032x}", "message": ""}
        if kind == 0:
            f.update(rule_id="secret.generic-api-key", scanner="secrets", title="Generic API key",
                     message=f"API key in config {i}", secret="abcd*****",
                     locations=[location(f"config/app-{i}.env", 3)])
        elif kind == 1:
            fixed = f"1.{i % 7}.0" if rnd.random() < 0.6 else None
            v = {"package": f"pkg-{i % 500}", "version": "1.0.0", "ecosystem": "npm",
                 "purl": f"pkg:npm/pkg-{i % 500}@1.0.0", "ids": [f"CVE-2025-{10000 + i}"]}
            if fixed:
                v["fixed"] = fixed
            if rnd.random() < 0.05:
                v["kev"] = {"date_added": "2025-01-01", "ransomware": False}
            f.update(rule_id="sca.vulnerable-dependency", scanner="deps",
                     title="Dependency with a known vulnerability",
                     message=f"pkg-{i % 500} 1.0.0 has CVE-2025-{10000 + i}",
                     locations=[location(f"services/s{i % 50}/package-lock.json", 10 + i % 900)],
                     vulnerability=v)
            if rnd.random() < 0.1:
                f["suppressed"] = {"kind": "exception", "reason": "not reachable",
                                   "source": "rampart.toml", "approver": "sec@example.com",
                                   "expires": "2099-01-01"}
        else:
            rule = rnd.choice(iac_rules)
            f.update(rule_id=rule, scanner="iac", title=f"Check {rule}",
                     message=f"Pod p{i}: container `app` fails {rule}",
                     locations=[location(f"deploy/app-{i}.yaml", 12)])
        findings.append(f)
    rules = [{"id": r, "scanner": "iac", "title": f"Check {r}", "severity": "high",
              "confidence": "high", "description": "d", "remediation": "r", "references": [],
              "taxonomy": {"cwe": ["CWE-250"], "cis": [f"CIS-Kubernetes-5.2.{k}"]}}
             for k, r in enumerate(iac_rules)]
    report = {"schema_version": "1.0", "tool": {"name": "rampart", "version": "0.1.0"},
              "target": ".", "scanners": ["secrets", "deps", "iac"], "findings": findings,
              "diagnostics": [],
              "stats": {"files_scanned": n, "bytes_scanned": n * 1000, "skipped_binary": 0,
                        "skipped_too_large": 0, "unreadable": 0, "suppressed_inline": 0,
                        "suppressed_config": 0, "in_baseline": 0},
              "rules": sorted(rules, key=lambda r: r["id"]),
              "gate": {"fail_on": "high", "passed": False, "failing_findings": 0}}
    json.dump(report, open(out, "w"))
    print(f"{n} findings, {len(json.dumps(report)) // 1024} KiB")


if __name__ == "__main__":
    main()
