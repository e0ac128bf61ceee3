#!/usr/bin/env bash
# Side-by-side benchmark of secret scanning: rampart against Kingfisher, on a pinned corpus of
# PyPI source distributions and on a synthetic git history. Writes bench/results/secrets.md.
#
#   bash bench/secrets.sh                 # from the repository root
#   RUNS=10 JOBS=2 bash bench/secrets.sh  # more runs, fixed thread count
#
# Environment:
#   RUNS        timed runs per tool and scenario (default 5)
#   WARMUP      untimed runs before them (default 1)
#   JOBS        scanning threads, the same for every tool (default: nproc)
#   TOOLS       which tools to run (default "rampart kingfisher")
#   SCENARIOS   which scenarios to run (default "files history")
#   KF_DEFAULTS 1 (default) also times Kingfisher with its own defaults, 0 skips that row
#   OUT         the report (default bench/results/secrets.md)
#   RAMPART_BIN a rampart binary to use instead of building target/release/rampart
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
JOBS=${JOBS:-$(nproc)}
TOOLS=${TOOLS:-rampart kingfisher}
SCENARIOS=${SCENARIOS:-files history}
KF_DEFAULTS=${KF_DEFAULTS:-1}
OUT=${OUT:-bench/results/secrets.md}

KINGFISHER_VERSION=2.14.0
# Below this the run is dominated by start-up costs and the ratios say little.
MIN_CORPUS_BYTES=200000000
# Files per commit when replaying package versions into the history repository.
HISTORY_BATCH=3

WORK=bench/work
VENV=bench/.venv
KINGFISHER=$VENV/bin/kingfisher
# RAMPART_BIN benchmarks a prebuilt binary (another release, say) instead of building this tree.
RAMPART=${RAMPART_BIN:-${CARGO_TARGET_DIR:-target}/release/rampart}
CORPUS=$WORK/corpus
HISTORY_REPO=$WORK/history-repo
RUN_DIR=$WORK/out
PY=python3

# Kingfisher caches its compiled rules; keep that cache with the other generated files
# instead of the user's home, so a fresh checkout measures the same thing.
export KF_RULE_CACHE_DIR=$PWD/$WORK/kingfisher-cache

step() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
has() { [[ " $1 " == *" $2 "* ]]; }
json_field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

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
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "JOBS must be a positive integer, got '$JOBS'"
command -v "$PY" >/dev/null || die "python3 is required"
command -v git >/dev/null || die "git is required"
# GNU time, not the shell keyword: it is what reports peak RSS.
[[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1 || install_apt time

mkdir -p "$WORK" "$(dirname "$OUT")"

# ------------------------------------------------------------------ tools
if has "$TOOLS" kingfisher; then
    if [[ -x $KINGFISHER ]] && [[ $("$KINGFISHER" --version 2>/dev/null) == "kingfisher $KINGFISHER_VERSION" ]]; then
        step "kingfisher $KINGFISHER_VERSION already installed in $VENV"
    else
        step "installing kingfisher-bin==$KINGFISHER_VERSION into $VENV"
        [[ -x $VENV/bin/pip ]] || "$PY" -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check "kingfisher-bin==$KINGFISHER_VERSION"
    fi
    "$KINGFISHER" --version >/dev/null
fi

if has "$TOOLS" rampart; then
    if [[ -z ${RAMPART_BIN:-} ]]; then
        step "building rampart (cargo build --release)"
        cargo build --release --quiet ||
            die "cargo build --release failed; TOOLS=kingfisher runs the Kingfisher half alone"
    fi
    [[ -x $RAMPART ]] || die "$RAMPART not found after the build"
    "$RAMPART" scan secrets --help >/dev/null 2>&1 ||
        die "$RAMPART has no 'scan secrets' command yet"
fi

# ------------------------------------------------------------------ inputs
step "corpus: pinned PyPI sdists into $CORPUS"
"$PY" bench/bench.py corpus \
    --manifest bench/corpora/pypi-sdists.txt \
    --downloads "$WORK/downloads" \
    --corpus "$CORPUS" \
    --info "$WORK/corpus.json" \
    --min-bytes "$MIN_CORPUS_BYTES"
CORPUS_BYTES=$(json_field "$WORK/corpus.json" bytes)
printf 'corpus: %s bytes (%s MB) in %s files\n' "$CORPUS_BYTES" \
    "$((CORPUS_BYTES / 1000000))" "$(json_field "$WORK/corpus.json" files)" >&2

HISTORY_ARGS=()
if has "$SCENARIOS" history; then
    step "history: replaying package versions into $HISTORY_REPO"
    "$PY" bench/bench.py history \
        --manifest bench/corpora/history-sdists.txt \
        --downloads "$WORK/downloads" \
        --repo "$HISTORY_REPO" \
        --info "$WORK/history.json" \
        --batch "$HISTORY_BATCH"
    HISTORY_BYTES=$(json_field "$WORK/history.json" blob_bytes)
    HISTORY_ARGS=(--history-info "$WORK/history.json")
fi

# ------------------------------------------------------------------ runs
rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR/logs"
RESULTS=()

# plan SCENARIO TOOL LABEL BYTES OUTPUT_FILE EXIT_CODES... -- COMMAND...
plan() {
    local scenario=$1 tool=$2 label=$3 bytes=$4 output=$5
    shift 5
    local expect=()
    while [[ $1 != -- ]]; do expect+=(--expect-exit "$1"); shift; done
    shift
    "$PY" bench/bench.py plan-add --plan "$RUN_DIR/$scenario.plan" \
        --tool "$tool" --label "$label" --scenario "$scenario" --bytes "$bytes" \
        "${expect[@]}" --findings-file "$output" -- "$@"
}

run_plan() {
    local scenario=$1
    [[ -s $RUN_DIR/$scenario.plan ]] || return 0
    step "$scenario: $WARMUP warm-up + $RUNS timed runs of each tool, interleaved, $JOBS threads"
    "$PY" bench/bench.py run-plan --plan "$RUN_DIR/$scenario.plan" \
        --runs "$RUNS" --warmup "$WARMUP" --logdir "$RUN_DIR/logs" --outdir "$RUN_DIR" \
        >"$RUN_DIR/$scenario.results"
    local r
    while IFS= read -r r; do RESULTS+=("$r"); done <"$RUN_DIR/$scenario.results"
}

# Kingfisher exits 200 when it reports findings and 205 when any of them validated; with
# --no-validate only 0 and 200 should occur, but neither is a failure of the benchmark.
KF_EXIT=(0 200 205)
KF_COMMON=(--no-validate --no-update-check --quiet --format json -j "$JOBS")
# rampart reads neither archives nor binary files; these make Kingfisher do the same job.
KF_LIKE_RAMPART=(--no-extract-archives --no-binary)

if has "$SCENARIOS" files; then
    if has "$TOOLS" rampart; then
        out=$RUN_DIR/files-rampart.json
        plan files rampart rampart "$CORPUS_BYTES" "$out" 0 -- \
            "$RAMPART" scan secrets "$CORPUS" --format json --output "$out" --fail-on none --quiet -j "$JOBS"
    fi
    if has "$TOOLS" kingfisher; then
        out=$RUN_DIR/files-kingfisher.json
        plan files kingfisher kingfisher "$CORPUS_BYTES" "$out" "${KF_EXIT[@]}" -- \
            "$KINGFISHER" scan "$CORPUS" --git-history none "${KF_LIKE_RAMPART[@]}" "${KF_COMMON[@]}" --output "$out"
        if [[ $KF_DEFAULTS == 1 ]]; then
            out=$RUN_DIR/files-kingfisher-defaults.json
            plan files kingfisher "kingfisher (defaults)" "$CORPUS_BYTES" "$out" "${KF_EXIT[@]}" -- \
                "$KINGFISHER" scan "$CORPUS" --git-history none "${KF_COMMON[@]}" --output "$out"
        fi
    fi
fi

if has "$SCENARIOS" history; then
    if has "$TOOLS" rampart; then
        out=$RUN_DIR/history-rampart.json
        plan history rampart rampart "$HISTORY_BYTES" "$out" 0 -- \
            "$RAMPART" scan secrets --history "$HISTORY_REPO" --format json --output "$out" --fail-on none --quiet -j "$JOBS"
    fi
    if has "$TOOLS" kingfisher; then
        out=$RUN_DIR/history-kingfisher.json
        plan history kingfisher kingfisher "$HISTORY_BYTES" "$out" "${KF_EXIT[@]}" -- \
            "$KINGFISHER" scan "$HISTORY_REPO" --git-history full "${KF_LIKE_RAMPART[@]}" "${KF_COMMON[@]}" --output "$out"
        if [[ $KF_DEFAULTS == 1 ]]; then
            out=$RUN_DIR/history-kingfisher-defaults.json
            plan history kingfisher "kingfisher (defaults)" "$HISTORY_BYTES" "$out" "${KF_EXIT[@]}" -- \
                "$KINGFISHER" scan "$HISTORY_REPO" --git-history full "${KF_COMMON[@]}" --output "$out"
        fi
    fi
fi

run_plan files
run_plan history

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
has "$TOOLS" kingfisher && VERSIONS+=(--version "kingfisher=$("$KINGFISHER" --version)")
VERSIONS+=(--version "git=$(git --version)")

"$PY" bench/bench.py report-secrets \
    --corpus-info "$WORK/corpus.json" "${HISTORY_ARGS[@]}" \
    "${VERSIONS[@]}" \
    --note "Kingfisher's rules=kingfisher-bin $KINGFISHER_VERSION from PyPI with its built-in rules; \`--no-validate\` keeps it off the network, \`--no-update-check\` stops its release check" \
    --jobs "$JOBS" --runs "$RUNS" --warmup "$WARMUP" \
    --out "$OUT" \
    "${RESULTS[@]}"

sed -n '/^## Headline/,/^## Setup/p' "$OUT" | sed '$d' >&2 || true
printf '\nreport: %s\n' "$OUT" >&2
