/*
 * The harness side of the node.* scenarios: starting the Node.js driver of a
 * round with its two pipes and its captured stderr, the request-answer
 * protocol with a time limit on every wait, the checks of every answer, and
 * turning a driver that dies, hangs or talks nonsense into a failed sample
 * whose reason says what happened and what node wrote on stderr. The
 * protocol itself is described in node_common.h and in the driver's header.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ballast.h"
#include "base/clock.h"
#include "base/reason.h"
#include "base/units.h"
#include "metrics.h"
#include "node_common.h"
#include "node_locate.h"
#include "proc.h"

/* An answer is one short line; anything longer is not one. */
#define ANSWER_MAX_BYTES 512
/* Descriptors the driver gets, as its header says. */
#define DRIVER_REQUEST_FD 3
#define DRIVER_ANSWER_FD  4
/* The child-side ends are moved to this number or above before the spawn,
 * so that no dup2() onto 3 or 4 can overwrite another of them. */
#define SPARE_FD_MIN 10
/* How long teardown lets the driver stop its peer and exit, and how long a
 * driver whose answers ended gets to finish exiting, before SIGKILL. */
#define STOP_TIMEOUT_MS  10000u
#define DYING_TIMEOUT_MS 2000u
/* Ranges an answer's figures must lie in: an hour (the histograms' range),
 * and a TiB for sizes. */
#define MAX_NS    3600000000000ull
#define MAX_BYTES (1ull << 40)
/* Arguments of node: node, --expose-gc, --max-old-space-size=, script,
 * scenario, child=, the parameters (8 at most in a case_def), NULL. */
#define MAX_ARGS 16
/* Answers' optional NAME=VALUE fields, at most one of each: the metrics
 * after the three positional ones, and ops. */
#define EXTRA_FIELDS (SAMPLE_METRICS_MAX - NODE_METRIC_LOOP_DELAY + 1)
/* A `js` heap is built with V8's collector running: room for it beside the
 * live bytes, in V8's limit and in the machine's memory. */
#define JS_HEAP_ROOM_NUM 3
#define JS_HEAP_ROOM_DEN 2
/* What node holds besides the heap, and V8's own headroom beside a js heap. */
#define NODE_BASE_BYTES ((uint64_t)64 << 20)
#define V8_HEADROOM_MIB 1024u
/* The most operations one sample may report (node.cluster's connections). */
#define MAX_OPS 1000000ull

const struct metric_spec node_metrics[] = {
    NODE_METRICS_COMMON,
    {.name = NULL},
};

struct node_state {
    const char *scenario;
    const struct metric_spec *metrics; /* the scenario's, for its answers */
    pid_t pid;                         /* node, until reaped; -1 after */
    int to_driver;                     /* write end of the requests pipe; -1 once closed */
    int from_driver;                   /* read end of the answers pipe */
    int log_fd;                        /* the memfd holding node's stdout and stderr */
    unsigned long long sequence;
    unsigned timeout_ms;
    char buffer[ANSWER_MAX_BYTES]; /* bytes of an answer read so far */
    size_t buffered;
    char broken[SCENARIO_FAILURE_MAX]; /* "": usable; else why not */
    struct sigaction old_sigpipe;
    char node_path[PATH_MAX];
    char script_path[PATH_MAX];
    char args[MAX_ARGS][PATH_MAX + 40];
    char old_space[48]; /* --max-old-space-size=MIB, for a js heap */
};

/* ---- reasons -------------------------------------------------------- */

