/*
 * Unit tests of what a report says and how it reads, on hand-made runs:
 * every claim's command selects both of its sides (parsed by the real
 * command line and expanded into the real cases), a FIGURE claim and a
 * sweep too small to answer, the metrics a run declares or holds, and the
 * report of a run holding every case of the default suite: answers before
 * the environment, no first column past 48 characters, no canonical name
 * in a table, no escaped backquote in the Markdown, and a report.md that
 * fits a pull-request comment (65,536 characters); each median's precision
 * and a --ci-target not reached. Files go under
 * TEST_OUT_DIR/test_report_content.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/check.h"
#include "base/case_label.h"
#include "base/units.h"
#include "checks.h"
#include "cli/cli.h"
#include "engine/cases.h"
#include "report/report_claims.h"
#include "report/report_content.h"
#include "report/report_metrics.h"
#include "report/report_gnuplot.h"
#include "report/report_model.h"
#include "report/report_plots.h"

static char dir[PATH_MAX];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "%s/test_report_content", TEST_OUT_DIR);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static char *read_all(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *data = malloc((size_t)n + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, fp), (size_t)n);
    data[n] = '\0';
    fclose(fp);
    return data;
}

/* A command line split as a shell would: words, single quotes. */
static size_t split(char *line, char **argv, size_t max)
{
    size_t n = 0;
    char *out = line;
    for (char *p = line; *p && n < max;) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        argv[n++] = out;
        while (*p && *p != ' ') {
            if (*p == '\'') {
                for (p++; *p && *p != '\''; p++)
                    *out++ = *p;
                if (*p)
                    p++;
            } else {
                *out++ = *p++;
            }
        }
        *out++ = '\0';
    }
    return n;
}

/* A case of the catalogue matches a pattern of a rule. */
static bool def_matches(const struct case_def *def, const struct check_pattern *p)
{
    struct case_name c;
    if (case_name_parse(def->name, &c) != 0 || strcmp(c.scenario, p->scenario) != 0)
        return false;
    for (size_t i = 0; i < p->param_count; i++) {
        const char *v = case_name_get(&c, p->params[i].key);
        if (v == NULL || !check_same_value(v, p->params[i].value))
            return false;
    }
    return true;
}

/* ---- every claim's command answers it ------------------------------------------ */

static void test_claim_commands(void **state)
{
    (void)state;
    for (size_t k = 0; k < report_claim_count; k++) {
        const struct report_claim *claim = &report_claims[k];
        struct report_claim_result res;
        /* Judged on an empty run: not measured, with its command. */
        struct stored_run empty;
        memset(&empty, 0, sizeof(empty));
        assert_int_equal(report_claim_judge(&empty, claim, &res), 0);
        assert_string_equal(report_verdict_name(res.verdict), "not measured");
        if (strncmp(res.command, "procbench run ", 14) != 0)
            fail_msg("%s: command '%s'", claim->id, res.command);

        char line[sizeof(res.command)], err[512] = "";
        char *argv[64];
        snprintf(line, sizeof(line), "%s", res.command);
        size_t argc = split(line, argv, 64);
        struct cli_options opts;
        if (cli_parse((int)argc, argv, &opts, err, sizeof(err)) != 0)
            fail_msg("%s: '%s' does not parse: %s", claim->id, res.command, err);
        struct case_selection sel = {.filters = opts.filters,
                                     .filter_count = opts.filter_count,
                                     .overrides = opts.overrides,
                                     .override_count = opts.override_count,
                                     .placements = opts.placements};
        struct case_def *defs = NULL;
        size_t count = 0;
        if (cases_expand(&sel, &defs, &count, err, sizeof(err)) != 0)
            fail_msg("%s: '%s' selects nothing: %s", claim->id, res.command, err);

        if (claim->kind == REPORT_CLAIM_MECHANISM) {
            /* Its left side is a prefix of scenario names: the command
             * makes cases of it (and, as for any node.* filter, the rows
             * beneath them). */
            size_t of_prefix = 0;
            for (size_t i = 0; i < count; i++)
                of_prefix += strncmp(defs[i].name, claim->left, strlen(claim->left)) == 0;
            if (of_prefix == 0)
                fail_msg("%s: '%s' makes no case of %s", claim->id, res.command, claim->left);
            free(defs);
            continue;
        }
        /* FIGURE and BELOW have one side; "@metric" names a figure, not a
         * case. */
        struct check_rule rule;
        char text[CHECK_MAX_LINE], why[256];
        bool one_side = claim->kind == REPORT_CLAIM_FIGURE || claim->kind == REPORT_CLAIM_BELOW;
        snprintf(text, sizeof(text), "%.*s < %.*s", (int)strcspn(claim->left, "@"), claim->left,
                 (int)strcspn(one_side ? claim->left : claim->right, "@"),
                 one_side ? claim->left : claim->right);
        assert_int_equal(check_parse_line(text, 1, &rule, why, sizeof(why)), 0);
        size_t left = 0, right = 0, sweep_values = 0;
        uint64_t largest = 0, seen[16];
        for (size_t i = 0; i < count; i++) {
            bool l = def_matches(&defs[i], &rule.left), r = def_matches(&defs[i], &rule.right);
            left += l;
            right += r;
            struct case_name c;
            uint64_t v;
            const char *why2;
            if (!l || claim->sweep[0] == '\0' || case_name_parse(defs[i].name, &c) != 0 ||
                case_name_get(&c, claim->sweep) == NULL ||
                units_parse_size_bytes(case_name_get(&c, claim->sweep), &v, &why2) != 0)
                continue;
            largest = v > largest ? v : largest;
            bool again = false;
            for (size_t s = 0; s < sweep_values; s++)
                again = again || seen[s] == v;
            if (!again && sweep_values < 16)
                seen[sweep_values++] = v;
        }
        if (left == 0 || right == 0)
            fail_msg("%s: '%s' makes %zu cases of %s and %zu of %s", claim->id, res.command, left,
                     claim->left, right, claim->right);
        uint64_t min = 0;
        const char *why3;
        if (claim->sweep_min[0] != '\0') {
            assert_int_equal(units_parse_size_bytes(claim->sweep_min, &min, &why3), 0);
            if (largest < min)
                fail_msg("%s: '%s' runs %s only up to %" PRIu64, claim->id, res.command,
                         claim->sweep, largest);
        }
        if (claim->kind == REPORT_CLAIM_GROWS && sweep_values < 2)
            fail_msg("%s: '%s' runs one value of %s", claim->id, res.command, claim->sweep);
        free(defs);
    }
}

