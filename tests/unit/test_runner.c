/*
 * The runner against scenarios whose behaviour the test controls: sample
 * counts and rounds follow the configuration, the interleaving is a function
 * of the seed, failures are counted and end a broken case, setup failures and
 * unavailable scenarios are reported, and teardown always follows setup.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "checks.h"

#include "engine/histogram.h"
#include "engine/interrupt.h"
#include "engine/runner.h"
#include "cli/test_hook.h"

/* What the fake scenario saw and does. Rounds run in processes forked from
 * the test, so this lives in shared memory for the test to read back. */
struct fake_state {
    int setups, teardowns, samples;
    int fail_every; /* sample k fails when k % fail_every == 0 (0: never) */
    int setup_fails;
    int crash_at;   /* sample k calls abort() (0: never) */
    int leak_child; /* setup forks a child that nobody reaps */
    int leak_fd;    /* setup opens a descriptor that teardown keeps */
    int hang_at;    /* sample k never returns (0: never) */
    int setup_hangs;
    int signal_at; /* fake.signaller's sample k sends signal_sent to the harness, then hangs */
    int signal_sent, signaller_samples;
    pid_t hung_pid; /* the process that hung, to check it is gone */
    uint64_t value_ns;
    int holds, unholds, hold_fails;
    int setups_held, setups_unheld, rounds_from_holder;
    pid_t holder_pid;
};
static struct fake_state *fake_shared;
#define fake (*fake_shared)

/* What fake.a and fake.b declare: a time, a size reported as 0, and a
 * metric no sample reports. */
enum { FAKE_RETURN, FAKE_HELD, FAKE_NEVER };
static const struct metric_spec fake_metrics[] = {
    [FAKE_RETURN] = {.name = "return",
                     .unit = METRIC_NS,
                     .label = "returns after",
                     .meaning = "half the sample",
                     .aggregate = METRIC_P50 | METRIC_P99},
    [FAKE_HELD] = {.name = "held",
                   .unit = METRIC_BYTES,
                   .label = "held",
                   .meaning = "always 0",
                   .aggregate = METRIC_P50 | METRIC_MAX},
    [FAKE_NEVER] = {.name = "never",
                    .unit = METRIC_COUNT,
                    .label = "never",
                    .meaning = "not reported",
                    .aggregate = METRIC_P90},
    {.name = NULL},
};
/* A declaration the runner must refuse: one name twice. */
static const struct metric_spec fake_twice[] = {
    {.name = "x", .unit = METRIC_NS, .label = "x", .meaning = "x", .aggregate = METRIC_P50},
    {.name = "x", .unit = METRIC_NS, .label = "x", .meaning = "x", .aggregate = METRIC_P50},
    {.name = NULL},
};

static int fake_setup(struct case_ctx *ctx)
{
    if (fake.setup_fails) {
        return scenario_fail(ctx, -EIO, "no peer");
    }
    fake.setups++;
    if (fake.setup_hangs) {
        fake.hung_pid = getpid();
        for (;;)
            pause();
    }
    if (fake.leak_child && fork() == 0) {
        pause();
        _exit(0);
    }
    if (fake.leak_fd)
        (void)dup(0);
    return 0;
}

static int fake_sample(struct case_ctx *ctx, struct sample *out)
{
    (void)ctx;
    fake.samples++;
    if (fake.crash_at && fake.samples == fake.crash_at)
        abort();
    if (fake.hang_at && fake.samples == fake.hang_at) {
        /* A grandchild hangs too: killing the round's process alone would
         * leave it behind. */
        pid_t grandchild = fork();
        if (grandchild == 0) {
            for (;;)
                pause();
        }
        fake.hung_pid = grandchild;
        for (;;)
            pause();
    }
    if (fake.fail_every && fake.samples % fake.fail_every == 0) {
        return scenario_fail(ctx, -EPIPE, "fake failure %d", fake.samples);
    }
    out->ns = fake.value_ns;
    sample_report(out, FAKE_RETURN, fake.value_ns / 2);
    sample_report(out, FAKE_HELD, 0); /* 0 bytes is a value like any */
    return 0;
}

static int fake_signaller_sample(struct case_ctx *ctx, struct sample *out)
{
    (void)ctx;
    if (++fake.signaller_samples == fake.signal_at) {
        fake.hung_pid = getpid();
        kill(getppid(), fake.signal_sent);
        for (;;)
            pause();
    }
    out->ns = fake.value_ns;
    return 0;
}

/* An operation of 10 ns moving 100 bytes: far under 100 clock reads, so
 * the harness must batch it. */
static int fake_tiny_sample(struct case_ctx *ctx, struct sample *out)
{
    fake.samples++;
    out->ns = 10 * ctx->ops_per_sample;
    out->bytes = 100 * ctx->ops_per_sample;
    return 0;
}

/* An operation that is slow at first and settles, as a fork from a
 * freshly written ballast does: 8, 4, 2 us, then 1.99 us (no longer a new
 * fastest by 2%), then 2 us for good. The count is the round process's own
 * (each round is a new process forked from the harness, starting at 0). */
static int fake_settling_sample(struct case_ctx *ctx, struct sample *out)
{
    (void)ctx;
    static const uint64_t first[] = {8000, 4000, 2000, 1990};
    static size_t in_round;
    fake.samples++;
    out->ns = in_round < sizeof(first) / sizeof(first[0]) ? first[in_round] : 2000;
    in_round++;
    return 0;
}