void node_stderr_line(const char *text, size_t len, char *out, size_t out_len)
{
    const char *chosen = NULL, *first = NULL;
    size_t chosen_len = 0, first_len = 0;
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && text[end] != '\n')
            end++;
        size_t a = i, b = end;
        while (a < b && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r'))
            a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r'))
            b--;
        if (b > a) {
            if (first == NULL) {
                first = text + a;
                first_len = b - a;
            }
            /* "TypeError: ...", "Error [ERR_X]: ...", "FATAL ERROR: ...", our own. */
            bool telling = strncmp(text + a, "procbench-driver:", b - a < 17 ? b - a : 17) == 0;
            for (size_t k = a; !telling && k + 5 <= b; k++)
                telling = strncasecmp(text + k, "error", 5) == 0 && k + 5 < b &&
                          (text[k + 5] == ':' || text[k + 5] == ' ');
            if (telling) {
                chosen = text + a;
                chosen_len = b - a;
                break;
            }
        }
        i = end + 1;
    }
    if (chosen == NULL) {
        chosen = first;
        chosen_len = first_len;
    }
    size_t n = 0;
    bool space = false;
    for (size_t k = 0; chosen != NULL && k < chosen_len && n + 1 < out_len; k++) {
        unsigned char c = (unsigned char)chosen[k];
        bool blank = c == ' ' || c == '\t';
        if (blank && space)
            continue;
        space = blank;
        /* One line of plain text: control and non-ASCII bytes become '?'. */
        out[n++] = blank ? ' ' : (c < 0x20 || c > 0x7e ? '?' : (char)c);
    }
    if (out_len > 0)
        out[n] = '\0';
}

/* The telling line of what node wrote so far, or "" (see node_stderr_line). */
static void stderr_line(const struct node_state *s, char *out, size_t out_len)
{
    char text[8192];
    ssize_t n = pread(s->log_fd, text, sizeof(text), 0);
    node_stderr_line(text, n > 0 ? (size_t)n : 0, out, out_len);
}

/* ---- the driver process --------------------------------------------- */

/* Waits up to timeout_ms for node to exit; kills it if it has not; reaps it.
 * Writes how it ended into how ("exited with status 3", "killed by signal 6
 * (SIGABRT)", with " (killed after N s)" when we killed it). */
static void reap_driver(struct node_state *s, unsigned timeout_ms, char *how, size_t how_len)
{
    if (s->pid <= 0) {
        snprintf(how, how_len, "had already been reaped");
        return;
    }
    int status = 0;
    bool killed = false;
    uint64_t deadline = clock_now_ns() + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        pid_t got = waitpid(s->pid, &status, WNOHANG);
        if (got == s->pid)
            break;
        if (got < 0 && errno != EINTR) {
            snprintf(how, how_len, "could not be waited for: %s", strerror(errno));
            s->pid = -1;
            return;
        }
        if (got == 0 && clock_now_ns() >= deadline) {
            kill(s->pid, SIGKILL);
            killed = true;
            while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
                ;
            break;
        }
        struct timespec ms = {.tv_sec = 0, .tv_nsec = 1000000};
        nanosleep(&ms, NULL);
    }
    s->pid = -1;
    if (killed) {
        snprintf(how, how_len, "killed by us after %u ms", timeout_ms);
    } else if (WIFEXITED(status)) {
        snprintf(how, how_len, "exited with status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        const char *abbrev = sigabbrev_np(WTERMSIG(status));
        snprintf(how, how_len, "killed by signal %d (SIG%s)", WTERMSIG(status),
                 abbrev != NULL ? abbrev : "?");
    } else {
        snprintf(how, how_len, "ended with wait status 0x%x", status);
    }
}

/* Marks the driver unusable for the rest of the round: the reason is
 * "<scenario>: <what>", and then how node ended and its stderr's telling
 * line. kill_now: it is alive and misbehaving (kill at once); otherwise it
 * is expected to be exiting (give it DYING_TIMEOUT_MS). */
