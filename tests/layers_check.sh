#!/bin/sh
# ci/layers must fail on what it looks for: a made-up checkout with an
# include that goes up, a cycle between folders, a scenario name in harness
# code and an oversized file gives exit 1 naming each; the same tree
# without them gives exit 0.
# usage: layers_check.sh CI_LAYERS OUT_DIR
set -eu
layers=$1 root=$2/layers-tree
name=ci.layers_fails
. "$(dirname "$0")/lib.sh"
rm -rf "$root"
mkdir -p "$root/bench" "$root/harness/engine" "$root/harness/cli" "$root/harness/base"
echo 'SCENARIO(fam_one, "fam.one")' > "$root/bench/scenarios.def"
printf '#include "base/b.h"\nint cli;\n' > "$root/harness/cli/c.h"
printf '#include "base/b.h"\nint e;\n' > "$root/harness/engine/e.c"
printf 'int b;\n' > "$root/harness/base/b.h"
python3 "$layers" --root "$root" > "$root/clean.out" || die "a clean tree failed: $(cat "$root/clean.out")"

printf '#include "cli/c.h"\nconst char *s = "fam.one";\n' > "$root/harness/engine/e.c"
printf '#include "engine/e.h"\n' > "$root/harness/base/b.h"
printf 'int e;\n' > "$root/harness/engine/e.h"
i=0; while [ $i -lt 30 ]; do echo "int x$i;" >> "$root/harness/engine/e.c"; i=$((i + 1)); done
rc=0
python3 "$layers" --root "$root" --max-lines 20 > "$root/bad.out" || rc=$?
[ "$rc" -eq 1 ] || die "exit $rc on a bad tree, expected 1"
for expected in 'harness/engine/e.c -> cli/c.h' 'harness/base/b.h -> engine/e.h' \
    'include cycles between folders: [1-9]' 'harness/engine/e.c:2: "fam.one' \
    'over: harness/engine/e.c, 32 lines'; do
    grep -q "$expected" "$root/bad.out" || die "'$expected' not reported: $(cat "$root/bad.out")"
done
# --except leaves a folder out of the name and size checks, not the includes.
rc=0
python3 "$layers" --root "$root" --max-lines 20 --except engine > "$root/except.out" || rc=$?
grep -q 'scenario names in harness code (outside engine/): 0' "$root/except.out" ||
    die "--except engine still counts names: $(cat "$root/except.out")"
[ "$rc" -eq 1 ] || die "--except hid the include errors"
echo "layers_check: ok"
