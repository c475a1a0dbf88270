/*
 * Collects the environment a run records beside its numbers: the machine,
 * kernel, libraries and build, the settings that move process-creation costs
 * (transparent huge pages, the CPU governor, the clocksource), the cost of the
 * harness's own clock and histogram, and two measures of how noisy the
 * machine was (load average, and CPU time stolen by a hypervisor). Everything
 * is read from the kernel's own files and calls; whatever cannot be read is
 * recorded as "unknown" rather than inferred.
 */
#include <ctype.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <uv.h>

#include "build_info.h"
#include "base/clock.h"
#include "histogram.h"
#include "sysinfo.h"

#define UNKNOWN "unknown"

/* Values recorded in the histogram-cost measurement, and how many. The
 * values are drawn once into a small table so that timing the loop measures
 * histogram_record() and not the random number generator. */
#define HISTOGRAM_PROBE_VALUES  4096u
#define HISTOGRAM_PROBE_RECORDS 200000u

/* Copies src into dst, dropping trailing whitespace and turning any other
 * control character into a space, so that every value is one line. An empty
 * result becomes "unknown". */
static void set_text(char *dst, size_t len, const char *src)
{
    size_t n = strlen(src);

    while (n > 0 && isspace((unsigned char)src[n - 1]))
        n--;
    if (n >= len)
        n = len - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? ' ' : src[i];
    dst[n] = '\0';
    if (n == 0)
        snprintf(dst, len, "%s", UNKNOWN);
}

/* The first line of a small file (sysfs attributes are one line), trailing
 * whitespace removed. Returns 0, -errno, or -ENODATA when the file is empty. */
static int read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "re");
    int rc = 0;

    if (f == NULL)
        return -errno;
    if (fgets(buf, (int)len, f) == NULL) {
        rc = ferror(f) ? -EIO : -ENODATA;
    } else {
        size_t n = strlen(buf);
        while (n > 0 && isspace((unsigned char)buf[n - 1]))
            buf[--n] = '\0';
        if (n == 0)
            rc = -ENODATA;
    }
    fclose(f);
    return rc;
}

/* A file's first line into a field, or fallback when it cannot be read. */
static void set_from_file(char *dst, size_t len, const char *path, const char *fallback)
{
    char line[256];

    set_text(dst, len, read_line(path, line, sizeof(line)) == 0 ? line : fallback);
}

/* The [selected] word of a sysfs choice file such as
 * "always [madvise] never". */
static void set_bracketed(char *dst, size_t len, const char *path)
{
    char line[256];
    char *open, *close;

    if (read_line(path, line, sizeof(line)) == 0 && (open = strchr(line, '[')) != NULL &&
        (close = strchr(open, ']')) != NULL) {
        *close = '\0';
        set_text(dst, len, open + 1);
    } else {
        set_text(dst, len, UNKNOWN);
    }
}

/* True when word appears as a whole space-separated word of list. */
static int has_word(const char *list, const char *word)
{
    size_t len = strlen(word);

    for (const char *p = list; (p = strstr(p, word)) != NULL; p += len) {
        int starts = p == list || isspace((unsigned char)p[-1]);
        int ends = p[len] == '\0' || isspace((unsigned char)p[len]);
        if (starts && ends)
            return 1;
    }
    return 0;
}

/* The value after "key<tabs>: " in the first processor's block of
 * /proc/cpuinfo, which is where x86 keeps "model name" and "flags". */
static void cpuinfo_first(char *model, size_t model_len, int *hypervisor_flag)
{
    FILE *f = fopen("/proc/cpuinfo", "re");
    char *line = NULL;
    size_t cap = 0;

    set_text(model, model_len, UNKNOWN);
    *hypervisor_flag = 0;
    if (f == NULL)
        return;
    /* getline, not fgets: the flags line runs past a thousand characters. */
    while (getline(&line, &cap, f) > 0) {
        char *colon = strchr(line, ':');
        if (line[0] == '\n')
            break; /* end of the first processor */
        if (colon == NULL)
            continue;
        char *value = colon + 1;
        while (*value == ' ' || *value == '\t')
            value++;
        if (strncmp(line, "model name", 10) == 0)
            set_text(model, model_len, value);
        else if (strncmp(line, "flags", 5) == 0)
            *hypervisor_flag = has_word(value, "hypervisor");
    }
    free(line);
    fclose(f);
}

