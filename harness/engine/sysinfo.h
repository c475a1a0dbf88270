/*
 * The environment every run records beside its numbers: what machine, kernel,
 * libraries and settings produced them, and how noisy the machine was. Values
 * that cannot be read are recorded as "unknown", never guessed.
 */
#ifndef PROCBENCH_SYSINFO_H
#define PROCBENCH_SYSINFO_H

#include <stdbool.h>
#include <stdint.h>

#define SYSINFO_TEXT       128
#define SYSINFO_PROBED_MAX 16 /* keys recorded by scenarios' env_probes */

struct run_env {
    char hostname[SYSINFO_TEXT];
    char kernel[SYSINFO_TEXT];         /* uname -srm */
    char cpu_model[SYSINFO_TEXT];      /* /proc/cpuinfo "model name" */
    int cpu_count_online;              /* sysconf(_SC_NPROCESSORS_ONLN) */
    int cpu_count_allowed;             /* CPUs in this process's affinity mask */
    char virtualization[SYSINFO_TEXT]; /* e.g. "hypervisor (KVM)", "none detected" */
    char thp_enabled[32];              /* transparent_hugepage/enabled, the [selected] word */
    char thp_defrag[32];
    char governor[32];     /* cpu0 scaling_governor, or "unavailable" */
    char clock_source[32]; /* current_clocksource */
    uint64_t mem_total_bytes;
    uint64_t page_size_bytes;
    char glibc_version[32];       /* gnu_get_libc_version() at run time */
    char libuv_version[32];       /* uv_version_string() at run time */
    char libuv_build_version[32]; /* the headers procbench was built with */
    char compiler[SYSINFO_TEXT];  /* __VERSION__ */
    char build_type[32];          /* CMAKE_BUILD_TYPE */
    char git_commit[48];          /* at build time; "-dirty" suffix when modified */
    char procbench_version[32];
    double loadavg_1m_start, loadavg_1m_end;
    double steal_pct; /* share of CPU time stolen by the host during the run */
    /* Share of free memory in blocks of 2 MiB or more (/proc/buddyinfo):
     * how scattered a big allocation's pages will be, which moves fork()'s
     * cost from a big parent (README, Held ballast). */
    double free_2mib_blocks_pct_start, free_2mib_blocks_pct_end;
    uint64_t clock_overhead_ns;
    uint64_t clock_resolution_ns;
    uint64_t histogram_record_ns; /* harness cost of recording one value */
    /* What the scenarios' env_probes recorded (sysinfo_probe()), in
     * catalogue order: e.g. node_version, node_uv_version, node_path. */
    struct sysinfo_probed {
        char key[48];
        char value[SYSINFO_TEXT];
    } probed[SYSINFO_PROBED_MAX];
    size_t probed_count;
    /* internal: /proc/stat totals at start, for steal_pct */
    uint64_t stat_total_start, stat_steal_start;
};

/* Fills everything known before a run (and the clock calibration), but for
 * the probed facts (sysinfo_probe()). Returns 0; unreadable values become
 * "unknown". */
int sysinfo_collect(struct run_env *env);

/* Records the facts of every env_probe the catalogue's scenarios point at
 * (bench/scenario.h), in catalogue order: a probe is asked when
 * wanted(probe, ctx) says so, or always when wanted is NULL; the keys of the
 * others get their not_asked values, so that runs that need no probe (the
 * many short runs of ci/regress) do not pay for one (asking node starts a
 * Node.js process, ~0.1 s). */
struct env_probe;
void sysinfo_probe(struct run_env *env, bool (*wanted)(const struct env_probe *probe, void *ctx),
                   void *ctx);

/* The share, in percent, of the free memory /proc/buddyinfo's text
 * describes that lies in blocks of at least block_bytes (pages of
 * page_bytes); NAN when the text holds no free memory or no zone line. */
double sysinfo_free_blocks_pct(const char *buddyinfo, uint64_t page_bytes, uint64_t block_bytes);

/* Fills the values measured over the run (load at the end, steal time). */
void sysinfo_finish(struct run_env *env);

/* Calls emit(key, value, ctx) for every field, in a fixed order, values as
 * text. One list serves `procbench env`, results.json and the report. */
void sysinfo_each(const struct run_env *env,
                  void (*emit)(const char *key, const char *value, void *ctx), void *ctx);

#endif
