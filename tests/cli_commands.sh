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
for name in $(sed -n 's/^SCENARIO([^,]*, *"\([^"]*\)").*/\1/p' "$(dirname "$0")/../bench/scenarios.def"); do
    grep -q "^$name " "$root/list" || die "list lacks $name"
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
grep -q '^spawn.pthread{rss=0,ballast=anon,mappings=1,threads=0,fds=0,concurrency=1,placement=same}' \
    "$root/run1" || die "console table lacks the pthread row"
# Two rss values: the declared analyses follow the table, a line per case.
[ "$(sed -n '/^analyses:/,/^$/p' "$root/run1" | grep -c '/GiB')" -eq 4 ] \
    || die "no analyses for the 4 cases: $(cat "$root/run1")"
"$procbench" run --filter '^spawn\.pthread$' --param rss=0 --quick -q --out-dir "$root/out" \
    > "$root/run2"
second=$(sed -n 's/^results: //p' "$root/run2")
[ "$(cat "$root/run2" | wc -l)" -eq 1 ] || die "-q printed more than the results line"
[ "$first" != "$second" ] || die "two runs shared a folder"
[ "$(readlink "$root/out/latest")" = "$(basename "$second")" ] || die "latest does not point at the newest run"
head -1 "$second/summary.csv" \
    | grep -q '^scenario,case,param_rss,param_ballast,param_mappings,param_threads,param_fds,param_concurrency,placement,' || die "summary.csv header: $(head -1 "$second/summary.csv")"

# The seed and argv are recorded.
grep -q '"seed": 7' "$first/results.json" || die "seed not recorded"
grep -q '"--seed"' "$first/results.json" || die "argv not recorded"
echo "cli commands: ok"
