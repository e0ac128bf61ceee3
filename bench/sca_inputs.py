#!/usr/bin/env python3
"""Inputs of the dependency scanning benchmark (bench/sca.sh), generated from the OSV zips of
the conformance folder so that every machine with the same zips gets byte-identical files:

  cargo-lock    one large Cargo.lock of real crate names and advisory versions
  mixed-repo    a repository of Cargo.lock, requirements*.txt and go.mod files
  advisory-db   the crates.io advisories converted to a RustSec advisory-db checkout

Only the standard library is used, like bench.py.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"
# Changing the generator changes the inputs; the stamps below include this file's hash so a
# stale generated tree is rebuilt rather than silently reused.
SELF_DIGEST = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def log(msg: str) -> None:
    print(f"[sca-inputs] {msg}", file=sys.stderr, flush=True)


def h(*parts: object) -> int:
    """A stable pseudo-random number: Python's hash() is salted per process."""
    return int.from_bytes(hashlib.sha256("\0".join(map(str, parts)).encode()).digest()[:8], "big")


def load_osv(zip_path: Path) -> list[dict]:
    with zipfile.ZipFile(zip_path) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".json"))
        return [json.loads(z.read(n)) for n in names]


def stamp_ok(target: Path, digest: str) -> bool:
    stamp = target.with_name(target.name + ".stamp")
    return target.exists() and stamp.is_file() and stamp.read_text().strip() == digest


def write_stamp(target: Path, digest: str) -> None:
    target.with_name(target.name + ".stamp").write_text(digest + "\n")


def inputs_digest(*paths: Path, extra: str = "") -> str:
    d = hashlib.sha256(SELF_DIGEST.encode())
    for p in paths:
        d.update(hashlib.sha256(p.read_bytes()).hexdigest().encode())
    d.update(extra.encode())
    return d.hexdigest()


# --------------------------------------------------------------------------- versions

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def semver_key(v: str) -> tuple:
    m = SEMVER.match(v)
    if not m:
        return (sys.maxsize, v)
    pre = m.group(4)
    # A release sorts after its pre-releases.
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), pre is None, pre or "")


def events(affected: dict, kind: str) -> list[tuple[str, str]]:
    out = []
    for r in affected.get("ranges", []):
        if r.get("type") != kind:
            continue
        for e in r.get("events", []):
            out.extend(e.items())
    return out


def crate_affected(advisories: list[dict]) -> dict[str, list[dict]]:
    """Crate name -> the OSV `affected` entries of its advisories still in force."""
    out: dict[str, list[dict]] = {}
    for adv in advisories:
        if adv.get("withdrawn"):
            continue
        for a in adv.get("affected", []):
            out.setdefault(a["package"]["name"], []).append(a)
    return dict(sorted(out.items()))


def crate_versions(advisories: list[dict]) -> dict[str, list[str]]:
    """Crate name -> versions, real ones first: the introduced and fixed versions of its
    advisories (the introduced ones are vulnerable), then the release just before each fix
    (usually vulnerable too). Lowest-possible pre-releases such as `0.2.1-0` are range
    bounds, not releases, and are left out. A crate whose advisories name no version (all
    versions affected, as for unmaintained crates) gets an empty list.
    """
    real: dict[str, list[str]] = {}
    for adv in advisories:
        if adv.get("withdrawn"):
            continue
        for a in adv.get("affected", []):
            name = a["package"]["name"]
            got = real.setdefault(name, [])
            for kind, v in events(a, "SEMVER"):
                if kind not in ("introduced", "fixed") or v in ("0", "0.0.0-0") or v.endswith("-0"):
                    continue
                if not SEMVER.match(v) or v in got:
                    continue
                got.append(v)
                m = SEMVER.match(v)
                if kind == "fixed" and m and m.group(4) is None and int(m.group(3)) > 0:
                    before = f"{m.group(1)}.{m.group(2)}.{int(m.group(3)) - 1}"
                    if before not in got:
                        got.append(before)
    return {n: sorted(vs, key=semver_key) for n, vs in sorted(real.items())}


