/*
 * The parts the output.* scenarios share, so that the three modes differ
 * only in where the bytes go as they arrive: the parameters; the child,
 * started with posix_spawn() and its stdout dup2()ed onto a pipe whose
 * capacity F_SETPIPE_SZ sets; the reads, the check of every byte against
 * the content the target writes (the "use" that a real consumer would make
 * of it); the verdict on the child's end and the byte count; and the
 * parent's peak RSS over a sample, measured by the kernel, not computed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/reason.h"
#include "metrics.h"
#include "output_common.h"
#include "proc.h"
#include "base/units.h"

/* coreutils' head: a common tool, dynamically linked, that writes with its
 * own buffer (strace shows 4 and 8 KiB writes with coreutils 9.1), whatever
 * write_size says. */
#define HEAD_PATH "/usr/bin/head"

/* The writer's output repeats this 64-byte period from its first byte:
 * byte i is pattern[i % 64] (bench/child/procbench-child.c). */
#define PATTERN_BYTES 64u
static const char writer_pattern[PATTERN_BYTES + 1] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n";

/* Output is checked against the expected content in slices of this size;
 * the reference holds one slice plus one period, so that a slice can start
 * at any phase of the pattern. */
#define CHECK_SLICE_BYTES (64u * 1024u)

/* The entries of the parameter lists, shared by the three lists. */
#define SPEC_TARGET                                                                                \
    {                                                                                              \
        .name = "target", .kind = PARAM_WORD, .defaults = "writer,head", .choices = "writer,head", \
        .quick = "writer",                                                                         \
        .help = "writer: procbench-child write BYTES WRITE_SIZE (static); head: head -c BYTES "    \
                "/dev/zero (coreutils, its own 4-8K writes)",                                      \
    }
#define SPEC_BYTES                                                                                 \
    {                                                                                              \
        .name = "bytes", .kind = PARAM_SIZE, .defaults = "1K,64K,1M,64M", .min = 0,                \
        .max = 1ull << 30, .help = "bytes the child writes to its stdout, 0..1G",                  \
        .quick = "1K,64M",                                                                         \
    }
#define SPEC_WRITE_SIZE                                                                            \
    {                                                                                              \
        .name = "write_size", .kind = PARAM_SIZE, .defaults = "64K", .min = 1, .max = 1ull << 20,  \
        .help = "size of the child's write() calls, 1..1M (target=writer only)",                   \
    }
#define SPEC_PIPE_SIZE                                                                             \
    {                                                                                              \
        .name = "pipe_size", .kind = PARAM_SIZE, .defaults = "64K", .min = 4096,                   \
        .max = 1ull << 20,                                                                         \
        .help =                                                                                    \
            "capacity of the stdout pipe, 4K..1M, set with F_SETPIPE_SZ (64K: Linux's default; "   \
            "above /proc/sys/fs/pipe-max-size only root may)",                                     \
    }
#define SPEC_MAX_BUFFER                                                                            \
    {                                                                                              \
        .name = "max_buffer", .kind = PARAM_SIZE, .defaults = "0", .min = 0, .max = 1ull << 30,    \
        .help = "0..1G, 0: no limit; like Node's maxBuffer (whose default is 1M): past it the "    \
                "child is killed with SIGTERM and the sample fails",                               \
    }

const struct param_spec output_buffered_params[] = {
    SPEC_TARGET, SPEC_BYTES, SPEC_WRITE_SIZE, SPEC_PIPE_SIZE, SPEC_MAX_BUFFER, {.name = NULL},
};

const struct param_spec output_streamed_params[] = {
    SPEC_TARGET, SPEC_BYTES, SPEC_WRITE_SIZE, SPEC_PIPE_SIZE, {.name = NULL},
};

const struct param_spec output_uv_params[] = {
    SPEC_TARGET,
    SPEC_BYTES,
    SPEC_WRITE_SIZE,
    {.name = NULL},
};

const struct metric_spec output_metrics[] = {
    [OUTPUT_METRIC_FIRST_BYTE] = METRIC_FIRST_BYTE,
    [OUTPUT_METRIC_RSS_GROWTH] = METRIC_RSS_GROWTH,
    {.name = NULL},
};

/* Writes "<scenario>: <message>" into failure. */
static void say(char *failure, size_t failure_len, const char *scenario, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void say(char *failure, size_t failure_len, const char *scenario, const char *fmt, ...)
{
    char message[160];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof(message), fmt, args);
    va_end(args);
    reason_format(failure, failure_len, "%s: %s", scenario, message);
}

