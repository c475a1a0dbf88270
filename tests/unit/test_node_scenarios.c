/*
 * The node.* protocol checks, both ends. The harness side: answers of every
 * kind of wrong (sequence, format, range, bytes) are refused by
 * node_parse_answer(), and the telling line is picked out of a driver's
 * stderr. Then, with a real node (skipped when there is none): every node.*
 * scenario driven directly through setup, two samples and teardown; the
 * driver made to misbehave through its test knob PROCBENCH_TEST_NODE_DRIVER
 * (wrong sequence number, garbage, death, an uncaught exception, silence,
 * a corrupted echo) must fail the sample with the reason, and teardown must
 * leave no child and no descriptor; the driver's setup checks (a heap that
 * VmRSS does not show, a detached child outside a session of its own) fail
 * the setup with the reason, and the checks of node.cluster's answers and
 * node.children's idle programs fail the samples and still leave nothing
 * behind; a crashing driver run by the runner is a
 * failed case whose reason holds its stderr; and the driver itself refuses
 * requests out of sequence or out of format. Last, without node every case
 * is skipped with a reason naming node.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "node_common.h"
#include "node_locate.h"
#include "engine/runner.h"
#include "scenario.h"
#include "checks.h"

static char driver_path[PATH_MAX];
static char node_path[PATH_MAX];
static bool have_node;

static int group_setup(void **state)
{
    (void)state;
    use_child_program(CHILD_PROGRAM);
    /* The driver sits beside the child in the build tree. */
    snprintf(driver_path, sizeof(driver_path), "%s", CHILD_PROGRAM);
    strcpy(strrchr(driver_path, '/') + 1, "procbench-driver.js");
    setenv("PROCBENCH_NODE_DRIVER", driver_path, 1);
    unsetenv("PROCBENCH_TEST_NODE_DRIVER");
    unsetenv("PROCBENCH_TEST_NODE_TIMEOUT_MS");
    char why[256];
    have_node = node_locate(node_path, sizeof(node_path), why, sizeof(why)) == 0;
    if (!have_node)
        print_message("note: %s: the tests that need node are skipped\n", why);
    return 0;
}

/* ---- answers, without node ------------------------------------------- */

static char failure[SCENARIO_FAILURE_MAX];

/* Parses line as an answer of a scenario whose metrics are metrics. */
static int parse_of(const struct metric_spec *metrics, const char *line, unsigned long long seq,
                    struct sample *out, char *why)
{
    memset(out, 0, sizeof(*out));
    why[0] = failure[0] = '\0';
    return node_parse_answer("node.test", metrics, line, seq, out, failure, why, 160);
}

/* Parses line as an answer of a scenario with node_metrics. */
static int parse(const char *line, unsigned long long seq, struct sample *out, char *why)
{
    return parse_of(node_metrics, line, seq, out, why);
}

/* The index of the metric called name in sc's list, or fails. */
static unsigned metric_index(const struct scenario *sc, const char *name)
{
    for (unsigned k = 0; sc->metrics != NULL && sc->metrics[k].name != NULL; k++)
        if (strcmp(sc->metrics[k].name, name) == 0)
            return k;
    fail_msg("%s declares no metric %s", sc->name, name);
    return 0;
}

