/*
 * Tests of harness/analysis/decompose.c on a hand-written results file
 * (tests/golden/decompose/run.json) whose medians are chosen so that every
 * difference can be worked out by hand: the right case of each layer is
 * picked (target=static, stdio=inherit, rss=0, heap=0; not the dynamic,
 * piped or loaded ones), the sync rows among them, the differences and intervals are the expected
 * numbers (Hodges-Lehmann on rounds; the medians' intervals with 3 rounds), failed, skipped and
 * absent rows say so, and the Markdown table equals tests/golden/decompose/table.md byte for byte.
 *
 * Regenerating the golden table after an intended change of its format:
 * PROCBENCH_REGENERATE_GOLDEN=1 build/tests/test_decompose, then review the
 * diff.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/decompose.h"
#include "read/results_read.h"

#define RUN_JSON    GOLDEN_DIR "/decompose/run.json"
#define TABLE_MD    GOLDEN_DIR "/decompose/table.md"
#define NO_NODE_RUN GOLDEN_DIR "/compare/base.json"

static struct stored_run *read_run(const char *path)
{
    struct stored_run *run;
    char err[256] = "";
    int rc = results_read_run(path, &run, err, sizeof(err));
    if (rc != 0)
        fail_msg("reading %s: %s", path, err);
    return run;
}

static const struct decompose_row *find_row(const struct decompose_row *rows, size_t n,
                                            const char *api, const char *placement)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].api, api) == 0 && strcmp(rows[i].placement, placement) == 0)
            return &rows[i];
    fail_msg("no row for %s, %s", api, placement);
    return NULL;
}

static void assert_diff(const struct decompose_diff *d, double estimate, double low, double high,
                        const char *method)
{
    assert_true(d->known);
    if (d->estimate_ns != estimate || d->low_ns != low || d->high_ns != high)
        fail_msg("difference %.1f [%.1f, %.1f], expected %.1f [%.1f, %.1f]", d->estimate_ns,
                 d->low_ns, d->high_ns, estimate, low, high);
    assert_string_equal(d->method, method);
}

static void test_rows(void **state)
{
    (void)state;
    struct stored_run *run = read_run(RUN_JSON);
    struct decompose_row rows[16];
    size_t n;
    assert_int_equal(decompose_node(run, rows, 16, &n), 0);
    /* spawn same and free, execFile same (failed), exec same, fork same
     * (skipped), spawnSync same, execSync same; no execFileSync case. */
    assert_int_equal(n, 7);
    static const char *const order[][2] = {
        {"spawn", "same"}, {"spawn", "free"},     {"execFile", "same"}, {"exec", "same"},
        {"fork", "same"},  {"spawnSync", "same"}, {"execSync", "same"}};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(rows[i].api, order[i][0]);
        assert_string_equal(rows[i].placement, order[i][1]);
    }

    const struct decompose_row *r = find_row(rows, n, "spawn", "same");
    assert_string_equal(r->node.c->name, "node.spawn{target=static,stdio=inherit,placement=same}");
    assert_string_equal(r->libuv.c->name, "spawn.uv_spawn{target=static,placement=same}");
    assert_string_equal(r->syscall.c->name, "spawn.fork_exec{target=static,rss=0,placement=same}");
    /* Node rounds 995..1004 us against a flat 400 us: the differences are
     * the Node rounds less 400 us, median 599.5 us; with 10 against 10
     * rounds the 95% interval is the 24th smallest and largest of the 100
     * differences, i.e. of 10 copies each of 595..604 us: 597 and 602 us. */
    assert_diff(&r->node_layer, 599500, 597000, 602000, "rounds");
    assert_diff(&r->libuv_layer, 50000, 50000, 50000, "rounds");
    assert_diff(&r->above, 649500, 647000, 652000, "rounds");

    r = find_row(rows, n, "spawn", "free");
    assert_non_null(r->node.c);
    assert_null(r->libuv.c);
    assert_string_equal(r->libuv.missing, "not measured");
    assert_false(r->node_layer.known);
    assert_false(r->above.known);

    r = find_row(rows, n, "execFile", "same");
    assert_null(r->node.c);
    assert_string_equal(r->node.missing, "failed");
    assert_non_null(r->libuv.c);
    assert_false(r->node_layer.known);
    assert_diff(&r->libuv_layer, 50000, 50000, 50000, "rounds");

    /* exec: no libuv layer; 3 rounds against 3 give no 95% interval, so
     * the medians' own: 2.5 ms [2.4, 2.6] less 900 us [880, 920]. */
    r = find_row(rows, n, "exec", "same");
    assert_null(r->libuv.scenario);
    assert_string_equal(r->syscall.c->name, "spawn.shell{target=static,placement=same}");
    assert_false(r->node_layer.known);
    assert_diff(&r->above, 1600000, 1480000, 1720000, "median CIs");

    r = find_row(rows, n, "fork", "same");
    assert_string_equal(r->node.missing, "skipped");

    /* The sync rows: spawnSync at heap=0, not at 1G; 1295..1304 us over
     * the flat 400 us of uv_spawn, as for spawn above. execSync: no libuv
     * row, 3 rounds: 2.3 ms [2.25, 2.35] less 900 us [880, 920]. */
    r = find_row(rows, n, "spawnSync", "same");
    assert_string_equal(
        r->node.c->name,
        "node.spawnSync{target=static,heap=0,heap_kind=arraybuffer,placement=same}");
    assert_string_equal(r->libuv.c->name, "spawn.uv_spawn{target=static,placement=same}");
    assert_diff(&r->node_layer, 899500, 897000, 902000, "rounds");
    r = find_row(rows, n, "execSync", "same");
    assert_null(r->libuv.scenario);
    assert_diff(&r->above, 1400000, 1330000, 1470000, "median CIs");

    /* Too little room: the first rows, and -ENOSPC. */
    assert_int_equal(decompose_node(run, rows, 2, &n), -ENOSPC);
    assert_int_equal(n, 2);
    results_read_free_run(run);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    static char text[16384];
    *len = fread(text, 1, sizeof(text) - 1, f);
    text[*len] = '\0';
    fclose(f);
    return text;
}

