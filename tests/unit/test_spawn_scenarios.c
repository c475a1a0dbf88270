/*
 * Tests of the spawn.* scenarios driven directly, without the runner: every
 * spawn scenario in the catalogue, for each value of its target parameter and
 * for each peer placement it supports, runs setup -> 5 samples -> teardown,
 * and must report sane times, record the child's peak RSS where wait4() gives
 * it, and leave no child, descriptor or mapping behind. Failure paths: a target
 * that exits 3, a missing child program. And the child program itself: its
 * write and echo modes, and its refusal of bad arguments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "checks.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "proc.h"
#include "spawn_common.h"
#include "scenario.h"

#define SAMPLES_PER_CASE 5
#define MAX_CASES        64
#define FAILING_PROGRAM  TEST_OUT_DIR "/spawn-exit3.sh"
#define MISSING_PROGRAM  TEST_OUT_DIR "/no-such-procbench-child"

/* One test case: a scenario, a target value (if it has the parameter) and
 * the peer CPU (-1: inherit, as for placement=same and free). */
struct spawn_case {
    const struct scenario *scenario;
    struct param_value target;
    int has_target;
    int peer_cpu;
    char name[96];
};

static struct spawn_case cases[MAX_CASES];

/* ---- helpers ---------------------------------------------------------- */

static int has_target_param(const struct scenario *s)
{
    return s->params != NULL && s->params[0].name != NULL &&
           strcmp(s->params[0].name, "target") == 0;
}

/* Scenarios whose child is reaped with wait4(), so its peak RSS is known. */
static int reports_child_rss(const struct scenario *s)
{
    static const char *const with_rss[] = {
        "spawn.fork_exec",   "spawn.vfork_exec", "spawn.posix_spawn",
        "spawn.clone_vfork", "spawn.shell",      "spawn.fork_only",
    };
    for (size_t i = 0; i < sizeof(with_rss) / sizeof(with_rss[0]); i++) {
        if (strcmp(s->name, with_rss[i]) == 0)
            return 1;
    }
    return 0;
}

/* Scenarios that exec the child program (so a bad one makes them fail). */
static int runs_child_program(const struct scenario *s)
{
    return has_target_param(s) || strcmp(s->name, "spawn.pool") == 0;
}

static int is_spawn_scenario(const struct scenario *s)
{
    return strncmp(s->name, "spawn.", 6) == 0;
}

/* Spawns CHILD_PROGRAM with argv and the given stdin, stdout and stderr
 * (-1: inherit). Returns its pid. */
