#!/bin/sh
# The history store and `procbench history` / `import` from outside, with
# real (tiny) runs of two cases, spawn.pthread and spawn.pool:
#   - issue 19's check: eight runs into a fresh root, the last four with
#     spawn.pool slowed by the test-only knob: the store holds eight runs
#     (read with the sqlite3 shell) and `history --format json` finds one
#     change, in spawn.pool, at run 5;
#   - --fail-on-change: exit 1 on that store (the eighth run is the first
#     to show the change), silent after a ninth (it was visible before);
#   - import: idempotent, of the runs' own root and of a fresh one; a
#     folder from another machine makes its own series; an old folder
#     (no round medians, no CPU count or memory) is taken;
#   - a corrupt store, a folder where the store should be, a read-only
#     store: one line on stderr, exit 0, the run folder whole;
#   - two runs finishing at once into one fresh root: both stored;
#   - no -wal or -shm file left beside the store.
#
# The slowdown adds 100 us to each spawn.pool operation (about 2-10 us
# here): some 10-50 times slower, which no noise hides. The check passes
# --threshold 50 so that noise in the other case cannot pass for a change
# either: a shared machine's load can move a 10 us median by tens of
# percent between runs 1-4 and 5-8, never by half.
#
# usage: history_cli.sh PROCBENCH OUT_ROOT
set -u
procbench=$1 root=$2
rm -rf "$root"
mkdir -p "$root"
name=cli.history checked=0
. "$(dirname "$0")/lib.sh"
ok() { checked=$((checked + 1)); }

if ! command -v sqlite3 > /dev/null 2>&1; then
    echo "history_cli.sh: the sqlite3 shell is missing: apt-get install sqlite3" >&2
    exit 1
fi

# run_into ROOT [VAR=VALUE]: one tiny run of both cases; its stderr in ROOT.err.
run_into() {
    into=$1
    shift
    env "$@" "$procbench" run --filter '^spawn\.(pthread|pool)$' --param rss=0 --quick \
        --min-time 20ms -q --out-dir "$into" > "$into.out" 2> "$into.err"
}

slow=PROCBENCH_TEST_SLOWDOWN=spawn.pool:100000
sql() { sqlite3 -batch -noheader "$@"; }

# ---- issue 19's check ------------------------------------------------------
eight=$root/eight
for i in 1 2 3 4 5 6 7 8; do
    if [ "$i" -le 4 ]; then knob=PROCBENCH_TEST_SLOWDOWN=; else knob=$slow; fi
    run_into "$eight" "$knob" || fail "run $i into $eight: exit $? ($(cat "$eight.err"))"
    [ -s "$eight.err" ] && fail "run $i wrote to stderr: $(cat "$eight.err")"
done
ok
runs=$(sql "$eight/history.db" 'SELECT count(*) FROM runs')
[ "$runs" = 8 ] || fail "the store holds $runs runs, not 8"
ok
"$procbench" history "$eight" --format json --threshold 50 > "$root/eight.json" ||
    fail "history --format json: exit $?"
