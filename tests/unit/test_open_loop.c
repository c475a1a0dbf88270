/*
 * Tests of spawn's open loop (bench/spawn_open_loop.c) with a fake
 * operation, and of the spawn scenarios with rate > 0. What must hold
 * whatever the machine's speed: the schedule's arithmetic is exact; every
 * latency runs from the intended start, so it is never shorter than the
 * operation itself, and past capacity it includes the whole backlog (an
 * operation that sleeps 1 ms cannot keep up with 100,000 starts a second:
 * in the second window every start is at least a window late, which a
 * latency from the actual start would hide); a window always holds a
 * start; a failing operation fails the sample; the spawners' threads come
 * and go with it. No assertion bounds a time from above.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks.h"

#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analysis/open_loop.h"
#include "scenario.h"
#include "spawn_common.h"
#include "spawn_open_loop.h"

#define MS 1000000u

struct fake {
    uint64_t sleep_ns; /* each operation's length, at least */
    uint64_t op_ns;    /* what it reports as its own time */
    int fail_at;       /* the call that fails (1-based), 0: none */
    int calls;
    pthread_mutex_t lock;
};

static int fake_op(void *arg, size_t index, struct sample *out, char failure[SCENARIO_FAILURE_MAX])
{
    struct fake *f = arg;
    pthread_mutex_lock(&f->lock);
    int call = ++f->calls;
    pthread_mutex_unlock(&f->lock);
    if (f->sleep_ns > 0) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)f->sleep_ns};
        nanosleep(&ts, NULL);
    }
    if (call == f->fail_at) {
        snprintf(failure, SCENARIO_FAILURE_MAX, "fake %zu failed", index);
        return -EPIPE;
    }
    out->ns = f->op_ns;
    sample_report(out, SPAWN_METRIC_RETURN, 10);
    sample_report(out, SPAWN_METRIC_FIRST_INSTRUCTION, 20);
    out->child_maxrss_kb = 7;
    return 0;
}

static int count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_offsets_exact(void **state)
{
    (void)state;
    assert_int_equal(spawn_open_loop_offset_ns(0, 7), 0);
    assert_int_equal(spawn_open_loop_offset_ns(1, 3), 333333333);
    assert_int_equal(spawn_open_loop_offset_ns(3, 3), 1000000000);
    assert_int_equal(spawn_open_loop_offset_ns(5, 1000), 5000000);
    assert_int_equal(spawn_open_loop_offset_ns(1, SPAWN_OPEN_LOOP_RATE_MAX), 100);
    /* Far past 2^64 / 1e9 starts, where k * 1e9 would overflow. */
    assert_int_equal(spawn_open_loop_offset_ns(20000000003ull, 7), 2857142857571428571ull);
}

/* Past capacity: every latency of the second window is at least a window
 * late, and every one is at least the operation's own time. */
static void run_overloaded(size_t spawners)
{
    struct fake f = {.sleep_ns = 1 * MS, .op_ns = 1000};
    pthread_mutex_init(&f.lock, NULL);
    int threads = count_threads();
    struct spawn_open_loop *ol = NULL;
    assert_int_equal(spawn_open_loop_start(100000, spawners, fake_op, &f, &ol), 0);
    assert_int_equal(count_threads(), threads + (int)spawners - 1);
    for (int window = 1; window <= 2; window++) {
        struct sample out;
        char why[SCENARIO_FAILURE_MAX] = "";
        memset(&out, 0, sizeof(out));
        assert_int_equal(spawn_open_loop_sample(ol, &out, why), 0);
        assert_cmp(out.ops, >=, 1);
        assert_int_equal(out.op_latency_count, out.ops);
        assert_cmp(out.ns, >=, SPAWN_OPEN_LOOP_WINDOW_NS);
        for (size_t i = 0; i < out.op_latency_count; i++) {
            assert_cmp(out.op_latency_ns[i], >=, f.op_ns);
            if (window == 2 && out.op_latency_ns[i] < SPAWN_OPEN_LOOP_WINDOW_NS - 2 * MS)
                fail_msg("window 2, start %zu of %zu: latency %llu ns, less than the backlog of "
                         "a window (%u ns)",
                         i, out.op_latency_count, (unsigned long long)out.op_latency_ns[i],
                         SPAWN_OPEN_LOOP_WINDOW_NS);
        }
        assert_int_equal(out.metric[SPAWN_METRIC_RETURN], 10);
        assert_int_equal(out.metric[SPAWN_METRIC_FIRST_INSTRUCTION], 20);
        assert_int_equal(out.child_maxrss_kb, 7);
    }
    spawn_open_loop_stop(ol);
    assert_int_equal(count_threads(), threads);
    pthread_mutex_destroy(&f.lock);
}