static void test_answer_accepted(void **state)
{
    (void)state;
    struct sample s;
    char why[160];
    assert_int_equal(parse("R 7 1500 700 0 - 0", 7, &s, why), 0);
    assert_int_equal(s.ns, 1500);
    assert_true(sample_reported(&s, NODE_METRIC_RETURN));
    assert_int_equal(s.metric[NODE_METRIC_RETURN], 700);
    assert_false(sample_reported(&s, NODE_METRIC_FIRST_BYTE)); /* 0: none */
    assert_false(sample_reported(&s, NODE_METRIC_RSS_GROWTH)); /* '-': none */
    assert_int_equal(parse("R 8 2000 0 300 67108864 1024", 8, &s, why), 0);
    assert_false(sample_reported(&s, NODE_METRIC_RETURN));
    assert_true(sample_reported(&s, NODE_METRIC_FIRST_BYTE));
    assert_int_equal(s.metric[NODE_METRIC_FIRST_BYTE], 300);
    assert_true(sample_reported(&s, NODE_METRIC_RSS_GROWTH));
    assert_int_equal(s.metric[NODE_METRIC_RSS_GROWTH], 67108864);
    assert_int_equal(s.bytes, 1024);
    /* The extra figures, in any order, each into its metric. */
    assert_int_equal(parse("R 9 2000 500 0 - 0 loop_delay=1200 ops=64", 9, &s, why), 0);
    assert_true(sample_reported(&s, NODE_METRIC_LOOP_DELAY));
    assert_int_equal(s.metric[NODE_METRIC_LOOP_DELAY], 1200);
    assert_int_equal(s.ops, 64);
    /* A row's own metrics, by the names it declares. */
    const struct scenario *cluster = scenario_find("node.cluster");
    const struct scenario *children = scenario_find("node.children");
    assert_non_null(cluster);
    assert_non_null(children);
    unsigned spread = metric_index(cluster, "spread_milli");
    unsigned mem = metric_index(children, "mem_per_child");
    assert_true(spread >= NODE_METRIC_OWN && mem >= NODE_METRIC_OWN);
    assert_int_equal(
        parse_of(cluster->metrics, "R 9 2000 0 0 - 0 spread_milli=1500 loop_delay=0", 9, &s, why),
        0);
    assert_true(sample_reported(&s, spread));
    assert_int_equal(s.metric[spread], 1500);
    assert_true(sample_reported(&s, NODE_METRIC_LOOP_DELAY));
    assert_int_equal(s.metric[NODE_METRIC_LOOP_DELAY], 0);
    assert_int_equal(parse_of(children->metrics, "R 9 2000 0 0 - 0 mem_per_child=0", 9, &s, why),
                     0);
    assert_true(sample_reported(&s, mem));
    assert_int_equal(s.metric[mem], 0);
    assert_false(sample_reported(&s, NODE_METRIC_LOOP_DELAY));
    /* A metric another row declares is not one of this row's. */
    assert_int_equal(parse_of(children->metrics, "R 9 2000 0 0 - 0 spread_milli=1000", 9, &s, why),
                     -EPROTO);
    assert_contains(why, "unknown field spread_milli");
    /* A growth of 0 bytes is a value, not an absence. */
    assert_int_equal(parse("R 9 2000 0 0 0 0", 9, &s, why), 0);
    assert_true(sample_reported(&s, NODE_METRIC_RSS_GROWTH));
    assert_int_equal(s.metric[NODE_METRIC_RSS_GROWTH], 0);
    /* A failure: the sample fails with the driver's reason, prefixed. */
    assert_int_equal(parse("F 9 child exited with status 1", 9, &s, why), 1);
    assert_string_equal(failure, "node.test: child exited with status 1");
}

