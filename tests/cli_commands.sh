#!/bin/sh
# The good paths of the command line: --help, --version, list, env, and a
# quick run whose console table, results folder and `latest` link agree.
# usage: cli_commands.sh PROCBENCH OUT_ROOT
set -eu
procbench=$1 root=$2
rm -rf "$root"
mkdir -p "$root"
name=cli.commands
. "$(dirname "$0")/lib.sh"

"$procbench" --help | grep -q '^usage: procbench' || die "--help has no usage line"
"$procbench" --version | grep -qE '^procbench [0-9]+\.[0-9]+\.[0-9]+ ' || die "--version"

# list shows every scenario of the catalogue, and a filter narrows it.
"$procbench" list > "$root/list"
for scenario in $(sed -n 's/^SCENARIO([^,]*, *"\([^"]*\)").*/\1/p' "$(dirname "$0")/../bench/scenarios.def"); do
    grep -q "^$scenario " "$root/list" || die "list lacks $scenario"
done
[ "$("$procbench" list --filter '^spawn\.pthread$' | grep -c '^spawn\.')" -eq 1 ] || die "list --filter"

"$procbench" env > "$root/env"
for key in kernel cpu_model cpu_count_online thp_enabled glibc_version libuv_version \
           compiler git_commit clock_overhead_ns; do
    grep -q "^$key: ." "$root/env" || die "env lacks $key"
done

# Two quick runs: each gets its own folder and latest follows the newest.
"$procbench" run --filter '^spawn\.(pthread|fork_only)$' --param rss=0,1M --quick --seed 7 \
    --out-dir "$root/out" > "$root/run1" 2> "$root/run1.err"
first=$(sed -n 's/^results: //p' "$root/run1")
[ -d "$first" ] || die "run printed no results folder"
# Rows name their case by what varies (rss), the rest is said once.
grep -q '^spawn.pthread{rss=0} ' "$root/run1" || die "console table lacks the pthread row named by rss"
grep -q '^spawn\.\* cases, all: ballast=anon, mappings=1, threads=0, fds=0, concurrency=1, rate=0, placement=same$' \
    "$root/run1" || die "console does not say what every spawn case shares"
grep -q 'ballast=anon,mappings=1' "$root/run1" && die "a console row spells the full canonical name"
# Two rss values: the declared analyses follow the table, a line per case.
[ "$(sed -n '/^analyses:/,/^$/p' "$root/run1" | grep -c '/GiB')" -eq 4 ] \
    || die "no analyses for the 4 cases: $(cat "$root/run1")"
"$procbench" run --filter '^spawn\.pthread$' --param rss=0 --quick -q --out-dir "$root/out" \
    > "$root/run2"
second=$(cat "$root/run2")
[ "$(cat "$root/run2" | wc -l)" -eq 1 ] && [ -d "$second" ] || die "-q printed more than the results folder: $second"
[ "$first" != "$second" ] || die "two runs shared a folder"
[ "$(readlink "$root/out/latest")" = "$(basename "$second")" ] || die "latest does not point at the newest run"
head -1 "$second/summary.csv" \
    | grep -q '^scenario,case,param_rss,param_ballast,param_mappings,param_threads,param_fds,param_concurrency,param_rate,placement,' || die "summary.csv header: $(head -1 "$second/summary.csv")"

# ci/bench --help and ci/regress --help print their usage and exit 0
# without running anything: on a PATH with nothing but what printing needs,
# setting up or building would fail.
tools=$root/tools
mkdir -p "$tools"
for tool in awk dirname basename; do
    ln -sf "$(command -v "$tool")" "$tools/$tool"
done
ci=$(cd "$(dirname "$0")/../ci" && pwd)
for script in bench regress; do
    code=0
    env PATH="$tools" /bin/sh "$ci/$script" --help > "$root/$script.help" 2>&1 || code=$?
    [ "$code" -eq 0 ] || die "ci/$script --help: exit $code: $(cat "$root/$script.help")"
    grep -q "^usage: ci/$script " "$root/$script.help" \
        || die "ci/$script --help: $(head -3 "$root/$script.help")"
    grep -q '^set -eu' "$root/$script.help" && die "ci/$script --help prints its own code"
