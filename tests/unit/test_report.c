/*
 * Unit tests of the report's parts: gnuplot_quote (literals that gnuplot
 * reads back as exactly the text, and that run nothing, checked with the
 * real gnuplot when it is installed), the results_read accessors the report
 * uses, the strict rounds.csv reader, and the claims judged on hand-written
 * runs (each verdict, "not measured" for cases not run, both ways of
 * judging "the gap grows with RSS"). Files go under
 * TEST_OUT_DIR/test_report.
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
#include <unistd.h>

#include "report/gnuplot_quote.h"
#include "report/report_claims.h"
#include "report/report_gnuplot.h"
#include "report/report_model.h"
#include "read/results_read.h"

static char dir[PATH_MAX];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "%s/test_report", TEST_OUT_DIR);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* ---- gnuplot_quote ----------------------------------------------------------- */

static void test_quote_literals(void **state)
{
    char out[128];
    (void)state;
    assert_int_equal(gnuplot_quote("abc", out, sizeof(out)), 5);
    assert_string_equal(out, "'abc'");
    assert_int_equal(gnuplot_quote("", out, sizeof(out)), 2);
    assert_string_equal(out, "''");
    gnuplot_quote("x'; system(\"touch M\")", out, sizeof(out));
    assert_string_equal(out, "('x'.\"'\".'; system(\"touch M\")')");
    gnuplot_quote("`touch M2` @macro \\n \"q\"", out, sizeof(out));
    assert_string_equal(out, "'`touch M2` @macro \\n \"q\"'");
    gnuplot_quote("a\nb\rc\td\x7f", out, sizeof(out));
    assert_string_equal(out, "'a?b?c?d?'");
    gnuplot_quote("'a''", out, sizeof(out));
    assert_string_equal(out, "(\"'\".'a'.\"'\".\"'\")");
    /* The worst case, all quotes, fits the size it announces. */
    const char *quotes = "''''";
    char exact[32];
    assert_int_equal(gnuplot_quote_size(quotes), 19);
    assert_int_equal(gnuplot_quote(quotes, exact, gnuplot_quote_size(quotes)), 17);
    assert_string_equal(exact, "(\"'\".\"'\".\"'\".\"'\")");
    /* Too small: refused, and what is left is an empty literal. */
    assert_int_equal(gnuplot_quote("abcdef", out, 8), -ENOSPC);
    assert_string_equal(out, "''");
    assert_int_equal(gnuplot_quote("abcdef", out, 9), 8);
    assert_int_equal(gnuplot_quote("x'", out, 9), -ENOSPC);
    assert_int_equal(gnuplot_quote("x", out, 2), -ENOSPC);
}

/* The real gnuplot reads each literal back as the text itself (control
 * characters as '?') and runs none of the commands in it. */
static void test_quote_with_gnuplot(void **state)
{
    char gnuplot[PATH_MAX];
    (void)state;
    if (report_gnuplot_find(gnuplot, sizeof(gnuplot)) != 0)
        skip();
    static const char *const hostile[] = {
        "x'; system(\"touch MARKER1\"); y='",
        "`touch MARKER2`",
        "'`touch MARKER3`'",
        "''`touch MARKER7`''''",
        "'",
        "\"; system('touch MARKER4'); \"",
        "@x ; print 'MARKER5'",
        "a\nsystem(\"touch MARKER6\")",
        "100% \\ back\\slash ''",
    };
    char marker[PATH_MAX + 16], log[PATH_MAX + 16], expect[256], line[512];
    snprintf(log, sizeof(log), "%s/quote.log", dir);
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        char q[256], command[300];
        assert_cmp(gnuplot_quote(hostile[i], q, sizeof(q)), >, 0);
        snprintf(command, sizeof(command), "s = %s; print s", q);
        unlink(log);
        const char *args[] = {"-e", command};
        char why[256] = "";
        int rc = report_gnuplot_run(gnuplot, dir, args, 2, log, why, sizeof(why));
        if (rc != 0)
            fail_msg("%s: %s", command, why);
        FILE *fp = fopen(log, "r");
        assert_non_null(fp);
        assert_non_null(fgets(line, sizeof(line), fp));
        fclose(fp);
        line[strcspn(line, "\n")] = '\0';
        snprintf(expect, sizeof(expect), "%s", hostile[i]);
        for (char *p = expect; *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = '?';
        assert_string_equal(line, expect);
    }
    for (int m = 1; m <= 7; m++) {
        snprintf(marker, sizeof(marker), "%s/MARKER%d", dir, m);
        assert_int_equal(access(marker, F_OK), -1);
    }
}

/* ---- hand-written runs ------------------------------------------------------- */

#define HEAD                                                                                       \
    "{\"schema_version\": 1, \"tool\": {\"name\": \"procbench\", \"version\": \"0.1.0\"},\n"       \
    " \"environment\": {\"hostname\": \"h\", \"kernel\": \"Linux 6.1\", \"cpu_model\": \"X\"},\n"  \
    " \"config\": {\"rounds\": 10, \"quick\": false, \"seed\": 9007199254740993},\n"               \
    " \"argv\": [\"procbench\", \"run\", \"--filter\", \"a b\"],\n"                                \
    " \"started_unix_ns\": 1700000000000000000,\n \"cases\": [\n"

