#!/bin/sh
# procbench installed like a tool, then moved. Installs the build into a
# temporary prefix: the install manifest lists exactly the files installed,
# and removing what it lists leaves nothing but empty folders. Installs again,
# moves the prefix elsewhere (into a folder with a space), and runs the moved
# binary with a cleared environment from another folder: `procbench env` must
# name the moved prefix for its layout, child, Node.js driver, gnuplot scripts
# and expectations (and the check of that must fire when PROCBENCH_CHILD
# points back into the build tree); then a quick case of each family (spawn,
# ipc, output, and node when node is installed) is measured, `report` draws
# its plots from the moved scripts and `check` reads the moved expectations.
# The build tree is left as it was (its install_manifest.txt is restored).
# usage: install.sh CMAKE BUILD_DIR BINDIR LIBEXECDIR DATADIR MANDIR
#   (the last four as CMake's GNUInstallDirs has them, relative to the prefix)
set -eu
cmake=$1 build=$2 bindir=$3 libexecdir=$4 datadir=$5 mandir=$6
here=$(cd "$(dirname "$0")" && pwd)

# Short names: a case's reason (160 bytes) must hold a path in the prefix.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pbi.XXXXXX")
name=install.relocated
. "$(dirname "$0")/lib.sh"
manifest=$build/install_manifest.txt
keep_install_manifest "$build" "$tmp"

# ---- the manifest: complete, and enough to uninstall --------------------
first=$tmp/first
"$cmake" --install "$build" --prefix "$first" > "$tmp/install.log" 2>&1 \
    || die "cmake --install: $(cat "$tmp/install.log")"
for f in "$bindir/procbench" "$libexecdir/procbench/procbench-child" \
         "$libexecdir/procbench/procbench-driver.js" "$libexecdir/procbench/procbench-empty.js" \
         "$datadir/procbench/expectations" "$datadir/procbench/plots/bars.gp" \
         "$mandir/man1/procbench.1.gz"; do
    [ -f "$first/$f" ] || die "not installed: $f"
done
[ -x "$first/$libexecdir/procbench/procbench-child" ] || die "the child is not executable"
find "$first" ! -type d | sort > "$tmp/installed"
sort "$manifest" > "$tmp/listed"
diff "$tmp/listed" "$tmp/installed" > "$tmp/diff" \
    || die "install_manifest.txt differs from the files installed: $(cat "$tmp/diff")"
# What the README says to do (xargs rm < build/install_manifest.txt), with
# the names NUL-separated: this prefix may hold spaces.
tr '\n' '\0' < "$manifest" | xargs -0 rm --
left=$(find "$first" ! -type d)
[ -z "$left" ] || die "uninstalling by the manifest left: $left"

# ---- a moved prefix, nothing of the build tree reachable ------------------
"$cmake" --install "$build" --prefix "$tmp/staged" > "$tmp/install.log" 2>&1 \
    || die "cmake --install: $(cat "$tmp/install.log")"
mkdir "$tmp/m p" "$tmp/elsewhere"
mv "$tmp/staged" "$tmp/m p/prefix"
prefix=$(cd "$tmp/m p/prefix" && pwd -P)
procbench=$prefix/$bindir/procbench

# A cleared environment: PATH holds the system folders and those of node and
# gnuplot (they may live in /usr/local), never a procbench variable.
path=/usr/bin:/bin
for tool in node gnuplot; do
    found=$(command -v "$tool" || true)
    [ -n "$found" ] && path=$(dirname "$found"):$path
done
run() { (cd "$tmp/elsewhere" && env -i HOME="$tmp" PATH="$path" LC_ALL=C "$@"); }

# Each located file must be in the moved prefix, not overridden, present.
check_env() {
    for expected in "layout: installed" \
                    "binary_dir: $prefix/$bindir" \
                    "child: $prefix/$libexecdir/procbench/procbench-child" \
                    "node_driver: $prefix/$libexecdir/procbench/procbench-driver.js" \
                    "plots_dir: $prefix/$datadir/procbench/plots" \
                    "expectations: $prefix/$datadir/procbench/expectations"; do
        grep -qxF "$expected" "$1" || { echo "env lacks the line \"$expected\"" >&2; return 1; }
    done
    ! grep -F "$build" "$1" >&2 || { echo "env names the build tree" >&2; return 1; }
}
run "$procbench" env > "$tmp/env" || die "env failed"
check_env "$tmp/env" || die "the moved binary does not use its prefix: $(cat "$tmp/env")"
# The check above fires when the child comes from the build tree.
run env PROCBENCH_CHILD="$build/bench/child/procbench-child" "$procbench" env > "$tmp/env-child"
grep -qxF "child: $build/bench/child/procbench-child (from PROCBENCH_CHILD)" "$tmp/env-child" \
    || die "PROCBENCH_CHILD does not override: $(cat "$tmp/env-child")"
if check_env "$tmp/env-child" 2> /dev/null; then
    die "check_env accepted a child from the build tree"
fi

[ "$(run "$procbench" --version)" = "$("$build/procbench" --version)" ] \
    || die "--version differs from the build's"

# One quick case of each family; node.* when node is installed.
filters="--filter ^spawn\.posix_spawn$ --filter ^ipc\.pipe$ --filter ^output\.streamed$"
if command -v node > /dev/null 2>&1; then
    filters="$filters --filter ^node\.spawn$"
    families="spawn ipc output node"
else
    families="spawn ipc output"
