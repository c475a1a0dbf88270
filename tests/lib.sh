# shellcheck shell=sh
# The shell tests' shared checks. A test sets `name` (how its messages
# start) and `root` (its own scratch folder, made before the first check),
# then sources this file:
#     name=cli.report root=$2
#     . "$(dirname "$0")/lib.sh"
#
#   fail MESSAGE...           a check failed: says so, and the test goes on
#   die MESSAGE...            a check failed that the rest depends on: exit 1
#   expect_refused EXPECT COMMAND [ARG...]
#                             COMMAND must refuse its input: exit 2 and exactly
#                             one line on stderr, holding EXPECT (a fixed string)
#   csv_column FILE COLUMN    the values of COLUMN of an RFC 4180 FILE, one a
#                             data row; exit 2 when FILE has no such column
#   lib_finish                the end: exit 1 when a check failed
#   check_no_temporaries, check_no_marked_processes, check_no_queues,
#   check_no_shm, private_ipc   leak checks and a namespace of the test's
#                             own (below)
#
# POSIX sh, and safe under `set -eu`. Its variables start with lib_: sh
# functions share the caller's variables.

lib_here=$(cd "$(dirname "$0")" && pwd)
lib_failures=0
lib_checks=0

fail() {
    echo "FAIL: $name: $*" >&2
    lib_failures=$((lib_failures + 1))
}

die() {
    echo "FAIL: $name: $*" >&2
    exit 1
}

expect_refused() {
    lib_expect=$1
    shift
    lib_checks=$((lib_checks + 1))
    lib_code=0
    "$@" > "$root/refused.out" 2> "$root/refused.err" || lib_code=$?
    lib_lines=$(wc -l < "$root/refused.err")
    if [ "$lib_code" -ne 2 ] || [ "$lib_lines" -ne 1 ] ||
        ! grep -qF -- "$lib_expect" "$root/refused.err"; then
        fail "$*: exit $lib_code and $lib_lines stderr lines, expected 2 and one line with" \
            "'$lib_expect':"
        sed 's/^/    /' "$root/refused.err" >&2
    fi
}

csv_column() {
    awk -v column="$2" -f "$lib_here/csv_column.awk" "$1"
}

lib_finish() {
    if [ "$lib_failures" -ne 0 ]; then
        echo "$name: $lib_failures failed ($lib_checks refusals checked)" >&2
        exit 1
    fi
    echo "$name: ok ($lib_checks refusals checked)"
}

# ---- leak checks -----------------------------------------------------------
# Each prints what it found on stderr and returns 1 when something was left,
# 0 when nothing was, so a test writes `check_no_temporaries "$dir" || fail
# "..."`. tests/lib_selftest.sh plants every kind of leak and shows that its
# check catches it: a check that cannot fail is a defect.

# ---- leftover temporary files ---------------------------------------------
# procbench writes every file under a hidden temporary name and renames it:
# .NAME.XXXXXX (atomic files), .report.PID.XXXXXX (a report being made),
# .latest.tmpPID.N (the latest link). Nothing else whose name starts with a
# dot belongs in a finished results or report folder: the one exception is
# plots/.procbench-report, the mark of a plots/ folder a report made.

# temporaries_in DIR: prints every hidden file or folder under DIR.
temporaries_in() {
    find "$1" -mindepth 1 -name '.*' ! -name .procbench-report 2> /dev/null
}

# check_no_temporaries DIR: returns 1 (and names them) when any is left.
check_no_temporaries() {
    lib_left=$(temporaries_in "$1")
    [ -z "$lib_left" ] && return 0
    echo "temporary files left in $1: $lib_left" >&2
    return 1
}

# ---- leftover processes ---------------------------------------------------
# A test runs procbench with PROCBENCH_TEST_MARK=MARK in its environment;
# every process the run makes (rounds, peers, exec'd children, their own
# children) inherits it, so any process still carrying it outlived the run.
# MARK must be unique to the test: "$$-name" is.

# marked_processes MARK: how many live processes carry the mark.
marked_processes() {
    grep -lsz "^PROCBENCH_TEST_MARK=$1\$" /proc/[0-9]*/environ 2> /dev/null | wc -l
}

# check_no_marked_processes MARK: returns 1 when a marked process is alive.
# A process that is already exiting may linger for a moment, so it looks
# again for up to a second before it reports.
check_no_marked_processes() {
    lib_tries=0
    while [ "$(marked_processes "$1")" -gt 0 ]; do
        lib_tries=$((lib_tries + 1))
        if [ "$lib_tries" -gt 10 ]; then
            echo "$(marked_processes "$1") process(es) marked $1 outlived the run:" \
                "$(grep -lsz "^PROCBENCH_TEST_MARK=$1\$" /proc/[0-9]*/environ 2> /dev/null |
                   sed 's,/proc/\([0-9]*\)/environ,\1,' | tr '\n' ' ')" >&2
            return 1
        fi
        sleep 0.1
    done
    return 0
}

