#!/bin/sh
# A spawn case with a 4 GiB ballast, end to end: spawn.fork_only{rss=4G}
# must be measured, its forked children must have carried the 4 GiB
# (wait4's peak RSS of a child counts the pages it shares copy-on-write
# with its parent), and the machine must have its memory back afterwards:
# MemAvailable after the run no more than 1 GiB below what it was before
# (other work on a shared machine moves it too; a ballast left behind would
# move it by 4). On a machine without the memory, the case must instead be
# skipped with a reason that says so, and nothing else is checked.
# usage: spawn_ballast_4g.sh PROCBENCH OUT_ROOT
set -eu
procbench=$1 root=$2
rm -rf "$root"
mkdir -p "$root"

name=spawn.ballast_4g
. "$(dirname "$0")/lib.sh"
available_kib() { awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo; }

before=$(available_kib)
"$procbench" run --filter '^spawn\.fork_only$' --param rss=4G --quick --seed 1 \
    --out-dir "$root" -q > "$root/stdout" 2> "$root/stderr" \
    || die "exit code $? (stderr: $(cat "$root/stderr"))"
after=$(available_kib)

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
[ "$after" -ge $((before - 1024 * 1024)) ] \
    || die "MemAvailable $before KiB before the run, $after KiB after: memory was not given back"
echo "spawn.ballast_4g: ok, p50 $(column p50) ns, children's peak RSS $maxrss KiB, MemAvailable $before -> $after KiB"
