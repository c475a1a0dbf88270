#!/bin/sh
# Faults and hostile input met from outside, each once found to break a
# promise (issue 13) and kept here so that it stays fixed:
# - node's version probe (procbench env, and a run of node.*) with a fake
#   node that leaves background jobs: none outlives the command;
# - SIGTERM, SIGINT or SIGHUP during `procbench report`: exit 143/130/129,
#   no temporary folder, no report, no gnuplot (nor what it started) left;
#   after a SIGKILL, the next report removes the temporary folder;
# - a gnuplot that forks and hangs is killed after its time limit with its
#   children; one that exits leaving a job behind loses the job too;
# - within a memory limit (ulimit -v): a regex whose compilation would take
#   gigabytes, and results.json files too big, with too many values or
#   nested too deep, are refused with one line and exit 2 by list, export,
#   compare, check and report;
# - a newline in a path given to run, report, compare or export: one line
#   and exit 2, nothing written;
# - what spawn.shell's shell says when it fails is in the case's reason,
#   not on procbench's stderr.
# usage: faults.sh PROCBENCH OUT_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
procbench=$(abs "$1") root=$2
rm -rf "$root"
mkdir -p "$root"
root=$(cd "$root" && pwd)
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
# one_line NAME EXPECTED_EXIT EXIT FILE: the command exited as expected and
# said one line on stderr (FILE).
one_line() {
    [ "$2" -eq "$3" ] && [ "$(wc -l < "$4")" -eq 1 ] ||
        fail "$1: exit $3 (expected $2), stderr of $(wc -l < "$4") lines: $(cat "$4")"
}

# ---- node's version probe: its process group goes with it ------------------
# A node whose version probe (node -p) answers and exits, leaving two jobs
# behind: one holding the pipe procbench reads the answer from, one not.
# Asked to run the node.* driver, it fails at once.
cat > "$root/fake-node" << 'EOF'
#!/bin/sh
[ "$1" = -p ] || exit 1
sleep 300 &
sleep 301 > /dev/null 2>&1 < /dev/null &
echo "v20.0.0 1.46.0"
EOF
chmod 755 "$root/fake-node"
mark="$$-node-env"
PROCBENCH_TEST_MARK=$mark PROCBENCH_NODE="$root/fake-node" "$procbench" env > "$root/node-env.out" 2>&1 ||
    fail "env with a fake node: $(cat "$root/node-env.out")"
grep -q '^node_version: v20.0.0' "$root/node-env.out" ||
    fail "env did not read the fake node's answer: $(grep node "$root/node-env.out")"
check_no_marked_processes "$mark" || fail "procbench env left the fake node's jobs running"
mark="$$-node-run"
PROCBENCH_TEST_MARK=$mark PROCBENCH_NODE="$root/fake-node" \
    "$procbench" run --filter '^node\.spawn$' \
    --param target=static --quick --min-time 20ms --out-dir "$root/node-run" -q > "$root/node-run.out" 2>&1
check_no_marked_processes "$mark" || fail "a run of node.spawn left the fake node's jobs running"

# ---- a results folder to report ----------------------------------------------
"$procbench" run --filter '^spawn\.(pthread|fork_only)$' --param rss=0 --quick --min-time 20ms \
    --out-dir "$root/runs" -q > /dev/null 2> "$root/run.err" || fail "a plain run failed: $(cat "$root/run.err")"
run=$root/runs/latest