# ---- leftover POSIX message queues and shared-memory objects --------------
# Both name spaces are machine-wide: a test counts them only inside an IPC
# and mount namespace of its own (private_ipc below), where /dev/mqueue and
# /dev/shm hold nothing but what the test made.

# named_objects DIR PREFIX: prints the entries of DIR whose name starts with
# PREFIX (nothing when DIR does not exist).
named_objects() {
    [ -d "$1" ] || return 0
    for lib_entry in "$1"/* "$1"/.[!.]* "$1"/..?*; do
        [ -e "$lib_entry" ] || continue
        case ${lib_entry##*/} in "$2"*) echo "${lib_entry##*/}" ;; esac
    done
}

# check_no_queues PREFIX: returns 1 when the queue file system (the private
# one of private_ipc, else /dev/mqueue) holds a queue named PREFIX...
check_no_queues() {
    lib_left=$(named_objects "${PROCBENCH_TEST_MQUEUE:-/dev/mqueue}" "$1")
    [ -z "$lib_left" ] && return 0
    echo "message queues left: $lib_left" >&2
    return 1
}

# check_no_shm PREFIX: returns 1 when /dev/shm holds an object named
# PREFIX... (shm_open, sem_open and glibc's named semaphores live there).
check_no_shm() {
    lib_left=$(named_objects /dev/shm "$1")
    [ -z "$lib_left" ] && return 0
    echo "shared-memory objects left in /dev/shm: $lib_left" >&2
    return 1
}

# ---- a namespace of the test's own ----------------------------------------

# private_ipc SCRIPT ARGS...: runs the calling script again in IPC and mount
# namespaces of its own, with a fresh mqueue file system (on a new folder,
# exported as PROCBENCH_TEST_MQUEUE: /dev/mqueue is not mounted everywhere)
# and a fresh tmpfs on /dev/shm, so that what it counts there is its own;
# then exits with its status. As root with `unshare --ipc --mount`;
# otherwise as the root of a user namespace of its own (`unshare -r`) where
# the kernel allows it. Returns instead when neither is possible, or when
# the script already runs inside: PROCBENCH_TEST_PRIVATE_IPC is then 1
# inside and empty outside, for the script to say that it cannot count.
private_ipc() {
    [ "${PROCBENCH_TEST_PRIVATE_IPC:-}" = 1 ] && return 0
    command -v unshare > /dev/null 2>&1 || return 0
    if [ "$(id -u)" -eq 0 ] && unshare --ipc --mount true 2> /dev/null; then
        lib_flags="--ipc --mount"
    elif unshare -r --ipc --mount true 2> /dev/null; then
        lib_flags="-r --ipc --mount"
    else
        return 0
    fi
    PROCBENCH_TEST_MQUEUE=$(mktemp -d "${TMPDIR:-/tmp}/procbench-mqueue.XXXXXX") || return 0
    export PROCBENCH_TEST_MQUEUE
    # shellcheck disable=SC2086,SC2016 # several words on purpose; expanded by the inner sh
    unshare $lib_flags --propagation private sh -c '
        mount -t mqueue mqueue "$PROCBENCH_TEST_MQUEUE" || exit 125
        if [ -d /dev/shm ]; then mount -t tmpfs -o size=16m,mode=1777 tmpfs /dev/shm || exit 125; fi
        PROCBENCH_TEST_PRIVATE_IPC=1 exec "$@"' private_ipc "$@"
    lib_status=$?
    rmdir "$PROCBENCH_TEST_MQUEUE"
    exit "$lib_status"
}

# ---- the build tree's install manifest -------------------------------------
# cmake --install and cpack rewrite BUILD/install_manifest.txt. A test that
# runs them calls keep_install_manifest BUILD SCRATCH first: it saves the
# developer's manifest into SCRATCH (a folder of the test's own) and sets the
# EXIT trap that puts it back (or removes the one the test made) and removes
# SCRATCH, whatever ends the test.
keep_install_manifest() {
    lib_manifest=$1/install_manifest.txt lib_scratch=$2
    if [ -e "$lib_manifest" ]; then
        cp -p "$lib_manifest" "$lib_scratch/manifest.before"
    fi
    trap lib_restore_install_manifest EXIT
    trap 'exit 1' HUP INT TERM
}

lib_restore_install_manifest() {
    if [ -e "$lib_scratch/manifest.before" ]; then
        cp -p "$lib_scratch/manifest.before" "$lib_manifest"
    else
        rm -f "$lib_manifest"
    fi
    rm -rf "$lib_scratch"
}
