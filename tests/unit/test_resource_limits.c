/*
 * Resource limits met for real, through the runner and the real scenarios:
 * RLIMIT_NPROC, RLIMIT_NOFILE and RLIMIT_AS set with setrlimit() in a child
 * of the test. Every case must fail with the errno text, the run must go on
 * to the next case, and nothing may be left behind.
 *
 * RLIMIT_NPROC counts the processes of a user, so the child drops to a user
 * id that nothing else runs as: one made from the test's pid, so that two
 * copies of this test (two checkouts, a plain and a sanitizer build) never
 * share it. That user cannot reach a build tree inside a private home
 * (mode 0700), so the static child is copied into a folder of its own under
 * /tmp that any user can read, with a TMPDIR there the user owns, removed
 * at the end. Switching users needs root (CAP_SETUID): without it the test
 * exits 77, which ctest reports as skipped, and says why.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
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

#include "fault_runs.h"

#define SKIPPED 77

/* Far above the ids of real users and system accounts. */
#define TEST_UID_BASE 3000000000u

static uid_t test_uid;
static char shared_dir[64];         /* readable by test_uid: 0755 */
static char shared_child[PATH_MAX]; /* the static child, copied */
static char shared_tmp[PATH_MAX];   /* TMPDIR, owned by test_uid */

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

static int become_test_user(void)
{
    if (setgroups(0, NULL) != 0 || setgid((gid_t)test_uid) != 0 || setuid(test_uid) != 0)
        return -errno;
    return 0;
}

/* In a child of the test: exit 0 when every case failed as expected, else
 * a reason on stderr and a non-zero status. */
static _Noreturn void limit_child(const struct limit_case *lc)
{
    alarm(60); /* a run that loops instead of failing is the bug */
    use_child_at(shared_child);
    setenv("TMPDIR", shared_tmp, 1);
    /* The test's working folder may be one the user cannot enter. */
    if (chdir("/") != 0 || become_test_user() != 0)
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
        assert_true(pid >= 0);
        if (pid == 0)
            limit_child(lc);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("%s under resource %d: status 0x%x (see stderr)", lc->filter, lc->resource,
                     status);
    }
}

/* Copies the file at from to to, mode 0755. Returns 0 or -errno. */
static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return -errno;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
    if (out < 0) {
        int e = errno;
        close(in);
        return -e;
    }
    char buf[65536];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof(buf))) > 0) {
        if (write(out, buf, (size_t)n) != n) {
            rc = -EIO;
            break;
        }
    }
    if (n < 0)
        rc = -errno;
    close(in);
    if (close(out) != 0 && rc == 0)
        rc = -errno;
    return rc;
}

/* The folder any user can read, with the child in it. */
static int share_child(void **state)
{
    (void)state;
    snprintf(shared_dir, sizeof(shared_dir), "/tmp/procbench-limits-XXXXXX");
    if (mkdtemp(shared_dir) == NULL || chmod(shared_dir, 0755) != 0) {
        print_error("mkdtemp under /tmp: %s\n", strerror(errno));
        return -1;
    }
    snprintf(shared_child, sizeof(shared_child), "%s/procbench-child", shared_dir);
    snprintf(shared_tmp, sizeof(shared_tmp), "%s/tmp", shared_dir);
    int rc = copy_file(CHILD_PROGRAM, shared_child);
    if (rc != 0 || mkdir(shared_tmp, 0700) != 0 ||
        chown(shared_tmp, test_uid, (gid_t)test_uid) != 0) {
        print_error("preparing %s: %s\n", shared_dir, strerror(rc ? -rc : errno));
        return -1;
    }
    return 0;
}

/* Removes the folder: the child, and TMPDIR with anything left in it (a
 * scenario's leftover there would have failed its case already). */
static int unshare_child(void **state)
{
    (void)state;
    unlink(shared_child);
    rmdir(shared_tmp);
    return rmdir(shared_dir) == 0 ? 0 : -1;
}

/* Whether this process may become test_uid: forks and tries. */
static bool can_switch_user(void)
{
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0)
        _exit(become_test_user() == 0 ? 0 : 1);
    int status = 0;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
    test_uid = (uid_t)(TEST_UID_BASE + (unsigned)getpid());
    if (!can_switch_user()) {
        printf("skipped: switching to user %u (RLIMIT_NPROC counts per user) needs root or "
               "CAP_SETUID and CAP_SETGID\n",
               (unsigned)test_uid);
        return SKIPPED;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resource_limits),
    };
    return cmocka_run_group_tests(tests, share_child, unshare_child);
}
