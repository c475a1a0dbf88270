/*
 * Tests of the mechanism column (harness/engine/mechanism*.c): the flags
 * and the line rendered from records made by hand, exactly; and real
 * observations of spawn cases, whose calls must be what each mechanism is
 * (posix_spawn shares the parent's memory, fork_exec does not), a PATH
 * search must show its failed execs, concurrent spawners must show each
 * child. The failure paths fire for real: ptrace refused by a seccomp
 * filter, a sample that hangs past the limit, a setup and a sample that
 * fail. Where this machine refuses ptrace itself, the real observations
 * are skipped with the reason (the refusal test still runs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/cases.h"
#include "engine/mechanism.h"
#include "engine/mechanism_trace.h"
#include "scenario.h"

#define MS 1000000u

/* ---- the words ---------------------------------------------------------- */

static void test_format_call(void **state)
{
    (void)state;
    char buf[160];
    /* glibc's fork(): clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD). */
    mechanism_format_call("clone", true, 0x01200000, 17, buf, sizeof(buf));
    assert_string_equal(buf, "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD)");
    mechanism_format_call("clone3", true, 0x4100, 17, buf, sizeof(buf));
    assert_string_equal(buf, "clone3(CLONE_VM|CLONE_VFORK|SIGCHLD)");
    mechanism_format_call("vfork", false, 0, 0, buf, sizeof(buf));
    assert_string_equal(buf, "vfork()");
    /* A bit without a name, clone3's high flags, no exit signal. */
    mechanism_format_call("clone3", true, 0x100000000ull | 0x8000000000ull | 0x100, 0, buf,
                          sizeof(buf));
    assert_string_equal(buf, "clone3(CLONE_VM|CLONE_CLEAR_SIGHAND|0x8000000000)");
    mechanism_format_call("clone", true, 0, 0, buf, sizeof(buf));
    assert_string_equal(buf, "clone()");
    mechanism_format_call("clone", true, 0, 99, buf, sizeof(buf));
    assert_string_equal(buf, "clone(signal 99)");
    /* Cut, but terminated. */
    mechanism_format_call("clone", true, 0x01200000, 17, buf, 12);
    assert_string_equal(buf, "clone(CLONE");
}

static struct mechanism_task task(int parent, enum mechanism_phase phase, bool thread,
                                  const char *call, const char *exec, unsigned failed)
{
    struct mechanism_task t;
    memset(&t, 0, sizeof(t));
    t.parent = parent;
    t.phase = phase;
    t.thread = thread;
    snprintf(t.call, sizeof(t.call), "%s", call);
    if (exec != NULL) {
        t.exec_count = 1;
        t.execs[0].failed_before = failed;
        snprintf(t.execs[0].name, sizeof(t.execs[0].name), "%s", exec);
    } else {
        t.failed_after = failed;
    }
    return t;
}

