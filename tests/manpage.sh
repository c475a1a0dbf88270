#!/bin/sh
# procbench(1) against --help and the sources, so that neither can drift:
#   - the page has exactly the commands and options --help lists (ci/manpage
#     writes them from it; this checks that it dropped nothing);
#   - --help lists every option cli.c parses and every command it knows;
#   - ENVIRONMENT names every variable harness/ and bench/ read (PROCBENCH_*,
#     PATH, TMPDIR) and no PROCBENCH_* variable they do not;
#   - EXIT STATUS has exactly the codes main.c's exit_code() returns;
#   - the page renders without a groff warning, carries --version, and the
#     installed .gz holds the same page.
# Then each check is shown to fire: on a page with an option, a variable or
# an exit status taken out, and on a cli.c with an option --help lacks.
# usage: manpage.sh PROCBENCH MANPAGE SOURCE_DIR OUT_DIR
set -eu
procbench=$1 page=$2 src=$3 root=$4
rm -rf "$root"
mkdir -p "$root"
name=install.manpage
. "$(dirname "$0")/lib.sh"

"$procbench" --help > "$root/help"

# The page as plain text: roff's escapes for hyphens, fonts and no-break
# taken out, so that "\fB\%\-\-filter\fR \fIRE\fR" reads "--filter RE".
plain() { sed -e 's/\\-/-/g' -e 's/\\%//g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' "$1"; }
# The lines of one section (.SH NAME up to the next .SH), plain.
section() { plain "$2" | awk -v name="$1" '/^\.SH /{on = ($0 == ".SH " name); next} on'; }
# The terms of the .TP entries of a section, one a line.
terms() { section "$1" "$2" | awk '/^\.TP/{getline; print}'; }
# The entries of one part of --help: "  TERM   text" lines, TERM alone.
help_terms() {
    awk -v part="$1" '/^[a-z][a-z ,]*:$/{on = ($0 ~ part); next} /^$/{on = 0}
        on && /^  [^ ]/{sub(/^  /, ""); sub(/  .*$/, ""); print}' "$2"
}

# ---- the page against --help -----------------------------------------------
check_page_help() { # PAGE HELP
    help_terms '^commands:$' "$2" | sort > "$root/help.commands"
    terms COMMANDS "$1" | sort > "$root/page.commands"
    diff "$root/help.commands" "$root/page.commands" > "$root/diff" \
        || { echo "commands of --help and the page differ: $(cat "$root/diff")" >&2; return 1; }
    help_terms 'options' "$2" | sort > "$root/help.options"
    terms OPTIONS "$1" | sort > "$root/page.options"
    diff "$root/help.options" "$root/page.options" > "$root/diff" \
        || { echo "options of --help and the page differ: $(cat "$root/diff")" >&2; return 1; }
    [ -s "$root/help.options" ] || { echo "no options read from --help" >&2; return 1; }
}

# ---- --help against cli.c ---------------------------------------------------
check_help_source() { # HELP CLI_C
    sed -n '/long_options\[\] = {/,/^};/p' "$2" | grep -oE '\{"[a-z-]+"' | tr -d '{"' \
        > "$root/source.options"
    [ -s "$root/source.options" ] || { echo "no long_options read from $2" >&2; return 1; }
    help_terms 'options' "$1" | tr ',' '\n' | awk '{print $1}' | sed -n 's/^--//p' \
        > "$root/help.long"
    for word in $(cat "$root/source.options"); do
        grep -qx -- "$word" "$root/help.long" \
            || { echo "--help lacks --$word, which cli.c parses" >&2; return 1; }
    done
    grep -oE '\{"[a-z]+", CLI_[A-Z]+\}' "$2" | sed 's/{"\([a-z]*\)".*/\1/' | grep -vx help \
        > "$root/source.commands"
    [ -s "$root/source.commands" ] || { echo "no commands read from $2" >&2; return 1; }
    help_terms '^commands:$' "$1" > "$root/help.words"
    for word in $(cat "$root/source.commands"); do
        grep -qx -- "$word" "$root/help.words" \
            || { echo "--help lacks the command $word, which cli.c knows" >&2; return 1; }
    done
}