static void fake_teardown(struct case_ctx *ctx)
{
    (void)ctx;
    fake.teardowns++;
}

/* Two scenarios that differ only by name, to watch the interleaving. */
#define FAKE_SCENARIO(scenario_name)                                                               \
    {                                                                                              \
        .name = scenario_name, .summary = "test", .default_placements = "free",                    \
        .placements_supported = PLACEMENTS_ALL, .metrics = fake_metrics, .setup = fake_setup,      \
        .sample = fake_sample, .teardown = fake_teardown,                                          \
    }
static const struct scenario fake_a = FAKE_SCENARIO("fake.a");
static const struct scenario fake_b = FAKE_SCENARIO("fake.b");
static const struct scenario fake_tiny = {
    .name = "fake.tiny",
    .summary = "test",
    .default_placements = "free",
    .placements_supported = PLACEMENTS_ALL,
    .batchable = true,
    .sample = fake_tiny_sample,
};
static const struct scenario fake_bad_metrics = {
    .name = "fake.bad_metrics",
    .summary = "test",
    .default_placements = "free",
    .placements_supported = PLACEMENTS_ALL,
    .metrics = fake_twice,
    .sample = fake_sample,
};
/* An analysis the runner must refuse: a ratio to nothing. */
static const struct analysis_spec fake_ratio_to_nothing[] = {
    {.kind = ANALYSIS_RATIO, .column = "vs_nothing", .label = "ratio"},
    {.column = NULL},
};
static const struct scenario fake_bad_analyses = {
    .name = "fake.bad_analyses",
    .summary = "test",
    .default_placements = "free",
    .placements_supported = PLACEMENTS_ALL,
    .analyses = fake_ratio_to_nothing,
    .sample = fake_sample,
};
static const struct scenario fake_missing = {
    .name = "fake.missing",
    .summary = "test",
    .default_placements = "free",
    .placements_supported = PLACEMENTS_ALL,
    .unavailable = "built without fakes",
    .sample = fake_sample,
};

static struct run_config small_config(void)
{
    struct run_config c = {
        .warmup_ns = 0,
        .min_time_ns = 0,
        .max_time_ns = 10ull * 1000000000u,
        .min_samples = 30,
        .rounds = 3,
        .seed = 42,
        .hold = true,
    };
    return c;
}

static void run_cases(struct run_results *r, const struct scenario *const *scs, size_t count,
                      struct run_config config)
{
    struct case_def defs[4];
    memset(defs, 0, sizeof(defs));
    for (size_t i = 0; i < count; i++) {
        defs[i].scenario = scs[i];
        defs[i].placement = PLACEMENT_FREE;
        snprintf(defs[i].name, sizeof(defs[i].name), "%s{placement=free}", scs[i]->name);
    }
    memset(r, 0, sizeof(*r));
    r->config = config;
    r->env.clock_overhead_ns = 20;
    assert_int_equal(runner_init(r, defs, count), 0);
    assert_int_equal(runner_run(r, NULL), 0);
}