/* A sample's failure, into its ctx->failure (output_run_prepare()). */
#define FAIL(run, ...)                                                                             \
    say((run)->failure, SCENARIO_FAILURE_MAX, (run)->state->scenario, __VA_ARGS__)

/* ---- the pipe ------------------------------------------------------- */

/* A close-on-exec pipe with the capacity s asks for. Returns 0 with the
 * granted capacity, or -errno with a reason (without the scenario). */
static int open_pipe(const struct output_state *s, int fds[2], size_t *capacity, char *why,
                     size_t why_len)
{
    if (pipe2(fds, O_CLOEXEC) != 0) {
        int err = errno;
        snprintf(why, why_len, "pipe2 failed: %s", strerror(err));
        return -err;
    }
    int granted = s->pipe_size_bytes > 0 ? fcntl(fds[0], F_SETPIPE_SZ, (int)s->pipe_size_bytes)
                                         : fcntl(fds[0], F_GETPIPE_SZ);
    if (granted < 0) {
        int err = errno;
        char size[24];
        units_format_size(s->pipe_size_bytes, size, sizeof(size));
        /* EPERM is the usual refusal: an unprivileged process asked for
         * more than /proc/sys/fs/pipe-max-size, or its user already holds
         * more pipe pages than fs.pipe-user-pages-soft allows. */
        snprintf(why, why_len, "F_SETPIPE_SZ(%s) failed: %s%s", size, strerror(err),
                 err == EPERM ? " (above /proc/sys/fs/pipe-max-size or the user's pipe pages "
                                "limit: needs CAP_SYS_RESOURCE)"
                              : "");
        close(fds[0]);
        close(fds[1]);
        return -err;
    }
    *capacity = (size_t)granted;
    return 0;
}

/* ---- configuration -------------------------------------------------- */

static int resolve_target(struct output_state *s, const struct param_value *target, char *failure,
                          size_t failure_len)
{
    snprintf(s->bytes_text, sizeof(s->bytes_text), "%llu", (unsigned long long)s->bytes);
    snprintf(s->write_size_text, sizeof(s->write_size_text), "%llu",
             (unsigned long long)s->write_size_bytes);
    /* exec*() take char *const argv[] but never write through it. */
    if (params_is(target, "head")) {
        if (access(HEAD_PATH, X_OK) != 0) {
            int err = errno;
            say(failure, failure_len, s->scenario, "%s cannot be executed: %s", HEAD_PATH,
                strerror(err));
            return -err;
        }
        s->target = OUTPUT_TARGET_HEAD;
        s->argv[0] = (char *)HEAD_PATH;
        s->argv[1] = (char *)"-c";
        s->argv[2] = s->bytes_text;
        s->argv[3] = (char *)"/dev/zero";
        return 0;
    }
    const char *path;
    char why[160];
    int err = proc_child_path(&path, why, sizeof(why));
    if (err < 0) {
        say(failure, failure_len, s->scenario, "%s", why);
        return err;
    }
    s->target = OUTPUT_TARGET_WRITER;
    s->argv[0] = (char *)path;
    s->argv[1] = (char *)"write";
    s->argv[2] = s->bytes_text;
    s->argv[3] = s->write_size_text;
    return 0;
}

