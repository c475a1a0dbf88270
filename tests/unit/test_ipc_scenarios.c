/*
 * The ipc.* scenarios driven directly, without the runner, in this process:
 * for every ipc.* scenario of the catalogue, every value of its own word
 * parameter (type, wait, framing), both modes, and sizes of 1 byte, 100000
 * bytes (more than a pipe or socket buffer, and not a power of two) and
 * 1 MiB: setup, three samples (of 1, 2 and 3 operations), teardown. Every
 * sample must succeed and a stream sample report its bytes; afterwards no
 * child, no descriptor, no message queue and no FIFO directory may be left.
 * Then the failures: with the test knob PROCBENCH_TEST_CORRUPT=1 the peer
 * damages a message, and a peer killed behind the scenario's back; either
 * way the sample must fail, saying why, and teardown must still leave
 * nothing behind.
 */
#include <dirent.h>
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
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "checks.h"

#include "base/params.h"
#include "scenario.h"

#define MQUEUE_MAGIC 0x19800202
#define SAMPLES      3

/* Where message queues can be listed (NULL: nowhere), and the TMPDIR the
 * FIFO scenario makes its directory in. */
static const char *mqueue_dir;
static char tmp_dir[512];

/* Entries of a directory, or -1 when it cannot be read. */
static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static bool is_mqueue_fs(const char *path)
{
    struct statfs fs;
    return statfs(path, &fs) == 0 && fs.f_type == MQUEUE_MAGIC;
}

/* /dev/mqueue when it is mounted; otherwise an mqueue file system mounted
 * for this process alone, in a mount namespace of its own (root only);
 * otherwise no listing, and the queue check is skipped with a note. */
static void find_mqueue_dir(void)
{
    static char own[512];
    if (is_mqueue_fs("/dev/mqueue")) {
        mqueue_dir = "/dev/mqueue";
        return;
    }
    snprintf(own, sizeof(own), "%s/ipc-mqueue", TEST_OUT_DIR);
    mkdir(own, 0700);
    if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
        mount("mqueue", own, "mqueue", 0, NULL) == 0) {
        mqueue_dir = own;
        return;
    }
    print_message("note: no mqueue file system to list (not root?): queue leaks not checked\n");
}

static int count_queues(void)
{
    return mqueue_dir != NULL ? count_entries(mqueue_dir) : 0;
}

static int group_setup(void **state)
{
    (void)state;
    setenv("PROCBENCH_CHILD", CHILD_PROGRAM, 1);
    unsetenv("PROCBENCH_TEST_CORRUPT");
    snprintf(tmp_dir, sizeof(tmp_dir), "%s/ipc-tmp", TEST_OUT_DIR);
    mkdir(tmp_dir, 0700);
    setenv("TMPDIR", tmp_dir, 1);
    find_mqueue_dir();
    return 0;
}

static void assert_no_child(const char *label)
{
    errno = 0;
    pid_t pid = waitpid(-1, NULL, WNOHANG);
    if (pid != -1 || errno != ECHILD)
        fail_msg("%s: a child is left (waitpid gave %d, errno %d)", label, (int)pid, errno);
}

/* What the process holds before a case, to compare with after. */
struct holdings {
    int fds, queues, tmp_entries;
};

static struct holdings holdings_now(void)
{
    return (struct holdings){count_fds(), count_queues(), count_entries(tmp_dir)};
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
    struct case_ctx ctx = {.scenario = sc, .params = values, .peer_cpu = -1, .ops_per_sample = 1};
    int rc = sc->setup(&ctx);
    unsetenv("PROCBENCH_TEST_CORRUPT");
    if (rc != 0)
        fail_msg("%s: setup failed: %s", label, ctx.failure);
    assert_cmp(ctx.peer_pid, >, 0);
    /* Names (queues, FIFOs) are gone as soon as both ends are open. */
    struct holdings during = holdings_now();
    assert_int_equal(during.queues, before.queues);
    assert_int_equal(during.tmp_entries, before.tmp_entries);
    if (trouble == KILL_PEER)
        assert_int_equal(kill(ctx.peer_pid, SIGKILL), 0);

    for (int i = 0; i < SAMPLES; i++) {
        struct sample out;
        memset(&out, 0, sizeof(out));
        ctx.ops_per_sample = (uint64_t)i + 1;
        rc = sc->sample(&ctx, &out);
        if (trouble == NO_TROUBLE) {
            if (rc != 0)
                fail_msg("%s: sample %d failed: %s", label, i, ctx.failure);
            assert_cmp(out.ns, >, 0);
            if (stream) {
                assert_cmp(out.bytes, >=, size * ctx.ops_per_sample);
                assert_int_equal(out.bytes % size, 0);
            } else {
                assert_int_equal(out.bytes, 0);
            }
            continue;
        }
        /* Every sample fails, each with a reason naming the scenario. */
        if (rc == 0)
            fail_msg("%s: sample %d succeeded despite the trouble", label, i);
        if (strstr(ctx.failure, sc->name) == NULL)
            fail_msg("%s: reason does not name the scenario: %s", label, ctx.failure);
        const char *expected = trouble == CORRUPT ? "corrupt" : "killed by signal 9";
        if (i == 0 && strstr(ctx.failure, expected) == NULL)
            fail_msg("%s: reason does not say '%s': %s", label, expected, ctx.failure);
    }
    sc->teardown(&ctx);
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
        cmocka_unit_test(test_every_case_runs_clean),
        cmocka_unit_test(test_corruption_is_caught),
        cmocka_unit_test(test_dead_peer_is_reported),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
