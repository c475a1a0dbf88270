/*
 * Tests of the spawn scenarios' parent state (bench/ballast.c,
 * bench/parent_state.c) and of the crowd of concurrent spawners
 * (bench/spawn_crowd.c), checked against what the kernel reports in
 * /proc/self: every kind of ballast has the VMAs, protections, madvise
 * flags and resident pages it claims, and leaves nothing when destroyed;
 * idle threads and descriptors come and go; a case too big for the machine
 * is refused with a reason; the crowd runs every spawner once per sample
 * and reports each one's latency; and the spawn scenarios with
 * concurrency > 1 reap every child.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ballast.h"
#include "parent_state.h"
#include "spawn_common.h"
#include "spawn_crowd.h"

#define MIB ((uint64_t)1 << 20)

/* What /proc/self/smaps says of the VMAs inside [lo, hi). */
struct vma_census {
    int count;         /* VMAs that are readable and writable */
    int guards;        /* PROT_NONE VMAs */
    char perms[8];     /* of the last rw VMA, e.g. "rw-p" */
    uint64_t rss_kib;  /* Rss summed over the rw VMAs */
    bool all_flag;     /* every rw VMA's VmFlags has the flag asked for */
    uint64_t size_kib; /* Size of the last rw VMA */
};

static struct vma_census census(const void *lo, const void *hi, const char *flag)
{
    struct vma_census c = {.all_flag = true};
    FILE *f = fopen("/proc/self/smaps", "re");
    assert_non_null(f);
    char line[512];
    bool inside = false, rw = false;
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long start, end;
        char perms[8];
        unsigned long long kib;
        if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 && strchr(line, ':') != NULL &&
            strchr(line, '-') < strchr(line, ' ')) {
            inside = start >= (unsigned long)lo && end <= (unsigned long)hi;
            rw = inside && perms[0] == 'r' && perms[1] == 'w';
            if (rw) {
                c.count++;
                snprintf(c.perms, sizeof(c.perms), "%s", perms);
            } else if (inside && strcmp(perms, "---p") == 0) {
                c.guards++;
            }
        } else if (rw && sscanf(line, "Rss: %llu kB", &kib) == 1) {
            c.rss_kib += kib;
        } else if (rw && sscanf(line, "Size: %llu kB", &kib) == 1) {
            c.size_kib = kib;
        } else if (rw && strncmp(line, "VmFlags:", 8) == 0 && flag != NULL) {
            char padded[sizeof(line) + 2];
            snprintf(padded, sizeof(padded), "%s ", line);
            char want[8];
            snprintf(want, sizeof(want), " %s ", flag);
            if (strstr(padded, want) == NULL)
                c.all_flag = false;
        }
    }
    fclose(f);
    return c;
}

static void check_kind(enum ballast_kind kind, const char *perms, const char *flag, bool touched)
{
    struct ballast b;
    char failure[160] = "";
    int before = count_mappings();
    int err = ballast_create(&b, 8 * MIB, kind, 2, "test", failure, sizeof(failure));
    if (err != 0)
        fail_msg("kind %d: %s", (int)kind, failure);
    const char *lo = b.base, *hi = lo + b.reserved_bytes;
    struct vma_census c = census(lo, hi, flag);
    assert_int_equal(b.mapping_count, 2);
    assert_int_equal(b.mapping_bytes, 4 * MIB);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.perms, perms);
    assert_int_equal(c.size_kib, 4 * 1024);
    if (flag != NULL && !c.all_flag)
        fail_msg("kind %d: a ballast VMA lacks VmFlags %s", (int)kind, flag);
    /* Touched: every page resident (Rss counts a huge page as 2048 kB);
     * untouched: none. */
    assert_int_equal(c.rss_kib, touched ? 8 * 1024 : 0);
    ballast_destroy(&b);
    assert_null(b.base);
    assert_int_equal(count_mappings(), before);
    assert_int_equal(census(lo, hi, NULL).count, 0);
}

