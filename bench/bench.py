#!/usr/bin/env python3
"""Helpers shared by the benchmark scripts in bench/: corpus download, git history synthesis,
timing with peak RSS, finding counts and the Markdown report.

Only the standard library is used, so it runs with any python3 >= 3.9, before or outside the
virtualenv that holds the peer tools.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile
from datetime import datetime, timezone
from pathlib import Path

SIMPLE_INDEX = os.environ.get("PYPI_SIMPLE_URL", "https://pypi.org/simple").rstrip("/")
MB = 1_000_000


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- corpus


def read_manifest(path: Path) -> list[tuple[str, str, str]]:
    entries = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, version, sha256 = line.split()
        entries.append((name, version, sha256.lower()))
    return entries


def manifest_digest(path: Path, *extra: str) -> str:
    h = hashlib.sha256()
    for name, version, sha in read_manifest(path):
        h.update(f"{name} {version} {sha}\n".encode())
    for e in extra:
        h.update(e.encode())
    return h.hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sdist_url(name: str, version: str, sha256: str) -> tuple[str, str]:
    """Finds the sdist by its pinned hash in PyPI's JSON simple index (PEP 691).

    Matching on the hash rather than the file name sidesteps the many spellings of sdist names
    (Django-5.1.4.tar.gz, ansible_core-2.17.5.tar.gz) and makes a re-uploaded file an error.
    """
    req = urllib.request.Request(
        f"{SIMPLE_INDEX}/{name}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(req, timeout=120) as resp:
        index = json.load(resp)
    for f in index.get("files", []):
        if f.get("hashes", {}).get("sha256", "").lower() == sha256:
            return f["filename"], f["url"]
    raise SystemExit(f"{name}=={version}: no file with sha256 {sha256} on {SIMPLE_INDEX}")


def download_sdist(name: str, version: str, sha256: str, downloads: Path) -> Path:
    downloads.mkdir(parents=True, exist_ok=True)
    for existing in downloads.glob("*"):
        if existing.is_file() and not existing.name.endswith(".part") and sha256_file(existing) == sha256:
            return existing
    filename, url = sdist_url(name, version, sha256)
    target = downloads / filename
    part = target.with_name(target.name + ".part")
    log(f"downloading {filename}")
    with urllib.request.urlopen(url, timeout=600) as resp, part.open("wb") as out:
        shutil.copyfileobj(resp, out, 1 << 20)
    got = sha256_file(part)
    if got != sha256:
        part.unlink()
        raise SystemExit(f"{filename}: sha256 {got}, expected {sha256}")
    part.rename(target)
    return target


def extract(archive: Path, dest: Path) -> Path:
    """Extracts an sdist into dest and returns its single top-level directory."""
    dest.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            z.extractall(dest)
    else:
        with tarfile.open(archive) as t:
            if hasattr(tarfile, "data_filter"):
                t.extractall(dest, filter="data")
            else:
                t.extractall(dest)
    tops = [p for p in dest.iterdir()]
    if len(tops) != 1 or not tops[0].is_dir():
        raise SystemExit(f"{archive.name}: expected one top-level directory, got {[p.name for p in tops]}")
    return tops[0]


def tree_size(root: Path) -> tuple[int, int]:
    """Bytes and count of regular files, not following symlinks."""
    total = files = 0
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            if os.path.isfile(p) and not os.path.islink(p):
                total += st.st_size
                files += 1
    return total, files


def cmd_corpus(args: argparse.Namespace) -> None:
    manifest, downloads, corpus = Path(args.manifest), Path(args.downloads), Path(args.corpus)
    stamp = corpus.with_name(corpus.name + ".stamp")
    digest = manifest_digest(manifest)
    if corpus.is_dir() and stamp.is_file() and stamp.read_text().strip() == digest:
        log(f"corpus already present at {corpus}")
    else:
        staging = corpus.with_name(corpus.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name, version, sha in read_manifest(manifest):
            archive = download_sdist(name, version, sha, downloads)
            log(f"extracting {archive.name}")
            with tempfile.TemporaryDirectory(dir=staging) as tmp:
                top = extract(archive, Path(tmp))
                top.rename(staging / f"{name}-{version}")
        shutil.rmtree(corpus, ignore_errors=True)
        stamp.unlink(missing_ok=True)
        staging.rename(corpus)
        stamp.write_text(digest + "\n")
    size, files = tree_size(corpus)
    packages = []
    for name, version, _sha in read_manifest(manifest):
        b, f = tree_size(corpus / f"{name}-{version}")
        packages.append({"name": name, "version": version, "bytes": b, "files": f})
    info = {"path": str(corpus), "bytes": size, "files": files, "packages": packages}
    if args.min_bytes and size < args.min_bytes:
        raise SystemExit(f"corpus is {size / MB:.1f} MB, below the {args.min_bytes / MB:.0f} MB minimum")
    Path(args.info).write_text(json.dumps(info, indent=2) + "\n")
    log(f"corpus: {size / MB:.1f} MB in {files} files ({len(packages)} packages)")


# --------------------------------------------------------------------------- git history


def git(repo: Path, *argv: str, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    return subprocess.run(["git", "-C", str(repo), *argv], check=True, env=env, **kw)


def snapshot(root: Path) -> dict[str, tuple[str, bytes]]:
    """path -> (git mode, content) for every regular file under root."""
    files = {}
    for dirpath, dirs, names in os.walk(root):
        dirs.sort()
        for n in sorted(names):
            p = Path(dirpath) / n
            if p.is_symlink() or not p.is_file():
                continue
            mode = "100755" if os.access(p, os.X_OK) else "100644"
            files[p.relative_to(root).as_posix()] = (mode, p.read_bytes())
    return files


def cmd_history(args: argparse.Namespace) -> None:
    """Builds a bare repository that replays several versions of one package, a few files a
    commit, so the history has thousands of commits whose blobs are real source files and
    real edits of them. git fast-import with fixed dates makes the commit ids the same on
    every machine.
    """
    manifest, downloads, repo = Path(args.manifest), Path(args.downloads), Path(args.repo)
    stamp = repo.with_name(repo.name + ".stamp")
    digest = manifest_digest(manifest, f"batch={args.batch}")
    if not (repo.is_dir() and stamp.is_file() and stamp.read_text().strip() == digest):
        staging = repo.with_name(repo.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        git(Path("."), "init", "-q", "--bare", "--initial-branch=main", str(staging))
        proc = subprocess.Popen(
            ["git", "-C", str(staging), "fast-import", "--quiet", "--done"],
            stdin=subprocess.PIPE,
            env=dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull),
        )
        out = proc.stdin
        assert out is not None
        mark = 0
        commit_no = 0
        prev_commit = None
        state: dict[str, tuple[str, bytes]] = {}
        t0 = 1_600_000_000
        for name, version, sha in read_manifest(manifest):
            archive = download_sdist(name, version, sha, downloads)
            with tempfile.TemporaryDirectory() as tmp:
                top = extract(archive, Path(tmp))
                new = snapshot(top)
            changed = sorted(p for p, v in new.items() if state.get(p) != v)
            deleted = sorted(p for p in state if p not in new)
            ops: list[tuple[str, str]] = [("D", p) for p in deleted] + [("M", p) for p in changed]
            log(f"history: {name} {version}: {len(changed)} changed, {len(deleted)} deleted")
            for i in range(0, len(ops), args.batch):
                chunk = ops[i : i + args.batch]
                lines = []
                for op, path in chunk:
                    if op == "D":
                        lines.append(f"D {path}\n".encode())
                        continue
                    mode, data = new[path]
                    mark += 1
                    out.write(f"blob\nmark :{mark}\ndata {len(data)}\n".encode())
                    out.write(data)
                    out.write(b"\n")
                    lines.append(f"M {mode} :{mark} {path}\n".encode())
                commit_no += 1
                mark += 1
                when = t0 + commit_no * 600
                msg = f"{name} {version}: {chunk[0][1]}" + (f" and {len(chunk) - 1} more" if len(chunk) > 1 else "")
                msg_b = msg.encode()
                ident = f"Bench <bench@example.invalid> {when} +0000"
                out.write(f"commit refs/heads/main\nmark :{mark}\n".encode())
                out.write(f"author {ident}\ncommitter {ident}\n".encode())
                out.write(f"data {len(msg_b)}\n".encode() + msg_b + b"\n")
                if prev_commit is not None:
                    out.write(f"from :{prev_commit}\n".encode())
                out.writelines(lines)
                out.write(b"\n")
                prev_commit = mark
            out.write(f"reset refs/tags/{name}-{version}\nfrom :{prev_commit}\n\n".encode())
            state = new
        out.write(b"done\n")
        out.close()
        if proc.wait() != 0:
            raise SystemExit("git fast-import failed")
        # Delta-compressed packs are what a clone gives, and what the scanners must inflate.
        git(staging, "repack", "-a", "-d", "-f", "-q", "--window=50", "--depth=50")
        git(staging, "prune-packed")
        shutil.rmtree(repo, ignore_errors=True)
        stamp.unlink(missing_ok=True)
        staging.rename(repo)
        stamp.write_text(digest + "\n")
    else:
        log(f"history repository already present at {repo}")
    commits = int(git(repo, "rev-list", "--all", "--count", capture_output=True, text=True).stdout)
    objs = git(
        repo, "cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectsize)",
        capture_output=True, text=True,
    ).stdout.split("\n")
    blob_sizes = [int(line.split()[1]) for line in objs if line.startswith("blob ")]
    pack_bytes = sum(p.stat().st_size for p in (repo / "objects" / "pack").glob("*.pack"))
    info = {
        "path": str(repo),
        "commits": commits,
        "blobs": len(blob_sizes),
        "blob_bytes": sum(blob_sizes),
        "pack_bytes": pack_bytes,
        "versions": [f"{n} {v}" for n, v, _ in read_manifest(manifest)],
        "batch": args.batch,
    }
    Path(args.info).write_text(json.dumps(info, indent=2) + "\n")
    log(
        f"history: {commits} commits, {len(blob_sizes)} distinct blobs, "
        f"{sum(blob_sizes) / MB:.1f} MB of blob content, {pack_bytes / MB:.1f} MB packed"
    )


# --------------------------------------------------------------------------- findings


def count_rampart(path: Path) -> dict:
    report = json.loads(path.read_text())
    findings = report.get("findings", [])
    return {
        "findings": len(findings),
        "locations": sum(len(f.get("locations", [])) for f in findings),
        "files_scanned": report.get("stats", {}).get("files_scanned"),
        "bytes_scanned": report.get("stats", {}).get("bytes_scanned"),
        "skipped_binary": report.get("stats", {}).get("skipped_binary"),
        "skipped_too_large": report.get("stats", {}).get("skipped_too_large"),
    }


def count_kingfisher(path: Path) -> dict:
    """Kingfisher's JSON envelope holds one entry per finding, each with one location (its
    default deduplication already folded repeats of the same secret at the same place).
    Distinct secret values are counted too, since that is what rampart calls a finding.
    """
    text = path.read_text()
    try:
        doc = json.loads(text)
        records = doc if isinstance(doc, list) else None
    except json.JSONDecodeError:
        doc = None
        records = [json.loads(line) for line in text.splitlines() if line.strip()]
    if records is None:
        records = doc.get("findings")
        if records is None:
            raise SystemExit(f"{path}: no 'findings' key in Kingfisher's JSON (keys: {sorted(doc)})")
    secrets = set()
    for r in records:
        f = r.get("finding", r)
        rule = (r.get("rule") or {}).get("id") if isinstance(r.get("rule"), dict) else r.get("rule")
        secrets.add((rule, f.get("snippet") or f.get("secret") or f.get("fingerprint")))
    out = {"findings": len(secrets), "locations": len(records)}
    summary = (doc.get("metadata") or {}).get("summary") if isinstance(doc, dict) else None
    if isinstance(summary, dict):
        for k in ("bytes_scanned", "blobs_scanned", "files_scanned"):
            if k in summary:
                out[k] = summary[k]
    return out


ADVISORY_ID = re.compile(r"\b(?:RUSTSEC|PYSEC|GO|GHSA|CVE)-[0-9A-Za-z]+-[0-9A-Za-z-]+")
PACKAGE_IN_MESSAGE = re.compile(r"^(\S+) (\S+) ")


def count_rampart_deps(path: Path) -> dict:
    """rampart's deps findings are one per package entry and group of aliased advisories; the
    package and the advisory ids are read back from the message, so that they can be set
    beside cargo-audit's (package, advisory) pairs. Ids are counted by their RUSTSEC/PYSEC/GO
    primary id when the group has one.
    """
    report = json.loads(path.read_text())
    findings = [f for f in report.get("findings", []) if f.get("scanner", "deps") == "deps"]
    packages = set()
    pairs = set()
    for f in findings:
        loc = (f.get("locations") or [{}])[0]
        packages.add((loc.get("path"), loc.get("line")))
        msg = f.get("message", "")
        m = PACKAGE_IN_MESSAGE.match(msg)
        ids = ADVISORY_ID.findall(msg)
        primary = [i for i in ids if i.split("-")[0] in ("RUSTSEC", "PYSEC", "GO")] or ids[:1]
        for i in primary:
            pairs.add((loc.get("path"), m.group(1) if m else None, m.group(2) if m else None, i))
    stats = report.get("stats", {})
    return {
        "findings": len(findings),
        "locations": sum(len(f.get("locations", [])) for f in findings),
        "packages": len(packages),
        "advisory_pairs": len(pairs),
        "files_scanned": stats.get("files_scanned"),
        "bytes_scanned": stats.get("bytes_scanned"),
        "diagnostics": len(report.get("diagnostics", [])),
    }


def count_cargo_audit(path: Path) -> dict:
    """cargo-audit --json: one `vulnerabilities.list` entry per (package, advisory), and the
    informational advisories (unmaintained, unsound, notice) as `warnings` by kind.
    """
    doc = json.loads(path.read_text())
    vulns = (doc.get("vulnerabilities") or {}).get("list") or []
    warnings = doc.get("warnings") or {}
    pairs = set()
    packages = set()
    for v in vulns + [w for ws in warnings.values() for w in ws if w.get("advisory")]:
        pkg = v.get("package") or {}
        packages.add((pkg.get("name"), pkg.get("version")))
        pairs.add((pkg.get("name"), pkg.get("version"), (v.get("advisory") or {}).get("id")))
    return {
        "findings": len(vulns),
        "warnings": {k: len(ws) for k, ws in sorted(warnings.items())},
        "packages": len(packages),
        "advisory_pairs": len(pairs),
        "lockfile_packages": (doc.get("lockfile") or {}).get("dependency-count"),
        "db_advisories": (doc.get("database") or {}).get("advisory-count"),
    }


def count_file_size(path: Path) -> dict:
    """For commands whose output is a file rather than findings (a database import)."""
    return {"output_bytes": path.stat().st_size if path.exists() else None}


COUNTERS = {
    "rampart": count_rampart,
    "kingfisher": count_kingfisher,
    "rampart-deps": count_rampart_deps,
    "cargo-audit": count_cargo_audit,
    "file-size": count_file_size,
}


def cmd_count(args: argparse.Namespace) -> None:
    print(json.dumps(COUNTERS[args.format](Path(args.file)), indent=2))


# --------------------------------------------------------------------------- timing


def parse_gnu_time(text: str) -> dict:
    def grab(label: str) -> str | None:
        m = re.search(rf"^\s*{re.escape(label)}:\s*(.+)$", text, re.M)
        return m.group(1).strip() if m else None

    return {
        "max_rss_kb": int(grab("Maximum resident set size (kbytes)") or 0),
        "user_s": float(grab("User time (seconds)") or 0),
        "sys_s": float(grab("System time (seconds)") or 0),
    }


def run_once(cmd: list[str], logdir: Path, tag: str) -> dict:
    time_out = logdir / f"{tag}.time"
    stdout = logdir / f"{tag}.stdout"
    stderr = logdir / f"{tag}.stderr"
    with stdout.open("wb") as so, stderr.open("wb") as se:
        start = time.perf_counter()
        rc = subprocess.run(["/usr/bin/time", "-v", "-o", str(time_out), *cmd], stdout=so, stderr=se).returncode
        wall = time.perf_counter() - start
    stats = parse_gnu_time(time_out.read_text())
    return {"wall_s": wall, "exit": rc, **stats}


def cmd_plan_add(args: argparse.Namespace) -> None:
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    if not cmd:
        raise SystemExit("plan-add: no command after --")
    if not args.counter and args.tool not in COUNTERS:
        raise SystemExit(f"plan-add: no counter named {args.tool!r}: pass --counter")
    label = args.label or args.tool
    case = {
        "tool": args.tool,
        "label": label,
        "scenario": args.scenario,
        "slug": re.sub(r"[^A-Za-z0-9]+", "-", f"{args.scenario}-{label}").strip("-"),
        "bytes": args.bytes,
        "expect_exit": args.expect_exit or [0],
        "findings_file": args.findings_file,
        "counter": args.counter or args.tool,
        "findings_from_stdout": args.findings_from_stdout,
        "remove_before": args.remove_before,
        "cmd": cmd,
    }
    with open(args.plan, "a") as f:
        f.write(json.dumps(case) + "\n")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def cmd_run_plan(args: argparse.Namespace) -> None:
    """Runs every case of the plan, warm-ups first, then the timed runs round-robin with the
    order rotated each round. Other load on the machine then falls on every tool alike
    instead of on whichever happened to run while it lasted.
    """
    cases = [json.loads(line) for line in Path(args.plan).read_text().splitlines() if line.strip()]
    if not cases:
        raise SystemExit("run-plan: the plan is empty")
    logdir, outdir = Path(args.logdir), Path(args.outdir)
    logdir.mkdir(parents=True, exist_ok=True)
    outdir.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict]] = {c["slug"]: [] for c in cases}
    load_before = load_average()

    def one(case: dict, tag: str, phase: str) -> dict:
        Path(case["findings_file"]).unlink(missing_ok=True)
        for p in case.get("remove_before") or []:
            Path(p).unlink(missing_ok=True)
        r = run_once(case["cmd"], logdir, f"{case['slug']}-{tag}")
        if case.get("findings_from_stdout"):
            shutil.copyfile(logdir / f"{case['slug']}-{tag}.stdout", case["findings_file"])
        if r["exit"] not in case["expect_exit"]:
            err = (logdir / f"{case['slug']}-{tag}.stderr").read_text(errors="replace")
            raise SystemExit(
                f"{case['label']} ({case['scenario']}) exited {r['exit']}, expected {case['expect_exit']}\n"
                f"command: {shlex.join(case['cmd'])}\n--- stderr (tail) ---\n{err[-4000:]}"
            )
        log(f"{case['scenario']}: {case['label']} {phase}: {r['wall_s']:.2f} s wall, "
            f"{r['user_s'] + r['sys_s']:.2f} s CPU, {r['max_rss_kb'] / 1024:.0f} MiB peak RSS")
        return r

    warmups: dict[str, list[dict]] = {c["slug"]: [] for c in cases}
    for w in range(args.warmup):
        for case in cases:
            warmups[case["slug"]].append(one(case, f"warmup{w + 1}", "warm-up"))
    for i in range(args.runs):
        k = i % len(cases)
        for case in cases[k:] + cases[:k]:
            runs[case["slug"]].append(one(case, str(i + 1), f"run {i + 1}/{args.runs}"))
    load_after = load_average()

    for case in cases:
        rs = runs[case["slug"]]
        walls = [r["wall_s"] for r in rs]
        median = statistics.median(walls)
        result = {
            "tool": case["tool"],
            "label": case["label"],
            "scenario": case["scenario"],
            "command": shlex.join(case["cmd"]),
            "bytes": case["bytes"],
            "runs": rs,
            "warmup_runs": warmups[case["slug"]],
            "median_s": median,
            "min_s": min(walls),
            "max_s": max(walls),
            "mb_per_s": case["bytes"] / MB / median if median > 0 else None,
            "peak_rss_mb": max(r["max_rss_kb"] for r in rs) * 1024 / MB,
            "median_cpu_s": statistics.median(r["user_s"] + r["sys_s"] for r in rs),
            "load_before": load_before,
            "load_after": load_after,
            "counts": COUNTERS[case.get("counter") or case["tool"]](Path(case["findings_file"])),
        }
        out = outdir / f"{case['slug']}.result.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(out)


# --------------------------------------------------------------------------- report


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        m = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        mem_kb = int(m.group(1)) if m else 0
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "mem_gib": mem_kb / 1024 / 1024,
        "kernel": platform.release(),
    }


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def fmt_findings(c: dict) -> str:
    return f"{c['findings']:,} ({c['locations']:,} locations)"


def ratio_line(rp: dict, peer: dict) -> str:
    by_cpu = peer["median_cpu_s"] / rp["median_cpu_s"] if rp["median_cpu_s"] > 0 else float("nan")
    return (
        f"rampart is **{peer['median_s'] / rp['median_s']:.2f}x** {peer['label']} in throughput "
        f"({by_cpu:.2f}x by CPU time), with {rp['peak_rss_mb'] / peer['peak_rss_mb']:.2f}x its peak memory"
    )


def cmd_report(args: argparse.Namespace) -> None:
    corpus = json.loads(Path(args.corpus_info).read_text())
    history = json.loads(Path(args.history_info).read_text()) if args.history_info else None
    results = [json.loads(Path(p).read_text()) for p in args.results]
    versions = dict(v.split("=", 1) for v in args.version)
    notes = dict(n.split("=", 1) for n in args.note)
    m = machine()
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    scenarios = [("files", "Directory scan"), ("history", "Git history scan")]

    lines: list[str] = []
    w = lines.append
    w("# Secret scanning: rampart vs Kingfisher")
    w("")
    w(f"Generated by `bash bench/secrets.sh` on {now}. The machines are noisy: quote the ratios, not the seconds.")
    w("")

    headline = []
    for key, title in scenarios:
        rows = [r for r in results if r["scenario"] == key]
        rp = next((r for r in rows if r["tool"] == "rampart"), None)
        if rp is None:
            continue
        for peer in rows:
            if peer["tool"] != "rampart":
                headline.append(f"- {title}: {ratio_line(rp, peer)}.")
    if headline:
        w("## Headline")
        w("")
        lines.extend(headline)
        w("")
        w(f"Ratios of medians over {plural(args.runs, 'run')}. The like-for-like row is `kingfisher`; "
          "`kingfisher (defaults)` also looks inside archives and binary files, which rampart does not.")
        w("")

    w("## Setup")
    w("")
    w(f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem_gib']:.1f} GiB memory, Linux {m['kernel']}")
    for tool, v in versions.items():
        w(f"- {tool}: `{v}`")
    w(f"- Threads: {args.jobs} for every tool; {plural(args.runs, 'timed run')} of each after "
      f"{plural(args.warmup, 'warm-up run')}, so the page cache is warm and Kingfisher's compiled rule cache exists")
    w("- Wall clock is measured around each process; peak RSS is the largest over the timed runs (GNU `time -v`); "
      "CPU is user + system time, median over the runs")
    w("- The timed runs of one scenario are interleaved (round-robin, order rotated each round), so load "
      "from other processes falls on every tool alike; \"by CPU time\" is the throughput ratio computed from "
      "user + system seconds instead, which other load disturbs less")
    w("- MB = 10^6 bytes; MB/s = input bytes / median wall time, the same input bytes for every tool")
    w("")

    w("## Corpus")
    w("")
    w(f"`{corpus['path']}`: **{corpus['bytes'] / MB:.1f} MB in {corpus['files']:,} files**, the extracted source "
      "distributions below, pinned by version and sha256 in `bench/corpora/pypi-sdists.txt`.")
    w("")
    w("| package | version | MB | files |")
    w("| --- | --- | ---: | ---: |")
    for p in corpus["packages"]:
        w(f"| {p['name']} | {p['version']} | {p['bytes'] / MB:.1f} | {p['files']:,} |")
    w("")
    if history:
        w(f"History repository `{history['path']}` (bare, no work tree): **{history['commits']:,} commits** replaying "
          f"{', '.join(history['versions'])} (`bench/corpora/history-sdists.txt`), {history['batch']} files a "
          f"commit; {history['blobs']:,} distinct blobs holding {history['blob_bytes'] / MB:.1f} MB, "
          f"{history['pack_bytes'] / MB:.1f} MB packed. Its MB/s counts the distinct blob bytes.")
        w("")

    for key, title in scenarios:
        rows = [r for r in results if r["scenario"] == key]
        if not rows:
            continue
        w(f"## {title}")
        w("")
        w("| tool | median s | min–max s | MB/s | CPU s | peak RSS MB | findings |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
        for r in rows:
            w(f"| {r['label']} | {r['median_s']:.2f} | {r['min_s']:.2f}–{r['max_s']:.2f} | "
              f"{r['mb_per_s']:.1f} | {r['median_cpu_s']:.1f} | {r['peak_rss_mb']:.0f} | {fmt_findings(r['counts'])} |")
        w("")
        rp = next((r for r in rows if r["tool"] == "rampart"), None)
        bullets = len(lines)
        if rp is not None:
            for peer in rows:
                if peer["tool"] != "rampart":
                    w(f"- {ratio_line(rp, peer)}.")
            c = rp["counts"]
            if c.get("files_scanned") is not None:
                w(f"- rampart's own stats: {c['files_scanned']:,} files / {(c.get('bytes_scanned') or 0) / MB:.1f} MB "
                  f"scanned, {c.get('skipped_binary') or 0:,} skipped as binary, "
                  f"{c.get('skipped_too_large') or 0:,} as too large.")
                expected = corpus["files"] if key == "files" else (history or {}).get("blobs", 0)
                if c["files_scanned"] + (c.get("skipped_binary") or 0) < expected * 0.9:
                    w(f"- **Warning**: rampart accounted for fewer than 90% of the {expected:,} "
                      f"{'files' if key == 'files' else 'distinct blobs'} of the input.")
        for peer in rows:
            c = peer["counts"]
            if peer["tool"] == "kingfisher" and c.get("bytes_scanned") is not None:
                w(f"- {peer['label']}'s own stats: {c.get('blobs_scanned', 0):,} blobs / "
                  f"{c['bytes_scanned'] / MB:.1f} MB scanned.")
        if len(lines) > bullets:
            w("")
        w(f"Load average (1, 5, 15 min) before the runs: {rows[0].get('load_before', '?')}; "
          f"after: {rows[0].get('load_after', '?')}.")
        w("")
        w("Commands, run from the repository root:")
        w("")
        w("```sh")
        for r in rows:
            w(r["command"])
        w("```")
        w("")

    w("## Reading the findings column")
    w("")
    w("- rampart: `findings` is `.findings | length` (one finding per rule and secret value), "
      "`locations` the sum of their `locations`.")
    w("- Kingfisher: `locations` is the number of entries in its JSON `findings` (one per rule, secret and place, "
      "after its default de-duplication); `findings` folds those by rule and secret value, as rampart does.")
    w("- The tools ship different rules and filters, so the counts show how noisy each is on ordinary code, "
      "not which one is right.")
    for k, v in notes.items():
        w(f"- {k}: {v}")
    w("")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines).rstrip("\n") + "\n")
    log(f"wrote {args.out}")


# --------------------------------------------------------------------------- report: sca


def fmt_ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:,.0f}" if ms >= 10 else f"{ms:.1f}"


def zip_info(path: Path) -> dict:
    with zipfile.ZipFile(path) as z:
        advisories = sum(1 for n in z.namelist() if n.endswith(".json"))
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": sha256_file(path), "advisories": advisories}


def fmt_found(r: dict) -> str:
    c = r["counts"]
    if "output_bytes" in c:
        return f"database {c['output_bytes'] / MB:.1f} MB" if c["output_bytes"] else "-"
    def n(count: int, noun: str) -> str:
        return f"{count:,} {noun}" + ("" if count == 1 else "s")

    where = f"{n(c['packages'], 'package')}, {n(c['advisory_pairs'], 'package×advisory pair')}"
    if "warnings" in c:
        warned = sum(c["warnings"].values())
        kinds = ", ".join(f"{k} {name}" for name, k in c["warnings"].items() if k)
        return (f"{n(c['findings'], 'vulnerability').replace('vulnerabilitys', 'vulnerabilities')} + "
                f"{n(warned, 'warning')}" + (f" ({kinds})" if kinds else "") + f"; {where}")
    return f"{n(c['findings'], 'finding')}; {where}"


def fmt_cpu_ms(seconds: float) -> str:
    """GNU time counts CPU in hundredths of a second."""
    return "<10" if seconds < 0.01 else fmt_ms(seconds)


def cmd_report_sca(args: argparse.Namespace) -> None:
    results = [json.loads(Path(p).read_text()) for p in args.results]
    lockfile = json.loads(Path(args.lockfile_info).read_text())
    repo = json.loads(Path(args.repo_info).read_text())
    advisory_db = json.loads(Path(args.advisory_db_info).read_text()) if args.advisory_db_info else None
    zips = [zip_info(Path(z)) for z in args.osv]
    versions = dict(v.split("=", 1) for v in args.version)
    notes = dict(n.split("=", 1) for n in args.note)
    m = machine()
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    small = json.loads(Path(args.small_info).read_text()) if args.small_info else None
    scenarios = [
        ("import", "Import of the conformance advisories"),
        ("small", "Fixed cost: a Cargo.lock of one package"),
        ("lockfile", f"One Cargo.lock of {lockfile['packages']:,} packages"),
        ("repo", f"A repository of {repo['lockfiles']} lockfiles"),
    ]
    by = {(r["scenario"], r["label"]): r for r in results}
    rp = by.get(("lockfile", "rampart"))
    ca = by.get(("lockfile", "cargo-audit"))

    lines: list[str] = []
    w = lines.append
    w("# Dependency scanning: rampart vs cargo-audit")
    w("")
    w(f"Generated by `bash bench/sca.sh` on {now}. The machines are noisy: quote the ratios, not the milliseconds.")
    w("")

    w("## Targets")
    w("")
    w("| target | measured | met |")
    w("| --- | --- | --- |")
    rc = by.get(("lockfile", "rampart (result cache)"))
    for row, how in ((rp, "every run parses and matches (`--no-cache`)"), (rc, "result cache on")):
        if row:
            first = row["warmup_runs"][0]["wall_s"] if row.get("warmup_runs") else None
            first_txt = f", first run {fmt_ms(first)} ms" if first is not None else ""
            met = "**yes**" if row["median_s"] * 1000 < args.target_ms else "**no**"
            w(f"| a {lockfile['packages']:,}-package Cargo.lock scanned in under {args.target_ms:g} ms after the first run, {how} "
              f"| median {fmt_ms(row['median_s'])} ms over {plural(len(row['runs']), 'run')}{first_txt} | {met} |")
        if row and ca:
            ratio = ca["median_s"] / row["median_s"]
            cpu_ratio = ca["median_cpu_s"] / row["median_cpu_s"] if row["median_cpu_s"] > 0 else float("nan")
            met = "**yes**" if ratio >= args.target_ratio else "**no**"
            w(f"| at least {args.target_ratio:g}x faster than cargo-audit on the same Cargo.lock, {how} | "
              f"**{ratio:.2f}x** by wall time ({fmt_ms(row['median_s'])} vs {fmt_ms(ca['median_s'])} ms), "
              f"{cpu_ratio:.2f}x by CPU time | {met} |")
    if not rp:
        w(f"| a {lockfile['packages']:,}-package Cargo.lock scanned in under {args.target_ms:g} ms after the first run | not measured | - |")
    if not ca:
        why = args.peer_missing or "cargo-audit was not run"
        w(f"| at least {args.target_ratio:g}x faster than cargo-audit on the same Cargo.lock | not measured: {why} | - |")
    w("")
    w("\"Faster\" is cargo-audit's median wall time divided by rampart's; \"after the first run\" means the "
      "median of the timed runs, which follow an untimed first run (its time is shown as \"first run\"). "
      "cargo-audit has no result cache; with `--no-cache` rampart does the whole work on every run, as cargo-audit does.")
    w("")
    if args.peer_missing:
        w("**cargo-audit could not be compared.** " + args.peer_missing)
        w("")

    w("## Setup")
    w("")
    w(f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem_gib']:.1f} GiB memory, Linux {m['kernel']}")
    for tool, v in versions.items():
        w(f"- {tool}: `{v}`")
    w(f"- Threads: rampart `-j {args.jobs}`; cargo-audit has no thread option and scans on one thread. "
      f"{plural(args.runs, 'timed run')} of each command after {plural(args.warmup, 'untimed first run')}, "
      "interleaved round-robin so that load from other processes falls on every tool alike")
    w("- Wall clock is measured around each process (start-up, opening the database, parsing, matching and "
      "writing the JSON report all count); CPU is user + system time (median); peak RSS from GNU `time -v`")
    w("- Everything is offline: rampart reads its imported database, cargo-audit runs with `--no-fetch --no-yanked`")
    w("")

    w("## Inputs")
    w("")
    w("Advisory data, from the conformance folder:")
    w("")
    w("| zip | MB | advisories | sha256 |")
    w("| --- | ---: | ---: | --- |")
    for z in zips:
        w(f"| {z['name']} | {z['bytes'] / MB:.1f} | {z['advisories']:,} | `{z['sha256'][:16]}…` |")
    w("")
    w(f"- **Cargo.lock** (`{lockfile['path']}`, {lockfile['bytes'] / MB:.2f} MB): {lockfile['packages']:,} `[[package]]` "
      f"entries, a root crate and {lockfile['registry_packages']:,} crates.io packages of {lockfile['crates']:,} crates "
      f"named by the RustSec advisories; {lockfile['advisory_versions']:,} versions are ones the advisories name "
      f"(introduced, fixed, and the release before each fix), {lockfile['filler_versions']:,} are later patch releases "
      "that no advisory affects. Every package has a checksum and is reachable from the root through `dependencies`.")
    fmts = ", ".join(f"{b['files']} {f} ({b['packages']:,} packages)" for f, b in repo["by_format"].items())
    w(f"- **Repository** (`{repo['path']}`, its own git repository): {repo['lockfiles']} lockfiles holding "
      f"{repo['packages']:,} packages, {repo['bytes'] / MB:.2f} MB: {fmts}, plus a README in each service. "
      "Crate names and versions as above; PyPI names with versions from PyPI-all.zip and Go modules with versions "
      "from Go-all.zip, three pins in four a fixed version.")
    if advisory_db:
        skipped = advisory_db.get("skipped") or []
        w(f"- **cargo-audit's database** (`{advisory_db['path']}`): the {advisory_db['advisories']:,} OSV advisories of "
          "crates.io-all.zip converted to the advisory-db layout (`crates/<name>/<ID>.md`, TOML front matter with "
          "`[advisory]` id, package, date, url, aliases, categories, cvss, informational, withdrawn, and `[versions]` "
          "patched/unaffected as the complement of the OSV ranges), committed to a git repository"
          + (f"; {len(skipped)} skipped: " + ", ".join(f"{x['id']} ({x['why']})" for x in skipped) if skipped else "")
          + ".")
    w("- All inputs are generated by `bench/sca_inputs.py` from the zips alone, so the same zips give the same files.")
    w("")

    for key, title in scenarios:
        rows = [r for r in results if r["scenario"] == key]
        if not rows:
            continue
        w(f"## {title}")
        w("")
        if key == "import":
            w("| tool | median ms | min–max ms | first run ms | CPU ms | peak RSS MB | advisories/s | output |")
        else:
            w("| tool | median ms | min–max ms | first run ms | CPU ms | peak RSS MB | packages/s | found |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for r in rows:
            first = fmt_ms(r["warmup_runs"][0]["wall_s"]) if r.get("warmup_runs") else "-"
            if key == "import":
                rate = sum(z["advisories"] for z in zips) / r["median_s"]
            elif key == "lockfile":
                rate = lockfile["packages"] / r["median_s"]
            elif key == "small":
                rate = (small or {}).get("packages", 0) / r["median_s"]
            else:
                part = re.search(r"\((\w+)/ only\)", r["label"])
                sub = next((b for b in repo["by_format"].values() if part and b.get("dir") == part.group(1)), None)
                rate = (sub or repo)["packages"] / r["median_s"]
            w(f"| {r['label']} | {fmt_ms(r['median_s'])} | {fmt_ms(r['min_s'])}–{fmt_ms(r['max_s'])} | {first} | "
              f"{fmt_cpu_ms(r['median_cpu_s'])} | {r['peak_rss_mb']:.0f} | {rate:,.0f} | {fmt_found(r)} |")
        w("")
        if key == "lockfile" and rp and ca:
            w(f"- rampart is **{ca['median_s'] / rp['median_s']:.2f}x** cargo-audit by wall time, "
              f"{ca['median_cpu_s'] / rp['median_cpu_s']:.2f}x by CPU time, with "
              f"{rp['peak_rss_mb'] / ca['peak_rss_mb']:.2f}x its peak memory.")
            one = by.get(("lockfile", f"rampart (-j 1)"))
            if one:
                w(f"- On one thread, as cargo-audit runs, rampart is **{ca['median_s'] / one['median_s']:.2f}x** cargo-audit.")
            a, b = rp["counts"], ca["counts"]
            same = (a["packages"], a["advisory_pairs"]) == (b["packages"], b["advisory_pairs"])
            w(f"- Agreement: rampart flagged {a['packages']:,} packages ({a['advisory_pairs']:,} package×advisory pairs), "
              f"cargo-audit {b['packages']:,} ({b['advisory_pairs']:,}, its vulnerabilities and informational warnings "
              "together)" + (": the same work done, with the same answer." if same else
                             ". The counts differ: compare the two JSON reports in `bench/work/sca/out/` before "
                             "quoting the ratio."))
            w("")
        if key == "small" and small:
            w(f"- `{small['path']}`: {small['packages']} `[[package]]` entries. What a run costs before the first "
              "package: process start-up, opening the advisory database (cargo-audit parses every advisory file "
              "of its database; rampart reads the header of its database file) and writing the report.")
            w("")
        if key == "repo" and len(rows) > 1:
            w("- The `(X/ only)` rows scan one top-level folder of the repository, one ecosystem each, to show where "
              "the time goes.")
            w("")
        if key == "import":
            w(f"- The database is deleted before every run, so each run is a fresh import of the {len(zips)} zips "
              f"({sum(z['advisories'] for z in zips):,} advisories).")
            w("")
        w(f"Load average (1, 5, 15 min) before the runs: {rows[0].get('load_before', '?')}; "
          f"after: {rows[0].get('load_after', '?')}.")
        w("")
        w("Commands, run from the repository root:")
        w("")
        w("```sh")
        for r in rows:
            w(r["command"])
        w("```")
        w("")

    if notes:
        w("## Notes")
        w("")
        for k, v in notes.items():
            w(f"- {k}: {v}")
        w("")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines).rstrip("\n") + "\n")
    log(f"wrote {args.out}")


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("corpus", help="download, verify and extract the pinned sdists")
    p.add_argument("--manifest", required=True)
    p.add_argument("--downloads", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--info", required=True, help="where to write the corpus description (JSON)")
    p.add_argument("--min-bytes", type=int, default=0)
    p.set_defaults(func=cmd_corpus)

    p = sub.add_parser("history", help="build a bare git repository replaying package versions")
    p.add_argument("--manifest", required=True)
    p.add_argument("--downloads", required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--info", required=True)
    p.add_argument("--batch", type=int, default=3, help="files per commit")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("count", help="count findings in a tool's JSON output")
    p.add_argument("format", choices=sorted(COUNTERS))
    p.add_argument("file")
    p.set_defaults(func=cmd_count)

    p = sub.add_parser("plan-add", help="append a command to time to a plan file")
    p.add_argument("--plan", required=True)
    p.add_argument("--tool", required=True, help="the tool's name; also the output format unless --counter")
    p.add_argument("--counter", choices=sorted(COUNTERS), help="how to read the output (default: --tool)")
    p.add_argument("--findings-from-stdout", action="store_true",
                   help="the command prints its report: keep standard output as the findings file")
    p.add_argument("--remove-before", action="append", default=[], metavar="PATH",
                   help="delete PATH before every run (e.g. a database an import must create afresh)")
    p.add_argument("--label", help="name in the report (default: the tool)")
    p.add_argument("--scenario", required=True)
    p.add_argument("--bytes", type=int, required=True, help="input size, for MB/s")
    p.add_argument("--expect-exit", type=int, action="append")
    p.add_argument("--findings-file", required=True, help="the JSON the command writes")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_plan_add)

    p = sub.add_parser("run-plan", help="time every command of a plan, interleaved")
    p.add_argument("--plan", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--logdir", required=True)
    p.add_argument("--outdir", required=True, help="one <scenario>-<label>.result.json per command")
    p.set_defaults(func=cmd_run_plan)

    p = sub.add_parser("report-secrets", help="write the Markdown report")
    p.add_argument("--corpus-info", required=True)
    p.add_argument("--history-info")
    p.add_argument("--version", action="append", default=[], help="TOOL=VERSION")
    p.add_argument("--note", action="append", default=[], help="TOPIC=TEXT, listed at the end")
    p.add_argument("--jobs", required=True)
    p.add_argument("--runs", type=int, required=True)
    p.add_argument("--warmup", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("results", nargs="+")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("report-sca", help="write the Markdown report of bench/sca.sh")
    p.add_argument("--lockfile-info", required=True)
    p.add_argument("--repo-info", required=True)
    p.add_argument("--advisory-db-info")
    p.add_argument("--small-info", help="the one-package Cargo.lock of the fixed-cost scenario")
    p.add_argument("--osv", action="append", default=[], help="an OSV zip the inputs came from")
    p.add_argument("--peer-missing", help="why cargo-audit could not be compared")
    p.add_argument("--target-ms", type=float, default=100)
    p.add_argument("--target-ratio", type=float, default=10)
    p.add_argument("--version", action="append", default=[], help="TOOL=VERSION")
    p.add_argument("--note", action="append", default=[], help="TOPIC=TEXT, listed at the end")
    p.add_argument("--jobs", required=True)
    p.add_argument("--runs", type=int, required=True)
    p.add_argument("--warmup", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("results", nargs="*")
    p.set_defaults(func=cmd_report_sca)

    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
