/*
 * The node.* protocol checks, both ends. The harness side: answers of every
 * kind of wrong (sequence, format, range, bytes) are refused by
 * node_parse_answer(), and the telling line is picked out of a driver's
 * stderr. Then, with a real node (skipped when there is none): every node.*
 * scenario driven directly through setup, two samples and teardown; the
 * driver made to misbehave through its test knob PROCBENCH_TEST_NODE_DRIVER
 * (wrong sequence number, garbage, death, an uncaught exception, silence,
 * a corrupted echo) must fail the sample with the reason, and teardown must
 * leave no child and no descriptor; a crashing driver run by the runner is a
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

static int parse(const char *line, unsigned long long seq, struct sample *out, char *why)
{
    memset(out, 0, sizeof(*out));
    why[0] = failure[0] = '\0';
    return node_parse_answer("node.test", line, seq, out, failure, why, 160);
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
        {"R 1 1500 0 0 - 0 9", "malformed answer"},
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

/* The values of scenario's parameters: the first default of each, or
 * choice for the parameter called name. */
static void first_values(const struct scenario *sc, struct param_value *values, const char *name,
                         const char *choice)
{
    for (size_t i = 0; sc->params != NULL && sc->params[i].name != NULL; i++) {
        const struct param_spec *spec = &sc->params[i];
        char list[128];
        const char *text = name != NULL && strcmp(spec->name, name) == 0 ? choice : spec->defaults;
        snprintf(list, sizeof(list), "%.*s", (int)strcspn(text, ","), text);
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
    }
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
    setenv("PROCBENCH_TEST_NODE_TIMEOUT_MS", "300", 1);
    assert_knob_fails("hang", "node.spawn", NULL, NULL, "no answer from the driver within 300 ms");
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
        struct case_ctx ctx = {.scenario = sc};
        assert_int_equal(sc->case_unavailable(&ctx), -ENOENT);
        assert_contains(ctx.failure, sc->name);
        assert_contains(ctx.failure, "node not found: PROCBENCH_NODE=/nonexistent/node");
    }
    unsetenv("PROCBENCH_NODE");
    if (have_node) {
        struct case_ctx ctx = {.scenario = scenario_find("node.spawn")};
        assert_int_equal(ctx.scenario->case_unavailable(&ctx), 0);
        assert_string_equal(ctx.failure, "");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer_accepted),
        cmocka_unit_test(test_answer_refused),
        cmocka_unit_test(test_stderr_line),
        cmocka_unit_test(test_every_scenario_runs),
        cmocka_unit_test(test_driver_faults_fail_samples),
        cmocka_unit_test(test_corrupt_echo_fails_samples),
        cmocka_unit_test(test_crashing_driver_fails_case),
        cmocka_unit_test(test_driver_checks_requests),
        cmocka_unit_test(test_without_node_skipped),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