changes=$(sql :memory: "SELECT json_extract(c.value, '\$.case') || ' at ' ||
                               json_extract(ch.value, '\$.run')
                        FROM json_each(readfile('$root/eight.json'), '\$.cases') AS c,
                             json_each(c.value, '\$.changes') AS ch")
case $changes in
"spawn.pool{"*"} at 5") ok ;;
*) fail "history found '$changes', not one change in spawn.pool at run 5" ;;
esac
series=$(sql :memory: "SELECT group_concat(json_array_length(c.value, '\$.runs'), ' ')
                       FROM json_each(readfile('$root/eight.json'), '\$.cases') AS c")
[ "$series" = "8 8" ] || fail "series of $series runs, not two of 8"
ok
# The default threshold too, for the log: the same change (noise within 5%
# of the other case could add one, which is why the check uses 50).
"$procbench" history "$eight" || fail "history (text): exit $?"
"$procbench" history "$eight" --format csv > "$root/eight.csv" || fail "history --format csv: exit $?"
[ "$(wc -l < "$root/eight.csv")" -eq 17 ] || fail "history --format csv: not a header and 16 rows"
head -n 1 "$root/eight.csv" | grep -q '^machine,case,run,started_utc,' || fail "csv header"
"$procbench" history "$eight" --format md --filter '^spawn\.pool$' > "$root/eight.md" ||
    fail "history --format md: exit $?"
grep -q '^### procbench history: \*\*1 change\*\* in 1 case on 1 machine' "$root/eight.md" ||
    fail "history --format md: no title with the change ($(head -n 1 "$root/eight.md"))"
ok
"$procbench" history "$eight" --filter nomatch > /dev/null 2> "$root/nomatch.err"
code=$?
[ "$code" -eq 2 ] && [ "$(wc -l < "$root/nomatch.err")" -eq 1 ] &&
    grep -q "no measured case matching --filter 'nomatch'" "$root/nomatch.err" ||
    fail "history --filter nomatch: exit $code, $(cat "$root/nomatch.err")"
"$procbench" history "$eight" --since 2999-01-01 > /dev/null 2> "$root/since.err"
[ $? -eq 2 ] && grep -q "in a run since 2999-01-01" "$root/since.err" ||
    fail "history --since 2999-01-01: $(cat "$root/since.err")"
ok

# ---- the gate --------------------------------------------------------------
# Seven runs (4 then 3 slow) cannot show the change (p >= 2/35 > 0.05);
# the eighth does: the gate fires there, once.
"$procbench" history "$eight" --fail-on-change --threshold 50 > /dev/null 2> "$root/gate.err"
code=$?
if [ "$code" -ne 1 ] || [ "$(wc -l < "$root/gate.err")" -ne 1 ] ||
    ! grep -q 'spawn.pool{.*a slowdown x[0-9.]* from run 5 of 8' "$root/gate.err"; then
    fail "--fail-on-change with the newest run revealing a slowdown: exit $code, $(cat "$root/gate.err")"
fi
ok
# A ninth slow run: the change was visible without it, the gate is quiet.
cp -r "$eight" "$root/gate"
run_into "$root/gate" "$slow" || fail "ninth run: exit $?"
"$procbench" history "$root/gate" --fail-on-change --threshold 50 > /dev/null 2> "$root/gate.err" ||
    fail "--fail-on-change on a change seen before the newest run: exit $? ($(cat "$root/gate.err"))"
ok

# ---- import --------------------------------------------------------------------
"$procbench" import "$eight" --out-dir "$eight" > "$root/import.out" || fail "import into its own root: exit $?"
tail -n 1 "$root/import.out" | grep -q '^import: 0 added, 8 already in' ||
    fail "import of stored runs added some: $(tail -n 1 "$root/import.out")"
fresh=$root/fresh
"$procbench" import "$eight" --out-dir "$fresh" > "$root/import.out" || fail "import: exit $?"
tail -n 1 "$root/import.out" | grep -q '^import: 8 added, 0 already' ||
    fail "first import: $(tail -n 1 "$root/import.out")"
"$procbench" import "$eight" "$eight/latest" --out-dir "$fresh" > "$root/import.out" ||
    fail "second import: exit $?"
tail -n 1 "$root/import.out" | grep -q '^import: 0 added, 9 already' ||
    fail "second import added: $(tail -n 1 "$root/import.out")"
[ "$(sql "$fresh/history.db" 'SELECT count(*) FROM runs')" = 8 ] || fail "fresh store: not 8 runs"
ok
# A folder from another machine: its own series.
mkdir -p "$root/elsewhere"
cp -r "$eight/$(readlink "$eight/latest")" "$root/elsewhere/run"
sed 's/"hostname": "[^"]*"/"hostname": "another-host"/' "$eight/latest/results.json" \
    > "$root/elsewhere/run/results.json"
"$procbench" import "$root/elsewhere" --out-dir "$fresh" > /dev/null || fail "import from another machine: exit $?"
[ "$(sql "$fresh/history.db" 'SELECT count(*) FROM machines')" = 2 ] || fail "not two machines"
"$procbench" history "$fresh" --format json > "$root/fresh.json" || fail "history of two machines: exit $?"
shape=$(sql :memory: "SELECT group_concat(json_array_length(c.value, '\$.runs'), ' ')
                      FROM json_each(readfile('$root/fresh.json'), '\$.cases') AS c
                      WHERE json_extract(c.value, '\$.machine') LIKE 'another-host,%'")
[ "$shape" = "1 1" ] || fail "another machine's series: '$shape' runs, not two of 1"
ok
# An old folder: no round medians, no CPU count or memory recorded.
mkdir -p "$root/old/run"
sql :memory: "SELECT json_remove(readfile('$eight/latest/results.json'), '\$.cases[0].per_round',
                                 '\$.cases[1].per_round', '\$.environment.cpu_count_online',
                                 '\$.environment.mem_total_bytes')" > "$root/old/run/results.json"
"$procbench" import "$root/old/run" --out-dir "$fresh" > /dev/null || fail "import of an old folder: exit $?"
machine=$(sql "$fresh/history.db" "SELECT fingerprint FROM machines WHERE cpu_count = 'unknown'")
case $machine in
*", unknown CPUs, unknown GiB") ok ;;
*) fail "old folder's machine: '$machine'" ;;
esac
[ "$(sql "$fresh/history.db" "SELECT count(*) FROM rounds JOIN cases ON cases.id = rounds.case_id
                              JOIN runs ON runs.id = cases.run_id WHERE runs.folder LIKE '%old/run'")" = 0 ] ||
    fail "old folder: rounds stored"
