/*
 * Unit tests of harness/analysis/check.c: rules that parse (and what they parse
 * to), rules that do not (each with its reason), a rules file with a bad
 * line (named by number), matching patterns to cases (parameters, sizes,
 * placement, none, several), and judging: holds, fails, inconclusive, and the
 * fallback to the medians' intervals when rounds are too few.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/check.h"
#include "read/results_read.h"

static char dir[PATH_MAX];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "%s/test_check", TEST_OUT_DIR);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static void test_parse_good_rules(void **state)
{
    struct check_rule r;
    char why[256] = "";
    (void)state;
    assert_int_equal(check_parse_line("spawn.posix_spawn{target=static} < 0.5 * "
                                      "spawn.fork_exec{target=static}  # folklore",
                                      7, &r, why, sizeof(why)),
                     0);
    assert_int_equal(r.line, 7);
    assert_string_equal(r.text, "spawn.posix_spawn{target=static} < 0.5 * "
                                "spawn.fork_exec{target=static}");
    assert_string_equal(r.left.scenario, "spawn.posix_spawn");
    assert_int_equal(r.left.param_count, 1);
    assert_string_equal(r.left.params[0].key, "target");
    assert_string_equal(r.left.params[0].value, "static");
    assert_int_equal(r.op, CHECK_LESS);
    assert_cmp(r.factor, ==, 0.5);
    assert_string_equal(r.right.scenario, "spawn.fork_exec");

    /* No factor, no parameters, '>', spaces everywhere, a CRLF ending. */
    assert_int_equal(check_parse_line("  a.b   >   c  \r", 1, &r, why, sizeof(why)), 0);
    assert_int_equal(r.op, CHECK_GREATER);
    assert_cmp(r.factor, ==, 1.0);
    assert_int_equal(r.left.param_count, 0);
    assert_string_equal(r.text, "a.b   >   c");

    assert_int_equal(
        check_parse_line("ipc.pipe{ size = 4K , placement=cross } > 2*ipc.shm{size=4096}", 1, &r,
                         why, sizeof(why)),
        0);
    assert_int_equal(r.left.param_count, 2);
    assert_string_equal(r.left.params[1].key, "placement");
    assert_string_equal(r.left.params[1].value, "cross");
    assert_cmp(r.factor, ==, 2.0);
    assert_string_equal(r.right.params[0].value, "4096");

    assert_int_equal(check_parse_line("a < .25 * b", 1, &r, why, sizeof(why)), 0);
    assert_cmp(r.factor, ==, 0.25);

    /* Blank and comment lines are not rules. */
    assert_int_equal(check_parse_line("", 1, &r, why, sizeof(why)), -ENODATA);
    assert_int_equal(check_parse_line("   # only a comment < b", 1, &r, why, sizeof(why)),
                     -ENODATA);
}

