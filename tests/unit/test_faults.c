/*
 * Faults met for real, through the runner and the real scenarios: a child
 * that crashes, hangs or exits non-zero (procbench-child's test modes,
 * exec'd by a script that PROCBENCH_CHILD points at), and resource limits
 * set with setrlimit() in a child of the test (RLIMIT_NPROC, RLIMIT_NOFILE,
 * RLIMIT_AS). Every time, the case fails with the reason (signal, status,
 * timeout, errno text), the run goes on to the next case, and nothing is
 * left behind: no child of the test process, which the runner made a
 * subreaper, so any descendant still alive would be one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "checks.h"

#include "engine/cases.h"
#include "proc.h"
#include "engine/reaper.h"
#include "engine/runner.h"

#define MS 1000000ull

/* An unprivileged user that nothing else on the machine runs as, so that
 * RLIMIT_NPROC counts only the test's processes. */
#define TEST_UID 59999

static struct run_config quick_config(void)
{
    return (struct run_config){
        .warmup_ns = 0,
        .min_time_ns = 0,
        .max_time_ns = 1000ull * MS,
        .min_samples = 6,
        .rounds = 1,
        .seed = 1,
        .sample_timeout_ns = 60000ull * MS,
    };
}

/* Expands filter on placement free, with params "NAME=VALUES;NAME=VALUES"
 * (or NULL) as --param overrides, into *defs. Returns 0 or -EINVAL with err. */
static int expand(const char *filter, const char *params, struct case_def **defs, size_t *count,
                  char *err, size_t err_len)
{
    static char names[4][64], values[4][128];
    static struct param_override overrides[4];
    const char *filters[] = {filter};
    size_t n = 0;
    for (const char *p = params; p != NULL && *p != '\0' && n < 4; n++) {
        const char *eq = strchr(p, '='), *end = strchr(p, ';');
        if (eq == NULL)
            return -EINVAL;
        if (end == NULL)
            end = p + strlen(p);
        snprintf(names[n], sizeof(names[n]), "%.*s", (int)(eq - p), p);
        snprintf(values[n], sizeof(values[n]), "%.*s", (int)(end - eq - 1), eq + 1);
        overrides[n].name = names[n];
        overrides[n].values = values[n];
        p = *end ? end + 1 : end;
    }
    struct case_selection sel = {
        .filters = filters,
        .filter_count = 1,
        .overrides = overrides,
        .override_count = n,
        .placements = "free",
    };
    return cases_expand(&sel, defs, count, err, err_len);
}

/* Runs the selection of expand(). Fails the test on a bad selection. */
static void run_selection(struct run_results *r, const char *filter, const char *params,
                          struct run_config config)
{
    struct case_def *defs = NULL;
    size_t count = 0;
    char err[256] = "";
    if (expand(filter, params, &defs, &count, err, sizeof(err)) != 0)
        fail_msg("%s: %s", filter, err);
    memset(r, 0, sizeof(*r));
    r->config = config;
    assert_int_equal(runner_init(r, defs, count), 0);
    assert_int_equal(runner_run(r, NULL), 0);
    free(defs);
}

static void assert_nothing_left(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* Points PROCBENCH_CHILD at a script that execs procbench-child with
 * mode, whatever arguments the scenario passes. */
static void use_faulty_child(const char *mode)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/faulty-child-%s.sh", TEST_OUT_DIR, mode);
    for (char *p = strrchr(path, '/'); *p; p++)
        if (*p == ' ')
            *p = '-';
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\nexec '%s' %s\n", CHILD_PROGRAM, mode);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0755), 0);
    assert_int_equal(setenv("PROCBENCH_CHILD", path, 1), 0);
    proc_child_path_reset();
}

static void use_real_child(void)
{
    assert_int_equal(setenv("PROCBENCH_CHILD", CHILD_PROGRAM, 1), 0);
    proc_child_path_reset();
}