def filler_versions(real: list[str], vulnerable: list[list]):
    """Further patch releases after a crate's newest real version that no advisory affects:
    synthetic but well-formed, so that the lockfile has the mix of a real one (most
    dependencies fine, some vulnerable) rather than a wall of findings.
    """
    releases = [m for m in map(SEMVER.match, real) if m and m.group(4) is None]
    if not releases:
        return
    top = max(releases, key=lambda m: semver_key(m.group(0)))
    for k in range(1, 1000):
        v = f"{top.group(1)}.{top.group(2)}.{int(top.group(3)) + k}"
        if v not in real and not affects(vulnerable, v):
            yield v


def pick_packages(advisories: list[dict], count: int) -> list[tuple[str, str]]:
    """Round-robin over the crates, one version a round, real versions before filler, until
    `count` packages. A crate whose advisories name no version (every version affected,
    typically unmaintained) appears once, as 0.1.0.
    """
    versions = crate_versions(advisories)
    affected = crate_affected(advisories)
    gens = {n: iter(list(vs) + list(filler_versions(vs, merged_intervals(affected[n])))) if vs else iter(["0.1.0"])
            for n, vs in versions.items()}
    out: list[tuple[str, str]] = []
    while len(out) < count and gens:
        for name in list(gens):
            v = next(gens[name], None)
            if v is None:
                del gens[name]
                continue
            out.append((name, v))
            if len(out) == count:
                break
    return sorted(out, key=lambda p: (p[0], semver_key(p[1])))


# --------------------------------------------------------------------------- Cargo.lock


def render_cargo_lock(packages: list[tuple[str, str]], root: str, seed: str) -> str:
    """A version 3 Cargo.lock: a root crate without a source and the given registry crates,
    each with a checksum, up to three extra dependencies, and reachable from the root.
    """
    n = len(packages)
    versions_of: dict[str, int] = {}
    for name, _ in packages:
        versions_of[name] = versions_of.get(name, 0) + 1

    def dep_ref(i: int) -> str:
        name, version = packages[i]
        return f"{name} {version}" if versions_of[name] > 1 else name

    # Edges only go forward in a shuffled order, so the graph has no cycles.
    order = sorted(range(n), key=lambda i: h(seed, "order", *packages[i]))
    children: list[set[int]] = [set() for _ in range(n)]
    root_deps: list[int] = []
    for pos in range(n):
        j = order[pos]
        parent = None
        for t in range(8 if pos else 0):
            cand = order[h(seed, "parent", pos, t) % pos]
            if packages[cand][0] != packages[j][0]:
                parent = cand
                break
        if parent is None:
            root_deps.append(j)
        else:
            children[parent].add(j)
        for k in range(h(seed, "extra", pos) % 4):
            if pos + 1 < n:
                target = order[pos + 1 + h(seed, "edge", pos, k) % (n - pos - 1)]
                if packages[target][0] != packages[j][0]:
                    children[j].add(target)

    def one_per_name(deps) -> tuple[list[int], list[int]]:
        """One version of a crate per dependency list, as cargo resolves it."""
        keep: dict[str, int] = {}
        rest = []
        for c in sorted(deps, key=lambda c: (packages[c][0], semver_key(packages[c][1]))):
            if packages[c][0] in keep:
                rest.append(c)
            else:
                keep[packages[c][0]] = c
        return list(keep.values()), rest

    for i in range(n):
        children[i] = set(one_per_name(children[i])[0])
    # Crates that found no parent hang off the root, or off further workspace members when
    # the root already depends on another version of the same crate.
    members: list[list[int]] = []
    rest = root_deps
    while rest:
        keep, rest = one_per_name(rest)
        members.append(keep)

    out = ["# This file is automatically @generated by Cargo.", "# It is not intended for manual editing.", "version = 3", ""]
    entries: list[tuple[tuple, list[str]]] = []
    for m, deps in enumerate(members or [[]]):
        name = root if m == 0 else f"{root}-member-{m}"
        e = ["[[package]]", f'name = "{name}"', 'version = "0.1.0"']
        if deps:
            e.append("dependencies = [")
            e += [f' "{dep_ref(c)}",' for c in deps]
            e.append("]")
        entries.append(((name, semver_key("0.1.0")), e))
    for i, (name, version) in enumerate(packages):
        e = ["[[package]]", f'name = "{name}"', f'version = "{version}"', f'source = "{CRATES_IO}"',
             f'checksum = "{hashlib.sha256(f"{name}-{version}".encode()).hexdigest()}"']
        if children[i]:
            e.append("dependencies = [")
            e += [f' "{dep_ref(c)}",' for c in one_per_name(children[i])[0]]
            e.append("]")
        entries.append(((name, semver_key(version)), e))
    entries.sort(key=lambda x: x[0])
    for _, e in entries:
        out.extend(e)
        out.append("")
    return "\n".join(out)