int output_state_init(struct output_state *s, struct case_ctx *ctx, size_t chunk_bytes)
{
    char *failure = ctx->failure;
    size_t failure_len = sizeof(ctx->failure);
    const char *scenario = ctx->scenario->name;
    memset(s, 0, sizeof(*s));
    s->scenario = scenario;
    const struct param_value *target = scenario_param(ctx, "target");
    const struct param_value *bytes = scenario_param(ctx, "bytes");
    const struct param_value *write_size = scenario_param(ctx, "write_size");
    const struct param_value *pipe_size = scenario_param(ctx, "pipe_size");
    const struct param_value *max_buffer = scenario_param(ctx, "max_buffer");
    if (target == NULL || bytes == NULL || write_size == NULL) {
        scenario_fail(ctx, 0, "no value for target, bytes or write_size");
        return -EINVAL;
    }
    s->bytes = bytes->number;
    s->write_size_bytes = write_size->number;
    s->pipe_size_bytes = pipe_size != NULL ? pipe_size->number : 0;
    s->max_buffer_bytes = max_buffer != NULL ? max_buffer->number : 0;
    int err = resolve_target(s, target, failure, failure_len);
    if (err < 0)
        return err;

    if (pipe_size != NULL) {
        /* A probe, so that a size the kernel refuses fails the case once,
         * with its reason, instead of every sample. */
        int fds[2];
        char why[160];
        err = open_pipe(s, fds, &s->pipe_capacity_bytes, why, sizeof(why));
        if (err < 0) {
            scenario_fail(ctx, 0, "%s", why);
            return err;
        }
        close(fds[0]);
        close(fds[1]);
    }

    s->expected = malloc(CHECK_SLICE_BYTES + PATTERN_BYTES);
    if (chunk_bytes == OUTPUT_CHUNK_PIPE_CAPACITY)
        chunk_bytes = s->pipe_capacity_bytes;
    s->chunk_bytes = chunk_bytes;
    s->chunk = chunk_bytes > 0 ? malloc(chunk_bytes) : NULL;
    if (s->expected == NULL || (chunk_bytes > 0 && s->chunk == NULL)) {
        output_state_release(s);
        scenario_fail(ctx, 0, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < CHECK_SLICE_BYTES + PATTERN_BYTES; i++)
        s->expected[i] = s->target == OUTPUT_TARGET_HEAD ? 0 : writer_pattern[i % PATTERN_BYTES];
    return 0;
}

void output_state_release(struct output_state *s)
{
    free(s->expected);
    free(s->chunk);
    s->expected = NULL;
    s->chunk = NULL;
}

int output_setup(struct case_ctx *ctx, size_t chunk_bytes)
{
    struct output_state *s = malloc(sizeof(*s));
    if (s == NULL)
        return scenario_fail(ctx, -ENOMEM, "out of memory");
    int err = output_state_init(s, ctx, chunk_bytes);
    if (err < 0) {
        free(s);
        return err;
    }
    ctx->state = s;
    return 0;
}

void output_teardown(struct case_ctx *ctx)
{
    output_state_release(ctx->state);
    free(ctx->state);
    ctx->state = NULL;
}

/* ---- peak RSS ------------------------------------------------------- */

/* Writing 5 to clear_refs resets the process's recorded peak RSS (VmHWM)
 * to its current RSS (Documentation/admin-guide/mm/soft-dirty.rst). */
static int reset_peak_rss(void)
{
    int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n;
    do
        n = write(fd, "5", 1);
    while (n < 0 && errno == EINTR);
    int err = n == 1 ? 0 : -errno;
    close(fd);
    return err;
}

/* A "Name:   1234 kB" line of /proc/self/status, in bytes. */
static int read_status_bytes(const char *name, uint64_t *out)
{
    char text[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, text + used, sizeof(text) - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    text[used] = '\0';
    size_t name_len = strlen(name);
    for (const char *line = text; line != NULL && *line != '\0';) {
        if (strncmp(line, name, name_len) == 0 && line[name_len] == ':') {
            *out = strtoull(line + name_len + 1, NULL, 10) * 1024u;
            return 0;
        }
        line = strchr(line, '\n');
        if (line != NULL)
            line++;
    }
    return -ENOENT;
}

/* ---- one sample ----------------------------------------------------- */

void output_run_prepare(struct case_ctx *ctx, const struct output_state *s, struct output_run *run)
{
    memset(run, 0, sizeof(*run));
    run->state = s;
    run->failure = ctx->failure;
    run->pid = -1;
    run->fd = -1;
    run->rss_known =
        reset_peak_rss() == 0 && read_status_bytes("VmRSS", &run->rss_before_bytes) == 0;
}

int output_run_spawn(struct output_run *run)
{
    const struct output_state *s = run->state;
    int fds[2];
    size_t capacity;
    char why[160];
    int err = open_pipe(s, fds, &capacity, why, sizeof(why));
    if (err < 0) {
        FAIL(run, "%s", why);
        return err;
    }
    posix_spawn_file_actions_t actions;
    err = -posix_spawn_file_actions_init(&actions);
    if (err < 0) {
        FAIL(run, "posix_spawn_file_actions_init failed: %s", strerror(-err));
        goto fail_close_pipe;
    }
    /* dup2() clears close-on-exec on the child's fd 1; the read end and the
     * original write end close at exec. */
    err = -posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    if (err < 0) {
        FAIL(run, "posix_spawn_file_actions_adddup2 failed: %s", strerror(-err));
        goto fail_destroy_actions;
    }

    run->start_ns = clock_now_ns();
    err = -posix_spawn(&run->pid, s->argv[0], &actions, NULL, s->argv, environ);
    /* The parent's copy of the write end must go, or EOF never comes. */
    close(fds[1]);
    posix_spawn_file_actions_destroy(&actions);
    if (err < 0) {
        /* glibc has already reaped a child whose exec failed. */
        run->pid = -1;
        close(fds[0]);
        FAIL(run, "posix_spawn of %s failed: %s", s->argv[0], strerror(-err));
        return err;
    }
    run->fd = fds[0];
    return 0;

fail_destroy_actions:
    posix_spawn_file_actions_destroy(&actions);
fail_close_pipe:
    close(fds[0]);
    close(fds[1]);
    return err;
}

void output_run_received(struct output_run *run, size_t n)
{
    if (run->first_byte_ns == 0)
        run->first_byte_ns = clock_now_ns();
    run->received_bytes += n;
}

ssize_t output_run_read(struct output_run *run, void *buf, size_t len)
{
    ssize_t n;
    do
        n = read(run->fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        int err = errno;
        FAIL(run, "read from the child failed: %s", strerror(err));
        return -err;
    }
    if (n > 0)
        output_run_received(run, (size_t)n);
    return n;
}

int output_run_use(struct output_run *run, const void *data, size_t n)
{
    const struct output_state *s = run->state;
    const unsigned char *bytes = data;
    while (n > 0) {
        size_t slice = n < CHECK_SLICE_BYTES ? n : CHECK_SLICE_BYTES;
        const unsigned char *expected = s->expected + run->used_bytes % PATTERN_BYTES;
        if (memcmp(bytes, expected, slice) != 0) {
            size_t i = 0;
            while (bytes[i] == expected[i])
                i++;
            FAIL(run, "byte %llu of the output is 0x%02x, expected 0x%02x",
                 (unsigned long long)(run->used_bytes + i), bytes[i], expected[i]);
            return -EPROTO;
        }
        run->used_bytes += slice;
        bytes += slice;
        n -= slice;
    }
    return 0;
}

void output_run_reap(struct output_run *run)
{
    if (run->fd >= 0)
        close(run->fd);
    run->fd = -1;
    if (run->pid <= 0)
        return;
    struct sample reaped = {0};
    char why[SCENARIO_FAILURE_MAX];
    if (proc_reap(run->pid, &reaped, why) < 0)
        snprintf(run->child_end, sizeof(run->child_end), "%.95s", why);
    run->child_maxrss_kb = reaped.child_maxrss_kb;
    run->pid = -1;
}

void output_run_abort(struct output_run *run, int sig)
{
    if (run->pid > 0)
        kill(run->pid, sig);
    output_run_reap(run);
}

int output_run_end(struct output_run *run, uint64_t end_ns, struct sample *out)
{
    const struct output_state *s = run->state;
    if (run->child_end[0] != '\0') {
        FAIL(run, "child %s after %llu of %llu bytes", run->child_end,
             (unsigned long long)run->received_bytes, (unsigned long long)s->bytes);
        return -ECHILD;
    }
    if (run->received_bytes != s->bytes) {
        FAIL(run, "got %llu bytes, child wrote %llu", (unsigned long long)run->received_bytes,
             (unsigned long long)s->bytes);
        return -EPROTO;
    }
    if (run->used_bytes != run->received_bytes) {
        FAIL(run, "%llu bytes received but %llu used", (unsigned long long)run->received_bytes,
             (unsigned long long)run->used_bytes);
        return -EPROTO;
    }
    out->ns = end_ns - run->start_ns;
    out->bytes = run->received_bytes;
    if (run->first_byte_ns > 0)
        sample_report(out, OUTPUT_METRIC_FIRST_BYTE, run->first_byte_ns - run->start_ns);
    out->child_maxrss_kb = run->child_maxrss_kb;
    /* VmHWM reads as the larger of the recorded peak and the current RSS.
     * The recorded peak comes from per-CPU counters that may lag by tens
     * of pages, while the current RSS is summed exactly (since Linux 6.16),
     * so reading before the sample frees its memory makes the peak of a
     * buffer that only grew exact. */
    uint64_t peak;
    if (run->rss_known && read_status_bytes("VmHWM", &peak) == 0) {
        sample_report(out, OUTPUT_METRIC_RSS_GROWTH,
                      peak > run->rss_before_bytes ? peak - run->rss_before_bytes : 0);
    }
    return 0;
}
