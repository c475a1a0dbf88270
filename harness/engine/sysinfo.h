/*
 * The environment every run records beside its numbers: what machine, kernel,
 * libraries and settings produced them, and how noisy the machine was. Values
 * that cannot be read are recorded as "unknown", never guessed.
 */
#ifndef PROCBENCH_SYSINFO_H
#define PROCBENCH_SYSINFO_H

#include <stdbool.h>
#include <stdint.h>

#define SYSINFO_TEXT 128

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
    uint64_t clock_overhead_ns;
    uint64_t clock_resolution_ns;
    uint64_t histogram_record_ns; /* harness cost of recording one value */
    /* Node.js, for the node.* rows (bench/node_locate.h): "not installed"
     * when no node is found (PROCBENCH_NODE, else PATH). */
    char node_version[32];        /* process.version, e.g. "v20.20.2" */
    char node_uv_version[32];     /* process.versions.uv: the libuv bundled in node */
    char node_path[SYSINFO_TEXT]; /* the node binary the node.* rows run */
    /* internal: /proc/stat totals at start, for steal_pct */
    uint64_t stat_total_start, stat_steal_start;
};

/* Fills everything known before a run (and the clock calibration). Returns 0;
 * unreadable values become "unknown". with_node: also ask node for its
 * versions, which starts a Node.js process (~0.1 s); otherwise the node
 * fields say they were not asked, so that runs without node.* cases (and
 * the many short runs of ci/regress) do not pay for it. */
int sysinfo_collect(struct run_env *env, bool with_node);

/* Fills the values measured over the run (load at the end, steal time). */
void sysinfo_finish(struct run_env *env);

/* Calls emit(key, value, ctx) for every field, in a fixed order, values as
 * text. One list serves `procbench env`, results.json and the report. */
void sysinfo_each(const struct run_env *env,
                  void (*emit)(const char *key, const char *value, void *ctx), void *ctx);

#endif
