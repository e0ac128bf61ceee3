#!/usr/bin/env python3
"""Compares rampart's IaC findings with a peer tool's on the same files and writes the results.

Each comparison (a run recorded by bench/iac.sh in runs.json) names the peer (Checkov, zizmor or
hadolint), the corpus, both tools' JSON output and timings. Findings are matched where both
tools have the check: a rampart check whose `peers` (crates/rampart-iac/checks/**/*.toml) names
the peer's id, in the same file, with rampart's line inside the lines the peer gives (Checkov:
the resource; zizmor: the locations of the finding; hadolint: the instruction). Each is
counted as agreed, rampart only, or peer only.

usage: iac_report.py --runs RUNS.json [--notes NOTES.json] --out OUT.md
"""

import argparse
import json
import os
import re
import statistics
import tomllib
from pathlib import Path

# rampart document kinds as Checkov names its frameworks.
FRAMEWORK = {"terraform": "terraform", "terraform-plan": "terraform_plan", "kubernetes": "kubernetes",
             "dockerfile": "dockerfile", "cloudformation": "cloudformation",
             "github-workflow": "github_actions", "github-action": "github_actions"}
WORKFLOW_KINDS = {"github-workflow", "github-action"}
HADOLINT = re.compile(r"^(DL|SC)\d{4}$")


def checks(checks_dir):
    """Every rampart check: (id, peers, kinds)."""
    for f in sorted(Path(checks_dir).rglob("*.toml")):
        for c in tomllib.loads(f.read_text()).get("check", []):
            yield c["id"], c.get("peers", []), set(c.get("kinds", []))


def peer_ids(tool, peers, kinds):
    """The ids of `tool` that name the same check, and the scopes they apply to."""
    if tool == "checkov":
        return [p for p in peers if p.startswith("CKV")], {FRAMEWORK.get(k, k) for k in kinds}
    if tool == "zizmor":
        ok = kinds & WORKFLOW_KINDS and [p for p in peers if re.fullmatch(r"[a-z]+(-[a-z]+)*", p)]
        return (ok or []), {None}
    if tool == "hadolint":
        return [p for p in peers if HADOLINT.match(p)] if "dockerfile" in kinds else [], {None}
    raise ValueError(tool)


def rel(path, corpus):
    p = os.path.normpath(path).lstrip("/")
    c = os.path.normpath(corpus).strip("/") + "/"
    return p[len(c):] if p.startswith(c) else p


THROUGH = re.compile(r"\(in (\S+):(\d+), through this module call\)")


def rampart_findings(path, corpus):
    """(rule, file, line); a module instance reported at its call is placed where the module
    writes the value (which is where peers report it)."""
    out = []
    for f in json.load(open(path))["findings"]:
        p, line = f["locations"][0]["path"], f["locations"][0]["line"]
        m = THROUGH.search(f["message"])
        if m:
            p = os.path.normpath(os.path.join(os.path.dirname(p), m.group(1)))
            line = int(m.group(2))
        out.append((f["rule_id"], rel(p, corpus), line))
    return out


def peer_findings(tool, path, corpus):
    """(peer id, scope, file, first line, last line, label)."""
    data = json.load(open(path))
    out = []
    if tool == "checkov":
        for rep in data if isinstance(data, list) else [data]:
            for f in rep["results"]["failed_checks"]:
                a, b = f["file_line_range"]
                out.append((f["check_id"], rep["check_type"], rel(f["file_path"], corpus), a, b, f["resource"]))
    elif tool == "zizmor":
        for f in data:
            locs = [l["concrete"]["location"] for l in f["locations"]]
            files = {l["symbolic"]["key"]["Local"]["verbatim_path"] for l in f["locations"]}
            for file in files:
                rows = [r for l, loc in zip(f["locations"], locs)
                        if l["symbolic"]["key"]["Local"]["verbatim_path"] == file
                        for r in (loc["start_point"]["row"], loc["end_point"]["row"])]
                out.append((f["ident"], None, rel(file, corpus), min(rows) + 1, max(rows) + 1, f["desc"]))
    elif tool == "hadolint":
        for f in data:
            out.append((f["code"], None, rel(f["file"], corpus), f["line"], f["line"], f["message"][:60]))
    return out


