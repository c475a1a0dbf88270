#!/bin/sh
# A real run interrupted by SIGINT (once, and twice in a row), SIGTERM and
# SIGHUP after some cases finished: exit code 130 / 143 / 129; a results
# folder holding exactly the cases that finished and the unfinished ones
# that had their floor of rounds, marked stopped_by=interrupted (each row,
# histogram and results.json entry complete, and readable by `procbench
# export`), marked partial (PARTIAL, "partial": true); `latest` not moved to
# it; no temporary file; and no process of the run left, the holder of a
# held ballast included: every process the run made carries a marker in its
# environment, and none is found afterwards. SIGUSR1, and SIGPIPE from a
# closed stdout, change nothing: the run finishes whole. SIGKILL cannot be
# handled: the folder's RUNNING then names a dead process, readers say the
# run was interrupted (and, while it ran, that it was still going), no
# process of it is left (its rounds die with it), and the next run into the
# root marks the folder PARTIAL.
# usage: interrupt.sh PROCBENCH OUT_ROOT
set -u
. "$(dirname "$0")/lib.sh"
procbench=$1 root=$2
rm -rf "$root"
mkdir -p "$root"
name=cli.interrupt
. "$(dirname "$0")/lib.sh"

# start_run NAME: starts a run in the background (pid in $pid, folders
# under $out, processes marked $mark) and returns once two cases have
# finished; returns 1 (having failed the test) when they do not.
start_run() {
    name=$1
    out=$root/$name
    mark="$$-$name"
    mkdir -p "$out"
    : > "$out/stdout" # before the run starts, so that the wait below can read it
    # A floor of one round per case, so that cases finish one by one (those
    # precise enough at once) while others go on; spawn.pool and ipc.pipe
    # keep a peer process alive through their rounds, and rss=64M a holder
    # process through the run.
    PROCBENCH_TEST_MARK=$mark "$procbench" run --filter '^(spawn\.(pool|fork_exec|pthread)|ipc\.pipe)$' \
        --param rss=0,64M --param target=static --quick --rounds 1 --seed 5 \
        --out-dir "$out/runs" > "$out/stdout" 2> "$out/stderr" &
    pid=$!
    tries=0
    while [ "$(grep -c '{' "$out/stdout" || true)" -lt 2 ]; do
        tries=$((tries + 1))
        if [ "$tries" -gt 600 ] || ! kill -0 "$pid" 2> /dev/null; then
            fail "$name: the run did not finish two cases in 60 s"
            kill -KILL "$pid" 2> /dev/null
            wait "$pid"
            return 1
        fi
        sleep 0.1
    done
    # And a round is running (the harness and its round's process, at
    # least), so that the signal has something to stop.
    tries=0
    while [ "$(marked_processes "$mark")" -lt 2 ] && [ "$tries" -lt 100 ] && kill -0 "$pid" 2> /dev/null; do
        tries=$((tries + 1))
        sleep 0.05
    done
    running=$(marked_processes "$mark")
    [ "$running" -ge 2 ] || fail "$name: only $running process(es) of the run seen before the signal"
    return 0
}