static void break_driver(struct node_state *s, bool kill_now, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void break_driver(struct node_state *s, bool kill_now, const char *fmt, ...)
{
    char what[160], how[96], line[160];
    va_list args;
    va_start(args, fmt);
    vsnprintf(what, sizeof(what), fmt, args);
    va_end(args);
    if (kill_now && s->pid > 0)
        kill(s->pid, SIGKILL);
    reap_driver(s, kill_now ? 0 : DYING_TIMEOUT_MS, how, sizeof(how));
    stderr_line(s, line, sizeof(line));
    reason_format(s->broken, sizeof(s->broken), "%s: %s; node %s%s%s", s->scenario, what,
                  kill_now ? "killed" : how, line[0] ? "; stderr: " : "", line);
}

/* Reads one answer line (without its newline) into line, waiting at most
 * s->timeout_ms. Returns 0; -EPIPE at end of file; -ETIMEDOUT; -EPROTO when
 * the line is too long; -errno. */
static int read_answer(struct node_state *s, char *line, size_t line_len)
{
    uint64_t deadline = clock_now_ns() + (uint64_t)s->timeout_ms * 1000000u;
    for (;;) {
        char *nl = memchr(s->buffer, '\n', s->buffered);
        if (nl != NULL) {
            size_t n = (size_t)(nl - s->buffer);
            if (n >= line_len)
                return -EPROTO;
            memcpy(line, s->buffer, n);
            line[n] = '\0';
            s->buffered -= n + 1;
            memmove(s->buffer, nl + 1, s->buffered);
            return 0;
        }
        if (s->buffered == sizeof(s->buffer))
            return -EPROTO;
        uint64_t now = clock_now_ns();
        if (now >= deadline)
            return -ETIMEDOUT;
        struct pollfd p = {.fd = s->from_driver, .events = POLLIN};
        int ready = poll(&p, 1, (int)((deadline - now + 999999u) / 1000000u));
        if (ready < 0 && errno != EINTR)
            return -errno;
        if (ready <= 0)
            continue;
        ssize_t n = read(s->from_driver, s->buffer + s->buffered, sizeof(s->buffer) - s->buffered);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -EPIPE;
        s->buffered += (size_t)n;
    }
}

/* Reads an answer; on any failure breaks the driver with the reason and
 * returns -errno. */
static int expect_answer(struct node_state *s, const char *waiting_for, char *line, size_t len)
{
    int err = read_answer(s, line, len);
    if (err == -EPIPE)
        break_driver(s, false, "driver ended while %s", waiting_for);
    else if (err == -ETIMEDOUT)
        break_driver(s, true, "no answer from the driver within %u ms while %s", s->timeout_ms,
                     waiting_for);
    else if (err == -EPROTO)
        break_driver(s, true, "driver's answer while %s is longer than %d bytes", waiting_for,
                     ANSWER_MAX_BYTES - 1);
    else if (err < 0)
        break_driver(s, true, "reading the driver's answer failed: %s", strerror(-err));
    return err;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Moves *fd to a close-on-exec descriptor >= SPARE_FD_MIN. Returns 0 or -errno. */
static int move_high(int *fd)
{
    int high = fcntl(*fd, F_DUPFD_CLOEXEC, SPARE_FD_MIN);
    if (high < 0)
        return -errno;
    close(*fd);
    *fd = high;
    return 0;
}

/* Starts node on the driver with the child ends of the pipes on 3 and 4 and
 * the memfd on 1 and 2. Returns 0 or -errno (posix_spawn's). */
static int spawn_driver(struct node_state *s, char *const argv[], int request_rx, int answer_tx)
{
    posix_spawn_file_actions_t actions;
    int err = posix_spawn_file_actions_init(&actions);
    if (err != 0)
        return -err;
    err = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (err == 0)
        err = posix_spawn_file_actions_adddup2(&actions, s->log_fd, 1);
    if (err == 0)
        err = posix_spawn_file_actions_adddup2(&actions, s->log_fd, 2);
    if (err == 0)
        err = posix_spawn_file_actions_adddup2(&actions, request_rx, DRIVER_REQUEST_FD);
    if (err == 0)
        err = posix_spawn_file_actions_adddup2(&actions, answer_tx, DRIVER_ANSWER_FD);
    if (err == 0)
        err = posix_spawn(&s->pid, s->node_path, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    return -err;
}

/* The time limit: NODE_ANSWER_TIMEOUT_MS, or the test knob. */
static unsigned answer_timeout_ms(void)
{
    const char *knob = getenv("PROCBENCH_TEST_NODE_TIMEOUT_MS");
    char *end = NULL;
    unsigned long ms = knob != NULL ? strtoul(knob, &end, 10) : 0;
    if (knob == NULL || end == knob || *end != '\0' || ms == 0 || ms > NODE_ANSWER_TIMEOUT_MS)
        return NODE_ANSWER_TIMEOUT_MS;
    return (unsigned)ms;
}

/* The heap a case asks for, in bytes, and its kind ("" when the scenario
 * has none); 0 when the scenario has no heap. */
static uint64_t case_heap(const struct case_ctx *ctx, const char **kind)
{
    const struct param_value *heap = scenario_param(ctx, "heap");
    const struct param_value *heap_kind = scenario_param(ctx, "heap_kind");
    *kind = heap_kind != NULL ? heap_kind->text : "";
    return heap != NULL ? heap->number : 0;
}

/* Fills s->args and argv: node --expose-gc [--max-old-space-size=MIB]
 * SCRIPT SCENARIO child=PATH NAME=VALUE... */
static int build_argv(struct node_state *s, const struct case_ctx *ctx,
                      const struct param_spec *specs, const char *child, char *argv[MAX_ARGS])
{
    size_t n = 0;
    argv[n++] = s->node_path;
    argv[n++] = (char *)"--expose-gc";
    const char *kind;
    uint64_t heap = case_heap(ctx, &kind);
    if (strcmp(kind, "js") == 0 && heap > 0) {
        /* V8's old space must hold the heap while its collector runs. */
        uint64_t mib = heap / JS_HEAP_ROOM_DEN * JS_HEAP_ROOM_NUM / (1u << 20) + V8_HEADROOM_MIB;
        snprintf(s->old_space, sizeof(s->old_space), "--max-old-space-size=%llu",
                 (unsigned long long)mib);
        argv[n++] = s->old_space;
    }
    argv[n++] = s->script_path;
    argv[n++] = (char *)s->scenario;
    snprintf(s->args[n], sizeof(s->args[n]), "child=%s", child);
    argv[n] = s->args[n];
    n++;
    for (size_t i = 0; specs != NULL && specs[i].name != NULL; i++) {
        if (n + 1 >= MAX_ARGS)
            return -E2BIG;
        /* Sizes go as plain byte counts, whatever their canonical spelling. */
        if (specs[i].kind == PARAM_WORD)
            snprintf(s->args[n], sizeof(s->args[n]), "%s=%s", specs[i].name, ctx->params[i].text);
        else
            snprintf(s->args[n], sizeof(s->args[n]), "%s=%llu", specs[i].name,
                     (unsigned long long)ctx->params[i].number);
        argv[n] = s->args[n];
        n++;
    }
    argv[n] = NULL;
    return 0;
}

int node_case_unavailable(struct case_ctx *ctx)
{
    char path[PATH_MAX], why[SCENARIO_FAILURE_MAX];
    int err = node_locate(path, sizeof(path), why, sizeof(why));
    return err == 0 ? 0 : scenario_fail(ctx, err, "%s", why);
}

/* 0 when needed bytes fit in MemAvailable beside the safety margin;
 * otherwise -ENOMEM with "<what> does not fit: ..." in ctx->failure. */
static int memory_unavailable(struct case_ctx *ctx, uint64_t needed, const char *what)
{
    uint64_t available = 0, total = 0;
    int err = ballast_meminfo(&available, &total);
    if (err < 0)
        return scenario_fail(ctx, err, "cannot read MemAvailable from /proc/meminfo (%s)",
                             strerror(-err));
    uint64_t margin = ballast_safety_margin(total);
    if (needed + margin <= available)
        return 0;
    char a[24], b[24], c[24];
    units_format_size(needed, a, sizeof(a));
    units_format_size(margin, b, sizeof(b));
    units_format_size(available, c, sizeof(c));
    return scenario_fail(ctx, -ENOMEM,
                         "%s does not fit: it needs %s available and a safety margin of %s, "
                         "MemAvailable is %s",
                         what, a, b, c);
}

int node_heap_unavailable(struct case_ctx *ctx)
{
    int err = node_case_unavailable(ctx);
    if (err != 0)
        return err;
    const char *kind;
    uint64_t heap = case_heap(ctx, &kind);
    if (heap == 0)
        return 0;
    /* The heap (with the collector's room for js), node itself, and the
     * page tables a fork of it copies (8 bytes per 4 KiB page). */
    uint64_t resident = strcmp(kind, "js") == 0 ? heap / JS_HEAP_ROOM_DEN * JS_HEAP_ROOM_NUM : heap;
    char what[64], size[24];
    units_format_size(heap, size, sizeof(size));
    snprintf(what, sizeof(what), "heap=%s (%s)", size, kind);
    return memory_unavailable(ctx, resident + resident / 512 + NODE_BASE_BYTES, what);
}

int node_memory_unavailable(struct case_ctx *ctx, uint64_t processes, uint64_t bytes_each,
                            const char *what)
{
    int err = node_case_unavailable(ctx);
    if (err != 0)
        return err;
    if (bytes_each != 0 && processes > UINT64_MAX / bytes_each)
        return scenario_fail(ctx, -ENOMEM, "%s does not fit in memory", what);
    return memory_unavailable(ctx, processes * bytes_each + NODE_BASE_BYTES, what);
}

int node_setup(struct case_ctx *ctx)
{
    const char *scenario = ctx->scenario->name;
    const struct param_spec *specs = ctx->scenario->params;
    struct node_state *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        scenario_fail(ctx, 0, "out of memory");
        return -ENOMEM;
    }
    s->scenario = scenario;
    s->metrics = ctx->scenario->metrics != NULL ? ctx->scenario->metrics : node_metrics;
    s->pid = -1;
    s->to_driver = s->from_driver = s->log_fd = -1;
    s->timeout_ms = answer_timeout_ms();
    char why[192];
    const char *child;
    int err = node_locate(s->node_path, sizeof(s->node_path), why, sizeof(why));
    if (err == 0)
        err = node_driver_script(s->script_path, sizeof(s->script_path), why, sizeof(why));
    if (err == 0)
        err = proc_child_path(&child, why, sizeof(why));
    if (err < 0) {
        scenario_fail(ctx, 0, "%s", why);
        goto fail_free;
    }
    char *argv[MAX_ARGS];
    err = build_argv(s, ctx, specs, child, argv);
    if (err < 0) {
        scenario_fail(ctx, 0, "too many parameters for the driver");
        goto fail_free;
    }

    int requests[2] = {-1, -1}, answers[2] = {-1, -1};
    s->log_fd = memfd_create("procbench-node-stderr", MFD_CLOEXEC);
    if (s->log_fd < 0) {
        err = -errno;
        scenario_fail(ctx, 0, "memfd_create failed: %s", strerror(-err));
        goto fail_free;
    }
    if (pipe2(requests, O_CLOEXEC) != 0 || pipe2(answers, O_CLOEXEC) != 0) {
        err = -errno;
        scenario_fail(ctx, 0, "pipe2 failed: %s", strerror(-err));
        goto fail_close;
    }
    err = move_high(&requests[0]);
    if (err == 0)
        err = move_high(&answers[1]);
    if (err == 0)
        err = move_high(&s->log_fd);
    if (err < 0) {
        scenario_fail(ctx, 0, "fcntl(F_DUPFD_CLOEXEC) failed: %s", strerror(-err));
        goto fail_close;
    }
    err = spawn_driver(s, argv, requests[0], answers[1]);
    close_fd(&requests[0]);
    close_fd(&answers[1]);
    if (err < 0) {
        s->pid = -1;
        scenario_fail(ctx, 0, "posix_spawn of %s failed: %s", s->node_path, strerror(-err));
        goto fail_close;
    }
    s->to_driver = requests[1];
    s->from_driver = answers[0];

    /* A driver that dies is a failed sample, not a harness killed by
     * SIGPIPE on its next request. */
    struct sigaction ignore = {.sa_handler = SIG_IGN};
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &s->old_sigpipe);

    /* The start always gets the full limit: node's start-up on a loaded
     * machine can take longer than the short limit a test sets to wait for
     * a driver that hangs at a sample. */
    char line[ANSWER_MAX_BYTES];
    unsigned sample_timeout_ms = s->timeout_ms;
    s->timeout_ms = NODE_ANSWER_TIMEOUT_MS;
    err = expect_answer(s, "starting", line, sizeof(line));
    s->timeout_ms = sample_timeout_ms;
    if (err == 0 && strcmp(line, "READY") != 0) {
        char shown[64];
        reason_format(shown, sizeof(shown), "%s", line);
        break_driver(s, true, "driver's first line is '%s', not READY", shown);
        err = -EPROTO;
    }
    if (err < 0) {
        snprintf(ctx->failure, sizeof(ctx->failure), "%s", s->broken);
        sigaction(SIGPIPE, &s->old_sigpipe, NULL);
        goto fail_close_all;
    }
    ctx->state = s;
    ctx->peer_pid = s->pid; /* the harness charges node's CPU to the case */
    return 0;

fail_close_all:
    close_fd(&s->to_driver);
    close_fd(&s->from_driver);
    requests[1] = answers[0] = -1;
fail_close:
    for (int i = 0; i < 2; i++) {
        close_fd(&requests[i]);
        close_fd(&answers[i]);
    }
    close_fd(&s->log_fd);
fail_free:
    free(s);
    return err;
}

/* ---- answers -------------------------------------------------------- */

/* A decimal field: digits only, no sign, at most 20 of them, no overflow. */
static int parse_number(const char *text, size_t len, unsigned long long *out)
{
    if (len == 0 || len > 20)
        return -1;
    unsigned long long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        unsigned d = (unsigned)(text[i] - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* The optional NAME=VALUE fields of an "R" answer into out: "ops", or a
 * metric of metrics from NODE_METRIC_LOOP_DELAY on, each at most once, a
 * number within its unit's range. Returns 0 or -EPROTO with why. */
static int parse_extras(const struct metric_spec *metrics, const char *const *field,
                        const size_t *len, size_t count, const char *shown, struct sample *out,
                        char *why, size_t why_len)
{
    size_t declared = metric_count(metrics);
    uint32_t seen = 0;
    bool ops_seen = false;
    for (size_t i = 0; i < count; i++) {
        const char *eq = memchr(field[i], '=', len[i]);
        size_t name_len = eq != NULL ? (size_t)(eq - field[i]) : 0;
        bool is_ops = name_len == 3 && memcmp(field[i], "ops", 3) == 0;
        size_t k = NODE_METRIC_LOOP_DELAY;
        while (!is_ops && k < declared &&
               !(strlen(metrics[k].name) == name_len &&
                 memcmp(metrics[k].name, field[i], name_len) == 0))
            k++;
        if (eq == NULL || name_len == 0 || (!is_ops && k >= declared)) {
            snprintf(why, why_len, "unknown field %.*s in answer '%s'",
                     (int)(len[i] < 24 ? len[i] : 24), field[i], shown);
            return -EPROTO;
        }
        const char *name = is_ops ? "ops" : metrics[k].name;
        if (is_ops ? ops_seen : (seen >> k) & 1u) {
            snprintf(why, why_len, "%s given twice in answer '%s'", name, shown);
            return -EPROTO;
        }
        unsigned long long v;
        if (parse_number(eq + 1, len[i] - name_len - 1, &v) != 0) {
            snprintf(why, why_len, "%s is not a number in answer '%s'", name, shown);
            return -EPROTO;
        }
        unsigned long long min = is_ops ? 1 : 0;
        unsigned long long max = is_ops                         ? MAX_OPS
                                 : metrics[k].unit == METRIC_NS ? MAX_NS
                                                                : MAX_BYTES;
        if (v < min || v > max) {
            snprintf(why, why_len, "%s out of range in answer '%s'", name, shown);
            return -EPROTO;
        }
        if (is_ops) {
            ops_seen = true;
            out->ops = v;
        } else {
            seen |= UINT32_C(1) << k;
            sample_report(out, (unsigned)k, v);
        }
    }
    return 0;
}

int node_parse_answer(const char *scenario, const struct metric_spec *metrics, const char *line,
                      unsigned long long expected_seq, struct sample *out,
                      char failure[SCENARIO_FAILURE_MAX], char *why, size_t why_len)
{
    for (const char *c = line; *c != '\0'; c++) {
        if (*c < 0x20 || *c > 0x7e) {
            snprintf(why, why_len, "answer holds byte 0x%02x at %zu, not printable ASCII",
                     (unsigned char)*c, (size_t)(c - line));
            return -EPROTO;
        }
    }
    /* Fields separated by one space each; F's reason is the rest of the line. */
    const char *field[8 + EXTRA_FIELDS];
    size_t len[8 + EXTRA_FIELDS], count = 0;
    bool failed = line[0] == 'F' && line[1] == ' ';
    size_t max_fields = failed ? 3 : 8 + EXTRA_FIELDS;
    for (const char *p = line; count < max_fields;) {
        const char *end = failed && count == 2 ? p + strlen(p) : p + strcspn(p, " ");
        field[count] = p;
        len[count++] = (size_t)(end - p);
        if (*end == '\0')
            break;
        p = end + 1;
    }
    char shown[48];
    reason_format(shown, sizeof(shown), "%s", line);
    bool empty_field = false;
    for (size_t i = 0; !failed && i < count; i++)
        empty_field = empty_field || len[i] == 0;
    if (!(len[0] == 1 && (line[0] == 'R' || line[0] == 'F')) || (failed && count != 3) ||
        (!failed && (count < 7 || count > 7 + EXTRA_FIELDS)) || empty_field ||
        field[count - 1][len[count - 1]] != '\0') {
        snprintf(why, why_len, "malformed answer '%s'", shown);
        return -EPROTO;
    }
    unsigned long long seq;
    if (parse_number(field[1], len[1], &seq) != 0) {
        snprintf(why, why_len, "malformed sequence number in answer '%s'", shown);
        return -EPROTO;
    }
    if (seq != expected_seq) {
        snprintf(why, why_len, "driver answered sample %llu, expected %llu", seq, expected_seq);
        return -EPROTO;
    }
    if (failed) {
        if (len[2] == 0) {
            snprintf(why, why_len, "failure answer without a reason");
            return -EPROTO;
        }
        reason_format(failure, SCENARIO_FAILURE_MAX, "%s: %s", scenario, field[2]);
        return 1;
    }
    static const char *const names[] = {
        "", "", "ns", "return_ns", "first_byte_ns", "rss_growth_bytes", "bytes"};
    unsigned long long v[7] = {0};
    bool rss_reported = !(len[5] == 1 && field[5][0] == '-');
    for (size_t i = 2; i < 7; i++) {
        if (i == 5 && !rss_reported)
            continue;
        if (parse_number(field[i], len[i], &v[i]) != 0) {
            snprintf(why, why_len, "%s is not a number in answer '%s'", names[i], shown);
            return -EPROTO;
        }
    }
    const char *bad = NULL;
    if (v[2] == 0 || v[2] > MAX_NS)
        bad = "ns";
    else if (v[3] > v[2])
        bad = "return_ns";
    else if (v[4] > v[2])
        bad = "first_byte_ns";
    else if (v[5] > MAX_BYTES)
        bad = "rss_growth_bytes";
    else if (v[6] > MAX_BYTES)
        bad = "bytes";
    if (bad != NULL) {
        snprintf(why, why_len, "%s out of range in answer '%s'", bad, shown);
        return -EPROTO;
    }
    out->ns = v[2];
    /* 0 is the driver's "none" for the two times; '-' for the RSS. */
    if (v[3] > 0)
        sample_report(out, NODE_METRIC_RETURN, v[3]);
    if (v[4] > 0)
        sample_report(out, NODE_METRIC_FIRST_BYTE, v[4]);
    if (rss_reported)
        sample_report(out, NODE_METRIC_RSS_GROWTH, v[5]);
    out->bytes = v[6];
    return parse_extras(metrics, field + 7, len + 7, count - 7, shown, out, why, why_len);
}

int node_sample(struct case_ctx *ctx, struct sample *out)
{
    struct node_state *s = ctx->state;
    if (s->broken[0] != '\0') {
        snprintf(ctx->failure, sizeof(ctx->failure), "%s", s->broken);
        return -EPIPE;
    }
    unsigned long long seq = ++s->sequence;
    char request[32];
    int n = snprintf(request, sizeof(request), "S %llu\n", seq);
    ssize_t written;
    do
        written = write(s->to_driver, request, (size_t)n);
    while (written < 0 && errno == EINTR);
    if (written != n) {
        /* Under PIPE_BUF bytes: written whole or not at all. */
        if (written < 0 && errno == EPIPE)
            break_driver(s, false, "driver ended before sample %llu", seq);
        else
            break_driver(s, true, "writing request %llu failed: %s", seq,
                         written < 0 ? strerror(errno) : "short write");
        snprintf(ctx->failure, sizeof(ctx->failure), "%s", s->broken);
        return -EPIPE;
    }
    char line[ANSWER_MAX_BYTES], waiting[48];
    snprintf(waiting, sizeof(waiting), "waiting for sample %llu", seq);
    int err = expect_answer(s, waiting, line, sizeof(line));
    if (err < 0) {
        snprintf(ctx->failure, sizeof(ctx->failure), "%s", s->broken);
        return err;
    }
    char why[160];
    err =
        node_parse_answer(s->scenario, s->metrics, line, seq, out, ctx->failure, why, sizeof(why));
    if (err == 0 && s->buffered > 0) {
        snprintf(why, sizeof(why), "driver sent more than one answer to sample %llu", seq);
        err = -EPROTO;
    }
    if (err < 0) {
        /* The protocol is out of step: nothing the driver says can be
         * trusted any more. */
        break_driver(s, true, "%s", why);
        snprintf(ctx->failure, sizeof(ctx->failure), "%s", s->broken);
        return err;
    }
    return err == 1 ? -EIO : 0;
}

int node_process_init(void)
{
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 ? 0 : -errno;
}

/* Kills (SIGKILL) every process whose parent is this one, from /proc. */
static void kill_children(void)
{
    DIR *proc = opendir("/proc");
    if (proc == NULL)
        return;
    pid_t self = getpid();
    for (struct dirent *e; (e = readdir(proc)) != NULL;) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0)
            continue;
        char path[64], text[512];
        snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, text, sizeof(text) - 1);
        close(fd);
        if (n <= 0)
            continue;
        text[n] = '\0';
        /* "pid (comm) state ppid ...": comm may hold spaces and ')'. */
        const char *after = strrchr(text, ')');
        char state;
        long ppid;
        if (after != NULL && sscanf(after + 1, " %c %ld", &state, &ppid) == 2 && ppid == self)
            kill((pid_t)pid, SIGKILL);
    }
    closedir(proc);
}