/* Appends a case to buf: ten rounds around p50 (+-1%), a CI of +-0.5%. */
static void add_case(char *buf, size_t len, const char *scenario, const char *params,
                     const char *placement, double p50, const char *extra)
{
    char name[512], rounds[1024] = "";
    size_t used = strlen(buf);
    /* The canonical name: scenario{params,placement=...}, params as k=v. */
    char flat[256] = "";
    const char *p = params;
    size_t f = 0;
    while (*p) {
        if (*p != '"' && *p != ' ')
            flat[f++] = *p == ':' ? '=' : *p;
        p++;
    }
    flat[f] = '\0';
    snprintf(name, sizeof(name), "%s{%s%splacement=%s}", scenario, flat, f ? "," : "", placement);
    /* Ten rounds within +-1% of p50, in an order of their own per
     * scenario, so that rounds paired by pass (round_ratio.h) differ. */
    for (int r = 0; r < 10; r++) {
        size_t n = strlen(rounds), step = 3 + strlen(scenario) % 7;
        snprintf(rounds + n, sizeof(rounds) - n, "%s{\"round\": %d, \"n\": 10, \"p50\": %.0f}",
                 r ? ", " : "", r, p50 * (0.99 + 0.002 * (double)(((size_t)r * step) % 10)));
    }
    snprintf(buf + used, len - used,
             "%s{\"scenario\": \"%s\", \"case\": \"%s\", \"params\": {%s}, \"placement\": \"%s\","
             " \"status\": \"ok\", \"n\": 100, \"p50\": %.0f, \"p50_ci_low\": %.0f,"
             " \"p50_ci_high\": %.0f, \"cpu_ns\": %.0f, \"p99\": %.0f%s%s,"
             " \"histogram\": {\"buckets\": [[%.0f, 50], [%.0f, 49], [%.0f, 1]]},"
             " \"per_round\": [%s]}",
             strstr(buf, "\"scenario\"") ? ",\n" : "", scenario, name, params, placement, p50,
             p50 * 0.995, p50 * 1.005, p50 * 1.1, p50 * 2, extra ? ", " : "", extra ? extra : "",
             p50 * 0.9, p50, p50 * 2, rounds);
}

static struct stored_run *read_run(const char *file, const char *text)
{
    char path[PATH_MAX + 64], err[512] = "";
    struct stored_run *run = NULL;
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    write_text_file(path, text);
    int rc = results_read_run(path, &run, err, sizeof(err));
    if (rc != 0)
        fail_msg("%s", err);
    return run;
}

static const struct report_claim_result *find(const struct report_claim_result *results,
                                              const char *id)
{
    for (size_t i = 0; i < report_claim_count; i++) {
        if (strcmp(results[i].claim->id, id) == 0)
            return &results[i];
    }
    fail_msg("no claim %s", id);
    return NULL;
}