# interrupt NAME EXPECTED_EXIT SIGNAL...: one run, the signals sent one
# after the other once two cases have finished.
interrupt() {
    name=$1 want=$2
    shift 2
    start_run "$name" || return
    for sig in "$@"; do
        kill -"$sig" "$pid"
    done
    wait "$pid"
    code=$?
    [ "$code" -eq "$want" ] || fail "$name: exit $code, expected $want: $(cat "$out/stderr")"
    check_no_marked_processes "$mark" || fail "$name: processes of the run outlived it"
    left=$(marked_processes "$mark")

    dir=$(sed -n 's/^results: //p' "$out/stdout")
    [ -d "$dir" ] || { fail "$name: no results folder printed"; return; }
    [ -e "$out/runs/latest" ] && fail "$name: latest points at a partial run"
    finished=$(sed -n 's/.*interrupted by SIG[A-Z]* after \([0-9]*\) of \([0-9]*\) cases finished.*/\1 \2/p' "$out/stderr")
    [ -n "$finished" ] || { fail "$name: stderr does not say it was interrupted: $(cat "$out/stderr")"; return; }
    kept=$(sed -n 's/.*cases finished, \([0-9]*\) more kept with fewer rounds than planned.*/\1/p' "$out/stderr")
    set -- $finished ${kept:-0}
    selected=$2
    [ "$1" -ge 2 ] && [ "$1" -lt "$2" ] && [ $(($1 + $3)) -le "$2" ] || fail "$name: $1 of $2 cases finished, $3 kept"
    # Rows: the finished ones (not interrupted) and the kept ones, which
    # say so and have their floor of one round.
    column() { awk -v column="$1" -f "$(dirname "$0")/csv_column.awk" "$dir/summary.csv"; }
    rows=$(($1 + $3))
    table=$(awk '/^case  / { on = 1; next } on && /^$/ { exit } on { n++ } END { print n + 0 }' "$out/stdout")
    [ "$table" -eq "$rows" ] || fail "$name: $table console rows differ from $rows kept cases"
    [ "$(($(wc -l < "$dir/summary.csv") - 1))" -eq "$rows" ] || fail "$name: summary.csv rows differ from $rows"
    [ "$(column stopped_by | grep -cx interrupted)" -eq "$3" ] || fail "$name: $3 kept cases but $(column stopped_by | grep -cx interrupted) marked interrupted"
    [ "$(grep -c '(interrupted: [0-9]* rounds)\|target not reached: interrupted' "$out/stdout")" -eq "$3" ] \
        || fail "$name: the console does not mark the $3 interrupted cases"
    grep -q 'interrupted by SIG' "$dir/PARTIAL" || fail "$name: no PARTIAL file"
    grep -q '"partial": true' "$dir/results.json" || fail "$name: results.json not marked partial"
    measured=$(grep -c ',ok,' "$dir/summary.csv")
    [ "$(ls "$dir/hist" | grep -c '\.hgrm$')" -eq "$measured" ] || fail "$name: hgrm files differ from $measured measured cases"
    check_no_temporaries "$out" || fail "$name: temporary files left"
    [ -e "$dir/RUNNING" ] && fail "$name: RUNNING left in the partial folder"
    "$procbench" export "$dir" > "$out/export.json" 2> "$out/export.err" ||
        fail "$name: export of the partial folder: $(cat "$out/export.err")"
    echo "$name: exit $code, $1 of $2 cases finished and $3 kept, $running processes before, $left after"
}

# The harness killed outright (SIGKILL: nothing it can do): the holder of
# the held ballast dies with it (PR_SET_PDEATHSIG), and the round running
# ends with its block; within 10 s nothing of the run is left.
killed() {
    out=$root/sigkill-holder
    mark="$$-sigkill-holder"
    mkdir -p "$out"
    PROCBENCH_TEST_MARK=$mark "$procbench" run --filter '^spawn\.fork_only$' --param rss=64M \
        --quick --ci-target 0.001 --max-time 5s --out-dir "$out/runs" > "$out/stdout" 2> "$out/stderr" &
    pid=$!
    tries=0
    # The holder and a round: three processes of the run at least.
    while [ "$(marked_processes "$mark")" -lt 3 ]; do
        tries=$((tries + 1))
        if [ "$tries" -gt 300 ] || ! kill -0 "$pid" 2> /dev/null; then
            fail "sigkill: the run did not start its holder in 30 s"
            kill -KILL "$pid" 2> /dev/null
            wait "$pid"
            return
        fi
        sleep 0.1
    done
    kill -KILL "$pid"
    wait "$pid"
    tries=0
    while [ "$(marked_processes "$mark")" -gt 0 ] && [ "$tries" -lt 100 ]; do
        tries=$((tries + 1))
        sleep 0.1
    done
    left=$(marked_processes "$mark")
    [ "$left" -eq 0 ] || fail "sigkill: $left process(es) of the run outlived it by 10 s"
    echo "sigkill: $left processes left"
}

killed
interrupt sigint 130 INT
interrupt sigint-twice 130 INT INT
interrupt sigterm 143 TERM
interrupt sighup 129 HUP