static pid_t spawn_child(char *const argv[], int child_stdin, int child_stdout, int child_stderr)
{
    posix_spawn_file_actions_t actions;
    assert_int_equal(posix_spawn_file_actions_init(&actions), 0);
    const int fds[3] = {child_stdin, child_stdout, child_stderr};
    for (int target = 0; target < 3; target++) {
        if (fds[target] >= 0)
            assert_int_equal(posix_spawn_file_actions_adddup2(&actions, fds[target], target), 0);
    }
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, CHILD_PROGRAM, &actions, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

/* Reads fd until EOF into buf[0..len), failing the test past len. Returns
 * the byte count. */
static size_t read_to_eof(int fd, char *buf, size_t len)
{
    size_t total = 0;
    for (;;) {
        ssize_t n = read(fd, buf + total, len - total);
        if (n < 0 && errno == EINTR)
            continue;
        assert_cmp(n, >=, 0);
        if (n == 0)
            return total;
        total += (size_t)n;
        assert_cmp(total, <, len);
    }
}

static int wait_exit_status(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* ---- the scenarios -------------------------------------------------- */

static void test_scenario_case(void **state)
{
    const struct spawn_case *c = *state;
    const struct scenario *s = c->scenario;
    use_child_program(CHILD_PROGRAM);
    assert_non_null(s->summary);
    assert_non_null(s->setup);
    assert_non_null(s->sample);
    assert_non_null(s->teardown);

    int fds_before = count_fds();
    int mappings_before = count_mappings();
    struct param_value values[PARAMS_MAX_PER_SCENARIO];
    char target_setting[48];
    snprintf(target_setting, sizeof(target_setting), "target=%s", c->target.text);
    const char *settings[] = {target_setting};
    scenario_values(s, settings, c->has_target ? 1 : 0, values);
    struct case_ctx ctx = {.scenario = s, .params = values, .peer_cpu = c->peer_cpu};
    int err = s->setup(&ctx);
    if (err != 0)
        fail_msg("%s: setup returned %d: %s", c->name, err, ctx.failure);

    for (int i = 0; i < SAMPLES_PER_CASE; i++) {
        struct sample out;
        memset(&out, 0, sizeof(out));
        err = s->sample(&ctx, &out);
        if (err != 0)
            fail_msg("%s: sample %d returned %d: %s", c->name, i, err, ctx.failure);
        assert_cmp(out.ns, >, 0);
        assert_true(sample_reported(&out, SPAWN_METRIC_RETURN));
        assert_in_range(out.metric[SPAWN_METRIC_RETURN], 1, out.ns);
        /* The static child reports its first instruction, inside the spawn. */
        if (c->has_target && strcmp(c->target.text, "static") == 0) {
            assert_true(sample_reported(&out, SPAWN_METRIC_FIRST_INSTRUCTION));
            assert_in_range(out.metric[SPAWN_METRIC_FIRST_INSTRUCTION], 0, out.ns);
        } else {
            assert_false(sample_reported(&out, SPAWN_METRIC_FIRST_INSTRUCTION));
        }
        if (reports_child_rss(s))
            assert_cmp(out.child_maxrss_kb, >, 0);
        else
            assert_int_equal(out.child_maxrss_kb, 0);
        assert_string_equal(ctx.failure, "");
    }
    s->teardown(&ctx);

    assert_no_child_left();
    assert_int_equal(count_fds(), fds_before);
    /* glibc keeps the stacks of joined threads for reuse, by design, so
     * spawn.pthread's first round adds a mapping that stays. ASan's
     * allocator maps its regions lazily, so under ASan counts only grow. */
#ifndef __SANITIZE_ADDRESS__
    if (strcmp(s->name, "spawn.pthread") != 0)
        assert_int_equal(count_mappings(), mappings_before);
#else
    (void)mappings_before;
#endif
}

/* With PROCBENCH_CHILD set to program, runs check() on every spawn scenario
 * that execs the child program (target=static, peer inherited), then checks
 * that it left no child and no descriptor behind. */
static void for_each_exec_scenario(const char *program,
                                   void (*check)(const struct scenario *s, struct case_ctx *ctx))
{
    use_child_program(program);
    int tested = 0;
    for (size_t i = 0; i < scenario_catalogue_count; i++) {
        const struct scenario *s = scenario_catalogue[i];
        if (!is_spawn_scenario(s) || !runs_child_program(s))
            continue;
        int fds_before = count_fds();
        struct param_value values[PARAMS_MAX_PER_SCENARIO];
        scenario_values(s, NULL, 0, values);
        struct case_ctx ctx = {.scenario = s, .params = values, .peer_cpu = -1};
        check(s, &ctx);
        assert_no_child_left();
        assert_int_equal(count_fds(), fds_before);
        tested++;
    }
    /* Six target scenarios and the pool. */
    assert_cmp(tested, >=, 7);
    use_child_program(CHILD_PROGRAM);
}

static void check_sample_fails_with_status_3(const struct scenario *s, struct case_ctx *ctx)
{
    int err = s->setup(ctx);
    if (err != 0)
        fail_msg("%s: setup returned %d: %s", s->name, err, ctx->failure);
    struct sample out;
    memset(&out, 0, sizeof(out));
    err = s->sample(ctx, &out);
    s->teardown(ctx);

    assert_cmp(err, <, 0);
    /* The pool's worker is the script: it is gone before any job. */
    const char *expected = strcmp(s->name, "spawn.pool") == 0 ? "pool worker exited" : "status 3";
    if (strstr(ctx->failure, expected) == NULL)
        fail_msg("%s: failure \"%s\" does not mention \"%s\"", s->name, ctx->failure, expected);
    if (strncmp(ctx->failure, s->name, strlen(s->name)) != 0)
        fail_msg("%s: failure \"%s\" does not name the scenario", s->name, ctx->failure);
}

/* A child program that exits 3: every exec'ing scenario's sample fails with
 * the status in its reason, and teardown still leaves nothing behind. */
static void test_failing_target(void **state)
{
    (void)state;
    FILE *f = fopen(FAILING_PROGRAM, "w");
    assert_non_null(f);
    assert_int_not_equal(fputs("#!/bin/sh\nexit 3\n", f), EOF);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(FAILING_PROGRAM, 0755), 0);
    for_each_exec_scenario(FAILING_PROGRAM, check_sample_fails_with_status_3);
}

static void check_setup_names_missing_child(const struct scenario *s, struct case_ctx *ctx)
{
    int err = s->setup(ctx);
    assert_int_equal(err, -ENOENT);
    if (strstr(ctx->failure, MISSING_PROGRAM) == NULL)
        fail_msg("%s: failure \"%s\" does not name %s", s->name, ctx->failure, MISSING_PROGRAM);
    assert_null(ctx->state);
}

/* No child program where PROCBENCH_CHILD points: setup fails, names the
 * path, and leaves nothing to tear down. */
static void test_missing_child(void **state)
{
    (void)state;
    unlink(MISSING_PROGRAM);
    for_each_exec_scenario(MISSING_PROGRAM, check_setup_names_missing_child);
}

static void check_setup_says_permission_denied(const struct scenario *s, struct case_ctx *ctx)
{
    int err = s->setup(ctx);
    assert_int_equal(err, -EACCES);
    if (strstr(ctx->failure, "procbench-child: Permission denied") == NULL ||
        strstr(ctx->failure, "not found") != NULL)
        fail_msg("%s: failure \"%s\" should say procbench-child: Permission denied", s->name,
                 ctx->failure);
    assert_null(ctx->state);
}

/* A child program that is there but cannot be executed (no x bit): the
 * reason says so, not "not found: build the target". */
static void test_child_not_executable(void **state)
{
    (void)state;
    char dir[512], path[600];
    snprintf(dir, sizeof(dir), "%s/spawn-noexec-XXXXXX", TEST_OUT_DIR);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/procbench-child", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_not_equal(fputs("#!/bin/sh\nexit 0\n", f), EOF);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0644), 0);
    for_each_exec_scenario(path, check_setup_says_permission_denied);
    unlink(path);
    rmdir(dir);
}

/* Without PROCBENCH_CHILD the child is looked for beside the running binary,
 * in bench/child/: not where the test binaries live, so it is not found and
 * the reason says where it looked and what to build. */
static void test_child_path_beside_binary(void **state)
{
    (void)state;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    assert_cmp(n, >, 0);
    exe[n] = '\0';
    *strrchr(exe, '/') = '\0';
    char expected[4200];
    snprintf(expected, sizeof(expected), "%s/bench/child/procbench-child", exe);

    assert_int_equal(unsetenv("PROCBENCH_CHILD"), 0);
    proc_child_path_reset();
    const char *path = NULL;
    char failure[512] = "";
    int err = proc_child_path(&path, failure, sizeof(failure));
    use_child_program(CHILD_PROGRAM);

    assert_int_equal(err, -ENOENT);
    if (strstr(failure, expected) == NULL || strstr(failure, "procbench-child target") == NULL)
        fail_msg("failure \"%s\" should name %s and the target to build", failure, expected);
}

static void test_target_paths(void **state)
{
    (void)state;
    use_child_program(CHILD_PROGRAM);
    struct param_value value = {.text = "static"};
    const char *path = NULL;
    char failure[160] = "";
    assert_int_equal(proc_target_path(&value, &path, failure, sizeof(failure)), 0);
    assert_string_equal(path, CHILD_PROGRAM);
    snprintf(value.text, sizeof(value.text), "dynamic");
    assert_int_equal(proc_target_path(&value, &path, failure, sizeof(failure)), 0);
    assert_string_equal(path, "/bin/true");
    snprintf(value.text, sizeof(value.text), "bogus");
    assert_int_equal(proc_target_path(&value, &path, failure, sizeof(failure)), -EINVAL);
    assert_contains(failure, "bogus");
}

/* ---- what is passed: env, args, path_depth ---------------------------- */

#define CHECKING_PROGRAM TEST_OUT_DIR "/spawn-check-passed.sh"

/* Points PROCBENCH_CHILD at a script that checks what it was given (its
 * arguments, its environment, with body's tests) and then execs the child
 * with them, so that the child still reports its first instruction; a
 * failed test exits with its line's status. */
static void use_checking_child(const char *body)
{
    FILE *f = fopen(CHECKING_PROGRAM, "w");
    assert_non_null(f);
    fprintf(f, "#!/bin/sh\n%s\nexec '%s' \"$@\"\n", body, CHILD_PROGRAM);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(CHECKING_PROGRAM, 0755), 0);
    use_child_program(CHECKING_PROGRAM);
}

