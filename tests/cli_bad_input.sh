#!/bin/sh
# Every bad input on the command line gets exactly one line on stderr that
# names it, exit code 2, and no results folder. One row per bad input:
#   expected text on stderr | arguments
# usage: cli_bad_input.sh PROCBENCH OUT_ROOT
set -u
procbench=$1 root=$2 name=cli.bad_input
rm -rf "$root"
mkdir -p "$root"
. "$(dirname "$0")/lib.sh"
# Runs happen in $root, so that $out below is one word whatever the path of
# the checkout (a space in it split --out-dir in two).
root=$(cd "$root" && pwd)
case $procbench in /*) ;; *) procbench=$(pwd)/$procbench ;; esac
cd "$root" || exit 1

check() {
    expect=$1
    shift
    # A bad input must be refused at once: one that starts a run instead is
    # stopped here rather than running the suite.
    expect_refused "$expect" timeout 60 "$procbench" "$@"
    if [ -n "$(ls -A "$root/out" 2>/dev/null)" ]; then
        fail "procbench $*: left output in $root/out"
        rm -rf "$root/out"
    fi
}

out="--out-dir out"
check "frobnicate" frobnicate
check "--bogus" run --bogus
check "--filter 'nomatch'" run --filter nomatch $out
check "--filter '(': " run --filter '(' $out
check "--filter '['" list --filter '['
check "--filter 'zzz'" list --filter zzz
# A regex whose compilation would cost seconds and gigabytes is refused first.
check "repetition count 32767 is more than 255" list --filter 'a{1,32767}'
check "repetition count 32767 is more than 255" run --filter '^spawn\.pthread$|a{1,32767}' $out
check "expands to more than 4096 atoms" list --filter '((a{1,20}){1,20}){1,20}'
check "back-reference" list --filter '(spawn)\1'
check "more than 512" list --filter "$(printf '%0600d' 0)"
# A newline in an input must not break the one-line rule.
check "--filter 'a?b'" run --filter "$(printf 'a\nb')" $out
check "parameter target: 'x?y'" run --filter '^spawn\.fork_exec$' --param "target=$(printf 'x\ny')" $out
check "--param nosuch" run --filter '^spawn\.posix_spawn$' --param nosuch=1 $out
check "parameter target: 'bogus'" run --filter '^spawn\.fork_exec$' --param target=bogus $out
check "parameter target" run --filter '^spawn\.fork_exec$' --param target=static,static $out
check "--param 'target='" run --filter '^spawn\.fork_exec$' --param target= $out
check "--param 'target'" run --param target $out
check "--param target: given twice" run --filter '^spawn\.fork_exec$' --param target=static --param target=dynamic $out
# What spawn passes and the open loop (issue 18).
check "parameter env: 'abc' is not a count or inherit" run --filter '^spawn\.posix_spawn$' --param env=abc $out
check "parameter env: '4097' is out of range 0..4096" run --filter '^spawn\.posix_spawn$' --param env=4097 $out
check "parameter env: 'inherit' is given twice" run --filter '^spawn\.posix_spawn$' --param env=inherit,inherit $out
check "parameter args: '-1'" run --filter '^spawn\.posix_spawn$' --param args=-1 $out
check "parameter path_depth: '1025' is out of range 0..1024" run --filter '^spawn\.posix_spawn$' --param path_depth=1025 $out
check "parameter rate: '10000001' is out of range 0..10000000" run --filter '^spawn\.posix_spawn$' --param rate=10000001 $out
check "--param env: no selected scenario has a parameter 'env'" run --filter '^spawn\.pthread$' --param env=1 $out
check "--placement: 'sideways'" run --placement sideways $out
check "--placement" run --placement same,,free $out
check "--placement" run --placement same,same $out
check "--min-time '2'" run --min-time 2 $out
check "--min-time '-1s'" run --min-time -1s $out
check "--min-time '5parsecs'" run --min-time 5parsecs $out
check "--warmup ''" run --warmup '' $out
check "--max-time '99999999999999999999s'" run --max-time 99999999999999999999s $out
check "--max-time '25h'" run --max-time 25h $out
check "--max-time '100000s'" run --max-time 100000s $out
check "--min-time is longer than --max-time" run --min-time 5s --max-time 1s $out
check "--max-time must be more than 0" run --max-time 0s --min-time 0s $out
check "--min-samples '0'" run --min-samples 0 $out
check "--min-samples 'ten'" run --min-samples ten $out
check "--rounds '-3'" run --rounds -3 $out
check "--rounds '100001'" run --rounds 100001 $out
check "--seed '18446744073709551616'" run --seed 18446744073709551616 $out
check "--ci-target '200'" run --ci-target 200 $out
check "--ci-target 'x'" run --ci-target x $out
check "--out-dir: empty path" run --out-dir ''
check "--quick" list --quick
check "--min-time" env --min-time 1s
check "'extra'" run extra $out
check "--rounds" run --rounds
check "--no-hold=yes" run --no-hold=yes $out
check "--no-hold: not an option of \`list\`" list --no-hold
check "--time-budget: not an option of \`env\`" env --time-budget 1s

# ---- the table: every option of run, list, env, and every kind of bad value
# (empty, negative, huge, overflow, wrong unit, unknown name) ---------------
sel="--filter ^spawn\.pthread$"
# Durations: --warmup, --min-time, --max-time, --sample-timeout, --time-budget,
# --round-time.
for opt in --warmup --min-time --max-time --sample-timeout --time-budget --round-time; do
    check "$opt ''" run $sel $opt '' $out
    check "$opt '-5ms'" run $sel $opt -5ms $out
    check "$opt '5'" run $sel $opt 5 $out
    check "$opt '5m'" run $sel $opt 5m $out
    check "$opt '5 s'" run $sel $opt '5 s' $out
    check "$opt '18446744073709551616ns'" run $sel $opt 18446744073709551616ns $out
    check "$opt '1e999s'" run $sel $opt 1e999s $out
    check "$opt '1e3s'" run $sel $opt 1e3s $out
    check "$opt 'nans'" run $sel $opt nans $out
    check "$opt 'infs'" run $sel $opt infs $out
    check "$opt '0x10s'" run $sel $opt 0x10s $out
    check "$opt '999999h'" run $sel $opt 999999h $out
    check "$opt '1.5.2s'" run $sel $opt 1.5.2s $out
    check "$opt" run $sel $opt
done
# Counts: --min-samples, --rounds, --seed.
for opt in --min-samples --rounds --seed; do
    check "$opt ''" run $sel $opt '' $out
    check "$opt '-1'" run $sel $opt -1 $out
    check "$opt '18446744073709551616'" run $sel $opt 18446744073709551616 $out
    check "$opt '1e999'" run $sel $opt 1e999 $out
    check "$opt '1.5'" run $sel $opt 1.5 $out
    check "$opt '10s'" run $sel $opt 10s $out
    check "$opt '0x10'" run $sel $opt 0x10 $out
    check "$opt ' 5'" run $sel $opt ' 5' $out
    check "$opt" run $sel $opt
done
check "--seed '9223372036854775808'" run $sel --seed 9223372036854775808 $out
check "--rounds '0'" run $sel --rounds 0 $out
check "--min-samples '1000000001'" run $sel --min-samples 1000000001 $out
# Percentages: --ci-target.
for v in '' -1 101 1e999 nan inf 5x 0x5; do
    check "--ci-target '$v'" run $sel --ci-target "$v" $out
done
# Placements.
check "--placement '': expected a list" run $sel --placement '' $out
check "--placement" run $sel --placement , $out
check "--placement: 'SAME'" run $sel --placement SAME $out
# Filters: malformed, empty, matching nothing.
check "--filter '*'" run --filter '*' $out
check "--filter 'a{2,1}'" run --filter 'a{2,1}' $out
check "--filter '\\'" run --filter '\' $out
check "--filter ''" run --filter '' $out
check "--filter '^$'" list --filter '^$'
check "--filter '('" list --filter '('
# Parameters: unknown name, empty, every kind of bad value.
ipc="--filter ^ipc\.pipe$"
out_b="--filter ^output\.buffered$"
check "--param '=1'" run $ipc --param =1 $out
check "--param ''" run $ipc --param '' $out
check "--param nosuch" run $ipc --param nosuch=1 $out
check "parameter size: '0'" run $ipc --param size=0 $out
check "parameter size: '-1'" run $ipc --param size=-1 $out
check "parameter size: '2M'" run $ipc --param size=2M $out
check "parameter size: '18446744073709551616'" run $ipc --param size=18446744073709551616 $out
check "parameter size: '16E'" run $ipc --param size=16E $out
check "parameter size: '1e999'" run $ipc --param size=1e999 $out
check "parameter size: '1.5K'" run $ipc --param size=1.5K $out
check "parameter size: '4Q'" run $ipc --param size=4Q $out
check "parameter size: '4 K'" run $ipc --param size='4 K' $out
check "parameter size: empty value in '64,'" run $ipc --param size=64, $out
check "parameter size" run $ipc --param size=64,64 $out
check "parameter size" run $ipc --param size=64,0064 $out
check "parameter mode: 'PINGPONG'" run $ipc --param mode=PINGPONG $out
check "parameter bytes: '2G'" run $out_b --param bytes=2G $out
check "parameter pipe_size: '1K'" run $out_b --param pipe_size=1K $out
check "parameter write_size: '0'" run $out_b --param write_size=0 $out
check "parameter max_buffer: '-1'" run $out_b --param max_buffer=-1 $out
check "parameter size: '65' is one value too many" run $ipc --param size=$(seq -s, 1 65) $out
check "--param" run $ipc --param $out
# Options of other commands, and commands without options.
check "--sample-timeout: not an option of \`list\`" list --sample-timeout 1s
check "--out-dir: not an option of \`env\`" env --out-dir x
check "--filter: not an option of \`env\`" env --filter x
check "'x': unexpected argument" env x
check "'x': unexpected argument" list x
check "-z" run -z $out
check "--quiet=yes" run --quiet=yes $out
check "--out-dir" run $sel --out-dir
# procbench report (its output cases are in report_cli.sh).
mkdir -p "$root/no-results"
printf '{"schema_version": 1, "cas' > "$root/truncated.json"
printf '\313\377\000binary' > "$root/binary.json"
check "/nonexistent: No such file" report /nonexistent
check "$root/no-results: a folder without results.json" report "$root/no-results"
check "$root/truncated.json: ends early" report "$root/truncated.json"
check "$root/binary.json: holds a NUL byte" report "$root/binary.json"
check "--bogus" report --bogus
check "--out" report --out
check "--png=3" report --png=3 "$root/no-results"
check "--format: not an option of \`report\`" report --format md "$root/no-results"

# procbench history and import (their output cases are in history_cli.sh).
printf 'not an SQLite database, just text\n%.0s' 1 2 3 4 5 6 7 8 > "$root/corrupt.db"
check "$root/no-results/history.db: no history store" history "$root/no-results"
check "$root/corrupt.db: reading its header: file is not a database" history "$root/corrupt.db"
check "--format 'gbench': history prints text, md, csv or json" history --format gbench "$root/no-results"
check "--since '2024-02-30': expected a UTC date" history --since 2024-02-30 "$root/no-results"
check "--since 'yesterday'" history --since yesterday
check "--since '2024-01-01T25:00:00Z'" history --since 2024-01-01T25:00:00Z
check "--filter '(': " history --filter '(' "$root/no-results"
check "--threshold '200'" history --threshold 200
check "'b': unexpected argument" history a b
check "--out: not an option of \`history\`" history --out x
check "--out-dir: not an option of \`history\`" history --out-dir x
check "import: expected DIR..." import $out
check "$root/no-results: a folder without results.json" import "$root/no-results" $out
check "$root/truncated.json: ends early" import "$root/truncated.json" $out
check "/nonexistent: No such file" import /nonexistent $out
check "--format: not an option of \`import\`" import --format md "$root/no-results"
check "--out-dir: empty path" import --out-dir '' "$root/no-results"

# An --out-dir that is a file: refused before anything runs.
touch "$root/file"
check "not a directory" run --filter '^spawn\.pthread$' --quick --out-dir "$root/file"
check "file/sub: Not a directory" run --filter '^spawn\.pthread$' --quick --out-dir "$root/file/sub"
check "--out-dir $root/no/such: cannot create" run --filter '^spawn\.pthread$' --quick --out-dir "$root/no/such"

lib_finish