static void test_ballast_kinds(void **state)
{
    (void)state;
    check_kind(BALLAST_ANON, "rw-p", NULL, true);
    check_kind(BALLAST_UNTOUCHED, "rw-p", NULL, false);
    check_kind(BALLAST_SHARED, "rw-s", NULL, true);
    check_kind(BALLAST_DONTFORK, "rw-p", "dc", true);
    check_kind(BALLAST_THP, "rw-p", "hg", true);
    check_kind(BALLAST_NOTHP, "rw-p", "nh", true);
}

/* Sixteen private mappings of one kind, side by side: sixteen VMAs, not
 * one merged; a guard between each and the next. */
/* A held ballast (parent_state_hold(), as a holder makes it) taken over by
 * a forked round (parent_state_setup_from()): in the round it is the same
 * VMA with the same protection, flags and resident pages as a ballast the
 * round made itself (MADV_DONTFORK applied there, not in the holder); the
 * round's teardown unmaps only its own view; the holder's stays until
 * parent_state_unhold(). */
static void check_held(enum ballast_kind kind, const char *perms, const char *flag)
{
    struct parent_state_config cfg = {
        .rss_bytes = 8 * MIB, .ballast = kind, .mappings = 1, .concurrency = 1};
    struct ballast *held = NULL;
    char failure[160] = "", key[96];
    assert_non_null(parent_state_hold_key(&cfg, key, sizeof(key)));
    if (parent_state_hold(&cfg, &held, failure, sizeof(failure)) != 0)
        fail_msg("kind %d: %s", (int)kind, failure);
    const char *lo = held->base, *hi = lo + held->reserved_bytes;
    /* The holder's own: never MADV_DONTFORK, or no round would inherit it. */
    assert_int_equal(census(lo, hi, "dc").all_flag, false);
    assert_int_equal(census(lo, hi, NULL).rss_kib, 8 * 1024);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct parent_state ps;
        if (parent_state_setup_from(&ps, &cfg, held, "test", failure, sizeof(failure)) != 0)
            _exit(2);
        struct vma_census c = census(lo, hi, flag);
        if (c.count != 1 || strcmp(c.perms, perms) != 0 || c.rss_kib != 8 * 1024 ||
            (flag != NULL && !c.all_flag) || ps.ballast.base != held->base)
            _exit(3);
        parent_state_teardown(&ps);
        _exit(census(lo, hi, NULL).count == 0 ? 0 : 4);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("kind %d: the round's checks failed (status 0x%x)", (int)kind, status);
    assert_int_equal(census(lo, hi, NULL).count, 1);
    parent_state_unhold(held);
    assert_int_equal(census(lo, hi, NULL).count, 0);
}

static void test_held_ballast(void **state)
{
    (void)state;
    check_held(BALLAST_ANON, "rw-p", NULL);
    check_held(BALLAST_SHARED, "rw-s", NULL);
    check_held(BALLAST_DONTFORK, "rw-p", "dc");
    check_held(BALLAST_THP, "rw-p", "hg");
    check_held(BALLAST_NOTHP, "rw-p", "nh");

    /* What is held, and shared: a plain ballast and a MADV_DONTFORK one
     * hold the same; several mappings, an untouched one, none, are not. */
    struct parent_state_config cfg = {
        .rss_bytes = 64 * MIB, .ballast = BALLAST_ANON, .mappings = 1, .concurrency = 1};
    char anon[96], dontfork[96], other[96];
    assert_non_null(parent_state_hold_key(&cfg, anon, sizeof(anon)));
    cfg.ballast = BALLAST_DONTFORK;
    assert_non_null(parent_state_hold_key(&cfg, dontfork, sizeof(dontfork)));
    assert_string_equal(anon, dontfork);
    cfg.ballast = BALLAST_THP;
    assert_non_null(parent_state_hold_key(&cfg, other, sizeof(other)));
    assert_string_not_equal(anon, other);
    cfg.ballast = BALLAST_UNTOUCHED;
    assert_null(parent_state_hold_key(&cfg, other, sizeof(other)));
    cfg.ballast = BALLAST_ANON;
    cfg.mappings = 2;
    assert_null(parent_state_hold_key(&cfg, other, sizeof(other)));
    cfg.mappings = 1;
    cfg.rss_bytes = 0;
    assert_null(parent_state_hold_key(&cfg, other, sizeof(other)));
}