/* Entries of /proc/self/fd, counted, and the entries of dir (not . and ..):
 * what a round must not leave behind. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* Runs every exec'ing spawn scenario (target=static) with settings for 3
 * samples; the checking child fails the sample when it got something
 * else. check_round, when given, looks at the process between setup and
 * teardown. */
static void run_exec_scenarios(const char *const *settings, size_t setting_count,
                               void (*check_round)(const char *scenario))
{
    int tested = 0;
    for (size_t i = 0; i < scenario_catalogue_count; i++) {
        const struct scenario *s = scenario_catalogue[i];
        if (!is_spawn_scenario(s) || !has_target_param(s))
            continue;
        int fds_before = count_fds();
        struct param_value values[PARAMS_MAX_PER_SCENARIO];
        scenario_values(s, settings, setting_count, values);
        struct case_ctx ctx = {
            .scenario = s, .params = values, .peer_cpu = -1, .ops_per_sample = 1};
        if (s->case_unavailable(&ctx) != 0)
            fail_msg("%s: unavailable: %s", s->name, ctx.failure);
        if (s->process_init != NULL)
            assert_int_equal(s->process_init(), 0);
        if (s->setup(&ctx) != 0)
            fail_msg("%s: setup: %s", s->name, ctx.failure);
        if (check_round != NULL)
            check_round(s->name);
        for (int k = 0; k < 3; k++) {
            struct sample out;
            memset(&out, 0, sizeof(out));
            if (s->sample(&ctx, &out) != 0)
                fail_msg("%s: sample: %s", s->name, ctx.failure);
            assert_true(sample_reported(&out, SPAWN_METRIC_FIRST_INSTRUCTION));
            assert_in_range(out.metric[SPAWN_METRIC_FIRST_INSTRUCTION], 0, out.ns);
        }
        s->teardown(&ctx);
        assert_no_child_left();
        assert_int_equal(count_fds(), fds_before);
        tested++;
    }
    assert_int_equal(tested, 6);
}