/* "hypervisor (<who>)" when the CPU says it runs under one (the x86 CPUID
 * hypervisor bit, shown as the "hypervisor" flag) or Xen announces itself in
 * /sys/hypervisor. Who comes from /sys/hypervisor/type, else the DMI vendor
 * and product, as written there: QEMU/KVM guests say "QEMU", clouds name
 * themselves. On other architectures no flag exists, hence "none detected"
 * rather than "none". */
static void set_virtualization(struct run_env *env, int hypervisor_flag)
{
    char type[64], vendor[64], product[64], who[160] = "";

    if (read_line("/sys/hypervisor/type", type, sizeof(type)) == 0) {
        snprintf(who, sizeof(who), "%s", type);
    } else {
        int has_vendor = read_line("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor)) == 0;
        int has_product =
            read_line("/sys/class/dmi/id/product_name", product, sizeof(product)) == 0;
        if (hypervisor_flag && (has_vendor || has_product))
            snprintf(who, sizeof(who), "%s%s%s", has_vendor ? vendor : "",
                     has_vendor && has_product ? " " : "", has_product ? product : "");
    }

    if (who[0] != '\0') {
        char text[SYSINFO_TEXT];
        if (snprintf(text, sizeof(text), "hypervisor (%s)", who) >= (int)sizeof(text))
            memcpy(text + sizeof(text) - 5, "...)", 5);
        set_text(env->virtualization, sizeof(env->virtualization), text);
    } else {
        set_text(env->virtualization, sizeof(env->virtualization),
                 hypervisor_flag ? "hypervisor" : "none detected");
    }
}

/* CPUs in this process's affinity mask. The mask is allocated because the
 * fixed cpu_set_t stops at 1024 CPUs and sched_getaffinity() refuses a mask
 * smaller than the kernel's. Returns 0 when it cannot be read. */
static int allowed_cpus(void)
{
    for (int cpus = 1024; cpus <= 1 << 20; cpus *= 2) {
        cpu_set_t *set = CPU_ALLOC(cpus);
        size_t size = CPU_ALLOC_SIZE(cpus);
        int count = 0, rc;

        if (set == NULL)
            return 0;
        CPU_ZERO_S(size, set);
        rc = sched_getaffinity(0, size, set);
        if (rc == 0)
            count = CPU_COUNT_S(size, set);
        CPU_FREE(set);
        if (rc == 0)
            return count;
        if (errno != EINVAL)
            return 0;
    }
    return 0;
}

/* "MemTotal:  16314336 kB" in bytes, or 0. */
static uint64_t mem_total_bytes(void)
{
    FILE *f = fopen("/proc/meminfo", "re");
    char line[256];
    uint64_t kib = 0;

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "MemTotal: %" SCNu64 " kB", &kib) == 1)
            break;
    }
    fclose(f);
    return kib * 1024;
}

/* The 1-minute load average, or NAN. */
static double loadavg_1m(void)
{
    char line[128], *end;
    double load;

    if (read_line("/proc/loadavg", line, sizeof(line)) != 0)
        return NAN;
    load = strtod(line, &end);
    return end == line ? NAN : load;
}