static void test_render(void **state)
{
    (void)state;
    char out[256];
    /* A shell that forks its command: nested; equal ones counted. */
    struct mechanism_task shell[] = {
        task(-1, MECHANISM_SETUP, true, "clone3(CLONE_THREAD)", NULL, 0),
        task(-1, MECHANISM_SAMPLE, false, "clone3(CLONE_VM|CLONE_VFORK|SIGCHLD)", "dash", 0),
        task(1, MECHANISM_SAMPLE, false, "vfork()", "child", 2),
        task(-1, MECHANISM_SAMPLE, true, "clone3(CLONE_THREAD)", NULL, 0),
    };
    mechanism_render(shell, 4, out, sizeof(out));
    assert_string_equal(out, "clone3(CLONE_VM|CLONE_VFORK|SIGCHLD) + execve(dash); in it: "
                             "vfork() + 2 failed execve + execve(child)");
    struct mechanism_task crowd[] = {
        task(-1, MECHANISM_SAMPLE, false, "fork()", "a", 0),
        task(-1, MECHANISM_SAMPLE, false, "fork()", "a", 0),
        task(-1, MECHANISM_SAMPLE, false, "fork()", "a", 0),
        task(-1, MECHANISM_SAMPLE, false, "fork()", NULL, 3),
        task(-1, MECHANISM_TEARDOWN, false, "fork()", "late", 0),
    };
    mechanism_render(crowd, 5, out, sizeof(out));
    assert_string_equal(out, "3 x fork() + execve(a); fork() + 3 failed execve");
    /* Threads only in the sample. */
    mechanism_render(shell + 3, 1, out, sizeof(out));
    assert_string_equal(out, "thread: clone3(CLONE_THREAD)");
    /* Nothing in the sample: what setup made, threads left out. */
    struct mechanism_task pool[] = {
        task(-1, MECHANISM_SETUP, false, "clone3(CLONE_VM|CLONE_VFORK|SIGCHLD)", "worker", 0),
        task(-1, MECHANISM_SETUP, true, "clone3(CLONE_THREAD)", NULL, 0),
    };
    mechanism_render(pool, 2, out, sizeof(out));
    assert_string_equal(out, "none in the sample; setup: clone3(CLONE_VM|CLONE_VFORK|SIGCHLD) + "
                             "execve(worker)");
    mechanism_render(NULL, 0, out, sizeof(out));
    assert_string_equal(out, "none in the sample");
    /* Too long: cut with "...". */
    mechanism_render(shell, 4, out, 20);
    assert_string_equal(out, "clone3(CLONE_VM|...");
}

/* ---- real observations ------------------------------------------------ */

/* A case of scenario name with its first defaults, settings over them. */
static struct case_result make_case(const char *name, const char *const *settings, size_t n)
{
    struct case_result c;
    memset(&c, 0, sizeof(c));
    c.def.scenario = scenario_find(name);
    assert_non_null(c.def.scenario);
    scenario_values(c.def.scenario, settings, n, c.def.params);
    c.def.param_count = params_count(c.def.scenario->params);
    c.def.placement = PLACEMENT_FREE;
    c.peer_cpu = -1;
    return c;
}

/* Observes the case; skips the test when this machine refuses ptrace. */
static void observe(struct case_result *c, uint64_t timeout_ns)
{
    mechanism_observe(c, timeout_ns);
    assert_no_child_left();
    if (strncmp(c->mechanism, "unobserved: ptrace", 18) == 0) {
        print_message("skipped: %s\n", c->mechanism);
        skip();
    }
}

static void assert_lacks(const char *text, const char *part)
{
    if (strstr(text, part) != NULL)
        fail_msg("'%s' holds '%s'", text, part);
}

static void test_observe_spawn_mechanisms(void **state)
{
    (void)state;
    use_child_program(CHILD_PROGRAM);
    const char *const settings[] = {"target=static", "rss=0"};
    struct case_result c = make_case("spawn.posix_spawn", settings, 2);
    observe(&c, 60000 * MS);
    /* glibc's posix_spawn: clone or clone3 with CLONE_VM|CLONE_VFORK. */
    assert_contains(c.mechanism, "CLONE_VM|CLONE_VFORK");
    assert_contains(c.mechanism, "+ execve(procbench-child)");

    c = make_case("spawn.fork_exec", settings, 2);
    observe(&c, 60000 * MS);
    assert_lacks(c.mechanism, "CLONE_VM");
    assert_contains(c.mechanism, "+ execve(procbench-child)");

    c = make_case("spawn.clone_vfork", settings, 2);
    observe(&c, 60000 * MS);
    assert_string_equal(c.mechanism,
                        "clone(CLONE_VM|CLONE_VFORK|SIGCHLD) + execve(procbench-child)");

    c = make_case("spawn.pthread", settings + 1, 1);
    observe(&c, 60000 * MS);
    assert_contains(c.mechanism, "thread: clone");
    assert_contains(c.mechanism, "CLONE_THREAD");

    c = make_case("spawn.pool", settings + 1, 1);
    observe(&c, 60000 * MS);
    assert_contains(c.mechanism, "none in the sample; setup: ");
    assert_contains(c.mechanism, "execve(procbench-child)");
}

/* A PATH search through 3 directories: two failed execs, then the child,
 * whether libc or libuv searches; the shell (dash) looks with stat() and
 * execs what it found at once; and three concurrent spawners: three
 * children. */