/* env=5, args=3: the child gets exactly the 5 variables and 3 arguments of
 * 31 characters after --entry-fd; env=inherit gets ours. */
static void test_env_and_args_passed(void **state)
{
    (void)state;
    use_checking_child("[ $# = 4 ] || exit 10\n"
                       "[ \"${2}\" = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx ] || exit 11\n"
                       "[ \"${4}\" = \"${2}\" ] || exit 12\n"
                       "[ -n \"$PROCBENCH_ENV_0004\" ] || exit 13\n"
                       "[ -z \"$PROCBENCH_ENV_0005\" ] || exit 14\n"
                       "[ -z \"$PROCBENCH_TEST_MARK\" ] || exit 15\n"
                       "[ ${#PROCBENCH_ENV_0000} = 12 ] || exit 16");
    assert_int_equal(setenv("PROCBENCH_TEST_MARK", "1", 1), 0);
    const char *const settings[] = {"env=5", "args=3"};
    run_exec_scenarios(settings, 2, NULL);

    use_checking_child("[ $# = 1 ] || exit 10\n[ \"$PROCBENCH_TEST_MARK\" = 1 ] || exit 15");
    const char *const inherit[] = {"env=inherit", "args=0"};
    run_exec_scenarios(inherit, 2, NULL);
    assert_int_equal(unsetenv("PROCBENCH_TEST_MARK"), 0);
    use_child_program(CHILD_PROGRAM);
}

