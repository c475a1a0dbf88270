#!/bin/sh
# Without node, a run of the node.* scenarios succeeds (exit 0) with every
# case skipped, not failed, and each reason naming node: PROCBENCH_NODE
# points at a file that does not exist.
# usage: node_skipped.sh PROCBENCH OUT_ROOT
set -eu
procbench=$1 root=$2
rm -rf "$root"
mkdir -p "$root"
fail() { echo "node_skipped: $*" >&2; exit 1; }

PROCBENCH_NODE=/nonexistent/node "$procbench" run --filter '^node\.' --quick --seed 1 \
    --out-dir "$root" -q > "$root/stdout" 2> "$root/stderr" \
    || fail "exit code $? (stderr: $(cat "$root/stderr"))"
csv=$root/latest/summary.csv
column() { awk -v column="$1" -f "$(dirname "$0")/csv_column.awk" "$csv"; }
rows=$(column scenario | grep -c '^node\.' || true)
[ "$rows" -ge 12 ] || fail "expected a row per node.* case, got $rows"
column status | grep -qvx skipped && fail "a case was not skipped: $(cat "$csv")"
named=$(column reason | grep -c 'node not found: PROCBENCH_NODE=/nonexistent/node' || true)
[ "$named" -eq "$rows" ] || fail "$named of $rows reasons name node: $(column reason | head -1)"
echo "node_skipped: $rows cases skipped with the reason"
