#!/bin/sh
# The command line of compare, check and export: their output on fixed
# files against golden files (tests/golden/compare/*.txt, .md, .json), their
# exit codes (0 pass, 1 a regression or a failed rule, 2 bad input), and a
# table of bad inputs, each of which must give exit 2 and exactly one line
# on stderr naming it: unreadable baselines (empty, truncated, binary,
# non-UTF-8, wrong schema, hostile, huge numbers, a folder, a missing file),
# bad options, bad rules.
#
# usage: compare_cli.sh PROCBENCH OUT_DIR
# PROCBENCH_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
set -u
procbench=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") root=$2
golden=$(cd "$(dirname "$0")/golden/compare" && pwd)
rm -rf "$root"
mkdir -p "$root"
name=cli.compare checked=0
. "$(dirname "$0")/lib.sh"

# ---- good paths, against golden files ------------------------------------

# golden NAME EXPECTED_EXIT ARGS...: runs procbench in the golden folder
# (so that paths in the output are short and stable) and compares stdout.
golden() {
    name=$1 want=$2
    shift 2
    checked=$((checked + 1))
    (cd "$golden" && "$procbench" "$@") > "$root/$name" 2> "$root/$name.err"
    code=$?
    [ "$code" -eq "$want" ] || fail "procbench $*: exit $code, expected $want: $(cat "$root/$name.err")"
    if [ "${PROCBENCH_UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$root/$name" "$golden/$name"
        echo "updated $golden/$name"
    elif ! cmp -s "$root/$name" "$golden/$name"; then
        fail "procbench $*: output differs from $golden/$name:"
        diff "$golden/$name" "$root/$name" >&2
    fi
}

golden compare.txt 1 compare base.json new.json
golden compare.md 1 compare new.json base.json --format md --threshold 10 --alpha 0.01
golden check-holds.txt 0 check check-run.json --rules check-holds.rules

# Real names are long (a spawn case's is over 100 characters): the columns
# stay aligned whatever the names' lengths.
long='spawn.slower{target=static,rss=0,ballast=anon,mappings=1,threads=0,fds=0,concurrency=1,placement=same}'
for side in base new; do
    sed "s/spawn\.slower{target=static,placement=same}/$long/g" "$golden/$side.json" > "$root/long-$side.json"
done
"$procbench" compare "$root/long-base.json" "$root/long-new.json" > "$root/long.out" 2>&1
grep -qF "$long" "$root/long.out" || fail "long names: the long name is not in the table: $(cat "$root/long.out")"
columns=$(awk '/^spawn\./ {
        for (i = 1; i <= NF; i++) if ($i ~ /^(regressed|improved|unchanged|inconclusive|only)$/) { print index($0, " " $i " "); break } }' \
    "$root/long.out" | sort -u | wc -l)
[ "$columns" -eq 1 ] || fail "long names: the verdict column moves from row to row: $(cat "$root/long.out")"
golden check-fails.txt 1 check check-run.json --rules check-fails.rules
golden export.json 0 export new.json
# Options may come before, between and after the files.
golden compare.txt 1 compare --threshold 5 base.json --alpha 0.05 new.json --format text

# Only the regressed exit code depends on the threshold.
(cd "$golden" && "$procbench" compare base.json new.json --threshold 30 > /dev/null) ||
    fail "a 25% slowdown under --threshold 30 is not a regression"

# Different machines: the table with every case inconclusive, exit 2, one line.
(cd "$golden" && "$procbench" compare base.json other-host.json) > "$root/machines" 2> "$root/machines.err"
code=$?
[ "$code" -eq 2 ] || fail "different machines: exit $code"
[ "$(wc -l < "$root/machines.err")" -eq 1 ] || fail "different machines: not one line on stderr"
grep -q "hostname 'golden-host' in BASE, 'other-host' in NEW" "$root/machines.err" ||
    fail "different machines: $(cat "$root/machines.err")"
grep -q 'runs from different machines' "$root/machines" || fail "different machines: no reason in the table"
(cd "$golden" && "$procbench" compare base.json other-host.json --allow-different-machines > /dev/null 2>&1)
[ $? -eq 1 ] || fail "--allow-different-machines did not compare"

# A folder of results folders is read as a set of runs.
mkdir -p "$root/set/run-a" "$root/set/run-b"
cp "$golden/base.json" "$root/set/run-a/results.json"
cp "$golden/base.json" "$root/set/run-b/results.json"
"$procbench" compare "$root/set" "$root/set/run-a" > "$root/set.out" 2>&1
grep -q "^BASE: .*/set (2 runs)" "$root/set.out" || fail "a folder of runs: $(head -1 "$root/set.out")"

# ---- bad inputs: exit 2, one line naming the input ----------------------

bad() {
    expect=$1
    shift
    expect_refused "$expect" "$procbench" "$@"
}

files=$root/bad
mkdir -p "$files/emptydir"
good=$golden/base.json
: > "$files/empty.json"
head -c 3000 "$good" > "$files/truncated.json"
printf '\177ELF\002\001\001\000\000\000\000' > "$files/binary.json"
printf '{"schema_version": 1, "tool": {"name": "caf\351"}}' > "$files/latin1.json"
sed 's/"schema_version": 1/"schema_version": 2/' "$good" > "$files/schema2.json"
sed 's/"schema_version": 1,//' "$good" > "$files/noschema.json"
sed 's/"schema_version": 1/"schema_version": "1"/' "$good" > "$files/schemastring.json"
sed '0,/"p50": 10000/s//"p50": "fast"/' "$good" > "$files/wrongtype.json"
sed '0,/"n": 500/s//"n": 123456789012345678901234567890/' "$good" > "$files/hugenumber.json"
sed '0,/"n": 500/s//"n": -1/' "$good" > "$files/negative.json"
sed 's/spawn.same{placement=same}/spawn.same\\n%n%s{placement=same}/' "$good" > "$files/newline.json"
printf '[]' > "$files/array.json"

bad "empty.json: empty file" compare "$files/empty.json" "$good"
bad "truncated.json: ends early (truncated?)" compare "$good" "$files/truncated.json"
bad "binary.json: holds a NUL byte" compare "$files/binary.json" "$good"
bad "latin1.json: not valid UTF-8 (byte 0xe9" compare "$files/latin1.json" "$good"
bad "schema2.json: schema_version 2: this procbench reads version 1" compare "$files/schema2.json" "$good"
bad "noschema.json: no schema_version" compare "$good" "$files/noschema.json"
bad "schemastring.json: schema_version: expected an integer, got a string" compare "$files/schemastring.json" "$good"
bad "wrongtype.json: cases[0].p50: expected an integer, got a string" compare "$files/wrongtype.json" "$good"
bad "hugenumber.json: not valid JSON" compare "$files/hugenumber.json" "$good"
bad "negative.json: cases[0].n: -1 is out of range" compare "$files/negative.json" "$good"
bad "newline.json: cases[1].case: holds a control character" compare "$files/newline.json" "$good"
bad "array.json: expected a JSON object at the top, got an array" compare "$files/array.json" "$good"
bad "emptydir: a folder without results.json" compare "$files/emptydir" "$good"
bad "nosuch: No such file or directory" compare "$files/nosuch" "$good"
bad "BASE /dev/null: not a regular file" compare /dev/null "$good"
bad "empty.json: empty file" check "$files/empty.json" --rules "$golden/check-holds.rules"
bad "truncated.json: ends early" export "$files/truncated.json"
# Numbers JSON can spell but procbench cannot hold, and structures that are
# not what a results file is.
sed '0,/"n": 500/s//"n": 18446744073709551616/' "$good" > "$files/twoto64.json"
sed '0,/"p50": 10000/s//"p50": 1e999/' "$good" > "$files/1e999.json"
sed '0,/"p50": 10000/s//"p50": 1.5/' "$good" > "$files/fraction.json"
sed '0,/"cases": \[/s//"cases": {"a": [/' "$good" > "$files/casesobject.json"
python3 -c 'print("[" * 100000 + "]" * 100000)' > "$files/deep.json" 2> /dev/null ||
    awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; for (i = 0; i < 100000; i++) printf "]" }' > "$files/deep.json"