static char search_tmpdir[4096];

/* During a round with path_depth=3: PATH is two empty directories of a
 * temporary one under $TMPDIR, then the program's own. */
static void check_search_round(const char *scenario)
{
    const char *path = getenv("PATH");
    assert_non_null(path);
    assert_int_equal(count_entries(search_tmpdir), 1);
    char copy[8192];
    snprintf(copy, sizeof(copy), "%s", path);
    char *save = NULL;
    int entries = 0;
    for (char *dir = strtok_r(copy, ":", &save); dir != NULL; dir = strtok_r(NULL, ":", &save)) {
        entries++;
        if (entries <= 2) {
            if (strncmp(dir, search_tmpdir, strlen(search_tmpdir)) != 0)
                fail_msg("%s: PATH entry %s is not under %s", scenario, dir, search_tmpdir);
            assert_int_equal(count_entries(dir), 0);
        } else {
            assert_string_equal(dir, TEST_OUT_DIR);
        }
    }
    assert_int_equal(entries, 3);
}

/* path_depth=3: the program gets a PATH of three directories (that the
 * mechanisms do search it is seen by test_observe.c), the directories exist
 * during the round only, and PATH is ours again after teardown; with env=N,
 * PATH is the first of the N. */
static void test_path_search(void **state)
{
    (void)state;
    snprintf(search_tmpdir, sizeof(search_tmpdir), "%s/search-tmp", TEST_OUT_DIR);
    mkdir(search_tmpdir, 0700);
    /* What an earlier, failed run of this test left. */
    DIR *d = opendir(search_tmpdir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char dir[4400], sub[4500];
        snprintf(dir, sizeof(dir), "%s/%s", search_tmpdir, e->d_name);
        for (int i = 1; e->d_name[0] != '.' && i <= 8; i++) {
            snprintf(sub, sizeof(sub), "%s/%d", dir, i);
            rmdir(sub);
        }
        if (e->d_name[0] != '.')
            rmdir(dir);
    }
    closedir(d);
    assert_int_equal(count_entries(search_tmpdir), 0);
    char *old_tmpdir = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    assert_int_equal(setenv("TMPDIR", search_tmpdir, 1), 0);
    char *old_path = strdup(getenv("PATH"));
    assert_non_null(old_path);

    use_checking_child("case \"$PATH\" in *:*:*) ;; *) exit 11 ;; esac");
    const char *const settings[] = {"path_depth=3"};
    run_exec_scenarios(settings, 1, check_search_round);
    assert_int_equal(count_entries(search_tmpdir), 0);
    assert_string_equal(getenv("PATH"), old_path);

    use_checking_child(
        "[ -n \"$PROCBENCH_ENV_0001\" ] || exit 12\n[ -z \"$PROCBENCH_ENV_0000\" ] || "
        "exit 13\ncase \"$PATH\" in *:*:*) ;; *) exit 11 ;; esac");
    const char *const with_env[] = {"path_depth=3", "env=2"};
    run_exec_scenarios(with_env, 2, check_search_round);
    assert_int_equal(count_entries(search_tmpdir), 0);
    assert_string_equal(getenv("PATH"), old_path);

    /* What a round killed before its teardown left (a process that is gone)
     * is removed by the next search's setup; a live process's is not. */
    pid_t gone = fork();
    assert_cmp(gone, >=, 0);
    if (gone == 0)
        _exit(0);
    assert_int_equal(waitpid(gone, NULL, 0), gone);
    char stale[4400], live[4400], sub[4500];
    snprintf(stale, sizeof(stale), "%s/procbench-path-%d-Ab12Cd", search_tmpdir, (int)gone);
    snprintf(live, sizeof(live), "%s/procbench-path-%d-Ab12Cd", search_tmpdir, (int)getpid());
    assert_int_equal(mkdir(stale, 0700), 0);
    assert_int_equal(mkdir(live, 0700), 0);
    for (int i = 1; i <= 2; i++) {
        snprintf(sub, sizeof(sub), "%s/%d", stale, i);
        assert_int_equal(mkdir(sub, 0700), 0);
    }
    const char *const one[] = {"path_depth=2"};
    use_child_program(CHILD_PROGRAM);
    run_exec_scenarios(one, 1, NULL);
    assert_int_equal(access(stale, F_OK), -1);
    assert_int_equal(access(live, F_OK), 0);
    assert_int_equal(rmdir(live), 0);
    assert_int_equal(count_entries(search_tmpdir), 0);

    /* No PATH to search with no variable at all: skipped, with the reason. */
    const struct scenario *s = scenario_find("spawn.posix_spawn");
    struct param_value values[PARAMS_MAX_PER_SCENARIO];
    const char *const none[] = {"path_depth=3", "env=0"};
    scenario_values(s, none, 2, values);
    struct case_ctx unavailable = {.scenario = s, .params = values};
    assert_int_equal(s->case_unavailable(&unavailable), -EINVAL);
    if (strstr(unavailable.failure, "needs PATH") == NULL)
        fail_msg("'%s' does not say a search needs PATH", unavailable.failure);

    if (old_tmpdir != NULL)
        setenv("TMPDIR", old_tmpdir, 1);
    else
        unsetenv("TMPDIR");
    free(old_tmpdir);
    free(old_path);
    rmdir(search_tmpdir);
    use_child_program(CHILD_PROGRAM);
}