static void test_accessors(void **state)
{
    static char text[1 << 16];
    (void)state;
    snprintf(text, sizeof(text), HEAD);
    add_case(text, sizeof(text), "spawn.x", "\"target\": \"static\"", "same", 1000,
             "\"ops_per_s\": 12.5, \"vs_posix_spawn\": null, \"bogus\": \"7\", "
             "\"ci_target_met\": \"no\", \"stopped_by\": 3");
    strcat(text, "]}\n");
    struct stored_run *run = read_run("accessors.json", text);
    const struct stored_case *c = &run->cases[0];
    double v = 0;
    assert_true(results_read_case_number(c, "p99", &v));
    assert_cmp(v, ==, 2000);
    assert_true(results_read_case_number(c, "ops_per_s", &v));
    assert_cmp(v, ==, 12.5);
    assert_false(results_read_case_number(c, "vs_posix_spawn", &v)); /* null */
    assert_false(results_read_case_number(c, "bogus", &v));          /* a string */
    assert_false(results_read_case_number(c, "missing", &v));
    assert_true(results_read_case_is(c, "ci_target_met", "no"));
    assert_false(results_read_case_is(c, "ci_target_met", "yes"));
    assert_false(results_read_case_is(c, "stopped_by", "3")); /* a number */
    assert_false(results_read_case_is(c, "missing", ""));
    uint64_t seed = 0;
    assert_true(results_read_integer(run, "config", "seed", &seed));
    assert_int_equal(seed, 9007199254740993ull); /* exact: beyond a double's 2^53 */
    assert_true(results_read_number(run, "config", "rounds", &v));
    assert_cmp(v, ==, 10);
    assert_false(results_read_number(run, NULL, "duration_ns", &v));
    struct stored_bucket *b;
    size_t count;
    assert_int_equal(results_read_case_histogram(c, "histogram", &b, &count), 0);
    assert_int_equal(count, 3);
    assert_int_equal(b[1].value_ns, 1000);
    assert_int_equal(b[1].count, 49);
    free(b);
    assert_int_equal(results_read_case_histogram(c, "first_byte_histogram", &b, &count), -ENOENT);
    const char **argv;
    assert_int_equal(results_read_argv(run, &argv, &count), 0);
    assert_int_equal(count, 4);
    assert_string_equal(argv[3], "a b");
    free(argv);
    results_read_free_run(run);

    /* Histograms that are not [value, count] pairs in increasing order. */
    static const char *const bad[] = {
        "{\"buckets\": [[2, 1], [1, 1]]}",
        "{\"buckets\": [[1, 0]]}",
        "{\"buckets\": [[1, 1, 1]]}",
        "{\"buckets\": [[-1, 1]]}",
        "{\"buckets\": [[\"1\", 1]]}",
        "{\"buckets\": {}}",
        "[]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), HEAD);
        char extra[128];
        snprintf(extra, sizeof(extra), "\"rss_growth_histogram\": %s", bad[i]);
        add_case(text, sizeof(text), "spawn.x", "", "same", 1000, extra);
        strcat(text, "]}\n");
        run = read_run("badhist.json", text);
        assert_int_equal(
            results_read_case_histogram(&run->cases[0], "rss_growth_histogram", &b, &count),
            -EINVAL);
        results_read_free_run(run);
    }
    /* argv holding a control character is refused. */
    snprintf(text, sizeof(text), "%s", HEAD);
    char *at = strstr(text, "a b");
    memcpy(at, "a\\nb", 4); /* one byte longer: rebuild the rest */
    snprintf(text, sizeof(text),
             "{\"schema_version\": 1, \"tool\": {\"name\": \"procbench\"}, \"environment\": "
             "{\"hostname\": \"h\", \"kernel\": \"k\", \"cpu_model\": \"c\"}, \"config\": "
             "{\"rounds\": 1}, \"argv\": [\"a\\nb\"], \"started_unix_ns\": 1, \"cases\": []}");
    run = read_run("badargv.json", text);
    assert_int_equal(results_read_argv(run, &argv, &count), -EINVAL);
    results_read_free_run(run);
}

static void test_rounds_csv(void **state)
{
    static char text[1 << 16];
    char folder[PATH_MAX + 16], path[PATH_MAX + 64], err[512];
    struct report_run r;
    (void)state;
    snprintf(text, sizeof(text), HEAD);
    /* A case whose name needs CSV quoting: a comma and a quote. */
    strcat(text,
           "{\"scenario\": \"spawn.x\", \"case\": \"spawn.x{target=a,\\\"b,placement=same}\","
           " \"params\": {\"target\": \"a,\\\"b\"}, \"placement\": \"same\", \"status\": \"ok\","
           " \"n\": 20, \"p50\": 1000, \"p50_ci_low\": 990, \"p50_ci_high\": 1010}]}\n");
    snprintf(folder, sizeof(folder), "%s/rounds", dir);
    mkdir(folder, 0755);
    snprintf(path, sizeof(path), "%s/results.json", folder);
    write_text_file(path, text);
    snprintf(path, sizeof(path), "%s/rounds.csv", folder);
    static const char *const header =
        "case,round,sequence,start_ns,elapsed_ns,n,failures,min,p50,max,mean\n";
    char csv[1024];
    snprintf(csv, sizeof(csv),
             "%s\"spawn.x{target=a,\"\"b,placement=same}\",0,0,100,5,10,0,1,990,2,3\n"
             "\"spawn.x{target=a,\"\"b,placement=same}\",1,1,200,5,0,0,0,0,0,0\n"
             "\"spawn.x{target=a,\"\"b,placement=same}\",2,2,300,5,10,0,1,1010,2,3\n",
             header);
    write_text_file(path, csv);
    assert_int_equal(report_model_load(folder, &r, err, sizeof(err)), 0);
    assert_int_equal(r.round_count, 2); /* the round without samples is left out */
    assert_int_equal(r.rounds[1].start_ns, 300);
    assert_int_equal(r.rounds[1].p50_ns, 1010);
    assert_string_equal(report_param(r.rounds[0].c, "target"), "a,\"b");
    report_model_free(&r);

    static const char *const bad[] = {
        "case,round\n",
        "%sspawn.x{placement=same},0,0,1,1,1,0,1,1,1,1\n", /* not in results.json */
        "%s\"spawn.x{target=a,\"\"b,placement=same}\",0,0,-1,1,1,0,1,1,1,1\n",  /* negative */
        "%s\"spawn.x{target=a,\"\"b,placement=same}\",0,0,1,1,1\n",             /* too few */
        "%s\"spawn.x{target=a,\"\"b,placement=same}\",0,0,1,1,1,0,1,1,1,1,9\n", /* too many */
        "%s\"spawn.x{target=a,\"\"b,placement=same},0,0,1,1,1,0,1,1,1,1\n",     /* open quote */
        "%s\"spawn.x{target=a,\"\"b,placement=same}\",0,0,1x,1,1,0,1,1,1,1\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(csv, sizeof(csv), bad[i], header);
        write_text_file(path, csv);
        err[0] = '\0';
        assert_int_equal(report_model_load(folder, &r, err, sizeof(err)), -EINVAL);
        assert_contains(err, "rounds.csv");
        assert_null(strchr(err, '\n'));
        report_model_free(&r);
    }
    /* No rounds.csv: loads, with a note. */
    unlink(path);
    assert_int_equal(report_model_load(folder, &r, err, sizeof(err)), 0);
    assert_int_equal(r.round_count, 0);
    assert_contains(r.rounds_note, "no rounds.csv");
    report_model_free(&r);
}

