#!/bin/sh
# Without node, a run of the node.* scenarios succeeds (exit 0) with every
# case skipped, not failed, and each reason naming node: PROCBENCH_NODE
# points at a file that does not exist.
# usage: node_skipped.sh PROCBENCH OUT_ROOT
set -eu
procbench=$1 root=$2
rm -rf "$root"
mkdir -p "$root"
name=cli.node_skipped
. "$(dirname "$0")/lib.sh"

PROCBENCH_NODE=/nonexistent/node "$procbench" run --filter '^node\.' --quick --seed 1 \
    --out-dir "$root" -q > "$root/stdout" 2> "$root/stderr" \
    || die "exit code $? (stderr: $(cat "$root/stderr"))"
csv=$root/latest/summary.csv
column() { csv_column "$csv" "$1"; }
rows=$(column scenario | grep -c '^node\.' || true)
[ "$rows" -ge 12 ] || die "expected a row per node.* case, got $rows"
column status | grep -qvx skipped && die "a case was not skipped: $(cat "$csv")"
named=$(column reason | grep -c 'node not found: PROCBENCH_NODE=/nonexistent/node' || true)
[ "$named" -eq "$rows" ] || die "$named of $rows reasons name node: $(column reason | head -1)"
echo "node_skipped: $rows cases skipped with the reason"
