#!/usr/bin/env python3
"""Fetches the public IaC corpora of the benchmark, pinned by version and digest from PyPI, and
lays them out for the tools to read. Downloads are cached in bench/work/downloads.

- CloudFormation: the template fixtures of cfn-lint's source distribution (good, bad,
  quickstart and public templates: hand-written by many contributors, real services).
- GitHub Actions: the workflows and composite actions zizmor's source distribution tests its
  audits on. Each workflow is placed under `<name>/.github/workflows/`, where both tools look
  for workflows.

usage: iac_corpora.py OUT_DIR      (prints a one-line summary)
"""

import hashlib
import re
import sys
import tarfile
import urllib.request
from pathlib import Path

PINNED = {
    # name: (version, sdist file name, sha256 from the PyPI index)
    "cfn-lint": ("1.9.7", "cfn_lint-1.9.7.tar.gz",
                 "c9a460ad39b9a4aab1d54827ff8a88d878a585a522b73845d05be79fd2b0a988"),
    "zizmor": ("1.32.0", "zizmor-1.32.0.tar.gz",
               "f0b664d394576e08605fe8094e8e992056d74b808f30c0c9ca9ed227001dcf67"),
}
INDEX = "https://pypi.org/simple"
# Templates on which Checkov 3.2.533 stops the whole run (a resource whose `Type` is an
# intrinsic function: "unhashable type: 'dict'"). They are set aside, so that both tools read
# the same files, in `cloudformation-set-aside/`.
CHECKOV_STOPS_ON = {"bad/resources/primary_identifiers.yaml"}
DOWNLOADS = Path("bench/work/downloads")


def fetch(name):
    version, filename, digest = PINNED[name]
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    path = DOWNLOADS / filename
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        page = urllib.request.urlopen(f"{INDEX}/{name}/", timeout=60).read().decode()
        m = re.search(r'href="([^"]*/' + re.escape(filename) + r')#sha256=([0-9a-f]+)"', page)
        if not m:
            sys.exit(f"{filename} is not in the index of {name}")
        data = urllib.request.urlopen(m.group(1), timeout=300).read()
        if hashlib.sha256(data).hexdigest() != digest:
            sys.exit(f"{filename}: digest mismatch")
        path.write_bytes(data)
    return tarfile.open(path), version


def members(tar, prefix, suffixes):
    for m in tar.getmembers():
        if m.isfile() and m.name.startswith(prefix) and m.name.lower().endswith(suffixes):
            data = tar.extractfile(m)
            if data is not None:
                yield m.name[len(prefix):], data.read()


def main():
    out = Path(sys.argv[1])
    cfn, cfn_version = fetch("cfn-lint")
    n_cfn = 0
    for rel, data in members(cfn, f"cfn_lint-{cfn_version}/test/fixtures/templates/",
                             (".yaml", ".yml", ".json", ".template")):
        dest = out / ("cloudformation-set-aside" if rel in CHECKOV_STOPS_ON else "cloudformation") / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        n_cfn += 1

    zz, zz_version = fetch("zizmor")
    n_wf = n_act = 0
    prefix = f"zizmor-{zz_version}/crates/zizmor/tests/integration/test-data/"
    for rel, data in members(zz, prefix, (".yml", ".yaml")):
        p = Path(rel)
        if p.stem in ("action",):
            dest = out / "workflows" / p
            n_act += 1
        elif "dependabot" in rel or p.name.startswith("zizmor"):
            continue  # not workflows: dependabot and zizmor configuration
        else:
            slug = str(p.with_suffix("")).replace("/", "__")
            dest = out / "workflows" / slug / ".github" / "workflows" / p.name
            n_wf += 1
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    n_cfn -= len(CHECKOV_STOPS_ON)
    print(f"cfn-lint {cfn_version}: {n_cfn} CloudFormation templates ({len(CHECKOV_STOPS_ON)} more set aside); "
          f"zizmor {zz_version}: {n_wf} workflows and {n_act} composite actions")


if __name__ == "__main__":
    main()