/* Every case of the run failed, its reason holding expect (any case). */
static void assert_all_failed_with(const struct run_results *r, const char *expect)
{
    assert_cmp(r->case_count, >, 0);
    for (size_t i = 0; i < r->case_count; i++) {
        const struct case_result *c = &r->cases[i];
        if (c->status != CASE_FAILED || strcasestr(c->reason, expect) == NULL)
            fail_msg("%s: status %d, reason '%s'; expected to fail with '%s'", c->def.name,
                     (int)c->status, c->reason, expect);
    }
}

/* ---- children that misbehave ----------------------------------------- */

/* Scenarios that exec the child program; each is run with target=static
 * where it has a target. */
static const char *const exec_filter =
    "^spawn\\.(fork_exec|vfork_exec|posix_spawn|clone_vfork|uv_spawn|shell)$";

static void test_child_crashes(void **state)
{
    (void)state;
    use_faulty_child("crash");
    struct run_results r;
    run_selection(&r, exec_filter, "target=static;rss=0", quick_config());
    /* spawn.shell's /bin/sh reports its child's death as status 128 + 11,
     * as a shell does; the others see the signal. */
    assert_int_equal(r.case_count, 6);
    for (size_t i = 0; i < r.case_count; i++) {
        const struct case_result *c = &r.cases[i];
        const char *expect =
            strcmp(c->def.scenario->name, "spawn.shell") == 0 ? "status 139" : "signal 11";
        if (c->status != CASE_FAILED || strstr(c->reason, expect) == NULL)
            fail_msg("%s: reason '%s', expected '%s'", c->def.name, c->reason, expect);
    }
    assert_nothing_left();
    runner_free(&r);
    /* The output family reads the child's output: its crash is a failure
     * too, not a short read taken for the end. */
    run_selection(&r, "^output\\.(buffered|streamed|uv_stream)$", "bytes=1K;target=writer",
                  quick_config());
    assert_all_failed_with(&r, "signal 11");
    assert_nothing_left();
    runner_free(&r);
    use_real_child();
}

static void test_child_exits_nonzero(void **state)
{
    (void)state;
    use_faulty_child("exit 7");
    struct run_results r;
    run_selection(&r, exec_filter, "target=static;rss=0", quick_config());
    assert_int_equal(r.case_count, 6);
    assert_all_failed_with(&r, "status 7");
    assert_nothing_left();
    runner_free(&r);
    use_real_child();
}

/* A child that never exits: the sample waits for it until
 * --sample-timeout, then the round is killed with the child, the case
 * fails with the timeout, and the next case runs. */
static void test_child_hangs(void **state)
{
    (void)state;
    use_faulty_child("hang");
    struct run_config cfg = quick_config();
    cfg.sample_timeout_ns = 300 * MS;
    struct run_results r;
    run_selection(&r, "^spawn\\.(fork_exec|posix_spawn|shell)$", "target=static;rss=0", cfg);
    assert_int_equal(r.case_count, 3);
    assert_all_failed_with(&r, "sample timed out after 300 ms");
    assert_nothing_left();
    runner_free(&r);
    use_real_child();
}

/* ---- resource limits ------------------------------------------------- */

/* One resource fault: run filter (with param) under a limit of resource
 * set to what the process uses now plus headroom (RLIMIT_NPROC: an
 * absolute count). Every case must fail with expect (case-insensitive:
 * libuv spells errno texts in lower case), none may leave anything behind,
 * and each must have been tried: the run went on after the first failure.
 * Adding a row is adding a line. */
struct limit_case {
    const char *filter;
    const char *params; /* "NAME=VALUES;NAME=VALUES" or NULL */
    int resource;
    rlim_t headroom;
    const char *expect;
};