/* ---- hand-made runs ------------------------------------------------------------- */

#define HEAD                                                                                       \
    "{\"schema_version\": 1, \"tool\": {\"name\": \"procbench\", \"version\": \"0.1.0\"},\n"       \
    " \"environment\": {\"hostname\": \"h\", \"kernel\": \"Linux 6.1\", \"cpu_model\": \"X\","     \
    " \"cpu_count_online\": \"2\", \"virtualization\": \"kvm\", \"mem_total_bytes\": "             \
    "\"8589934592\", \"libuv_version\": \"1.44.2\", \"node_uv_version\": \"1.46.0\"},\n"           \
    " \"config\": {\"rounds\": 3, \"quick\": true, \"seed\": 7},\n"                                \
    " \"argv\": [\"procbench\", \"run\", \"--quick\"],\n"                                          \
    " \"started_unix_ns\": 1700000000000000000, \"duration_ns\": 61000000000,\n"

/* Appends one case: name as given, params parsed from it, p50 and a CI of
 * +-1%, three rounds, and `extra` members. */
static void add_case(char **buf, size_t *len, size_t *used, const char *name, double p50,
                     const char *extra)
{
    struct case_name c;
    assert_int_equal(case_name_parse(name, &c), 0);
    char params[2048] = "", placement[64] = "same";
    for (size_t i = 0; i < c.count; i++) {
        if (strcmp(c.params[i].key, "placement") == 0) {
            snprintf(placement, sizeof(placement), "%s", c.params[i].value);
            continue;
        }
        size_t n = strlen(params);
        snprintf(params + n, sizeof(params) - n, "%s\"%s\": \"%s\"", n ? ", " : "", c.params[i].key,
                 c.params[i].value);
    }
    char one[8192];
    int n = snprintf(
        one, sizeof(one),
        "%s{\"scenario\": \"%s\", \"case\": \"%s\", \"params\": {%s}, \"placement\": \"%s\","
        " \"status\": \"ok\", \"n\": 100, \"p50\": %.0f, \"p50_ci_low\": %.0f,"
        " \"p50_ci_high\": %.0f, \"cpu_ns\": %.0f, \"p99\": %.0f%s%s,"
        " \"histogram\": {\"buckets\": [[%.0f, 50], [%.0f, 49], [%.0f, 1]]},"
        " \"per_round\": [{\"round\": 0, \"n\": 30, \"p50\": %.0f}, {\"round\": 1, \"n\": 30, "
        "\"p50\": %.0f}, {\"round\": 2, \"n\": 40, \"p50\": %.0f}]}",
        *used ? ",\n" : "", c.scenario, name, params, placement, p50, p50 * 0.99, p50 * 1.01,
        p50 * 1.1, p50 * 2, extra ? ", " : "", extra ? extra : "", p50 * 0.9, p50, p50 * 2,
        p50 * 0.99, p50, p50 * 1.01);
    assert_true(n > 0 && (size_t)n < sizeof(one));
    while (*used + (size_t)n + 16 > *len) {
        *len *= 2;
        *buf = realloc(*buf, *len);
        assert_non_null(*buf);
    }
    memcpy(*buf + *used, one, (size_t)n + 1);
    *used += (size_t)n;
}

/* Writes HEAD, extra top-level members, the cases and the end into
 * dir/NAME/results.json; returns the folder. */
static void write_run(const char *name, const char *top, const char *cases, char *folder,
                      size_t len)
{
    if ((size_t)snprintf(folder, len, "%s/%s", dir, name) >= len)
        fail_msg("%s/%s: path too long", dir, name);
    mkdir(folder, 0755);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/results.json", folder);
    size_t n = strlen(HEAD) + strlen(top) + strlen(cases) + 64;
    char *text = malloc(n);
    assert_non_null(text);
    snprintf(text, n, "%s%s \"cases\": [\n%s]}\n", HEAD, top, cases);
    write_text_file(path, text);
    free(text);
}