/* Reaps what the driver left when it died before stopping its peers (cluster
 * workers, a client, idle children, a child of a sample): they were
 * re-parented to this process, the subreaper node_process_init() made it,
 * and end on their own once their channel to the driver is gone. Waits up
 * to timeout_ms for them, then kills and reaps the rest. */
static void reap_orphans(unsigned timeout_ms)
{
    uint64_t deadline = clock_now_ns() + (uint64_t)timeout_ms * 1000000u;
    bool killed = false;
    for (;;) {
        pid_t got = waitpid(-1, NULL, WNOHANG);
        if (got > 0)
            continue;
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return; /* ECHILD: nothing left */
        if (!killed && clock_now_ns() >= deadline) {
            kill_children();
            killed = true;
        }
        struct timespec ms = {.tv_sec = 0, .tv_nsec = 1000000};
        nanosleep(&ms, NULL);
    }
}

void node_teardown(struct case_ctx *ctx)
{
    struct node_state *s = ctx->state;
    char how[96];
    /* End of file on its requests is the driver's order to stop. */
    close_fd(&s->to_driver);
    if (s->pid > 0)
        reap_driver(s, STOP_TIMEOUT_MS, how, sizeof(how));
    reap_orphans(DYING_TIMEOUT_MS);
    close_fd(&s->from_driver);
    close_fd(&s->log_fd);
    sigaction(SIGPIPE, &s->old_sigpipe, NULL);
    free(s);
    ctx->state = NULL;
    ctx->peer_pid = 0;
}