static void test_answer_refused(void **state)
{
    (void)state;
    static const struct {
        const char *line, *why;
    } bad[] = {
        {"R 2 1500 0 0 - 0", "answered sample 2, expected 1"},
        {"F 3 boom", "answered sample 3, expected 1"},
        {"R 1 soon", "malformed answer"},
        {"", "malformed answer"},
        {"READY", "malformed answer"},
        {"R 1 1500 0 0 - 0 9", "unknown field 9"},
        {"R 1 1500 0 0 - 0 stall=5", "unknown field stall=5"},
        {"R 1 1500 0 0 - 0 =5", "unknown field =5"},
        {"R 1 1500 0 0 - 0 loop_delay", "unknown field loop_delay"},
        {"R 1 1500 0 0 - 0 loop_delay=", "loop_delay is not a number"},
        {"R 1 1500 0 0 - 0 loop_delay=-1", "loop_delay is not a number"},
        {"R 1 1500 0 0 - 0 loop_delay=1 loop_delay=2", "loop_delay given twice"},
        {"R 1 1500 0 0 - 0 loop_delay=3600000000001", "loop_delay out of range"},
        {"R 1 1500 0 0 - 0 mem_per_child=1", "unknown field mem_per_child=1"},
        {"R 1 1500 0 0 - 0 return=1", "unknown field return=1"},
        {"R 1 1500 0 0 - 0 ops=0", "ops out of range"},
        {"R 1 1500 0 0 - 0 ops=1000001", "ops out of range"},
        {"R 1 1500 0 0 - 0 ops=1 loop_delay=1 ops=2", "ops given twice"},
        {"R 1 1500 0 0 - 0 ops=1 loop_delay=1 a=1 b=1 c=1 d=1 e=1", "malformed answer"},
        {"R 1 1500 0 0 - 0 ", "malformed answer"},
        {"R 1 1500 0 0 -", "malformed answer"},
        {"R  1 1500 0 0 - 0", "malformed answer"},
        {"R -1 1500 0 0 - 0", "malformed sequence number"},
        {"R 1 15x0 0 0 - 0", "ns is not a number"},
        {"R 1 1500 0 0 -5 0", "rss_growth_bytes is not a number"},
        {"R 1 99999999999999999999999 0 0 - 0", "ns is not a number"},
        {"R 1 0 0 0 - 0", "ns out of range"},
        {"R 1 3600000000001 0 0 - 0", "ns out of range"},
        {"R 1 1500 1501 0 - 0", "return_ns out of range"},
        {"R 1 1500 0 1501 - 0", "first_byte_ns out of range"},
        {"R 1 1500 0 0 1099511627777 0", "rss_growth_bytes out of range"},
        {"R 1 1500 0 0 - 1099511627777", "bytes out of range"},
        {"F 1", "malformed answer"},
        {"F 1 ", "without a reason"},
        {"R 1 1500\t0 0 - 0", "not printable ASCII"},
        {"F 1 caf\xc3\xa9", "not printable ASCII"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sample s;
        char why[160];
        int rc = parse(bad[i].line, 1, &s, why);
        if (rc != -EPROTO)
            fail_msg("answer '%s' gave %d, expected -EPROTO", bad[i].line, rc);
        assert_contains(why, bad[i].why);
        assert_null(strchr(why, '\n'));
    }
}

static void test_stderr_line(void **state)
{
    (void)state;
    char line[160];
    static const char thrown[] =
        "/x/procbench-driver.js:440\n"
        "            throw new Error('boom');\n"
        "            ^\n\n"
        "Error: boom\n    at Socket.onRequest (/x/procbench-driver.js:440)\n";
    node_stderr_line(thrown, strlen(thrown), line, sizeof(line));
    assert_string_equal(line, "Error: boom");
    static const char ours[] = "\nprocbench-driver: request 'S 2', expected 1\n";
    node_stderr_line(ours, strlen(ours), line, sizeof(line));
    assert_string_equal(line, "procbench-driver: request 'S 2', expected 1");
    static const char plain[] = "\n  Segmentation   fault\t(core dumped) \nmore\n";
    node_stderr_line(plain, strlen(plain), line, sizeof(line));
    assert_string_equal(line, "Segmentation fault (core dumped)");
    node_stderr_line("", 0, line, sizeof(line));
    assert_string_equal(line, "");
    static const char binary[] = "\x01\x02ok\x1b[31m\n";
    node_stderr_line(binary, strlen(binary), line, sizeof(line));
    assert_string_equal(line, "??ok?[31m");
}

/* ---- the scenarios with node ----------------------------------------- */

#define SKIP_WITHOUT_NODE()                                                                        \
    do {                                                                                           \
        if (!have_node)                                                                            \
            skip();                                                                                \
    } while (0)

/* The values of scenario's parameters: the first default of each, or, for
 * the parameters named in name ("heap" or "heap;heap_kind"), the value at
 * the same place in choice ("16M" or "16M;wasm"). */
static void first_values(const struct scenario *sc, struct param_value *values, const char *name,
                         const char *choice)
{
    for (size_t i = 0; sc->params != NULL && sc->params[i].name != NULL; i++) {
        const struct param_spec *spec = &sc->params[i];
        char list[128];
        const char *text = spec->defaults;
        size_t len = strcspn(text, ",");
        const char *n = name, *c = choice;
        while (n != NULL && c != NULL && *n != '\0') {
            size_t nl = strcspn(n, ";"), cl = strcspn(c, ";");
            if (strlen(spec->name) == nl && strncmp(spec->name, n, nl) == 0) {
                text = c;
                len = cl;
            }
            n += nl + (n[nl] == ';');
            c += cl + (c[cl] == ';');
        }
        snprintf(list, sizeof(list), "%.*s", (int)len, text);
        struct param_value parsed[PARAMS_MAX_VALUES];
        size_t count;
        char err[160];
        assert_int_equal(params_parse_list(spec, list, parsed, &count, err, sizeof(err)), 0);
        values[i] = parsed[0];
    }
}

/* Runs setup, n samples and teardown of sc; every sample's outcome goes to
 * outcomes[i] and its failure to failures[i]. Asserts that nothing is left. */
static void drive(const char *name, const char *param, const char *choice, size_t n, int *outcomes,
                  char (*failures)[160], struct sample *last)
{
    const struct scenario *sc = scenario_find(name);
    assert_non_null(sc);
    struct param_value values[PARAMS_MAX_PER_SCENARIO];
    first_values(sc, values, param, choice);
    /* As the runner does in the round's process: makes this process the
     * subreaper that teardown reaps a dead driver's leftovers from. */
    assert_int_equal(sc->process_init(), 0);
    int fds = count_fds();
    struct case_ctx ctx = {.scenario = sc, .params = values, .peer_cpu = -1, .ops_per_sample = 1};
    int rc = sc->setup(&ctx);
    if (rc != 0)
        fail_msg("%s setup failed: %s", name, ctx.failure);
    assert_cmp(ctx.peer_pid, >, 0);
    for (size_t i = 0; i < n; i++) {
        struct sample s;
        memset(&s, 0, sizeof(s));
        outcomes[i] = sc->sample(&ctx, &s);
        snprintf(failures[i], 160, "%s", ctx.failure);
        ctx.failure[0] = '\0';
        if (last != NULL)
            *last = s;
    }
    sc->teardown(&ctx);
    assert_no_child_left();
    assert_int_equal(count_fds(), fds);
}

static void test_every_scenario_runs(void **state)
{
    (void)state;
    SKIP_WITHOUT_NODE();
    static const struct {
        const char *name, *param, *choice;
    } cases[] = {
        {"node.spawn", "stdio", "inherit"},
        {"node.spawn", "stdio", "pipe"},
        {"node.execFile", NULL, NULL},
        {"node.exec", NULL, NULL},
        {"node.fork", NULL, NULL},
        {"node.ipc", "serialization", "json"},
        {"node.ipc", "serialization", "advanced"},
        {"node.output", "api", "execFile"},
        {"node.output", "api", "spawn"},
        {"node.worker", "op", "start"},
        {"node.worker", "op", "roundtrip"},
        {"node.spawn", "stdio", "ignore"},
        {"node.spawn", "detached", "true"},
        {"node.spawn", "shell", "true"},
        {"node.execFile", "shell", "true"},
        {"node.spawn", "heap", "64M"},
        {"node.fork", "heap;heap_kind", "16M;js"},
        {"node.spawnSync", "heap;heap_kind", "16M;wasm"},
        {"node.spawnSync", NULL, NULL},
        {"node.execSync", NULL, NULL},
        {"node.execFileSync", "heap", "16M"},
        {"node.cluster", "op", "start"},
        {"node.cluster", "op", "spread"},
        {"node.cluster", "sched", "none"}, /* op=start */
        {"node.children", "api", "fork"},
        {"node.children", "api", "spawn"},
        {"node.children", "api", "worker"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int outcomes[2];
        char failures[2][160];
        struct sample s;
        drive(cases[i].name, cases[i].param, cases[i].choice, 2, outcomes, failures, &s);
        for (size_t k = 0; k < 2; k++)
            if (outcomes[k] != 0)
                fail_msg("%s{%s=%s} sample %zu failed: %s", cases[i].name, cases[i].param,
                         cases[i].choice, k + 1, failures[k]);
        assert_cmp(s.ns, >, 0);
        if (strcmp(cases[i].name, "node.output") == 0) {
            /* bytes' first default, 1K, all checked by the driver. */
            assert_int_equal(s.bytes, 1024);
            assert_true(sample_reported(&s, NODE_METRIC_FIRST_BYTE));
            assert_in_range(s.metric[NODE_METRIC_FIRST_BYTE], 1, s.ns);
            assert_true(sample_reported(&s, NODE_METRIC_RSS_GROWTH));
        }
        /* The probe runs where the stall means something, not in the
         * round trips of node.ipc and node.worker. */
        bool round_trip =
            strcmp(cases[i].name, "node.ipc") == 0 || (strcmp(cases[i].name, "node.worker") == 0 &&
                                                       strcmp(cases[i].choice, "roundtrip") == 0);
        if (round_trip == sample_reported(&s, NODE_METRIC_LOOP_DELAY))
            fail_msg("%s{%s=%s}: loop_delay %s", cases[i].name, cases[i].param, cases[i].choice,
                     round_trip ? "reported" : "missing");
        const struct scenario *sc = scenario_find(cases[i].name);
        bool children = strcmp(cases[i].name, "node.children") == 0;
        bool mem_reported = children && sample_reported(&s, metric_index(sc, "mem_per_child"));
        if (children != mem_reported)
            fail_msg("%s{%s=%s}: mem_per_child %s", cases[i].name, cases[i].param, cases[i].choice,
                     children ? "missing" : "reported");
        /* An idle Node costs megabytes, not bytes and not gigabytes. */
        if (children)
            assert_in_range(s.metric[metric_index(sc, "mem_per_child")], 1u << 20, 1u << 30);
        /* spread with workers' first default, 2, and 64 connections. */
        bool spread =
            strcmp(cases[i].name, "node.cluster") == 0 && strcmp(cases[i].choice, "spread") == 0;
        bool spread_reported = strcmp(cases[i].name, "node.cluster") == 0 &&
                               sample_reported(&s, metric_index(sc, "spread_milli"));
        if (spread != spread_reported)
            fail_msg("%s{%s=%s}: spread %s", cases[i].name, cases[i].param, cases[i].choice,
                     spread ? "missing" : "reported");
        if (spread) {
            assert_int_equal(s.ops, 64);
            assert_in_range(s.metric[metric_index(sc, "spread_milli")], 1000, 128000);
        }
        /* A sync call blocks the loop for all of it: the probe's first
         * callback, due at the sample's start, cannot run before it returns. */
        if (strstr(cases[i].name, "Sync") != NULL && s.metric[NODE_METRIC_LOOP_DELAY] < s.ns)
            fail_msg("%s: loop_delay %llu ns below the call's %llu ns", cases[i].name,
                     (unsigned long long)s.metric[NODE_METRIC_LOOP_DELAY],
                     (unsigned long long)s.ns);
    }
}

/* With knob set, scenario's setup fails with a reason holding expected,
 * and leaves no child and no descriptor behind. */
static void assert_setup_fails(const char *knob, const char *name, const char *param,
                               const char *choice, const char *expected)
{
    const struct scenario *sc = scenario_find(name);
    assert_non_null(sc);
    struct param_value values[8];
    first_values(sc, values, param, choice);
    setenv("PROCBENCH_TEST_NODE_DRIVER", knob, 1);
    assert_int_equal(sc->process_init(), 0);
    int fds = count_fds();
    struct case_ctx ctx = {.scenario = sc, .params = values, .peer_cpu = -1, .ops_per_sample = 1};
    int rc = sc->setup(&ctx);
    unsetenv("PROCBENCH_TEST_NODE_DRIVER");
    const char *why = ctx.failure;
    print_message("%s, %s: %s\n", knob, name, why);
    if (rc == 0) {
        sc->teardown(&ctx);
        fail_msg("%s: setup of %s{%s=%s} succeeded", knob, name, param, choice);
    }
    assert_contains(why, name);
    assert_contains(why, expected);
    assert_no_child_left();
    assert_int_equal(count_fds(), fds);
}

static void test_driver_setup_checks(void **state)
{
    (void)state;
    SKIP_WITHOUT_NODE();
    /* An arraybuffer heap left untouched is address space, not memory:
     * VmRSS does not show it, and the setup refuses to measure with it. */
    assert_setup_fails("lazyheap", "node.spawn", "heap", "64M", "the heap is not resident");
    assert_setup_fails("lazyheap", "node.spawnSync", "heap", "64M", "the heap is not resident");
    /* A child in the wrong session, each way. */
    assert_setup_fails("wrongsession", "node.spawn", "detached", "true", "not in one of its own");
    assert_setup_fails("wrongsession", "node.spawn", "detached", "false", "not in the driver's");
}

/* With knob set, scenario's samples both fail, each with a reason holding
 * expected: the first tells what happened, the second that the driver is
 * broken for the rest of the round. */
static void assert_knob_fails(const char *knob, const char *name, const char *param,
                              const char *choice, const char *expected)
{
    setenv("PROCBENCH_TEST_NODE_DRIVER", knob, 1);
    int outcomes[2];
    char failures[2][160];
    drive(name, param, choice, 2, outcomes, failures, NULL);
    unsetenv("PROCBENCH_TEST_NODE_DRIVER");
    print_message("%s, %s: %s\n", knob, name, failures[0]);
    for (size_t k = 0; k < 2; k++) {
        if (outcomes[k] == 0)
            fail_msg("%s: sample %zu of %s succeeded", knob, k + 1, name);
        assert_contains(failures[k], name);
        assert_contains(failures[k], expected);
    }
}

static void test_driver_faults_fail_samples(void **state)
{
    (void)state;
    SKIP_WITHOUT_NODE();
    assert_knob_fails("badseq", "node.spawn", NULL, NULL, "driver answered sample 2, expected 1");
    assert_knob_fails("garbage", "node.execFile", NULL, NULL, "malformed answer 'R 1 soon'");
    assert_knob_fails("die", "node.spawn", NULL, NULL,
                      "node exited with status 3; stderr: procbench-driver: dying at the first");
    assert_knob_fails("throw", "node.fork", NULL, NULL,
                      "node exited with status 1; stderr: Error: thrown at the first sample");
    /* Long enough for node to start on a loaded machine: the limit covers
     * READY too. */
    setenv("PROCBENCH_TEST_NODE_TIMEOUT_MS", "3000", 1);
    assert_knob_fails("hang", "node.spawn", NULL, NULL, "no answer from the driver within 3000 ms");
    unsetenv("PROCBENCH_TEST_NODE_TIMEOUT_MS");
}

static void test_corrupt_echo_fails_samples(void **state)
{
    (void)state;
    SKIP_WITHOUT_NODE();
    /* The driver stays usable: each sample fails on its own echo. */
    assert_knob_fails("corrupt", "node.ipc", "serialization", "json", "differs from what was sent");
    assert_knob_fails("corrupt", "node.ipc", "serialization", "advanced",
                      "differs from what was sent");
    assert_knob_fails("corrupt", "node.worker", "op", "roundtrip", "expected seq");
}

static void test_group_faults_fail_samples(void **state)
{
    (void)state;
    SKIP_WITHOUT_NODE();
    /* Cluster workers answering with ids that are not theirs; idle
     * children that exit before they are ready: every sample fails, and
     * drive() checks that every worker and child was still reaped. */
    assert_knob_fails("wrongid", "node.cluster", "op", "spread", "answered by worker 100");
    /* A process of the cluster (here its client) that dies during the round
     * fails the sample it broke and the next one. */
    assert_knob_fails("clientexit", "node.cluster", "op", "spread",
                      "cluster client exited with status 4 during the round");
    /* A driver that dies with its workers and client running: they come
     * back to this process (the subreaper), and drive() checks that
     * teardown reaped every one. */
    assert_knob_fails("die", "node.cluster", "op", "spread", "node exited with status 3");
    assert_knob_fails("idlebadexit", "node.children", "api", "worker",
                      "exited with status 5 when told to stop");
    assert_knob_fails("idlebadexit", "node.children", "api", "fork",
                      "exited with status 5 when told to stop");
    assert_knob_fails("idlecrash", "node.children", "api", "fork",
                      "exited with status 3 before it was ready");
    assert_knob_fails("idlecrash", "node.children", "api", "spawn",
                      "exited with status 3 before it was ready");
    assert_knob_fails("idlecrash", "node.children", "api", "worker",
                      "exited with status 3 before it was ready");
}

/* A child that exits 7 (procbench-child's exit mode, through a script that
 * PROCBENCH_CHILD points at): the sync rows fail each sample with the
 * status, whether the call reports it or throws it, and node.spawn's setup
 * check (one spawn with the case's options) refuses to start. */
static void test_failing_child(void **state)
{
    (void)state;
    SKIP_WITHOUT_NODE();
    char script[PATH_MAX];
    snprintf(script, sizeof(script), "%s/node-child-exit-7.sh", TEST_OUT_DIR);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\nexec '%s' exit 7\n", CHILD_PROGRAM);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(script, 0755), 0);
    use_child_program(script);
    static const char *const sync_rows[] = {"node.spawnSync", "node.execSync", "node.execFileSync",
                                            "node.execFile", "node.exec"};
    for (size_t i = 0; i < sizeof(sync_rows) / sizeof(sync_rows[0]); i++)
        assert_knob_fails("", sync_rows[i], NULL, NULL, "status 7");
    assert_setup_fails("", "node.spawn", "detached", "true",
                       "the session check's child exited with status 7");
    use_child_program(CHILD_PROGRAM);
}

/* The runner, one case: a driver that throws fails the case, and the
 * reason holds its stderr. */
static void test_crashing_driver_fails_case(void **state)
{
    (void)state;
    SKIP_WITHOUT_NODE();
    setenv("PROCBENCH_TEST_NODE_DRIVER", "throw", 1);
    struct case_def def;
    memset(&def, 0, sizeof(def));
    def.scenario = scenario_find("node.execFile");
    assert_non_null(def.scenario);
    first_values(def.scenario, def.params, NULL, NULL);
    def.param_count = 1;
    def.placement = PLACEMENT_SAME;
    snprintf(def.name, sizeof(def.name), "node.execFile{target=static,placement=same}");
    struct run_results r;
    memset(&r, 0, sizeof(r));
    r.config =
        (struct run_config){.max_time_ns = 1000000000u, .min_samples = 4, .rounds = 1, .seed = 1};
    assert_int_equal(runner_init(&r, &def, 1), 0);
    assert_int_equal(runner_run(&r, NULL), 0);
    unsetenv("PROCBENCH_TEST_NODE_DRIVER");
    print_message("reason: %s\n", r.cases[0].reason);
    assert_int_equal(r.cases[0].status, CASE_FAILED);
    assert_contains(r.cases[0].reason, "Error: thrown at the first sample");
    assert_contains(r.cases[0].reason, "node exited with status 1");
    runner_free(&r);
    assert_no_child_left();
}

/* Runs the driver for node.spawn with requests as its whole input on fd 3;
 * returns its exit status and its stderr in err. */
static int driver_given(const char *requests, char *err, size_t err_len)
{
    int in[2], errp[2];
    assert_int_equal(pipe2(in, O_CLOEXEC), 0);
    assert_int_equal(pipe2(errp, O_CLOEXEC), 0);
    assert_int_equal(write(in[1], requests, strlen(requests)), (ssize_t)strlen(requests));
    close(in[1]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 3);
    posix_spawn_file_actions_addopen(&actions, 4, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, errp[1], 2);
    char child[PATH_MAX + 8];
    snprintf(child, sizeof(child), "child=%s", CHILD_PROGRAM);
    char *argv[] = {node_path,
                    driver_path,
                    (char *)"node.spawn",
                    child,
                    (char *)"target=static",
                    (char *)"stdio=inherit",
                    (char *)"detached=false",
                    (char *)"shell=false",
                    (char *)"heap=0",
                    (char *)"heap_kind=arraybuffer",
                    NULL};
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, node_path, &actions, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(errp[1]);
    size_t used = 0;
    ssize_t n;
    while ((n = read(errp[0], err + used, err_len - 1 - used)) > 0)
        used += (size_t)n;
    err[used] = '\0';
    close(errp[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_driver_checks_requests(void **state)
{
    (void)state;
    SKIP_WITHOUT_NODE();
    static const struct {
        const char *requests, *why;
    } bad[] = {
        {"S 2\n", "request for sample 2, expected 1"},
        {"S 1\nS 1\n", "request for sample 1, expected 2"},
        {"hello\n", "request 'hello' is not \"S SEQ\""},
        {"S 01\n", "is not \"S SEQ\""},
        {"S 1", "ends without a newline"},
    };
    /* The session check's child runs before the first request: the driver
     * must be past it (and it must have passed) before a request is read. */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[1024];
        int status = driver_given(bad[i].requests, err, sizeof(err));
        if (status != 2)
            fail_msg("requests '%s': driver exited %d, expected 2 (stderr: %s)", bad[i].requests,
                     status, err);
        assert_contains(err, bad[i].why);
    }
    /* And the good case: no request, end of file, exit 0. */
    char err[1024];
    assert_int_equal(driver_given("", err, sizeof(err)), 0);
    assert_string_equal(err, "");
}

/* Without node: every case skipped, the reason naming node. */
static void test_without_node_skipped(void **state)
{
    (void)state;
    setenv("PROCBENCH_NODE", "/nonexistent/node", 1);
    for (size_t i = 0; i < scenario_catalogue_count; i++) {
        const struct scenario *sc = scenario_catalogue[i];
        if (strncmp(sc->name, "node.", 5) != 0)
            continue;
        assert_non_null(sc->case_unavailable);
        struct param_value values[8];
        first_values(sc, values, NULL, NULL);
        struct case_ctx ctx = {.scenario = sc, .params = values};
        assert_int_equal(sc->case_unavailable(&ctx), -ENOENT);
        assert_contains(ctx.failure, sc->name);
        assert_contains(ctx.failure, "node not found: PROCBENCH_NODE=/nonexistent/node");
    }
    unsetenv("PROCBENCH_NODE");
    if (have_node) {
        const struct scenario *spawn = scenario_find("node.spawn");
        struct param_value values[8];
        first_values(spawn, values, NULL, NULL);
        struct case_ctx ctx = {.scenario = spawn, .params = values};
        assert_int_equal(spawn->case_unavailable(&ctx), 0);
        assert_string_equal(ctx.failure, "");
        /* A heap far beyond this machine is skipped with the reason. */
        first_values(spawn, values, "heap", "1T");
        assert_int_equal(spawn->case_unavailable(&ctx), -ENOMEM);
        assert_contains(ctx.failure, "node.spawn: heap=1T (arraybuffer) does not fit");
        assert_contains(ctx.failure, "MemAvailable is");
        const struct scenario *children = scenario_find("node.children");
        first_values(children, values, "count", "256");
        ctx = (struct case_ctx){.scenario = children, .params = values};
        if (children->case_unavailable(&ctx) != 0)
            assert_contains(ctx.failure, "count=256 Node processes does not fit");
    }
}

/* After every test, pass or fail: no knob left set for the next one (a
 * failed assertion leaves its test before its own unsetenv). */
static int clear_knobs(void **state)
{
    (void)state;
    unsetenv("PROCBENCH_TEST_NODE_DRIVER");
    unsetenv("PROCBENCH_TEST_NODE_TIMEOUT_MS");
    unsetenv("PROCBENCH_NODE");
    use_child_program(CHILD_PROGRAM);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_answer_accepted, clear_knobs),
        cmocka_unit_test_teardown(test_answer_refused, clear_knobs),
        cmocka_unit_test_teardown(test_stderr_line, clear_knobs),
        cmocka_unit_test_teardown(test_every_scenario_runs, clear_knobs),
        cmocka_unit_test_teardown(test_driver_faults_fail_samples, clear_knobs),
        cmocka_unit_test_teardown(test_corrupt_echo_fails_samples, clear_knobs),
        cmocka_unit_test_teardown(test_driver_setup_checks, clear_knobs),
        cmocka_unit_test_teardown(test_group_faults_fail_samples, clear_knobs),
        cmocka_unit_test_teardown(test_failing_child, clear_knobs),
        cmocka_unit_test_teardown(test_crashing_driver_fails_case, clear_knobs),
        cmocka_unit_test_teardown(test_driver_checks_requests, clear_knobs),
        cmocka_unit_test_teardown(test_without_node_skipped, clear_knobs),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
