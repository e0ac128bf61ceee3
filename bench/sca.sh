#!/usr/bin/env bash
# Benchmark of dependency scanning: rampart against cargo-audit, on inputs generated from the
# OSV zips of the conformance folder (../shared/conformance beside the repository). Writes
# bench/results/sca.md.
#
#   bash bench/sca.sh                  # from the repository root
#   RUNS=40 JOBS=2 bash bench/sca.sh   # more runs, fixed thread count
#
# Environment:
#   RUNS         timed runs per command (default 20: the runs are short and the machines noisy)
#   WARMUP       untimed runs before them (default 1; the first one is reported as "first run")
#   JOBS         rampart's scanning threads (default: nproc); cargo-audit has one
#   TOOLS        which tools to run (default "rampart cargo-audit")
#   SCENARIOS    which scenarios to run (default "import small lockfile repo")
#   PACKAGES     crates.io packages in the large Cargo.lock (default 5000)
#   CONFORMANCE  the conformance folder (default ../shared/conformance from the repository root)
#   OUT          the report (default bench/results/sca.md)
#   RAMPART_BIN  a rampart binary to use instead of building target/release/rampart
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${RUNS:-20}
WARMUP=${WARMUP:-1}
JOBS=${JOBS:-$(nproc)}
TOOLS=${TOOLS:-rampart cargo-audit}
SCENARIOS=${SCENARIOS:-import small lockfile repo}
PACKAGES=${PACKAGES:-5000}
CONFORMANCE=${CONFORMANCE:-../shared/conformance}
OUT=${OUT:-bench/results/sca.md}

CARGO_AUDIT_VERSION=0.22.2
# The targets the report checks the numbers against.
TARGET_MS=100
TARGET_RATIO=10

WORK=bench/work/sca
RUN_DIR=$WORK/out
CARGO_AUDIT_ROOT=bench/.cargo-audit
CARGO_AUDIT=$CARGO_AUDIT_ROOT/bin/cargo-audit
RAMPART=${RAMPART_BIN:-${CARGO_TARGET_DIR:-target}/release/rampart}
PY=python3

OSV=$CONFORMANCE/osv
ZIPS=("$OSV/crates.io-all.zip" "$OSV/PyPI-all.zip" "$OSV/Go-all.zip")
BIG_LOCK=$WORK/big/Cargo.lock
SMALL_LOCK=$WORK/small/Cargo.lock
REPO=$WORK/repo
ADVISORY_DB=$WORK/advisory-db
SCAN_DB=$WORK/rampart.db
IMPORT_DB=$RUN_DIR/import.db

step() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
has() { [[ " $1 " == *" $2 "* ]]; }

install_apt() {
    local pkg=$1
    if [[ $(id -u) -ne 0 ]]; then
        die "$pkg is missing: install it (apt-get install -y $pkg) and run again"
    fi
    step "installing $pkg (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
}

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer, got '$WARMUP'"
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "JOBS must be a positive integer, got '$JOBS'"
[[ $PACKAGES =~ ^[1-9][0-9]*$ ]] || die "PACKAGES must be a positive integer, got '$PACKAGES'"
command -v "$PY" >/dev/null || die "python3 is required"
command -v git >/dev/null || die "git is required"

