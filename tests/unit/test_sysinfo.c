/*
 * Tests of harness/engine/sysinfo.c: that a real collection on this machine fills
 * every field sysinfo_each() emits with one non-empty line, in the documented
 * order; that the values which can be checked independently (uname, sysconf,
 * the library versions) agree with their sources; and that fields nobody
 * could read are emitted as "unknown" rather than as 0 or an empty string.
 */
#include <errno.h>
#include <gnu/libc-version.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <uv.h>

#include <cmocka.h>

#include "checks.h"

#include "engine/sysinfo.h"
#include "node_locate.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The documented order; results.json and the report depend on it. */
static const char *const expected_keys[] = {
    "hostname",
    "kernel",
    "cpu_model",
    "cpu_count_online",
    "cpu_count_allowed",
    "virtualization",
    "thp_enabled",
    "thp_defrag",
    "governor",
    "clock_source",
    "mem_total_bytes",
    "page_size_bytes",
    "glibc_version",
    "libuv_version",
    "libuv_build_version",
    "compiler",
    "build_type",
    "git_commit",
    "procbench_version",
    "loadavg_1m_start",
    "loadavg_1m_end",
    "steal_pct",
    "free_2mib_blocks_pct_start",
    "free_2mib_blocks_pct_end",
    "clock_overhead_ns",
    "clock_resolution_ns",
    "histogram_record_ns",
    "node_version",
    "node_uv_version",
    "node_path",
};

#define MAX_PAIRS 64

struct pairs {
    size_t n;
    char key[MAX_PAIRS][64];
    char value[MAX_PAIRS][256];
};

static void collect_pair(const char *key, const char *value, void *ctx)
{
    struct pairs *p = ctx;

    assert_cmp(p->n, <, MAX_PAIRS);
    assert_cmp(strlen(key), <, sizeof(p->key[0]));
    assert_cmp(strlen(value), <, sizeof(p->value[0]));
    strcpy(p->key[p->n], key);
    strcpy(p->value[p->n], value);
    p->n++;
}

static const char *value_of(const struct pairs *p, const char *key)
{
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->key[i], key) == 0)
            return p->value[i];
    }
    fail_msg("key %s not emitted", key);
    return NULL;
}

static int setup_env(void **state)
{
    struct run_env *env = malloc(sizeof(*env));

    if (env == NULL || sysinfo_collect(env) != 0)
        return -1;
    sysinfo_probe(env, NULL, NULL);
    sysinfo_finish(env);
    *state = env;
    return 0;
}

static int teardown_env(void **state)
{
    free(*state);
    return 0;
}

static void test_every_key_filled(void **state)
{
    const struct run_env *env = *state;
    static struct pairs p;

    p.n = 0;
    sysinfo_each(env, collect_pair, &p);
    assert_int_equal(p.n, ARRAY_LEN(expected_keys));
    for (size_t i = 0; i < p.n; i++) {
        assert_string_equal(p.key[i], expected_keys[i]);
        print_message("%-20s %s\n", p.key[i], p.value[i]);
        assert_int_not_equal(p.value[i][0], '\0');
        assert_null(strchr(p.value[i], '\n'));
        assert_null(strchr(p.value[i], '\r'));
        /* No padding a parser would have to strip. */
        assert_int_not_equal(p.value[i][0], ' ');
        assert_int_not_equal(p.value[i][strlen(p.value[i]) - 1], ' ');
    }
}

static bool want_none(const struct env_probe *probe, void *ctx)
{
    size_t *calls = ctx;
    if (probe == &node_env_probe)
        (*calls)++;
    return false;
}

/* A probe no selected scenario needs is not asked: its keys are still
 * recorded, with the values that say so. */
static void test_probe_not_asked(void **state)
{
    (void)state;
    static struct run_env env;
    static struct pairs p;
    size_t calls = 0;
    memset(&env, 0, sizeof(env));
    sysinfo_probe(&env, want_none, &calls);
    assert_int_equal(calls, 1); /* once, though seven scenarios point at it */
    p.n = 0;
    sysinfo_each(&env, collect_pair, &p);
    assert_string_equal(value_of(&p, "node_version"), "not asked: no node.* case");
    assert_string_equal(value_of(&p, "node_uv_version"), "not asked");
    assert_string_equal(value_of(&p, "node_path"), "not asked");
}