static void test_overloaded_one_spawner(void **state)
{
    (void)state;
    run_overloaded(1);
}

static void test_overloaded_three_spawners(void **state)
{
    (void)state;
    run_overloaded(3);
}

/* A slow schedule (10 a second, windows of two periods) shared by three
 * spawners: every window holds one start at least, so one spawner at least
 * takes none (its empty share must be joined too). */
static void test_light_rate_windows(void **state)
{
    (void)state;
    struct fake f = {.op_ns = 500};
    pthread_mutex_init(&f.lock, NULL);
    struct spawn_open_loop *ol = NULL;
    assert_int_equal(spawn_open_loop_start(10, 3, fake_op, &f, &ol), 0);
    uint64_t ops = 0;
    for (int window = 0; window < 2; window++) {
        struct sample out;
        char why[SCENARIO_FAILURE_MAX] = "";
        memset(&out, 0, sizeof(out));
        assert_int_equal(spawn_open_loop_sample(ol, &out, why), 0);
        assert_cmp(out.ops, >=, 1);
        /* Two periods of 100 ms: at most the two starts due in it, and
         * any left over from before. */
        assert_in_range(out.ops, 1, 3);
        ops += out.ops;
        for (size_t i = 0; i < out.op_latency_count; i++)
            assert_cmp(out.op_latency_ns[i], >=, f.op_ns);
    }
    assert_int_equal(f.calls, ops);
    spawn_open_loop_stop(ol);
    pthread_mutex_destroy(&f.lock);
}

/* A failing operation fails its sample with its reason; bad arguments are
 * refused. */
static void test_failure_and_arguments(void **state)
{
    (void)state;
    struct fake f = {.op_ns = 500, .fail_at = 2};
    pthread_mutex_init(&f.lock, NULL);
    struct spawn_open_loop *ol = NULL;
    assert_int_equal(spawn_open_loop_start(1000, 1, fake_op, &f, &ol), 0);
    struct sample out;
    char why[SCENARIO_FAILURE_MAX] = "";
    memset(&out, 0, sizeof(out));
    assert_int_equal(spawn_open_loop_sample(ol, &out, why), -EPIPE);
    assert_string_equal(why, "fake 0 failed");
    spawn_open_loop_stop(ol);
    spawn_open_loop_stop(NULL);
    assert_int_equal(spawn_open_loop_start(0, 1, fake_op, &f, &ol), -EINVAL);
    assert_null(ol);
    assert_int_equal(spawn_open_loop_start(10, 0, fake_op, &f, &ol), -EINVAL);
    assert_null(ol);
    pthread_mutex_destroy(&f.lock);
}

/* Every spawn scenario at rate=200 with two spawners: windows of real
 * spawns, the first instruction reported where the static child is
 * exec'd, every child reaped, every descriptor closed. */
