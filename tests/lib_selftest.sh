#!/bin/sh
# The leak checks of tests/lib.sh can fail: each is run once on a clean
# place (it must pass) and once with its leak planted (it must fail and say
# so): a hidden temporary file in a results folder, a process carrying the
# test's mark, a message queue and a shared-memory object (in the test's own
# IPC namespace, where the kernel allows one). Then private_ipc itself: the
# namespace it gives must not show what the machine holds.
# usage: lib_selftest.sh OUT_DIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
private_ipc "$0" "$@"
root=$1
rm -rf "$root"
mkdir -p "$root/clean" "$root/leaky/hist"
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect_catch NAME CHECK ARGS...: CHECK must fail on the planted leak.
expect_catch() {
    name=$1
    shift
    if "$@" 2> "$root/caught"; then
        fail "$name: the check did not catch the planted leak"
    else
        echo "$name: caught: $(cat "$root/caught")"
    fi
}
expect_pass() {
    name=$1
    shift
    "$@" 2> "$root/caught" || fail "$name: the check failed on a clean place: $(cat "$root/caught")"
}

# ---- temporaries: an atomic file's name, as procbench makes them ----------
: > "$root/clean/summary.csv"
expect_pass temporaries check_no_temporaries "$root/clean"
: > "$root/leaky/hist/.case.hgrm.Xq3ZbA"
expect_catch temporaries check_no_temporaries "$root/leaky"
rm -f "$root/leaky/hist/.case.hgrm.Xq3ZbA"
mkdir "$root/leaky/.report.123.AbCdEf"
expect_catch "temporaries (a report's staging folder)" check_no_temporaries "$root/leaky"
rmdir "$root/leaky/.report.123.AbCdEf"
expect_pass "temporaries (removed)" check_no_temporaries "$root/leaky"

# ---- processes: one carrying the mark, and its child ---------------------
mark="$$-selftest"
expect_pass processes check_no_marked_processes "$mark"
PROCBENCH_TEST_MARK=$mark sh -c 'sleep 60 & exec sleep 60' &
planted=$!
sleep 0.2
[ "$(marked_processes "$mark")" -eq 2 ] || fail "processes: $(marked_processes "$mark") marked, expected 2"
expect_catch processes check_no_marked_processes "$mark"
pkill -KILL -P "$planted" 2> /dev/null
kill -KILL "$planted"
wait "$planted" 2> /dev/null
expect_pass "processes (killed)" check_no_marked_processes "$mark"

# ---- message queues and shared-memory objects ----------------------------
prefix="procbench-selftest-$$"
if [ "${PROCBENCH_TEST_PRIVATE_IPC:-}" = 1 ]; then
    # The machine's objects are not visible here, ours are.
    [ -z "$(ls -A "$PROCBENCH_TEST_MQUEUE")" ] || fail "private_ipc: queues visible: $(ls -A "$PROCBENCH_TEST_MQUEUE")"
    [ -z "$(ls -A /dev/shm)" ] || fail "private_ipc: /dev/shm not empty: $(ls -A /dev/shm)"
    expect_pass queues check_no_queues procbench-
    # Creating a file in an mqueue file system creates a queue.
    : > "$PROCBENCH_TEST_MQUEUE/$prefix"
    grep -q QSIZE "$PROCBENCH_TEST_MQUEUE/$prefix" || fail "queues: the planted file is not a queue"
    expect_catch queues check_no_queues procbench-
    rm -f "$PROCBENCH_TEST_MQUEUE/$prefix"
    expect_pass "queues (removed)" check_no_queues procbench-
else
    echo "note: no IPC namespace of our own here (not root, no user namespaces): queue check not exercised"
fi
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    expect_pass shm check_no_shm "$prefix"
    : > "/dev/shm/$prefix"
    expect_catch shm check_no_shm "$prefix"
    rm -f "/dev/shm/$prefix"
    expect_pass "shm (removed)" check_no_shm "$prefix"
else
    echo "note: no writable /dev/shm: shared-memory check not exercised"
fi

echo "lib self-test: $failures failed"
[ "$failures" -eq 0 ]