head -c 1000 /dev/urandom > "$files/random.json"
printf '\357\273\277' > "$files/bom.json"
cat "$good" >> "$files/bom.json"
bad "twoto64.json: not valid JSON" compare "$files/twoto64.json" "$good"
bad "1e999.json: not valid JSON" compare "$good" "$files/1e999.json"
bad "fraction.json: cases[0].p50: expected an integer" compare "$good" "$files/fraction.json"
bad "casesobject.json" compare "$good" "$files/casesobject.json"
bad "deep.json" compare "$files/deep.json" "$good"
bad "random.json" export "$files/random.json"
bad "bom.json" check "$files/bom.json" --rules "$golden/check-holds.rules"
bad "emptydir: a folder without results.json" export "$files/emptydir"
bad "emptydir: a folder without results.json" check "$files/emptydir" --rules "$golden/check-holds.rules"
bad "nosuch: No such file or directory" export "$files/nosuch"
bad "nosuch: No such file or directory" check "$files/nosuch" --rules "$golden/check-holds.rules"
bad "binary.json: holds a NUL byte" export "$files/binary.json"
bad "binary.json: holds a NUL byte" check "$files/binary.json" --rules "$golden/check-holds.rules"

# A file name with a newline stays one line.
nl_name="$files/$(printf 'a\nb').json"
: > "$nl_name"
bad "a?b.json: empty file" compare "$nl_name" "$good"