double sysinfo_free_blocks_pct(const char *buddyinfo, uint64_t page_bytes, uint64_t block_bytes)
{
    double free_pages = 0, in_blocks = 0;
    bool any_zone = false;
    /* A line: "Node 0, zone   Normal  c0 c1 ... c10", cN free blocks of
     * 2^N pages. */
    for (const char *line = buddyinfo; line && *line; line = strchr(line, '\n')) {
        line += *line == '\n';
        const char *zone = strstr(line, "zone");
        const char *eol = strchr(line, '\n');
        if (zone == NULL || (eol && zone > eol))
            continue;
        const char *p = zone + 4;
        while (*p == ' ' || *p == '\t')
            p++;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
            p++; /* the zone's name */
        any_zone = true;
        for (unsigned order = 0; order < 32; order++) {
            char *end;
            unsigned long long count = strtoull(p, &end, 10);
            if (end == p || (eol && end > eol))
                break;
            double pages = (double)count * (double)((uint64_t)1 << order);
            free_pages += pages;
            if ((page_bytes << order) >= block_bytes)
                in_blocks += pages;
            p = end;
        }
    }
    return any_zone && free_pages > 0 ? 100.0 * in_blocks / free_pages : NAN;
}

/* sysinfo_free_blocks_pct() of this machine for 2 MiB, or NAN. */
static double free_2mib_blocks_pct(void)
{
    char text[16384]; /* a line a zone of a node: 16 KiB holds over 100 */
    FILE *f = fopen("/proc/buddyinfo", "re");
    if (f == NULL)
        return NAN;
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    long page = sysconf(_SC_PAGESIZE);
    return sysinfo_free_blocks_pct(text, page > 0 ? (uint64_t)page : 4096, (uint64_t)2 << 20);
}

/* Totals of the aggregate "cpu " line of /proc/stat, in clock ticks: user
 * nice system idle iowait irq softirq steal. guest and guest_nice are left
 * out because the kernel already counts them in user and nice. Returns 0, or
 * -1 when the line is missing or predates the steal column. */
