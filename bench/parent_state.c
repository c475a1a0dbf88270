/*
 * Setting up and tearing down the state of a spawning parent (ballast, idle
 * threads, open descriptors) for the spawn.* scenarios, and deciding up
 * front whether this machine can hold it, so that a case too big for the
 * machine is skipped with a reason instead of meeting the OOM killer in the
 * middle of a run.
 */
#include "parent_state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/units.h"

/* Descriptors a round needs beside the `fds` ones: stdio, the harness's,
 * pipes of the scenario and of libuv. */
#define FDS_HEADROOM 64
/* VMAs a process has before any ballast (code, heap, stacks, libraries),
 * with room to spare. */
#define VMA_HEADROOM 1000

void parent_state_config_read(const struct param_spec *specs, const struct param_value *values,
                              struct parent_state_config *out)
{
    *out = (struct parent_state_config){
        .rss_bytes = 0,
        .ballast = BALLAST_ANON,
        .mappings = 1,
        .threads = 0,
        .fds = 0,
        .concurrency = 1,
    };
    for (size_t i = 0; specs != NULL && values != NULL && specs[i].name != NULL; i++) {
        const char *name = specs[i].name;
        uint64_t number = values[i].number;
        if (strcmp(name, "rss") == 0)
            out->rss_bytes = number;
        else if (strcmp(name, "ballast") == 0)
            out->ballast = (enum ballast_kind)number;
        else if (strcmp(name, "mappings") == 0)
            out->mappings = number;
        else if (strcmp(name, "threads") == 0)
            out->threads = number;
        else if (strcmp(name, "fds") == 0)
            out->fds = number;
        else if (strcmp(name, "concurrency") == 0)
            out->concurrency = number;
    }
}

uint64_t parent_state_memory_needed(const struct parent_state_config *cfg, uint64_t total_bytes)
{
    uint64_t resident = ballast_resident_bytes(cfg->ballast, cfg->rss_bytes);
    uint64_t page_tables = resident / 512 * cfg->concurrency;
    return resident + page_tables + ballast_safety_margin(total_bytes);
}

static uint64_t max_map_count(void)
{
    unsigned long long value = 65530; /* the kernel's default */
    FILE *f = fopen("/proc/sys/vm/max_map_count", "re");
    if (f != NULL) {
        if (fscanf(f, "%llu", &value) != 1)
            value = 65530;
        fclose(f);
    }
    return (uint64_t)value;
}

const char *parent_state_unavailable(const struct parent_state_config *cfg, char *why,
                                     size_t why_len)
{
    char a[24], b[24], c[24];
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    if (cfg->rss_bytes > 0 && cfg->rss_bytes < cfg->mappings * page) {
        units_format_size(cfg->rss_bytes, a, sizeof(a));
        snprintf(why, why_len, "rss=%s is less than one page for each of mappings=%" PRIu64, a,
                 cfg->mappings);
        return why;
    }
    if (ballast_resident_bytes(cfg->ballast, cfg->rss_bytes) > 0) {
        uint64_t available = 0, total = 0;
        int err = ballast_meminfo(&available, &total);
        if (err < 0) {
            snprintf(why, why_len, "cannot read MemAvailable from /proc/meminfo (%s)",
                     strerror(-err));
            return why;
        }
        uint64_t needed = parent_state_memory_needed(cfg, total);
        if (needed > available) {
            units_format_size(cfg->rss_bytes, a, sizeof(a));
            units_format_size(needed, b, sizeof(b));
            units_format_size(available, c, sizeof(c));
            snprintf(why, why_len,
                     "rss=%s does not fit: it needs %s available (ballast, page tables of %" PRIu64
                     " copies, safety margin), MemAvailable is %s",
                     a, b, cfg->concurrency, c);
            return why;
        }
    }
    /* Each mapping and its gap are two VMAs; each thread's stack and guard
     * page are two more. */
    uint64_t vmas = 2 * (cfg->rss_bytes > 0 ? cfg->mappings : 0) +
                    2 * (cfg->threads + cfg->concurrency) + VMA_HEADROOM;
    uint64_t vma_limit = max_map_count();
    if (vmas > vma_limit) {
        snprintf(why, why_len,
                 "mappings=%" PRIu64 " and threads=%" PRIu64 " need about %" PRIu64
                 " VMAs, vm.max_map_count is %" PRIu64,
                 cfg->mappings, cfg->threads, vmas, vma_limit);
        return why;
    }
    struct rlimit nofile;
    if (cfg->fds > 0 && getrlimit(RLIMIT_NOFILE, &nofile) == 0 &&
        nofile.rlim_max != RLIM_INFINITY && cfg->fds + FDS_HEADROOM > (uint64_t)nofile.rlim_max) {
        snprintf(why, why_len,
                 "fds=%" PRIu64 " needs RLIMIT_NOFILE of at least %" PRIu64
                 ", the hard limit is %llu",
                 cfg->fds, cfg->fds + FDS_HEADROOM, (unsigned long long)nofile.rlim_max);
        return why;
    }
    return NULL;
}

/* An idle thread: blocked on the condition variable until teardown. */
static void *idle_thread(void *arg)
{
    struct parent_state *ps = arg;
    pthread_mutex_lock(&ps->lock);
    while (!ps->stop)
        pthread_cond_wait(&ps->wake, &ps->lock);
    pthread_mutex_unlock(&ps->lock);
    return NULL;
}