static void load(const char *folder, struct report_run *r)
{
    char err[512] = "";
    if (report_model_load(folder, r, err, sizeof(err)) != 0)
        fail_msg("%s", err);
}

static void test_figure_and_sweep_min(void **state)
{
    size_t len = 1 << 14, used = 0;
    char *cases = malloc(len), folder[PATH_MAX];
    struct report_run r;
    struct report_claim_result res;
    (void)state;
    cases[0] = '\0';
    add_case(
        &cases, &len, &used, "node.spawn{heap=0,placement=same}", 1.5e6,
        "\"loop_delay_p50\": 1400000, \"loop_delay_histogram\": {\"buckets\": [[1400000, 9]]}");
    add_case(&cases, &len, &used, "node.spawn{heap=1G,placement=same}", 6.5e7,
             "\"loop_delay_p50\": 68000000, \"loop_delay_histogram\": {\"buckets\": [[68000000, "
             "9]]}");
    add_case(&cases, &len, &used, "spawn.posix_spawn{rss=64M,placement=same}", 6e5, NULL);
    add_case(&cases, &len, &used, "spawn.fork_exec{rss=64M,placement=same}", 3e6, NULL);
    write_run("figure",
              "\"metrics\": [{\"name\": \"loop_delay\", \"unit\": \"ns\", \"label\": "
              "\"loop stall\", \"meaning\": \"the longest event-loop stall\", "
              "\"summary\": [\"p50\", \"max\"]}],",
              cases, folder, sizeof(folder));
    load(folder, &r);

    const struct report_claim stall = {
        .id = "stall",
        .kind = REPORT_CLAIM_FIGURE,
        .question = "How long does Node's spawn block its event loop?",
        .left = "node.spawn",
        .left_name = "Node's spawn",
        .right = "loop_delay",
        .right_name = "",
        .prefer = "placement=same",
        .sweep = "heap",
        .sweep_min = "",
        .context = "From a {sweep} heap, ",
        .judge = "heap=0,1G",
        .advice_holds = "",
        .advice_fails = "",
    };
    assert_int_equal(report_claim_judge(r.run, &stall, &res), 0);
    assert_string_equal(report_verdict_name(res.verdict), "measured");
    assert_string_equal(res.answer,
                        "From a 1G heap, Node's spawn: loop stall 68.0 ms; at heap=0, 1.40 ms");
    assert_string_equal(res.command, "procbench run --filter '^node\\.spawn$' --param heap=0,1G "
                                     "--placement same");
    /* Without the metric: not measured, and why. */
    struct report_claim other = stall;
    other.right = "no_such_metric";
    assert_int_equal(report_claim_judge(r.run, &other, &res), 0);
    assert_string_equal(report_verdict_name(res.verdict), "not measured");
    assert_non_null(strstr(res.note, "no no_such_metric metric"));

    /* posix_spawn against fork_exec at 64M: below the claim's 256M. */
    for (size_t k = 0; k < report_claim_count; k++) {
        if (strcmp(report_claims[k].id, "posix_spawn_cheaper") != 0)
            continue;
        assert_int_equal(report_claim_judge(r.run, &report_claims[k], &res), 0);
        assert_string_equal(report_verdict_name(res.verdict), "not measured");
        assert_string_equal(res.note, "needs rss of at least 256M; this run's largest is 64M");
        assert_non_null(strstr(res.command, "--param rss=1G"));
    }
    report_model_free(&r);
    free(cases);
}