/* A round whose directories cannot be made (TMPDIR is a file): setup fails
 * naming the call, and leaves nothing behind. */
static void test_path_search_setup_fails(void **state)
{
    (void)state;
    use_child_program(CHILD_PROGRAM);
    char file[4096];
    snprintf(file, sizeof(file), "%s/search-tmp-is-a-file", TEST_OUT_DIR);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    char *old_tmpdir = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    assert_int_equal(setenv("TMPDIR", file, 1), 0);
    char *old_path = strdup(getenv("PATH"));
    const struct scenario *s = scenario_find("spawn.fork_exec");
    struct param_value values[PARAMS_MAX_PER_SCENARIO];
    const char *const settings[] = {"path_depth=2"};
    scenario_values(s, settings, 1, values);
    int fds_before = count_fds();
    struct case_ctx ctx = {.scenario = s, .params = values, .peer_cpu = -1, .ops_per_sample = 1};
    int err = s->setup(&ctx);
    const char *failure = ctx.failure;
    if (old_tmpdir != NULL)
        setenv("TMPDIR", old_tmpdir, 1);
    else
        unsetenv("TMPDIR");
    free(old_tmpdir);
    assert_int_equal(err, -ENOTDIR);
    if (strstr(failure, "mkdtemp") == NULL)
        fail_msg("failure \"%s\" does not name mkdtemp", failure);
    assert_null(ctx.state);
    assert_string_equal(getenv("PATH"), old_path);
    assert_int_equal(count_fds(), fds_before);
    free(old_path);
    unlink(file);
}

/* ---- the child program ---------------------------------------------- */

static void test_child_write(void **state)
{
    (void)state;
    int out[2];
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    char *argv[] = {CHILD_PROGRAM, "write", "100000", "4096", NULL};
    pid_t pid = spawn_child(argv, -1, out[1], -1);
    close(out[1]);
    static char data[200000];
    size_t total = read_to_eof(out[0], data, sizeof(data));
    close(out[0]);

    assert_int_equal(wait_exit_status(pid), 0);
    assert_int_equal(total, 100000);
    /* A pattern that repeats every 64 bytes across the 4096-byte writes. */
    for (size_t i = 64; i < total; i++) {
        if (data[i] != data[i - 64])
            fail_msg("byte %zu is %d, byte %zu is %d", i, data[i], i - 64, data[i - 64]);
    }
}

