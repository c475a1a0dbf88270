#!/bin/sh
# node.spawn's mechanism column against strace: the call that created the
# child in procbench's observation must be the one strace shows when the
# same node spawns the same child (name, flags and exit signal). Skipped
# (77) without node or strace, or where ptrace is refused (the column then
# says "unobserved: ...", which the test prints).
# usage: mechanism_node.sh PROCBENCH OUT_DIR
set -u
procbench=$1 name=mechanism.node_strace root=$2
. "$(dirname "$0")/lib.sh"
node=${PROCBENCH_NODE:-$(command -v node)}
[ -n "$node" ] || { echo "skipped: node is not installed"; exit 77; }
command -v strace > /dev/null || { echo "skipped: strace is not installed"; exit 77; }
rm -rf "$root"
mkdir -p "$root"

"$procbench" run --filter '^node\.spawn$' --param stdio=inherit --quick --min-time 20ms \
    --out-dir "$root/out" -q > "$root/stdout" 2> "$root/stderr" \
    || die "procbench exited $?: $(cat "$root/stderr")"
ours=$(csv_column "$root/out/latest/summary.csv" mechanism)
case "$ours" in
unobserved:*) echo "skipped: $ours"; exit 77 ;;
"") die "no mechanism for node.spawn" ;;
esac
child="$(dirname "$procbench")/bench/child/procbench-child"
strace -f -qq -e trace=clone,clone3,fork,vfork -o "$root/strace" \
    "$node" -e "require('child_process').spawn(process.argv[1], [], {stdio: 'inherit'})" "$child" \
    || die "strace of node failed"
# The process-creating line (no CLONE_THREAD), as NAME(FLAGS|SIGNAL); strace
# pads a short PID with spaces.
theirs=$(grep -v CLONE_THREAD "$root/strace" | sed -n \
    -e 's/^[0-9]* *\(clone\)(.*flags=\([A-Z_|]*\).*/\1(\2)/p' \
    -e 's/^[0-9]* *\(clone3\)({flags=\([A-Z_|]*\), exit_signal=\([A-Z]*\).*/\1(\2|\3)/p' \
    -e 's/^[0-9]* *\(v*fork\)().*/\1()/p')
[ "$(echo "$theirs" | grep -c .)" -eq 1 ] || die "strace shows $(echo "$theirs" | grep -c .) creating calls: $(cat "$root/strace")"
expected="$theirs + execve(procbench-child)"
[ "$ours" = "$expected" ] || die "procbench observed '$ours', strace shows '$expected'"
echo "mechanism_node: $ours (as strace shows)"