static void test_metrics(void **state)
{
    size_t len = 1 << 14, used = 0;
    char *cases = malloc(len), folder[PATH_MAX], buf[64];
    struct report_run r;
    struct report_metrics m;
    (void)state;
    cases[0] = '\0';
    add_case(
        &cases, &len, &used, "x.a{placement=same}", 1000,
        "\"return_p50\": 10, \"return_histogram\": {\"buckets\": [[10, 1]]}, "
        "\"rss_growth_p50\": 0, \"rss_growth_histogram\": {\"buckets\": [[0, 1]]}, "
        "\"mem_per_child_max\": 2048, \"mem_per_child_histogram\": {\"buckets\": [[2048, 1]]}");
    /* Declared: what the report shows comes from the declaration. */
    write_run("metrics",
              "\"metrics\": [{\"name\": \"rss_growth\", \"unit\": \"bytes\", \"label\": \"RSS "
              "growth\", \"meaning\": \"m\", \"summary\": [\"p50\", \"max\"]}, {\"name\": "
              "\"mem_per_child\", \"unit\": \"bytes\", \"label\": \"memory per child\", "
              "\"meaning\": \"m\", \"summary\": [\"max\"]}, {\"name\": \"first_instruction\", "
              "\"unit\": \"ns\", \"label\": \"first instruction\", \"meaning\": \"m\", "
              "\"summary\": [\"p50\"]}],",
              cases, folder, sizeof(folder));
    load(folder, &r);
    report_metrics_of(r.run, &m);
    assert_int_equal(m.count, 3);
    assert_string_equal(m.list[1].name, "mem_per_child");
    assert_string_equal(m.list[1].title, "memory per child");
    assert_string_equal(m.list[1].stat, "max"); /* no median declared */
    assert_int_equal(m.list[1].unit, REPORT_UNIT_BYTES);
    double v = -1;
    assert_true(report_metric_p50(&r.run->cases[0], &m.list[1], &v));
    assert_true(v == 2048);
    assert_true(report_metric_p50(&r.run->cases[0], &m.list[0], &v)); /* a growth of 0 */
    assert_true(v == 0);
    assert_false(report_metric_p50(&r.run->cases[0], &m.list[2], &v)); /* not in the case */
    assert_null(report_metrics_find(&m, "return"));
    report_model_free(&r);

    /* A file from before declarations: the three metrics it carried. */
    write_run("legacy", "", cases, folder, sizeof(folder));
    load(folder, &r);
    report_metrics_of(r.run, &m);
    assert_int_equal(m.count, 3);
    assert_int_equal(report_metrics_find(&m, "return")->unit, REPORT_UNIT_NS);
    assert_int_equal(report_metrics_find(&m, "rss_growth")->unit, REPORT_UNIT_BYTES);
    report_model_free(&r);
    free(cases);

    report_format_value(REPORT_UNIT_NS, 712345, buf, sizeof(buf));
    assert_string_equal(buf, "712 us");
    report_format_value(REPORT_UNIT_NS, -12000, buf, sizeof(buf));
    assert_string_equal(buf, "-12.0 us");
    report_format_value(REPORT_UNIT_BYTES, 67108864, buf, sizeof(buf));
    assert_string_equal(buf, "64 MiB");
    report_format_value(REPORT_UNIT_BYTES_PER_S, 1.5 * 1073741824, buf, sizeof(buf));
    assert_string_equal(buf, "1.5 GiB/s");
    report_format_value(REPORT_UNIT_COUNT_PER_S, 28059, buf, sizeof(buf));
    assert_string_equal(buf, "28.1k/s");
    report_format_value(REPORT_UNIT_NS, -43700000, buf, sizeof(buf));
    assert_string_equal(buf, "-43.7 ms");
    report_format_value(REPORT_UNIT_RATIO, NAN, buf, sizeof(buf));
    assert_string_equal(buf, "-");
}

/* ---- plots that wait for a metric ----------------------------------------------- */

/* The three clocks of a spawn and the event-loop stall get their plots
 * once a run has those metrics, drawn by the real scripts when gnuplot is
 * here; without them, no such plot. */