static void test_spawn_scenarios_open_loop(void **state)
{
    (void)state;
    use_child_program(CHILD_PROGRAM);
    int tested = 0;
    for (size_t i = 0; i < scenario_catalogue_count; i++) {
        const struct scenario *s = scenario_catalogue[i];
        if (strncmp(s->name, "spawn.", 6) != 0 || s->unavailable != NULL)
            continue;
        static const char *const settings[] = {"rate=200", "concurrency=2"};
        struct param_value values[PARAMS_MAX_PER_SCENARIO];
        assert_int_equal(scenario_values(s, settings, 2, values), 2);
        if (s->process_init != NULL)
            assert_int_equal(s->process_init(), 0);
        int fds_before = count_fds();
        struct case_ctx ctx = {
            .scenario = s, .params = values, .peer_cpu = -1, .ops_per_sample = 1};
        if (s->setup(&ctx) != 0)
            fail_msg("%s: setup: %s", s->name, ctx.failure);
        for (int k = 0; k < 2; k++) {
            struct sample out;
            memset(&out, 0, sizeof(out));
            if (s->sample(&ctx, &out) != 0)
                fail_msg("%s: sample: %s", s->name, ctx.failure);
            assert_cmp(out.ops, >=, 1);
            assert_int_equal(out.op_latency_count, out.ops);
            uint64_t longest = 0;
            for (size_t op = 0; op < out.ops; op++)
                longest = out.op_latency_ns[op] > longest ? out.op_latency_ns[op] : longest;
            /* A mean of the first instructions: within the longest latency. */
            bool execs = strcmp(s->params[0].name, "target") == 0;
            if (execs)
                assert_in_range(out.metric[SPAWN_METRIC_FIRST_INSTRUCTION], 0, longest);
            else
                assert_false(sample_reported(&out, SPAWN_METRIC_FIRST_INSTRUCTION));
        }
        s->teardown(&ctx);
        assert_null(ctx.state);
        assert_no_child_left();
        assert_int_equal(count_fds(), fds_before);
        tested++;
    }
    assert_int_equal(tested, 9);
}

/* A measured case of spawn.posix_spawn at rate (text) that achieved
 * ops_per_s. */
static struct case_result rate_case(const char *rate, double ops_per_s, enum case_status status)
{
    struct case_result c;
    memset(&c, 0, sizeof(c));
    c.def.scenario = scenario_find("spawn.posix_spawn");
    assert_non_null(c.def.scenario);
    char setting[64];
    snprintf(setting, sizeof(setting), "rate=%s", rate);
    const char *const settings[] = {setting};
    assert_int_equal(scenario_values(c.def.scenario, settings, 1, c.def.params), 1);
    c.def.param_count = params_count(c.def.scenario->params);
    c.status = status;
    c.stats.n = status == CASE_OK ? 100 : 0;
    c.ops_per_s = ops_per_s;
    snprintf(c.backlog, sizeof(c.backlog), "stale");
    return c;
}

/* The verdict: below 90% of the offered rate the backlog grows; a closed
 * loop, a failed case or one without a rate gets nothing. */
static void test_backlog_verdict(void **state)
{
    (void)state;
    struct case_result cases[] = {
        rate_case("1000", 500, CASE_OK), rate_case("1000", 899.9, CASE_OK),
        rate_case("1000", 900, CASE_OK), rate_case("1000", 1003, CASE_OK),
        rate_case("0", 1500, CASE_OK),   rate_case("1000", 100, CASE_FAILED),
        rate_case("1000", NAN, CASE_OK),
    };
    struct run_results r = {.cases = cases, .case_count = sizeof(cases) / sizeof(cases[0])};
    open_loop_compute(&r);
    static const char *const expect[] = {"grows", "grows", "keeps up", "keeps up", "", "", ""};
    for (size_t i = 0; i < r.case_count; i++) {
        assert_string_equal(cases[i].backlog, expect[i]);
        if (expect[i][0] != '\0')
            assert_cmp(cases[i].achieved_rate, ==, cases[i].ops_per_s);
        else
            assert_true(isnan(cases[i].achieved_rate));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets_exact),
        cmocka_unit_test(test_overloaded_one_spawner),
        cmocka_unit_test(test_overloaded_three_spawners),
        cmocka_unit_test(test_light_rate_windows),
        cmocka_unit_test(test_failure_and_arguments),
        cmocka_unit_test(test_spawn_scenarios_open_loop),
        cmocka_unit_test(test_backlog_verdict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