static void test_observe_path_search_and_crowd(void **state)
{
    (void)state;
    use_child_program(CHILD_PROGRAM);
    static const char *const scenarios[] = {"spawn.fork_exec", "spawn.vfork_exec",
                                            "spawn.posix_spawn", "spawn.clone_vfork",
                                            "spawn.uv_spawn"};
    const char *const search[] = {"target=static", "rss=0", "path_depth=3"};
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
        struct case_result c = make_case(scenarios[i], search, 3);
        observe(&c, 60000 * MS);
        assert_contains(c.mechanism, "+ 2 failed execve + execve(procbench-child)");
    }
    struct case_result shell = make_case("spawn.shell", search, 3);
    observe(&shell, 60000 * MS);
    assert_contains(shell.mechanism, "execve(procbench-child)");
    assert_lacks(shell.mechanism, "failed");
    const char *const crowd[] = {"target=static", "rss=0", "concurrency=3"};
    struct case_result c = make_case("spawn.fork_exec", crowd, 3);
    observe(&c, 60000 * MS);
    assert_contains(c.mechanism, "3 x clone(");
}

/* A sample that fails is still observed, and says so; a setup that fails
 * is not; a sample that hangs is killed at the limit with all it started. */
static void test_observe_failures(void **state)
{
    (void)state;
    const char *const settings[] = {"target=static", "rss=0"};
    char script[4096];
    snprintf(script, sizeof(script), "%s/mechanism-child.sh", TEST_OUT_DIR);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\nexec '%s' exit 7\n", CHILD_PROGRAM);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(script, 0755), 0);
    use_child_program(script);
    struct case_result c = make_case("spawn.posix_spawn", settings, 2);
    observe(&c, 60000 * MS);
    assert_contains(c.mechanism, "execve(dash)");
    assert_contains(c.mechanism, "(the observed sample failed: spawn.posix_spawn: child exited "
                                 "with status 7)");

    f = fopen(script, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\nexec '%s' hang\n", CHILD_PROGRAM);
    assert_int_equal(fclose(f), 0);
    proc_child_path_reset();
    c = make_case("spawn.fork_exec", settings, 2);
    observe(&c, 300 * MS);
    assert_string_equal(c.mechanism, "unobserved: the observed sample did not end within 300 ms");

    use_child_program(TEST_OUT_DIR "/no-such-mechanism-child");
    c = make_case("spawn.fork_exec", settings, 2);
    observe(&c, 60000 * MS);
    assert_contains(c.mechanism, "unobserved: setup failed: spawn.fork_exec: static child not "
                                 "found");
    use_child_program(CHILD_PROGRAM);
}

/* Makes ptrace() fail with EPERM in this process, as a container's seccomp
 * profile can. */
static void refuse_ptrace(void)
{
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ptrace, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof(filter) / sizeof(filter[0]), .filter = filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        _exit(2);
}

/* Where ptrace is refused, the column says so and why, never a guess. */
static void test_observe_refused(void **state)
{
    (void)state;
    use_child_program(CHILD_PROGRAM);
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t pid = fork();
    assert_cmp(pid, >=, 0);
    if (pid == 0) {
        close(pipefd[0]);
        refuse_ptrace();
        const char *const settings[] = {"target=static", "rss=0"};
        struct case_result c = make_case("spawn.posix_spawn", settings, 2);
        mechanism_observe(&c, 60000 * MS);
        ssize_t n = write(pipefd[1], c.mechanism, strlen(c.mechanism) + 1);
        _exit(n > 0 ? 0 : 1);
    }
    close(pipefd[1]);
    char got[256] = "";
    ssize_t n = read(pipefd[0], got, sizeof(got) - 1);
    close(pipefd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_cmp(n, >, 0);
    assert_contains(got, "unobserved: ptrace(PTRACE_TRACEME) refused: Operation not permitted");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_call),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_observe_spawn_mechanisms),
        cmocka_unit_test(test_observe_path_search_and_crowd),
        cmocka_unit_test(test_observe_failures),
        cmocka_unit_test(test_observe_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