static void test_plots_when_present(void **state)
{
    size_t len = 1 << 14, used = 0;
    char *cases = malloc(len), folder[PATH_MAX], plots_dir[PATH_MAX + 16], err[512] = "";
    char gnuplot[PATH_MAX], scripts[PATH_MAX];
    struct report_run r;
    (void)state;
    cases[0] = '\0';
    /* fork: returns at 40 us, first instruction at 300 us, ends at 700 us;
     * posix_spawn: first instruction (after exec) before it returns. */
    add_case(&cases, &len, &used, "spawn.fork_exec{rss=0,placement=same}", 700000,
             "\"return_p50\": 40000, \"return_histogram\": {\"buckets\": [[40000, 9]]}, "
             "\"first_instruction_p50\": 300000, \"first_instruction_histogram\": {\"buckets\": "
             "[[300000, 9]]}");
    add_case(&cases, &len, &used, "spawn.posix_spawn{rss=0,placement=same}", 600000,
             "\"return_p50\": 250000, \"return_histogram\": {\"buckets\": [[250000, 9]]}, "
             "\"first_instruction_p50\": 200000, \"first_instruction_histogram\": {\"buckets\": "
             "[[200000, 9]]}");
    add_case(&cases, &len, &used, "node.spawn{heap=0,placement=same}", 1.5e6,
             "\"loop_delay_p50\": 1400000, \"loop_delay_histogram\": {\"buckets\": [[1400000, "
             "9]]}");
    add_case(&cases, &len, &used, "node.spawn{heap=1G,placement=same}", 6.5e7,
             "\"loop_delay_p50\": 68000000, \"loop_delay_histogram\": {\"buckets\": [[68000000, "
             "9]]}");
    write_run("clocks",
              "\"metrics\": [{\"name\": \"return\", \"unit\": \"ns\", \"label\": \"call "
              "returns\", \"meaning\": \"m\", \"summary\": [\"p50\"]}, {\"name\": "
              "\"first_instruction\", \"unit\": \"ns\", \"label\": \"first instruction\", "
              "\"meaning\": \"m\", \"summary\": [\"p50\"]}, {\"name\": \"loop_delay\", "
              "\"unit\": \"ns\", \"label\": \"loop stall\", \"meaning\": \"m\", \"summary\": "
              "[\"p50\"]}],",
              cases, folder, sizeof(folder));
    free(cases);
    load(folder, &r);
    snprintf(plots_dir, sizeof(plots_dir), "%s/plots", folder);
    mkdir(plots_dir, 0755);
    snprintf(scripts, sizeof(scripts), "%s/../../plots", GOLDEN_DIR);
    bool draw = report_gnuplot_find(gnuplot, sizeof(gnuplot)) == 0;
    struct report_plots plots;
    int rc = report_plots_make(&r, plots_dir, scripts, draw ? gnuplot : NULL, false, &plots, err,
                               sizeof(err));
    if (rc != 0)
        fail_msg("%s", err);
    const char *clocks = NULL, *stall = NULL;
    for (size_t i = 0; i < plots.count; i++) {
        if (strstr(plots.list[i].name, "-spawn_clocks") != NULL)
            clocks = plots.list[i].name;
        if (strstr(plots.list[i].name, "-node_loop_stall") != NULL)
            stall = plots.list[i].name;
    }
    assert_non_null(clocks);
    assert_non_null(stall);
    char path[PATH_MAX + 128];
    snprintf(path, sizeof(path), "%s/data/%s.csv", plots_dir, clocks);
    char *data = read_all(path);
    /* Each case's parts in the order its clocks stopped, each in its
     * clock's colour (part 0: the call returned, 1: first instruction, 2:
     * the end). */
    assert_non_null(strstr(data, "0,0,40000,0\n0,40000,300000,1\n0,300000,700000,2\n"));
    assert_non_null(strstr(data, "1,0,200000,1\n1,200000,250000,0\n1,250000,600000,2\n"));
    free(data);
    snprintf(path, sizeof(path), "%s/data/%s.csv", plots_dir, stall);
    data = read_all(path);
    assert_non_null(
        strstr(data, "0,1.4e+06,NaN,NaN,NaN,NaN\n1.07374e+09,6.8e+07,NaN,NaN,NaN,NaN\n"));
    free(data);
    if (draw) {
        snprintf(path, sizeof(path), "%s/%s.svg", plots_dir, clocks);
        data = read_all(path);
        assert_non_null(strstr(data, "until first instruction"));
        free(data);
    }
    report_plots_free(&plots);
    report_model_free(&r);

    /* The same run without those metrics: neither plot. */
    used = 0, len = 1 << 12;
    cases = malloc(len);
    cases[0] = '\0';
    add_case(&cases, &len, &used, "spawn.fork_exec{rss=0,placement=same}", 700000, NULL);
    write_run("noclocks", "", cases, folder, sizeof(folder));
    free(cases);
    load(folder, &r);
    snprintf(plots_dir, sizeof(plots_dir), "%s/plots", folder);
    mkdir(plots_dir, 0755);
    assert_int_equal(
        report_plots_make(&r, plots_dir, scripts, NULL, false, &plots, err, sizeof(err)), 0);
    for (size_t i = 0; i < plots.count; i++) {
        assert_null(strstr(plots.list[i].name, "clocks"));
        assert_null(strstr(plots.list[i].name, "stall"));
    }
    report_plots_free(&plots);
    report_model_free(&r);
}

/* ---- the open loop: latency against the offered rate --------------------------- */

/* Finds the plot whose name holds token, and reads its data or settings. */
static char *plot_file(const struct report_plots *plots, const char *plots_dir, const char *token,
                       const char *suffix)
{
    for (size_t i = 0; i < plots->count; i++) {
        if (strstr(plots->list[i].name, token) != NULL) {
            char path[PATH_MAX + 128];
            snprintf(path, sizeof(path), "%s/data/%s%s", plots_dir, plots->list[i].name, suffix);
            return read_all(path);
        }
    }
    return NULL;
}

/* Open-loop cases (rate above 0) get the rate plot, the median with its
 * p99 dashed, and stay out of the curve against rss and the clocks, which
 * keep the closed-loop cases, those of a run from before `rate` too. No
 * curve of medians rings a point: a ring marks a change in the history. */