static void test_child_echo(void **state)
{
    (void)state;
    int in[2], out[2];
    assert_int_equal(pipe2(in, O_CLOEXEC), 0);
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    char *argv[] = {CHILD_PROGRAM, "echo", NULL};
    pid_t pid = spawn_child(argv, in[0], out[1], -1);
    close(in[0]);
    close(out[1]);

    const char sent[10] = "0123456789";
    assert_int_equal(write(in[1], sent, sizeof(sent)), sizeof(sent));
    close(in[1]);
    char got[16];
    size_t total = read_to_eof(out[0], got, sizeof(got));
    close(out[0]);

    assert_int_equal(wait_exit_status(pid), 0);
    assert_int_equal(total, sizeof(sent));
    assert_memory_equal(got, sent, sizeof(sent));
}

/* Bad arguments: exit status 2, nothing on stdout, a usage line on stderr. */
static void test_child_bad_arguments(void **state)
{
    (void)state;
    char *const bad[][5] = {
        {CHILD_PROGRAM, "write", NULL},
        {CHILD_PROGRAM, "write", "-5", NULL},
        {CHILD_PROGRAM, "write", "10", "0", NULL},
        {CHILD_PROGRAM, "write", "10", "2097152", NULL},
        {CHILD_PROGRAM, "write", "1099511627777", NULL},
        {CHILD_PROGRAM, "write", "12x", NULL},
        {CHILD_PROGRAM, "echo", "extra", NULL},
        {CHILD_PROGRAM, "frobnicate", NULL},
        {CHILD_PROGRAM, "--entry-fd=", NULL},
        {CHILD_PROGRAM, "--entry-fd=x1", NULL},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int out[2], err[2];
        assert_int_equal(pipe2(out, O_CLOEXEC), 0);
        assert_int_equal(pipe2(err, O_CLOEXEC), 0);
        pid_t pid = spawn_child(bad[i], -1, out[1], err[1]);
        close(out[1]);
        close(err[1]);
        char text[512];
        size_t out_bytes = read_to_eof(out[0], text, sizeof(text));
        size_t err_bytes = read_to_eof(err[0], text, sizeof(text) - 1);
        text[err_bytes] = '\0';
        close(out[0]);
        close(err[0]);

        assert_int_equal(wait_exit_status(pid), 2);
        assert_int_equal(out_bytes, 0);
        if (strstr(text, "usage: procbench-child") == NULL)
            fail_msg("argument set %zu: stderr \"%s\" has no usage line", i, text);
    }
    char *empty[] = {CHILD_PROGRAM, NULL};
    assert_int_equal(wait_exit_status(spawn_child(empty, -1, -1, -1)), 0);
    /* spawn's args: padding made of 'x' only, ignored. */
    char *padded[] = {CHILD_PROGRAM, "xxxxxxxx", "x", "anything after the first", NULL};
    assert_int_equal(wait_exit_status(spawn_child(padded, -1, -1, -1)), 0);
}

/* --entry-fd=FD: the child writes the monotonic time of its first
 * instruction, 8 bytes, which lies after the spawn call started and before
 * the child was reaped; then it does its mode as without the option. */
static void test_child_entry_fd(void **state)
{
    (void)state;
    int report[2], out[2];
    assert_int_equal(pipe2(report, 0), 0); /* inherited: no O_CLOEXEC */
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    char option[32];
    snprintf(option, sizeof(option), "--entry-fd=%d", report[1]);
    char *argv[] = {CHILD_PROGRAM, option, "write", "100", NULL};
    struct timespec t;
    assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t), 0);
    uint64_t before = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
    pid_t pid = spawn_child(argv, -1, out[1], -1);
    close(report[1]);
    close(out[1]);
    char data[256];
    size_t written = read_to_eof(out[0], data, sizeof(data));
    assert_int_equal(wait_exit_status(pid), 0);
    assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t), 0);
    uint64_t after = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
    uint64_t entry = 0;
    char got[16];
    size_t n = read_to_eof(report[0], got, sizeof(got));
    close(report[0]);
    close(out[0]);

    assert_int_equal(written, 100);
    assert_int_equal(n, sizeof(entry));
    memcpy(&entry, got, sizeof(entry));
    assert_in_range(entry, before, after);
}

/* --entry-fd naming a descriptor that is not open: exit 1, the time
 * could not be handed back. */
static void test_child_entry_fd_closed(void **state)
{
    (void)state;
    char *argv[] = {CHILD_PROGRAM, "--entry-fd=1000", NULL};
    assert_int_equal(wait_exit_status(spawn_child(argv, -1, -1, -1)), 1);
}