static int stat_ticks(uint64_t *total, uint64_t *steal)
{
    char line[512];
    uint64_t v[8];

    if (read_line("/proc/stat", line, sizeof(line)) != 0 ||
        sscanf(line,
               "cpu %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
               " %" SCNu64 " %" SCNu64,
               &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
        return -1;
    *total = 0;
    for (size_t i = 0; i < 8; i++)
        *total += v[i];
    *steal = v[7];
    return 0;
}

/* Average cost of histogram_record() on a histogram configured as the
 * harness configures its own, over values spread across many buckets so
 * that the measurement includes the bucket arithmetic of large values and
 * not only a hot counter. Returns 0 when the histogram cannot be built. */
static uint64_t histogram_record_cost_ns(void)
{
    uint64_t values[HISTOGRAM_PROBE_VALUES];
    struct histogram *h;
    uint64_t x = 0x9e3779b97f4a7c15u, start, elapsed;

    if (histogram_create(HISTOGRAM_ONE_HOUR_NS, 3, &h) != 0)
        return 0;
    /* xorshift64: a log-uniform spread from 1 ns to about 17 minutes, the
     * range process-creation latencies and their outliers fall in. */
    for (size_t i = 0; i < HISTOGRAM_PROBE_VALUES; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        values[i] = (x >> (24 + x % 40)) % HISTOGRAM_ONE_HOUR_NS;
    }
    /* One untimed pass, so that the first touch of each counter page is not
     * billed to recording. */
    for (size_t i = 0; i < HISTOGRAM_PROBE_VALUES; i++)
        histogram_record(h, values[i]);

    start = clock_now_ns();
    for (size_t i = 0; i < HISTOGRAM_PROBE_RECORDS; i++)
        histogram_record(h, values[i % HISTOGRAM_PROBE_VALUES]);
    elapsed = clock_now_ns() - start;
    histogram_destroy(h);

    /* Rounded to the nearest nanosecond but never 0: recording is not free,
     * and 0 is how this field says "unknown". */
    elapsed = (elapsed + HISTOGRAM_PROBE_RECORDS / 2) / HISTOGRAM_PROBE_RECORDS;
    return elapsed ? elapsed : 1;
}

int sysinfo_collect(struct run_env *env)
{
    char text[256];
    struct utsname uts;
    struct clock_calibration cal;
    int hypervisor_flag;
    long n;

    memset(env, 0, sizeof(*env));

    if (gethostname(text, sizeof(text)) == 0) {
        text[sizeof(text) - 1] = '\0';
        set_text(env->hostname, sizeof(env->hostname), text);
    } else {
        set_text(env->hostname, sizeof(env->hostname), UNKNOWN);
    }
    if (uname(&uts) == 0) {
        snprintf(text, sizeof(text), "%s %s %s", uts.sysname, uts.release, uts.machine);
        set_text(env->kernel, sizeof(env->kernel), text);
    } else {
        set_text(env->kernel, sizeof(env->kernel), UNKNOWN);
    }

    cpuinfo_first(env->cpu_model, sizeof(env->cpu_model), &hypervisor_flag);
    n = sysconf(_SC_NPROCESSORS_ONLN);
    env->cpu_count_online = n > 0 ? (int)n : 0;
    env->cpu_count_allowed = allowed_cpus();
    set_virtualization(env, hypervisor_flag);

    set_bracketed(env->thp_enabled, sizeof(env->thp_enabled),
                  "/sys/kernel/mm/transparent_hugepage/enabled");
    set_bracketed(env->thp_defrag, sizeof(env->thp_defrag),
                  "/sys/kernel/mm/transparent_hugepage/defrag");
    set_from_file(env->governor, sizeof(env->governor),
                  "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "unavailable");
    set_from_file(env->clock_source, sizeof(env->clock_source),
                  "/sys/devices/system/clocksource/clocksource0/current_clocksource", UNKNOWN);

    env->mem_total_bytes = mem_total_bytes();
    n = sysconf(_SC_PAGESIZE);
    env->page_size_bytes = n > 0 ? (uint64_t)n : 0;

    set_text(env->glibc_version, sizeof(env->glibc_version), gnu_get_libc_version());
    set_text(env->libuv_version, sizeof(env->libuv_version), uv_version_string());
    snprintf(text, sizeof(text), "%d.%d.%d", UV_VERSION_MAJOR, UV_VERSION_MINOR, UV_VERSION_PATCH);
    set_text(env->libuv_build_version, sizeof(env->libuv_build_version), text);
#if defined(__GNUC__) && !defined(__clang__)
    set_text(env->compiler, sizeof(env->compiler), "gcc " __VERSION__);
#elif defined(__VERSION__)
    set_text(env->compiler, sizeof(env->compiler), __VERSION__);
#else
    set_text(env->compiler, sizeof(env->compiler), UNKNOWN);
#endif
    set_text(env->build_type, sizeof(env->build_type), PROCBENCH_BUILD_TYPE);
    set_text(env->git_commit, sizeof(env->git_commit), PROCBENCH_GIT_COMMIT);
    set_text(env->procbench_version, sizeof(env->procbench_version), PROCBENCH_VERSION);

    if (clock_calibrate(&cal) == 0) {
        env->clock_overhead_ns = cal.overhead_ns;
        env->clock_resolution_ns = cal.resolution_ns;
    }
    env->histogram_record_ns = histogram_record_cost_ns();

    /* The noise counters are read last, after the calibrations above, so
     * that they bracket the run itself. */
    env->loadavg_1m_start = loadavg_1m();
    env->loadavg_1m_end = NAN;
    env->free_2mib_blocks_pct_start = free_2mib_blocks_pct();
    env->free_2mib_blocks_pct_end = NAN;
    env->steal_pct = NAN;
    if (stat_ticks(&env->stat_total_start, &env->stat_steal_start) != 0)
        env->stat_total_start = env->stat_steal_start = 0;
    return 0;
}

void sysinfo_finish(struct run_env *env)
{
    uint64_t total, steal;

    env->loadavg_1m_end = loadavg_1m();
    env->free_2mib_blocks_pct_end = free_2mib_blocks_pct();
    env->steal_pct = NAN;
    /* Under a clock tick (10 ms at the usual USER_HZ of 100) nothing was
     * counted, and a share of nothing is unknown, not 0 %. */
    if (env->stat_total_start != 0 && stat_ticks(&total, &steal) == 0 &&
        total > env->stat_total_start && steal >= env->stat_steal_start)
        env->steal_pct = 100.0 * (double)(steal - env->stat_steal_start) /
                         (double)(total - env->stat_total_start);
}

/* How sysinfo_each() prints a field. For numbers, 0 (counts, sizes, costs)
 * or NAN (measurements) means the value could not be read. */
enum field_kind { FIELD_TEXT, FIELD_INT, FIELD_U64, FIELD_LOAD, FIELD_PCT };

/* The fields in output order: this one list feeds `procbench env`,
 * results.json and the report. */
static const struct {
    const char *key;
    enum field_kind kind;
    size_t offset;
} fields[] = {
#define F(name, kind)                                                                              \
    {                                                                                              \
#name, kind, offsetof(struct run_env, name)                                                \
    }
    F(hostname, FIELD_TEXT),
    F(kernel, FIELD_TEXT),
    F(cpu_model, FIELD_TEXT),
    F(cpu_count_online, FIELD_INT),
    F(cpu_count_allowed, FIELD_INT),
    F(virtualization, FIELD_TEXT),
    F(thp_enabled, FIELD_TEXT),
    F(thp_defrag, FIELD_TEXT),
    F(governor, FIELD_TEXT),
    F(clock_source, FIELD_TEXT),
    F(mem_total_bytes, FIELD_U64),
    F(page_size_bytes, FIELD_U64),
    F(glibc_version, FIELD_TEXT),
    F(libuv_version, FIELD_TEXT),
    F(libuv_build_version, FIELD_TEXT),
    F(compiler, FIELD_TEXT),
    F(build_type, FIELD_TEXT),
    F(git_commit, FIELD_TEXT),
    F(procbench_version, FIELD_TEXT),
    F(loadavg_1m_start, FIELD_LOAD),
    F(loadavg_1m_end, FIELD_LOAD),
    F(steal_pct, FIELD_PCT),
    F(free_2mib_blocks_pct_start, FIELD_PCT),
    F(free_2mib_blocks_pct_end, FIELD_PCT),
    F(clock_overhead_ns, FIELD_U64),
    F(clock_resolution_ns, FIELD_U64),
    F(histogram_record_ns, FIELD_U64),
#undef F
};

void sysinfo_each(const struct run_env *env,
                  void (*emit)(const char *key, const char *value, void *ctx), void *ctx)
{
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *p = (const char *)env + fields[i].offset;
        char value[SYSINFO_TEXT];
        int i_value;
        uint64_t u_value;
        double d_value;

        switch (fields[i].kind) {
        case FIELD_TEXT:
            snprintf(value, sizeof(value), "%s", p[0] ? p : UNKNOWN);
            break;
        case FIELD_INT:
            memcpy(&i_value, p, sizeof(i_value));
            if (i_value > 0)
                snprintf(value, sizeof(value), "%d", i_value);
            else
                snprintf(value, sizeof(value), UNKNOWN);
            break;
        case FIELD_U64:
            memcpy(&u_value, p, sizeof(u_value));
            if (u_value > 0)
                snprintf(value, sizeof(value), "%" PRIu64, u_value);
            else
                snprintf(value, sizeof(value), UNKNOWN);
            break;
        case FIELD_LOAD:
        case FIELD_PCT:
            memcpy(&d_value, p, sizeof(d_value));
            if (isnan(d_value) || d_value < 0)
                snprintf(value, sizeof(value), UNKNOWN);
            else
                snprintf(value, sizeof(value), "%.2f", d_value);
            break;
        }
        emit(fields[i].key, value, ctx);
    }
    for (size_t i = 0; i < env->probed_count && i < SYSINFO_PROBED_MAX; i++)
        emit(env->probed[i].key, env->probed[i].value[0] ? env->probed[i].value : UNKNOWN, ctx);
}