"$procbench" history "$fresh" --filter pool > /dev/null || fail "history with an old folder: exit $?"
# An interrupted run (PARTIAL) is not stored, by run or by import.
cp -r "$eight/$(readlink "$eight/latest")" "$root/partial"
echo "interrupted by SIGINT" > "$root/partial/PARTIAL"
"$procbench" import "$root/partial" --out-dir "$root/partial-store" > "$root/import.out" ||
    fail "import of a partial folder: exit $?"
tail -n 1 "$root/import.out" | grep -q '^import: 0 added, 0 already in .*, 1 partial skipped$' ||
    fail "import of a partial folder: $(tail -n 1 "$root/import.out")"
# import --out-dir that is a file.
"$procbench" import "$eight/latest" --out-dir "$root/import.out" > /dev/null 2> "$root/import.err"
[ $? -eq 2 ] && grep -q 'not a folder' "$root/import.err" || fail "import --out-dir FILE: $(cat "$root/import.err")"
ok

# ---- a store that cannot take the run ---------------------------------------
# expect_whole ROOT WORDS: the run exited 0, said WORDS in one stderr line,
# and its folder is whole with latest pointing at it.
expect_whole() {
    into=$1 words=$2
    if [ "$(wc -l < "$into.err")" -ne 1 ] || ! grep -q "history store not updated: .*$words" "$into.err"; then
        fail "$into: stderr is not one line saying '$words': $(cat "$into.err")"
    fi
    for f in results.json summary.csv rounds.csv; do
        [ -s "$into/latest/$f" ] || fail "$into: $f missing from the run folder"
    done
    [ -n "$(ls "$into/latest/hist")" ] || fail "$into: no histograms in the run folder"
    ok
}
mkdir -p "$root/corrupt"
printf 'garbage, not SQLite\n%.0s' 1 2 3 4 5 6 7 8 9 > "$root/corrupt/history.db"
cp "$root/corrupt/history.db" "$root/corrupt.before"
run_into "$root/corrupt" || fail "run with a corrupt store: exit $?"
expect_whole "$root/corrupt" "not a database"
cmp -s "$root/corrupt/history.db" "$root/corrupt.before" || fail "the corrupt store was changed"
# Never the only copy: the folder imports into another store.
"$procbench" import "$root/corrupt/latest" --out-dir "$root/rescued" > /dev/null || fail "import of the unstored run: exit $?"
mkdir -p "$root/folder/history.db"
run_into "$root/folder" || fail "run with a folder as the store: exit $?"
expect_whole "$root/folder" "not a regular file"
# Read-only: root writes a 0444 file anyway, so as root the run goes
# without the capability that lets it (CAP_DAC_OVERRIDE).
mkdir -p "$root/ro"
cp "$eight/history.db" "$root/ro/history.db"
chmod 0444 "$root/ro/history.db"
drop=""
if [ "$(id -u)" -eq 0 ]; then
    drop="setpriv --inh-caps=-dac_override,-dac_read_search --bounding-set=-dac_override,-dac_read_search --"
    if ! $drop true 2> /dev/null; then
        drop=none
    fi