/* ---- the group ------------------------------------------------------ */

static int group_setup(void **state)
{
    (void)state;
    /* libuv opens a process-wide pipe at its first uv_loop_init() and keeps
     * it for the life of the process by design (uv__signal_global_init).
     * Pay that once here, so that the descriptor counts compare rounds. */
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0 || uv_loop_close(&loop) != 0)
        return -1;
    return 0;
}

/* A CPU this process may run on other than the one it is on, or the one it
 * is on when it may run on one only: what a cross placement would use. */
static int choose_peer_cpu(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return -1;
    int here = sched_getcpu();
    int peer = -1;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &set) && (peer < 0 || cpu != here))
            peer = cpu;
    }
    return peer;
}

static void add_case(size_t *count, const struct scenario *s, const char *target, int peer_cpu)
{
    if (*count >= MAX_CASES) {
        fprintf(stderr, "test_spawn_scenarios: more than %d cases\n", MAX_CASES);
        exit(1);
    }
    struct spawn_case *c = &cases[(*count)++];
    c->scenario = s;
    c->has_target = target != NULL;
    if (target != NULL)
        snprintf(c->target.text, sizeof(c->target.text), "%s", target);
    c->peer_cpu = peer_cpu;
    snprintf(c->name, sizeof(c->name), "%s{target=%s,peer_cpu=%d}", s->name,
             target != NULL ? target : "-", peer_cpu);
}

/* One case per spawn scenario, target value (from the parameter's choices)
 * and peer placement: -1, plus a real CPU where CROSS is supported. */
static size_t build_cases(void)
{
    size_t count = 0;
    int peer = choose_peer_cpu();
    for (size_t i = 0; i < scenario_catalogue_count; i++) {
        const struct scenario *s = scenario_catalogue[i];
        if (!is_spawn_scenario(s) || s->unavailable != NULL)
            continue;
        int cross = (s->placements_supported & PLACEMENT_BIT(PLACEMENT_CROSS)) && peer >= 0;
        if (!has_target_param(s)) {
            add_case(&count, s, NULL, -1);
            if (cross)
                add_case(&count, s, NULL, peer);
            continue;
        }
        char choices[128];
        snprintf(choices, sizeof(choices), "%s", s->params[0].choices);
        char *save = NULL;
        for (char *word = strtok_r(choices, ",", &save); word != NULL;
             word = strtok_r(NULL, ",", &save)) {
            add_case(&count, s, word, -1);
            if (cross)
                add_case(&count, s, word, peer);
        }
    }
    return count;
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_child_write),
        cmocka_unit_test(test_child_echo),
        cmocka_unit_test(test_child_bad_arguments),
        cmocka_unit_test(test_child_entry_fd),
        cmocka_unit_test(test_child_entry_fd_closed),
        cmocka_unit_test(test_target_paths),
        cmocka_unit_test(test_child_path_beside_binary),
        cmocka_unit_test(test_failing_target),
        cmocka_unit_test(test_missing_child),
        cmocka_unit_test(test_env_and_args_passed),
        cmocka_unit_test(test_path_search),
        cmocka_unit_test(test_path_search_setup_fails),
        cmocka_unit_test(test_child_not_executable),
    };
    enum { FIXED_COUNT = sizeof(fixed) / sizeof(fixed[0]) };
    static struct CMUnitTest tests[FIXED_COUNT + MAX_CASES];

    size_t count = build_cases();
    /* Nine spawn scenarios, six of them with two targets. */
    if (count < 15) {
        fprintf(stderr, "test_spawn_scenarios: only %zu spawn cases in the catalogue\n", count);
        return 1;
    }
    for (size_t i = 0; i < count; i++) {
        tests[i] = (struct CMUnitTest){
            .name = cases[i].name,
            .test_func = test_scenario_case,
            .initial_state = &cases[i],
        };
    }
    memcpy(&tests[count], fixed, sizeof(fixed));
    return _cmocka_run_group_tests("spawn_scenarios", tests, count + FIXED_COUNT, group_setup,
                                   NULL);
}
