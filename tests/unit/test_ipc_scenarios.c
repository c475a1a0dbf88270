/*
 * The ipc.* scenarios driven directly, without the runner, in this process:
 * for every ipc.* scenario of the catalogue, every value of its own word
 * parameter (type, wait, framing), both modes, and sizes of 1 byte, 100000
 * bytes (more than a pipe or socket buffer, and not a power of two) and
 * 1 MiB: setup, three samples (of 1, 2 and 3 operations), teardown. Every
 * sample must succeed and a stream sample report its bytes; afterwards no
 * child, no descriptor, no message queue and no FIFO directory may be left
 * (queues counted by the names only this process makes, FIFOs in a TMPDIR
 * of this test's own: other tests run beside it).
 * Then the failures: with the test knob PROCBENCH_TEST_CORRUPT=1 the peer
 * damages a message, and a peer killed behind the scenario's back; either
 * way the sample must fail, saying why, and teardown must still leave
 * nothing behind.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "checks.h"

#include "base/params.h"
#include "scenario.h"
#include "checks.h"

#define SAMPLES 3

/* Where this process's message queues can be listed (NULL: nowhere), and
 * the TMPDIR, made for this run of the test alone, that the FIFO scenario
 * makes its directory in. */
static const char *mqueue_dir;
static char tmp_dir[512];

/* Queues whose names this process made (see own_queue_prefix()): other
 * tests and programs make queues at the same time, and are not counted. */
static int count_queues(void)
{
    return mqueue_dir != NULL ? count_named(mqueue_dir, own_queue_prefix()) : 0;
}

/* The case being run, torn down by the test's teardown when a check failed
 * half-way: a failed test must not leave its peer to the next one. */
static struct {
    const struct scenario *sc;
    struct case_ctx ctx;
    bool open;
} current;

static int group_setup(void **state)
{
    (void)state;
    setenv("PROCBENCH_CHILD", CHILD_PROGRAM, 1);
    unsetenv("PROCBENCH_TEST_CORRUPT");
    snprintf(tmp_dir, sizeof(tmp_dir), "%s/ipc-tmp-XXXXXX", TEST_OUT_DIR);
    if (mkdtemp(tmp_dir) == NULL)
        return -1;
    setenv("TMPDIR", tmp_dir, 1);
    mqueue_dir = queue_folder(TEST_OUT_DIR "/ipc-mqueue");
    if (mqueue_dir == NULL)
        print_message("note: no mqueue file system to list: queue leaks not checked\n");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    return rmdir(tmp_dir) == 0 ? 0 : -1;
}

/* After each test: a case a failed check left open is torn down, and
 * whatever child is left is killed and reaped. */
static int case_teardown(void **state)
{
    (void)state;
    if (current.open) {
        current.open = false;
        current.sc->teardown(&current.ctx);
    }
    reaper_collect();
    return 0;
}

static void assert_no_child(const char *label)
{
    if (child_left())
        fail_msg("%s: a child is left", label);
}

/* What the process holds before a case, to compare with after. */
struct holdings {
    int fds, queues, tmp_entries;
};

static struct holdings holdings_now(void)
{
    return (struct holdings){count_fds(), count_queues(), count_named(tmp_dir, "")};
}

static void assert_holdings(const char *label, const char *when, struct holdings before)
{
    struct holdings now = holdings_now();
    if (now.fds != before.fds || now.queues != before.queues ||
        now.tmp_entries != before.tmp_entries)
        fail_msg("%s %s: %d descriptors (%d before), %d queues (%d), %d entries in TMPDIR (%d)",
                 label, when, now.fds, before.fds, now.queues, before.queues, now.tmp_entries,
                 before.tmp_entries);
}

enum trouble {
    NO_TROUBLE,
    CORRUPT,   /* PROCBENCH_TEST_CORRUPT=1 */
    KILL_PEER, /* SIGKILL to the peer after setup */
};

