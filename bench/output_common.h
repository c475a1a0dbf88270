/*
 * What the output.* scenarios share: their parameters, the child that
 * writes (the project's writer or `head -c N /dev/zero`), starting it with
 * its stdout on a pipe, reading and checking what arrives, judging the
 * child's end against the bytes it was asked for, and measuring the
 * parent's peak RSS growth over a sample. Each scenario file then holds only
 * what differs between the modes: where the bytes go while they arrive.
 *
 * The life of a sample, on the posix_spawn path:
 *   output_run_prepare()   untimed: reset the peak RSS, note the RSS
 *   output_run_spawn()     untimed pipe, then start_ns and posix_spawn
 *   output_run_read() + output_run_use(), until EOF
 *   output_run_reap()      wait4(); the child's end is noted, not judged
 *   output_run_end()       judged; out->ns, bytes, first byte, RSS growth
 * and output_run_abort() on any failure in between. output.uv_stream uses
 * the same run with libuv in place of spawn, read and reap.
 */
#ifndef PROCBENCH_OUTPUT_COMMON_H
#define PROCBENCH_OUTPUT_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/params.h"
#include "scenario.h"

/* Parameter lists, each terminated by { .name = NULL }. All three have
 * bytes, write_size and target; the two posix_spawn modes add pipe_size
 * (libuv makes its own stdio channel, see output_uv_stream.c), and
 * output.buffered adds max_buffer. */
extern const struct param_spec output_buffered_params[];
extern const struct param_spec output_streamed_params[];
extern const struct param_spec output_uv_params[];

/* Pass as chunk_bytes to output_state_init(): a chunk as large as the
 * pipe's capacity, the most one read() can return. */
#define OUTPUT_CHUNK_PIPE_CAPACITY SIZE_MAX

enum output_target {
    OUTPUT_TARGET_WRITER, /* procbench-child write BYTES WRITE_SIZE */
    OUTPUT_TARGET_HEAD,   /* head -c BYTES /dev/zero */
};

/* A round's configuration, resolved once in setup (untimed). */
struct output_state {
    const char *scenario; /* the scenario's name: prefixes every message */
    uint64_t bytes;       /* what the child is asked to write */
    uint64_t write_size_bytes;
    uint64_t max_buffer_bytes;  /* output.buffered: 0 is no limit */
    uint64_t pipe_size_bytes;   /* asked of F_SETPIPE_SZ; 0: not a parameter */
    size_t pipe_capacity_bytes; /* what the kernel granted; 0: no pipe of ours */
    enum output_target target;
    char *argv[6];       /* the child's argv; argv[0] is its path */
    char bytes_text[24]; /* argv's storage */
    char write_size_text[24];
    unsigned char *expected; /* the content, one slice and one period of it */
    unsigned char *chunk;    /* the streamed modes' fixed buffer, or NULL */
    size_t chunk_bytes;
};

/* Resolves the case's parameters (target, bytes, write_size and, when the
 * scenario has them, pipe_size and max_buffer), the target program, the
 * expected content and, with pipe_size, applies it to a probe pipe so that
 * a refused size fails the setup with its reason. chunk_bytes > 0
 * allocates s->chunk (OUTPUT_CHUNK_PIPE_CAPACITY: the pipe's capacity).
 * Returns 0, or -errno with the reason in ctx->failure and nothing to
 * release. */
int output_state_init(struct output_state *s, struct case_ctx *ctx, size_t chunk_bytes);

/* Frees what output_state_init() allocated. */
void output_state_release(struct output_state *s);

/* setup() for scenarios whose whole state is a struct output_state:
 * allocates ctx->state and initialises it. Returns 0 or -errno. */
int output_setup(struct case_ctx *ctx, size_t chunk_bytes);

/* teardown() matching output_setup(). */
void output_teardown(struct case_ctx *ctx);

/* What every output.* scenario reports beside its time, by index into
 * output_metrics (its descriptor's .metrics). */
