#!/bin/sh
# Every bad input on the command line gets exactly one line on stderr that
# names it, exit code 2, and no results folder. One row per bad input:
#   expected text on stderr | arguments
# usage: cli_bad_input.sh PROCBENCH OUT_ROOT
set -u
procbench=$1 root=$2
rm -rf "$root"
mkdir -p "$root"
failures=0 checked=0

check() {
    expect=$1
    shift
    checked=$((checked + 1))
    "$procbench" "$@" > "$root/stdout" 2> "$root/stderr"
    code=$?
    lines=$(wc -l < "$root/stderr")
    if [ "$code" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -qF -- "$expect" "$root/stderr"; then
        echo "FAIL: procbench $*: exit $code, $lines stderr lines, expected '$expect':" >&2
        cat "$root/stderr" >&2
        failures=$((failures + 1))
    fi
    if [ -n "$(ls -A "$root/out" 2>/dev/null)" ]; then
        echo "FAIL: procbench $*: left output in $root/out" >&2
        failures=$((failures + 1))
        rm -rf "$root/out"
    fi
}

out="--out-dir $root/out"
check "frobnicate" frobnicate
check "--bogus" run --bogus
check "--filter 'nomatch'" run --filter nomatch $out
check "--filter '(': " run --filter '(' $out
check "--filter '['" list --filter '['
check "--filter 'zzz'" list --filter zzz
# A newline in an input must not break the one-line rule.
check "--filter 'a?b'" run --filter "$(printf 'a\nb')" $out
check "parameter target: 'x?y'" run --filter '^spawn\.fork_exec$' --param "target=$(printf 'x\ny')" $out
check "--param nosuch" run --filter '^spawn\.posix_spawn$' --param nosuch=1 $out
check "parameter target: 'bogus'" run --filter '^spawn\.fork_exec$' --param target=bogus $out
check "parameter target" run --filter '^spawn\.fork_exec$' --param target=static,static $out
check "--param 'target='" run --filter '^spawn\.fork_exec$' --param target= $out
check "--param 'target'" run --param target $out
check "--param target: given twice" run --filter '^spawn\.fork_exec$' --param target=static --param target=dynamic $out
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

# An --out-dir that is a file: refused before anything runs.
touch "$root/file"
check "not a directory" run --filter '^spawn\.pthread$' --quick --out-dir "$root/file"

echo "$checked bad inputs checked, $failures failed"
[ "$failures" -eq 0 ]
