/*
 * The leak checks of the scenario tests (checks.h) can fail: each
 * is shown a clean process first, then the very leak it exists to catch,
 * planted on purpose: a descriptor left open, a child left running and one
 * left a zombie, a message queue left named, an entry left in a temporary
 * folder, a shared-memory object left in /dev/shm. A check that cannot
 * see its leak would pass every scenario test while proving nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "checks.h"

static void test_descriptor_left_is_seen(void **state)
{
    (void)state;
    int before = count_fds();
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(count_fds(), before + 1);
    close(fd);
    assert_int_equal(count_fds(), before);
}

static void test_child_left_is_seen(void **state)
{
    (void)state;
    assert_false(child_left());
    /* Still running. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        pause();
        _exit(0);
    }
    assert_true(child_left());
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    assert_false(child_left());
    /* Exited, not reaped: a zombie is a leak too (and is reaped by the look). */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    siginfo_t info;
    assert_int_equal(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT), 0);
    assert_true(child_left());
    assert_false(child_left());
}

static void test_queue_left_is_seen(void **state)
{
    (void)state;
    const char *dir = queue_folder(TEST_OUT_DIR "/leak-checks-mqueue");
    if (dir == NULL) {
        print_message("note: no mqueue file system to list here: skipped\n");
        skip();
    }
    char name[64];
    snprintf(name, sizeof(name), "/%sselftest", own_queue_prefix());
    int before = count_named(dir, own_queue_prefix());
    assert_true(before >= 0);
    struct mq_attr attr = {.mq_maxmsg = 1, .mq_msgsize = 8};
    mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, &attr);
    if (q == (mqd_t)-1)
        fail_msg("mq_open(%s): %s", name, strerror(errno));
    assert_int_equal(count_named(dir, own_queue_prefix()), before + 1);
    /* Another process's queue is not ours: the prefix holds our pid. */
    char other[80];
    snprintf(other, sizeof(other), "/procbench-%d-0-selftest", (int)getpid() + 1);
    mqd_t q2 = mq_open(other, O_CREAT | O_RDWR | O_CLOEXEC, 0600, &attr);
    if (q2 != (mqd_t)-1) {
        assert_int_equal(count_named(dir, own_queue_prefix()), before + 1);
        mq_close(q2);
        mq_unlink(other);
    }
    mq_close(q);
    assert_int_equal(mq_unlink(name), 0);
    assert_int_equal(count_named(dir, own_queue_prefix()), before);
}

static void test_temporary_left_is_seen(void **state)
{
    (void)state;
    char dir[512], file[600];
    snprintf(dir, sizeof(dir), "%s/leak-checks-XXXXXX", TEST_OUT_DIR);
    assert_non_null(mkdtemp(dir));
    assert_int_equal(count_named(dir, ""), 0);
    snprintf(file, sizeof(file), "%s/procbench-fifo-AbCdEf", dir);
    assert_int_equal(mkdir(file, 0700), 0);
    assert_int_equal(count_named(dir, ""), 1);
    assert_int_equal(rmdir(file), 0);
    assert_int_equal(count_named(dir, ""), 0);
    assert_int_equal(rmdir(dir), 0);
    assert_int_equal(count_named(dir, ""), -1);
}

static void test_shm_left_is_seen(void **state)
{
    (void)state;
    if (count_named("/dev/shm", "") < 0) {
        print_message("note: no /dev/shm here: skipped\n");
        skip();
    }
    char name[64];
    snprintf(name, sizeof(name), "/%sselftest", own_queue_prefix());
    int before = count_named("/dev/shm", own_queue_prefix());
    int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        fail_msg("shm_open(%s): %s", name, strerror(errno));
    close(fd);
    assert_int_equal(count_named("/dev/shm", own_queue_prefix()), before + 1);
    assert_int_equal(shm_unlink(name), 0);
    assert_int_equal(count_named("/dev/shm", own_queue_prefix()), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptor_left_is_seen),
        cmocka_unit_test(test_child_left_is_seen),
        cmocka_unit_test(test_queue_left_is_seen),
        cmocka_unit_test(test_temporary_left_is_seen),
        cmocka_unit_test(test_shm_left_is_seen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
