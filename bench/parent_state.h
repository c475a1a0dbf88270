/*
 * The parent-state parameters every spawn.* scenario has (issue 5): what the
 * process that spawns looks like while it spawns. A ballast of `rss` bytes of
 * kind `ballast` in `mappings` mappings, `threads` idle threads, `fds` open
 * close-on-exec descriptors, and `concurrency` spawners working at once
 * (the last one is carried out by spawn_common.c with spawn_crowd.h; this
 * file only reads it and budgets memory for it). Set up before the first
 * sample of a round, torn down after its last.
 */
#ifndef PROCBENCH_PARENT_STATE_H
#define PROCBENCH_PARENT_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "ballast.h"
#include "base/params.h"

/* Limits of the parameters; see PARENT_STATE_PARAM_SPECS. */
#define PARENT_STATE_RSS_MAX         ((uint64_t)1 << 40) /* 1 TiB: then MemAvailable decides */
#define PARENT_STATE_MAPPINGS_MAX    16384
#define PARENT_STATE_THREADS_MAX     1024
#define PARENT_STATE_FDS_MAX         65536
#define PARENT_STATE_CONCURRENCY_MAX 256

/* The six parameter specs, as initialisers, for a scenario's spec table
 * (spawn_common.c puts them after `target`, or alone). A macro rather than
 * an array because C cannot splice one array into another. Only rss has
 * several default values, so that the default suite grows four-fold, not
 * by the product of every list; 4G, whose rounds cost most (a fork() from
 * it 0.2-0.3 s here), is there on request (--param rss=0,1G,4G). */
/* clang-format off: one spec a block, as in the scenario files. */
#define PARENT_STATE_PARAM_SPECS                                                                   \
    {                                                                                              \
        .name = "rss",                                                                             \
        .kind = PARAM_SIZE,                                                                        \
        .defaults = "0,64M,256M,1G",                                                               \
        .quick = "0,1G",                                                                           \
        .min = 0,                                                                                  \
        .max = PARENT_STATE_RSS_MAX,                                                               \
        .help = "ballast in the parent before sampling (4G and more on request); skipped if it "  \
                "does not fit in MemAvailable",                                                    \
    },                                                                                             \
        {                                                                                          \
            .name = "ballast",                                                                     \
            .kind = PARAM_WORD,                                                                    \
            .defaults = "anon",                                                                    \
            .choices = BALLAST_KIND_WORDS,                                                         \
            .help = "the rss ballast: private touched / reserved only / MAP_SHARED / "             \
                    "MADV_DONTFORK / MADV_HUGEPAGE / MADV_NOHUGEPAGE",                             \
        },                                                                                         \
        {                                                                                          \
            .name = "mappings",                                                                    \
            .kind = PARAM_COUNT,                                                                   \
            .defaults = "1",                                                                       \
            .min = 1,                                                                              \
            .max = PARENT_STATE_MAPPINGS_MAX,                                                      \
            .help = "the rss ballast split into this many mappings (separate VMAs)",               \
        },                                                                                         \
        {                                                                                          \
            .name = "threads",                                                                     \
            .kind = PARAM_COUNT,                                                                   \
            .defaults = "0",                                                                       \
            .min = 0,                                                                              \
            .max = PARENT_STATE_THREADS_MAX,                                                       \
            .help = "idle (blocked) threads in the parent",                                        \
        },                                                                                         \
        {                                                                                          \
            .name = "fds",                                                                         \
            .kind = PARAM_COUNT,                                                                   \
            .defaults = "0",                                                                       \
            .min = 0,                                                                              \
            .max = PARENT_STATE_FDS_MAX,                                                           \
            .help = "extra open descriptors in the parent, all O_CLOEXEC",                         \
        },                                                                                         \
    {                                                                                              \
        .name = "concurrency", .kind = PARAM_COUNT, .defaults = "1", .min = 1,                     \
        .max = PARENT_STATE_CONCURRENCY_MAX,                                                       \
        .help = "spawners working at once; each sample is one operation of each",                  \
    }
