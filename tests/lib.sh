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
#
# POSIX sh, and safe under `set -eu`.

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