# ---- environment and exit status against the sources -------------------------
variables_read() { # SOURCE_DIR: every variable harness/ and bench/ read
    {
        grep -rhoE '"PROCBENCH_[A-Z0-9_]+"' "$1/harness" "$1/bench" --include='*.c' --include='*.h'
        grep -rhoE 'getenv\("[A-Z0-9_]+"\)' "$1/harness" "$1/bench" --include='*.c' \
            | sed 's/getenv(\(.*\))/\1/'
        grep -rhoE 'process\.env\.[A-Z0-9_]+' "$1/bench" --include='*.js' | sed 's/process\.env\.//'
    } | tr -d '"' | sort -u
}
check_page_source() { # PAGE SOURCE_DIR
    variables_read "$2" > "$root/source.variables"
    [ -s "$root/source.variables" ] || { echo "no variables read from $2" >&2; return 1; }
    section ENVIRONMENT "$1" > "$root/page.environment"
    for word in $(cat "$root/source.variables"); do
        grep -qw -- "$word" "$root/page.environment" \
            || { echo "ENVIRONMENT lacks $word, which procbench reads" >&2; return 1; }
    done
    for word in $(grep -oE 'PROCBENCH_[A-Z0-9_]+' "$root/page.environment" | sort -u); do
        grep -qx -- "$word" "$root/source.variables" \
            || { echo "ENVIRONMENT names $word, which procbench does not read" >&2; return 1; }
    done
    awk '/^static int exit_code/,/^}/' "$2/harness/cli/main.c" | grep -oE 'return [0-9]+;' \
        | grep -oE '[0-9]+' | sort -un > "$root/source.codes"
    [ -s "$root/source.codes" ] || { echo "no exit codes read from main.c" >&2; return 1; }
    terms 'EXIT STATUS' "$1" | sed 's/^\.B //' | sort -un > "$root/page.codes"
    diff "$root/source.codes" "$root/page.codes" > "$root/diff" \
        || { echo "exit codes of main.c and the page differ: $(cat "$root/diff")" >&2; return 1; }
}

check_page_help "$page" "$root/help" || die "the page and --help"
check_help_source "$root/help" "$src/harness/cli/cli.c" || die "--help and cli.c"
check_page_source "$page" "$src" || die "the page and the sources"

version=$("$procbench" --version)
grep -q "^\.TH PROCBENCH 1 \"\" \"$version\"" "$page" || die ".TH lacks \"$version\""
gzip -dc "$page.gz" | cmp -s - "$page" || die "$page.gz is not $page"
if command -v groff > /dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$page" > "$root/groff" 2>&1 || true
    [ ! -s "$root/groff" ] || die "groff: $(cat "$root/groff")"
fi

# ---- each check fires -----------------------------------------------------
# An option gone from the page: the .TP and the term of --seed out.
awk '/^\.TP$/ {tp = $0; next}
     tp != "" {if (index($0, "\\-\\-seed\\fR") == 0) print tp; else {tp = ""; next}; tp = ""}
     {print}' "$page" > "$root/no-seed.1"
[ "$(terms OPTIONS "$root/no-seed.1" | wc -l)" -eq "$(($(wc -l < "$root/page.options") - 1))" ] \
    || die "could not take --seed out of the page"
if check_page_help "$root/no-seed.1" "$root/help" 2> /dev/null; then
    die "a page without --seed passed"
fi
# A variable gone from ENVIRONMENT.
sed 's/PROCBENCH_GNUPLOT/PROCBENCH_GNUPLOT_GONE/' "$page" > "$root/no-variable.1"
if check_page_source "$root/no-variable.1" "$src" 2> /dev/null; then
    die "a page without PROCBENCH_GNUPLOT passed"
fi
# An exit status gone.
sed '/^\.B 143$/d' "$page" > "$root/no-143.1"
if check_page_source "$root/no-143.1" "$src" 2> /dev/null; then
    die "a page without exit status 143 passed"
fi
# An option cli.c parses that --help does not list.
sed 's/{"seed", required_argument/{"seed-of-doom", required_argument/' "$src/harness/cli/cli.c" \
    > "$root/cli.c"
if check_help_source "$root/help" "$root/cli.c" 2> /dev/null; then
    die "an option missing from --help passed"
fi
echo "manpage: ok ($(wc -l < "$root/help.options") options, $(wc -l < "$root/help.commands") commands, $(wc -l < "$root/source.variables") variables, $(wc -l < "$root/source.codes") exit codes)"
