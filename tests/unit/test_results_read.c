/*
 * Unit tests of harness/read/ (untrusted.c, results_walk.c,
 * results_folders.c, results_read.c): a valid file read back field by
 * field (what the writer writes reads back, per_round included), then a
 * table of bad files, each of which must give -errno and one line that names
 * the file and says what is wrong: missing, a folder without results.json,
 * empty, truncated, binary, not UTF-8, not an object, wrong or missing
 * schema_version, wrong types, absurd values, huge arrays, control
 * characters, duplicates, too many values or too deep a nesting for the
 * memory they would cost. Hostile but harmless text (%n, quotes) is kept
 * as it is. Run folders still being written, or whose run was killed, say
 * so. Files are written under TEST_OUT_DIR/test_results_read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/liveness.h"
#include "read/results_read.h"

static char dir[PATH_MAX];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "%s/test_results_read", TEST_OUT_DIR);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

/* A valid document; HEAD and CASES are spliced in so that each bad file
 * differs from it in one place. */
#define VALID_HEAD                                                                                 \
    "{\"schema_version\": 1, \"tool\": {\"name\": \"procbench\", \"version\": \"0.1.0\"},\n"       \
    " \"environment\": {\"hostname\": \"h\", \"kernel\": \"Linux 6.1\", \"cpu_model\": \"X\","     \
    " \"cpu_count_online\": \"2\"},\n"                                                             \
    " \"config\": {\"rounds\": 3, \"quick\": true, \"seed\": 1},\n"                                \
    " \"started_unix_ns\": 1700000000000000000,\n"
#define CASE_OK                                                                                    \
    "{\"scenario\": \"spawn.x\", \"case\": \"spawn.x{size=4K,placement=same}\","                   \
    " \"params\": {\"size\": 4096, \"mode\": \"fast\"}, \"placement\": \"same\","                  \
    " \"status\": \"ok\", \"reason\": \"\", \"n\": 30, \"p50\": 1000, \"p50_ci_low\": 990,"        \
    " \"p50_ci_high\": 1010, \"cpu_ns\": 1500, \"per_round\": [{\"round\": 0, \"n\": 10,"          \
    " \"p50\": 1001}, {\"round\": 1, \"n\": 0, \"p50\": 0}, {\"round\": 2, \"n\": 10,"             \
    " \"p50\": 999}]}"
#define VALID VALID_HEAD " \"cases\": [" CASE_OK "]}\n"
/* One entry of "metrics". */
#define METRIC(name, unit, stats)                                                                  \
    "{\"name\": \"" name "\", \"unit\": \"" unit "\", \"label\": \"l\", \"meaning\": \"m\","       \
    " \"summary\": [" stats "]}"
/* An analysis declaration; prefix and per are JSON (a quoted name or null). */
#define ANALYSIS(column, kind, prefix, per)                                                        \
    "{\"column\": \"" column "\", \"kind\": \"" kind "\", \"label\": \"l\", \"ci_prefix\": " prefix \
    ", \"param\": \"rss\", \"per_name\": " per ", \"partner\": null}"