/* clang-format on */

/* The values of the six parameters for one case. */
struct parent_state_config {
    uint64_t rss_bytes;
    enum ballast_kind ballast;
    uint64_t mappings, threads, fds, concurrency;
};

/* Reads the config from a case's values (values[i] belongs to specs[i]),
 * finding each parameter by name; one the specs lack keeps its default
 * (rss 0, anon, 1 mapping, no threads or fds, concurrency 1). */
void parent_state_config_read(const struct param_spec *specs, const struct param_value *values,
                              struct parent_state_config *out);

/* Memory a case with cfg needs available: the ballast's resident bytes,
 * plus the page tables of one forked copy of it per spawner (8 bytes per
 * 4 KiB page: a conservative bound, since only fork copies them), plus
 * ballast_safety_margin(total_bytes). */
uint64_t parent_state_memory_needed(const struct parent_state_config *cfg, uint64_t total_bytes);

/* NULL when this machine can set up cfg, otherwise why not, written into
 * why: the ballast does not fit in MemAvailable (see
 * parent_state_memory_needed()), more VMAs than vm.max_map_count allows,
 * more descriptors than RLIMIT_NOFILE's hard limit, an rss smaller than one
 * page per mapping. For scenario.case_unavailable; untimed. */
const char *parent_state_unavailable(const struct parent_state_config *cfg, char *why,
                                     size_t why_len);

/* What parent_state_setup() made. */
struct parent_state {
    struct ballast ballast;
    pthread_t *threads;
    size_t thread_count; /* started, to be joined */
    int *fds;
    size_t fd_count; /* open, to be closed */
    struct rlimit old_nofile;
    bool nofile_raised; /* old_nofile must be restored */
    /* The idle threads wait on this until teardown sets stop. */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
};

/* Maps the ballast, opens the descriptors (raising RLIMIT_NOFILE's soft
 * limit towards the hard one when needed) and starts the idle threads, in
 * that order. Untimed. Returns 0, or -errno with "<scenario>: ..." in
 * failure and nothing left behind. */
int parent_state_setup(struct parent_state *ps, const struct parent_state_config *cfg,
                       const char *scenario, char *failure, size_t failure_len);

/* parent_state_setup(), but with the ballast taken over from held (what
 * parent_state_hold() made in the holder this round's process was forked
 * from: see ballast_adopt()) instead of made; held NULL makes it. */
int parent_state_setup_from(struct parent_state *ps, const struct parent_state_config *cfg,
                            const struct ballast *held, const char *scenario, char *failure,
                            size_t failure_len);

/* The hold key of cfg's ballast ("ballast rss=... kind=... mappings=..."),
 * written into key, or NULL when it is not worth holding
 * (ballast_holdable()). Cases whose keys are equal hold the same ballast:
 * MADV_DONTFORK's is held as a plain one. */
const char *parent_state_hold_key(const struct parent_state_config *cfg, char *key,
                                  size_t key_len);

/* In a holder: makes cfg's ballast (ballast_held_kind()) into *held (a new
 * struct ballast). Returns 0, or -errno with a reason in failure and
 * nothing made. parent_state_unhold() releases it. */
int parent_state_hold(const struct parent_state_config *cfg, struct ballast **held, char *failure,
                      size_t failure_len);
void parent_state_unhold(struct ballast *held);

/* Joins the threads, closes the descriptors, restores the limit, unmaps
 * the ballast. */
void parent_state_teardown(struct parent_state *ps);

/* Bytes of the calling process's anonymous memory backed by transparent
 * huge pages (AnonHugePages of /proc/self/smaps_rollup), or -errno. For
 * checking what MADV_HUGEPAGE actually got. */
int64_t parent_state_thp_bytes(void);

#endif
