#!/bin/sh
# The Debian package, checked without installing it (a test must not change
# the system): builds it with cpack from the build tree into OUT_DIR (a
# temporary folder when not given), then reads it with dpkg-deb:
#   - control fields: name, version (the binary's), architecture, Depends
#     covering every library the binary needs (dpkg -S), and equal to what
#     dpkg-shlibdeps computes where it is installed; gnuplot-nox recommended,
#     nodejs suggested;
#   - contents: exactly the binary, the child, the Node.js scripts, the plot
#     scripts, the expectations and the man page, owned by root, under /usr;
#   - unpacked anywhere (dpkg-deb -x), the binary uses the unpacked files
#     and measures a case; the man page renders.
# Skipped (77) where dpkg-deb is missing. ci/package runs it to make the
# package it leaves in its build folder. The build tree's
# install_manifest.txt, which cpack rewrites, is restored.
# usage: package.sh CPACK BUILD_DIR SOURCE_DIR [OUT_DIR]
set -eu
cpack=$1 build=$2 src=$3 out=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
command -v dpkg-deb > /dev/null 2>&1 || { echo "dpkg-deb not installed: skipped"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/procbench-package.XXXXXX")
name=install.package
. "$(dirname "$0")/lib.sh"
manifest=$build/install_manifest.txt
keep_install_manifest "$build" "$tmp"

[ -n "$out" ] || out=$tmp/out
mkdir -p "$out"
"$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$out" > "$tmp/cpack.log" 2>&1 \
    || die "cpack: $(cat "$tmp/cpack.log")"
rm -rf "$out/_CPack_Packages"
deb=$(sed -n 's/^CPack: - package: \(.*\) generated\.$/\1/p' "$tmp/cpack.log")
[ -f "$deb" ] || die "cpack made no package: $(cat "$tmp/cpack.log")"

# ---- control fields -----------------------------------------------------------
field() { dpkg-deb --field "$deb" "$1"; }
version=$("$build/procbench" --version | awk '{print $2}')
[ "$(field Package)" = procbench ] || die "Package: $(field Package)"
[ "$(field Version)" = "$version-1" ] || die "Version: $(field Version), the binary says $version"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || die "Architecture: $(field Architecture)"
[ -n "$(field Maintainer)" ] || die "no Maintainer"
[ -n "$(field Description)" ] || die "no Description"
field Recommends | grep -qw gnuplot-nox || die "Recommends: $(field Recommends)"
field Suggests | grep -qw nodejs || die "Suggests: $(field Suggests)"
depends=$(field Depends)

# The names in a Depends line, one a line, sorted.
names() { printf '%s\n' "$1" | tr ',|' '\n\n' | sed 's/(.*)//; s/^ *//; s/ *$//' | grep . | sort -u; }
# Each library the binary needs comes from a package that Depends names.
# LIBS_PACKAGES is "package" lines; DEPENDS the field.
covers() {
    for package in $(cat "$1"); do
        names "$2" | grep -qx "$package" \
            || { echo "Depends ($2) lacks $package, whose library the binary needs" >&2; return 1; }
    done
}

dpkg-deb -x "$deb" "$tmp/root"
binary=$tmp/root/usr/bin/procbench
objdump -p "$binary" | awk '$1 == "NEEDED" {print $2}' > "$tmp/needed"
[ -s "$tmp/needed" ] || die "objdump found no NEEDED library in $binary"
: > "$tmp/packages"
arch=$(dpkg --print-architecture)
for lib in $(cat "$tmp/needed"); do
    # Shared libraries are Multi-Arch: same, named "package:arch"; the
    # native one (libc6:amd64, not libc6-i386's /usr/lib32 copy).
    owner=$(dpkg -S "*/$lib" 2> /dev/null | grep "^[^: ]*:$arch: " | head -1 | cut -d: -f1)
    [ -n "$owner" ] || die "no package owns $lib"
    echo "$owner" >> "$tmp/packages"
done
sort -u -o "$tmp/packages" "$tmp/packages"
covers "$tmp/packages" "$depends" || die "Depends"
# The check fires: a Depends without libuv1.
if covers "$tmp/packages" "libc6 (>= 2.34), libjansson4 (>= 2.14)" 2> /dev/null; then
    die "a Depends without libuv1 passed"
fi
# Where dpkg-shlibdeps is installed (dpkg-dev), the declared line must be
# what it computes: versions included.
if command -v dpkg-shlibdeps > /dev/null 2>&1; then
    mkdir -p "$tmp/shlibs/debian"
    printf 'Source: procbench\n\nPackage: procbench\nArchitecture: any\n' \
        > "$tmp/shlibs/debian/control"
    (cd "$tmp/shlibs" && dpkg-shlibdeps -O "$binary" 2> /dev/null) > "$tmp/computed" \
        || die "dpkg-shlibdeps failed on $binary"
    computed=$(sed -n 's/^shlibs:Depends=//p' "$tmp/computed")
    [ "$computed" = "$depends" ] \
        || die "Depends is \"$depends\"; dpkg-shlibdeps computes \"$computed\" (ci/install.cmake)"
fi

# ---- contents -----------------------------------------------------------------
dpkg-deb --contents "$deb" > "$tmp/contents"
awk '$1 !~ /^d/ {print $6}' "$tmp/contents" | sort > "$tmp/files"
{
    echo ./usr/bin/procbench
    echo ./usr/libexec/procbench/procbench-child
    echo ./usr/libexec/procbench/procbench-driver.js
    echo ./usr/libexec/procbench/procbench-empty.js
    echo ./usr/share/man/man1/procbench.1.gz
    echo ./usr/share/procbench/expectations
    for script in "$src"/plots/*.gp; do
        echo "./usr/share/procbench/plots/$(basename "$script")"
    done
} | sort > "$tmp/expected"
diff "$tmp/expected" "$tmp/files" > "$tmp/diff" || die "contents differ: $(cat "$tmp/diff")"
awk '$2 != "root/root" {print; bad = 1} END {exit bad}' "$tmp/contents" > "$tmp/owners" \
    || die "files not owned by root: $(cat "$tmp/owners")"
for f in usr/bin/procbench usr/libexec/procbench/procbench-child; do
    grep -q "^-rwxr-xr-x .* \./$f\$" "$tmp/contents" || die "$f is not 0755"
done
dpkg-deb --info "$deb" | grep -qw md5sums || die "no md5sums in the control archive"

# ---- unpacked anywhere, it runs from its own files -------------------------------
root=$(cd "$tmp/root" && pwd -P)
mkdir "$tmp/cwd"
run() { (cd "$tmp/cwd" && env -i HOME="$tmp" PATH=/usr/bin:/bin LC_ALL=C "$@"); }
run "$binary" env > "$tmp/env" || die "env failed"
for expected in "layout: installed" "child: $root/usr/libexec/procbench/procbench-child" \
                "plots_dir: $root/usr/share/procbench/plots"; do
    grep -qxF "$expected" "$tmp/env" || die "env lacks \"$expected\": $(cat "$tmp/env")"
done
run "$binary" run --filter '^spawn\.posix_spawn$' --param target=static --param rss=0 \
    --quick --min-time 20ms --seed 1 --out-dir "$tmp/cwd/results" -q > /dev/null 2> "$tmp/run.err" \
    || die "run of the unpacked binary: $(cat "$tmp/run.err")"
status=$(awk -v column=status -f "$here/csv_column.awk" "$tmp/cwd/results/latest/summary.csv")
[ "$status" = ok ] || die "spawn.posix_spawn from the package: $status"
if command -v groff > /dev/null 2>&1; then
    gzip -dc "$root/usr/share/man/man1/procbench.1.gz" | groff -man -Tutf8 -ww -z > "$tmp/groff" 2>&1
    [ ! -s "$tmp/groff" ] || die "the packaged man page: $(cat "$tmp/groff")"
fi
echo "package: ok ($(basename "$deb"): Depends: $depends)"