fi
# shellcheck disable=SC2086 # the filters are words on purpose
run "$procbench" run $filters --quick --min-time 20ms --seed 1 --placement same \
    --param rss=0 --param mode=pingpong --param size=64 \
    --param bytes=64K --param stdio=pipe --param heap=0 --out-dir "$tmp/elsewhere/results" -q \
    > "$tmp/run.out" 2> "$tmp/run.err" || die "run: exit $? ($(cat "$tmp/run.err"))"
results=$tmp/elsewhere/results/latest
column() { awk -v column="$1" -f "$here/csv_column.awk" "$results/summary.csv"; }
statuses=$(column status | sort -u | tr '\n' ' ')
[ "$statuses" = "ok " ] || die "not every case measured ($statuses): $(cat "$results/summary.csv")"
for family in $families; do
    column scenario | grep -q "^$family\." || die "no $family case in the run"
done

# report: plots drawn from the moved prefix's scripts when gnuplot is here.
run "$procbench" report "$results" > "$tmp/report.out" 2> "$tmp/report.err" \
    || die "report: exit $? ($(cat "$tmp/report.err"))"
[ -s "$results/report.md" ] && [ -s "$results/report.html" ] || die "report wrote no report"
if command -v gnuplot > /dev/null 2>&1; then
    ls "$results/plots/"*.svg > /dev/null 2>&1 \
        || die "no plots drawn: $(cat "$tmp/report.err")"
fi

# check without --rules reads the moved prefix's expectations: their rules
# name cases this small run lacks, so they are not judged, and stderr names
# the file.
run "$procbench" check "$results" > "$tmp/check.out" 2> "$tmp/check.err" \
    || die "check on a narrow run: exit $? ($(cat "$tmp/check.err"))"
grep -q '^not judged ' "$tmp/check.out" || die "check judged rules this run has no case for"
grep -qF "$prefix/$datadir/procbench/expectations:" "$tmp/check.err" \
    || die "check did not read the installed expectations: $(cat "$tmp/check.err")"

# A report whose PROCBENCH_PLOTS_DIR cannot be a path: one line naming it,
# exit 2, and no report or staging folder left behind.
long=$(head -c 5000 /dev/zero | tr '\0' a)
mkdir "$tmp/elsewhere/copy"
cp "$results/summary.csv" "$results/rounds.csv" "$results/results.json" "$tmp/elsewhere/copy/"
status=0
run env PROCBENCH_PLOTS_DIR="$long" "$procbench" report "$tmp/elsewhere/copy" \
    > /dev/null 2> "$tmp/report-long.err" || status=$?
[ "$status" -eq 2 ] || die "report with a too long PROCBENCH_PLOTS_DIR: exit $status"
[ "$(wc -l < "$tmp/report-long.err")" -eq 1 ] && grep -q 'PROCBENCH_PLOTS_DIR is longer than' \
    "$tmp/report-long.err" || die "report with a too long PROCBENCH_PLOTS_DIR: $(cat "$tmp/report-long.err")"
[ "$(ls -A "$tmp/elsewhere/copy" | sort | tr '\n' ' ')" = "results.json rounds.csv summary.csv " ] \
    || die "a failed report left files: $(ls -A "$tmp/elsewhere/copy")"

# An incomplete installation: what is missing is named, with the remedy.
rm "$prefix/$libexecdir/procbench/procbench-child" "$prefix/$libexecdir/procbench/procbench-driver.js"
run "$procbench" env > "$tmp/env-missing"
for item in "child: $prefix/$libexecdir/procbench/procbench-child" \
            "node_driver: $prefix/$libexecdir/procbench/procbench-driver.js"; do
    grep -qxF "$item (missing)" "$tmp/env-missing" || die "env does not say \"$item (missing)\""
done
status=0
run "$procbench" run --filter '^spawn\.posix_spawn$' --param target=static --param rss=0 \
    --quick --min-time 20ms --out-dir "$tmp/elsewhere/broken" -q > /dev/null 2>&1 || status=$?
[ "$status" -eq 1 ] || die "a run without its child: exit $status"
# reason is the whole of $2, or as much of it as a reason holds (159 bytes).
reason_is() {
    reason=$(awk -v column=reason -f "$here/csv_column.awk" "$1")
    whole=$2
    [ "$reason" = "$whole" ] && return 0
    [ "${#reason}" -eq 159 ] && [ "${#whole}" -gt 159 ] && case $whole in "$reason"*) return 0 ;; esac
    echo "reason \"$reason\", expected \"$whole\"" >&2
    return 1
}
reason_is "$tmp/elsewhere/broken/latest/summary.csv" \
    "setup: spawn.posix_spawn: static child not found at $prefix/$libexecdir/procbench/procbench-child (No such file or directory): reinstall procbench" \
    || die "a run without its child"
if command -v node > /dev/null 2>&1; then
    # The driver is looked for before the child, so this names the driver.
    status=0
    run "$procbench" run --filter '^node\.spawn$' --param stdio=pipe --param shell=false \
        --param heap=0 --quick --min-time 20ms \
        --out-dir "$tmp/elsewhere/broken-node" -q > /dev/null 2>&1 || status=$?
    [ "$status" -eq 1 ] || die "a node run without its driver: exit $status"
    reason_is "$tmp/elsewhere/broken-node/latest/summary.csv" \
        "setup: node.spawn: node driver not found at $prefix/$libexecdir/procbench/procbench-driver.js (No such file or directory): reinstall procbench" \
        || die "a node run without its driver"
fi

echo "install: ok ($families; prefix moved to $prefix)"
