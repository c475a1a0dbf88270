/*
 * Running the observation of mechanism.h. Three processes: the harness,
 * which forks the observer in a process group of its own and waits for it
 * (with the time limit and the interrupts a round has); the observer,
 * which forks the case's process and traces it; and the case's process,
 * which runs process_init, setup, one sample between two writes to a
 * marker pipe, and teardown, as a round would. They share one page: the
 * case's process writes there why its setup or sample failed, the observer
 * the line.
 */
#include "mechanism.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/reason.h"
#include "base/units.h"
#include "interrupt.h"
#include "mechanism_trace.h"
#include "pinning.h"
#include "reaper.h"

/* The page the three processes share. */
struct shared {
    char line[sizeof(((struct case_result *)0)->mechanism)];
    char failure[192]; /* the case's process: why setup or the sample failed */
    bool traceme_refused;
    bool setup_failed;
    bool sample_failed;
};

/* Why ptrace may have been refused, from the Yama setting. */
static void yama_hint(char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
    int scope = -1;
    if (f != NULL) {
        if (fscanf(f, "%d", &scope) != 1)
            scope = -1;
        fclose(f);
    }
    if (scope >= 0)
        snprintf(buf, len, "; kernel.yama.ptrace_scope is %d", scope);
}

/* The case's process: traced from its first step. */
static _Noreturn void case_process(const struct case_result *c, struct shared *sh, int marker_fd)
{
    const struct scenario *sc = c->def.scenario;
    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) {
        reason_format(sh->failure, sizeof(sh->failure), "%s", strerror(errno));
        sh->traceme_refused = true;
        _exit(3);
    }
    raise(SIGSTOP);
    int rc = sc->process_init != NULL ? sc->process_init() : 0;
    struct case_ctx ctx = {
        .scenario = sc,
        .params = c->def.params,
        .peer_cpu = c->def.placement == PLACEMENT_CROSS ? c->peer_cpu : -1,
        .ops_per_sample = 1,
    };
    if (rc != 0)
        snprintf(ctx.failure, sizeof(ctx.failure), "process_init failed: %s", strerror(-rc));
    else
        rc = sc->setup(&ctx);
    if (rc != 0) {
        reason_format(sh->failure, sizeof(sh->failure), "%s", ctx.failure);
        sh->setup_failed = true;
        _exit(1);
    }
    struct sample s;
    memset(&s, 0, sizeof(s));
    ssize_t ignored = write(marker_fd, "B", 1);
    ctx.failure[0] = '\0';
    rc = sc->sample(&ctx, &s);
    ignored = write(marker_fd, "E", 1);
    (void)ignored;
    if (rc != 0) {
        reason_format(sh->failure, sizeof(sh->failure), "%s",
                      ctx.failure[0] ? ctx.failure : strerror(-rc));
        sh->sample_failed = true;
    }
    sc->teardown(&ctx);
    _exit(0);
}

/* The observer: forks the case's process, follows it, writes the line. */
static _Noreturn void observer_process(const struct case_result *c, struct shared *sh)
{
    setpgid(0, 0);
    interrupt_reset_in_child();
    int marker[2];
    if (pinning_apply(c->def.placement) != 0 || pipe2(marker, O_CLOEXEC) != 0) {
        reason_format(sh->line, sizeof(sh->line), "unobserved: placement or pipe failed: %s",
                      strerror(errno));
        _exit(0);
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        reason_format(sh->line, sizeof(sh->line), "unobserved: fork failed: %s", strerror(errno));
        _exit(0);
    }
    if (pid == 0) {
        close(marker[0]);
        case_process(c, sh, marker[1]);
    }
    struct mechanism_trace trace;
    char why[160] = "";
    int rc = mechanism_follow(pid, marker[1], &trace, why, sizeof(why));
    if (sh->traceme_refused) {
        char hint[64];
        yama_hint(hint, sizeof(hint));
        reason_format(sh->line, sizeof(sh->line),
                      "unobserved: ptrace(PTRACE_TRACEME) refused: %s%s", sh->failure, hint);
    } else if (rc != 0) {
        reason_format(sh->line, sizeof(sh->line), "unobserved: %s", why);
    } else if (sh->setup_failed) {
        reason_format(sh->line, sizeof(sh->line), "unobserved: setup failed: %s", sh->failure);
    } else {
        char line[sizeof(sh->line)];
        mechanism_render(trace.tasks, trace.count, line, sizeof(line));
        if (sh->sample_failed)
            reason_format(sh->line, sizeof(sh->line), "%s (the observed sample failed: %s)", line,
                          sh->failure);
        else
            reason_format(sh->line, sizeof(sh->line), "%s", line);
    }
    mechanism_trace_free(&trace);
    _exit(0);
}

void mechanism_observe(struct case_result *c, uint64_t timeout_ns)
{
    struct shared *sh =
        mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        reason_format(c->mechanism, sizeof(c->mechanism), "unobserved: mmap failed: %s",
                      strerror(errno));
        return;
    }
    memset(sh, 0, sizeof(*sh));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        reason_format(c->mechanism, sizeof(c->mechanism), "unobserved: fork failed: %s",
                      strerror(errno));
        munmap(sh, sizeof(*sh));
        return;
    }
    if (pid == 0)
        observer_process(c, sh);
    setpgid(pid, pid);
    uint64_t start = clock_now_ns();
    int status = 0;
    const char *stopped = NULL;
    for (;;) {
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid || (got < 0 && errno != EINTR))
            break;
        if (interrupt_signal() != 0)
            stopped = "interrupted";
        else if (timeout_ns > 0 && clock_now_ns() - start > timeout_ns)
            stopped = "timed out";
        if (stopped != NULL) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        struct timespec ms = {.tv_sec = 0, .tv_nsec = 1000000};
        nanosleep(&ms, NULL);
    }
    /* The case's process and its children, whom the observer's death
     * killed (PTRACE_O_EXITKILL) or orphaned to us. */
    reaper_collect();
    if (stopped != NULL && strcmp(stopped, "timed out") == 0) {
        char limit[32];
        units_format_duration(timeout_ns, limit, sizeof(limit));
        reason_format(c->mechanism, sizeof(c->mechanism),
                      "unobserved: the observed sample did not end within %s", limit);
    } else if (stopped != NULL) {
        reason_format(c->mechanism, sizeof(c->mechanism), "unobserved: %s", stopped);
    } else if (sh->line[0] == '\0') {
        reason_format(c->mechanism, sizeof(c->mechanism),
                      "unobserved: the observer ended without a word (wait status 0x%x)", status);
    } else {
        reason_format(c->mechanism, sizeof(c->mechanism), "%s", sh->line);
    }
    munmap(sh, sizeof(*sh));
}
