/*
 * The checks the unit tests share, each of which prints both sides when it
 * fails: comparisons of numbers (assert_cmp), closeness of doubles, text
 * holding text; and for the scenario tests, what a process holds
 * (descriptors, mappings, children, message queues, entries of a temporary
 * folder) before and after a scenario ran, and pointing the scenarios at a
 * given exec target. Everything counted belongs to the test alone: its own
 * descriptors and children, and queues by the name prefix only its own
 * process uses; never a machine-wide total that another test could change.
 * test_leak_checks.c plants each kind of leak and shows that its check
 * catches it. Include after <cmocka.h>.
 */
#ifndef PROCBENCH_TEST_CHECKS_H
#define PROCBENCH_TEST_CHECKS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/params.h"
#include "engine/reaper.h"
#include "proc.h"
#include "scenario.h"

/* a op b, for numbers of any type (compared as long double, exact for
 * 64-bit integers): on failure, both expressions and both values.
 *     assert_cmp(out.ns, >, 0);  ->  "out.ns > 0: 0 > 0 is false" */
#define assert_cmp(a, op, b)                                                                       \
    do {                                                                                           \
        long double cmp_a_ = (long double)(a), cmp_b_ = (long double)(b);                          \
        if (!(cmp_a_ op cmp_b_))                                                                   \
            fail_msg("%s %s %s: %.21Lg %s %.21Lg is false", #a, #op, #b, cmp_a_, #op, cmp_b_);     \
    } while (0)

/* A seeded generator for synthetic data (splitmix64): the next 64 bits
 * of the sequence that *state (any value) starts. */
static inline uint64_t seeded_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in (0, 1), from the top 53 bits of seeded_next(). */
static inline double seeded_uniform(uint64_t *state)
{
    return ((double)(seeded_next(state) >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal (Box-Muller on two seeded_uniform() draws). */
static inline double seeded_normal(uint64_t *state)
{
    double radius = sqrt(-2.0 * log(seeded_uniform(state)));
    return radius * cos(6.283185307179586 * seeded_uniform(state));
}

/* |got - want| <= tolerance, both printed when not. */
static inline void assert_near(double got, double want, double tolerance)
{
    if (!(fabs(got - want) <= tolerance))
        fail_msg("got %.17g, want %.17g (within %g)", got, want, tolerance);
}

/* text holds part; both printed when not. */
static inline void assert_contains(const char *text, const char *part)
{
    if (text == NULL || strstr(text, part) == NULL)
        fail_msg("'%s' does not contain '%s'", text ? text : "(null)", part);
}

/* Open descriptors, counted as the runner counts them after a round. */
static inline int count_fds(void)
{
    int count = reaper_count_fds();
    assert_true(count >= 0);
    return count;
}

/* Writes text, whole, to a new file at path. */
static inline void write_text_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

/* Lines of /proc/self/maps: one per mapping. */
static inline int count_mappings(void)
{
    FILE *maps = fopen("/proc/self/maps", "re");
    assert_non_null(maps);
    int count = 0, c;
    while ((c = getc(maps)) != EOF)
        count += c == '\n';
    fclose(maps);
    return count;
}

/* Whether the calling process has a child, running or a zombie (a zombie
 * found is reaped). */
static inline bool child_left(void)
{
    errno = 0;
    pid_t pid = waitpid(-1, NULL, WNOHANG);
    return !(pid == -1 && errno == ECHILD);
}

/* Values for every parameter of s, in the order of s->params: the first of
 * each one's defaults, or the value one of settings ("name=value") gives
 * it. Fails the test on a value that does not parse. Returns how many of
 * the settings named a parameter of s. */
static inline size_t scenario_values(const struct scenario *s, const char *const *settings,
                                     size_t setting_count,
                                     struct param_value values[PARAMS_MAX_PER_SCENARIO])
{
    size_t used = 0;
    memset(values, 0, PARAMS_MAX_PER_SCENARIO * sizeof(*values));
    for (size_t p = 0; s->params != NULL && s->params[p].name != NULL; p++) {
        const struct param_spec *spec = &s->params[p];
        char text[64];
        snprintf(text, sizeof(text), "%.*s", (int)strcspn(spec->defaults, ","), spec->defaults);
        size_t len = strlen(spec->name);
        for (size_t k = 0; k < setting_count; k++) {
            if (strncmp(settings[k], spec->name, len) == 0 && settings[k][len] == '=') {
                snprintf(text, sizeof(text), "%s", settings[k] + len + 1);
                used++;
            }
        }
        struct param_value parsed[PARAMS_MAX_VALUES];
        size_t n = 0;
        char err[160] = "";
        if (params_parse_list(spec, text, parsed, &n, err, sizeof(err)) != 0 || n != 1)
            fail_msg("%s: %s=%s: %s", s->name, spec->name, text, err);
        values[p] = parsed[0];
    }
    return used;
}

/* The calling process has no child at all, running or a zombie. */
static inline void assert_no_child_left(void)
{
    if (child_left())
        fail_msg("a child process is left");
}

/* Entries of folder whose name starts with prefix ("" for every entry),
 * or -1 when the folder cannot be read. */
static inline int count_named(const char *folder, const char *prefix)
{
    DIR *d = opendir(folder);
    if (d == NULL)
        return -1;
    int n = 0;
    size_t len = strlen(prefix);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            strncmp(e->d_name, prefix, len) == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* "procbench-PID-": how the message queues that ipc.mq makes in this
 * process begin (bench/ipc_mq.c names them /procbench-PID-N-RANDOM), so
 * that counting them counts nobody else's. */
static inline const char *own_queue_prefix(void)
{
    static char prefix[32];
    snprintf(prefix, sizeof(prefix), "procbench-%d-", (int)getpid());
    return prefix;
}

#define SCENARIO_CHECKS_MQUEUE_MAGIC 0x19800202

static inline bool is_mqueue_fs(const char *path)
{
    struct statfs fs;
    return statfs(path, &fs) == 0 && fs.f_type == SCENARIO_CHECKS_MQUEUE_MAGIC;
}

/* Writes text to the /proc/self file name; true when it took it. */
static inline bool write_proc_self(const char *name, const char *text)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/%s", name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(fd);
    return ok;
}

/* A folder where this process's message queues can be listed, or NULL
 * when there is none: /dev/mqueue when it is mounted; else an mqueue file
 * system mounted on dir in a mount namespace of this process's own (as
 * root), or, for an ordinary user, in user, mount and IPC namespaces of its
 * own where the kernel allows them (the queues are then in that IPC
 * namespace too, which is private anyway). Call it before the process
 * starts threads; the answer is kept. */
static inline const char *queue_folder(const char *dir)
{
    static bool looked;
    static const char *found;
    if (looked)
        return found;
    looked = true;
    if (is_mqueue_fs("/dev/mqueue"))
        return found = "/dev/mqueue";
    mkdir(dir, 0700);
    if (geteuid() != 0) {
        char map[64];
        uid_t uid = geteuid();
        gid_t gid = getegid();
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWIPC) != 0)
            return NULL;
        snprintf(map, sizeof(map), "%d %d 1", (int)uid, (int)uid);
        if (!write_proc_self("setgroups", "deny") || !write_proc_self("uid_map", map))
            return NULL;
        snprintf(map, sizeof(map), "%d %d 1", (int)gid, (int)gid);
        if (!write_proc_self("gid_map", map))
            return NULL;
    } else if (unshare(CLONE_NEWNS) != 0) {
        return NULL;
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("mqueue", dir, "mqueue", 0, NULL) != 0)
        return NULL;
    return found = dir;
}

/* Makes the scenarios exec path as their static child from now on. */
static inline void use_child_program(const char *path)
{
    assert_int_equal(setenv("PROCBENCH_CHILD", path, 1), 0);
    proc_child_path_reset();
}

#endif