def compare(tool, mine, theirs, checks_dir):
    """Rows of agreement. rampart checks that share a peer id (one peer check split in two, or
    two peer checks folded into one) are compared as one group, so that a finding counts once."""
    mapped = []
    for rule, peers, kinds in checks(checks_dir):
        ids, scopes = peer_ids(tool, peers, kinds)
        if ids:
            mapped.append((rule, set(ids), scopes))
    # Groups: connected by shared peer ids.
    groups = []
    for rule, ids, scopes in mapped:
        joined = [g for g in groups if g[1] & ids]
        rules, all_ids, all_scopes = [rule], set(ids), set(scopes)
        for g in joined:
            rules += g[0]
            all_ids |= g[1]
            all_scopes |= g[2]
            groups.remove(g)
        groups.append((rules, all_ids, all_scopes))
    rows = []
    for rules, ids, scopes in sorted(groups, key=lambda g: sorted(g[0])):
        m = [x for x in mine if x[0] in rules]
        # One peer finding per place, however many of the peer ids fired on it.
        t = sorted({(x[2], x[3], x[4], x[5]) for x in theirs if x[0] in ids and x[1] in scopes})
        label = " + ".join(f"`{r}`" for r in sorted(rules))
        peer = "/".join(sorted(ids))
        if not m and not t:
            rows.append((label, peer, 0, 0, 0, []))
            continue
        matched, agreed, mine_only, mine_examples = set(), 0, 0, []
        for _, path, line in m:
            hits = [k for k, x in enumerate(t) if x[0] == path and x[1] - 1 <= line <= x[2] + 1]
            if hits:
                matched.update(hits)
                agreed += 1
            else:
                mine_only += 1
                mine_examples.append(f"rampart {path}:{line}")
        theirs_examples = [f"{x[0]}:{x[1]}" for k, x in enumerate(t) if k not in matched]
        rows.append((label, peer, agreed, mine_only, len(t) - len(matched),
                     (mine_examples[:2] + theirs_examples[:2])))
    return rows


NAMES = {"checkov": "Checkov", "zizmor": "zizmor", "hadolint": "hadolint"}


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--runs", required=True)
    a.add_argument("--checks", default="crates/rampart-iac/checks")
    a.add_argument("--notes", help="JSON: for each corpus label, why the tools differ")
    a.add_argument("--out", required=True)
    args = a.parse_args()
    meta = json.load(open(args.runs))
    explanations = json.load(open(args.notes)) if args.notes else {}

    summary, sections = [], []
    for run in meta["runs"]:
        tool, peer = run["tool"], NAMES[run["tool"]]
        mine = rampart_findings(run["rampart_json"], run["corpus_dir"])
        theirs = peer_findings(tool, run["peer_json"], run["corpus_dir"])
        rows = compare(tool, mine, theirs, args.checks)
        rt, pt = statistics.median(run["rampart_times"]), statistics.median(run["peer_times"])
        totals = [sum(r[i] for r in rows) for i in (2, 3, 4)]
        summary.append(f"| {run['label']} | {peer} | **{pt / rt:,.0f}x** ({rt:.2f} s vs {pt:.2f} s) "
                       f"| {totals[0]:,} | {totals[1]:,} | {totals[2]:,} |")
        w = [f"## {run['label']}: rampart vs {peer}", ""]
        w.append(f"- Corpus: {run['corpus']}")
        w.append(f"- rampart: `{run['rampart_cmd']}`, median of {len(run['rampart_times'])} runs after one untimed run ({', '.join(f'{x:.2f}' for x in run['rampart_times'])} s)")
        w.append(f"- {peer} `{run['peer_version']}`: `{run['peer_cmd']}`, {len(run['peer_times'])} run(s) ({', '.join(f'{x:.2f}' for x in run['peer_times'])} s)")
        w.append(f"- Findings: rampart {len(mine):,} (all checks), {peer} {len(theirs):,} (all checks, {len(set(x[0] for x in theirs))} distinct ids)")
        w.append("")
        w.append(f"| rampart check | {peer} | agreed | rampart only | {peer} only | examples of differences |")
        w.append("| --- | --- | ---: | ---: | ---: | --- |")
        for rule, ids, ag, mo, to, ex in rows:
            if ag or mo or to:
                w.append(f"| {rule} | {ids} | {ag:,} | {mo:,} | {to:,} | {'; '.join(ex)} |")
        quiet = [r[0] for r in rows if not (r[2] or r[3] or r[4])]
        if quiet:
            w.append("")
            w.append(f"Checks both tools have that neither reported here: {', '.join(quiet)}.")
        notes = explanations.get(run["label"], [])
        if notes:
            w += ["", "Where they differ, and why:", ""] + [f"- {n}" for n in notes]
        sections.append("\n".join(w))

    w = ["# IaC scanning: rampart vs Checkov, zizmor and hadolint", ""]
    w.append(f"Generated by `bash bench/iac.sh` on {meta['date']} ({meta['machine']}; rampart `{meta['rampart_version']}`). "
             "The machines are noisy: quote the ratios, not the seconds. Targets: at least 50x faster than Checkov on "
             "the same files, and findings that agree where both tools have the check.")
    w.append("")
    w.append("| corpus | peer | speed-up (wall time, medians) | agreed | rampart only | peer only |")
    w.append("| --- | --- | --- | ---: | ---: | ---: |")
    w += summary
    w.append("")
    w.append("\n\n".join(sections))
    w.append("")
    Path(args.out).write_text("\n".join(w) + "\n")
    print("\n".join(w[:4 + len(summary) + 2]))


if __name__ == "__main__":
    main()