enum output_metric {
    OUTPUT_METRIC_FIRST_BYTE, /* start -> first byte in the parent */
    OUTPUT_METRIC_RSS_GROWTH, /* the parent's peak RSS growth over the sample */
};
extern const struct metric_spec output_metrics[];

/* The descriptor fields every output.* scenario shares: its metrics and its
 * placements. No CROSS: neither posix_spawn nor libuv offers a hook between
 * fork and exec in which the child could pin itself. A scenario's file
 * declares { .name, .summary, .params, OUTPUT_SCENARIO_FIELDS, .setup,
 * .sample, .teardown }. */
#define OUTPUT_SCENARIO_FIELDS                                                                     \
    .default_placements = "same",                                                                  \
    .placements_supported = PLACEMENT_BIT(PLACEMENT_SAME) | PLACEMENT_BIT(PLACEMENT_FREE),         \
    .metrics = output_metrics

/* One sample's child and tallies. */
struct output_run {
    const struct output_state *state;
    pid_t pid;               /* the child until reaped; -1: none */
    int fd;                  /* read end of its stdout; -1: closed */
    uint64_t start_ns;       /* clock just before the spawn call */
    uint64_t first_byte_ns;  /* clock when the first data arrived; 0: none yet */
    uint64_t received_bytes; /* read from the child so far */
    uint64_t used_bytes;     /* passed through output_run_use() so far */
    uint64_t rss_before_bytes;
    bool rss_known;       /* the peak was reset and the RSS read */
    long child_maxrss_kb; /* from wait4(); 0: unknown (libuv reaps) */
    char child_end[96];   /* "killed by signal 9 (SIGKILL)"; "": exited 0 */
    char *failure;        /* where a failure goes: the sample's ctx->failure */
};

/* Untimed start of a sample of ctx: resets the process's peak RSS (VmHWM)
 * to its current RSS and notes that RSS. A /proc that refuses leaves
 * rss_known false and the growth unreported rather than failing the
 * sample. The functions below write a failure into ctx->failure. */
void output_run_prepare(struct case_ctx *ctx, const struct output_state *s, struct output_run *run);

/* Makes the pipe (untimed), then sets run->start_ns and starts the child
 * with posix_spawn(), its stdout on the pipe. Returns 0, or -errno with the
 * failure set and nothing left open. */
int output_run_spawn(struct output_run *run);

/* Notes that n > 0 bytes just arrived: the first-byte time, the count. For
 * the libuv path, whose reads happen inside libuv. */
void output_run_received(struct output_run *run, size_t n);

/* One read() of at most len bytes from the child into buf (EINTR retried),
 * noted with output_run_received(). Returns the byte count, 0 at EOF, or
 * -errno with the failure set. */
ssize_t output_run_read(struct output_run *run, void *buf, size_t len);

/* "Uses" the next n bytes of output: checks each against the content the
 * target writes, as a consumer would parse it, and counts it. Returns 0, or
 * -EPROTO with the first wrong byte in the failure. */
int output_run_use(struct output_run *run, const void *data, size_t n);

/* Closes the read end and reaps the child with wait4(), noting how it ended
 * in run->child_end ("" for exit status 0) for output_run_end() to judge. */
void output_run_reap(struct output_run *run);

/* Kills the child with sig (if not yet reaped), closes the read end and
 * reaps it, so that a failed sample leaves nothing behind. Idempotent. */
void output_run_abort(struct output_run *run, int sig);

/* Judges a finished sample whose timed section ended at end_ns: a child
 * that did not exit 0, a byte count other than the one asked for, or bytes
 * not used make it fail ("<scenario>: child killed by signal 9 (SIGKILL)
 * after N of M bytes", "<scenario>: got N bytes, child wrote M"). Otherwise
 * fills out->ns, bytes, child_maxrss_kb, reports OUTPUT_METRIC_FIRST_BYTE
 * (unless there was no output) and reads the peak RSS for
 * OUTPUT_METRIC_RSS_GROWTH: call it before freeing what the sample
 * allocated. Returns 0 or -errno. */
int output_run_end(struct output_run *run, uint64_t end_ns, struct sample *out);

#endif
