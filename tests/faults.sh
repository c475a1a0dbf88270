#!/bin/sh
# Faults and hostile input met from outside, each once found to break a
# promise (issue 13) and kept here so that it stays fixed:
# - node's version probe (procbench env, and a run of node.*) with a fake
#   node that leaves background jobs: none outlives the command;
# (the other sections say what they check)
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

# ---- node's version probe: its process group goes with it ------------------
# A node that answers and exits, leaving two jobs behind: one holding the
# pipe procbench reads the answer from, one not.
cat > "$root/fake-node" << 'EOF'
#!/bin/sh
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
# The driver never answers: its time limit, cut by the test knob.
PROCBENCH_TEST_MARK=$mark PROCBENCH_TEST_NODE_TIMEOUT_MS=300 PROCBENCH_NODE="$root/fake-node" \
    "$procbench" run --filter '^node\.spawn$' \
    --param target=static --quick --min-time 20ms --out-dir "$root/node-run" -q > "$root/node-run.out" 2>&1
check_no_marked_processes "$mark" || fail "a run of node.spawn left the fake node's jobs running"

echo "faults: $failures failed"
[ "$failures" -eq 0 ]