def cmd_cargo_lock(args: argparse.Namespace) -> None:
    out = Path(args.out)
    digest = inputs_digest(Path(args.osv), extra=f"cargo-lock {args.packages}")
    info_path = Path(args.info)
    if stamp_ok(out, digest) and info_path.is_file():
        log(f"{out} already generated")
        return
    advisories = load_osv(Path(args.osv))
    versions = crate_versions(advisories)
    packages = pick_packages(advisories, args.packages)
    text = render_cargo_lock(packages, "bench-workspace", "big")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    real = sum(1 for n, v in packages if v in versions[n])
    info = {
        "path": str(out),
        "bytes": len(text.encode()),
        "packages": text.count("[[package]]"),
        "registry_packages": len(packages),
        "crates": len({n for n, _ in packages}),
        "advisory_versions": real,
        "filler_versions": len(packages) - real,
    }
    info_path.write_text(json.dumps(info, indent=2) + "\n")
    write_stamp(out, digest)
    log(f"{out}: {info['packages']} [[package]] entries, {info['crates']} crates, {real} advisory versions")


# --------------------------------------------------------------------------- mixed repository


def pypi_versions(advisories: list[dict]) -> dict[str, tuple[list[str], list[str]]]:
    """Package -> (vulnerable, fixed) versions named by its advisories: the listed affected
    versions, and the fixes that no advisory lists as affected.
    """
    listed: dict[str, list[str]] = {}
    fixes: dict[str, list[str]] = {}
    for adv in advisories:
        if adv.get("withdrawn"):
            continue
        for a in adv.get("affected", []):
            name = a["package"]["name"]
            got = listed.setdefault(name, [])
            got.extend(v for v in a.get("versions") or [] if v not in got)
            fx = fixes.setdefault(name, [])
            fx.extend(v for kind, v in events(a, "ECOSYSTEM") if kind == "fixed" and v not in fx)
    out = {}
    for name in sorted(listed):
        bad = set(listed[name])
        out[name] = (listed[name], [v for v in fixes[name] if v not in bad])
    return {n: vv for n, vv in out.items() if vv[0] or vv[1]}


def go_versions(advisories: list[dict]) -> dict[str, tuple[list[str], list[str]]]:
    """Module -> (vulnerable, fixed) versions from its advisories' SEMVER ranges."""
    affected: dict[str, list[dict]] = {}
    for adv in advisories:
        if adv.get("withdrawn"):
            continue
        for a in adv.get("affected", []):
            name = a["package"]["name"]
            # The standard library and toolchain are not modules a go.mod requires.
            if name in ("stdlib", "toolchain") or "." not in name.split("/")[0]:
                continue
            affected.setdefault(name, []).append(a)
    out = {}
    for name in sorted(affected):
        merged = merged_intervals(affected[name])
        seen: list[str] = []
        for a in affected[name]:
            seen.extend(v for kind, v in events(a, "SEMVER")
                        if kind in ("introduced", "fixed") and v != "0" and v not in seen)
        bad = [v for v in seen if affects(merged, v)]
        good = [v for v in seen if v not in bad]
        if bad or good:
            out[name] = (bad, good)
    return out