static void reset_fake(void)
{
    if (!fake_shared) {
        void *p = mmap(NULL, sizeof(*fake_shared), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        assert_ptr_not_equal(p, MAP_FAILED);
        fake_shared = p;
    }
    memset(fake_shared, 0, sizeof(*fake_shared));
    fake.value_ns = 12345;
}

static void test_counts_and_rounds(void **state)
{
    (void)state;
    reset_fake();
    const struct scenario *scs[] = {&fake_a};
    struct run_results r;
    run_cases(&r, scs, 1, small_config());
    const struct case_result *c = &r.cases[0];
    assert_int_equal(c->status, CASE_OK);
    /* 30 samples in 3 rounds: ceil(30/3) = 10 per round, nothing more since
     * min_time is 0. */
    assert_int_equal(c->rounds, 3);
    assert_int_equal(c->stats.n, 30);
    assert_int_equal(r.round_count, 3);
    assert_int_equal(fake.setups, 3);
    assert_int_equal(fake.teardowns, 3);
    /* Two warm-up samples per round on top of the timed ones: a constant
     * is settled at once. */
    assert_int_equal(fake.samples, 36);
    assert_int_equal(c->stats.p50_ns, 12345);
    /* Values read back are clamped to the exact min and max, so a constant
     * comes back exactly. */
    assert_int_equal(c->metric[FAKE_RETURN].stats.n, 30);
    assert_int_equal(c->metric[FAKE_RETURN].stats.p50_ns, 6172);
    assert_int_equal(c->metric[FAKE_HELD].stats.n, 30);
    assert_int_equal(c->metric[FAKE_HELD].stats.max_ns, 0);
    assert_int_equal(c->metric[FAKE_NEVER].stats.n, 0);
    assert_ptr_equal(results_case_metric(c, "held"), &c->metric[FAKE_HELD]);
    assert_null(results_case_metric(c, "rss_growth"));
    for (size_t i = 0; i < r.round_count; i++) {
        assert_int_equal(r.rounds[i].n, 10);
        assert_int_equal(r.rounds[i].round, i);
        assert_int_equal(r.rounds[i].sequence, i);
    }
    runner_free(&r);
}

/* Eight passes of count cases, shuffled by seed: 8 * count rounds. */
static void run_eight_passes(struct run_results *r, const struct scenario *const *scs, size_t count,
                             uint64_t seed)
{
    struct run_config cfg = small_config();
    cfg.seed = seed;
    cfg.rounds = 8;
    cfg.min_samples = 8;
    reset_fake();
    run_cases(r, scs, count, cfg);
    assert_int_equal(r->round_count, 8 * count);
}

/* The order of rounds across cases is shuffled by the seed: the same seed
 * gives the same order, and some seed gives another. */
static void sequence_of(uint64_t seed, char *out, size_t len)
{
    const struct scenario *scs[] = {&fake_a, &fake_b};
    struct run_results r;
    run_eight_passes(&r, scs, 2, seed);
    size_t used = 0;
    for (size_t i = 0; i < r.round_count; i++)
        used += (size_t)snprintf(out + used, len - used, "%zu", r.rounds[i].case_index);
    runner_free(&r);
}

/* Warm-up goes on past its time while each sample is a new fastest by
 * more than 2%, so that no timed sample is from the settling part. */
static void test_warm_up_waits_until_settled(void **state)
{
    (void)state;
    reset_fake();
    static const struct scenario settling = {
        .name = "fake.settling",
        .summary = "test",
        .default_placements = "free",
        .placements_supported = PLACEMENTS_ALL,
        .sample = fake_settling_sample,
    };
    const struct scenario *scs[] = {&settling};
    struct run_results r;
    run_cases(&r, scs, 1, small_config());
    const struct case_result *c = &r.cases[0];
    assert_int_equal(c->status, CASE_OK);
    /* Per round: 8000, 4000, 2000 and 1990 warm up (1990 is the first
     * that is no new fastest by 2%), then 10 timed samples of 2000. */
    assert_int_equal(fake.samples, 3 * (4 + 10));
    assert_int_equal(c->stats.n, 30);
    assert_int_equal(c->stats.max_ns, 2000);
    assert_int_equal(c->stats.p50_ns, 2000);
    runner_free(&r);
}

static void test_seeded_interleaving(void **state)
{
    (void)state;
    char first[64], again[64], other[64];
    sequence_of(1, first, sizeof(first));
    sequence_of(1, again, sizeof(again));
    assert_string_equal(first, again);
    /* Every pass runs each case once, in some order. */
    for (size_t pass = 0; pass < 8; pass++)
        assert_cmp(first[2 * pass], !=, first[2 * pass + 1]);
    bool differs = false;
    for (uint64_t seed = 2; seed < 10 && !differs; seed++) {
        sequence_of(seed, other, sizeof(other));
        differs = strcmp(first, other) != 0;
    }
    assert_true(differs);
}

/* Cases that differ only by their scenario within one family take their
 * rounds side by side in every pass, so that ratios between them see the
 * same machine; a case of another family goes before or after the pair. */
static void test_family_peers_side_by_side(void **state)
{
    (void)state;
    static const struct scenario other = FAKE_SCENARIO("other.a");
    const struct scenario *scs[] = {&fake_a, &other, &fake_b};
    struct run_results r;
    run_eight_passes(&r, scs, 3, 42);
    for (size_t pass = 0; pass < 8; pass++) {
        size_t first = r.rounds[3 * pass].case_index, last = r.rounds[3 * pass + 2].case_index;
        assert_true(first == 1 || last == 1);
    }
    runner_free(&r);
}

static void test_failures_counted(void **state)
{
    (void)state;
    reset_fake();
    fake.fail_every = 5;
    const struct scenario *scs[] = {&fake_a};
    struct run_results r;
    run_cases(&r, scs, 1, small_config());
    const struct case_result *c = &r.cases[0];
    assert_int_equal(c->status, CASE_OK);
    assert_cmp(c->failures, >, 0);
    assert_int_equal(c->stats.n, 30);
    assert_contains(c->reason, "samples failed; first: fake.a: fake failure");
    runner_free(&r);
}

static void test_broken_case_fails(void **state)
{
    (void)state;
    reset_fake();
    fake.fail_every = 1;
    const struct scenario *scs[] = {&fake_a};
    struct run_results r;
    run_cases(&r, scs, 1, small_config());
    const struct case_result *c = &r.cases[0];
    assert_int_equal(c->status, CASE_FAILED);
    assert_int_equal(c->stats.n, 0);
    assert_contains(c->reason, "in a row failed: fake.a: fake failure 1");
    /* It stopped after the limit instead of trying every round. */
    assert_int_equal(fake.samples, 3);
    assert_int_equal(fake.setups, fake.teardowns);
    runner_free(&r);
}

static void test_setup_failure_and_unavailable(void **state)
{
    (void)state;
    reset_fake();
    fake.setup_fails = 1;
    const struct scenario *scs[] = {&fake_a, &fake_missing};
    struct run_results r;
    run_cases(&r, scs, 2, small_config());
    assert_int_equal(r.cases[0].status, CASE_FAILED);
    assert_string_equal(r.cases[0].reason, "setup: fake.a: no peer");
    assert_int_equal(fake.teardowns, 0);
    assert_int_equal(r.cases[1].status, CASE_SKIPPED);
    assert_string_equal(r.cases[1].reason, "built without fakes");
    runner_free(&r);
}

/* A scenario whose metric declarations are wrong fails its cases, naming
 * the problem, rather than measuring into histograms nobody can name. */
static void test_bad_metric_declaration_fails(void **state)
{
    (void)state;
    reset_fake();
    const struct scenario *scs[] = {&fake_bad_metrics, &fake_bad_analyses, &fake_a};
    struct run_results r;
    run_cases(&r, scs, 3, small_config());
    assert_int_equal(r.cases[0].status, CASE_FAILED);
    assert_string_equal(
        r.cases[0].reason,
        "fake.bad_metrics declares its metrics wrongly: metric 'x': declared twice");
    assert_int_equal(r.cases[1].status, CASE_FAILED);
    assert_string_equal(r.cases[1].reason,
                        "fake.bad_analyses declares its analyses wrongly: analysis 'vs_nothing': "
                        "needs the partner scenario it compares with");
    assert_int_equal(r.cases[2].status, CASE_OK);
    assert_int_equal(r.cases[2].metric[FAKE_RETURN].stats.n, 30);
    runner_free(&r);
}

static void test_ci_target_stops_early(void **state)
{
    (void)state;
    reset_fake();
    const struct scenario *scs[] = {&fake_a};
    struct run_config cfg = small_config();
    cfg.min_samples = 300;
    cfg.rounds = 3;
    cfg.ci_target_pct = 1.0;
    struct run_results r;
    run_cases(&r, scs, 1, cfg);
    /* Every sample is equal, so the interval is zero wide once the floors
     * (3 rounds, 300 samples) are met: the case ends there, on target. */
    assert_int_equal(r.cases[0].rounds, 3);
    assert_int_equal(r.cases[0].stats.n, 300);
    assert_int_equal(r.cases[0].end, CASE_END_TARGET);
    assert_true(r.cases[0].ci_target_set);
    assert_true(r.cases[0].ci_target_met);
    assert_string_equal(case_ci_target_met_name(&r.cases[0]), "yes");
    assert_true(r.cases[0].p50_ci_pct == 0.0);
    runner_free(&r);
}

/* Samples spread over 10-15 us, in a fixed cycle: their median's interval
 * is a few percent wide and cannot reach 0.01%. */
static int fake_noisy_sample(struct case_ctx *ctx, struct sample *out)
{
    (void)ctx;
    fake.samples++;
    out->ns = 10000 + (uint64_t)fake.samples * 7919 % 5000;
    return 0;
}

static const struct scenario fake_noisy = {
    .name = "fake.noisy",
    .summary = "test",
    .default_placements = "free",
    .placements_supported = PLACEMENTS_ALL,
    .sample = fake_noisy_sample,
};

/* A target out of reach: the case runs until its ceiling of measured time
 * and says so; without a target it ends at its floors. */
static void test_ci_target_missed_at_max_time(void **state)
{
    (void)state;
    reset_fake();
    const struct scenario *scs[] = {&fake_noisy};
    struct run_config cfg = small_config();
    cfg.ci_target_pct = 0.01;
    cfg.max_time_ns = 20u * 1000000u;
    cfg.round_ns = 2u * 1000000u;
    struct run_results r;
    run_cases(&r, scs, 1, cfg);
    const struct case_result *c = &r.cases[0];
    assert_int_equal(c->status, CASE_OK);
    assert_int_equal(c->end, CASE_END_MAX_TIME);
    assert_true(c->measured_ns >= cfg.max_time_ns);
    assert_true(c->rounds >= 3);
    assert_false(c->ci_target_met);
    assert_string_equal(case_ci_target_met_name(c), "no");
    assert_string_equal(case_end_name(c->end), "max-time");
    assert_true(c->p50_ci_pct > 0.01 && c->p50_ci_pct < 50);
    runner_free(&r);

    reset_fake();
    cfg.ci_target_pct = 0;
    run_cases(&r, scs, 1, cfg);
    assert_int_equal(r.cases[0].end, CASE_END_FLOORS);
    assert_int_equal(r.cases[0].rounds, 3);
    assert_string_equal(case_ci_target_met_name(&r.cases[0]), "");
    runner_free(&r);
}

/* A time budget already spent when the run starts: every case gets its
 * floor of rounds, sampling no more than the floor of samples asks (the
 * planner shrinks the rounds), and then stops, flagged. */
static void test_time_budget_stops_at_floors(void **state)
{
    (void)state;
    reset_fake();
    const struct scenario *scs[] = {&fake_noisy, &fake_b};
    struct run_config cfg = small_config();
    cfg.ci_target_pct = 0.01;
    cfg.round_ns = 50u * 1000000u;
    cfg.time_budget_ns = 1;
    struct run_results r;
    fake.value_ns = 1000;
    run_cases(&r, scs, 2, cfg);
    for (size_t i = 0; i < 2; i++) {
        const struct case_result *c = &r.cases[i];
        assert_int_equal(c->status, CASE_OK);
        assert_int_equal(c->rounds, 3);
        assert_int_equal(c->stats.n, 30);
    }
    /* The noisy case missed its target; the constant one met it anyway. */
    assert_int_equal(r.cases[0].end, CASE_END_BUDGET);
    assert_false(r.cases[0].ci_target_met);
    assert_string_equal(case_end_name(r.cases[0].end), "time-budget");
    assert_int_equal(r.cases[1].end, CASE_END_TARGET);
    runner_free(&r);
}

/* With the clock's overhead at 20 ns (run_cases sets it), a 10 ns operation
 * is batched to span 100 reads: 200 per sample. Figures stay per operation,
 * and throughput is bytes over the time that moved them. */
static void test_batching_and_throughput(void **state)
{
    (void)state;
    reset_fake();
    const struct scenario *scs[] = {&fake_tiny};
    struct run_results r;
    run_cases(&r, scs, 1, small_config());
    const struct case_result *c = &r.cases[0];
    assert_int_equal(c->status, CASE_OK);
    assert_int_equal(c->ops_per_sample, 200);
    assert_int_equal(c->stats.n, 30);
    assert_int_equal(c->stats.p50_ns, 10);
    assert_int_equal(c->bytes_per_s, 10000000000ull); /* 100 bytes per 10 ns */
    runner_free(&r);
}

/* A scenario that crashes fails its case with the signal, and the run goes
 * on to the next case. */
static void test_crash_fails_case(void **state)
{
    (void)state;
    reset_fake();
    fake.crash_at = 5;
    const struct scenario *scs[] = {&fake_a};
    struct run_results r;
    run_cases(&r, scs, 1, small_config());
    assert_int_equal(r.cases[0].status, CASE_FAILED);
    if (!strstr(r.cases[0].reason, "killed by signal 6"))
        fail_msg("reason: %s", r.cases[0].reason);
    runner_free(&r);
}

/* A teardown that leaves a child or a descriptor behind fails the case, and
 * what it left is removed: the test process has no child afterwards. */
static void test_leaks_fail_case(void **state)
{
    (void)state;
    const struct scenario *scs[] = {&fake_a};
    for (int kind = 0; kind < 2; kind++) {
        reset_fake();
        if (kind == 0)
            fake.leak_child = 1;
        else
            fake.leak_fd = 1;
        struct run_results r;
        run_cases(&r, scs, 1, small_config());
        assert_int_equal(r.cases[0].status, CASE_FAILED);
        const char *expect = kind == 0 ? "left 1 child process(es) and 0 descriptor(s)"
                                       : "left 0 child process(es) and 1 descriptor(s)";
        if (!strstr(r.cases[0].reason, expect))
            fail_msg("reason: '%s', expected '%s'", r.cases[0].reason, expect);
        errno = 0;
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);
        runner_free(&r);
    }
}