static void test_rate_plot(void **state)
{
    size_t len = 1 << 14, used = 0;
    char *cases = malloc(len), folder[PATH_MAX], plots_dir[PATH_MAX + 16], err[512] = "";
    struct report_run r;
    (void)state;
    cases[0] = '\0';
    static const char clocks[] =
        "\"return_p50\": 40000, \"return_histogram\": {\"buckets\": [[40000, 9]]}, "
        "\"first_instruction_p50\": 300000, \"first_instruction_histogram\": {\"buckets\": "
        "[[300000, 9]]}";
    add_case(&cases, &len, &used, "spawn.posix_spawn{rss=0,rate=0,placement=same}", 6e5, clocks);
    add_case(&cases, &len, &used, "spawn.posix_spawn{rss=1G,rate=0,placement=same}", 7e5, clocks);
    add_case(&cases, &len, &used, "spawn.posix_spawn{rss=0,rate=100,placement=same}", 8e5, clocks);
    add_case(&cases, &len, &used, "spawn.posix_spawn{rss=1G,rate=100,placement=same}", 9e5, clocks);
    add_case(&cases, &len, &used, "spawn.posix_spawn{rss=0,rate=10000,placement=same}", 4e6,
             clocks);
    add_case(&cases, &len, &used, "spawn.fork_exec{rss=0,placement=same}", 1e6, clocks);
    add_case(&cases, &len, &used, "spawn.fork_exec{rss=1G,placement=same}", 9e6, clocks);
    write_run("rate",
              "\"metrics\": [{\"name\": \"return\", \"unit\": \"ns\", \"label\": \"call "
              "returns\", \"meaning\": \"m\", \"summary\": [\"p50\"]}, {\"name\": "
              "\"first_instruction\", \"unit\": \"ns\", \"label\": \"first instruction\", "
              "\"meaning\": \"m\", \"summary\": [\"p50\"]}],",
              cases, folder, sizeof(folder));
    free(cases);
    load(folder, &r);
    snprintf(plots_dir, sizeof(plots_dir), "%s/plots", folder);
    mkdir(plots_dir, 0755);
    struct report_plots plots;
    if (report_plots_make(&r, plots_dir, "/nonexistent", NULL, false, &plots, err, sizeof(err)) !=
        0)
        fail_msg("%s", err);

    /* The rate plot: x the offered rate, the median, its interval, no ring,
     * the p99 (twice the median in add_case) as the tail. */
    char *data = plot_file(&plots, plots_dir, "-spawn_rate", ".csv");
    char *settings = plot_file(&plots, plots_dir, "-spawn_rate", ".settings.gp");
    assert_non_null(data);
    assert_non_null(settings);
    assert_non_null(strstr(data, "100,800000,792000,808000,NaN,1.6e+06\n"));
    assert_non_null(strstr(data, "10000,4e+06,3.96e+06,4.04e+06,NaN,8e+06\n"));
    assert_null(strstr(data, "\n0,")); /* no closed-loop case */
    assert_non_null(strstr(settings, "tails = 1\n"));
    assert_non_null(strstr(settings, "marks = 0\n"));
    free(data);
    free(settings);

    /* Against rss: the closed loop only (rate=0, or no rate at all), no
     * tail, no ring. */
    data = plot_file(&plots, plots_dir, "-spawn_rss", ".csv");
    settings = plot_file(&plots, plots_dir, "-spawn_rss", ".settings.gp");
    assert_non_null(data);
    assert_non_null(strstr(data, "0,600000,594000,606000,NaN,NaN\n"));
    assert_non_null(strstr(data, "0,1e+06,990000,1.01e+06,NaN,NaN\n")); /* fork_exec, no rate */
    assert_null(strstr(data, "800000"));
    assert_null(strstr(data, "900000,"));
    assert_non_null(strstr(settings, "tails = 0\n"));
    assert_non_null(strstr(settings, "marks = 0\n"));
    free(data);
    free(settings);

    /* The clocks: four closed-loop bars, three parts each. */
    data = plot_file(&plots, plots_dir, "-spawn_clocks", ".csv");
    assert_non_null(data);
    assert_non_null(strstr(data, "\n3,300000,"));
    assert_null(strstr(data, "\n4,"));
    free(data);
    report_plots_free(&plots);
    report_model_free(&r);
}

/* ---- a Node.js layer below zero is explained where it appears -------------------- */

static void write_md(const char *folder, struct report_run *run, char *path, size_t len)
{
    struct report_claim_result *claims = calloc(report_claim_count, sizeof(*claims));
    assert_non_null(claims);
    assert_int_equal(report_claims_judge(run->run, claims), 0);
    struct report_plots plots = {.count = 0};
    struct report_content content = {.runs = run,
                                     .run_count = 1,
                                     .claims = claims,
                                     .plots = &plots,
                                     .plots_dir = folder,
                                     .plots_note = "No plots in this test.",
                                     .command = "procbench report"};
    snprintf(path, len, "%s/report.md", folder);
    struct report_writer w = {.ops = &report_md_ops, .compact = true, .budget = 56000};
    w.fp = fopen(path, "w");
    assert_non_null(w.fp);
    assert_int_equal(report_content_write(&w, &content), 0);
    assert_int_equal(fclose(w.fp), 0);
    free(claims);
}

/* The report.md of a run of node.spawn at node_ns over spawn.uv_spawn at
 * 2 ms and spawn.fork_exec at 0.8 ms, written into a folder named name;
 * the caller frees it. */
static char *layers_md(const char *name, double node_ns)
{
    size_t len = 1 << 14, used = 0;
    char *cases = malloc(len), folder[PATH_MAX], path[PATH_MAX + 32];
    struct report_run r;
    cases[0] = '\0';
    add_case(&cases, &len, &used, "node.spawn{target=static,stdio=inherit,placement=same}", node_ns,
             NULL);
    add_case(&cases, &len, &used, "spawn.uv_spawn{target=static,rss=0,placement=same}", 2e6, NULL);
    add_case(&cases, &len, &used, "spawn.fork_exec{target=static,rss=0,placement=same}", 8e5, NULL);
    write_run(name, "", cases, folder, sizeof(folder));
    free(cases);
    load(folder, &r);
    report_run_labels(&r, 1, NULL, 0);
    write_md(folder, &r, path, sizeof(path));
    report_model_free(&r);
    return read_all(path);
}

