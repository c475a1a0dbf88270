#!/bin/sh
# What the security audit of issue 9 can check from outside:
# - spawn.shell quotes the program it hands to /bin/sh: a child program
#   whose path holds a quote, spaces, $(...) and ';' still runs as one
#   word, and nothing in the path is executed; so do node.exec,
#   node.execSync and shell=true on node.spawn and node.execFile;
# - ipc.fifo's and ipc.mq's named objects are private and gone: a run, and
#   a run stopped by SIGTERM in the middle of them, leave nothing in
#   $TMPDIR (the FIFO folder is made there by mkdtemp) nor among the
#   message queues and shared-memory objects, counted in an IPC namespace
#   of the test's own (lib.sh's private_ipc) so that no other test or
#   program can make or take one in between;
# - results files are written whole (no temporary name left) and not
#   writable by others.
# usage: security.sh PROCBENCH CHILD OUT_DIR
set -u
. "$(dirname "$0")/lib.sh"
private_ipc "$0" "$@"
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
procbench=$(abs "$1") child=$(abs "$2") root=$3
rm -rf "$root"
mkdir -p "$root/work" "$root/tmp"
root=$(cd "$root" && pwd)
name=cli.security
. "$(dirname "$0")/lib.sh"
cd "$root/work" || exit 1

# ---- spawn.shell and a hostile path --------------------------------------
hostile="$root/it's a \$(touch pwned1) dir;touch pwned2"
mkdir -p "$hostile"
cp "$child" "$hostile/child \`touch pwned3\`"
PROCBENCH_CHILD="$hostile/child \`touch pwned3\`" "$procbench" run --filter '^spawn\.shell$' \
    --param target=static --param rss=0 --quick --out-dir "$root/shell" -q > "$root/shell.out" 2>&1 ||
    fail "spawn.shell with a hostile child path: $(cat "$root/shell.out")"
grep -q ',ok,' "$root/shell/latest/summary.csv" 2> /dev/null ||
    fail "spawn.shell did not run the child at the hostile path"
found=$(find "$root" -name 'pwned*' | wc -l)
[ "$found" -eq 0 ] || fail "the shell executed part of the child's path: $(find "$root" -name 'pwned*')"

# ---- node.*'s shells and the same path (when node is installed) -----------
# exec, execSync and shell=true on spawn and execFile hand the quoted path to
# /bin/sh; the driver is the build's (the hostile folder holds only the child).
if command -v node > /dev/null 2>&1; then
    PROCBENCH_NODE_DRIVER="$(dirname "$child")/procbench-driver.js" \
        PROCBENCH_CHILD="$hostile/child \`touch pwned3\`" "$procbench" run \
        --filter '^node\.(spawn|execFile|exec|execSync)$' --param target=static \
        --param stdio=inherit --param shell=true --param heap=0 --quick --min-time 20ms \
        --out-dir "$root/node-shell" -q > "$root/node-shell.out" 2>&1 ||
        fail "node.* shells with a hostile child path: $(cat "$root/node-shell.out")"
    rows=$(grep -c '^node\.' "$root/node-shell/latest/summary.csv" 2> /dev/null || true)
    ok=$(grep '^node\.' "$root/node-shell/latest/summary.csv" 2> /dev/null | grep -c ',ok,' || true)
    [ "$rows" -eq 4 ] && [ "$ok" -eq 4 ] ||
        fail "node.* shells: $ok of $rows cases ran the child at the hostile path"
    found=$(find "$root" -name 'pwned*' | wc -l)
    [ "$found" -eq 0 ] || fail "a node.* shell executed part of the child's path"
fi

# ---- named objects: FIFOs and message queues -----------------------------
TMPDIR="$root/tmp" "$procbench" run --filter '^ipc\.(fifo|mq)$' --param size=64,4K \
    --placement same --quick --out-dir "$root/ipc" -q > "$root/ipc.out" 2>&1 ||
    fail "ipc.fifo/ipc.mq run: $(cat "$root/ipc.out")"
[ -z "$(ls -A "$root/tmp")" ] || fail "left in TMPDIR: $(ls -A "$root/tmp")"

# The same, stopped by SIGTERM while rounds run.
TMPDIR="$root/tmp" "$procbench" run --filter '^ipc\.(fifo|mq)$' --placement same,free \
    --quick --out-dir "$root/ipc-stopped" -q > "$root/stopped.out" 2>&1 &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
code=$?
[ "$code" -eq 143 ] || [ "$code" -eq 0 ] || fail "ipc run stopped by SIGTERM: exit $code"
[ -z "$(ls -A "$root/tmp")" ] || fail "left in TMPDIR after SIGTERM: $(ls -A "$root/tmp")"
if [ "${PROCBENCH_TEST_PRIVATE_IPC:-}" = 1 ]; then
    check_no_queues procbench- || fail "message queues left after the runs"
    check_no_shm "" || fail "shared-memory objects left after the runs"
else
    echo "note: no IPC namespace of our own here: leftover queues and shm objects not counted"
fi

# ---- results files -------------------------------------------------------
for dir in "$root/shell" "$root/ipc" "$root/ipc-stopped"; do
    check_no_temporaries "$dir" || fail "temporary files in $dir"
    writable=$(find "$dir" -type f -perm -o+w | wc -l)
    [ "$writable" -eq 0 ] || fail "files writable by others in $dir"
done

lib_finish
