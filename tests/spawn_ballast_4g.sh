#!/bin/sh
# A spawn case with a 4 GiB ballast, end to end: spawn.fork_only{rss=4G}
# must be measured, its forked children must have carried the 4 GiB
# (wait4's peak RSS of a child counts the pages it shares copy-on-write
# with its parent), and the memory must be given back: the ballast is
# anonymous memory of the run's processes, so no process of the run may be
# left (each carries the test's mark), nor a shared-memory object in
# /dev/shm (counted in an IPC namespace of the test's own, lib.sh's
# private_ipc, where it is there), where a ballast could otherwise outlive
# them. (The machine's
# MemAvailable was compared before and after once: other work on a shared
# machine moves it by more than any threshold.) On a machine without the
# memory, the case must instead be skipped with a reason that says so, and
# nothing else is checked.
# usage: spawn_ballast_4g.sh PROCBENCH OUT_ROOT
set -eu
name=spawn.ballast_4g
. "$(dirname "$0")/lib.sh"
private_ipc "$0" "$@"
procbench=$1 root=$2
rm -rf "$root"
mkdir -p "$root"

mark="$$-ballast-4g"
PROCBENCH_TEST_MARK=$mark "$procbench" run --filter '^spawn\.fork_only$' --param rss=4G --quick --seed 1 \
    --out-dir "$root" -q > "$root/stdout" 2> "$root/stderr" \
    || die "exit code $? (stderr: $(cat "$root/stderr"))"

column() { csv_column "$root/latest/summary.csv" "$1"; }
[ "$(column case | wc -l)" -eq 1 ] || die "expected one case: $(cat "$root/latest/summary.csv")"
status=$(column status) reason=$(column reason)
if [ "$status" = skipped ]; then
    case $reason in
    *"does not fit"*MemAvailable*) echo "spawn.ballast_4g: skipped here: $reason"; exit 0 ;;
    *) die "skipped for another reason: $reason" ;;
    esac
fi
[ "$status" = ok ] || die "status $status: $reason"
maxrss=$(column child_maxrss_kb)
[ "$maxrss" -ge $((4 * 1024 * 1024)) ] || die "children's peak RSS $maxrss KiB: the 4 GiB ballast was not there"
check_no_marked_processes "$mark" || die "a process of the run, and its ballast, outlived it"
if [ "${PROCBENCH_TEST_PRIVATE_IPC:-}" = 1 ]; then
    check_no_shm "" || die "a shared-memory object was left in /dev/shm"
fi
echo "spawn.ballast_4g: ok, p50 $(column p50) ns, children's peak RSS $maxrss KiB, nothing left"