# Options.
bad "compare: expected BASE and NEW" compare "$good"
bad "compare: expected BASE and NEW" compare
bad "'extra': unexpected argument" compare "$good" "$good" extra
bad "--threshold 'x': expected a percentage from 0 to 100" compare "$good" "$good" --threshold x
bad "--threshold '101'" compare "$good" "$good" --threshold 101
bad "--alpha '0': expected a number above 0 and at most 0.5" compare "$good" "$good" --alpha 0
bad "--alpha '0.9'" compare "$good" "$good" --alpha 0.9
bad "--format 'gbench': Google Benchmark JSON is written by \`procbench export" compare "$good" "$good" --format gbench
bad "--format 'html': expected text or md" compare "$good" "$good" --format html
bad "--format 'md': export writes gbench only" export "$good" --format md
bad "--rules: not an option of \`compare\`" compare "$good" "$good" --rules x
bad "--threshold: not an option of \`check\`" check "$good" --threshold 5
bad "--quick: not an option of \`compare\`" compare "$good" "$good" --quick
bad "check: expected RESULTS (a results folder or results.json)" check
bad "export: expected RESULTS" export

# Rules.
run=$golden/check-run.json
printf 'spawn.pthread < 0.5 * spawn.fork_only\nspawn.pthread <> spawn.pool\n' > "$files/syntax.rules"
printf 'spawn.nosuch < spawn.pool\n' > "$files/nomatch.rules"
printf 'spawn.fork_exec < spawn.pool{placement=same}\n' > "$files/ambiguous.rules"
printf '# nothing\n' > "$files/none.rules"
bad "syntax.rules:2: expected a scenario name, found '>'" check "$run" --rules "$files/syntax.rules"
# A side that matches no case (or several) is not judged, with why and what
# would judge it: exit 0 when nothing failed, so check is safe after a
# narrow run.
"$procbench" check "$run" --rules "$files/nomatch.rules" > "$root/nomatch.out" 2>&1 \
    || fail "check with an unmatched pattern: exit $?: $(cat "$root/nomatch.out")"
grep -q "^not judged .*(line 1): spawn.nosuch matches no case of the run; to judge it: procbench run --filter " "$root/nomatch.out" \
    && grep -qF "procbench run --filter '^spawn\\.(nosuch|pool)\$'" "$root/nomatch.out" \
    || fail "unmatched pattern: $(cat "$root/nomatch.out")"