/* A run of fork_exec and posix_spawn at rss=4G, each with its extra
 * figures, the file's declarations (before "cases") as given. */
static struct stored_run *slopes_run(char *text, size_t len, const char *file,
                                     const char *declarations, const char *fork_extra,
                                     const char *posix_extra)
{
    const char *head = HEAD;
    snprintf(text, len, "%.*s%s \"cases\": [\n", (int)(strstr(head, " \"cases\"") - head), head,
             declarations);
    add_case(text, len, "spawn.fork_exec", "\"rss\": \"4G\"", "same", 900000, fork_extra);
    add_case(text, len, "spawn.posix_spawn", "\"rss\": \"4G\"", "same", 500000, posix_extra);
    strncat(text, "]}\n", len - strlen(text) - 1);
    return read_run(file, text);
}

static void test_claims(void **state)
{
    static char text[1 << 18];
    struct report_claim_result results[64];
    (void)state;
    assert_cmp(report_claim_count, <=, 64);
    snprintf(text, sizeof(text), HEAD);
    /* fork_exec 1.2x posix_spawn at rss=0, 3x at 1G; vfork = posix_spawn. */
    add_case(text, sizeof(text), "spawn.fork_exec", "\"target\": \"static\", \"rss\": 0", "same",
             600000, NULL);
    add_case(text, sizeof(text), "spawn.fork_exec", "\"target\": \"static\", \"rss\": \"1G\"",
             "same", 1500000, NULL);
    add_case(text, sizeof(text), "spawn.posix_spawn", "\"target\": \"static\", \"rss\": 0", "same",
             500000, NULL);
    add_case(text, sizeof(text), "spawn.posix_spawn", "\"target\": \"static\", \"rss\": 1073741824",
             "same", 500000, NULL);
    add_case(text, sizeof(text), "spawn.posix_spawn", "\"target\": \"dynamic\", \"rss\": 0", "same",
             700000, NULL);
    add_case(text, sizeof(text), "spawn.vfork_exec", "\"target\": \"static\", \"rss\": \"1G\"",
             "same", 502000, NULL);
    /* shell: 2.5x posix_spawn at rss=0 (preferred over rss=1G). */
    add_case(text, sizeof(text), "spawn.shell", "\"target\": \"static\", \"rss\": 0", "same",
             1250000, NULL);
    add_case(text, sizeof(text), "spawn.shell", "\"target\": \"static\", \"rss\": \"1G\"", "same",
             400000, NULL);
    /* Node: fork only 1.5x spawn: "far more (2x)" does not hold. */
    add_case(text, sizeof(text), "node.fork", "\"target\": \"static\"", "same", 30000000, NULL);
    add_case(text, sizeof(text), "node.spawn", "\"target\": \"static\"", "same", 20000000, NULL);
    /* output: buffered holds 64M, streamed 128K. */
    add_case(text, sizeof(text), "output.buffered", "\"bytes\": \"64M\"", "same", 6e7,
             "\"rss_growth_p50\": 67108864");
    add_case(text, sizeof(text), "output.streamed", "\"bytes\": \"64M\"", "same", 2e7,
             "\"rss_growth_p50\": 131072");
    add_case(text, sizeof(text), "output.buffered", "\"bytes\": \"1K\"", "same", 6e5,
             "\"rss_growth_p50\": 0");
    add_case(text, sizeof(text), "output.streamed", "\"bytes\": \"1K\"", "same", 6e5,
             "\"rss_growth_p50\": 0");
    /* shm vs pipe, 64 B pingpong: holds same, a tie across CPUs. */
    add_case(text, sizeof(text), "ipc.shm",
             "\"wait\": \"futex\", \"mode\": \"pingpong\", \"size\": 64", "same", 6000, NULL);
    add_case(text, sizeof(text), "ipc.pipe", "\"mode\": \"pingpong\", \"size\": 64", "same", 9000,
             NULL);
    add_case(text, sizeof(text), "ipc.shm",
             "\"wait\": \"futex\", \"mode\": \"pingpong\", \"size\": 64", "cross", 40000, NULL);
    add_case(text, sizeof(text), "ipc.pipe", "\"mode\": \"pingpong\", \"size\": 64", "cross", 40100,
             NULL);
    strcat(text, "]}\n");
    struct stored_run *run = read_run("claims.json", text);
    assert_int_equal(report_claims_judge(run, results), 0);

    const struct report_claim_result *r = find(results, "posix_spawn_cheaper");
    assert_string_equal(report_verdict_name(r->verdict), "holds");
    /* At the largest RSS, with the preferred target: 500/1500. */
    assert_cmp(fabs(r->ratio - 1.0 / 3), <, 0.01);
    assert_cmp(r->low, <, r->ratio);
    assert_cmp(r->ratio, <, r->high);
    /* Each side's rss as its name spells it (the run spelt them apart). */
    assert_string_equal(r->cases, "spawn.posix_spawn{rss=1073741824} against "
                                  "spawn.fork_exec{rss=1G} at target=static, placement=same");
    assert_contains(r->note, "rounds"); /* 10 rounds a side: Hodges-Lehmann */
    /* The answer in words, with its figures, the size as it was typed. */
    assert_string_equal(r->answer, "From a 1G parent, posix_spawn is 3x faster than fork+exec "
                                   "[2.98x, 3.02x] (500 us against 1.50 ms)");

    r = find(results, "posix_spawn_gap_grows");
    assert_string_equal(report_verdict_name(r->verdict), "holds");
    assert_cmp(fabs(r->ratio - 3.0 / 1.2), <, 0.05);

    r = find(results, "vfork_as_cheap");
    assert_string_equal(report_verdict_name(r->verdict), "holds");

    r = find(results, "shell_costs_more");
    assert_string_equal(report_verdict_name(r->verdict), "holds");
    assert_cmp(fabs(r->ratio - 2.5), <, 0.05);
    assert_contains(r->answer, "A shell (sh -c) is 2.5x slower than the program itself");

    r = find(results, "node_fork_far_more");
    assert_string_equal(report_verdict_name(r->verdict), "does not hold");
    r = find(results, "node_exec_costs_more");
    assert_string_equal(report_verdict_name(r->verdict), "not measured");
    assert_string_equal(r->cases, "");
    assert_string_equal(r->answer, "");
    assert_true(isnan(r->ratio));
    /* What would answer it: both scenarios, the preferred values. */
    assert_string_equal(r->command, "procbench run --filter '^node\\.(exec|execFile)$' "
                                    "--param target=static --param heap=0 --param shell=false "
                                    "--placement same");
    r = find(results, "node_buffered_holds_all");
    assert_string_equal(report_verdict_name(r->verdict), "not measured");

    r = find(results, "buffered_holds_all");
    assert_string_equal(report_verdict_name(r->verdict), "holds");
    assert_contains(r->cases, "bytes=64M");
    assert_cmp(fabs(r->ratio - 512), <, 0.5);
    assert_string_equal(r->answer, "With 64M of child output, buffering it grew the parent's "
                                   "memory by 64 MiB, streaming it by 128 KiB");

    r = find(results, "shm_beats_pipe_same");
    assert_string_equal(report_verdict_name(r->verdict), "holds");
    assert_contains(r->note, "CPU per operation");
    r = find(results, "shm_beats_pipe_cross");
    assert_string_equal(report_verdict_name(r->verdict), "inconclusive");

    r = find(results, "pool_beats_spawn");
    assert_string_equal(report_verdict_name(r->verdict), "not measured");
    /* node.* rows without the mechanism column: not measured, never a guess. */
    r = find(results, "node_uses_posix_spawn");
    assert_string_equal(report_verdict_name(r->verdict), "not measured");
    assert_non_null(strstr(r->note, "no mechanism was recorded"));
    results_read_free_run(run);

    /* A MEMORY claim reads the figure its sides name (@rss_growth): a case
     * without it leaves the claim unmeasured, never judged on nothing. */
    snprintf(text, sizeof(text), HEAD);
    add_case(text, sizeof(text), "output.buffered", "\"bytes\": \"64M\"", "same", 6e7,
             "\"rss_growth_p50\": 67108864");
    add_case(text, sizeof(text), "output.streamed", "\"bytes\": \"64M\"", "same", 2e7, NULL);
    strcat(text, "]}\n");
    run = read_run("memory.json", text);
    assert_int_equal(report_claims_judge(run, results), 0);
    r = find(results, "buffered_holds_all");
    assert_string_equal(report_verdict_name(r->verdict), "not measured");
    assert_string_equal(r->note, "rss_growth not recorded");
    results_read_free_run(run);

    /* With slopes recorded, "grows" compares the slopes' intervals: here
     * they overlap, so it cannot say. */
    run = slopes_run(text, sizeof(text), "slopes.json", "",
                     "\"rss_slope_ns_per_gib\": 120000, \"rss_slope_ci_low\": 90000, "
                     "\"rss_slope_ci_high\": 150000",
                     "\"rss_slope_ns_per_gib\": 100000, \"rss_slope_ci_low\": 80000, "
                     "\"rss_slope_ci_high\": 110000");
    assert_int_equal(report_claims_judge(run, results), 0);
    r = find(results, "posix_spawn_gap_grows");
    assert_string_equal(report_verdict_name(r->verdict), "inconclusive");
    assert_contains(r->note, "slopes");
    assert_cmp(fabs(r->ratio - 1.2), <, 1e-9);
    assert_cmp(fabs(r->low - 90000.0 / 110000), <, 1e-9);
    results_read_free_run(run);

    /* The slope is the one the run declares against the claim's sweep,
     * whatever its columns and unit: here per MiB, wholly apart. */
    run = slopes_run(text, sizeof(text), "declared-slopes.json",
                     " \"analyses\": [{\"column\": \"cost\", \"kind\": \"slope\", \"label\": \"l\","
                     " \"ci_prefix\": \"cost\", \"param\": \"rss\", \"per_name\": \"MiB\"}],\n",
                     "\"cost\": 120, \"cost_ci_low\": 110, \"cost_ci_high\": 130",
                     "\"cost\": 10, \"cost_ci_low\": 5, \"cost_ci_high\": 15");
    assert_int_equal(report_claims_judge(run, results), 0);
    r = find(results, "posix_spawn_gap_grows");
    assert_string_equal(report_verdict_name(r->verdict), "holds");
    assert_cmp(fabs(r->ratio - 12.0), <, 1e-9);
    assert_contains(r->answer, "per MiB of rss");
    results_read_free_run(run);
}

