#!/bin/sh
# A real run interrupted by SIGINT (once, and twice in a row) and by SIGTERM
# after some cases finished: exit code 130 / 143; a results folder holding
# exactly the cases that finished (each row, histogram and results.json
# entry complete, and readable by `procbench export`), marked partial
# (PARTIAL, "partial": true); `latest` not moved to it; no temporary file;
# and no process of the run left: every process the run made carries a
# marker in its environment, and none is found afterwards.
# usage: interrupt.sh PROCBENCH OUT_ROOT
set -u
procbench=$1 root=$2
rm -rf "$root"
mkdir -p "$root"
name=cli.interrupt
. "$(dirname "$0")/lib.sh"

# Processes whose environment holds the marker (the harness, rounds, peers,
# exec'd children: the environment is inherited by all of them).
marked() {
    grep -lsz "^PROCBENCH_TEST_MARK=$1\$" /proc/[0-9]*/environ 2> /dev/null | wc -l
}

# interrupt NAME EXPECTED_EXIT SIGNAL...: one run, the signals sent one
# after the other once two cases have finished.
interrupt() {
    name=$1 want=$2
    shift 2
    out=$root/$name
    mark="$$-$name"
    mkdir -p "$out"
    : > "$out/stdout" # before the run starts, so that the wait below can read it
    # One round per case, so that cases finish one by one; spawn.pool and
    # ipc.pipe keep a peer process alive through their rounds.
    PROCBENCH_TEST_MARK=$mark "$procbench" run --filter '^(spawn\.(pool|fork_exec|pthread)|ipc\.pipe)$' \
        --param rss=0 --quick --rounds 1 --seed 5 --out-dir "$out/runs" > "$out/stdout" 2> "$out/stderr" &
    pid=$!
    tries=0
    while [ "$(grep -c '{' "$out/stdout" || true)" -lt 2 ]; do
        tries=$((tries + 1))
        if [ "$tries" -gt 600 ] || ! kill -0 "$pid" 2> /dev/null; then
            fail "$name: the run did not finish two cases in 60 s"
            kill -KILL "$pid" 2> /dev/null
            wait "$pid"
            return
        fi
        sleep 0.1
    done
    running=$(marked "$mark")
    [ "$running" -ge 2 ] || fail "$name: only $running process(es) of the run seen before the signal"
    for sig in "$@"; do
        kill -"$sig" "$pid"
    done
    wait "$pid"
    code=$?
    [ "$code" -eq "$want" ] || fail "$name: exit $code, expected $want: $(cat "$out/stderr")"
    left=$(marked "$mark")
    [ "$left" -eq 0 ] || fail "$name: $left process(es) of the run outlived it"

    dir=$(sed -n 's/^results: //p' "$out/stdout")
    [ -d "$dir" ] || { fail "$name: no results folder printed"; return; }
    [ -e "$out/runs/latest" ] && fail "$name: latest points at a partial run"
    finished=$(sed -n 's/.*interrupted by SIG[A-Z]* after \([0-9]*\) of \([0-9]*\) cases finished.*/\1 \2/p' "$out/stderr")
    [ -n "$finished" ] || { fail "$name: stderr does not say it was interrupted: $(cat "$out/stderr")"; return; }
    set -- $finished
    [ "$1" -ge 2 ] && [ "$1" -lt "$2" ] || fail "$name: $1 of $2 cases finished"
    [ "$(grep -c '{' "$out/stdout")" -eq "$1" ] || fail "$name: console rows differ from $1 finished cases"
    [ "$(($(wc -l < "$dir/summary.csv") - 1))" -eq "$1" ] || fail "$name: summary.csv rows differ from $1"
    grep -q 'interrupted by SIG' "$dir/PARTIAL" || fail "$name: no PARTIAL file"
    grep -q '"partial": true' "$dir/results.json" || fail "$name: results.json not marked partial"
    measured=$(grep -c ',ok,' "$dir/summary.csv")
    [ "$(ls "$dir/hist" | grep -c '\.hgrm$')" -eq "$measured" ] || fail "$name: hgrm files differ from $measured measured cases"
    temps=$(find "$out" -name '.*' | wc -l)
    [ "$temps" -eq 0 ] || fail "$name: temporary files left: $(find "$out" -name '.*')"
    "$procbench" export "$dir" > "$out/export.json" 2> "$out/export.err" ||
        fail "$name: export of the partial folder: $(cat "$out/export.err")"
    echo "$name: exit $code, $1 of $2 cases kept, $running processes before, $left after"
}

interrupt sigint 130 INT
interrupt sigint-twice 130 INT INT
interrupt sigterm 143 TERM

lib_finish
