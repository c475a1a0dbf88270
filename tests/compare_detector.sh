#!/bin/sh
# Measures `procbench compare` as a detector, on this machine, with real
# runs made by ci/regress (alternating runs of BASE and NEW, then compare):
#
#   null   the same build against itself, COMPARISONS (20) times: at most one
#          comparison may call any case "regressed" (false alarms);
#   power  the same build, NEW slowed by the test-only knob
#          PROCBENCH_TEST_SLOWDOWN by PERCENT (10) percent of spawn.pthread's
#          median: spawn.pthread must be "regressed" and spawn.pool not, in
#          2 of at most 3 comparisons (so that one unlucky comparison, which
#          happens about once in a hundred here, does not fail CI).
#
# The cases are spawn.pthread (~25 us) and spawn.pool (~7 us): cheap enough
# that one comparison (20 alternating pairs of runs, 20 rounds of 20
# samples per case and run) takes about 3-4 s. Both tests print every
# comparison's ratios, so the log shows the noise they saw.
#
# usage: compare_detector.sh PROCBENCH CI_REGRESS OUT_DIR null|power
# environment: COMPARISONS (null), PERCENT (power), PAIRS (20)
set -u
procbench=$1 regress=$2 root=$3 mode=$4
comparisons=${COMPARISONS:-20} percent=${PERCENT:-10} pairs=${PAIRS:-20}
rm -rf "$root"
mkdir -p "$root"
# Fixed rounds of 20 samples: no precision target, round time or budget,
# so that every run has the same shape.
run_args="--filter ^spawn\\.(pthread|pool)\$ --param rss=0 --rounds 20 --min-time 0s --min-samples 400 --warmup 10ms --ci-target 0 --round-time 0s --time-budget 0s"

# compare_once N [--new-env VAR=VALUE]: one ci/regress; prints its two rows
# and leaves the verdicts in $pthread and $pool.
compare_once() {
    n=$1
    shift
    # shellcheck disable=SC2086 # run_args holds several words on purpose
    "$regress" -n "$pairs" -o "$root/c$n" "$@" "$procbench" "$procbench" -- $run_args \
        > "$root/c$n.out" 2>&1
    code=$?
    if [ "$code" -ge 2 ]; then
        echo "FAIL: ci/regress exited with $code:" >&2
        cat "$root/c$n.out" >&2
        exit 1
    fi
    pthread=$(awk '$1 ~ /^spawn\.pthread\{/ { for (i = 2; i <= NF; i++) if ($i == "regressed" || $i == "improved" || $i == "unchanged" || $i == "inconclusive") { print $i; exit } }' "$root/c$n.out")
    pool=$(awk '$1 ~ /^spawn\.pool\{/ { for (i = 2; i <= NF; i++) if ($i == "regressed" || $i == "improved" || $i == "unchanged" || $i == "inconclusive") { print $i; exit } }' "$root/c$n.out")
    if [ -z "$pthread" ] || [ -z "$pool" ]; then
        echo "FAIL: no verdicts in the output of ci/regress:" >&2
        cat "$root/c$n.out" >&2
        exit 1
    fi
    grep -E '^spawn\.(pthread|pool)\{' "$root/c$n.out" | sed "s/^/  $n: /"
    rm -rf "$root/c$n"
}

case $mode in
null)
    alarms=0 i=1
    while [ "$i" -le "$comparisons" ]; do
        compare_once "$i"
        if [ "$pthread" = regressed ] || [ "$pool" = regressed ]; then
            alarms=$((alarms + 1))
        fi
        i=$((i + 1))
    done
    echo "same build against itself: $alarms of $comparisons comparisons called a case regressed"
    [ "$alarms" -le $((comparisons / 20)) ]
    ;;
power)
    # 10% of pthread's median, from a run like those compared.
    # shellcheck disable=SC2086
    "$procbench" run -q --out-dir "$root/median" $run_args > /dev/null || exit 1
    # Case names hold quoted commas: read the columns with csv_column.awk.
    for column in scenario p50; do
        awk -v column=$column -f "$(dirname "$0")/csv_column.awk" \
            "$root/median/latest/summary.csv" > "$root/median/$column"
    done
    median=$(paste -d ' ' "$root/median/scenario" "$root/median/p50" |
             awk '$1 == "spawn.pthread" { print $2 }')
    [ -n "$median" ] || { echo "FAIL: no median for spawn.pthread" >&2; exit 1; }
    slowdown=$((median * percent / 100))
    echo "spawn.pthread median $median ns; NEW slowed by $slowdown ns ($percent%)"
    hits=0 misses=0 i=1
    while [ "$hits" -lt 2 ] && [ "$misses" -lt 2 ]; do
        compare_once "$i" --new-env "PROCBENCH_TEST_SLOWDOWN=spawn.pthread:$slowdown"
        if [ "$pthread" = regressed ] && [ "$pool" != regressed ]; then
            hits=$((hits + 1))
        else
            misses=$((misses + 1))
        fi
        i=$((i + 1))
    done
    echo "a $percent% slowdown of spawn.pthread: flagged alone in $hits of $((hits + misses)) comparisons"
    [ "$hits" -ge 2 ]
    ;;
*)
    echo "usage: compare_detector.sh PROCBENCH CI_REGRESS OUT_DIR null|power" >&2
    exit 2
    ;;
esac