/* A metric's figures for add_case's extra: its median and a histogram of
 * 100 samples, 50 at 0.99 of it, 50 at 1.01 (the median's interval is
 * then [0.99, 1.01] of it). */
static void metric_extra(char *buf, size_t len, const char *name, double median, const char *more)
{
    snprintf(buf, len,
             "\"%s_p50\": %.0f, \"%s_histogram\": {\"buckets\": [[%.0f, 50], [%.0f, 50]]}%s%s",
             name, median, name, median * 0.99, median * 1.01, more ? ", " : "", more ? more : "");
}

#define NODE_HEAD                                                                                  \
    "{\"schema_version\": 1, \"tool\": {\"name\": \"procbench\", \"version\": \"0.1.0\"},\n"       \
    " \"environment\": {\"hostname\": \"h\", \"kernel\": \"Linux 6.1\", \"cpu_model\": \"X\"},\n"  \
    " \"config\": {\"rounds\": 10, \"quick\": false, \"seed\": 1},\n"                              \
    " \"metrics\": [{\"name\": \"loop_delay\", \"unit\": \"ns\", \"label\": \"loop stall\","       \
    " \"meaning\": \"m\", \"summary\": [\"p50\", \"p99\"]},\n"                                     \
    "  {\"name\": \"mem_per_child\", \"unit\": \"bytes\", \"label\": \"memory per child\","        \
    " \"meaning\": \"m\", \"summary\": [\"p50\", \"p99\"]},\n"                                     \
    "  {\"name\": \"spread_milli\", \"unit\": \"count\", \"label\": \"spread\","                   \
    " \"meaning\": \"m\", \"summary\": [\"p50\", \"max\"]}],\n"                                    \
    " \"started_unix_ns\": 1700000000000000000,\n \"cases\": [\n"

