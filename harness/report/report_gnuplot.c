/*
 * Finding and running gnuplot (report_gnuplot.h).
 */
#include "report_gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/reason.h"

extern char **environ;

static const volatile sig_atomic_t *stop_flag;

void report_gnuplot_stop_when(const volatile sig_atomic_t *flag)
{
    stop_flag = flag;
}

/* REPORT_GNUPLOT_TIMEOUT_S, or the test knob PROCBENCH_TEST_GNUPLOT_TIMEOUT_MS
 * when it is a shorter, valid number of milliseconds: a test of a hung
 * gnuplot should not wait a minute. */
static long timeout_ms(void)
{
    const long limit = REPORT_GNUPLOT_TIMEOUT_S * 1000L;
    const char *knob = getenv("PROCBENCH_TEST_GNUPLOT_TIMEOUT_MS");
    if (knob == NULL || *knob == '\0')
        return limit;
    char *end;
    long ms = strtol(knob, &end, 10);
    return *end == '\0' && ms > 0 && ms < limit ? ms : limit;
}

static int executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int report_gnuplot_find(char *path, size_t len)
{
    const char *forced = getenv("PROCBENCH_GNUPLOT");
    if (forced != NULL && forced[0] != '\0') {
        if (!executable(forced) || snprintf(path, len, "%s", forced) >= (int)len)
            return -ENOENT;
        return 0;
    }
    const char *dirs = getenv("PATH");
    if (dirs == NULL)
        dirs = "/usr/bin:/bin";
    while (*dirs != '\0') {
        size_t n = strcspn(dirs, ":");
        if (n > 0 && snprintf(path, len, "%.*s/gnuplot", (int)n, dirs) < (int)len &&
            executable(path))
            return 0;
        dirs += n + (dirs[n] == ':');
    }
    return -ENOENT;
}

/* The first line of the log, for a one-line reason. */
static void first_line(const char *log_path, char *buf, size_t len)
{
    FILE *fp = fopen(log_path, "re");
    buf[0] = '\0';
    if (fp == NULL)
        return;
    char line[256];
    while (fgets(line, sizeof(line), fp) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (strspn(line, " \t^") < strlen(line)) {
            size_t n = strlen(line) < len ? strlen(line) : len - 1;
            memcpy(buf, line, n);
            buf[n] = '\0';
            break;
        }
    }
    fclose(fp);
}

int report_gnuplot_run(const char *gnuplot, const char *cwd, const char *const *args, size_t count,
                       const char *log_path, char *why, size_t why_len)
{
    char *argv[count + 2];
    argv[0] = (char *)gnuplot;
    for (size_t i = 0; i < count; i++)
        argv[i + 1] = (char *)args[i];
    argv[count + 1] = NULL;

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int rc = posix_spawnattr_init(&attr);
    if (rc != 0) {
        reason_format(why, why_len, "posix_spawnattr_init failed: %s", strerror(rc));
        return -rc;
    }
    rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    if (rc == 0)
        rc = posix_spawnattr_setpgroup(&attr, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) {
        posix_spawnattr_destroy(&attr);
        reason_format(why, why_len, "posix_spawn_file_actions_init failed: %s", strerror(rc));
        return -rc;
    }
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&actions, 1, log_path, O_WRONLY | O_CREAT | O_APPEND,
                                              0644);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&actions, 1, 2);
    if (rc == 0)
        rc = posix_spawn_file_actions_addchdir_np(&actions, cwd);
    pid_t pid = -1;
    if (rc == 0)
        rc = posix_spawn(&pid, gnuplot, &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        reason_format(why, why_len, "%s: posix_spawn failed: %s", gnuplot, strerror(rc));
        return -rc;
    }
    /* Wait, with a deadline: a gnuplot that hangs must not hang the report.
     * waitid(WNOWAIT) leaves gnuplot unreaped, so that its pid still names
     * its process group when the group is killed below. */
    enum { EXITED, TIMED_OUT, STOPPED, LOST } end = EXITED;
    const long limit_ms = timeout_ms();
    struct timespec step = {0, 10 * 1000 * 1000};
    for (long waited_ms = 0;; waited_ms += 10) {
        siginfo_t info;
        memset(&info, 0, sizeof(info));
        int got = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
        if (got == 0 && info.si_pid == pid)
            break;
        if (got != 0 && errno != EINTR) {
            end = LOST;
            break;
        }
        if (stop_flag != NULL && *stop_flag != 0) {
            end = STOPPED;
            break;
        }
        if (waited_ms >= limit_ms) {
            end = TIMED_OUT;
            break;
        }
        nanosleep(&step, NULL);
    }
    /* Whatever gnuplot started goes with it, however it ended. */
    kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (end == LOST) {
        reason_format(why, why_len, "%s: waitid failed", gnuplot);
        return -ECHILD;
    }
    if (end == STOPPED) {
        reason_format(why, why_len, "%s: stopped: the report was interrupted", gnuplot);
        return -EINTR;
    }
    if (end == TIMED_OUT) {
        if (limit_ms % 1000 == 0)
            reason_format(why, why_len, "%s: killed after %ld s", gnuplot, limit_ms / 1000);
        else
            reason_format(why, why_len, "%s: killed after %ld ms", gnuplot, limit_ms);
        return -ETIMEDOUT;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    char line[200];
    first_line(log_path, line, sizeof(line));
    if (WIFEXITED(status))
        reason_format(why, why_len, "%s exited with status %d: %s", gnuplot, WEXITSTATUS(status),
                      line);
    else
        reason_format(why, why_len, "%s killed by signal %d: %s", gnuplot,
                      WIFSIGNALED(status) ? WTERMSIG(status) : 0, line);
    return -EIO;
}