/* When the round's process cannot be forked (EAGAIN under RLIMIT_NPROC),
 * the case fails with the reason and the run ends, instead of retrying the
 * case for ever. A real limit, not a mock: a child of the test drops to an
 * unprivileged user (root is exempt from RLIMIT_NPROC) with a limit of one
 * process, itself. */
static void test_fork_failure_fails_case(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        print_message("needs root to drop to another user; skipped\n");
        skip();
    }
    reset_fake();
    fflush(NULL);
    pid_t pid = fork();
    assert_cmp(pid, >=, 0);
    if (pid == 0) {
        struct rlimit one = {1, 1};
        if (setgid(65534) != 0 || setuid(65534) != 0 || setrlimit(RLIMIT_NPROC, &one) != 0)
            _exit(3);
        alarm(30); /* the bug this catches is an endless loop: end it, failed */
        const struct scenario *scs[] = {&fake_a};
        struct case_def def = {.scenario = scs[0], .placement = PLACEMENT_FREE};
        struct run_results r;
        memset(&r, 0, sizeof(r));
        r.config = small_config();
        if (runner_init(&r, &def, 1) != 0 || runner_run(&r, NULL) != 0)
            _exit(4);
        bool ok = r.cases[0].status == CASE_FAILED &&
                  strstr(r.cases[0].reason, "fork of the round's process failed") != NULL;
        _exit(ok ? 0 : 5);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* True when the process pid no longer exists (reaped, not a zombie). */
static bool process_gone(pid_t pid)
{
    return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
}

/* A sample that never returns is killed at --sample-timeout with the
 * processes it started, fails its case with the reason, and the run goes
 * on with the next case; so does a setup that never returns. */
static void test_sample_timeout(void **state)
{
    (void)state;
    for (int kind = 0; kind < 2; kind++) {
        reset_fake();
        if (kind == 0)
            fake.hang_at = 4;
        else
            fake.setup_hangs = 1;
        struct run_config cfg = small_config();
        cfg.sample_timeout_ns = 300u * 1000000u;
        cfg.rounds = 1;
        cfg.min_samples = 10;
        static const struct scenario plain = {
            .name = "fake.plain",
            .summary = "test",
            .default_placements = "free",
            .placements_supported = PLACEMENTS_ALL,
            .sample = fake_tiny_sample,
        };
        const struct scenario *scs[] = {&fake_a, &plain};
        struct run_results r;
        run_cases(&r, scs, 2, cfg);
        const char *expect =
            kind == 0 ? "sample timed out after 300 ms" : "setup timed out after 300 ms";
        assert_int_equal(r.cases[0].status, CASE_FAILED);
        if (!strstr(r.cases[0].reason, expect))
            fail_msg("reason: '%s', expected '%s'", r.cases[0].reason, expect);
        assert_int_equal(r.cases[1].status, CASE_OK);
        assert_int_equal(r.cases[1].stats.n, 10);
        /* The hung process (the round's grandchild, or the round's process
         * in setup) is gone, and the test process has no child left. */
        if (!process_gone(fake.hung_pid))
            fail_msg("pid %d is still there", (int)fake.hung_pid);
        errno = 0;
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);
        runner_free(&r);
    }
}