/* The node.* claims on metrics (@loop_delay, @mem_per_child,
 * @spread_milli): ratios of medians with the conservative interval of
 * their own intervals, one case against itself, BELOW against a bound,
 * the largest sweep value, and "not measured" when a figure is missing. */
static void test_node_claims(void **state)
{
    static char text[1 << 18];
    char extra[512];
    struct report_claim_result results[64];
    (void)state;
    snprintf(text, sizeof(text), NODE_HEAD);
    const char *spawn = "\"target\": \"static\", \"stdio\": \"ignore\", \"heap\": ";
    char params[256];
    /* node.spawn stalls 0.7 ms at heap=0, 65 ms at 1G (90x): does not hold;
     * 256M in between is not the largest. */
    static const struct {
        const char *heap;
        double stall;
    } spawns[] = {{"0", 7e5}, {"\"256M\"", 1.6e7}, {"\"1G\"", 6.5e7}};
    for (size_t i = 0; i < 3; i++) {
        snprintf(params, sizeof(params), "%s%s", spawn, spawns[i].heap);
        metric_extra(extra, sizeof(extra), "loop_delay", spawns[i].stall, NULL);
        add_case(text, sizeof(text), "node.spawn", params, "same", spawns[i].stall * 1.5, extra);
    }
    /* node.spawnSync: 1.3 ms and 66 ms; its stall covers the call (the
     * call 1.25 ms at heap=0). */
    metric_extra(extra, sizeof(extra), "loop_delay", 1.3e6, NULL);
    add_case(text, sizeof(text), "node.spawnSync", "\"target\": \"static\", \"heap\": 0", "same",
             1.25e6, extra);
    metric_extra(extra, sizeof(extra), "loop_delay", 6.6e7, NULL);
    add_case(text, sizeof(text), "node.spawnSync", "\"target\": \"static\", \"heap\": \"1G\"",
             "same", 6.5e7, extra);
    /* execSync: a stall that does not cover its call (impossible in Node,
     * but the claim must be able to say so). */
    metric_extra(extra, sizeof(extra), "loop_delay", 1e6, NULL);
    add_case(text, sizeof(text), "node.execSync", "\"target\": \"static\", \"heap\": 0", "same",
             2e6, extra);
    /* Memory per child: fork 23 MiB and 9 MiB, worker 9.5 and 7 MiB; the
     * claim is judged at count=16 (1.29x): does not hold. */
    static const struct {
        const char *api, *count;
        double bytes;
    } kids[] = {
        {"fork", "1", 23e6}, {"worker", "1", 9.5e6}, {"fork", "16", 9e6}, {"worker", "16", 7e6}};
    for (size_t i = 0; i < 4; i++) {
        snprintf(params, sizeof(params), "\"api\": \"%s\", \"count\": %s", kids[i].api,
                 kids[i].count);
        metric_extra(extra, sizeof(extra), "mem_per_child", kids[i].bytes, NULL);
        add_case(text, sizeof(text), "node.children", params, "same", 1e8, extra);
    }
    /* cluster: rr even (1000), none 1.6 to 1 (not preferred). */
    metric_extra(extra, sizeof(extra), "spread_milli", 1000, NULL);
    add_case(text, sizeof(text), "node.cluster", "\"op\": \"spread\", \"sched\": \"rr\"", "same",
             7e5, extra);
    metric_extra(extra, sizeof(extra), "spread_milli", 1600, NULL);
    add_case(text, sizeof(text), "node.cluster", "\"op\": \"spread\", \"sched\": \"none\"", "same",
             7e5, extra);
    strcat(text, "]}\n");
    struct stored_run *run = read_run("node-claims.json", text);
    assert_int_equal(report_claims_judge(run, results), 0);

    const struct report_claim_result *r = find(results, "node_spawn_loop_free");
    assert_string_equal(report_verdict_name(r->verdict), "does not hold");
    assert_true(fabs(r->ratio - 6.5e7 / 7e5) < 0.01);
    assert_true(fabs(r->low - 6.5e7 * 0.99 / (7e5 * 1.01)) < 0.01);
    assert_true(fabs(r->high - 6.5e7 * 1.01 / (7e5 * 0.99)) < 0.01);
    assert_non_null(strstr(r->cases, "heap=1G"));
    assert_non_null(strstr(r->note, "own intervals"));
    /* The context names the left side's heap, not the right one's shorter
     * "0" (it used to: "At a 0 heap"). */
    assert_int_equal(strncmp(r->answer, "At a 1G heap, ", 14), 0);

    r = find(results, "node_spawn_loop_vs_sync");
    /* At 1G: 65 / 66 ms, nowhere near half. */
    assert_string_equal(report_verdict_name(r->verdict), "does not hold");
    assert_true(fabs(r->ratio - 65.0 / 66.0) < 1e-6);

    r = find(results, "node_spawn_sync_blocks");
    assert_string_equal(report_verdict_name(r->verdict), "holds");
    /* One case on both sides: named once, its stall against its time. */
    assert_string_equal(r->cases, "node.spawnSync at target=static, heap=0, placement=same");
    assert_string_equal(r->answer, "In Node, spawnSync stalls the event loop 1.30 ms [1.29 ms, "
                                   "1.31 ms] against 1.25 ms [1.24 ms, 1.26 ms] for the whole "
                                   "call: 1.040x [1.024x, 1.056x]");
    /* Against the time's own median and interval (+-0.5%). */
    assert_true(fabs(r->ratio - 1.3 / 1.25) < 1e-6);
    assert_true(fabs(r->low - 1.3 * 0.99 / (1.25 * 1.005)) < 1e-6);
    r = find(results, "node_exec_sync_blocks");
    assert_string_equal(report_verdict_name(r->verdict), "does not hold");
    r = find(results, "node_exec_file_sync_blocks");
    assert_string_equal(report_verdict_name(r->verdict), "not measured");

    r = find(results, "node_fork_memory_far_more");
    assert_string_equal(report_verdict_name(r->verdict), "does not hold");
    assert_true(fabs(r->ratio - 9.0 / 7.0) < 1e-6);
    assert_non_null(strstr(r->cases, "count=16"));
    assert_non_null(strstr(r->note, "MiB"));
    assert_non_null(strstr(r->answer, "With 16 held at once, a forked child takes "));
    assert_non_null(strstr(r->answer, "for a worker thread: 1.286x ["));

    r = find(results, "node_cluster_even");
    assert_string_equal(report_verdict_name(r->verdict), "holds");
    assert_non_null(strstr(r->cases, "sched=rr"));
    assert_true(fabs(r->ratio - 1000.0 / 1250) < 1e-9);
    /* No workers parameter in these cases: the answer has no context. */
    assert_string_equal(r->answer, "The busiest worker's connections over the idlest's (x1000) "
                                   "are 1000 [990, 1010], under 1250");
    results_read_free_run(run);

    /* A case without the figure: not measured, never a guess; only the
     * unpreferred cluster case: does not hold. */
    snprintf(text, sizeof(text), NODE_HEAD);
    add_case(text, sizeof(text), "node.spawnSync", "\"target\": \"static\", \"heap\": 0", "same",
             1.25e6, NULL);
    metric_extra(extra, sizeof(extra), "spread_milli", 1600, NULL);
    add_case(text, sizeof(text), "node.cluster", "\"op\": \"spread\", \"sched\": \"none\"", "same",
             7e5, extra);
    strcat(text, "]}\n");
    run = read_run("node-claims-2.json", text);
    assert_int_equal(report_claims_judge(run, results), 0);
    r = find(results, "node_spawn_sync_blocks");
    assert_string_equal(report_verdict_name(r->verdict), "not measured");
    assert_non_null(strstr(r->note, "has no loop_delay recorded"));
    r = find(results, "node_cluster_even");
    assert_string_equal(report_verdict_name(r->verdict), "does not hold");
    r = find(results, "node_spawn_loop_free");
    assert_string_equal(report_verdict_name(r->verdict), "not measured");
    results_read_free_run(run);
}