# ---- signals that must change nothing: the run finishes whole -------------
# complete NAME CODE: the run of $out ended with CODE 0 and its folder is a
# complete run of the $selected cases the runs above selected: latest points
# at it, no PARTIAL, RUNNING or temporary file.
complete() {
    name=$1 code=$2
    [ "$code" -eq 0 ] || fail "$name: exit $code, expected 0: $(cat "$out/stderr")"
    check_no_marked_processes "$mark" || fail "$name: processes of the run outlived it"
    [ -d "$out/runs/latest" ] || { fail "$name: latest does not point at the run"; return; }
    [ -s "$out/runs/latest/results.json" ] || fail "$name: no results.json"
    [ "$(($(wc -l < "$out/runs/latest/summary.csv") - 1))" -eq "$selected" ] ||
        fail "$name: not every one of the $selected cases written"
    [ -e "$out/runs/latest/PARTIAL" ] && fail "$name: marked PARTIAL"
    [ -e "$out/runs/latest/RUNNING" ] && fail "$name: RUNNING left"
    check_no_temporaries "$out/runs" || fail "$name: temporary files left"
    echo "$name: finished whole"
}
if start_run sigusr1; then
    kill -USR1 "$pid"
    wait "$pid"
    complete sigusr1 $?
fi
# A closed stdout: the reader of the pipe is gone before the first line.
name=sigpipe out=$root/sigpipe mark="$$-sigpipe"
mkdir -p "$out"
{
    PROCBENCH_TEST_MARK=$mark "$procbench" run --filter '^(spawn\.(pool|fork_exec|pthread)|ipc\.pipe)$' \
        --param rss=0,64M --param target=static --quick --rounds 1 --seed 5 --out-dir "$out/runs" \
        2> "$out/stderr"
    echo $? > "$out/code"
} | true
wait
mkdir -p "$out/runs"
complete sigpipe "$(cat "$out/code")"

# ---- SIGKILL: nothing can be done then; later readers and runs know -------
if start_run sigkill; then
    dir=$(ls -d "$out/runs"/2* 2> /dev/null | head -1)
    grep -q "^$pid\." "$dir/RUNNING" 2> /dev/null || fail "sigkill: no RUNNING naming the run in $dir"
    "$procbench" export "$dir" > /dev/null 2> "$out/export-running.err"
    code=$?
    { [ "$code" -eq 2 ] && grep -q 'still in progress' "$out/export-running.err" &&
      [ "$(wc -l < "$out/export-running.err")" -eq 1 ]; } ||
        fail "sigkill: export of a run going on: exit $code: $(cat "$out/export-running.err")"
    kill -KILL "$pid"
    wait "$pid" 2> /dev/null
    check_no_marked_processes "$mark" || fail "sigkill: processes of the run outlived it"
    "$procbench" export "$dir" > /dev/null 2> "$out/export-killed.err"
    code=$?
    { [ "$code" -eq 2 ] && grep -q 'interrupted run' "$out/export-killed.err" &&
      [ "$(wc -l < "$out/export-killed.err")" -eq 1 ]; } ||
        fail "sigkill: export of a killed run: exit $code: $(cat "$out/export-killed.err")"
    # The next run into the root marks it, says so, and runs.
    "$procbench" run --filter '^spawn\.pthread$' --param rss=0 --quick --min-time 20ms \
        --out-dir "$out/runs" -q > "$out/next.out" 2> "$out/next.err" ||
        fail "sigkill: the next run failed: $(cat "$out/next.err")"
    grep -q 'was killed before it finished: marked PARTIAL' "$out/next.err" ||
        fail "sigkill: the next run did not say it marked the killed one: $(cat "$out/next.err")"
    grep -q 'ended before the run finished' "$dir/PARTIAL" 2> /dev/null ||
        fail "sigkill: the killed run's folder is not marked PARTIAL"
    [ -e "$dir/RUNNING" ] && fail "sigkill: RUNNING left after the next run"
    check_no_temporaries "$out/runs" || fail "sigkill: temporary files left"
    # A folder of runs pools the next run alone.
    "$procbench" compare "$out/runs" "$out/runs" > /dev/null 2> "$out/compare.err" ||
        fail "sigkill: compare of the root: $(cat "$out/compare.err")"
    echo "sigkill: marked by the next run"
fi

name=cli.interrupt
lib_finish