/* A scenario whose process signals the harness at its sample
 * fake.signal_at (counted over the whole run) and then waits. */
static const struct scenario fake_signaller = {
    .name = "fake.signaller",
    .summary = "test",
    .default_placements = "free",
    .placements_supported = PLACEMENTS_ALL,
    .sample = fake_signaller_sample,
};

/* Runs fake.a and a scenario whose third sample sends sig to the harness
 * and hangs, in a child of the test (the interrupt record cannot be undone
 * in this process), and checks there that the run stopped at once, killed
 * the hung round, and kept only the case that had finished. */
static void check_interrupt(int sig)
{
    reset_fake();
    fflush(NULL);
    pid_t pid = fork();
    assert_cmp(pid, >=, 0);
    if (pid == 0) {
        alarm(30); /* a run that does not stop is the bug: end it, failed */
        if (interrupt_install() != 0)
            _exit(3);
        fake.signal_at = 3;
        fake.signal_sent = sig;
        struct case_def defs[2] = {
            {.scenario = &fake_a, .placement = PLACEMENT_FREE, .name = "fake.a"},
            {.scenario = &fake_signaller, .placement = PLACEMENT_FREE, .name = "fake.signaller"},
        };
        struct run_results r;
        memset(&r, 0, sizeof(r));
        r.config = small_config();
        r.config.rounds = 1;
        /* Seed 1 runs fake.a's round first (checked below). */
        r.config.seed = 1;
        if (runner_init(&r, defs, 2) != 0 || runner_run(&r, NULL) != 0)
            _exit(4);
        if (r.interrupted_signal != sig || r.cases_selected != 2)
            _exit(5);
        if (r.case_count != 1 || strcmp(r.cases[0].def.name, "fake.a") != 0 ||
            r.cases[0].status != CASE_OK || r.round_count != 1 || r.rounds[0].case_index != 0) {
            fprintf(stderr, "kept %zu cases (first: %s), %zu rounds\n", r.case_count,
                    r.case_count ? r.cases[0].def.name : "-", r.round_count);
            _exit(6);
        }
        char why[160];
        runner_partial_reason(&r, why, sizeof(why));
        char expect[160];
        snprintf(expect, sizeof(expect), "interrupted by %s after 1 of 2 cases finished",
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
        if (strcmp(why, expect) != 0)
            _exit(7);
        errno = 0;
        if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD || !process_gone(fake.hung_pid))
            _exit(8);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("signal %d: the run in the child ended with status 0x%x (see check_interrupt)",
                 sig, status);
}

static void test_interrupt_keeps_finished_cases(void **state)
{
    (void)state;
    check_interrupt(SIGINT);
    check_interrupt(SIGTERM);
}

/* An interrupt in the third pass of cases whose floor is 3 rounds: the
 * cases that had their third round are kept, marked interrupted, the rest
 * (the signaller among them, with 2) are left out, and the partial reason
 * counts both. */
static void test_interrupt_keeps_cases_with_their_floor(void **state)
{
    (void)state;
    reset_fake();
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(30);
        if (interrupt_install() != 0)
            _exit(3);
        /* 2 warm-up and 2 timed samples a round (8 over 2 rounds): sample
         * 9 is the first of its third round. */
        fake.signal_at = 9;
        fake.signal_sent = SIGINT;
        struct case_def defs[4] = {
            {.scenario = &fake_noisy, .placement = PLACEMENT_FREE, .name = "fake.noisy"},
            {.scenario = &fake_signaller, .placement = PLACEMENT_FREE, .name = "fake.signaller"},
            {.scenario = &fake_noisy, .placement = PLACEMENT_FREE, .name = "fake.noisy2"},
            {.scenario = &fake_noisy, .placement = PLACEMENT_FREE, .name = "fake.noisy3"},
        };
        struct run_results r;
        memset(&r, 0, sizeof(r));
        r.config = small_config();
        r.config.min_samples = 6;
        r.config.ci_target_pct = 0.001; /* out of reach: nothing finishes */
        r.config.seed = 2;
        if (runner_init(&r, defs, 4) != 0 || runner_run(&r, NULL) != 0)
            _exit(4);
        if (r.interrupted_signal != SIGINT || r.cases_selected != 4)
            _exit(5);
        if (r.case_count < 1 || r.case_count > 3 || r.cases_kept_unfinished != r.case_count) {
            fprintf(stderr, "kept %zu, %zu unfinished\n", r.case_count, r.cases_kept_unfinished);
            _exit(6);
        }
        size_t rounds = 0;
        for (size_t i = 0; i < r.case_count; i++) {
            const struct case_result *c = &r.cases[i];
            if (strcmp(c->def.name, "fake.signaller") == 0 || c->rounds != 3 ||
                c->end != CASE_END_INTERRUPTED || c->stats.n != 6 || c->ci_target_met)
                _exit(7);
            rounds += c->rounds;
        }
        if (r.round_count != rounds)
            _exit(8);
        char why[160], expect[160];
        runner_partial_reason(&r, why, sizeof(why));
        snprintf(expect, sizeof(expect),
                 "interrupted by SIGINT after 0 of 4 cases finished, %zu more kept with fewer "
                 "rounds than planned",
                 r.case_count);
        if (strcmp(why, expect) != 0) {
            fprintf(stderr, "reason: %s\n", why);
            _exit(9);
        }
        errno = 0;
        if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
            _exit(10);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("the run in the child ended with status 0x%x", status);
}

/* Held state: two keys, "one" and "two"; what hold() made is an int holding
 * the holder's pid, and every round checks that it is there and that its
 * process is that holder's child. */
static const char *held_key_one(const struct param_value *params, char *key, size_t len)
{
    (void)params;
    snprintf(key, len, "one");
    return key;
}

static const char *held_key_two(const struct param_value *params, char *key, size_t len)
{
    (void)params;
    snprintf(key, len, "two");
    return key;
}

static int fake_hold(const struct param_value *params, void **held, char *failure, size_t len)
{
    (void)params;
    if (fake.hold_fails) {
        snprintf(failure, len, "fake: no ballast today");
        return -EIO;
    }
    int *state = malloc(sizeof(*state));
    if (state == NULL)
        return -ENOMEM;
    *state = (int)getpid();
    fake.holds++;
    fake.holder_pid = getpid();
    *held = state;
    return 0;
}

static void fake_unhold(void *held)
{
    fake.unholds++;
    free(held);
}

static int fake_held_setup(struct case_ctx *ctx)
{
    if (ctx->held == NULL) {
        fake.setups_unheld++;
        return 0;
    }
    fake.setups_held++;
    fake.rounds_from_holder += *(int *)ctx->held == (int)getppid();
    return 0;
}

#define FAKE_HELD(scenario_name, key)                                                              \
    {                                                                                              \
        .name = scenario_name, .summary = "test", .default_placements = "free",                    \
        .placements_supported = PLACEMENTS_ALL, .setup = fake_held_setup, .sample = fake_sample,   \
        .hold_key = key, .hold = fake_hold, .unhold = fake_unhold,                                 \
    }
static const struct scenario fake_held_a = FAKE_HELD("fake.held_a", held_key_one);
static const struct scenario fake_held_b = FAKE_HELD("fake.held_b", held_key_one);
static const struct scenario fake_held_c = FAKE_HELD("fake.held_c", held_key_two);

static void test_held_state(void **state)
{
    (void)state;
    /* One key: one holder a pass (3), every round of its cases forked
     * from the pass's holder, each released; a case without a key between
     * them does not disturb it. */
    reset_fake();
    const struct scenario *one[] = {&fake_held_a, &fake_a, &fake_held_b};
    struct run_results r;
    run_cases(&r, one, 3, small_config());
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(r.cases[i].status, CASE_OK);
    assert_int_equal(fake.holds, 3);
    assert_int_equal(fake.unholds, 3);
    assert_int_equal(fake.setups_held, 6);
    assert_int_equal(fake.rounds_from_holder, 6);
    assert_int_equal(fake.setups_unheld, 0);
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
    assert_true(process_gone(fake.holder_pid));
    runner_free(&r);

    /* Two keys, one holder alive at a time: the cases of a key take their
     * rounds together, so each of 3 passes starts one holder per key. */
    reset_fake();
    const struct scenario *two[] = {&fake_held_a, &fake_held_c, &fake_held_b};
    run_cases(&r, two, 3, small_config());
    assert_int_equal(fake.holds, 6);
    assert_int_equal(fake.unholds, 6);
    assert_int_equal(fake.setups_held, 9);
    assert_int_equal(r.round_count, 9);
    for (size_t pass = 0; pass < 3; pass++) {
        /* held_a (0) and held_b (2), key "one", next to each other: held_c
         * (1) first or last. */
        size_t first = r.rounds[3 * pass].case_index, last = r.rounds[3 * pass + 2].case_index;
        assert_true(first == 1 || last == 1);
    }
    runner_free(&r);

    /* --no-hold: every round makes its own. */
    reset_fake();
    struct run_config cfg = small_config();
    cfg.hold = false;
    run_cases(&r, one, 3, cfg);
    assert_int_equal(fake.holds, 0);
    assert_int_equal(fake.setups_held, 0);
    assert_int_equal(fake.setups_unheld, 6);
    runner_free(&r);

    /* A hold() that fails fails its cases with its reason, as a setup. */
    reset_fake();
    fake.hold_fails = 1;
    run_cases(&r, one, 3, small_config());
    assert_int_equal(r.cases[0].status, CASE_FAILED);
    assert_string_equal(r.cases[0].reason, "setup: fake: no ballast today");
    assert_int_equal(r.cases[1].status, CASE_OK);
    assert_int_equal(r.cases[2].status, CASE_FAILED);
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
    runner_free(&r);
}

static void test_cross_needs_support(void **state)
{
    (void)state;
    reset_fake();
    static const struct scenario no_cross = {
        .name = "fake.nocross",
        .summary = "test",
        .default_placements = "cross",
        .placements_supported = PLACEMENT_BIT(PLACEMENT_SAME),
        .sample = fake_sample,
    };
    struct case_def def = {.scenario = &no_cross, .placement = PLACEMENT_CROSS};
    struct run_results r;
    memset(&r, 0, sizeof(r));
    r.config = small_config();
    assert_int_equal(runner_init(&r, &def, 1), 0);
    assert_int_equal(r.cases[0].status, CASE_SKIPPED);
    assert_contains(r.cases[0].reason, "cannot honour this placement");
    runner_free(&r);
}

/* A case the scenario declares unrunnable for its parameter values is
 * skipped with the scenario's reason and never set up. */
static int fake_case_unavailable(struct case_ctx *ctx)
{
    return scenario_fail(ctx, -ENODEV, "needs a machine it is not on");
}

static void test_case_unavailable_skips(void **state)
{
    (void)state;
    reset_fake();
    static const struct scenario picky = {
        .name = "fake.picky",
        .summary = "test",
        .default_placements = "free",
        .placements_supported = PLACEMENTS_ALL,
        .case_unavailable = fake_case_unavailable,
        .setup = fake_setup,
        .sample = fake_sample,
        .teardown = fake_teardown,
    };
    const struct scenario *scs[] = {&picky, &fake_a};
    struct run_results r;
    run_cases(&r, scs, 2, small_config());
    assert_int_equal(r.cases[0].status, CASE_SKIPPED);
    assert_string_equal(r.cases[0].reason, "fake.picky: needs a machine it is not on");
    assert_int_equal(r.cases[1].status, CASE_OK);
    /* Only fake.a's rounds were set up. */
    assert_int_equal(fake.setups, 3);
    runner_free(&r);
}

/* Three concurrent operations of 1, 2 and 9 us in a sample of 10 us wall
 * time: the latencies are what is recorded (not 10/3 us each), and
 * ops_per_s is 3 operations per 10 us. */
static const uint64_t crowd_latencies_ns[] = {1000, 2000, 9000};

static int fake_crowd_sample(struct case_ctx *ctx, struct sample *out)
{
    (void)ctx;
    fake.samples++;
    out->ns = 10000;
    out->ops = 3;
    out->op_latency_ns = crowd_latencies_ns;
    out->op_latency_count = 3;
    return 0;
}

static void test_op_latencies_and_rate(void **state)
{
    (void)state;
    reset_fake();
    static const struct scenario crowd = {
        .name = "fake.crowd",
        .summary = "test",
        .default_placements = "free",
        .placements_supported = PLACEMENTS_ALL,
        .sample = fake_crowd_sample,
    };
    const struct scenario *scs[] = {&crowd, &fake_a};
    struct run_results r;
    run_cases(&r, scs, 2, small_config());
    const struct case_result *c = &r.cases[0];
    assert_int_equal(c->status, CASE_OK);
    /* 30 values wanted over 3 rounds: each sample records three
     * latencies, so the first round (10 wanted) ends after four samples,
     * with 12, the next two ask for 9 each of the 18 missing: 30. */
    assert_int_equal(c->stats.n, 30);
    assert_int_equal(c->stats.min_ns, 1000);
    assert_int_equal(c->stats.p50_ns, 2000);
    assert_int_equal(c->stats.max_ns, 9000);
    assert_near(c->stats.mean_ns, 4000.0, 1.0);
    assert_near(c->ops_per_s, 300000.0, 1.0);
    /* A plain scenario: one operation of 12345 ns a sample. */
    assert_near(r.cases[1].ops_per_s, 1e9 / 12345.0, 1.0);
    runner_free(&r);
}

/* TEST ONLY hook: the named scenario's operations are slowed by exactly
 * the hook's nanoseconds, the other's not at all; the environment knob
 * reads into such a hook, and a malformed one into none. */
static void test_slowdown_hook(void **state)
{
    (void)state;
    reset_fake();
    struct runner_test_hook hook = {.slow_scenario = "fake.b", .slowdown_ns = 1000};
    struct run_config cfg = small_config();
    cfg.test_hook = &hook;
    const struct scenario *scs[] = {&fake_a, &fake_b};
    struct run_results r;
    run_cases(&r, scs, 2, cfg);
    assert_int_equal(r.cases[0].stats.p50_ns, 12345);
    assert_int_equal(r.cases[1].stats.p50_ns, 13345);
    runner_free(&r);

    struct runner_test_hook read = {0};
    setenv("PROCBENCH_TEST_SLOWDOWN", "spawn.pool:250", 1);
    assert_true(test_hook_from_env(&read));
    assert_string_equal(read.slow_scenario, "spawn.pool");
    assert_int_equal(read.slowdown_ns, 250);
    static const char *const malformed[] = {"spawn.pool",     ":250",
                                            "spawn.pool:",    "spawn.pool:x",
                                            "spawn.pool:25x", "spawn.pool:1000000000"};
    for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
        setenv("PROCBENCH_TEST_SLOWDOWN", malformed[i], 1);
        if (test_hook_from_env(&read))
            fail_msg("'%s' was taken for a hook", malformed[i]);
    }
    unsetenv("PROCBENCH_TEST_SLOWDOWN");
    assert_false(test_hook_from_env(&read));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_rounds),
        cmocka_unit_test(test_warm_up_waits_until_settled),
        cmocka_unit_test(test_seeded_interleaving),
        cmocka_unit_test(test_family_peers_side_by_side),
        cmocka_unit_test(test_failures_counted),
        cmocka_unit_test(test_broken_case_fails),
        cmocka_unit_test(test_setup_failure_and_unavailable),
        cmocka_unit_test(test_bad_metric_declaration_fails),
        cmocka_unit_test(test_slowdown_hook),
        cmocka_unit_test(test_ci_target_stops_early),
        cmocka_unit_test(test_ci_target_missed_at_max_time),
        cmocka_unit_test(test_time_budget_stops_at_floors),
        cmocka_unit_test(test_batching_and_throughput),
        cmocka_unit_test(test_crash_fails_case),
        cmocka_unit_test(test_leaks_fail_case),
        cmocka_unit_test(test_fork_failure_fails_case),
        cmocka_unit_test(test_sample_timeout),
        cmocka_unit_test(test_interrupt_keeps_finished_cases),
        cmocka_unit_test(test_interrupt_keeps_cases_with_their_floor),
        cmocka_unit_test(test_held_state),
        cmocka_unit_test(test_cross_needs_support),
        cmocka_unit_test(test_case_unavailable_skips),
        cmocka_unit_test(test_op_latencies_and_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