/* The MECHANISM claim on the mechanism column of the node.* rows: a fork
 * everywhere does not hold; one row with CLONE_VM|CLONE_VFORK holds; a row
 * that created nothing in its sample (its setup line holds the harness's
 * own posix_spawn of node) and unobserved rows count for nothing. */
static void test_claim_mechanism(void **state)
{
    static char text[1 << 16];
    struct report_claim_result results[64];
    (void)state;
    static const char fork_line[] =
        "\"mechanism\": \"clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD) + execve(c)\"";
    static const char setup_line[] = "\"mechanism\": \"none in the sample; setup: "
                                     "clone3(CLONE_VM|CLONE_VFORK|SIGCHLD) + execve(node)\"";
    static const char vfork_line[] =
        "\"mechanism\": \"clone3(CLONE_VM|CLONE_VFORK|SIGCHLD) + execve(c)\"";
    static const char unobserved[] =
        "\"mechanism\": \"unobserved: ptrace(PTRACE_TRACEME) refused: Operation not permitted\"";

    snprintf(text, sizeof(text), HEAD);
    add_case(text, sizeof(text), "node.spawn", "\"target\": \"static\"", "same", 2e6, fork_line);
    add_case(text, sizeof(text), "node.ipc", "\"size\": 1", "same", 2e5, setup_line);
    add_case(text, sizeof(text), "spawn.posix_spawn", "\"target\": \"static\"", "same", 5e5,
             vfork_line);
    strcat(text, "]}\n");
    struct stored_run *run = read_run("mechanism-no.json", text);
    assert_int_equal(report_claims_judge(run, results), 0);
    const struct report_claim_result *r = find(results, "node_uses_posix_spawn");
    assert_string_equal(report_verdict_name(r->verdict), "does not hold");
    assert_string_equal(r->cases, "node.spawn{target=static,placement=same}");
    assert_non_null(strstr(r->note, "0 of 1 observed cases"));
    assert_non_null(strstr(r->note, "clone(CLONE_CHILD_CLEARTID"));
    /* The answer in words, and the command that measures it. */
    assert_string_equal(r->answer,
                        "Node's child_process created its child with "
                        "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD) + execve(c): not "
                        "CLONE_VM|CLONE_VFORK, in none of 1 observed cases");
    assert_string_equal(r->command, "procbench run --filter '^node\\.'");
    results_read_free_run(run);

    snprintf(text, sizeof(text), HEAD);
    add_case(text, sizeof(text), "node.spawn", "\"target\": \"static\"", "same", 2e6, fork_line);
    add_case(text, sizeof(text), "node.exec", "\"target\": \"static\"", "same", 3e6, vfork_line);
    strcat(text, "]}\n");
    run = read_run("mechanism-yes.json", text);
    assert_int_equal(report_claims_judge(run, results), 0);
    r = find(results, "node_uses_posix_spawn");
    assert_string_equal(report_verdict_name(r->verdict), "holds");
    assert_string_equal(r->cases, "node.exec{target=static,placement=same}");
    assert_non_null(strstr(r->note, "1 of 2 observed cases"));
    assert_string_equal(r->answer, "Node's child_process created its child with "
                                   "clone3(CLONE_VM|CLONE_VFORK|SIGCHLD) + execve(c) "
                                   "(CLONE_VM|CLONE_VFORK in 1 of 2 observed cases)");
    results_read_free_run(run);

    snprintf(text, sizeof(text), HEAD);
    add_case(text, sizeof(text), "node.spawn", "\"target\": \"static\"", "same", 2e6, unobserved);
    strcat(text, "]}\n");
    run = read_run("mechanism-unobserved.json", text);
    assert_int_equal(report_claims_judge(run, results), 0);
    r = find(results, "node_uses_posix_spawn");
    assert_string_equal(report_verdict_name(r->verdict), "not measured");
    assert_non_null(strstr(r->note, "unobserved: ptrace"));
    results_read_free_run(run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claim_mechanism),    cmocka_unit_test(test_quote_literals),
        cmocka_unit_test(test_quote_with_gnuplot), cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_rounds_csv),         cmocka_unit_test(test_claims),
        cmocka_unit_test(test_node_claims),
    };
    return cmocka_run_group_tests(tests, make_dir, NULL);
}