done

# Up front: how long at most, how precise, and the way to the full suite.
grep -q '^planned to end within 50 s (--time-budget); each median to +-3% (--ci-target), or flagged$' \
    "$root/run1" || fail "quick run does not say its plan: $(head -4 "$root/run1")"
grep -q '^quick: trimmed sweeps; the full matrix: procbench run without --quick$' "$root/run1" \
    || fail "quick run does not say how to get the full matrix"
# No terminal: no progress line.
grep -q 'cases, ' "$root/run1.err" && fail "progress line written to a non-terminal"

# The precision columns: every measured case has its interval, met or not,
# and why it stopped.
column() { awk -v column="$1" -f "$(dirname "$0")/csv_column.awk" "$2/summary.csv"; }
column p50_ci_pct "$first" | grep -qvE '^[0-9]+\.[0-9][0-9]$' && fail "p50_ci_pct: $(column p50_ci_pct "$first")"
column ci_target_met "$first" | grep -qvxE 'yes|no' && fail "ci_target_met: $(column ci_target_met "$first")"
column stopped_by "$first" | grep -qvxE 'target|max-time|time-budget' && fail "stopped_by: $(column stopped_by "$first")"

# A target out of reach (0.001%: finer than the histogram resolves) ends at
# --max-time, flagged in the row, the column and the closing warning.
"$procbench" run --filter '^spawn\.pthread$' --param rss=0 --quick --ci-target 0.001 --max-time 30ms \
    --out-dir "$root/out" > "$root/run3" 2> "$root/run3.err"
third=$(sed -n 's/^results: //p' "$root/run3")
[ "$(column stopped_by "$third")" = max-time ] || fail "unreachable target: stopped by $(column stopped_by "$third")"
[ "$(column ci_target_met "$third")" = no ] || fail "unreachable target: met?"
grep -q '(target not reached: max-time)$' "$root/run3" || fail "the row does not flag the missed target"
grep -q '^warning: 1 of 1 cases stopped before their median was within +-0.001%' "$root/run3" \
    || fail "no closing warning: $(cat "$root/run3")"
grep -q '^  spawn.pthread{.*max-time$' "$root/run3" || fail "the warning does not list the case"
# A time budget already spent: each case gets its floor of 3 rounds, then
# stops, flagged time-budget.
"$procbench" run --filter '^spawn\.(pthread|pool)$' --param rss=0 --quick --ci-target 0.001 \
    --time-budget 1ms --out-dir "$root/out" > "$root/run4" 2> "$root/run4.err"
fourth=$(sed -n 's/^results: //p' "$root/run4")
[ "$(column stopped_by "$fourth" | sort -u)" = time-budget ] || fail "budget: stopped by $(column stopped_by "$fourth")"
[ "$(column rounds "$fourth" | sort -u)" = 3 ] || fail "budget: rounds $(column rounds "$fourth")"

# On a terminal, the progress line: cases done of all, elapsed, what is
# left (or the budget while it is not known); -q keeps even a terminal quiet.
if script -qec "true" /dev/null > /dev/null 2>&1; then
    script -qec "'$procbench' run --filter '^spawn\.pthread\$' --param rss=0 --quick --out-dir '$root/out'" \
        /dev/null > "$root/tty" 2>&1 < /dev/null || fail "run on a terminal: $(cat "$root/tty")"
    grep -q '\[0/1 cases, 0 s of at most 50 s\] spawn\.pthread: ' "$root/tty" \
        || fail "no progress line on a terminal: $(cat "$root/tty")"
    script -qec "'$procbench' run -q --filter '^spawn\.pthread\$' --param rss=0 --quick --out-dir '$root/out'" \
        /dev/null > "$root/tty-q" 2>&1 < /dev/null || fail "run -q on a terminal"
    grep -q 'cases, ' "$root/tty-q" && fail "-q drew a progress line"
    [ "$(grep -c . "$root/tty-q")" -eq 1 ] || fail "-q on a terminal printed more than one line"
fi

# The seed and argv are recorded.
grep -q '"seed": 7' "$first/results.json" || die "seed not recorded"
grep -q '"--seed"' "$first/results.json" || die "argv not recorded"
lib_finish
