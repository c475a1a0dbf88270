#!/bin/sh
# Smoke test of one scenario: a real run of it alone with small budgets, then checks that
# the results folder is complete and every case of the scenario has a row
# that was measured or skipped with a reason (never failed). Leaks of
# children and descriptors are checked in-process by unit/test_no_leaks.c.
# usage: smoke.sh PROCBENCH SCENARIO OUT_ROOT [RUN OPTIONS...]
# RUN OPTIONS are added to the run (tests/CMakeLists.txt gives the spawn.*
# scenarios a light rss list, so that the run stays quick).
set -eu
procbench=$1 scenario=$2 root=$3/$2
shift 3
rm -rf "$root"
mkdir -p "$root"

fail() { echo "smoke $scenario: $*" >&2; exit 1; }

escaped=$(printf '%s' "$scenario" | sed 's/\./\\./g')
# Every case of the scenario's full matrix (not --quick's trimmed one), each
# with its floors only: a smoke test checks that every case runs and is
# written, not how precisely (--ci-target 0): 3 rounds of 7 ms and at least
# 10 samples, which keeps the 90 cases of ipc.shm or ipc.socketpair to a few
# seconds, twice in ci/test (plain and ASan).
"$procbench" run --filter "^$escaped\$" --ci-target 0 --time-budget 0s --rounds 3 --round-time 7ms \
    --min-samples 10 --warmup 20ms --max-time 1s --seed 1 --out-dir "$root" -q "$@" \
    > "$root/stdout" 2> "$root/stderr" || fail "exit code $? (stderr: $(cat "$root/stderr"))"

run=$root/latest
[ -L "$run" ] || fail "no latest link in $root"
for f in summary.csv rounds.csv results.json; do
    [ -s "$run/$f" ] || fail "$f missing or empty"
done
ls "$run"/.* 2>/dev/null | grep -q '\.tmp\|XXXX' && fail "temporary file left in $run"

# Every row of summary.csv belongs to the scenario and is ok or skipped.
column() { awk -v column="$1" -f "$(dirname "$0")/csv_column.awk" "$run/summary.csv"; }
rows=$(column case | wc -l)
[ "$rows" -ge 1 ] || fail "summary.csv has no case row"
column scenario | grep -qvx "$scenario" && fail "summary.csv has rows of other scenarios"
column status | grep -qvxE 'ok|skipped' && fail "a case failed: $(cat "$run/summary.csv")"
measured=$(column status | grep -cx ok || true)
hgrm=$(ls "$run/hist" | grep -c '\.hgrm$' || true)
[ "$hgrm" -eq "$measured" ] || fail "$measured measured cases but $hgrm .hgrm files"
echo "smoke $scenario: $rows cases, $measured measured"
