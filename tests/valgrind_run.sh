#!/bin/sh
# valgrind memcheck over a quick run of a few scenarios of each family: no
# invalid access and no definite leak, in the harness or in any process it
# forks (valgrind follows fork(); the exec'd children are not traced). Each
# process logs to a file of its own, because a forked round's process ends
# with _exit() and its own errors never reach procbench's exit status.
# usage: valgrind_run.sh PROCBENCH OUT_DIR
set -u
procbench=$1 root=$2
rm -rf "$root"
mkdir -p "$root/logs"
name=valgrind.quick_run
. "$(dirname "$0")/lib.sh"

valgrind -q --log-file="$root/logs/vg.%p" --error-exitcode=1 --leak-check=full \
    --errors-for-leak-kinds=definite --track-origins=no \
    "$procbench" run --quick --seed 3 --placement same \
    --filter '^(spawn\.(fork_exec|posix_spawn|pthread|pool)|ipc\.(pipe|shm|mq|fifo)|output\.(buffered|streamed))$' \
    --param rss=0,64M --param size=64 --param mode=pingpong --param bytes=64K --param wait=futex \
    --out-dir "$root/out" -q > "$root/stdout" 2> "$root/stderr"
code=$?
[ "$code" -eq 0 ] || die "procbench exited $code: $(cat "$root/stderr")"
logs=$(ls "$root/logs" | wc -l)
[ "$logs" -gt 10 ] || die "only $logs process logs: were the forked rounds followed?"
# Errors are "==PID==" lines; "--PID--" lines are valgrind's own warnings
# (it does not know pidfd_open, which procbench then does without).
bad=$(grep -l '^==[0-9]*==' "$root"/logs/vg.* 2> /dev/null)
if [ -n "$bad" ]; then
    for f in $bad; do cat "$f" >&2; done
    die "errors in $(echo "$bad" | wc -l) of $logs processes"
fi
[ -s "$root/out/latest/summary.csv" ] || die "no summary.csv"
echo "valgrind: $logs processes checked, no error, no definite leak"