# Every input is generated from the conformance zips, so without them there is nothing to time;
# the previous report is left as it is.
missing=()
for z in "${ZIPS[@]}"; do [[ -f $z ]] || missing+=("$z"); done
if [[ ${#missing[@]} -gt 0 ]]; then
    printf 'skipped: the conformance data is absent (%s missing); set CONFORMANCE to the folder that has osv/*-all.zip. %s was not changed.\n' \
        "${missing[*]}" "$OUT" >&2
    exit 0
fi

# GNU time, not the shell keyword: it is what reports peak RSS.
[[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1 || install_apt time

mkdir -p "$WORK" "$(dirname "$OUT")"

# ------------------------------------------------------------------ tools
if has "$TOOLS" rampart; then
    if [[ -z ${RAMPART_BIN:-} ]]; then
        step "building rampart (cargo build --release)"
        cargo build --release --quiet ||
            die "cargo build --release failed; TOOLS=cargo-audit runs the cargo-audit half alone"
    fi
    [[ -x $RAMPART ]] || die "$RAMPART not found after the build"
    "$RAMPART" scan deps --help >/dev/null 2>&1 || die "$RAMPART has no 'scan deps' command yet"
    "$RAMPART" db import --help >/dev/null 2>&1 || die "$RAMPART has no 'db import' command yet"
fi

# Set when cargo-audit was asked for but cannot be run; the report says why.
PEER_MISSING=""
if has "$TOOLS" cargo-audit; then
    if [[ -x $CARGO_AUDIT ]] && [[ $("$CARGO_AUDIT" --version 2>/dev/null) == "cargo-audit $CARGO_AUDIT_VERSION" ]]; then
        step "cargo-audit $CARGO_AUDIT_VERSION already installed in $CARGO_AUDIT_ROOT"
    else
        step "installing cargo-audit $CARGO_AUDIT_VERSION into $CARGO_AUDIT_ROOT (compiles for a few minutes)"
        if ! cargo install cargo-audit --version "$CARGO_AUDIT_VERSION" --locked --root "$CARGO_AUDIT_ROOT" \
            >"$WORK/cargo-audit-install.log" 2>&1; then
            PEER_MISSING="\`cargo install cargo-audit --version $CARGO_AUDIT_VERSION --locked\` failed: $(tail -n 3 "$WORK/cargo-audit-install.log" | tr '\n' ' ')"
        fi
    fi
fi

# ------------------------------------------------------------------ inputs
step "inputs: a Cargo.lock of $PACKAGES crates.io packages, one of 1, a repository of mixed lockfiles"
"$PY" bench/sca_inputs.py cargo-lock --osv "$OSV/crates.io-all.zip" --packages "$PACKAGES" \
    --out "$BIG_LOCK" --info "$WORK/big.json"
"$PY" bench/sca_inputs.py cargo-lock --osv "$OSV/crates.io-all.zip" --packages 1 \
    --out "$SMALL_LOCK" --info "$WORK/small.json"
"$PY" bench/sca_inputs.py mixed-repo --osv-dir "$OSV" --out "$REPO" --info "$WORK/repo.json"

if has "$TOOLS" rampart; then
    step "rampart's database for the scans: $SCAN_DB"
    rm -f "$SCAN_DB"
    "$RAMPART" db import "${ZIPS[@]}" --db "$SCAN_DB" >&2
    "$RAMPART" db status --db "$SCAN_DB" >&2
fi

ADVISORY_DB_ARGS=()
if has "$TOOLS" cargo-audit && [[ -z $PEER_MISSING ]]; then
    step "cargo-audit's database: crates.io-all.zip as a RustSec advisory-db checkout in $ADVISORY_DB"
    "$PY" bench/sca_inputs.py advisory-db --osv "$OSV/crates.io-all.zip" --out "$ADVISORY_DB" \
        --info "$WORK/advisory-db.json"
    ADVISORY_DB_ARGS=(--advisory-db-info "$WORK/advisory-db.json")
    # One trial run, so that a database cargo-audit rejects is reported rather than aborting the
    # benchmark. Exit 1 only means it found vulnerabilities.
    set +e
    "$CARGO_AUDIT" audit --db "$ADVISORY_DB" --no-fetch --no-yanked --json --file "$BIG_LOCK" \
        >"$WORK/cargo-audit-trial.json" 2>"$WORK/cargo-audit-trial.err"
    rc=$?
    set -e
    if [[ $rc -gt 1 ]] || ! "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))["vulnerabilities"]' \
        "$WORK/cargo-audit-trial.json" 2>/dev/null; then
        PEER_MISSING="cargo-audit $CARGO_AUDIT_VERSION exited $rc on the converted database: $(tail -n 5 "$WORK/cargo-audit-trial.err" | tr '\n' ' ')"
    fi
fi
if [[ -n $PEER_MISSING ]]; then
    printf 'warning: cargo-audit is left out: %s\n' "$PEER_MISSING" >&2
fi

# ------------------------------------------------------------------ runs
rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR/logs"
RESULTS=()

# plan SCENARIO TOOL LABEL OUTPUT_FILE [plan-add options...] -- COMMAND...
plan() {
    local scenario=$1 tool=$2 label=$3 output=$4
    shift 4
    local opts=()
    while [[ $1 != -- ]]; do opts+=("$1"); shift; done
    shift
    "$PY" bench/bench.py plan-add --plan "$RUN_DIR/$scenario.plan" \
        --tool "$tool" --label "$label" --scenario "$scenario" --bytes 0 \
        --findings-file "$output" "${opts[@]}" -- "$@"
}

run_plan() {
    local scenario=$1
    [[ -s $RUN_DIR/$scenario.plan ]] || return 0
    step "$scenario: $WARMUP untimed + $RUNS timed runs of each command, interleaved"
    "$PY" bench/bench.py run-plan --plan "$RUN_DIR/$scenario.plan" \
        --runs "$RUNS" --warmup "$WARMUP" --logdir "$RUN_DIR/logs" --outdir "$RUN_DIR" \
        >"$RUN_DIR/$scenario.results"
    local r
    while IFS= read -r r; do RESULTS+=("$r"); done <"$RUN_DIR/$scenario.results"
}

# rampart's result cache answers a lockfile it has checked against the same database before.
# The rows labelled plain `rampart` turn it off (--no-cache), so every run parses and matches
# the whole lockfile; the `(result cache)` rows keep it on, filled by their untimed first run.
export RAMPART_CACHE_DIR=$WORK/cache
rm -rf "$RAMPART_CACHE_DIR"
RAMPART_SCAN=(--format json --fail-on none --quiet --no-cache)
RAMPART_CACHED=(--format json --fail-on none --quiet)

if has "$SCENARIOS" import && has "$TOOLS" rampart; then
    plan import rampart rampart "$IMPORT_DB" --counter file-size --remove-before "$IMPORT_DB" -- \
        "$RAMPART" db import "${ZIPS[@]}" --db "$IMPORT_DB"
fi

# The same commands on a lockfile of one package: the cost of a run before its first package.
if has "$SCENARIOS" small; then
    if has "$TOOLS" rampart; then
        out=$RUN_DIR/small-rampart.json
        plan small rampart rampart "$out" --counter rampart-deps -- \
            "$RAMPART" scan deps "$SMALL_LOCK" --db "$SCAN_DB" "${RAMPART_SCAN[@]}" --output "$out" -j "$JOBS"
    fi
    if has "$TOOLS" cargo-audit && [[ -z $PEER_MISSING ]]; then
        out=$RUN_DIR/small-cargo-audit.json
        plan small cargo-audit cargo-audit "$out" --findings-from-stdout --expect-exit 0 --expect-exit 1 -- \
            "$CARGO_AUDIT" audit --db "$ADVISORY_DB" --no-fetch --no-yanked --json --file "$SMALL_LOCK"
    fi
fi

if has "$SCENARIOS" lockfile; then
    if has "$TOOLS" rampart; then
        out=$RUN_DIR/lockfile-rampart.json
        plan lockfile rampart rampart "$out" --counter rampart-deps -- \
            "$RAMPART" scan deps "$BIG_LOCK" --db "$SCAN_DB" "${RAMPART_SCAN[@]}" --output "$out" -j "$JOBS"
        out=$RUN_DIR/lockfile-rampart-cached.json
        plan lockfile rampart "rampart (result cache)" "$out" --counter rampart-deps -- \
            "$RAMPART" scan deps "$BIG_LOCK" --db "$SCAN_DB" "${RAMPART_CACHED[@]}" --output "$out" -j "$JOBS"
        # cargo-audit scans on one thread; this row is rampart held to the same.
        if [[ $JOBS != 1 ]]; then
            out=$RUN_DIR/lockfile-rampart-j1.json
            plan lockfile rampart "rampart (-j 1)" "$out" --counter rampart-deps -- \
                "$RAMPART" scan deps "$BIG_LOCK" --db "$SCAN_DB" "${RAMPART_SCAN[@]}" --output "$out" -j 1
        fi
    fi
    if has "$TOOLS" cargo-audit && [[ -z $PEER_MISSING ]]; then
        out=$RUN_DIR/lockfile-cargo-audit.json
        # Exit 1 is cargo-audit's "vulnerabilities found".
        plan lockfile cargo-audit cargo-audit "$out" --findings-from-stdout --expect-exit 0 --expect-exit 1 -- \
            "$CARGO_AUDIT" audit --db "$ADVISORY_DB" --no-fetch --no-yanked --json --file "$BIG_LOCK"
    fi
fi

if has "$SCENARIOS" repo && has "$TOOLS" rampart; then
    out=$RUN_DIR/repo-rampart.json
    plan repo rampart rampart "$out" --counter rampart-deps -- \
        "$RAMPART" scan deps "$REPO" --db "$SCAN_DB" "${RAMPART_SCAN[@]}" --output "$out" -j "$JOBS"
    out=$RUN_DIR/repo-rampart-cached.json
    plan repo rampart "rampart (result cache)" "$out" --counter rampart-deps -- \
        "$RAMPART" scan deps "$REPO" --db "$SCAN_DB" "${RAMPART_CACHED[@]}" --output "$out" -j "$JOBS"
    # One ecosystem at a time, to show which part of the whole the time goes to.
    for part in rust python go; do
        out=$RUN_DIR/repo-rampart-$part.json
        plan repo rampart "rampart ($part/ only)" "$out" --counter rampart-deps -- \
            "$RAMPART" scan deps "$REPO/$part" --db "$SCAN_DB" "${RAMPART_SCAN[@]}" --output "$out" -j "$JOBS"
    done
fi

run_plan import
run_plan small
run_plan lockfile
run_plan repo

[[ ${#RESULTS[@]} -gt 0 ]] || die "nothing was run: check TOOLS='$TOOLS' and SCENARIOS='$SCENARIOS'"

# ------------------------------------------------------------------ report
step "writing $OUT"
VERSIONS=()
if has "$TOOLS" rampart; then
    VERSIONS+=(--version "rampart=$("$RAMPART" --version)")
    if [[ -z ${RAMPART_BIN:-} ]]; then
        VERSIONS+=(--version "rampart source=$(git describe --always --dirty 2>/dev/null || echo unknown)")
    fi
    VERSIONS+=(--version "rustc=$(rustc --version)")
fi
if has "$TOOLS" cargo-audit && [[ -x $CARGO_AUDIT ]]; then
    VERSIONS+=(--version "cargo-audit=$("$CARGO_AUDIT" --version)")
fi
VERSIONS+=(--version "python3=$("$PY" --version)")

PEER_ARGS=()
[[ -n $PEER_MISSING ]] && PEER_ARGS=(--peer-missing "$PEER_MISSING")
ZIP_ARGS=()
for z in "${ZIPS[@]}"; do ZIP_ARGS+=(--osv "$z"); done

"$PY" bench/bench.py report-sca \
    --lockfile-info "$WORK/big.json" --small-info "$WORK/small.json" --repo-info "$WORK/repo.json" \
    "${ADVISORY_DB_ARGS[@]}" \
    "${ZIP_ARGS[@]}" "${PEER_ARGS[@]}" --target-ms "$TARGET_MS" --target-ratio "$TARGET_RATIO" \
    "${VERSIONS[@]}" \
    --note "cargo-audit=built from crates.io source by \`cargo install cargo-audit --version $CARGO_AUDIT_VERSION --locked --root $CARGO_AUDIT_ROOT\`, cached there between runs" \
    --note "cargo-audit's yanked check=off (\`--no-yanked\`): it needs the crates.io index, which is network access and which rampart does not consult" \
    --note "the repository scenario=rampart only: cargo-audit reads Cargo.lock files alone, one per process" \
    --note "where the time goes=instruction counts (\`valgrind --tool=callgrind\`, one thread, \`--no-cache\`, measured 2026-11-22 on the 5,001-package Cargo.lock): 374M in all; reading Cargo.lock with the \`toml\` crate's span-keeping parser 32%, database lookups (reading and parsing the slimmed records, compiling matchers) 15%, writing the 1.4 MB JSON report 10%, the rest matching, fingerprints and start-up. With the result cache: 206M, most of it hashing the lockfile for the cache key and writing the report" \
    --note "what changed=the first version of this benchmark measured 146 ms and 1.06x cargo-audit: every comparison re-parsed both versions, each lookup parsed whole OSV records, and opening the database parsed a JSON index. Versions are now parsed once per lookup, records are slimmed at import and the index is binary" \
    --jobs "$JOBS" --runs "$RUNS" --warmup "$WARMUP" \
    --out "$OUT" \
    "${RESULTS[@]}"

sed -n '/^## Targets/,/^## Setup/p' "$OUT" | sed '$d' >&2 || true
printf '\nreport: %s\n' "$OUT" >&2