static void test_values_match_sources(void **state)
{
    const struct run_env *env = *state;
    static struct pairs p;
    struct utsname uts;
    char expected[512];

    p.n = 0;
    sysinfo_each(env, collect_pair, &p);

    assert_int_equal(uname(&uts), 0);
    snprintf(expected, sizeof(expected), "%s %s %s", uts.sysname, uts.release, uts.machine);
    assert_string_equal(env->kernel, expected);
    assert_string_equal(value_of(&p, "kernel"), expected);

    assert_int_equal(gethostname(expected, sizeof(expected)), 0);
    assert_string_equal(value_of(&p, "hostname"), expected);

    assert_cmp(env->cpu_count_online, >=, 1);
    assert_cmp(env->cpu_count_allowed, >=, 1);
    assert_cmp(env->cpu_count_allowed, <=, sysconf(_SC_NPROCESSORS_CONF));
    assert_int_equal(env->cpu_count_online, sysconf(_SC_NPROCESSORS_ONLN));
    snprintf(expected, sizeof(expected), "%d", env->cpu_count_allowed);
    assert_string_equal(value_of(&p, "cpu_count_allowed"), expected);

    assert_int_equal(env->page_size_bytes, sysconf(_SC_PAGESIZE));
    assert_string_equal(env->glibc_version, gnu_get_libc_version());
    assert_string_equal(value_of(&p, "libuv_version"), uv_version_string());
    snprintf(expected, sizeof(expected), "%d.%d.%d", UV_VERSION_MAJOR, UV_VERSION_MINOR,
             UV_VERSION_PATCH);
    assert_string_equal(value_of(&p, "libuv_build_version"), expected);

    /* /proc/meminfo exists on every Linux this runs on; a page-sized or
     * smaller total would mean the kB were not converted. */
    assert_cmp(env->mem_total_bytes, >, env->page_size_bytes);
    assert_int_equal(env->mem_total_bytes % 1024, 0);
    snprintf(expected, sizeof(expected), "%" PRIu64, env->mem_total_bytes);
    assert_string_equal(value_of(&p, "mem_total_bytes"), expected);

    /* Sanity bounds, not a speed requirement: 0 would mean "unknown" and a
     * millisecond per read would mean a unit was confused. */
    assert_cmp(env->clock_overhead_ns, >, 0);
    assert_cmp(env->clock_overhead_ns, <, 1000000);
    assert_cmp(env->clock_resolution_ns, >, 0);
    assert_cmp(env->histogram_record_ns, >, 0);

    assert_false(isnan(env->loadavg_1m_start));
    assert_false(isnan(env->loadavg_1m_end));
    assert_cmp(env->loadavg_1m_start, >=, 0);

    if (strcmp(env->virtualization, "hypervisor") != 0 &&
        strcmp(env->virtualization, "none detected") != 0 &&
        strncmp(env->virtualization, "hypervisor (", 12) != 0)
        fail_msg("virtualization '%s': not one of the known answers", env->virtualization);
}

/* Fields with nothing in them are said to be unknown, not printed as 0, an
 * empty string or "nan". */
static void test_unknown_fields(void **state)
{
    struct run_env env;
    static struct pairs p;
    (void)state;

    memset(&env, 0, sizeof(env));
    env.loadavg_1m_start = NAN;
    env.loadavg_1m_end = NAN;
    env.steal_pct = NAN;
    env.free_2mib_blocks_pct_start = NAN;
    env.free_2mib_blocks_pct_end = NAN;
    /* The three probed keys, recorded with nothing learnt. */
    for (size_t i = 0; i < 3; i++)
        snprintf(env.probed[i].key, sizeof(env.probed[i].key), "%s",
                 expected_keys[ARRAY_LEN(expected_keys) - 3 + i]);
    env.probed_count = 3;
    p.n = 0;
    sysinfo_each(&env, collect_pair, &p);
    assert_int_equal(p.n, ARRAY_LEN(expected_keys));
    for (size_t i = 0; i < p.n; i++)
        assert_string_equal(p.value[i], "unknown");
}