/* One case: setup, samples, teardown, and the checks that go with them. */
static void run_case(const struct scenario *sc, const struct param_value *values, bool stream,
                     uint64_t size, enum trouble trouble, const char *label)
{
    if (sc->process_init != NULL)
        assert_int_equal(sc->process_init(), 0);
    struct holdings before = holdings_now();
    if (trouble == CORRUPT)
        setenv("PROCBENCH_TEST_CORRUPT", "1", 1);
    current.sc = sc;
    current.ctx =
        (struct case_ctx){.scenario = sc, .params = values, .peer_cpu = -1, .ops_per_sample = 1};
    struct case_ctx *ctx = &current.ctx;
    int rc = sc->setup(ctx);
    unsetenv("PROCBENCH_TEST_CORRUPT");
    if (rc != 0)
        fail_msg("%s: setup failed: %s", label, ctx->failure);
    current.open = true;
    assert_cmp(ctx->peer_pid, >, 0);
    /* Names (queues, FIFOs) are gone as soon as both ends are open. */
    struct holdings during = holdings_now();
    assert_int_equal(during.queues, before.queues);
    assert_int_equal(during.tmp_entries, before.tmp_entries);
    if (trouble == KILL_PEER)
        assert_int_equal(kill(ctx->peer_pid, SIGKILL), 0);

    for (int i = 0; i < SAMPLES; i++) {
        struct sample out;
        memset(&out, 0, sizeof(out));
        ctx->ops_per_sample = (uint64_t)i + 1;
        rc = sc->sample(ctx, &out);
        if (trouble == NO_TROUBLE) {
            if (rc != 0)
                fail_msg("%s: sample %d failed: %s", label, i, ctx->failure);
            assert_cmp(out.ns, >, 0);
            if (stream) {
                assert_cmp(out.bytes, >=, size * ctx->ops_per_sample);
                assert_int_equal(out.bytes % size, 0);
            } else {
                assert_int_equal(out.bytes, 0);
            }
            continue;
        }
        /* Every sample fails, each with a reason naming the scenario. */
        if (rc == 0)
            fail_msg("%s: sample %d succeeded despite the trouble", label, i);
        if (strstr(ctx->failure, sc->name) == NULL)
            fail_msg("%s: reason does not name the scenario: %s", label, ctx->failure);
        const char *expected = trouble == CORRUPT ? "corrupt" : "killed by signal 9";
        if (i == 0 && strstr(ctx->failure, expected) == NULL)
            fail_msg("%s: reason does not say '%s': %s", label, expected, ctx->failure);
    }
    current.open = false;
    sc->teardown(ctx);
    assert_no_child(label);
    assert_holdings(label, "after teardown", before);
}

/* Calls run_case for every combination of values of sc's parameters that
 * this test wants: each choice of its own word, each mode in modes, each
 * size in sizes. */
static void run_scenario(const struct scenario *sc, const char *modes, const char *sizes,
                         enum trouble trouble)
{
    const struct param_spec *specs = sc->params;
    size_t n = params_count(specs);
    assert_in_range(n, 2, 3);
    /* The word that is neither mode nor size, if any, comes first. */
    const char *words = n == 3 ? specs[0].choices : "";
    struct param_value lists[3][PARAMS_MAX_VALUES];
    size_t counts[3] = {1, 0, 0};
    char err[256] = "";
    for (size_t i = 0; i < n; i++) {
        const char *list = strcmp(specs[i].name, "mode") == 0   ? modes
                           : strcmp(specs[i].name, "size") == 0 ? sizes
                                                                : words;
        if (params_parse_list(&specs[i], list, lists[i], &counts[i], err, sizeof(err)) != 0)
            fail_msg("%s: %s", sc->name, err);
    }
    size_t mode_at = n - 2, size_at = n - 1;
    assert_string_equal(specs[mode_at].name, "mode");
    assert_string_equal(specs[size_at].name, "size");
    for (size_t w = 0; w < (n == 3 ? counts[0] : 1); w++) {
        for (size_t m = 0; m < counts[mode_at]; m++) {
            for (size_t s = 0; s < counts[size_at]; s++) {
                struct param_value values[3];
                if (n == 3)
                    values[0] = lists[0][w];
                values[mode_at] = lists[mode_at][m];
                values[size_at] = lists[size_at][s];
                char word[48] = "", label[160];
                if (n == 3)
                    snprintf(word, sizeof(word), "%s=%s,", specs[0].name, values[0].text);
                snprintf(label, sizeof(label), "%s{%smode=%s,size=%s}", sc->name, word,
                         values[mode_at].text, values[size_at].text);
                run_case(sc, values, params_is(&values[mode_at], "stream"), values[size_at].number,
                         trouble, label);
            }
        }
    }
}

static size_t run_every_ipc_scenario(const char *modes, const char *sizes, enum trouble trouble)
{
    size_t found = 0;
    for (size_t i = 0; i < scenario_catalogue_count; i++) {
        const struct scenario *sc = scenario_catalogue[i];
        if (strncmp(sc->name, "ipc.", 4) != 0)
            continue;
        run_scenario(sc, modes, sizes, trouble);
        found++;
    }
    return found;
}

static void test_every_case_runs_clean(void **state)
{
    (void)state;
    /* pipe, socketpair, shm, eventfd, mq, fifo, tcp, uv_pipe */
    assert_int_equal(run_every_ipc_scenario("pingpong,stream", "1,100000,1M", NO_TROUBLE), 8);
}

static void test_corruption_is_caught(void **state)
{
    (void)state;
    assert_int_equal(run_every_ipc_scenario("pingpong,stream", "1,64", CORRUPT), 8);
}

static void test_dead_peer_is_reported(void **state)
{
    (void)state;
    assert_int_equal(run_every_ipc_scenario("pingpong,stream", "64", KILL_PEER), 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_every_case_runs_clean, case_teardown),
        cmocka_unit_test_teardown(test_corruption_is_caught, case_teardown),
        cmocka_unit_test_teardown(test_dead_peer_is_reported, case_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