static void test_parse_bad_rules(void **state)
{
    static const struct {
        const char *line, *expect;
    } bad[] = {
        {"a <", "expected a scenario name, found the end of the line"},
        {"< b", "expected a scenario name, found '<'"},
        {"a = b", "expected '<' or '>', found '='"},
        {"a <= b", "expected a scenario name, found '='"},
        {"a < b c", "expected the end of the rule, found 'c'"},
        {"a < b < c", "expected the end of the rule, found '<'"},
        {"a < 0.5 b", "expected '*' after the factor, found 'b'"},
        {"a < 1e3 * b", "expected '*' after the factor, found 'e'"},
        {"a < -1 * b", "expected a scenario name, found '-'"},
        {"a < 0 * b", "factor 0: expected more than 0"},
        {"a < 0.0 * b", "factor 0.0: expected more than 0"},
        {"a < . * b", "expected a factor such as 0.5"},
        {"a < 99999999999 * b", "factor 99999999999: expected more than 0 and at most 1e9"},
        {"a{x} < b", "expected '=', found '}'"},
        {"a{x=} < b", "expected a parameter value, found '}'"},
        {"a{=1} < b", "expected a parameter name, found '='"},
        {"a{x=1 < b", "expected ',' or '}', found '<'"},
        {"a{x=1,x=2} < b", "parameter x given twice"},
        {"a{x=1;rm -rf /} < b", "expected ',' or '}', found ';'"},
        {"a%n%s < b", "expected '<' or '>', found '%'"},
        {"caf\xc3\xa9 < b", "expected '<' or '>', found byte 0xc3"},
        {"a\x1b[31m < b", "expected '<' or '>', found byte 0x1b"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct check_rule r;
        char why[256] = "";
        int rc = check_parse_line(bad[i].line, 3, &r, why, sizeof(why));
        if (rc != -EINVAL)
            fail_msg("'%s': returned %d", bad[i].line, rc);
        if (strstr(why, bad[i].expect) == NULL)
            fail_msg("'%s': got '%s', expected '%s'", bad[i].line, why, bad[i].expect);
        for (const char *p = why; *p; p++)
            assert_cmp((unsigned char)*p, >=, 0x20);
    }
}

static void test_load_rules_file(void **state)
{
    char path[PATH_MAX + 32], err[512] = "";
    struct check_rule *rules;
    size_t count;
    (void)state;
    snprintf(path, sizeof(path), "%s/good.rules", dir);
    write_text_file(path, "# expectations\n\na < 0.5 * b\n   \nc > d # why\n");
    assert_int_equal(check_load_rules(path, &rules, &count, err, sizeof(err)), 0);
    assert_int_equal(count, 2);
    assert_int_equal(rules[0].line, 3);
    assert_int_equal(rules[1].line, 5);
    free(rules);

    /* The bad line is named by number, and nothing is returned. */
    snprintf(path, sizeof(path), "%s/bad.rules", dir);
    write_text_file(path, "a < b\n# fine\na << b\n");
    assert_int_equal(check_load_rules(path, &rules, &count, err, sizeof(err)), -EINVAL);
    assert_null(rules);
    assert_contains(err, "bad.rules:3: expected a scenario name, found '<'");

    snprintf(path, sizeof(path), "%s/empty.rules", dir);
    write_text_file(path, "# nothing\n");
    assert_int_equal(check_load_rules(path, &rules, &count, err, sizeof(err)), -EINVAL);
    assert_contains(err, "empty.rules: no rules in it");

    snprintf(path, sizeof(path), "%s/missing.rules", dir);
    assert_cmp(check_load_rules(path, &rules, &count, err, sizeof(err)), <, 0);
    assert_contains(err, "missing.rules: cannot open");

    assert_int_equal(check_load_rules(dir, &rules, &count, err, sizeof(err)), -EINVAL);
    assert_contains(err, "not a regular file");
}

/* A run with cases of known rounds: fast (1 us), slow (10 us), close to
 * fast (1.1 us), and a sized pair, each with rounds spread by 2%. */
static struct stored_run *read_fixture(size_t rounds)
{
    char path[PATH_MAX + 32], err[512];
    static const struct {
        const char *scenario, *name, *params, *placement;
        double ns;
    } cases[] = {
        {"t.fast", "t.fast{placement=same}", "{}", "same", 1000},
        {"t.slow", "t.slow{placement=same}", "{}", "same", 10000},
        {"t.near", "t.near{placement=same}", "{}", "same", 1100},
        {"t.sized", "t.sized{size=4K,placement=same}", "{\"size\": 4096}", "same", 2000},
        {"t.sized", "t.sized{size=1M,placement=same}", "{\"size\": 1048576}", "same", 9000},
        {"t.sized", "t.sized{size=1M,placement=cross}", "{\"size\": 1048576}", "cross", 9500},
        {"t.skip", "t.skip{placement=same}", "{}", "same", 0},
    };
    snprintf(path, sizeof(path), "%s/run-%zu.json", dir, rounds);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"schema_version\": 1, \"tool\": {\"name\": \"procbench\"}, \"environment\":"
          " {\"hostname\": \"h\", \"kernel\": \"k\", \"cpu_model\": \"c\"}, \"config\":"
          " {\"rounds\": 3}, \"started_unix_ns\": 1, \"cases\": [\n",
          fp);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double ns = cases[i].ns;
        bool skipped = ns == 0;
        fprintf(fp,
                "%s{\"scenario\": \"%s\", \"case\": \"%s\", \"params\": %s, \"placement\":"
                " \"%s\", \"status\": \"%s\", \"reason\": \"%s\", \"n\": %d, \"p50\": %.0f,"
                " \"p50_ci_low\": %.0f, \"p50_ci_high\": %.0f, \"per_round\": [",
                i ? ",\n" : "", cases[i].scenario, cases[i].name, cases[i].params,
                cases[i].placement, skipped ? "skipped" : "ok", skipped ? "built without it" : "",
                skipped ? 0 : 100, ns, ns * 0.97, ns * 1.03);
        for (size_t r = 0; r < rounds && !skipped; r++)
            fprintf(fp, "%s{\"round\": %zu, \"n\": 10, \"p50\": %.0f}", r ? ", " : "", r,
                    ns * (0.99 + 0.02 * (double)((r * 7) % 10) / 9.0));
        fputs("]}", fp);
    }
    fputs("]}\n", fp);
    assert_int_equal(fclose(fp), 0);
    struct stored_run *run = NULL;
    if (results_read_run(path, &run, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    return run;
}

static void parse(const char *line, struct check_rule *r)
{
    char why[256];
    if (check_parse_line(line, 1, r, why, sizeof(why)) != 0)
        fail_msg("'%s': %s", line, why);
}

static void test_match(void **state)
{
    struct stored_run *run = read_fixture(10);
    const struct stored_case *c;
    struct check_rule r;
    char why[256];
    (void)state;
    parse("t.fast < t.slow{placement=same}", &r);
    assert_int_equal(check_match(run, &r.left, &c, why, sizeof(why)), 0);
    assert_string_equal(c->name, "t.fast{placement=same}");
    assert_int_equal(check_match(run, &r.right, &c, why, sizeof(why)), 0);
    assert_string_equal(c->name, "t.slow{placement=same}");

    /* Sizes match as sizes; placement tells the 1M cases apart. */
    parse("t.sized{size=4K} < t.sized{size=1048576,placement=cross}", &r);
    assert_int_equal(check_match(run, &r.left, &c, why, sizeof(why)), 0);
    assert_string_equal(c->name, "t.sized{size=4K,placement=same}");
    assert_int_equal(check_match(run, &r.right, &c, why, sizeof(why)), 0);
    assert_string_equal(c->name, "t.sized{size=1M,placement=cross}");

    parse("t.sized{size=1M} < t.nosuch", &r);
    assert_int_equal(check_match(run, &r.left, &c, why, sizeof(why)), -EEXIST);
    assert_contains(why, "t.sized{size=1M} matches 2 cases (t.sized{size=1M,placement=same}, "
                         "t.sized{size=1M,placement=cross})");
    assert_int_equal(check_match(run, &r.right, &c, why, sizeof(why)), -ENOENT);
    assert_string_equal(why, "t.nosuch matches no case of the run");

    parse("t.fast{size=4K} < t.fast{placement=cross}", &r);
    assert_int_equal(check_match(run, &r.left, &c, why, sizeof(why)), -ENOENT);
    assert_int_equal(check_match(run, &r.right, &c, why, sizeof(why)), -ENOENT);
    results_read_free_run(run);
}

static void judge(struct stored_run *run, const char *line, struct check_outcome *o)
{
    struct check_rule r;
    const struct stored_case *left, *right;
    char why[256];
    parse(line, &r);
    assert_int_equal(check_match(run, &r.left, &left, why, sizeof(why)), 0);
    assert_int_equal(check_match(run, &r.right, &right, why, sizeof(why)), 0);
    assert_int_equal(check_judge(&r, left, right, true, o), 0);
}

static void test_judge(void **state)
{
    struct stored_run *run = read_fixture(10);
    struct check_outcome o;
    (void)state;
    /* 0.1 with a tight interval: holds below 0.5, fails above 0.05. */
    judge(run, "t.fast < 0.5 * t.slow", &o);
    assert_int_equal(o.verdict, CHECK_HOLDS);
    assert_string_equal(o.method, "paired rounds");
    assert_cmp(fabs(o.ratio - 0.1), <, 0.002);
    assert_cmp(o.low, <, o.ratio);
    assert_cmp(o.ratio, <, o.high);
    assert_cmp(o.high, <, 0.11);
    judge(run, "t.fast < 0.05 * t.slow", &o);
    assert_int_equal(o.verdict, CHECK_FAILS);
    judge(run, "t.slow > 5 * t.fast", &o);
    assert_int_equal(o.verdict, CHECK_HOLDS);
    judge(run, "t.fast > t.slow", &o);
    assert_int_equal(o.verdict, CHECK_FAILS);
    /* 1.1 against a factor of 1.1: the interval straddles it. */
    judge(run, "t.near < 1.1 * t.fast", &o);
    assert_int_equal(o.verdict, CHECK_INCONCLUSIVE);
    assert_string_equal(o.reason, "the interval contains 1.1");
    /* A skipped case: inconclusive with its reason. */
    judge(run, "t.skip < t.slow", &o);
    assert_int_equal(o.verdict, CHECK_INCONCLUSIVE);
    assert_string_equal(o.reason, "t.skip{placement=same} skipped: built without it");
    results_read_free_run(run);

    /* Three rounds a side give no 95% interval from rounds: the medians'
     * intervals are combined instead: [970/10300, 1030/9700]. */
    run = read_fixture(3);
    judge(run, "t.fast < 0.5 * t.slow", &o);
    assert_int_equal(o.verdict, CHECK_HOLDS);
    assert_string_equal(o.method, "median CIs");
    assert_cmp(fabs(o.low - 970.0 / 10300.0), <, 1e-9);
    assert_cmp(fabs(o.high - 1030.0 / 9700.0), <, 1e-9);
    results_read_free_run(run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good_rules),
        cmocka_unit_test(test_parse_bad_rules),
        cmocka_unit_test(test_load_rules_file),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_judge),
    };
    return cmocka_run_group_tests(tests, make_dir, NULL);
}