static void test_markdown_golden(void **state)
{
    (void)state;
    struct stored_run *run = read_run(RUN_JSON);
    char path[512];
    snprintf(path, sizeof(path), "%s/decompose-table.md", TEST_OUT_DIR);
    const char *regenerate = getenv("PROCBENCH_REGENERATE_GOLDEN");
    if (regenerate != NULL && strcmp(regenerate, "1") == 0)
        snprintf(path, sizeof(path), "%s", TABLE_MD);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    assert_int_equal(decompose_write_md(out, run), 0);
    assert_int_equal(fclose(out), 0);
    results_read_free_run(run);

    size_t got_len, want_len;
    char *got = strdup(slurp(path, &got_len));
    const char *want = slurp(TABLE_MD, &want_len);
    if (got_len != want_len || memcmp(got, want, got_len) != 0)
        fail_msg("%s differs from %s:\n%s", path, TABLE_MD, got);
    free(got);
}

static void test_run_without_node(void **state)
{
    (void)state;
    struct stored_run *run = read_run(NO_NODE_RUN);
    struct decompose_row rows[16];
    size_t n = 99;
    assert_int_equal(decompose_node(run, rows, 16, &n), 0);
    assert_int_equal(n, 0);
    char text[512] = "";
    FILE *out = fmemopen(text, sizeof(text), "w");
    assert_non_null(out);
    assert_int_equal(decompose_write_md(out, run), 0);
    fclose(out);
    assert_string_equal(text, "No node.spawn, node.execFile, node.exec, node.fork, node.spawnSync, "
                              "node.execSync or node.execFileSync case in this run: nothing to "
                              "decompose.\n");
    results_read_free_run(run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_markdown_golden),
        cmocka_unit_test(test_run_without_node),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