static int open_fds(struct parent_state *ps, uint64_t count, const char *scenario, char *failure,
                    size_t failure_len)
{
    int err;
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) != 0) {
        err = -errno;
        snprintf(failure, failure_len, "%s: getrlimit(RLIMIT_NOFILE) failed: %s", scenario,
                 strerror(-err));
        return err;
    }
    if (nofile.rlim_cur != RLIM_INFINITY && count + FDS_HEADROOM > (uint64_t)nofile.rlim_cur) {
        struct rlimit raised = nofile;
        raised.rlim_cur = (rlim_t)(count + FDS_HEADROOM);
        if (nofile.rlim_max != RLIM_INFINITY && raised.rlim_cur > nofile.rlim_max)
            raised.rlim_cur = nofile.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
            err = -errno;
            snprintf(failure, failure_len, "%s: setrlimit(RLIMIT_NOFILE, %llu) failed: %s",
                     scenario, (unsigned long long)raised.rlim_cur, strerror(-err));
            return err;
        }
        ps->old_nofile = nofile;
        ps->nofile_raised = true;
    }
    ps->fds = malloc((size_t)count * sizeof(*ps->fds));
    if (ps->fds == NULL) {
        snprintf(failure, failure_len, "%s: out of memory", scenario);
        return -ENOMEM;
    }
    for (; ps->fd_count < count; ps->fd_count++) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            err = -errno;
            snprintf(failure, failure_len,
                     "%s: open of /dev/null (descriptor %zu of %llu) failed: %s", scenario,
                     ps->fd_count + 1, (unsigned long long)count, strerror(-err));
            return err;
        }
        ps->fds[ps->fd_count] = fd;
    }
    return 0;
}

static int start_threads(struct parent_state *ps, uint64_t count, const char *scenario,
                         char *failure, size_t failure_len)
{
    ps->threads = malloc((size_t)count * sizeof(*ps->threads));
    if (ps->threads == NULL) {
        snprintf(failure, failure_len, "%s: out of memory", scenario);
        return -ENOMEM;
    }
    for (; ps->thread_count < count; ps->thread_count++) {
        int err = pthread_create(&ps->threads[ps->thread_count], NULL, idle_thread, ps);
        if (err != 0) {
            snprintf(failure, failure_len, "%s: pthread_create of idle thread %zu failed: %s",
                     scenario, ps->thread_count + 1, strerror(err));
            return -err;
        }
    }
    return 0;
}

int parent_state_setup(struct parent_state *ps, const struct parent_state_config *cfg,
                       const char *scenario, char *failure, size_t failure_len)
{
    return parent_state_setup_from(ps, cfg, NULL, scenario, failure, failure_len);
}

const char *parent_state_hold_key(const struct parent_state_config *cfg, char *key, size_t key_len)
{
    if (!ballast_holdable(cfg->rss_bytes, cfg->ballast, cfg->mappings))
        return NULL;
    snprintf(key, key_len, "ballast rss=%" PRIu64 " kind=%d mappings=%" PRIu64, cfg->rss_bytes,
             (int)ballast_held_kind(cfg->ballast), cfg->mappings);
    return key;
}

int parent_state_hold(const struct parent_state_config *cfg, struct ballast **held, char *failure,
                      size_t failure_len)
{
    struct ballast *b = malloc(sizeof(*b));
    if (b == NULL) {
        snprintf(failure, failure_len, "held ballast: out of memory");
        return -ENOMEM;
    }
    int err = ballast_create(b, cfg->rss_bytes, ballast_held_kind(cfg->ballast), cfg->mappings,
                             "held ballast", failure, failure_len);
    if (err != 0) {
        free(b);
        return err;
    }
    *held = b;
    return 0;
}

void parent_state_unhold(struct ballast *held)
{
    if (held == NULL)
        return;
    ballast_destroy(held);
    free(held);
}

int parent_state_setup_from(struct parent_state *ps, const struct parent_state_config *cfg,
                            const struct ballast *held, const char *scenario, char *failure,
                            size_t failure_len)
{
    memset(ps, 0, sizeof(*ps));
    pthread_mutex_init(&ps->lock, NULL);
    pthread_cond_init(&ps->wake, NULL);
    int err = held != NULL ? ballast_adopt(&ps->ballast, held, cfg->ballast, scenario, failure,
                                           failure_len)
                           : ballast_create(&ps->ballast, cfg->rss_bytes, cfg->ballast,
                                            cfg->mappings, scenario, failure, failure_len);
    if (err == 0 && cfg->fds > 0)
        err = open_fds(ps, cfg->fds, scenario, failure, failure_len);
    if (err == 0 && cfg->threads > 0)
        err = start_threads(ps, cfg->threads, scenario, failure, failure_len);
    if (err != 0)
        parent_state_teardown(ps);
    return err;
}

void parent_state_teardown(struct parent_state *ps)
{
    pthread_mutex_lock(&ps->lock);
    ps->stop = true;
    pthread_cond_broadcast(&ps->wake);
    pthread_mutex_unlock(&ps->lock);
    for (size_t i = 0; i < ps->thread_count; i++)
        pthread_join(ps->threads[i], NULL);
    free(ps->threads);
    ps->threads = NULL;
    ps->thread_count = 0;
    for (size_t i = 0; i < ps->fd_count; i++)
        close(ps->fds[i]);
    free(ps->fds);
    ps->fds = NULL;
    ps->fd_count = 0;
    if (ps->nofile_raised)
        setrlimit(RLIMIT_NOFILE, &ps->old_nofile);
    ps->nofile_raised = false;
    ballast_destroy(&ps->ballast);
    pthread_cond_destroy(&ps->wake);
    pthread_mutex_destroy(&ps->lock);
}

int64_t parent_state_thp_bytes(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "re");
    if (f == NULL)
        return -errno;
    char line[128];
    int64_t bytes = -ENOENT;
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long long kib;
        if (sscanf(line, "AnonHugePages: %llu kB", &kib) == 1)
            bytes = (int64_t)kib * 1024;
    }
    fclose(f);
    return bytes;
}