static void test_reads_valid_file(void **state)
{
    char path[PATH_MAX + 32], err[512] = "";
    struct stored_run *run = NULL;
    (void)state;
    snprintf(path, sizeof(path), "%s/valid.json", dir);
    write_file(path, VALID, strlen(VALID));
    assert_int_equal(results_read_run(path, &run, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_int_equal(run->case_count, 1);
    assert_int_equal(run->started_unix_ns, 1700000000000000000ull);
    assert_int_equal(run->config_rounds, 3);
    assert_true(run->quick);
    assert_string_equal(results_read_env(run, "hostname"), "h");
    assert_string_equal(results_read_env(run, "cpu_count_online"), "2");
    assert_null(results_read_env(run, "nosuch"));
    const struct stored_case *c = results_read_find_case(run, "spawn.x{size=4K,placement=same}");
    assert_non_null(c);
    assert_string_equal(c->scenario, "spawn.x");
    assert_string_equal(c->placement, "same");
    assert_string_equal(c->status, "ok");
    assert_int_equal(c->param_count, 2);
    assert_string_equal(c->params[0].key, "size");
    assert_string_equal(c->params[0].value, "4096");
    assert_string_equal(c->params[1].value, "fast");
    assert_int_equal(c->n, 30);
    assert_int_equal(c->p50_ns, 1000);
    assert_int_equal(c->p50_ci_low_ns, 990);
    assert_int_equal(c->p50_ci_high_ns, 1010);
    assert_cmp(c->cpu_ns, ==, 1500.0);
    assert_true(c->has_rounds);
    /* The round without samples has no median and is left out; the others
     * keep their numbers, by which ratios pair them (round_ratio.h). */
    assert_int_equal(c->round_count, 2);
    assert_cmp(c->round_p50_ns[0], ==, 1001.0);
    assert_cmp(c->round_p50_ns[1], ==, 999.0);
    assert_cmp(c->round_number[0], ==, 0.0);
    assert_cmp(c->round_number[1], ==, 2.0);
    assert_null(results_read_find_case(run, "spawn.x"));
    results_read_free_run(run);

    /* The folder form reads the same file. */
    char folder[PATH_MAX + 32], inside[PATH_MAX + 64];
    snprintf(folder, sizeof(folder), "%s/run1", dir);
    mkdir(folder, 0755);
    snprintf(inside, sizeof(inside), "%s/results.json", folder);
    write_file(inside, VALID, strlen(VALID));
    assert_int_equal(results_read_run(folder, &run, err, sizeof(err)), 0);
    assert_string_equal(run->path, inside);
    results_read_free_run(run);
}

/* The metric declarations read back; a file written before they were
 * declared has the three metrics its columns always held. */
static void test_reads_metrics(void **state)
{
    static const char declared[] =
        VALID_HEAD " \"metrics\": [" METRIC("loop_delay", "ns", "\"p50\", \"max\"") ", " METRIC(
            "children", "count", "\"p90\"") "], \"cases\": []}";
    char path[PATH_MAX + 32], err[512] = "";
    struct stored_run *run = NULL;
    (void)state;
    snprintf(path, sizeof(path), "%s/metrics.json", dir);
    write_file(path, declared, strlen(declared));
    assert_int_equal(results_read_run(path, &run, err, sizeof(err)), 0);
    assert_int_equal(run->metric_count, 2);
    assert_string_equal(run->metrics[0].name, "loop_delay");
    assert_int_equal(run->metrics[0].unit, METRIC_NS);
    assert_int_equal(run->metrics[0].aggregate, METRIC_P50 | METRIC_MAX);
    assert_string_equal(run->metrics[0].label, "l");
    assert_string_equal(run->metrics[0].meaning, "m");
    assert_int_equal(run->metrics[1].unit, METRIC_COUNT);
    assert_int_equal(run->metrics[1].aggregate, METRIC_P90);
    results_read_free_run(run);

    write_file(path, VALID, strlen(VALID));
    assert_int_equal(results_read_run(path, &run, err, sizeof(err)), 0);
    assert_int_equal(run->metric_count, 3);
    assert_string_equal(run->metrics[0].name, "return");
    assert_string_equal(run->metrics[1].name, "first_byte");
    assert_string_equal(run->metrics[2].name, "rss_growth");
    assert_int_equal(run->metrics[2].unit, METRIC_BYTES);
    assert_int_equal(run->metrics[2].aggregate, METRIC_P50 | METRIC_MAX);
    results_read_free_run(run);
}

/* The analysis declarations read back; a file written before they were
 * declared has the spawn family's three. */
static void test_reads_analyses(void **state)
{
    static const char declared[] =
        VALID_HEAD " \"analyses\": [" ANALYSIS("cost_slope", "slope", "\"cost\"", "\"MiB\"") ", " ANALYSIS(
            "vs_pipe", "ratio", "\"vs_pipe\"", "null") "], \"cases\": []}";
    char path[PATH_MAX + 32], err[512] = "";
    struct stored_run *run = NULL;
    (void)state;
    snprintf(path, sizeof(path), "%s/analyses.json", dir);
    write_file(path, declared, strlen(declared));
    assert_int_equal(results_read_run(path, &run, err, sizeof(err)), 0);
    assert_int_equal(run->analysis_count, 2);
    assert_string_equal(run->analyses[0].column, "cost_slope");
    assert_int_equal(run->analyses[0].kind, ANALYSIS_SLOPE);
    assert_string_equal(run->analyses[0].ci_prefix, "cost");
    assert_string_equal(run->analyses[0].per_name, "MiB");
    assert_string_equal(run->analyses[0].param, "rss");
    assert_string_equal(run->analyses[0].label, "l");
    assert_int_equal(run->analyses[1].kind, ANALYSIS_RATIO);
    assert_null(run->analyses[1].per_name);
    results_read_free_run(run);

    write_file(path, VALID, strlen(VALID));
    assert_int_equal(results_read_run(path, &run, err, sizeof(err)), 0);
    assert_int_equal(run->analysis_count, 3);
    assert_string_equal(run->analyses[0].column, "rss_slope_ns_per_gib");
    assert_string_equal(run->analyses[1].column, "vs_posix_spawn");
    assert_int_equal(run->analyses[2].kind, ANALYSIS_BREAK_EVEN);
    results_read_free_run(run);
}

/* A file of an older procbench has no per_round: it reads, without rounds. */
/* Text fields of a case, read only when they are plain text. */
static void test_case_text(void **state)
{
    (void)state;
    char path[PATH_MAX + 32], err[512] = "";
    struct stored_run *run = NULL;
    snprintf(path, sizeof(path), "%s/text.json", dir);
    static const char doc[] =
        VALID_HEAD " \"cases\": [{\"scenario\": \"spawn.x\", \"case\": \"a\", \"params\": {},"
                   " \"placement\": \"same\", \"status\": \"ok\", \"reason\": \"\", \"n\": 1,"
                   " \"p50\": 1, \"p50_ci_low\": 1, \"p50_ci_high\": 1,"
                   " \"mechanism\": \"clone3(CLONE_VM|CLONE_VFORK|SIGCHLD) + execve(x)\","
                   " \"backlog\": \"bad\\nline\", \"number\": 3}]}\n";
    write_file(path, doc, strlen(doc));
    if (results_read_run(path, &run, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    const struct stored_case *c = results_read_find_case(run, "a");
    assert_non_null(c);
    assert_string_equal(results_read_case_text(c, "mechanism"),
                        "clone3(CLONE_VM|CLONE_VFORK|SIGCHLD) + execve(x)");
    assert_null(results_read_case_text(c, "backlog")); /* a control character */
    assert_null(results_read_case_text(c, "number"));
    assert_null(results_read_case_text(c, "missing"));
    results_read_free_run(run);
}

static void test_reads_file_without_rounds(void **state)
{
    static const char text[] =
        VALID_HEAD " \"cases\": [{\"scenario\": \"a\", \"case\": \"a{placement=free}\","
                   " \"params\": {}, \"placement\": \"free\", \"status\": \"skipped\","
                   " \"reason\": \"no vfork\", \"n\": 0, \"p50\": 0, \"p50_ci_low\": 0,"
                   " \"p50_ci_high\": 0, \"cpu_ns\": null}]}";
    char path[PATH_MAX + 32], err[512];
    struct stored_run *run = NULL;
    (void)state;
    snprintf(path, sizeof(path), "%s/old.json", dir);
    write_file(path, text, strlen(text));
    assert_int_equal(results_read_run(path, &run, err, sizeof(err)), 0);
    assert_false(run->cases[0].has_rounds);
    assert_int_equal(run->cases[0].round_count, 0);
    assert_true(isnan(run->cases[0].cpu_ns));
    assert_string_equal(run->cases[0].reason, "no vfork");
    results_read_free_run(run);
}

/* Text that would be a format string or break a quote is data, kept as is. */
static void test_hostile_but_harmless_text(void **state)
{
    static const char text[] = VALID_HEAD
        " \"cases\": [{\"scenario\": \"s%n%s\", \"case\": \"s%n%s{q=\\\"',placement=same}\","
        " \"params\": {\"q\": \"\\\"'`$(rm -rf /)\"}, \"placement\": \"same\","
        " \"status\": \"ok\", \"n\": 1, \"p50\": 5, \"p50_ci_low\": 5,"
        " \"p50_ci_high\": 5, \"per_round\": []}]}";
    char path[PATH_MAX + 32], err[512];
    struct stored_run *run = NULL;
    (void)state;
    snprintf(path, sizeof(path), "%s/hostile.json", dir);
    write_file(path, text, strlen(text));
    assert_int_equal(results_read_run(path, &run, err, sizeof(err)), 0);
    assert_string_equal(run->cases[0].scenario, "s%n%s");
    assert_string_equal(run->cases[0].name, "s%n%s{q=\"',placement=same}");
    assert_string_equal(run->cases[0].params[0].value, "\"'`$(rm -rf /)");
    results_read_free_run(run);
}

struct bad_file {
    const char *name;
    const char *text;
    size_t len; /* 0: strlen(text) */
    const char *expect;
};

#define BAD_CASE(field_json)                                                                       \
    VALID_HEAD " \"cases\": [{\"scenario\": \"a\", \"case\": \"a{placement=same}\","               \
               " \"params\": {}, \"placement\": \"same\", \"status\": \"ok\", " field_json "}]}"
#define NUMBERS "\"n\": 3, \"p50\": 100, \"p50_ci_low\": 90, \"p50_ci_high\": 110"

static const struct bad_file bad_files[] = {
    {"empty", "", 0, "empty file"},
    {"truncated", VALID_HEAD " \"cases\": [{\"scenario\": \"a\", ", 0, "ends early (truncated?)"},
    {"half", "{\"schema_version\": 1, \"tool\"", 0, "ends early (truncated?)"},
    {"binary",
     "\x7f"
     "ELF\x02\x01\x01\x00\x00\x00",
     10, "NUL byte at offset 7"},
    {"latin1", "{\"schema_version\": 1, \"tool\": {\"name\": \"caf\xe9\"}}", 0,
     "not valid UTF-8 (byte 0xe9 at offset 43)"},
    {"overlong", "{\"a\": \"\xc0\xaf\"}", 0, "not valid UTF-8"},
    {"surrogate", "{\"a\": \"\xed\xa0\x80\"}", 0, "not valid UTF-8"},
    {"not_json", "schema_version = 1\n", 0, "not valid JSON at line 1"},
    {"array", "[1, 2, 3]", 0, "expected a JSON object at the top, got an array"},
    {"string", "\"results\"", 0, "expected a JSON object at the top, got a string"},
    {"no_version", "{\"tool\": {\"name\": \"procbench\"}}", 0, "no schema_version"},
    {"version_string", "{\"schema_version\": \"1\"}", 0,
     "schema_version: expected an integer, got a string"},
    {"version_2", "{\"schema_version\": 2}", 0, "schema_version 2: this procbench reads version 1"},
    {"version_huge", "{\"schema_version\": 99999999999999999999999}", 0, "too big integer"},
    {"other_tool", "{\"schema_version\": 1, \"tool\": {\"name\": \"hyperfine\"}}", 0,
     "tool.name 'hyperfine': not written by procbench"},
    {"duplicate_key", "{\"schema_version\": 1, \"schema_version\": 1}", 0, "duplicate object key"},
    {"no_environment",
     "{\"schema_version\": 1, \"tool\": {\"name\": \"procbench\"}, \"started_unix_ns\": 1}", 0,
     "environment: missing"},
    {"cases_object", VALID_HEAD " \"cases\": {}}", 0, "cases: expected an array, got an object"},
    {"case_string", VALID_HEAD " \"cases\": [\"a\"]}", 0,
     "cases[0]: expected an object, got a string"},
    {"p50_string", BAD_CASE("\"n\": 3, \"p50\": \"100\", \"p50_ci_low\": 90, \"p50_ci_high\": 110"),
     0, "cases[0].p50: expected an integer, got a string"},
    {"p50_real", BAD_CASE("\"n\": 3, \"p50\": 1e300, \"p50_ci_low\": 90, \"p50_ci_high\": 110"), 0,
     "cases[0].p50: expected an integer, got a real number"},
    {"p50_negative", BAD_CASE("\"n\": 3, \"p50\": -5, \"p50_ci_low\": 90, \"p50_ci_high\": 110"), 0,
     "cases[0].p50: -5 is out of range"},
    {"p50_week",
     BAD_CASE("\"n\": 3, \"p50\": 604800000000000, \"p50_ci_low\": 90,"
              " \"p50_ci_high\": 110"),
     0, "cases[0].p50: 604800000000000 is out of range (0 to 3600000000000)"},
    {"p50_outside_ci",
     BAD_CASE("\"n\": 3, \"p50\": 100, \"p50_ci_low\": 190, \"p50_ci_high\": 210"), 0,
     "cases[0]: p50 100 lies outside its interval [190, 210]"},
    {"n_missing", BAD_CASE("\"p50\": 100, \"p50_ci_low\": 90, \"p50_ci_high\": 110"), 0,
     "cases[0].n: missing"},
    {"status_bad",
     VALID_HEAD " \"cases\": [{\"scenario\": \"a\", \"case\": \"a\", \"params\": {},"
                " \"placement\": \"same\", \"status\": \"great\", " NUMBERS "}]}",
     0, "cases[0].status 'great': expected ok, failed or skipped"},
    {"placement_bad",
     VALID_HEAD " \"cases\": [{\"scenario\": \"a\", \"case\": \"a\", \"params\": {},"
                " \"placement\": \"sideways\", \"status\": \"ok\", " NUMBERS "}]}",
     0, "cases[0].placement 'sideways': expected same, cross or free"},
    {"name_newline",
     VALID_HEAD " \"cases\": [{\"scenario\": \"a\", \"case\": \"a\\nrm -rf /\", \"params\": {},"
                " \"placement\": \"same\", \"status\": \"ok\", " NUMBERS "}]}",
     0, "cases[0].case: holds a control character (byte 1)"},
    {"name_escape",
     VALID_HEAD " \"cases\": [{\"scenario\": \"a\", \"case\": \"\\u001b[31mred\", \"params\": {},"
                " \"placement\": \"same\", \"status\": \"ok\", " NUMBERS "}]}",
     0, "cases[0].case: holds a control character (byte 0)"},
    {"name_nul",
     VALID_HEAD " \"cases\": [{\"scenario\": \"a\", \"case\": \"a\\u0000b\", \"params\": {},"
                " \"placement\": \"same\", \"status\": \"ok\", " NUMBERS "}]}",
     0, "\\u0000 is not allowed"},
    {"param_object",
     VALID_HEAD " \"cases\": [{\"scenario\": \"a\", \"case\": \"a\", \"params\": {\"x\": {}},"
                " \"placement\": \"same\", \"status\": \"ok\", " NUMBERS "}]}",
     0, "cases[0].params.x: expected a string, got an object"},
    {"rounds_object", BAD_CASE(NUMBERS ", \"per_round\": {}"), 0,
     "cases[0].per_round: expected an array, got an object"},
    {"round_p50_real",
     BAD_CASE(NUMBERS ", \"per_round\": [{\"round\": 0, \"n\": 1, \"p50\": 1.5}]"), 0,
     "cases[0].per_round[0].p50: expected an integer, got a real number"},
    {"round_order",
     BAD_CASE(NUMBERS ", \"per_round\": [{\"round\": 1, \"n\": 1, \"p50\": 5},"
                      " {\"round\": 1, \"n\": 1, \"p50\": 5}]"),
     0, "cases[0].per_round[1].round: 1 does not follow 1"},
    {"round_zero", BAD_CASE(NUMBERS ", \"per_round\": [{\"round\": 0, \"n\": 4, \"p50\": 0}]"), 0,
     "cases[0].per_round[0].p50: 0 ns for a round with samples"},
    {"twice", VALID_HEAD " \"cases\": [" CASE_OK ", " CASE_OK "]}", 0,
     "case 'spawn.x{size=4K,placement=same}' appears twice"},
    {"metrics_object", VALID_HEAD " \"metrics\": {}, \"cases\": []}", 0,
     "metrics: expected an array, got an object"},
    {"metric_name",
     VALID_HEAD " \"metrics\": [" METRIC("Return", "ns", "\"p50\"") "], \"cases\": []}", 0,
     "metrics[0].name 'Return': not a metric name"},
    {"metric_unit",
     VALID_HEAD " \"metrics\": [" METRIC("x", "furlongs", "\"p50\"") "], \"cases\": []}", 0,
     "metrics[0].unit 'furlongs': expected ns, bytes or count"},
    {"metric_stat", VALID_HEAD " \"metrics\": [" METRIC("x", "ns", "\"p42\"") "], \"cases\": []}",
     0, "metrics[0].summary[0] 'p42': expected p50, p90, p99 or max"},
    {"metric_no_stat", VALID_HEAD " \"metrics\": [" METRIC("x", "ns", "") "], \"cases\": []}", 0,
     "metrics[0].summary: empty"},
    {"metric_label",
     VALID_HEAD " \"metrics\": [{\"name\": \"x\", \"unit\": \"ns\", \"meaning\": \"m\","
                " \"summary\": [\"p50\"]}], \"cases\": []}",
     0, "metrics[0].label: missing"},
    {"metric_twice",
     VALID_HEAD " \"metrics\": [" METRIC("x", "ns", "\"p50\"") ", " METRIC(
         "x", "bytes", "\"max\"") "],"
                                  " \"cases\": []}",
     0, "metrics[1].name 'x': declared twice"},
    {"analyses_object", VALID_HEAD " \"analyses\": {}, \"cases\": []}", 0,
     "analyses: expected an array, got an object"},
    {"analysis_column",
     VALID_HEAD " \"analyses\": [" ANALYSIS("Vs", "ratio", "\"vs\"", "null") "], \"cases\": []}",
     0, "analyses[0].column 'Vs': not a column name"},
    {"analysis_kind",
     VALID_HEAD " \"analyses\": [" ANALYSIS("vs", "mean", "null", "null") "], \"cases\": []}", 0,
     "analyses[0].kind 'mean': expected slope, ratio or break_even"},
    {"analysis_prefix",
     VALID_HEAD " \"analyses\": [" ANALYSIS("vs", "ratio", "\"a b\"", "null") "], \"cases\": []}",
     0, "analyses[0].ci_prefix 'a b': not a column name"},
    {"analysis_slope_unit",
     VALID_HEAD " \"analyses\": [" ANALYSIS("s", "slope", "null", "null") "], \"cases\": []}", 0,
     "analyses[0]: a slope needs its param and its unit (per_name)"},
    {"analysis_label",
     VALID_HEAD " \"analyses\": [{\"column\": \"vs\", \"kind\": \"ratio\"}], \"cases\": []}", 0,
     "analyses[0].label: missing"},
    {"analysis_twice",
     VALID_HEAD " \"analyses\": [" ANALYSIS("vs", "ratio", "null", "null") ", " ANALYSIS(
         "vs", "break_even", "null", "null") "], \"cases\": []}",
     0, "analyses[1].column 'vs': declared twice"},
};

/* Every bad file: the expected words, -errno, one line, the file named. */
static void test_bad_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
        const struct bad_file *b = &bad_files[i];
        char path[PATH_MAX + 64], err[512] = "";
        struct stored_run *run = NULL;
        snprintf(path, sizeof(path), "%s/bad_%s.json", dir, b->name);
        write_file(path, b->text, b->len ? b->len : strlen(b->text));
        int rc = results_read_run(path, &run, err, sizeof(err));
        if (rc == 0)
            fail_msg("%s: accepted", b->name);
        assert_null(run);
        assert_cmp(rc, <, 0);
        if (strstr(err, b->expect) == NULL)
            fail_msg("%s: got '%s', expected it to contain '%s'", b->name, err, b->expect);
        if (strncmp(err, path, strlen(path)) != 0)
            fail_msg("%s: '%s' does not start with the file's name", b->name, err);
        assert_null(strchr(err, '\n'));
    }
}

static void expect_error(const char *path, const char *expect)
{
    char err[512] = "";
    struct stored_run *run = NULL;
    assert_cmp(results_read_run(path, &run, err, sizeof(err)), <, 0);
    if (strstr(err, expect) == NULL)
        fail_msg("%s: got '%s', expected '%s'", path, err, expect);
    assert_null(strchr(err, '\n'));
}

/* Inputs the table cannot hold: values of the environment, a missing file,
 * a folder without results.json, a huge array, a huge file. */
static void test_bad_paths_and_sizes(void **state)
{
    char path[PATH_MAX + 64];
    (void)state;
    snprintf(path, sizeof(path), "%s/nosuch.json", dir);
    expect_error(path, "nosuch.json: No such file or directory");

    snprintf(path, sizeof(path), "%s/emptydir", dir);
    mkdir(path, 0755);
    expect_error(path, "emptydir: a folder without results.json");

    static const char env_number[] =
        "{\"schema_version\": 1, \"tool\": {\"name\": \"procbench\"}, \"started_unix_ns\": 1,"
        " \"environment\": {\"hostname\": 7}}";
    snprintf(path, sizeof(path), "%s/env_number.json", dir);
    write_file(path, env_number, strlen(env_number));
    expect_error(path, "environment.hostname: expected a string, got an integer");

    static const char env_missing[] =
        "{\"schema_version\": 1, \"tool\": {\"name\": \"procbench\"}, \"started_unix_ns\": 1,"
        " \"environment\": {\"hostname\": \"h\", \"kernel\": \"k\"}}";
    snprintf(path, sizeof(path), "%s/env_missing.json", dir);
    write_file(path, env_missing, strlen(env_missing));
    expect_error(path, "environment.cpu_model: missing");

    /* 100001 cases: refused by count before any is read. */
    size_t count = RESULTS_READ_MAX_CASES + 1, len = strlen(VALID_HEAD) + 16 + 3 * count;
    char *big = malloc(len);
    assert_non_null(big);
    size_t used = (size_t)snprintf(big, len, "%s \"cases\": [", VALID_HEAD);
    for (size_t i = 0; i < count; i++)
        used += (size_t)snprintf(big + used, len - used, "%s{}", i ? "," : "");
    used += (size_t)snprintf(big + used, len - used, "]}");
    snprintf(path, sizeof(path), "%s/many_cases.json", dir);
    write_file(path, big, used);
    free(big);
    expect_error(path, "cases: 100001 entries, more than 100000");

    /* A sparse file past the size limit: refused without reading it. */
    snprintf(path, sizeof(path), "%s/huge.json", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_cmp(fd, >=, 0);
    assert_int_equal(ftruncate(fd, (off_t)RESULTS_READ_MAX_BYTES + 1), 0);
    close(fd);
    expect_error(path, "more than the 64 MiB");
    unlink(path);

    /* Under the size limit but too many values for it (one huge array of
     * an unknown member: readers ignore unknown members, jansson would
     * still build it): refused by the scan, before any is built. */
    size_t zeros = RESULTS_READ_MAX_VALUES;
    len = strlen(VALID_HEAD) + 32 + 2 * zeros;
    big = malloc(len);
    assert_non_null(big);
    used = (size_t)snprintf(big, len, "%s \"junk\": [0", VALID_HEAD);
    for (size_t i = 0; i < zeros; i++) {
        big[used++] = ',';
        big[used++] = '0';
    }
    used += (size_t)snprintf(big + used, len - used, "], \"cases\": []}");
    snprintf(path, sizeof(path), "%s/many_values.json", dir);
    write_file(path, big, used);
    free(big);
    expect_error(path, "more than 16777216 values");
    unlink(path);
    /* Commas inside strings are not values. */
    len = strlen(VALID_HEAD) + 64 + RESULTS_READ_MAX_TEXT;
    big = malloc(len);
    assert_non_null(big);
    used = (size_t)snprintf(big, len, "%s \"cases\": [], \"note\": \"", VALID_HEAD);
    /* \", repeated: an escaped quote does not end the string. */
    for (size_t i = 0; i + 3 < RESULTS_READ_MAX_TEXT; i += 3) {
        big[used++] = '\\';
        big[used++] = '"';
        big[used++] = ',';
    }
    used += (size_t)snprintf(big + used, len - used, "\"}");
    snprintf(path, sizeof(path), "%s/commas.json", dir);
    write_file(path, big, used);
    free(big);
    struct stored_run *run = NULL;
    char err[512];
    if (results_read_run(path, &run, err, sizeof(err)) != 0)
        fail_msg("commas in a string: %s", err);
    assert_true(run->value_count < 40);
    results_read_free_run(run);

    /* Nested deeper than any results.json: refused by the scan (jansson
     * would recurse). */
    char deep[sizeof(VALID_HEAD) + 256];
    used = (size_t)snprintf(deep, sizeof(deep), "%s \"cases\": [], \"deep\": ", VALID_HEAD);
    for (int i = 0; i < RESULTS_READ_MAX_DEPTH; i++)
        deep[used++] = '[';
    for (int i = 0; i < RESULTS_READ_MAX_DEPTH; i++)
        deep[used++] = ']';
    used += (size_t)snprintf(deep + used, sizeof(deep) - used, "}");
    snprintf(path, sizeof(path), "%s/deep.json", dir);
    write_file(path, deep, used);
    expect_error(path, "nested more than 32 deep");

    /* Not a regular file. */
    expect_error("/dev/null", "/dev/null: not a regular file");
}

/* A folder of results folders reads as a set, in start order; `latest`
 * (a link) and folders without results.json are passed over. */
static void test_reads_set(void **state)
{
    char root[PATH_MAX + 32], sub[PATH_MAX + 64], file[PATH_MAX + 96], err[512];
    struct stored_set set;
    (void)state;
    snprintf(root, sizeof(root), "%s/set", dir);
    mkdir(root, 0755);
    const char *names[] = {"b-first", "a-second"};
    const char *starts[] = {"100", "200"};
    for (int i = 0; i < 2; i++) {
        char text[sizeof(VALID) + 64];
        snprintf(sub, sizeof(sub), "%s/%s", root, names[i]);
        mkdir(sub, 0755);
        snprintf(file, sizeof(file), "%s/results.json", sub);
        snprintf(text, sizeof(text), "%s", VALID);
        memcpy(strstr(text, "1700000000000000000"), starts[i], 3);
        memset(strstr(text, starts[i]) + 3, ' ', 16);
        write_file(file, text, strlen(text));
    }
    snprintf(sub, sizeof(sub), "%s/hist-only", root);
    mkdir(sub, 0755);
    snprintf(sub, sizeof(sub), "%s/latest", root);
    unlink(sub);
    assert_int_equal(symlink("b-first", sub), 0);

    assert_int_equal(results_read_set(root, &set, err, sizeof(err)), 0);
    assert_int_equal(set.count, 2);
    assert_int_equal(set.runs[0]->started_unix_ns, 100);
    assert_int_equal(set.runs[1]->started_unix_ns, 200);
    assert_contains(set.runs[0]->path, "b-first");
    results_read_free_set(&set);

    /* An interrupted run (PARTIAL) is not pooled into a set; read alone, it
     * still reads. */
    snprintf(file, sizeof(file), "%s/b-first/PARTIAL", root);
    write_file(file, "interrupted by SIGINT\n", 22);
    assert_int_equal(results_read_set(root, &set, err, sizeof(err)), 0);
    assert_int_equal(set.count, 1);
    assert_contains(set.runs[0]->path, "a-second");
    results_read_free_set(&set);
    snprintf(sub, sizeof(sub), "%s/b-first", root);
    assert_int_equal(results_read_set(sub, &set, err, sizeof(err)), 0);
    assert_int_equal(set.count, 1);
    results_read_free_set(&set);
    unlink(file);

    /* One run: a set of one. */
    snprintf(sub, sizeof(sub), "%s/a-second", root);
    assert_int_equal(results_read_set(sub, &set, err, sizeof(err)), 0);
    assert_int_equal(set.count, 1);
    results_read_free_set(&set);

    /* A bad file in the set fails the set, naming that file. */
    snprintf(file, sizeof(file), "%s/a-second/results.json", root);
    write_file(file, "{", 1);
    assert_cmp(results_read_set(root, &set, err, sizeof(err)), <, 0);
    assert_contains(err, "a-second/results.json: ends early");
    results_read_free_set(&set);

    snprintf(sub, sizeof(sub), "%s/emptydir", dir);
    assert_cmp(results_read_set(sub, &set, err, sizeof(err)), <, 0);
    assert_contains(err, "no results folders in it");
    results_read_free_set(&set);
}

/* Writes folder/RUNNING naming the process id (as a run does). */
static void write_running(const char *folder, const struct liveness_id *id)
{
    char path[PATH_MAX + 96], text[96];
    snprintf(path, sizeof(path), "%s/RUNNING", folder);
    liveness_format(id, text, sizeof(text));
    strcat(text, "\nprocbench is writing this run\n");
    write_file(path, text, strlen(text));
}

/* A run folder still being written (RUNNING names a live process) and one
 * whose run was killed (RUNNING names a process that is gone, or PARTIAL
 * without results): read alone, each says so in one line; in a folder of
 * runs, both are left out. */
static void test_unwritten_runs(void **state)
{
    (void)state;
    char root[PATH_MAX + 32], going[PATH_MAX + 64], killed[PATH_MAX + 64],
        done[PATH_MAX + 64], file[PATH_MAX + 96], err[512];
    snprintf(root, sizeof(root), "%s/unwritten", dir);
    mkdir(root, 0755);
    snprintf(going, sizeof(going), "%s/going", root);
    snprintf(killed, sizeof(killed), "%s/killed", root);
    snprintf(done, sizeof(done), "%s/done", root);
    const char *folders[] = {going, killed, done};
    for (size_t i = 0; i < 3; i++) {
        mkdir(folders[i], 0755);
        /* What an earlier run of this test left. */
        for (const char *const *name = (const char *const[]){"RUNNING", "PARTIAL", NULL}; *name;
             name++) {
            snprintf(file, sizeof(file), "%s/%s", folders[i], *name);
            unlink(file);
        }
    }
    snprintf(file, sizeof(file), "%s/results.json", done);
    write_file(file, VALID, strlen(VALID));

    struct liveness_id self;
    assert_int_equal(liveness_self(&self), 0);
    write_running(going, &self);
    /* A process that is gone: a child, reaped. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    struct liveness_id gone = {.pid = pid, .start_ticks = self.start_ticks};
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    assert_false(liveness_alive(&gone));
    assert_true(liveness_alive(&self));
    write_running(killed, &gone);

    expect_error(going, "a run still in progress (procbench pid");
    expect_error(killed, "an interrupted run: procbench ended before writing its results");
    struct stored_set set;
    assert_true(results_read_set(going, &set, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "still in progress"));
    results_read_free_set(&set);
    assert_int_equal(results_read_set(root, &set, err, sizeof(err)), 0);
    assert_int_equal(set.count, 1);
    assert_non_null(strstr(set.runs[0]->path, "/done/"));
    results_read_free_set(&set);

    /* Marked by a later run: PARTIAL, no RUNNING, no results. */
    snprintf(file, sizeof(file), "%s/RUNNING", killed);
    unlink(file);
    snprintf(file, sizeof(file), "%s/PARTIAL", killed);
    write_file(file, "interrupted: killed\n", 20);
    expect_error(killed, "an interrupted run without results (PARTIAL: interrupted: killed)");
    /* A whole results.json beside a RUNNING whose process is gone (killed
     * while its last files were written) reads. */
    write_running(done, &gone);
    struct stored_run *run = NULL;
    if (results_read_run(done, &run, err, sizeof(err)) != 0)
        fail_msg("a whole results.json beside a stale RUNNING: %s", err);
    results_read_free_run(run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_valid_file), cmocka_unit_test(test_reads_file_without_rounds),
        cmocka_unit_test(test_reads_metrics),
        cmocka_unit_test(test_reads_analyses),    cmocka_unit_test(test_hostile_but_harmless_text),
        cmocka_unit_test(test_bad_files),        cmocka_unit_test(test_bad_paths_and_sizes),
        cmocka_unit_test(test_reads_set),        cmocka_unit_test(test_case_text),
        cmocka_unit_test(test_unwritten_runs),
    };
    return cmocka_run_group_tests(tests, make_dir, NULL);
}