/* Numbers are printed as such: two decimals for load and steal. */
static void test_number_formats(void **state)
{
    struct run_env env;
    static struct pairs p;
    (void)state;

    memset(&env, 0, sizeof(env));
    env.cpu_count_online = 8;
    env.mem_total_bytes = 17179869184u;
    env.loadavg_1m_start = 0.0;
    env.loadavg_1m_end = 1.234;
    env.steal_pct = 12.5;
    env.free_2mib_blocks_pct_start = 0.0;
    env.free_2mib_blocks_pct_end = 98.456;
    env.clock_overhead_ns = 21;
    p.n = 0;
    sysinfo_each(&env, collect_pair, &p);
    assert_string_equal(value_of(&p, "cpu_count_online"), "8");
    assert_string_equal(value_of(&p, "mem_total_bytes"), "17179869184");
    assert_string_equal(value_of(&p, "loadavg_1m_start"), "0.00");
    assert_string_equal(value_of(&p, "loadavg_1m_end"), "1.23");
    assert_string_equal(value_of(&p, "steal_pct"), "12.50");
    assert_string_equal(value_of(&p, "free_2mib_blocks_pct_start"), "0.00");
    assert_string_equal(value_of(&p, "free_2mib_blocks_pct_end"), "98.46");
    assert_string_equal(value_of(&p, "clock_overhead_ns"), "21");
}

/* The share of free memory in big blocks, from /proc/buddyinfo's text,
 * worked by hand. */
static void test_free_blocks_pct(void **state)
{
    (void)state;
    /* 4 KiB pages, 2 MiB blocks (order 9 and up). Normal: 4 single pages,
     * 2 pairs, one 512-page block = 520 free, 512 in blocks; DMA32: one
     * 1024-page block. All: 1544 free, 1536 in blocks. */
    const char *two_zones = "Node 0, zone    DMA32      0      0      0      0      0      0      0"
                            "      0      0      0      1 \n"
                            "Node 0, zone   Normal      4      2      0      0      0      0      0"
                            "      0      0      1      0 \n";
    assert_near(sysinfo_free_blocks_pct(two_zones, 4096, 2 << 20), 100.0 * 1536 / 1544,
                        1e-9);
    /* The same pages counted against 1 MiB blocks (order 8 and up), and
     * against blocks no zone has (16 MiB: order 12). */
    assert_near(sysinfo_free_blocks_pct(two_zones, 4096, 1 << 20), 100.0 * 1536 / 1544,
                        1e-9);
    assert_near(sysinfo_free_blocks_pct(two_zones, 4096, 16 << 20), 0.0, 1e-9);
    /* Only small blocks; 64 KiB pages make order 5 a 2 MiB block. */
    assert_near(sysinfo_free_blocks_pct("Node 0, zone Normal 8 0 0 0 0 1\n", 65536, 2 << 20),
                        100.0 * 32 / 40, 1e-9);
    /* Nothing free, no zone line, nothing at all: unknown. */
    assert_true(isnan(sysinfo_free_blocks_pct("Node 0, zone Normal 0 0 0\n", 4096, 2 << 20)));
    assert_true(isnan(sysinfo_free_blocks_pct("no zones here\n", 4096, 2 << 20)));
    assert_true(isnan(sysinfo_free_blocks_pct("", 4096, 2 << 20)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_key_filled, setup_env, teardown_env),
        cmocka_unit_test_setup_teardown(test_values_match_sources, setup_env, teardown_env),
        cmocka_unit_test(test_unknown_fields),
        cmocka_unit_test(test_number_formats),
        cmocka_unit_test(test_probe_not_asked),
        cmocka_unit_test(test_free_blocks_pct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