static void test_negative_layer(void **state)
{
    (void)state;
    /* Node's spawn at 1 ms under a libuv row of 2 ms: a Node layer of -1 ms. */
    char *md = layers_md("layers", 1e6);
    const char *table = strstr(md, "#### Where the time of a Node.js call goes");
    const char *why = strstr(md, "Below zero here: Node layer of spawn (same).");
    assert_non_null(table);
    assert_non_null(why);
    assert_true(table < why);
    assert_non_null(strstr(why, "(1.46.0)")); /* Node's libuv, from the environment */
    assert_non_null(strstr(why, "(1.44.2)")); /* the system's */
    assert_non_null(strstr(why, "Where the whole interval is below 0"));
    free(md);

    /* No layer below zero: nothing to explain. */
    md = layers_md("layers2", 3e6);
    assert_non_null(strstr(md, "#### Where the time of a Node.js call goes"));
    assert_null(strstr(md, "Below zero here"));
    free(md);
}

/* ---- the precision of each median, and a target not reached ------------------- */

/* The run's own percentage (p50_ci_pct) beside each interval, and "target
 * not reached" where ci_target_met is "no"; a run written before either
 * gets the compact table's percentage from its interval, and no flag. */
static void test_precision(void **state)
{
    size_t len = 1 << 14, used = 0;
    char *cases = malloc(len), folder[PATH_MAX], path[PATH_MAX + 32];
    struct report_run r;
    (void)state;
    cases[0] = '\0';
    add_case(&cases, &len, &used, "spawn.posix_spawn{rss=0,placement=same}", 1e5,
             "\"p50_ci_pct\": 0.8, \"ci_target_met\": \"yes\", \"stopped_by\": \"target\"");
    add_case(&cases, &len, &used, "spawn.fork_exec{rss=0,placement=same}", 2e5,
             "\"p50_ci_pct\": 4.2, \"ci_target_met\": \"no\", \"stopped_by\": \"max-time\"");
    add_case(&cases, &len, &used, "spawn.vfork_exec{rss=0,placement=same}", 3e5, NULL);
    write_run("precision", "", cases, folder, sizeof(folder));
    free(cases);
    load(folder, &r);
    report_run_labels(&r, 1, NULL, 0);

    write_md(folder, &r, path, sizeof(path));
    char *md = read_all(path);
    assert_non_null(strstr(md, "| ±0.8% |"));
    assert_non_null(strstr(md, "| ±4.2%, target not reached |"));
    assert_non_null(strstr(md, "| ±1.0% |")); /* from the interval of +-1% */
    assert_int_equal(strstr(strstr(md, "target not reached |") + 1, "target not reached |"), NULL);
    free(md);

    struct report_claim_result *claims = calloc(report_claim_count, sizeof(*claims));
    assert_non_null(claims);
    assert_int_equal(report_claims_judge(r.run, claims), 0);
    struct report_plots plots = {.count = 0};
    struct report_content content = {.runs = &r,
                                     .run_count = 1,
                                     .claims = claims,
                                     .plots = &plots,
                                     .plots_dir = folder,
                                     .plots_note = "No plots in this test.",
                                     .command = "procbench report"};
    snprintf(path, sizeof(path), "%s/report.html", folder);
    struct report_writer w = {.ops = &report_html_ops};
    w.fp = fopen(path, "w");
    assert_non_null(w.fp);
    assert_int_equal(report_content_write(&w, &content), 0);
    assert_int_equal(fclose(w.fp), 0);
    char *html = read_all(path);
    assert_non_null(strstr(html, "<td class=\"r\">[99.0 us, 101 us] ±0.8%</td>"));
    assert_non_null(
        strstr(html, "<td class=\"r\">[198 us, 202 us] ±4.2%, target not reached</td>"));
    assert_non_null(
        strstr(html, "<td class=\"r\">[297 us, 303 us]</td>")); /* no percentage recorded */
    assert_non_null(strstr(html, "target not reached"));
    free(html);
    free(claims);
    report_model_free(&r);
}

/* ---- the report of every default case -------------------------------------------- */

/* The first cell of every table row of a Markdown file: at most max bytes,
 * and every table line at most width. */
static void check_md_tables(const char *md, size_t max, size_t width)
{
    const char *line = md;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n > 2 && line[0] == '|' && line[2] != '-') {
            const char *bar = strchr(line + 1, '|');
            size_t cell = bar ? (size_t)(bar - line) - 3 : n;
            if (cell > max)
                fail_msg("first cell of %zu bytes: %.*s", cell, (int)n, line);
            if (n > width)
                fail_msg("table line of %zu bytes: %.*s", n, (int)n, line);
        }
        line += n + (end != NULL);
    }
}