static void test_mappings_stay_apart(void **state)
{
    (void)state;
    struct ballast b;
    char failure[160] = "";
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    assert_int_equal(
        ballast_create(&b, 16 * 4 * page, BALLAST_ANON, 16, "test", failure, sizeof(failure)), 0);
    struct vma_census c = census(b.base, (char *)b.base + b.reserved_bytes, NULL);
    assert_int_equal(c.count, 16);
    assert_int_equal(c.rss_kib, 16 * 4 * page / 1024);
    assert_cmp(c.guards, >=, 15);
    ballast_destroy(&b);
    /* rss 0 maps nothing, whatever the mapping count. */
    assert_int_equal(ballast_create(&b, 0, BALLAST_ANON, 8, "test", failure, sizeof(failure)), 0);
    assert_null(b.base);
    ballast_destroy(&b);
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

static void test_threads_and_fds(void **state)
{
    (void)state;
    struct parent_state_config cfg = {
        .rss_bytes = 2 * MIB,
        .ballast = BALLAST_ANON,
        .mappings = 1,
        .threads = 3,
        .fds = 5,
        .concurrency = 1,
    };
    int threads = count_threads(), fds = count_fds();
    struct parent_state ps;
    char failure[160] = "";
    int err = parent_state_setup(&ps, &cfg, "test", failure, sizeof(failure));
    if (err != 0)
        fail_msg("setup: %s", failure);
    assert_int_equal(count_threads(), threads + 3);
    assert_int_equal(count_fds(), fds + 5);
    for (size_t i = 0; i < ps.fd_count; i++)
        assert_int_equal(fcntl(ps.fds[i], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    assert_non_null(ps.ballast.base);
    parent_state_teardown(&ps);
    assert_int_equal(count_threads(), threads);
    assert_int_equal(count_fds(), fds);
    assert_null(ps.ballast.base);
}

/* More descriptors than the soft limit allows: setup raises it for the
 * round, teardown puts it back. */
static void test_fds_raise_soft_limit(void **state)
{
    (void)state;
    struct rlimit before, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &before), 0);
    if (before.rlim_max != RLIM_INFINITY && before.rlim_max < 400)
        skip();
    low = before;
    low.rlim_cur = 128;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    struct parent_state_config cfg = {
        .ballast = BALLAST_ANON, .mappings = 1, .fds = 300, .concurrency = 1};
    struct parent_state ps;
    char failure[160] = "";
    int err = parent_state_setup(&ps, &cfg, "test", failure, sizeof(failure));
    struct rlimit during;
    getrlimit(RLIMIT_NOFILE, &during);
    if (err == 0)
        parent_state_teardown(&ps);
    struct rlimit after;
    getrlimit(RLIMIT_NOFILE, &after);
    setrlimit(RLIMIT_NOFILE, &before);
    if (err != 0)
        fail_msg("setup: %s", failure);
    assert_cmp(during.rlim_cur, >=, 300);
    assert_int_equal(after.rlim_cur, 128);
}

static void test_unavailable(void **state)
{
    (void)state;
    char why[192];
    struct parent_state_config cfg = {.rss_bytes = PARENT_STATE_RSS_MAX,
                                      .ballast = BALLAST_ANON,
                                      .mappings = 1,
                                      .concurrency = 1};
    const char *reason = parent_state_unavailable(&cfg, why, sizeof(why));
    assert_non_null(reason);
    if (strstr(reason, "rss=1T does not fit") == NULL || strstr(reason, "MemAvailable") == NULL)
        fail_msg("reason: %s", reason);
    /* Untouched, the same size takes no memory and is not refused for it. */
    cfg.ballast = BALLAST_UNTOUCHED;
    assert_null(parent_state_unavailable(&cfg, why, sizeof(why)));
    cfg = (struct parent_state_config){
        .rss_bytes = 64 * MIB, .ballast = BALLAST_ANON, .mappings = 1, .concurrency = 1};
    assert_null(parent_state_unavailable(&cfg, why, sizeof(why)));
    cfg.rss_bytes = 4096;
    cfg.mappings = 2;
    reason = parent_state_unavailable(&cfg, why, sizeof(why));
    assert_non_null(reason);
    assert_contains(reason, "less than one page");
}

/* The memory budget: the ballast, its page tables once per spawner, and
 * the margin of max(2 GiB, total / 8). */
static void test_memory_needed(void **state)
{
    (void)state;
    uint64_t gib = (uint64_t)1 << 30;
    struct parent_state_config cfg = {
        .rss_bytes = 4 * gib, .ballast = BALLAST_ANON, .mappings = 1, .concurrency = 2};
    /* 24 GiB machine: margin 3 GiB; page tables 4 GiB / 512 = 8 MiB each. */
    assert_int_equal(parent_state_memory_needed(&cfg, 24 * gib), 7 * gib + 16 * MIB);
    /* 8 GiB machine: margin 2 GiB. */
    cfg.concurrency = 1;
    assert_int_equal(parent_state_memory_needed(&cfg, 8 * gib), 6 * gib + 8 * MIB);
    cfg.ballast = BALLAST_UNTOUCHED;
    assert_int_equal(parent_state_memory_needed(&cfg, 8 * gib), 2 * gib);
}

/* Descriptors beyond the hard limit are refused: checked in a child, which
 * may lower its own hard limit without touching the test's. */
static void test_fds_beyond_hard_limit(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_cmp(pid, >=, 0);
    if (pid == 0) {
        struct rlimit tight = {.rlim_cur = 100, .rlim_max = 100};
        if (setrlimit(RLIMIT_NOFILE, &tight) != 0)
            _exit(3);
        struct parent_state_config cfg = {
            .ballast = BALLAST_ANON, .mappings = 1, .fds = 200, .concurrency = 1};
        char why[192];
        const char *reason = parent_state_unavailable(&cfg, why, sizeof(why));
        _exit(reason != NULL && strstr(reason, "hard limit is 100") != NULL ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- the crowd -------------------------------------------------------- */

struct crowd_probe {
    pthread_mutex_t lock;
    int calls[8];
    int fail_index; /* -1: none */
};

static int probe_op(void *arg, size_t index, struct sample *out, char failure[SCENARIO_FAILURE_MAX])
{
    struct crowd_probe *p = arg;
    pthread_mutex_lock(&p->lock);
    p->calls[index]++;
    pthread_mutex_unlock(&p->lock);
    out->ns = 1000 + index;
    sample_report(out, SPAWN_METRIC_RETURN, 100 * (index + 1));
    if (index != 1)
        sample_report(out, 1, 10 * index); /* spawners 0, 2, 3 only */
    out->child_maxrss_kb = (long)index;
    if ((int)index == p->fail_index) {
        snprintf(failure, SCENARIO_FAILURE_MAX, "probe %zu failed", index);
        return -EPIPE;
    }
    return 0;
}

static void test_crowd(void **state)
{
    (void)state;
    struct crowd_probe probe = {.fail_index = -1};
    pthread_mutex_init(&probe.lock, NULL);
    struct spawn_crowd *crowd = NULL;
    char why[SCENARIO_FAILURE_MAX] = "";
    int threads = count_threads();
    assert_int_equal(spawn_crowd_start(4, probe_op, &probe, &crowd), 0);
    assert_int_equal(count_threads(), threads + 3);
    for (int round = 1; round <= 3; round++) {
        struct sample out;
        memset(&out, 0, sizeof(out));
        assert_int_equal(spawn_crowd_sample(crowd, &out, why), 0);
        assert_int_equal(out.ops, 4);
        assert_int_equal(out.op_latency_count, 4);
        for (size_t i = 0; i < 4; i++) {
            assert_int_equal(out.op_latency_ns[i], 1000 + i);
            assert_int_equal(probe.calls[i], round);
        }
        assert_cmp(out.ns, >, 0);
        /* Each metric the mean of the spawners that reported it. */
        assert_true(sample_reported(&out, SPAWN_METRIC_RETURN));
        assert_int_equal(out.metric[SPAWN_METRIC_RETURN], 250); /* 100, 200, 300, 400 */
        assert_true(sample_reported(&out, 1));
        assert_int_equal(out.metric[1], 17); /* (0 + 20 + 30) / 3, rounded */
        assert_false(sample_reported(&out, 2));
        assert_int_equal(out.child_maxrss_kb, 3);
    }
    probe.fail_index = 2;
    struct sample out;
    memset(&out, 0, sizeof(out));
    assert_int_equal(spawn_crowd_sample(crowd, &out, why), -EPIPE);
    assert_string_equal(why, "probe 2 failed");
    spawn_crowd_stop(crowd);
    assert_int_equal(count_threads(), threads);
    assert_int_equal(spawn_crowd_start(1, probe_op, &probe, &crowd), -EINVAL);
    assert_null(crowd);
    pthread_mutex_destroy(&probe.lock);
}

/* Every spawn scenario with three spawners, a ballast, a thread and two
 * descriptors (and, where it execs, 4 variables, 2 arguments and a PATH
 * search through 2 directories): each sample reports three latencies
 * within its wall time, and teardown leaves no child and no descriptor. */
static void test_spawn_scenarios_concurrent(void **state)
{
    (void)state;
    use_child_program(CHILD_PROGRAM);
    int tested = 0;
    for (size_t i = 0; i < scenario_catalogue_count; i++) {
        const struct scenario *s = scenario_catalogue[i];
        if (strncmp(s->name, "spawn.", 6) != 0 || s->unavailable != NULL)
            continue;
        /* Every parameter a spawn scenario has is set here. */
        static const char *const settings[] = {
            "target=static", "rss=1M", "ballast=anon", "mappings=2",   "threads=1", "fds=2",
            "concurrency=3", "env=4",  "args=2",       "path_depth=2", "rate=0",
        };
        struct param_value values[PARAMS_MAX_PER_SCENARIO];
        assert_int_equal(
            scenario_values(s, settings, sizeof(settings) / sizeof(settings[0]), values),
            params_count(s->params));
        struct case_ctx ctx = {
            .scenario = s, .params = values, .peer_cpu = -1, .ops_per_sample = 1};
        if (s->case_unavailable(&ctx) != 0)
            fail_msg("%s: unavailable: %s", s->name, ctx.failure);
        /* As the runner does: process-wide state (libuv's signal pipe) is
         * made before the descriptors are counted. */
        if (s->process_init != NULL)
            assert_int_equal(s->process_init(), 0);
        int fds_before = count_fds();
        if (s->setup(&ctx) != 0)
            fail_msg("%s: setup: %s", s->name, ctx.failure);
        for (int k = 0; k < 3; k++) {
            struct sample out;
            memset(&out, 0, sizeof(out));
            if (s->sample(&ctx, &out) != 0)
                fail_msg("%s: sample: %s", s->name, ctx.failure);
            assert_int_equal(out.ops, 3);
            assert_int_equal(out.op_latency_count, 3);
            for (size_t op = 0; op < 3; op++)
                assert_in_range(out.op_latency_ns[op], 1, out.ns);
            if (strcmp(s->params[0].name, "target") == 0)
                assert_in_range(out.metric[SPAWN_METRIC_FIRST_INSTRUCTION], 0, out.ns);
        }
        s->teardown(&ctx);
        assert_null(ctx.state);
        assert_no_child_left();
        assert_int_equal(count_fds(), fds_before);
        tested++;
    }
    assert_int_equal(tested, 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ballast_kinds),
        cmocka_unit_test(test_held_ballast),
        cmocka_unit_test(test_mappings_stay_apart),
        cmocka_unit_test(test_threads_and_fds),
        cmocka_unit_test(test_fds_raise_soft_limit),
        cmocka_unit_test(test_unavailable),
        cmocka_unit_test(test_memory_needed),
        cmocka_unit_test(test_fds_beyond_hard_limit),
        cmocka_unit_test(test_crowd),
        cmocka_unit_test(test_spawn_scenarios_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