fi
if [ "$drop" = none ]; then
    echo "SKIP: read-only store: running as root without setpriv able to drop CAP_DAC_OVERRIDE"
else
    $drop "$procbench" run --filter '^spawn\.pthread$' --param rss=0 --quick --min-time 20ms -q \
        --out-dir "$root/ro" > "$root/ro.out" 2> "$root/ro.err" || fail "run with a read-only store: exit $?"
    expect_whole "$root/ro" "read-only"
    # Writable again before the sqlite3 shell reads it: reading a WAL store
    # it cannot write, the shell itself (not procbench) would leave -wal and
    # -shm beside it when not run as root.
    chmod 0644 "$root/ro/history.db"
    [ "$(sql "$root/ro/history.db" 'SELECT count(*) FROM runs')" = 8 ] || fail "the read-only store changed"
fi

# ---- two runs at once into one fresh root --------------------------------------
both=$root/both
mkdir -p "$both"
run_into "$both" & first=$!
env PROCBENCH_TEST_SLOWDOWN= "$procbench" run --filter '^spawn\.(pthread|pool)$' --param rss=0 \
    --quick --min-time 20ms -q --out-dir "$both" > "$both.out2" 2> "$both.err2" & second=$!
wait "$first" || fail "first of two concurrent runs: exit $?"
wait "$second" || fail "second of two concurrent runs: exit $?"
[ -s "$both.err" ] || [ -s "$both.err2" ] && fail "concurrent runs: $(cat "$both.err" "$both.err2")"
[ "$(sql "$both/history.db" 'SELECT count(*) FROM runs')" = 2 ] || fail "concurrent runs: not both stored"
ok

# ---- the report: trends and changes when the store holds earlier runs ------
"$procbench" report "$eight/latest" > /dev/null 2> "$root/report.err" || fail "report: exit $? ($(cat "$root/report.err"))"
md=$eight/latest/report.md
grep -q '^## History on this machine' "$md" || fail "report: no history section"
# Cases named by what varies among the series (issue 17): spawn.pool, or
# spawn.pool{...} when its parameters tell it apart.
# The report keeps the default 5% threshold, so spawn.pthread may show a
# change of its own when the machine shifts between runs (CI saw x1.057):
# only spawn.pool's rows are counted.
grep -q '^| spawn\.pool\({[^|]*}\)\{0,1\} | 5 of 8 | ' "$md" || fail "report: no row for the change at run 5 of 8"
[ "$(grep -c '^| spawn\.pool[ {].* of 8 | ' "$md")" -eq 1 ] || fail "report: not exactly one change in spawn.pool"
if command -v gnuplot > /dev/null 2>&1; then
    ls "$eight/latest/plots/"*-spawn_trend.svg > /dev/null 2>&1 || fail "report: no trend plot"
    grep -q 'spawn_trend.svg' "$md" || fail "report: the trend plot is not in report.md"
fi
ok
# The first run of a root: no earlier run, no history section.
run_into "$root/single" || fail "single run: exit $?"
"$procbench" report "$root/single/latest" > /dev/null 2>&1 || fail "report of a single run: exit $?"
grep -q 'History on this machine' "$root/single/latest/report.md" && fail "report of a first run has a history"
# A store that cannot be read: a note, and the report is made.
"$procbench" report "$root/folder/latest" > /dev/null 2>&1 || fail "report beside a broken store: exit $?"
grep -q 'The history store could not be read: .*not a regular file' "$root/folder/latest/report.md" ||
    fail "report beside a broken store: no note"
ok

# ---- nothing left beside the stores ---------------------------------------------
left=$(find "$root" -name 'history.db-wal' -o -name 'history.db-shm' -o -name 'history.db-journal')
[ -z "$left" ] || fail "left beside a store: $left"
ok

echo "$checked history checks"
lib_finish