grep -q "1 not judged (this run lacks their cases)" "$root/nomatch.out" || fail "unmatched pattern: no count"
bad "none.rules: no rules in it" check "$run" --rules "$files/none.rules"
bad "nosuch.rules: cannot open: No such file or directory" check "$run" --rules "$files/nosuch.rules"
# Bad rules files: a folder, empty, binary, a line too long, numbers out
# of range, a rule with garbage after it.
: > "$files/empty.rules"
printf 'spawn.pthread < \000 spawn.pool\n' > "$files/nul.rules"
awk 'BEGIN { printf "spawn.pthread < "; for (i = 0; i < 2000; i++) printf "x"; print "" }' > "$files/long.rules"
printf 'spawn.pthread < 1e999 * spawn.pool\n' > "$files/inf.rules"
printf 'spawn.pthread < -2 * spawn.pool\n' > "$files/negative.rules"
printf 'spawn.pthread < 0 * spawn.pool\n' > "$files/zero.rules"
printf 'spawn.pthread < nan * spawn.pool\n' > "$files/nan.rules"
printf 'spawn.pthread < 0x2 * spawn.pool\n' > "$files/hex.rules"
printf 'spawn.pthread < spawn.pool junk\n' > "$files/junk.rules"
printf 'spawn.pthread{placement=same < spawn.pool\n' > "$files/brace.rules"
printf 'spawn.pthread{=same} < spawn.pool\n' > "$files/emptykey.rules"
bad "emptydir: " check "$run" --rules "$files/emptydir"
bad "empty.rules: no rules in it" check "$run" --rules "$files/empty.rules"
bad "nul.rules" check "$run" --rules "$files/nul.rules"
bad "long.rules:1" check "$run" --rules "$files/long.rules"
bad "inf.rules:1" check "$run" --rules "$files/inf.rules"
bad "negative.rules:1" check "$run" --rules "$files/negative.rules"
bad "zero.rules:1" check "$run" --rules "$files/zero.rules"
bad "nan.rules:1" check "$run" --rules "$files/nan.rules"
bad "hex.rules:1" check "$run" --rules "$files/hex.rules"
bad "junk.rules:1" check "$run" --rules "$files/junk.rules"
bad "brace.rules:1" check "$run" --rules "$files/brace.rules"
bad "emptykey.rules:1" check "$run" --rules "$files/emptykey.rules"
bad "--rules: empty path" check "$run" --rules ''
bad "--rules" check "$run" --rules
bad "--threshold '-1'" compare "$good" "$good" --threshold -1
bad "--threshold '1e999'" compare "$good" "$good" --threshold 1e999
bad "--threshold 'nan'" compare "$good" "$good" --threshold nan
bad "--threshold ''" compare "$good" "$good" --threshold ''
bad "--alpha '0x0.1'" compare "$good" "$good" --alpha 0x0.1
bad "--alpha '-0.1'" compare "$good" "$good" --alpha -0.1
bad "--alpha '1e-999'" compare "$good" "$good" --alpha 1e-999
bad "--format ''" compare "$good" "$good" --format ''
bad "--format ''" export "$good" --format ''
bad "--filter: not an option of \`export\`" export "$good" --filter x
bad "--allow-different-machines=yes" compare "$good" "$good" --allow-different-machines=yes
bad "'$good': unexpected argument" check "$good" "$good"
bad "'$good': unexpected argument" export "$good" "$good"
# REPORT: rows for `procbench report` (written in parallel) go here.

# A pattern must name exactly one case: two cases of one scenario need a parameter.
cat > "$files/two.json" << 'EOF'
{"schema_version": 1, "tool": {"name": "procbench"}, "started_unix_ns": 1,
 "environment": {"hostname": "h", "kernel": "k", "cpu_model": "c"}, "config": {"rounds": 1},
 "cases": [
  {"scenario": "spawn.fork_exec", "case": "spawn.fork_exec{target=static,placement=same}",
   "params": {"target": "static"}, "placement": "same", "status": "ok",
   "n": 9, "p50": 100, "p50_ci_low": 90, "p50_ci_high": 110},
  {"scenario": "spawn.fork_exec", "case": "spawn.fork_exec{target=dynamic,placement=same}",
   "params": {"target": "dynamic"}, "placement": "same", "status": "ok",
   "n": 9, "p50": 200, "p50_ci_low": 190, "p50_ci_high": 210}]}
EOF
printf 'spawn.fork_exec{target=static} < spawn.fork_exec\n' > "$files/ambiguous.rules"
"$procbench" check "$files/two.json" --rules "$files/ambiguous.rules" > "$root/ambiguous.out" 2>&1 \
    || fail "check with an ambiguous pattern: exit $?: $(cat "$root/ambiguous.out")"
grep -q "^not judged .*spawn.fork_exec matches 2 cases" "$root/ambiguous.out" \
    || fail "ambiguous pattern: $(cat "$root/ambiguous.out")"
printf 'spawn.fork_exec{target=static} < 0.8 * spawn.fork_exec{target=dynamic}\n' > "$files/two.rules"
"$procbench" check "$files/two.json" --rules "$files/two.rules" > "$root/two.out" 2>&1 ||
    fail "check on two.json: $(cat "$root/two.out")"
grep -q '^holds .*median CIs' "$root/two.out" || fail "check on two.json: $(cat "$root/two.out")"

echo "compare/check/export: $checked golden outputs checked"
lib_finish
