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

name="smoke $scenario"
. "$(dirname "$0")/lib.sh"

escaped=$(printf '%s' "$scenario" | sed 's/\./\\./g')
# Every case of the scenario's full matrix (not --quick's trimmed one), each
# with its floors only: a smoke test checks that every case runs and is
# written, not how precisely (--ci-target 0): 3 rounds of 7 ms and at least
# 10 samples, which keeps the 90 cases of ipc.shm or ipc.socketpair to a few
# seconds, twice in ci/test (plain and ASan).
"$procbench" run --filter "^$escaped\$" --ci-target 0 --time-budget 0s --rounds 3 --round-time 7ms \
    --min-samples 10 --warmup 20ms --max-time 1s --seed 1 --out-dir "$root" -q "$@" \
    > "$root/stdout" 2> "$root/stderr" || die "exit code $? (stderr: $(cat "$root/stderr"))"

run=$root/latest
[ -L "$run" ] || die "no latest link in $root"
for f in summary.csv rounds.csv results.json; do
    [ -s "$run/$f" ] || die "$f missing or empty"
done
check_no_temporaries "$root" || die "a temporary file was left"

# Every row of summary.csv belongs to the scenario and is ok or skipped.
column() { csv_column "$run/summary.csv" "$1"; }
rows=$(column case | wc -l)
[ "$rows" -ge 1 ] || die "summary.csv has no case row"
column scenario | grep -qvx "$scenario" && die "summary.csv has rows of other scenarios"
column status | grep -qvxE 'ok|skipped' && die "a case failed: $(cat "$run/summary.csv")"
measured=$(column status | grep -cx ok || true)
hgrm=$(ls "$run/hist" | grep -c '\.hgrm$' || true)
[ "$hgrm" -eq "$measured" ] || die "$measured measured cases but $hgrm .hgrm files"
echo "smoke $scenario: $rows cases, $measured measured"
