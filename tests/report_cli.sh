#!/bin/sh
# procbench report from the outside: a real --quick run reported (files
# there, no temporary folder left, no network reference in the page), again
# over the first report, with --png, and for two runs side by side; every
# bad input one stderr line naming it and exit 2 with nothing written;
# gnuplot missing (PROCBENCH_GNUPLOT=/nonexistent, or a PATH without it):
# the report without plots, one line naming gnuplot-nox, exit 0; gnuplot
# failing: exit 1 and the previous report left as it was; and hostile names
# in results.json and rounds.csv (quotes, backquotes, system(), $(...))
# that must run nothing while gnuplot draws them.
# usage: report_cli.sh PROCBENCH OUT_ROOT
set -u
procbench=$1 root=$2
rm -rf "$root"
mkdir -p "$root"
root=$(cd "$root" && pwd)
name=cli.report
. "$(dirname "$0")/lib.sh"

# Literal replacement of $FROM by $TO in a file (awk -v would expand escapes).
replace() {
    FROM=$2 TO=$3 awk 'BEGIN { f = ENVIRON["FROM"]; t = ENVIRON["TO"] }
        { out = ""; line = $0
          while ((i = index(line, f)) > 0) { out = out substr(line, 1, i - 1) t; line = substr(line, i + length(f)) }
          print out line }' "$1" > "$1.new" && mv "$1.new" "$1"
}

"$procbench" run --quick --filter '^spawn\.(posix_spawn|fork_exec|vfork_exec|shell|pool)$' \
    --param target=static --param rss=0,64M --out-dir "$root/runs" -q > "$root/run.out" 2>&1 || { cat "$root/run.out" >&2; exit 1; }
run=$(cd "$root/runs/latest" && pwd -P)

# ---- a report of a real run ---------------------------------------------------
if ! "$procbench" report "$run" > "$root/stdout" 2> "$root/stderr"; then
    fail "report of $run failed:"; cat "$root/stderr" >&2
fi
grep -qF "$run/report.html" "$root/stdout" || fail "report does not say where it wrote"
for f in report.md report.html plots/.procbench-report; do
    [ -s "$run/$f" ] || fail "no $f"
