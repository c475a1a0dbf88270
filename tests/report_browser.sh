#!/bin/sh
# report.html of a small real run opened in headless Chromium at 1280 px,
# without network, as a person would first see it: the first answer must
# end within the first screen (the page's own script writes
# data-first-answer="bottom/window height" on <body>), the page must not
# scroll sideways (data-overflow="0"), every plot must decode
# (data-plots="rendered/total", total = the SVGs in plots/), and the page
# must meet no error (data-errors="0", and no console message in Chromium's
# log). Screenshots of the first screen and of the whole page are kept
# under OUT_DIR. The same checks run on deliberately broken copies of the
# page (a corrupt plot and a script error; something wider than the
# window; a screen of text above the answers) and must fail there, so this
# test is known to be able to fail.
# Exit 77 (skipped) when Chromium is not installed (ci/setup installs it).
# usage: report_browser.sh PROCBENCH OUT_DIR
set -u
procbench=$1 out=$2
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "chromium not installed: skipped (ci/setup installs it)"
    exit 77
fi

"$procbench" run --quick --filter '^(spawn\.(posix_spawn|fork_exec)|ipc\.pipe|output\.(buffered|streamed))$' \
    --param rss=0,64M --param size=64,4K --param bytes=64K,1M --param write_size=64K --placement same,cross \
    --out-dir "$out/runs" -q > "$out/run.log" 2>&1 || { cat "$out/run.log" >&2; exit 1; }
run=$(cd "$out/runs/latest" && pwd -P)
"$procbench" report "$run" > "$out/report.log" 2>&1 || { cat "$out/report.log" >&2; exit 1; }
plots=$(ls "$run/plots"/*.svg | wc -l)

# Root needs --no-sandbox; the rest keeps Chromium off the network and
# quiet. A profile folder of our own, removed at the end.
chrome() {
    HOME=$out/home "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --no-default-browser-check --disable-background-networking \
        --disable-component-update --disable-sync --disable-extensions \
        --user-data-dir="$out/profile" --enable-logging=stderr --v=0 \
        --virtual-time-budget=10000 "$@"
}

# check PAGE EXPECTED_PLOTS: 0 when, at 1280 px, the first answer is on
# the first screen, nothing scrolls sideways, every plot rendered and
# nothing erred.
check() {
    page=$1 expected=$2
    chrome --window-size=1280,800 --dump-dom "file://$page" > "$out/dom.html" 2> "$out/chrome.log"
    body=$(grep -o '<body[^>]*>' "$out/dom.html" | head -1)
    status=0
    case "$body" in
    *"data-plots=\"$expected/$expected\""*) ;;
    *) echo "  $page: expected data-plots=\"$expected/$expected\", got: $body"; status=1 ;;
    esac
    case "$body" in
    *'data-errors="0"'*) ;;
    *) echo "  $page: errors in the page: $body"; status=1 ;;
    esac
    case "$body" in
    *'data-overflow="0"'*) ;;
    *) echo "  $page: the page scrolls sideways at 1280 px: $body"; status=1 ;;
    esac
    first=$(printf '%s' "$body" | sed -n 's/.*data-first-answer="\([0-9]*\)\/\([0-9]*\)".*/\1 \2/p')
    if [ -z "$first" ] || [ "${first% *}" -gt "${first#* }" ]; then
        echo "  $page: the first answer is not on the first screen: $body"; status=1
    fi
    if grep -E ':CONSOLE|Uncaught|Failed to load' "$out/chrome.log" > "$out/console.txt"; then
        echo "  $page: console messages:"; cat "$out/console.txt"; status=1
    fi
    return $status
}

failures=0
if [ "$plots" -lt 5 ]; then
    echo "FAIL: expected at least 5 plots, found $plots" >&2
    failures=$((failures + 1))
fi
if ! check "$run/report.html" "$plots" >&2; then
    echo "FAIL: report.html did not render cleanly" >&2
    failures=$((failures + 1))
fi
chrome --hide-scrollbars --window-size=1280,800 --screenshot="$out/screenshot.png" \
    "file://$run/report.html" > /dev/null 2>&1
chrome --hide-scrollbars --window-size=1280,8000 --screenshot="$out/screenshot-page.png" \
    "file://$run/report.html" > /dev/null 2>&1
[ -s "$out/screenshot.png" ] || { echo "FAIL: no screenshot" >&2; failures=$((failures + 1)); }

# Broken copies: the first plot's data cut short and a script error; a
# block wider than the window; a screen of text above the answers.
sed -e '0,/base64,/s//base64,AAAA/' -e 's|</body>|<script>no_such_function();</script></body>|' \
    "$run/report.html" > "$out/broken.html"
sed -e 's|</body>|<div style="width:3000px">wide</div></body>|' "$run/report.html" > "$out/wide.html"
sed -e 's|<h2 id="answers">|<div style="height:2000px">first</div><h2 id="answers">|' \
    "$run/report.html" > "$out/late.html"
for broken in broken wide late; do
    if check "$out/$broken.html" "$plots" > "$out/$broken.txt" 2>&1; then
        echo "FAIL: the checks passed on a broken page ($broken.html)" >&2
        failures=$((failures + 1))
    fi
done
rm -rf "$out/profile" "$out/home"
if [ "$failures" -ne 0 ]; then
    exit 1
fi
echo "report.html at 1280 px: answers on the first screen, no sideways scroll, $plots plots rendered, no error; screenshots: $out/screenshot.png, $out/screenshot-page.png"
