/*
 * Ballast: memory a spawn scenario maps (and usually touches) in its parent
 * before sampling, so that the cost of creating a process can be measured
 * against the size and the kind of the parent's memory. One ballast is one
 * reservation split into `mappings` equal mappings with an unbacked
 * PROT_NONE gap after each, so that neighbours can never merge into one VMA;
 * it is released with one munmap(). Also: how much memory this machine has
 * available for one, read from /proc/meminfo.
 */
#ifndef PROCBENCH_BALLAST_H
#define PROCBENCH_BALLAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kinds of ballast, in the order of BALLAST_KIND_WORDS (a PARAM_WORD's
 * value number is its index in that list). */
enum ballast_kind {
    BALLAST_ANON,      /* private anonymous, touched: THP as the system's mode decides */
    BALLAST_UNTOUCHED, /* private anonymous, never touched: address space, no pages */
    BALLAST_SHARED,    /* MAP_SHARED anonymous (shmem), touched */
    BALLAST_DONTFORK,  /* private anonymous, touched, MADV_DONTFORK: not inherited */
    BALLAST_THP,       /* private anonymous, MADV_HUGEPAGE, then touched */
    BALLAST_NOTHP,     /* private anonymous, MADV_NOHUGEPAGE, then touched */
};
#define BALLAST_KIND_WORDS "anon,untouched,shared,dontfork,thp,nothp"

struct ballast {
    void *base;            /* the reservation; NULL when there is no ballast */
    size_t reserved_bytes; /* mappings and their gaps: what one munmap() releases */
    size_t mapping_bytes;  /* each mapping's size (a multiple of the page size) */
    size_t stride_bytes;   /* from one mapping's start to the next one's */
    size_t mapping_count;
};

/* Bytes of memory a ballast of bytes of kind makes resident: 0 for
 * BALLAST_UNTOUCHED, bytes otherwise. */
uint64_t ballast_resident_bytes(enum ballast_kind kind, uint64_t bytes);

/* Maps bytes of kind as mapping_count (>= 1) separate mappings of
 * ceil(bytes / mapping_count) bytes rounded up to a page, applies the kind's
 * madvise(), and touches every page unless the kind is untouched. bytes == 0
 * maps nothing. Each mapping is followed by a PROT_NONE gap of at least one
 * page (up to the next 2 MiB boundary when the mapping is 2 MiB or more, so
 * that every mapping starts where a huge page can). Untimed; may take a
 * second per GiB. Returns 0, or -errno with "<scenario>: <call> failed: ..."
 * in failure and nothing left mapped. */
int ballast_create(struct ballast *b, uint64_t bytes, enum ballast_kind kind,
                   uint64_t mapping_count, const char *scenario, char *failure, size_t failure_len);

/* Whether a ballast of bytes of kind in mapping_count mappings is worth
 * holding across rounds (scenario.hold): one made once and inherited by
 * each round's process through fork(), which passes it on as it is
 * (private memory: the same pages, copy-on-write, page tables of the
 * round's own, as the round's own writes would have made them; shared
 * memory: the same pages, mapped by ballast_adopt()). True for a touched
 * ballast in one mapping. Not for several mappings: each inherited
 * mapping carries one more link to the holder's anon_vma, which every
 * fork() from the round copies, a cost per mapping a fresh ballast has
 * not. Not for untouched, which costs nothing to make. */
bool ballast_holdable(uint64_t bytes, enum ballast_kind kind, uint64_t mapping_count);

/* The kind a holder makes for a ballast of kind: the same, but for
 * BALLAST_DONTFORK, which fork() would not pass on: the holder makes it
 * BALLAST_ANON and ballast_adopt() advises it in the round. */
enum ballast_kind ballast_held_kind(enum ballast_kind kind);

/* In a round's process forked from a holder: takes over held (a ballast
 * ballast_create() made there, of ballast_held_kind(kind)) as b, applying
 * what fork() could not pass on: MADV_DONTFORK, and for a MAP_SHARED one
 * the page tables (the pages are the holder's, so this maps them without
 * allocating or zeroing any). b is the round's own:
 * ballast_destroy() unmaps it from the round, not from the holder. Returns
 * 0, or -errno with "<scenario>: ..." in failure and nothing mapped. */
int ballast_adopt(struct ballast *b, const struct ballast *held, enum ballast_kind kind,
                  const char *scenario, char *failure, size_t failure_len);

/* Unmaps everything ballast_create() mapped; b may be all zeroes. */
void ballast_destroy(struct ballast *b);

/* MemAvailable and MemTotal from /proc/meminfo, in bytes. Returns 0 or
 * -errno (-ENOENT when a field is missing). */
int ballast_meminfo(uint64_t *available_bytes, uint64_t *total_bytes);

/* The memory a case must leave free beyond its own: max(2 GiB, total / 8)
 * of total_bytes (3 GiB of 24): room for the harness, the other rounds'
 * processes, other users of the machine and the page cache, so that a big
 * ballast never pushes the machine into reclaim or the OOM killer. */
uint64_t ballast_safety_margin(uint64_t total_bytes);

#endif