def pick_version(vv: tuple[list[str], list[str]], *seed: object) -> str:
    """A fixed version three times in four where there is one: most pins in a real
    project are fine, some are not."""
    bad, good = vv
    pool = good if good and (not bad or h("fixed", *seed) % 4) else bad
    return pool[h("version", *seed) % len(pool)]


def choose(pool: list[str], count: int, seed: str) -> list[str]:
    return sorted(pool, key=lambda n: h(seed, n))[:count]


def cmd_mixed_repo(args: argparse.Namespace) -> None:
    repo = Path(args.out)
    osv = Path(args.osv_dir)
    zips = [osv / "crates.io-all.zip", osv / "PyPI-all.zip", osv / "Go-all.zip"]
    shape = f"mixed {args.cargo} {args.requirements} {args.gomod}"
    digest = inputs_digest(*zips, extra=shape)
    info_path = Path(args.info)
    if stamp_ok(repo, digest) and info_path.is_file():
        log(f"{repo} already generated")
        return
    crate_pool = pick_packages(load_osv(zips[0]), 6000)
    pypi = pypi_versions(load_osv(zips[1]))
    gomods = go_versions(load_osv(zips[2]))

    staging = repo.with_name(repo.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    files: list[dict] = []

    def emit(rel: str, text: str, packages: int, fmt: str) -> None:
        p = staging / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        files.append({"path": rel, "dir": rel.split("/")[0], "format": fmt, "packages": packages,
                      "bytes": len(text.encode())})
        readme = p.parent / "README.md"
        if not readme.exists():
            readme.write_text(f"# {p.parent.name}\n\nA service of the benchmark monorepo.\n")

    for i in range(args.cargo):
        size = 200 + h("cargo-size", i) % 801
        start = h("cargo-start", i) % (len(crate_pool) - size)
        chosen: dict[str, tuple[str, str]] = {}
        for name, version in crate_pool[start:start + size * 2]:
            chosen.setdefault(name, (name, version))
            if len(chosen) == size:
                break
        pkgs = sorted(chosen.values(), key=lambda p: (p[0], semver_key(p[1])))
        text = render_cargo_lock(pkgs, f"rust-svc-{i:02d}", f"cargo-{i}")
        emit(f"rust/svc-{i:02d}/Cargo.lock", text, len(pkgs) + 1, "Cargo.lock")

    names = list(pypi)
    for i in range(args.requirements):
        size = 60 + h("req-size", i) % 141
        lines = [f"# generated for the rampart benchmark: python service {i:02d}"]
        for name in sorted(choose(names, size, f"req-{i}")):
            lines.append(f"{name}=={pick_version(pypi[name], 'req', i, name)}")
        fname = "requirements.txt" if i % 3 else "requirements-dev.txt"
        emit(f"python/svc-{i:02d}/{fname}", "\n".join(lines) + "\n", size, "requirements.txt")

    mods = list(gomods)
    for i in range(args.gomod):
        size = 40 + h("go-size", i) % 111
        lines = [f"module example.com/bench/go-svc-{i:02d}", "", "go 1.22", "", "require ("]
        for name in sorted(choose(mods, size, f"go-{i}")):
            v = pick_version(gomods[name], "go", i, name)
            indirect = " // indirect" if h("go-indirect", i, name) % 3 == 0 else ""
            lines.append(f"\t{name} v{v}{indirect}")
        lines.append(")")
        emit(f"go/svc-{i:02d}/go.mod", "\n".join(lines) + "\n", size, "go.mod")

    # A repository of its own, so the scan sees it the way a checkout is seen and no
    # .gitignore of an enclosing repository applies.
    subprocess.run(["git", "init", "-q", str(staging)], check=True)
    shutil.rmtree(repo, ignore_errors=True)
    staging.rename(repo)
    info = {
        "path": str(repo),
        "lockfiles": len(files),
        "packages": sum(f["packages"] for f in files),
        "bytes": sum(f["bytes"] for f in files),
        "by_format": {},
    }
    for f in files:
        b = info["by_format"].setdefault(f["format"], {"dir": f["dir"], "files": 0, "packages": 0, "bytes": 0})
        b["files"] += 1
        b["packages"] += f["packages"]
        b["bytes"] += f["bytes"]
    info_path.write_text(json.dumps(info, indent=2) + "\n")
    write_stamp(repo, digest)
    log(f"{repo}: {info['lockfiles']} lockfiles, {info['packages']} packages")


# --------------------------------------------------------------------------- advisory-db


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def toml_list(items: list[str]) -> str:
    return "[" + ", ".join(toml_str(i) for i in items) + "]"


def merged_intervals(affected: list[dict]) -> list[list]:
    """The vulnerable [introduced, fixed) intervals of OSV `affected` entries, sorted and
    merged; None stands for "from the first version" and "no fix"."""
    intervals: list[tuple[str | None, str | None]] = []
    for a in affected:
        for r in a.get("ranges", []):
            if r.get("type") != "SEMVER":
                continue
            start: str | None = None
            open_ = False
            for e in r.get("events", []):
                (kind, v), = e.items()
                if kind == "introduced":
                    start, open_ = (None if v in ("0", "0.0.0-0") else v), True
                elif kind == "fixed":
                    intervals.append((start, v))
                    open_ = False
                elif kind == "last_affected":
                    raise ValueError("last_affected has no exact >=/< equivalent")
            if open_:
                intervals.append((start, None))
    if not intervals:
        return []
    intervals.sort(key=lambda x: semver_key(x[0]) if x[0] else ())
    merged: list[list] = []
    for start, end in intervals:
        if merged:
            last = merged[-1]
            # Open-ended, or starting at or before the previous end: the same interval.
            if last[1] is None or start is None or semver_key(start) <= semver_key(last[1]):
                if last[1] is not None and (end is None or semver_key(end) > semver_key(last[1])):
                    last[1] = end
                continue
        merged.append([start, end])
    return merged


def affects(merged: list[list], version: str) -> bool:
    k = semver_key(version)
    return any((s is None or k >= semver_key(s)) and (e is None or k < semver_key(e)) for s, e in merged)


def unaffected_reqs(affected: list[dict]) -> tuple[list[str], list[str]]:
    """(patched, unaffected) VersionReqs that are the complement of the OSV ranges.

    OSV lists the vulnerable intervals [introduced, fixed); RustSec lists what is not
    vulnerable: `unaffected` before the first introduction, `patched` from each fix to the
    next introduction and after the last fix. The rustsec crate requires these ranges not to
    overlap, so the intervals are merged first. Only `>=` and `<` bounds are produced:
    rustsec cannot take the successor of a pre-release, which `>` and `<=` would need.
    """
    merged = merged_intervals(affected)
    if not merged:
        return [], []
    unaffected: list[str] = []
    patched: list[str] = []
    if merged[0][0] is not None:
        unaffected.append(f"< {merged[0][0]}")
    for (_, f), (s, _) in zip(merged, merged[1:]):
        patched.append(f">= {f}, < {s}")
    if merged[-1][1] is not None:
        patched.append(f">= {merged[-1][1]}")
    return patched, unaffected


def render_advisory(adv: dict) -> tuple[str, str]:
    affected = adv["affected"]
    package = affected[0]["package"]["name"]
    if any(a["package"]["name"] != package for a in affected):
        raise ValueError("affects more than one crate")
    patched, unaffected = unaffected_reqs(affected)
    ds = affected[0].get("database_specific") or {}
    refs = adv.get("references") or []
    url = next((r["url"] for r in refs if r.get("type") != "PACKAGE" and "rustsec.org" not in r["url"]), None)
    lines = ["```toml", "[advisory]", f"id = {toml_str(adv['id'])}", f"package = {toml_str(package)}",
             f"date = {toml_str(adv['published'][:10])}"]
    if url:
        lines.append(f"url = {toml_str(url)}")
    if ds.get("categories"):
        lines.append(f"categories = {toml_list(ds['categories'])}")
    aliases = [a for a in adv.get("aliases") or [] if a != adv["id"]]
    if aliases:
        lines.append(f"aliases = {toml_list(aliases)}")
    if adv.get("related"):
        lines.append(f"related = {toml_list(adv['related'])}")
    if ds.get("cvss"):
        lines.append(f"cvss = {toml_str(ds['cvss'])}")
    if ds.get("informational"):
        lines.append(f"informational = {toml_str(ds['informational'])}")
    if adv.get("withdrawn"):
        lines.append(f"withdrawn = {toml_str(adv['withdrawn'][:10])}")
    lines += ["", "[versions]", f"patched = {toml_list(patched)}"]
    if unaffected:
        lines.append(f"unaffected = {toml_list(unaffected)}")
    lines.append("```")
    title = " ".join((adv.get("summary") or adv["id"]).split())
    body = (adv.get("details") or title).strip()
    return package, "\n".join(lines) + f"\n\n# {title}\n\n{body}\n"


def cmd_advisory_db(args: argparse.Namespace) -> None:
    out = Path(args.out)
    digest = inputs_digest(Path(args.osv), extra="advisory-db")
    info_path = Path(args.info)
    if stamp_ok(out, digest) and info_path.is_file():
        log(f"{out} already converted")
        return
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    written = 0
    skipped: list[dict] = []
    for adv in load_osv(Path(args.osv)):
        try:
            package, text = render_advisory(adv)
        except (ValueError, KeyError) as e:
            skipped.append({"id": adv.get("id"), "why": str(e)})
            continue
        p = staging / "crates" / package / f"{adv['id']}.md"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        written += 1
    (staging / "README.md").write_text(
        "Converted from OSV JSON by bench/sca_inputs.py for the rampart benchmark; not the real advisory-db.\n")
    # cargo-audit opens the database as a git checkout; fixed dates and identity give the
    # same commit id on every machine.
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
               GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.invalid",
               GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
    for argv in (["init", "-q", "--initial-branch=main"], ["add", "-A"], ["commit", "-q", "-m", "advisories from OSV"]):
        subprocess.run(["git", "-C", str(staging), *argv], check=True, env=env)
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    info = {"path": str(out), "advisories": written, "skipped": skipped}
    info_path.write_text(json.dumps(info, indent=2) + "\n")
    write_stamp(out, digest)
    log(f"{out}: {written} advisories, {len(skipped)} skipped")


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("cargo-lock", help="one large Cargo.lock")
    p.add_argument("--osv", required=True, help="crates.io-all.zip")
    p.add_argument("--packages", type=int, default=5000, help="registry packages (a root crate is added)")
    p.add_argument("--out", required=True)
    p.add_argument("--info", required=True)
    p.set_defaults(func=cmd_cargo_lock)

    p = sub.add_parser("mixed-repo", help="a repository of mixed lockfiles")
    p.add_argument("--osv-dir", required=True, help="the folder with crates.io-all.zip, PyPI-all.zip and Go-all.zip")
    p.add_argument("--cargo", type=int, default=20)
    p.add_argument("--requirements", type=int, default=20)
    p.add_argument("--gomod", type=int, default=15)
    p.add_argument("--out", required=True)
    p.add_argument("--info", required=True)
    p.set_defaults(func=cmd_mixed_repo)

    p = sub.add_parser("advisory-db", help="OSV crates.io advisories as a RustSec advisory-db checkout")
    p.add_argument("--osv", required=True, help="crates.io-all.zip")
    p.add_argument("--out", required=True)
    p.add_argument("--info", required=True)
    p.set_defaults(func=cmd_advisory_db)

    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
