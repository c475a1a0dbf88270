/*
 * output.buffered: the parent collects all of the child's stdout into one
 * growing buffer and uses it only after EOF and the child's exit, as
 * Node.js exec() and execFile() do before calling back. The `max_buffer`
 * parameter reproduces their maxBuffer: one byte past it, the child is
 * killed with SIGTERM (Node's default killSignal) and reaped, and the
 * sample fails with that reason instead of giving a time.
 *
 * The buffer is an anonymous mapping of its own, doubled with mremap(),
 * not malloc()/realloc(). glibc raises its mmap threshold to the size of
 * each mapped chunk it frees (up to 32 MiB), after which buffers of that
 * size come from the heap and their pages stay resident after free(): every
 * later sample would then grow into memory already counted, and the RSS
 * growth would understate what buffering costs. A mapping of our own
 * starts empty in every sample and is returned whole by munmap(); mremap()
 * moves pages instead of copying them, as realloc() of a large block does.
 * The unmapping comes after the timed section, as Node's garbage collector
 * frees the buffer later, and after the peak RSS has been read.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "base/clock.h"
#include "output_common.h"
#include "base/units.h"

struct growing_buffer {
    unsigned char *data; /* NULL until the first read */
    size_t len;          /* bytes held */
    size_t capacity;     /* bytes mapped */
};

/* Maps initial bytes, or doubles the mapping. Returns 0 or -errno. */
static int buffer_grow(struct growing_buffer *b, size_t initial)
{
    void *p;
    size_t capacity = b->data == NULL ? initial : 2 * b->capacity;
    if (b->data == NULL)
        p = mmap(NULL, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    else
        p = mremap(b->data, b->capacity, capacity, MREMAP_MAYMOVE);
    if (p == MAP_FAILED)
        return -errno;
    b->data = p;
    b->capacity = capacity;
    return 0;
}

static void buffer_free(struct growing_buffer *b)
{
    if (b->data != NULL)
        munmap(b->data, b->capacity);
}

static int buffered_setup(struct case_ctx *ctx)
{
    return output_setup(ctx, 0);
}

/* The child's output exceeded max_buffer: Node kills it and reports. */
static int buffered_over_limit(struct case_ctx *ctx, struct output_run *run,
                               const struct growing_buffer *b)
{
    char limit[24];
    units_format_size(run->state->max_buffer_bytes, limit, sizeof(limit));
    output_run_abort(run, SIGTERM);
    return scenario_fail(ctx, -ENOBUFS,
                         "maxBuffer %s exceeded after %zu bytes; child killed (SIGTERM)", limit,
                         b->len);
}

static int buffered_sample(struct case_ctx *ctx, struct sample *out)
{
    const struct output_state *s = ctx->state;
    struct growing_buffer b = {0};
    struct output_run run;
    /* Reads stop one byte past max_buffer, so that an excess is seen at
     * exactly max_buffer + 1 bytes and no more is held. */
    uint64_t limit = s->max_buffer_bytes > 0 ? s->max_buffer_bytes + 1 : UINT64_MAX;

    output_run_prepare(ctx, s, &run);
    int err = output_run_spawn(&run);
    if (err < 0)
        return err;
    for (;;) {
        if (b.len == b.capacity) {
            /* First a pipe's worth, the most one read() returns. */
            err = buffer_grow(&b, s->pipe_capacity_bytes);
            if (err < 0) {
                scenario_fail(ctx, err, "growing the buffer past %zu bytes failed: %s", b.capacity,
                              strerror(-err));
                goto fail;
            }
        }
        size_t room = b.capacity - b.len;
        if (room > limit - b.len)
            room = (size_t)(limit - b.len);
        ssize_t n = output_run_read(&run, b.data + b.len, room);
        if (n < 0) {
            err = (int)n;
            goto fail;
        }
        if (n == 0)
            break;
        b.len += (size_t)n;
        if (b.len == limit) {
            err = buffered_over_limit(ctx, &run, &b);
            buffer_free(&b);
            return err;
        }
    }
    output_run_reap(&run);
    /* Only now, with everything in and the child gone, is it used. */
    err = output_run_use(&run, b.data, b.len);
    if (err == 0)
        err = output_run_end(&run, clock_now_ns(), out);
    buffer_free(&b); /* after output_run_end() has read the peak RSS */
    return err;

fail:
    output_run_abort(&run, SIGKILL);
    buffer_free(&b);
    return err;
}

const struct scenario output_buffered = {
    .name = "output.buffered",
    .summary = "child stdout read into one growing buffer, used after EOF and exit (Node exec, "
               "execFile)",
    .params = output_buffered_params,
    OUTPUT_SCENARIO_FIELDS,
    .setup = buffered_setup,
    .sample = buffered_sample,
    .teardown = output_teardown,
};