# ---- signals during a report --------------------------------------------------
# A gnuplot that never finishes, with a job of its own.
printf '#!/bin/sh\nsleep 300 &\nexec sleep 300\n' > "$root/slow-gnuplot"
chmod 755 "$root/slow-gnuplot"
# start_report NAME [VAR=VALUE...]: a report into $root/NAME with the slow
# gnuplot, in the background ($pid, marked $mark); returns once its
# temporary folder and its gnuplot exist.
start_report() {
    name=$1 mark="$$-$1"
    shift
    out=$root/$name
    env PROCBENCH_TEST_MARK="$mark" PROCBENCH_GNUPLOT="$root/slow-gnuplot" "$@" \
        "$procbench" report "$run" --out "$out" > "$root/$name.out" 2> "$root/$name.err" &
    pid=$!
    tries=0
    until [ -n "$(temporaries_in "$out")" ] && [ "$(marked_processes "$mark")" -ge 3 ]; do
        tries=$((tries + 1))
        if [ "$tries" -gt 200 ] || ! kill -0 "$pid" 2> /dev/null; then
            fail "$name: no report under way after 10 s: $(cat "$root/$name.err")"
            return 1
        fi
        sleep 0.05
    done
    return 0
}
for sig in TERM:143 INT:130 HUP:129; do
    name=report-${sig%:*} want=${sig#*:}
    start_report "$name" || continue
    kill -"${sig%:*}" "$pid"
    wait "$pid"
    one_line "$name" "$want" $? "$root/$name.err"
    grep -q "report interrupted by SIG${sig%:*}: nothing written" "$root/$name.err" ||
        fail "$name: stderr does not say it: $(cat "$root/$name.err")"
    check_no_temporaries "$out" || fail "$name: the temporary folder was left"
    [ -e "$out/report.html" ] && fail "$name: a report appeared"
    check_no_marked_processes "$mark" || fail "$name: gnuplot or its job outlived the report"
done
# SIGKILL: nothing can be done then; the next report removes what is left.
# (gnuplot itself is no longer procbench's to stop once procbench is gone:
# the test stops it.)
if start_report report-KILL; then
    kill -KILL "$pid"
    wait "$pid" 2> /dev/null
    [ -n "$(temporaries_in "$out")" ] || fail "report-KILL: no temporary folder left to clean up?"
    for p in $(grep -lsz "^PROCBENCH_TEST_MARK=$mark\$" /proc/[0-9]*/environ | sed 's,/proc/\([0-9]*\)/environ,\1,'); do
        kill -KILL "$p" 2> /dev/null
    done
    PROCBENCH_GNUPLOT=/nonexistent "$procbench" report "$run" --out "$out" > /dev/null 2> "$root/report-next.err" ||
        fail "the report after a SIGKILL failed: $(cat "$root/report-next.err")"
    check_no_temporaries "$out" || fail "report-KILL: the next report did not remove the temporary folder"
fi

# ---- a gnuplot that forks ----------------------------------------------------
# Hangs: killed after the time limit (cut to 300 ms by the test knob), its
# job with it.
mark="$$-gnuplot-hangs"
PROCBENCH_TEST_MARK=$mark PROCBENCH_TEST_GNUPLOT_TIMEOUT_MS=300 PROCBENCH_GNUPLOT="$root/slow-gnuplot" \
    "$procbench" report "$run" --out "$root/hung" > /dev/null 2> "$root/hung.err"
one_line "a hung gnuplot" 1 $? "$root/hung.err"
grep -q 'killed after 300 ms' "$root/hung.err" || fail "a hung gnuplot: $(cat "$root/hung.err")"
check_no_marked_processes "$mark" || fail "a hung gnuplot's job outlived the report"
check_no_temporaries "$root/hung" || fail "a hung gnuplot: the temporary folder was left"
# Exits at once, leaving a job behind.
printf '#!/bin/sh\nsleep 300 > /dev/null 2>&1 &\necho "gnuplot stand-in fails" >&2\nexit 3\n' > "$root/forking-gnuplot"
chmod 755 "$root/forking-gnuplot"
mark="$$-gnuplot-forks"
PROCBENCH_TEST_MARK=$mark PROCBENCH_GNUPLOT="$root/forking-gnuplot" \
    "$procbench" report "$run" --out "$root/forked" > /dev/null 2> "$root/forked.err"
one_line "a gnuplot leaving a job" 1 $? "$root/forked.err"
check_no_marked_processes "$mark" || fail "the job a gnuplot left outlived the report"

# ---- untrusted input within a memory limit -----------------------------------
# 400 MB of address space: procbench needs a few MB; the inputs below cost
# gigabytes unless refused first. A sanitizer build reserves terabytes and
# cannot run under any limit: then this part is skipped, with a note.
limit_kb=400000
if (ulimit -v $limit_kb && "$procbench" --version) > /dev/null 2>&1; then
    # limited NAME EXPECTED_TEXT ARGS...: procbench ARGS under the limit
    # exits 2 with one line holding EXPECTED_TEXT.
    limited() {
        name=$1 expect=$2
        shift 2
        (ulimit -v $limit_kb && exec "$procbench" "$@") > /dev/null 2> "$root/limited.err"
        one_line "$name (procbench $1)" 2 $? "$root/limited.err"
        grep -qF -- "$expect" "$root/limited.err" || fail "$name: expected '$expect': $(cat "$root/limited.err")"
    }
    limited "a huge repetition" "repetition count 32767 is more than 255" list --filter 'a{1,32767}'
    limited "nested repetitions" "expands to more than 4096 atoms" run --filter '((a{1,20}){1,20}){1,20}' \
        --out-dir "$root/limited-run"
    mkdir -p "$root/big" "$root/many" "$root/deep"
    echo 'spawn.pthread < spawn.fork_only' > "$root/rules"
    # Past the size limit (sparse: nothing is read).
    truncate -s 200M "$root/big/results.json"
    # Under it, but one huge array of an unknown member: 20 million values.
    { printf '{"schema_version": 1, "junk": [0'; yes ',0' | head -n 20000000 | tr -d '\n'; printf ']}\n'; } \
        > "$root/many/results.json"
    # Nested a thousand deep.
    { printf '{"schema_version": 1, "deep": '; yes '[' | head -n 1000 | tr -d '\n';
      yes ']' | head -n 1000 | tr -d '\n'; printf '}\n'; } > "$root/deep/results.json"
    for kind in big:MiB many:values deep:deep; do
        folder=$root/${kind%:*} expect=${kind#*:}
        limited "${kind%:*} results.json" "$expect" export "$folder"
        limited "${kind%:*} results.json" "$expect" compare "$folder" "$run"
        limited "${kind%:*} results.json" "$expect" check "$folder" --rules "$root/rules"
        limited "${kind%:*} results.json" "$expect" report "$folder" --out "$root/limited-report"
    done
    rm -rf "$root/big" "$root/many" "$root/deep"
else
    echo "note: this build cannot run under ulimit -v (a sanitizer build?): the memory-limited checks are skipped"
fi

# ---- a newline in a path cannot split a message ---------------------------
nl=$(printf 'new\nline')
"$procbench" run --filter '^spawn\.pthread$' --param rss=0 --quick --min-time 20ms \
    --out-dir "$root/$nl" > "$root/nl-run.out" 2> "$root/nl-run.err"
one_line "run --out-dir with a newline" 2 $? "$root/nl-run.err"
[ -e "$root/$nl" ] && fail "run --out-dir with a newline: the folder was made"
"$procbench" report "$root/runs/latest" --out "$root/$nl" > "$root/nl-report.out" 2> "$root/nl-report.err"
one_line "report --out with a newline" 2 $? "$root/nl-report.err"
[ -e "$root/$nl" ] && fail "report --out with a newline: the folder was made"
for command in export report; do
    "$procbench" $command "$root/$nl" > /dev/null 2> "$root/nl-$command.err"
    one_line "$command of a folder named with a newline" 2 $? "$root/nl-$command.err"
done
"$procbench" compare "$root/$nl" "$root/runs" > /dev/null 2> "$root/nl-compare.err"
one_line "compare of a folder named with a newline" 2 $? "$root/nl-compare.err"

# ---- the measured shell's stderr -------------------------------------------
# A "child" the shell cannot run (a folder): sh says "Permission denied".
LC_ALL=C PROCBENCH_CHILD=$root "$procbench" run --filter '^spawn\.shell$' --param target=static \
    --param rss=0 --quick --min-time 20ms --out-dir "$root/shell" -q > /dev/null 2> "$root/shell.err"
code=$?
[ "$code" -eq 1 ] || fail "spawn.shell of a folder: exit $code, expected 1 (a case failed)"
[ -s "$root/shell.err" ] && fail "the shell's stderr reached procbench's: $(cat "$root/shell.err")"
awk -v column=reason -f "$here/csv_column.awk" "$root/shell/latest/summary.csv" 2> /dev/null |
    grep -q 'status 126: sh: .*Permission denied' ||
    fail "spawn.shell's reason does not quote the shell: $(cat "$root/shell/latest/summary.csv")"

echo "faults: $failures failed"
[ "$failures" -eq 0 ]
