/*
 * spawn.clone_vfork: what posix_spawn() does inside glibc, by hand:
 * clone(CLONE_VM | CLONE_VFORK) on a stack of our own, so the child runs in
 * the parent's memory without copying page tables while the parent waits for
 * its exec. Unlike posix_spawn it lets the child pin itself before exec, so
 * this row also has a CROSS placement. The stack is mapped once per round
 * and spawner, with a PROT_NONE guard page below it so an overflow faults instead of
 * scribbling over the parent's heap.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "spawn_common.h"

/* The child runs spawn_child_exec() only: a few hundred bytes of stack.
 * 64 KiB leaves room for sanitizer builds. */
#define CLONE_STACK_BYTES (64u * 1024u)

struct clone_state {
    struct spawn_target target;
    void *map; /* guard page + stack */
    size_t map_bytes;
    int peer_cpu; /* the child reads only its argument */
};

static void clone_fini(void *state)
{
    struct clone_state *s = state;
    munmap(s->map, s->map_bytes);
    spawn_target_fini(&s->target);
    free(s);
}

/* One state, and one stack, per spawner: concurrent clones must not share
 * a stack. */
static int clone_init(struct case_ctx *ctx, size_t index, size_t count, void **state)
{
    (void)index;
    (void)count;
    struct clone_state *s = malloc(sizeof(*s));
    if (s == NULL) {
        scenario_fail(ctx, 0, "out of memory");
        return -ENOMEM;
    }
    int err = spawn_target_init(&s->target, ctx);
    if (err < 0)
        goto fail_free;

    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    s->map_bytes = page + CLONE_STACK_BYTES;
    s->map = mmap(NULL, s->map_bytes, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (s->map == MAP_FAILED) {
        err = -errno;
        scenario_fail(ctx, 0, "mmap of the child stack failed: %s", strerror(-err));
        goto fail_target;
    }
    if (mprotect(s->map, page, PROT_NONE) != 0) {
        err = -errno;
        scenario_fail(ctx, 0, "mprotect of the guard page failed: %s", strerror(-err));
        goto fail_unmap;
    }
    *state = s;
    return 0;

fail_unmap:
    munmap(s->map, s->map_bytes);
fail_target:
    spawn_target_fini(&s->target);
fail_free:
    free(s);
    return err;
}

static int clone_child(void *arg)
{
    const struct clone_state *s = arg;
    spawn_child_exec(&s->target, s->peer_cpu);
}

static int clone_create(void *state, int peer_cpu, pid_t *pid)
{
    struct clone_state *s = state;
    s->peer_cpu = peer_cpu;
    /* The stack grows down: pass its highest address (page aligned, so
     * also 16-byte aligned as the ABI wants). */
    char *top = (char *)s->map + s->map_bytes;
    pid_t child = clone(clone_child, top, CLONE_VM | CLONE_VFORK | SIGCHLD, s);
    if (child < 0)
        return -errno;
    *pid = child;
    return 0;
}

static int clone_op(void *state, int peer_cpu, struct sample *out,
                    char failure[SCENARIO_FAILURE_MAX])
{
    struct clone_state *s = state;
    return spawn_sample_create_reap(state, &s->target, peer_cpu, out, failure, "clone",
                                    clone_create);
}

static const struct spawn_mechanism clone_mechanism = {
    .init = clone_init,
    .fini = clone_fini,
    .op = clone_op,
};

const struct scenario spawn_clone_vfork = {
    .name = "spawn.clone_vfork",
    .summary = "clone(CLONE_VM|CLONE_VFORK) on a private stack, then execve(); reaped with "
               "wait4()",
    .params = spawn_target_params,
    .default_placements = "same",
    .placements_supported = PLACEMENTS_ALL,
    .family = &clone_mechanism,
    SPAWN_SCENARIO_FIELDS,
    SPAWN_TARGET_HOLDS,
};