done
svgs=$(ls "$run/plots"/*.svg 2>/dev/null | wc -l)
[ "$svgs" -ge 3 ] || fail "expected plots, found $svgs SVG files"
[ -z "$(ls -a "$run" | grep '^\.report')" ] || fail "a temporary .report folder was left"
# Answers first, the environment after the results; a question this run
# answers says yes or no (or cannot tell) with its figures, one it cannot
# says what to run.
md=$run/report.md
line_of() { grep -n "$1" "$md" | head -n 1 | cut -d: -f1; }
[ -n "$(line_of '^## Answers$')" ] && [ -n "$(line_of '^## Environment$')" ] \
    && [ "$(line_of '^## Answers$')" -lt "$(line_of '^## Results$')" ] \
    && [ "$(line_of '^## Results$')" -lt "$(line_of '^## Environment$')" ] \
    || fail "report.md does not open with its answers"
grep -Eq "^- Does spawning through a shell \(Node's exec\) cost more than spawning the program\? \*\*(Yes\.|No\.|Cannot tell)\*\*" "$md" \
    || fail "the shell question has no answer"
grep -qF "Does Node's fork cost more than twice its spawn? **Not measured** (no case of the left side was run). To answer it: \`procbench run --filter '^node\\.(fork|spawn)\$' --param target=static --param stdio=inherit --param detached=false --param shell=false --param heap=0 --placement same\`" "$md" \
    || fail "a question whose cases were not run does not say what to run"
grep -q '\\`' "$md" && fail "report.md escapes a backquote"
[ "$(wc -c < "$md")" -lt 65536 ] || fail "report.md is longer than a pull-request comment takes"
grep -qi 'src="http\|href="http\|@import\|<link' "$run/report.html" && fail "report.html refers to something outside itself"
[ "$(grep -c '<img class="plot"' "$run/report.html")" -eq "$svgs" ] || fail "report.html does not embed every plot"
# The static child's three clocks, and the observed mechanism beside each row.
[ -s "$(ls "$run/plots"/*_clocks.svg 2>/dev/null | head -n 1)" ] || fail "no clocks plot"
grep -q '| mechanism (observed) |' "$run/report.md" || fail "report.md has no mechanism column"
# Again over it, with PNGs: the old plots/ is replaced.
first=$(cksum < "$run/report.md")
"$procbench" report --png "$run" > /dev/null 2> "$root/stderr" || { fail "second report failed"; cat "$root/stderr" >&2; }
[ "$(ls "$run/plots"/*.png 2>/dev/null | wc -l)" -eq "$svgs" ] || fail "--png did not draw a PNG of every plot"

# ---- gnuplot failing: exit 1, the report before it untouched ------------------
before=$(cat "$run/report.md" "$run/plots"/*.svg | cksum)
printf '#!/bin/sh\necho "fake gnuplot fails" >&2\nexit 3\n' > "$root/fake-gnuplot"
chmod +x "$root/fake-gnuplot"
PROCBENCH_GNUPLOT=$root/fake-gnuplot "$procbench" report "$run" > /dev/null 2> "$root/stderr"
code=$?
[ "$code" -eq 1 ] || fail "failing gnuplot: exit $code, expected 1"
[ "$(wc -l < "$root/stderr")" -eq 1 ] && grep -q 'fake gnuplot fails' "$root/stderr" || { fail "failing gnuplot: expected one line quoting it"; cat "$root/stderr" >&2; }
[ "$(cat "$run/report.md" "$run/plots"/*.svg | cksum)" = "$before" ] || fail "a failed report changed the previous one"
[ -z "$(ls -a "$run" | grep '^\.report')" ] || fail "a failed report left its temporary folder"

# ---- gnuplot missing: the report without plots, exit 0 ------------------------
cp -r "$run" "$root/noplot"
rm -rf "$root/noplot/plots" "$root/noplot/report.md" "$root/noplot/report.html"
for how in override path; do
    if [ $how = override ]; then
        PROCBENCH_GNUPLOT=/nonexistent "$procbench" report "$root/noplot" > /dev/null 2> "$root/stderr"
    else
        env PATH=/nonexistent "$procbench" report "$root/noplot" > /dev/null 2> "$root/stderr"
    fi
    code=$?
    [ "$code" -eq 0 ] || fail "no gnuplot ($how): exit $code, expected 0"
    [ "$(wc -l < "$root/stderr")" -eq 1 ] && grep -q 'apt-get install gnuplot-nox' "$root/stderr" \
        || { fail "no gnuplot ($how): expected one line naming gnuplot-nox"; cat "$root/stderr" >&2; }
    grep -q 'No plots: gnuplot was not found' "$root/noplot/report.md" || fail "no gnuplot ($how): report.md does not say so"
    [ -s "$root/noplot/report.html" ] || fail "no gnuplot ($how): no report.html"
    [ "$(ls "$root/noplot/plots"/*.svg 2>/dev/null | wc -l)" -eq 0 ] || fail "no gnuplot ($how): SVGs appeared"
    [ "$(ls "$root/noplot/plots/data"/*.csv 2>/dev/null | wc -l)" -gt 0 ] || fail "no gnuplot ($how): no plot data"
done

# ---- two runs side by side ----------------------------------------------------
"$procbench" report "$run" "$root/noplot" --out "$root/multi" > /dev/null 2> "$root/stderr" || { fail "report of two runs failed"; cat "$root/stderr" >&2; }
grep -qF "| noplot / $(basename "$run") [95% CI] |" "$root/multi/report.md" || fail "two runs: no ratio column named by the folders"
grep -q 'run 2' "$root/multi/report.md" && fail "two runs: still called run 1 and run 2"
"$procbench" report "$run" "$root/noplot" --label before --label after --out "$root/multi" > /dev/null 2> "$root/stderr" || { fail "report of two labelled runs failed"; cat "$root/stderr" >&2; }
grep -qF '| after / before [95% CI] |' "$root/multi/report.md" || fail "two runs: --label not used"

# ---- the Node.js layers: a run with node.* rows gets the decomposition table -------
golden=$(cd "$(dirname "$0")/golden" && pwd)
"$procbench" report "$golden/decompose/run.json" --out "$root/node" > /dev/null 2> "$root/stderr" \
    || { fail "report of the decompose golden run failed"; cat "$root/stderr" >&2; }
for f in report.md report.html; do
    grep -q 'Where the time of a Node.js call goes' "$root/node/$f" || fail "node run: $f has no decomposition"
done
grep -q 'Where the time of a Node.js call goes' "$run/report.md" && fail "a run without node.* rows got a decomposition"

# ---- bad inputs: one line naming it, exit 2, nothing written ------------------
mkdir -p "$root/notresults" "$root/foreign/plots"
echo 'hello' > "$root/notresults/results.json"
echo 'plain text' > "$root/file"
cp -r "$run" "$root/badrounds"
rm -rf "$root/badrounds/plots" "$root/badrounds/report.md" "$root/badrounds/report.html"
echo 'case,round' > "$root/badrounds/rounds.csv"
check() {
    expect=$1
    shift
    expect_refused "$expect" "$procbench" "$@"
}
check "$root/missing" report "$root/missing"
check "$root/notresults/results.json: not valid JSON" report "$root/notresults"
check "$root/file: not valid JSON" report "$root/file"
check "--bogus" report --bogus "$run"
check "--out: empty path" report --out '' "$run"
check "give --out DIR" report "$run" "$run"
check "$root/file/sub: cannot make the report folder" report --out "$root/file/sub" "$run"
check "/proc/procbench-report-test: cannot make the report folder" report --out /proc/procbench-report-test "$run"
check "$root/file: not a folder" report --out "$root/file" "$run"
check "$root/foreign/plots: exists and was not written by procbench report" report --out "$root/foreign" "$run"
check "rounds.csv: not a procbench rounds.csv" report "$root/badrounds"
check "--png: not an option of \`check\`" check --png "$run"
check "--label: expected a name of 1 to 63 printable characters" report --label '' "$run"
check "3 --label for 1 results folders" report --label a --label b --label c "$run"
[ -z "$(ls -A "$root/foreign/plots")" ] || fail "a refused --out changed its plots/ folder"
[ ! -e "$root/notresults/report.md" ] && [ ! -e "$root/badrounds/report.md" ] || fail "a refused report wrote report.md"

# ---- hostile names must run nothing ----------------------------------------------
cp -r "$run" "$root/hostile"
rm -rf "$root/hostile/plots" "$root/hostile/report.md" "$root/hostile/report.html"
m=$root/hostile
# Two real case names of the run (rss=0), whatever parameters they carry.
pool=$(grep -o '"spawn\.pool{rss=0,[^"]*}"' "$run/results.json" | head -n 1 | tr -d '"')
shell=$(grep -o '"spawn\.shell{target=static,rss=0,[^"]*}"' "$run/results.json" | head -n 1 | tr -d '"')
[ -n "$pool" ] && [ -n "$shell" ] || fail "hostile: no spawn.pool or spawn.shell case with rss=0 in the run"
name1="x'; system(\"touch $m/MARKER1\"); y='\`touch $m/MARKER2\`"
name2="'\`touch $m/MARKER3\`'' \$(touch $m/MARKER4) @x <b>&amp; 100%"
# results.json: JSON strings (a quote as \"); rounds.csv: CSV fields ("" for a quote).
json1=$(printf '%s' "$name1" | sed 's/"/\\"/g')
json2=$(printf '%s' "$name2" | sed 's/"/\\"/g')
replace "$m/results.json" "\"$pool\"" "\"$json1\""
replace "$m/results.json" "\"$shell\"" "\"$json2\""
# Short ones (legends cut long titles): gnuplot runs in plots/, where a
# relative `touch` would land, and the search below looks everywhere.
replace "$m/results.json" '"scenario": "spawn.pool"' "\"scenario\": \"spawn.pool\`touch MARKER5\`\""
replace "$m/results.json" '"scenario": "spawn.vfork_exec"' "\"scenario\": \"spawn.vfork_exec\`touch MARKER7\`\""
# One case's target only: a value that varies is in every label.
FROM='"target": "static"' TO="\"target\": \"static'; system(\\\"touch MARKER6\\\")\"" awk '
    BEGIN { f = ENVIRON["FROM"]; t = ENVIRON["TO"] }
    !done && (i = index($0, f)) > 0 { $0 = substr($0, 1, i - 1) t substr($0, i + length(f)); done = 1 }
    { print }' "$m/results.json" > "$m/results.json.new" && mv "$m/results.json.new" "$m/results.json"
replace "$m/results.json" '"ballast": "anon"' '"ballast": "anon<b>&amp; 100%"'
replace "$m/rounds.csv" "\"$pool\"" "\"$(printf '%s' "$name1" | sed 's/"/""/g')\""
replace "$m/rounds.csv" "\"$shell\"" "\"$(printf '%s' "$name2" | sed 's/"/""/g')\""
replace "$m/results.json" '"backlog": ""' "\"backlog\": \"<b>MARKER8\\u0060touch $m/MARKER9\\u0060\""
grep -qF 'MARKER1' "$m/rounds.csv" && grep -qF 'MARKER5' "$m/results.json" || fail "hostile: the edit did not take"
if ! "$procbench" report --png "$m" > /dev/null 2> "$root/stderr"; then
    fail "hostile: report failed:"; cat "$root/stderr" >&2
fi
found=$(find "$root" -name 'MARKER*')
[ -z "$found" ] || fail "hostile names ran commands: $found"
[ "$(ls "$m/plots"/*.svg 2>/dev/null | wc -l)" -ge 3 ] || fail "hostile: gnuplot drew no plots"
# Plots name cases by scenario and parameters: those reach gnuplot (the case
# names of MARKER1-4 reach nothing but rounds.csv's reader).
for marker in MARKER5 MARKER6 MARKER7; do
    grep -qF "$marker" "$m/plots/data/"*.settings.gp || fail "hostile: $marker did not reach gnuplot"
done
grep -qF 'MARKER5`' "$m/plots/"*_spectrum.svg || fail "hostile: a scenario name is not in the spectrum"
grep -qF 'MARKER7`' "$m/plots/"*_rss.svg || fail "hostile: a scenario name is not in a curve's legend"
grep -qF "MARKER6" "$m/plots/"*_rss.svg || fail "hostile: a parameter value is not in a curve's legend"
grep -qF '&lt;b&gt;&amp;amp;' "$m/report.html" || fail "hostile: a name is not escaped in report.html"
grep -qF '\<b\>\&amp;' "$m/report.md" || fail "hostile: a name is not escaped in report.md"
grep -qF '&lt;b&gt;MARKER8`touch' "$m/report.html" || fail "hostile: a text column is not escaped in report.html"
grep -qF '\<b\>MARKER8\`touch' "$m/report.md" || fail "hostile: a text column is not escaped in report.md"

lib_finish