static void test_default_suite_report(void **state)
{
    struct case_selection sel = {.filter_count = 0};
    struct case_def *defs = NULL;
    size_t count = 0, len = 1 << 20, used = 0;
    char err[512], folder[PATH_MAX];
    (void)state;
    assert_int_equal(cases_expand(&sel, &defs, &count, err, sizeof(err)), 0);
    assert_true(count > 300); /* the whole default suite: every family, every size */
    char *cases = malloc(len);
    cases[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        const char *extra = strncmp(defs[i].name, "spawn.", 6) == 0
                                ? "\"return_p50\": 40000, \"return_histogram\": {\"buckets\": "
                                  "[[40000, 100]]}"
                            : strncmp(defs[i].name, "output.", 7) == 0
                                ? "\"first_byte_p50\": 700000, \"first_byte_histogram\": "
                                  "{\"buckets\": [[700000, 100]]}, \"rss_growth_p50\": 65536, "
                                  "\"rss_growth_histogram\": {\"buckets\": [[65536, 100]]}, "
                                  "\"bytes_per_s\": 1073741824"
                                : NULL;
        add_case(&cases, &len, &used, defs[i].name, 1000.0 + 37.0 * (double)i, extra);
    }
    free(defs);
    write_run("suite", "", cases, folder, sizeof(folder));
    free(cases);

    struct report_run run;
    load(folder, &run);
    report_run_labels(&run, 1, NULL, 0);
    struct report_claim_result *claims = calloc(report_claim_count, sizeof(*claims));
    assert_int_equal(report_claims_judge(run.run, claims), 0);
    struct report_plots plots = {.count = 0};
    struct report_content content = {.runs = &run,
                                     .run_count = 1,
                                     .claims = claims,
                                     .plots = &plots,
                                     .plots_dir = folder,
                                     .plots_note = "No plots in this test.",
                                     .command = "procbench report"};
    static const struct {
        const char *file;
        const struct report_writer_ops *ops;
    } outputs[] = {{"report.md", &report_md_ops}, {"report.html", &report_html_ops}};
    for (size_t o = 0; o < 2; o++) {
        char path[PATH_MAX + 32];
        snprintf(path, sizeof(path), "%s/%s", folder, outputs[o].file);
        struct report_writer w = {
            .ops = outputs[o].ops, .compact = o == 0, .budget = o == 0 ? 56000 : 0};
        w.fp = fopen(path, "w");
        assert_non_null(w.fp);
        assert_int_equal(report_content_write(&w, &content), 0);
        assert_int_equal(fclose(w.fp), 0);
    }

    char md_path[PATH_MAX + 32], html_path[PATH_MAX + 32];
    snprintf(md_path, sizeof(md_path), "%s/report.md", folder);
    snprintf(html_path, sizeof(html_path), "%s/report.html", folder);
    char *md = read_all(md_path), *html = read_all(html_path);
    if (strlen(md) >= 65536)
        fail_msg("report.md of the default suite: %zu bytes, more than a comment takes",
                 strlen(md));
    /* Answers first, the environment last but for method and reproduction. */
    const char *answers = strstr(md, "\n## Answers\n"), *env = strstr(md, "\n## Environment\n");
    assert_non_null(answers);
    assert_non_null(env);
    assert_true(answers < strstr(md, "\n## Results\n"));
    assert_true(strstr(md, "\n## Results\n") < env);
    assert_true(env < strstr(md, "\n## Reproduction\n"));
    assert_null(strstr(md, "\\`"));
    assert_non_null(strstr(md, "`procbench run --filter")); /* a command as code */
    check_md_tables(md, REPORT_LABEL_MAX, 120);
    assert_null(strstr(md, "more rows left out here")); /* it fits */
    assert_null(strstr(html, "more rows left out here"));
    /* No canonical name in a cell of either; sizes as typed. */
    struct case_selection all = {.filter_count = 0};
    assert_int_equal(cases_expand(&all, &defs, &count, err, sizeof(err)), 0);
    for (size_t i = 0; i < count; i++) {
        char cell[512];
        snprintf(cell, sizeof(cell), "<td>%s</td>", defs[i].name);
        if (strstr(html, cell) != NULL)
            fail_msg("report.html has the cell %s", cell);
        snprintf(cell, sizeof(cell), "| %s |", defs[i].name);
        if (strstr(md, cell) != NULL)
            fail_msg("report.md has the cell %s", cell);
    }
    free(defs);
    assert_non_null(strstr(html, "<td>1G</td>"));
    assert_null(strstr(html, "1073741824"));
    assert_non_null(strstr(html, "<h2 id=\"answers\">Answers</h2>"));
    free(md);
    free(html);

    /* A tighter budget: rows stop there, and the file says where the rest is. */
    struct report_writer w = {.ops = &report_md_ops, .compact = true, .budget = 8000};
    w.fp = fopen(md_path, "w");
    assert_non_null(w.fp);
    assert_int_equal(report_content_write(&w, &content), 0);
    assert_int_equal(fclose(w.fp), 0);
    md = read_all(md_path);
    assert_non_null(strstr(md, "more rows left out here to keep this file short: every row is in "
                               "report.html and summary.csv"));
    assert_true(strlen(md) < 8000 + 16000); /* a row past the budget, then the closing sections */
    assert_non_null(strstr(md, "\n## Reproduction\n"));
    free(md);
    free(claims);
    report_model_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claim_commands), cmocka_unit_test(test_figure_and_sweep_min),
        cmocka_unit_test(test_metrics),        cmocka_unit_test(test_plots_when_present),
        cmocka_unit_test(test_negative_layer), cmocka_unit_test(test_precision),
        cmocka_unit_test(test_rate_plot),      cmocka_unit_test(test_default_suite_report),
    };
    return cmocka_run_group_tests(tests, make_dir, NULL);
}