static const struct limit_case limit_cases[] = {
    /* fork, vfork, clone, posix_spawn, pthread_create and libuv's fork
     * meet EAGAIN: only the test and the round's process may exist. */
    {"^spawn\\.(fork_exec|vfork_exec|posix_spawn|clone_vfork|uv_spawn|shell|fork_only|pthread|"
     "pool)$",
     "target=static;rss=0", RLIMIT_NPROC, 2, "Resource temporarily unavailable"},
    /* pipe(), socketpair(), socket(), eventfd() meet EMFILE in setup: one
     * descriptor is left, for the runner's own look at /proc/self/fd. */
    {"^(ipc\\.(pipe|socketpair|eventfd|fifo|tcp)|output\\.(streamed|buffered))$",
     "size=64;bytes=1K;target=writer", RLIMIT_NOFILE, 1, "Too many open files"},
    /* libuv abort()s when it cannot make its signal pipe: the round's
     * process dies, and only its case fails. */
    {"^ipc\\.uv_pipe$", "size=64", RLIMIT_NOFILE, 1, "killed by signal 6"},
    /* output.buffered's 64 MiB buffer is mmap()ed: refused. */
    {"^output\\.buffered$", "bytes=64M", RLIMIT_AS, 32u << 20, "Cannot allocate memory"},
    /* A spawn scenario's ballast is mmap()ed in setup: refused. */
    {"^spawn\\.fork_only$", "rss=256M", RLIMIT_AS, 32u << 20, "Cannot allocate memory"},
};

/* Bytes of address space the calling process has mapped (VmSize). */
static rlim_t address_space_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    unsigned long long kb = 0;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "VmSize: %llu kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return (rlim_t)kb * 1024;
}

/* In a child of the test: exit 0 when every case failed as expected, else
 * a reason on stderr and a non-zero status. */
static _Noreturn void limit_child(const struct limit_case *lc)
{
    alarm(60); /* a run that loops instead of failing is the bug */
    use_real_child();
    if (setgid(TEST_UID) != 0 || setuid(TEST_UID) != 0)
        _exit(3);
    struct case_def *defs = NULL;
    size_t count = 0;
    char err[256] = "";
    static struct run_results r;
    r.config = quick_config();
    if (expand(lc->filter, lc->params, &defs, &count, err, sizeof(err)) != 0 ||
        runner_init(&r, defs, count) != 0) {
        fprintf(stderr, "%s: %s\n", lc->filter, err);
        _exit(4);
    }
    rlim_t limit = lc->headroom;
    if (lc->resource == RLIMIT_NOFILE) {
        /* RLIMIT_NOFILE bounds descriptor numbers, not their count:
         * close what the test inherited above stderr, so that the
         * headroom is the number of descriptors that can still be made. */
        close_range(3, ~0u, 0);
        limit += 3;
    } else if (lc->resource == RLIMIT_AS) {
        limit += address_space_bytes();
    }
    struct rlimit rl = {limit, limit};
    if (setrlimit(lc->resource, &rl) != 0) {
        perror("setrlimit");
        _exit(5);
    }
    if (runner_run(&r, NULL) != 0)
        _exit(6);
    int bad = 0;
    for (size_t i = 0; i < r.case_count; i++) {
        const struct case_result *c = &r.cases[i];
        if (c->status != CASE_FAILED || strcasestr(c->reason, lc->expect) == NULL ||
            strstr(c->reason, "left") != NULL) {
            fprintf(stderr, "%s: status %d, reason '%s'; expected '%s'\n", c->def.name,
                    (int)c->status, c->reason, lc->expect);
            bad = 1;
        }
    }
    errno = 0;
    if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD) {
        fprintf(stderr, "%s: a process outlived the run\n", lc->filter);
        bad = 1;
    }
    _exit(bad ? 7 : 0);
}

static void test_resource_limits(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        print_message("needs root to drop to another user; skipped\n");
        skip();
    }
    for (size_t i = 0; i < sizeof(limit_cases) / sizeof(limit_cases[0]); i++) {
        const struct limit_case *lc = &limit_cases[i];
#ifdef __SANITIZE_ADDRESS__
        /* ASan reserves terabytes of shadow address space: no RLIMIT_AS
         * leaves room for it and not for 64 MiB. */
        if (lc->resource == RLIMIT_AS)
            continue;
#endif
        fflush(NULL);
        pid_t pid = fork();
        assert_cmp(pid, >=, 0);
        if (pid == 0)
            limit_child(lc);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("%s under resource %d: status 0x%x (see stderr)", lc->filter, lc->resource,
                     status);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_child_crashes),
        cmocka_unit_test(test_child_exits_nonzero),
        cmocka_unit_test(test_child_hangs),
        cmocka_unit_test(test_resource_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
