/*
 * The ballast of the spawn scenarios' parent-state parameters (rss, ballast,
 * mappings): mapping, advising and touching it, releasing it, and reading
 * how much memory the machine can spare for it. See ballast.h for the shape.
 *
 * Why one reservation: it is made PROT_NONE and MAP_NORESERVE (no commit
 * charge, no pages), the mappings are then placed inside it with MAP_FIXED,
 * and what is left between them stays PROT_NONE. Two neighbouring private
 * anonymous mappings with equal flags would be merged by the kernel into one
 * VMA, which would defeat `mappings`; a PROT_NONE gap between them cannot
 * merge with either. One munmap() of the reservation then frees all of it.
 */
#include "ballast.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Linux 5.14; glibc 2.36's <sys/mman.h> may predate it. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define HUGE_PAGE_BYTES ((size_t)2 << 20)
#define GIB             ((uint64_t)1 << 30)

uint64_t ballast_resident_bytes(enum ballast_kind kind, uint64_t bytes)
{
    return kind == BALLAST_UNTOUCHED ? 0 : bytes;
}

uint64_t ballast_safety_margin(uint64_t total_bytes)
{
    uint64_t eighth = total_bytes / 8;
    return eighth > 2 * GIB ? eighth : 2 * GIB;
}

static size_t round_up(size_t value, size_t to)
{
    return (value + to - 1) / to * to;
}

/* Faults every page of [p, p + bytes) in for writing: one madvise() where
 * the kernel has MADV_POPULATE_WRITE (much faster than a fault per page),
 * else a write to each page. A write is needed: a read fault would map the
 * shared zero page, which is neither resident memory of ours nor copied. */
static void touch(char *p, size_t bytes, size_t page)
{
    if (madvise(p, bytes, MADV_POPULATE_WRITE) == 0)
        return;
    for (size_t off = 0; off < bytes; off += page)
        ((volatile char *)p)[off] = 1;
}

static int advice_of(enum ballast_kind kind)
{
    switch (kind) {
    case BALLAST_DONTFORK:
        return MADV_DONTFORK;
    case BALLAST_THP:
        return MADV_HUGEPAGE;
    case BALLAST_NOTHP:
        return MADV_NOHUGEPAGE;
    default:
        return -1;
    }
}

static const char *advice_name(int advice)
{
    return advice == MADV_DONTFORK   ? "MADV_DONTFORK"
           : advice == MADV_HUGEPAGE ? "MADV_HUGEPAGE"
                                     : "MADV_NOHUGEPAGE";
}

int ballast_create(struct ballast *b, uint64_t bytes, enum ballast_kind kind,
                   uint64_t mapping_count, const char *scenario, char *failure, size_t failure_len)
{
    memset(b, 0, sizeof(*b));
    if (bytes == 0)
        return 0;
    if (mapping_count == 0 || bytes > SIZE_MAX / 2 || mapping_count > bytes) {
        snprintf(failure, failure_len, "%s: no ballast of %llu bytes in %llu mappings", scenario,
                 (unsigned long long)bytes, (unsigned long long)mapping_count);
        return -EINVAL;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t each = round_up((size_t)((bytes + mapping_count - 1) / mapping_count), page);
    size_t stride = each + page;
    if (each >= HUGE_PAGE_BYTES)
        stride = round_up(stride, HUGE_PAGE_BYTES);
    size_t reserved = stride * (size_t)mapping_count;

    /* Reserve a huge page more than needed, then trim, so that the first
     * mapping starts on a 2 MiB boundary. */
    char *raw = mmap(NULL, reserved + HUGE_PAGE_BYTES, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (raw == MAP_FAILED) {
        int err = -errno;
        snprintf(failure, failure_len, "%s: mmap of %zu bytes of address space failed: %s",
                 scenario, reserved, strerror(-err));
        return err;
    }
    char *base = (char *)round_up((size_t)raw, HUGE_PAGE_BYTES);
    if (base > raw)
        munmap(raw, (size_t)(base - raw));
    munmap(base + reserved, (size_t)(raw + HUGE_PAGE_BYTES - base));
    b->base = base;
    b->reserved_bytes = reserved;
    b->mapping_bytes = each;
    b->stride_bytes = stride;

    int flags = MAP_FIXED | MAP_ANONYMOUS | (kind == BALLAST_SHARED ? MAP_SHARED : MAP_PRIVATE);
    int advice = advice_of(kind);
    for (size_t i = 0; i < (size_t)mapping_count; i++) {
        char *at = base + i * stride;
        if (mmap(at, each, PROT_READ | PROT_WRITE, flags, -1, 0) == MAP_FAILED) {
            int err = -errno;
            snprintf(failure, failure_len, "%s: mmap of ballast mapping %zu (%zu bytes) failed: %s",
                     scenario, i, each, strerror(-err));
            ballast_destroy(b);
            return err;
        }
        b->mapping_count = i + 1;
        if (advice >= 0 && madvise(at, each, advice) != 0) {
            int err = -errno;
            snprintf(failure, failure_len, "%s: madvise(%s) of the ballast failed: %s", scenario,
                     advice_name(advice), strerror(-err));
            ballast_destroy(b);
            return err;
        }
        if (kind != BALLAST_UNTOUCHED)
            touch(at, each, page);
    }
    return 0;
}

bool ballast_holdable(uint64_t bytes, enum ballast_kind kind, uint64_t mapping_count)
{
    return bytes > 0 && kind != BALLAST_UNTOUCHED && mapping_count == 1;
}

enum ballast_kind ballast_held_kind(enum ballast_kind kind)
{
    return kind == BALLAST_DONTFORK ? BALLAST_ANON : kind;
}

int ballast_adopt(struct ballast *b, const struct ballast *held, enum ballast_kind kind,
                  const char *scenario, char *failure, size_t failure_len)
{
    *b = *held;
    if (kind == BALLAST_SHARED) {
        /* fork() copies no page table of a shared mapping: the pages are
         * resident, but the round would map none of them, as its own would
         * have. Mapping them is cheap: they exist, in the holder's shmem. */
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        for (size_t i = 0; i < b->mapping_count; i++)
            touch((char *)b->base + i * b->stride_bytes, b->mapping_bytes, page);
        return 0;
    }
    if (kind != BALLAST_DONTFORK)
        return 0;
    for (size_t i = 0; i < b->mapping_count; i++) {
        char *at = (char *)b->base + i * b->stride_bytes;
        if (madvise(at, b->mapping_bytes, MADV_DONTFORK) != 0) {
            int err = -errno;
            snprintf(failure, failure_len, "%s: madvise(MADV_DONTFORK) of the held ballast failed: %s",
                     scenario, strerror(-err));
            ballast_destroy(b);
            return err;
        }
    }
    return 0;
}

void ballast_destroy(struct ballast *b)
{
    if (b->base != NULL)
        munmap(b->base, b->reserved_bytes);
    memset(b, 0, sizeof(*b));
}

int ballast_meminfo(uint64_t *available_bytes, uint64_t *total_bytes)
{
    FILE *f = fopen("/proc/meminfo", "re");
    if (f == NULL)
        return -errno;
    char line[128];
    bool have_available = false, have_total = false;
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned long long kib;
        if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1) {
            *available_bytes = (uint64_t)kib * 1024;
            have_available = true;
        } else if (sscanf(line, "MemTotal: %llu kB", &kib) == 1) {
            *total_bytes = (uint64_t)kib * 1024;
            have_total = true;
        }
    }
    fclose(f);
    return have_available && have_total ? 0 : -ENOENT;
}
