/*
 * Unit and golden-file tests of the results-folder writers (summary.csv,
 * rounds.csv, results.json, hist/<case>.hgrm), atomic_file and outdir. A fixed
 * run_results is built by hand from three fake scenarios (a WORD parameter,
 * a SIZE and a WORD, none) with deterministic histograms and a fixed
 * environment, written into a fresh folder under TEST_OUT_DIR and compared
 * byte for byte with tests/golden/writers/.
 *
 * Regenerating the golden files after an intended change of a format (or of
 * the statistics or sysinfo formatting they include):
 *
 *     PROCBENCH_UPDATE_GOLDEN=1 ./build/tests/test_writers
 *
 * then review `git diff tests/golden/writers` before committing: the diff is
 * the change every reader of these files will see.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/atomic_file.h"
#include "engine/histogram.h"
#include "output/outdir.h"
#include "engine/results.h"
#include "engine/stats.h"
#include "output/writers.h"
#include "base/format.h"

#define GOLDEN_SUBDIR GOLDEN_DIR "/writers"
#define SPAWN_HGRM    "fake.spawn{target=static,placement=same}.hgrm"
#define IPC_HGRM      "fake.ipc{size=4K,mode=stream,placement=cross}.hgrm"

/* 2023-11-14 22:13:20.123456789 UTC */
#define FIXED_UNIX_NS UINT64_C(1700000000123456789)

/* ---- the fixed run ---------------------------------------------------- */

static const struct param_spec spawn_params[] = {
    {.name = "target",
     .kind = PARAM_WORD,
     .defaults = "static",
     .choices = "static,dynamic,shell",
     .help = "what to run"},
    {.name = NULL},
};

static const struct param_spec ipc_params[] = {
    {.name = "size",
     .kind = PARAM_SIZE,
     .defaults = "64",
     .min = 1,
     .max = 1u << 20,
     .help = "message size"},
    {.name = "mode", .kind = PARAM_WORD, .defaults = "stream", .choices = "stream,dgram"},
    {.name = NULL},
};

/* The metrics of today's spawn and output families, with the columns
 * summary.csv has always had for them. */
static const struct metric_spec spawn_metrics[] = {
    {.name = "return",
     .unit = METRIC_NS,
     .label = "returns after",
     .meaning = "create call -> returned",
     .aggregate = METRIC_P50 | METRIC_P99},
    {.name = NULL},
};

enum { IPC_FIRST_BYTE, IPC_RSS_GROWTH };
static const struct metric_spec ipc_metrics[] = {
    [IPC_FIRST_BYTE] = {.name = "first_byte",
                        .unit = METRIC_NS,
                        .label = "first byte",
                        .meaning = "start -> first byte",
                        .aggregate = METRIC_P50 | METRIC_P99},
    [IPC_RSS_GROWTH] = {.name = "rss_growth",
                        .unit = METRIC_BYTES,
                        .label = "RSS growth",
                        .meaning = "peak RSS growth, \"quoted\"",
                        .aggregate = METRIC_P50 | METRIC_MAX},
    {.name = NULL},
};

/* The spawn family's analyses, with the columns summary.csv has always
 * had for them. */
static const struct analysis_spec spawn_analyses[] = {
    {.kind = ANALYSIS_SLOPE,
     .column = "rss_slope_ns_per_gib",
     .ci_prefix = "rss_slope",
     .label = "slope",
     .param = "rss",
     .per = 1073741824.0,
     .per_name = "GiB"},
    {.kind = ANALYSIS_RATIO,
     .column = "vs_posix_spawn",
     .ci_prefix = "vs_posix_spawn",
     .label = "ratio",
     .partner = "fake.ipc"},
    {.kind = ANALYSIS_BREAK_EVEN,
     .column = "pool_break_even_ns",
     .label = "break-even",
     .partner = "fake.ipc",
     .saving = 0.1},
    {.column = NULL},
};

static const struct scenario fake_spawn = {
    .name = "fake.spawn",
    .summary = "a spawn that is not run",
    .params = spawn_params,
    .metrics = spawn_metrics,
    .analyses = spawn_analyses,
    .default_placements = "same",
    .placements_supported = PLACEMENTS_ALL,
};

static const struct scenario fake_ipc = {
    .name = "fake.ipc",
    .summary = "an ipc that is not run",
    .params = ipc_params,
    .metrics = ipc_metrics,
    .default_placements = "cross",
    .placements_supported = PLACEMENTS_ALL,
};

static const struct scenario fake_none = {
    .name = "fake.none",
    .summary = "a scenario this build lacks",
    .params = NULL,
    .default_placements = "free",
    .placements_supported = PLACEMENTS_ALL,
    .unavailable = "built without fake support",
};

/* A WORD value and a reason with every character CSV must quote. */
#define ODD_WORD   "we\"ird,one"
#define ODD_REASON "setup failed: \"pipe2\", EMFILE"

static struct run_results run;
static struct case_result cases[4];
static struct round_record rounds[6];
static char *argv_fixed[] = {"procbench", "run", "--seed", "42"};

static struct histogram *new_histogram(void)
{
    struct histogram *h = NULL;

    assert_int_equal(histogram_create(HISTOGRAM_ONE_HOUR_NS, 3, &h), 0);
    return h;
}

static void record(struct histogram *h, struct moments *m, uint64_t value)
{
    assert_int_equal(histogram_record(h, value), 0);
    if (m != NULL)
        moments_add(m, (double)value);
}

static void fill_env(struct run_env *env)
{
    memset(env, 0, sizeof(*env));
    snprintf(env->hostname, sizeof(env->hostname), "golden-host");
    snprintf(env->kernel, sizeof(env->kernel), "Linux 6.1.0-test x86_64");
    snprintf(env->cpu_model, sizeof(env->cpu_model), "Test CPU @ 3.00GHz");
    env->cpu_count_online = 8;
    env->cpu_count_allowed = 4;
    snprintf(env->virtualization, sizeof(env->virtualization), "none detected");
    snprintf(env->thp_enabled, sizeof(env->thp_enabled), "madvise");
    snprintf(env->thp_defrag, sizeof(env->thp_defrag), "madvise");
    snprintf(env->governor, sizeof(env->governor), "performance");
    snprintf(env->clock_source, sizeof(env->clock_source), "tsc");
    env->mem_total_bytes = UINT64_C(16) << 30;
    env->page_size_bytes = 4096;
    snprintf(env->glibc_version, sizeof(env->glibc_version), "2.36");
    snprintf(env->libuv_version, sizeof(env->libuv_version), "1.44.2");
    snprintf(env->libuv_build_version, sizeof(env->libuv_build_version), "1.44.2");
    snprintf(env->compiler, sizeof(env->compiler), "12.2.0");
    snprintf(env->build_type, sizeof(env->build_type), "Debug");
    snprintf(env->git_commit, sizeof(env->git_commit), "0123456789ab");
    snprintf(env->procbench_version, sizeof(env->procbench_version), "0.1.0");
    env->loadavg_1m_start = 0.5;
    env->loadavg_1m_end = 0.75;
    env->steal_pct = 0.0;
    env->free_2mib_blocks_pct_start = 61.5;
    env->free_2mib_blocks_pct_end = 58.25;
    env->clock_overhead_ns = 20;
    env->clock_resolution_ns = 1;
    env->histogram_record_ns = 3;
    static const char *const probed[][2] = {{"node_version", "v20.20.2"},
                                            {"node_uv_version", "1.46.0"},
                                            {"node_path", "/usr/bin/node"}};
    for (size_t i = 0; i < 3; i++) {
        snprintf(env->probed[i].key, sizeof(env->probed[i].key), "%s", probed[i][0]);
        snprintf(env->probed[i].value, sizeof(env->probed[i].value), "%s", probed[i][1]);
    }
    env->probed_count = 3;
}

static void set_param(struct case_def *def, size_t index, const char *text, uint64_t number)
{
    snprintf(def->params[index].text, sizeof(def->params[index].text), "%s", text);
    def->params[index].number = number;
    if (def->param_count < index + 1)
        def->param_count = index + 1;
}

static int build_run(void **state)
{
    struct moments m0 = {0}, m1 = {0};
    struct case_result *c;

    (void)state;
    memset(&run, 0, sizeof(run));
    memset(cases, 0, sizeof(cases));

    /* 0: an ok spawn case, 1000 values with a tail, and return times. */
    c = &cases[0];
    c->def.scenario = &fake_spawn;
    set_param(&c->def, 0, "static", 0);
    c->def.placement = PLACEMENT_SAME;
    snprintf(c->def.name, sizeof(c->def.name), "fake.spawn{target=static,placement=same}");
    c->status = CASE_OK;
    c->parent_cpu = 0;
    c->peer_cpu = 0;
    c->hist = new_histogram();
    c->metric[0].hist = new_histogram();
    for (uint64_t i = 0; i < 990; i++)
        record(c->hist, &m0, 40000 + (i * 7919) % 20000);
    for (uint64_t i = 0; i < 10; i++)
        record(c->hist, &m0, 150000 + i * 25000);
    for (uint64_t i = 0; i < 1000; i++)
        record(c->metric[0].hist, NULL, 20000 + (i * 31) % 5000);
    c->moments = m0;
    assert_int_equal(stats_compute(c->hist, &c->moments, &c->stats), 0);
    assert_int_equal(stats_compute(c->metric[0].hist, NULL, &c->metric[0].stats), 0);
    c->failures = 0;
    c->rounds = 3;
    c->measured_ns = 123456789;
    /* An observed mechanism: '|', '(' and ',' in one cell. */
    snprintf(c->mechanism, sizeof(c->mechanism),
             "clone3(CLONE_VM|CLONE_VFORK|SIGCHLD) + execve(dash); in it: vfork(), x");
    c->self = (struct usage_per_op){.user_ns = 12345.6,
                                    .sys_ns = 23456.4,
                                    .minflt = 12.25,
                                    .majflt = 0,
                                    .nvcsw = 1.5,
                                    .nivcsw = 0.125};
    c->children = (struct usage_per_op){.user_ns = 30000.5,
                                        .sys_ns = 45000,
                                        .minflt = 98.75,
                                        .majflt = 0.01,
                                        .nvcsw = 2,
                                        .nivcsw = 0.5};
    c->child_maxrss_kb = 1234;

    /* 1: an ok ipc case with a SIZE and a WORD parameter, no first byte
     * reported and an RSS growth of 0 bytes. */
    c = &cases[1];
    c->def.scenario = &fake_ipc;
    set_param(&c->def, 0, "4K", 4096);
    set_param(&c->def, 1, "stream", 0);
    c->def.placement = PLACEMENT_CROSS;
    snprintf(c->def.name, sizeof(c->def.name), "fake.ipc{size=4K,mode=stream,placement=cross}");
    c->status = CASE_OK;
    c->parent_cpu = 0;
    c->peer_cpu = 1;
    c->hist = new_histogram();
    c->metric[IPC_FIRST_BYTE].hist = new_histogram();
    c->metric[IPC_RSS_GROWTH].hist = new_histogram();
    for (uint64_t i = 0; i < 500; i++)
        record(c->hist, &m1, 8000 + (i * 37) % 3000);
    for (uint64_t i = 0; i < 500; i++)
        record(c->metric[IPC_RSS_GROWTH].hist, NULL, 0);
    c->moments = m1;
    assert_int_equal(stats_compute(c->hist, &c->moments, &c->stats), 0);
    for (size_t m = 0; m < 2; m++)
        assert_int_equal(stats_compute(c->metric[m].hist, NULL, &c->metric[m].stats), 0);
    c->rounds = 2;
    c->measured_ns = 4000000;
    c->self = (struct usage_per_op){.user_ns = 1000, .sys_ns = 2500, .nvcsw = 1};

    /* 2: a failed spawn case whose word and reason need CSV quoting. */
    c = &cases[2];
    c->def.scenario = &fake_spawn;
    set_param(&c->def, 0, ODD_WORD, 3);
    c->def.placement = PLACEMENT_FREE;
    snprintf(c->def.name, sizeof(c->def.name), "fake.spawn{target=%s,placement=free}", ODD_WORD);
    c->status = CASE_FAILED;
    snprintf(c->reason, sizeof(c->reason), "%s", ODD_REASON);
    c->parent_cpu = -1;
    c->peer_cpu = -1;
    c->hist = new_histogram();
    c->metric[0].hist = new_histogram();
    c->rounds = 1;

    /* 3: a skipped case of a scenario with no parameters and no histogram. */
    c = &cases[3];
    c->def.scenario = &fake_none;
    c->def.placement = PLACEMENT_FREE;
    snprintf(c->def.name, sizeof(c->def.name), "fake.none{placement=free}");
    c->status = CASE_SKIPPED;
    snprintf(c->reason, sizeof(c->reason), "%s", fake_none.unavailable);
    c->parent_cpu = -1;
    c->peer_cpu = -1;

    for (size_t i = 0; i < 6; i++) {
        struct round_record *rr = &rounds[i];

        memset(rr, 0, sizeof(*rr));
        rr->case_index = i % 2;
        rr->round = (uint32_t)(i / 2);
        rr->sequence = (uint32_t)i;
        rr->start_ns = 1000000 * (uint64_t)i;
        rr->elapsed_ns = 900000 + 1000 * (uint64_t)i;
        rr->n = rr->case_index == 0 ? 333 : 250;
        rr->failures = i == 4;
        rr->min_ns = 40000 - i;
        rr->p50_ns = 50000 + 10 * i;
        rr->max_ns = 375000 - i;
        rr->mean_ns = 51234.5 + (double)i;
    }
    rounds[5].case_index = 2; /* the failed case ran one round */
    rounds[5].round = 0;

    /* The analysis columns: case 0 has them all (a negative slope bound,
     * as noise gives a flat curve), the others none: empty cells, null. */
    for (size_t i = 0; i < 4; i++) {
        c = &cases[i];
        c->ops_per_s = NAN;
        for (size_t a = 0; a < ANALYSES_MAX; a++)
            c->analysis[a] = (struct case_analysis){NAN, NAN, NAN};
        c->achieved_rate = NAN;
    }
    cases[0].achieved_rate = 19876.54321;
    snprintf(cases[0].backlog, sizeof(cases[0].backlog), "keeps up");
    cases[0].ops_per_s = 19876.54321;
    cases[0].analysis[0] = (struct case_analysis){2345678.4, -1234.6, 3000000.5};
    cases[0].analysis[1] = (struct case_analysis){3.14159265, 2.5, 4.00004};
    cases[0].analysis[2] = (struct case_analysis){4300000, NAN, NAN};
    cases[1].ops_per_s = 125000;
    /* Precision: case 0 reached the run's +-1.5%, case 1 ran out of
     * --max-time before it; the failed and skipped cases have neither. */
    for (size_t i = 0; i < 4; i++) {
        c = &cases[i];
        c->p50_ci_pct = c->status == CASE_OK ? stats_median_ci_percent(&c->stats) : NAN;
        c->ci_target_set = true;
        c->ci_target_met = c->status == CASE_OK && c->p50_ci_pct <= 1.5;
    }
    cases[0].end = CASE_END_TARGET;
    cases[1].end = CASE_END_MAX_TIME;

    run.config = (struct run_config){.warmup_ns = 100000000,
                                     .min_time_ns = 1000000000,
                                     .max_time_ns = 10000000000,
                                     .min_samples = 100,
                                     .rounds = 3,
                                     .ci_target_pct = 1.5,
                                     .round_ns = 40000000,
                                     .time_budget_ns = 270000000000,
                                     .hold = true,
                                     .seed = 42,
                                     .quick = false};
    fill_env(&run.env);
    run.cases = cases;
    run.case_count = 4;
    run.rounds = rounds;
    run.round_count = 6;
    run.round_capacity = 6;
    run.started_unix_ns = FIXED_UNIX_NS;
    run.duration_ns = 2500000000;
    run.argc = 4;
    run.argv = argv_fixed;
    return 0;
}

static int free_run(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        histogram_destroy(cases[i].hist);
        for (size_t m = 0; m < SAMPLE_METRICS_MAX; m++)
            histogram_destroy(cases[i].metric[m].hist);
    }
    return 0;
}

/* ---- files and folders ------------------------------------------------ */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* TEST_OUT_DIR/test_writers/<name>, emptied. */
static void fresh_dir(const char *name, char out[PATH_MAX])
{
    char parent[PATH_MAX];
    int n;

    snprintf(parent, sizeof(parent), "%s/test_writers", TEST_OUT_DIR);
    if (mkdir(parent, 0755) != 0)
        assert_int_equal(errno, EEXIST);
    n = snprintf(out, PATH_MAX, "%s/%s", parent, name);
    assert_in_range(n, 1, PATH_MAX - 1);
    if (access(out, F_OK) == 0)
        assert_int_equal(nftw(out, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
    assert_int_equal(mkdir(out, 0755), 0);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long size;

    if (fp == NULL)
        return NULL;
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    size = ftell(fp);
    assert_cmp(size, >=, 0);
    rewind(fp);
    buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
    buf[size] = '\0';
    fclose(fp);
    if (len != NULL)
        *len = (size_t)size;
    return buf;
}

static void write_all(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");

    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

/* Names in dir other than . and .., sorted, comma-joined into out. */
static size_t list_dir(const char *dir, char *out, size_t out_len)
{
    struct dirent **entries;
    size_t count = 0;
    int n = scandir(dir, &entries, NULL, alphasort);

    assert_cmp(n, >=, 0);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(entries[i]->d_name, ".") != 0 && strcmp(entries[i]->d_name, "..") != 0) {
            if (count++ > 0)
                strncat(out, ",", out_len - strlen(out) - 1);
            strncat(out, entries[i]->d_name, out_len - strlen(out) - 1);
        }
        free(entries[i]);
    }
    free(entries);
    return count;
}

/* Compares the file at out_path with GOLDEN_SUBDIR/golden_name byte for
 * byte; on a difference prints the first differing line of each. With
 * PROCBENCH_UPDATE_GOLDEN=1 it rewrites the golden file instead. */
static void check_golden(const char *out_path, const char *golden_name)
{
    char golden_path[PATH_MAX];
    size_t out_len, golden_len, line = 1, start = 0, i;
    char *got, *want;
    const char *update = getenv("PROCBENCH_UPDATE_GOLDEN");

    snprintf(golden_path, sizeof(golden_path), "%s/%s", GOLDEN_SUBDIR, golden_name);
    got = read_all(out_path, &out_len);
    assert_non_null(got);
    if (update != NULL && strcmp(update, "1") == 0) {
        if (mkdir(GOLDEN_SUBDIR, 0755) != 0)
            assert_int_equal(errno, EEXIST);
        write_all(golden_path, got, out_len);
        print_message("updated %s\n", golden_path);
        free(got);
        return;
    }
    want = read_all(golden_path, &golden_len);
    if (want == NULL) {
        free(got);
        fail_msg("%s: missing; create it with PROCBENCH_UPDATE_GOLDEN=1", golden_path);
    }
    for (i = 0; i < out_len && i < golden_len && got[i] == want[i]; i++) {
        if (got[i] == '\n') {
            line++;
            start = i + 1;
        }
    }
    if (i < out_len || i < golden_len) {
        int got_line = (int)strcspn(got + start, "\n");
        int want_line = (int)strcspn(want + start, "\n");

        print_error("%s differs from %s at line %zu:\n  golden: %.*s\n  output: %.*s\n", out_path,
                    golden_path, line, want_line, want + start, got_line, got + start);
        free(got);
        free(want);
        fail_msg("%s does not match its golden file", golden_name);
    }
    free(got);
    free(want);
}

/* ---- a small RFC 4180 reader, to read back what the writer wrote ------- */

#define CSV_MAX_ROWS   16
#define CSV_MAX_FIELDS 96

struct csv_table {
    size_t rows;
    size_t fields[CSV_MAX_ROWS];
    char *cell[CSV_MAX_ROWS][CSV_MAX_FIELDS];
};

/* Parses text (LF or CRLF line ends). Returns 0, or -1 when the text is not
 * well-formed CSV (a quote inside an unquoted field, text after a closing
 * quote, an unterminated quoted field) or exceeds the table. */
static int csv_parse(const char *text, struct csv_table *t)
{
    const char *p = text;

    memset(t, 0, sizeof(*t));
    while (*p != '\0') {
        size_t row = t->rows;

        if (row >= CSV_MAX_ROWS)
            return -1;
        t->rows++;
        for (;;) {
            size_t f = t->fields[row], len = 0;
            char *cell = malloc(strlen(p) + 1);

            if (cell == NULL || f >= CSV_MAX_FIELDS) {
                free(cell);
                return -1;
            }
            t->cell[row][f] = cell;
            t->fields[row]++;
            if (*p == '"') {
                p++;
                for (;;) {
                    if (*p == '\0')
                        return -1;
                    if (*p == '"' && p[1] == '"') {
                        cell[len++] = '"';
                        p += 2;
                    } else if (*p == '"') {
                        p++;
                        break;
                    } else {
                        cell[len++] = *p++;
                    }
                }
            } else {
                while (*p != ',' && *p != '\n' && *p != '\r' && *p != '\0') {
                    if (*p == '"')
                        return -1;
                    cell[len++] = *p++;
                }
            }
            cell[len] = '\0';
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == '\r')
                p++;
            if (*p == '\n') {
                p++;
                break;
            }
            if (*p == '\0')
                break;
            return -1;
        }
    }
    return 0;
}

static void csv_free(struct csv_table *t)
{
    for (size_t r = 0; r < t->rows; r++)
        for (size_t f = 0; f < t->fields[r]; f++)
            free(t->cell[r][f]);
}

static size_t csv_column(const struct csv_table *t, const char *header)
{
    for (size_t f = 0; f < t->fields[0]; f++) {
        if (strcmp(t->cell[0][f], header) == 0)
            return f;
    }
    fail_msg("summary.csv has no column %s", header);
    return 0;
}

/* ---- golden files ------------------------------------------------------ */

static void test_summary_csv_golden(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 32];

    (void)state;
    fresh_dir("summary", dir);
    assert_int_equal(write_summary_csv(&run, dir), 0);
    snprintf(path, sizeof(path), "%s/summary.csv", dir);
    check_golden(path, "summary.csv");
}

static void test_rounds_csv_golden(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 32];

    (void)state;
    fresh_dir("rounds", dir);
    assert_int_equal(write_rounds_csv(&run, dir), 0);
    snprintf(path, sizeof(path), "%s/rounds.csv", dir);
    check_golden(path, "rounds.csv");
}

static void test_results_json_golden(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 32];

    (void)state;
    fresh_dir("json", dir);
    assert_int_equal(write_results_json(&run, dir), 0);
    snprintf(path, sizeof(path), "%s/results.json", dir);
    check_golden(path, "results.json");
}

static void test_hgrm_files_golden(void **state)
{
    char dir[PATH_MAX], hist[PATH_MAX + 8], path[PATH_MAX + 128], names[1024];

    (void)state;
    fresh_dir("hgrm", dir);
    assert_int_equal(write_hgrm_files(&run, dir), 0);
    snprintf(hist, sizeof(hist), "%s/hist", dir);
    /* One file per case with samples: not the failed or the skipped one,
     * and no temporary left behind. */
    assert_int_equal(list_dir(hist, names, sizeof(names)), 2);
    assert_string_equal(names, IPC_HGRM "," SPAWN_HGRM);
    snprintf(path, sizeof(path), "%s/%s", hist, SPAWN_HGRM);
    check_golden(path, SPAWN_HGRM);
}

/* ---- CSV --------------------------------------------------------------- */

/* A scratch stream and its text. tmpfile() rather than open_memstream():
 * gcc 12 at -O2 takes the latter's buffer for a dangling pointer. */
static FILE *scratch_open(void)
{
    FILE *fp = tmpfile();

    assert_non_null(fp);
    return fp;
}

static char *scratch_close(FILE *fp)
{
    long size;
    char *buf;

    assert_int_equal(fflush(fp), 0);
    size = ftell(fp);
    assert_cmp(size, >=, 0);
    rewind(fp);
    buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
    buf[size] = '\0';
    assert_int_equal(fclose(fp), 0);
    return buf;
}

static char *field_to_string(const char *text)
{
    FILE *fp = scratch_open();

    format_csv_field(fp, text);
    return scratch_close(fp);
}

static void expect_field(const char *text, const char *expected)
{
    char *got = field_to_string(text);

    assert_string_equal(got, expected);
    free(got);
}

static void test_csv_field_quoting(void **state)
{
    (void)state;
    expect_field("plain", "plain");
    expect_field("", "");
    expect_field(NULL, "");
    expect_field("with space", "with space");
    expect_field("a,b", "\"a,b\"");
    expect_field("say \"hi\"", "\"say \"\"hi\"\"\"");
    expect_field("two\nlines", "\"two\nlines\"");
    expect_field("cr\r", "\"cr\r\"");
    expect_field("\"", "\"\"\"\"");
}

static void test_csv_fields_round_trip(void **state)
{
    const char *fields[] = {"a,b", "say \"hi\", twice", "two\nlines", "", "plain", "\"", ","};
    size_t n = sizeof(fields) / sizeof(fields[0]);
    struct csv_table t;
    FILE *fp = scratch_open();
    char *buf;

    (void)state;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc(',', fp);
        format_csv_field(fp, fields[i]);
    }
    fputc('\n', fp);
    buf = scratch_close(fp);

    assert_int_equal(csv_parse(buf, &t), 0);
    assert_int_equal(t.rows, 1);
    assert_int_equal(t.fields[0], n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(t.cell[0][i], fields[i]);
    csv_free(&t);
    free(buf);
}

static void test_summary_csv_reads_back(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 32];
    struct csv_table t;
    size_t col = 2;
    char *text;

    (void)state;
    fresh_dir("summary_read", dir);
    assert_int_equal(write_summary_csv(&run, dir), 0);
    snprintf(path, sizeof(path), "%s/summary.csv", dir);
    text = read_all(path, NULL);
    assert_non_null(text);
    assert_int_equal(csv_parse(text, &t), 0);

    /* Header: fixed columns, parameters in first-seen order, placement,
     * then exactly summary_columns.def. */
    assert_int_equal(t.rows, run.case_count + 1);
    assert_string_equal(t.cell[0][0], "scenario");
    assert_string_equal(t.cell[0][1], "case");
    assert_string_equal(t.cell[0][col++], "param_target");
    assert_string_equal(t.cell[0][col++], "param_size");
    assert_string_equal(t.cell[0][col++], "param_mode");
    assert_string_equal(t.cell[0][col++], "placement");
    /* The declared columns, as summary.csv has always had them. */
    static const char *const metric_columns[] = {
        "return_p50",     "return_p99",     "first_byte_p50",
        "first_byte_p99", "rss_growth_p50", "rss_growth_max",
    };
    static const char *const analysis_columns[] = {
        "rss_slope_ns_per_gib",  "rss_slope_ci_low",       "rss_slope_ci_high",  "vs_posix_spawn",
        "vs_posix_spawn_ci_low", "vs_posix_spawn_ci_high", "pool_break_even_ns",
    };
#define SUMMARY_COLUMN(header, kind, expr) assert_string_equal(t.cell[0][col++], header);
#define SUMMARY_METRIC_COLUMNS                                                                     \
    for (size_t m = 0; m < sizeof(metric_columns) / sizeof(metric_columns[0]); m++)                \
        assert_string_equal(t.cell[0][col++], metric_columns[m]);
#define SUMMARY_ANALYSIS_COLUMNS                                                                   \
    for (size_t a = 0; a < sizeof(analysis_columns) / sizeof(analysis_columns[0]); a++)            \
        assert_string_equal(t.cell[0][col++], analysis_columns[a]);
#include "output/summary_columns.def"
#undef SUMMARY_COLUMN
#undef SUMMARY_METRIC_COLUMNS
#undef SUMMARY_ANALYSIS_COLUMNS
    assert_int_equal(t.fields[0], col);
    for (size_t r = 1; r < t.rows; r++)
        assert_int_equal(t.fields[r], col);

    /* Values as the struct holds them, quotes and commas included. */
    for (size_t r = 1; r < t.rows; r++)
        assert_string_equal(t.cell[r][1], run.cases[r - 1].def.name);
    assert_string_equal(t.cell[1][csv_column(&t, "param_target")], "static");
    assert_string_equal(t.cell[1][csv_column(&t, "mechanism")],
                        "clone3(CLONE_VM|CLONE_VFORK|SIGCHLD) + execve(dash); in it: vfork(), x");
    assert_string_equal(t.cell[2][csv_column(&t, "mechanism")], "");
    assert_string_equal(t.cell[1][csv_column(&t, "param_size")], "");
    assert_string_equal(t.cell[2][csv_column(&t, "param_size")], "4096");
    assert_string_equal(t.cell[2][csv_column(&t, "param_mode")], "stream");
    assert_string_equal(t.cell[2][csv_column(&t, "param_target")], "");
    assert_string_equal(t.cell[3][csv_column(&t, "param_target")], ODD_WORD);
    assert_string_equal(t.cell[3][csv_column(&t, "reason")], ODD_REASON);
    assert_string_equal(t.cell[3][csv_column(&t, "status")], "failed");
    assert_string_equal(t.cell[3][csv_column(&t, "parent_cpu")], "any");
    assert_string_equal(t.cell[3][csv_column(&t, "n")], "0");
    assert_string_equal(t.cell[4][csv_column(&t, "status")], "skipped");
    assert_string_equal(t.cell[4][csv_column(&t, "placement")], "free");
    assert_string_equal(t.cell[2][csv_column(&t, "peer_cpu")], "1");

    char expected[32];
    snprintf(expected, sizeof(expected), "%" PRIu64, run.cases[0].stats.p50_ns);
    assert_string_equal(t.cell[1][csv_column(&t, "p50")], expected);
    assert_string_equal(t.cell[1][csv_column(&t, "self_user_ns")], "12346");
    assert_string_equal(t.cell[1][csv_column(&t, "self_minflt")], "12.25");
    assert_string_equal(t.cell[1][csv_column(&t, "child_majflt")], "0.01");
    /* Metric columns: the case's value; 0 bytes as 0; empty where the
     * scenario does not declare the metric or no sample reported it. */
    snprintf(expected, sizeof(expected), "%" PRIu64, run.cases[0].metric[0].stats.p99_ns);
    assert_string_equal(t.cell[1][csv_column(&t, "return_p99")], expected);
    assert_string_equal(t.cell[1][csv_column(&t, "rss_growth_max")], "");
    assert_string_equal(t.cell[2][csv_column(&t, "rss_growth_max")], "0");
    assert_string_equal(t.cell[2][csv_column(&t, "first_byte_p50")], "");
    assert_string_equal(t.cell[2][csv_column(&t, "return_p50")], "");
    assert_string_equal(t.cell[3][csv_column(&t, "return_p50")], "");

    csv_free(&t);
    free(text);
}

/* The columns every summary.csv has, whatever its scenarios declare. */
static const char *const fixed_columns[] = {
#define SUMMARY_COLUMN(header, kind, expr) header,
#define SUMMARY_METRIC_COLUMNS
#define SUMMARY_ANALYSIS_COLUMNS
#include "output/summary_columns.def"
#undef SUMMARY_COLUMN
#undef SUMMARY_METRIC_COLUMNS
#undef SUMMARY_ANALYSIS_COLUMNS
    "scenario",
    "case",
    "placement",
};
#define FIXED_COLUMN_COUNT (sizeof(fixed_columns) / sizeof(fixed_columns[0]))

/* Every scenario of the catalogue declares its metrics well; one name means
 * one thing wherever it is declared; and no metric column takes the name
 * of a fixed column. */
static void test_catalogue_metrics(void **state)
{
    (void)state;
    const struct metric_spec *seen[64];
    size_t seen_count = 0;
    for (size_t i = 0; i < scenario_catalogue_count; i++) {
        const struct scenario *sc = scenario_catalogue[i];
        char why[160];
        if (metric_check_list(sc->metrics, SAMPLE_METRICS_MAX, why, sizeof(why)) != 0)
            fail_msg("%s: %s", sc->name, why);
        for (size_t m = 0; m < metric_count(sc->metrics); m++) {
            const struct metric_spec *spec = &sc->metrics[m];
            size_t k = 0;
            while (k < seen_count && strcmp(seen[k]->name, spec->name) != 0)
                k++;
            if (k < seen_count) {
                if (seen[k]->unit != spec->unit || seen[k]->aggregate != spec->aggregate ||
                    strcmp(seen[k]->label, spec->label) != 0 ||
                    strcmp(seen[k]->meaning, spec->meaning) != 0)
                    fail_msg("%s: metric '%s' declared unlike elsewhere", sc->name, spec->name);
                continue;
            }
            assert_in_range(seen_count, 0, sizeof(seen) / sizeof(seen[0]) - 1);
            seen[seen_count++] = spec;
            for (size_t s = 0; s < METRIC_STAT_COUNT; s++) {
                char column[METRIC_NAME_MAX + 8];
                snprintf(column, sizeof(column), "%s_%s", spec->name,
                         metric_stat_name(metric_stat_at(s)));
                for (size_t f = 0; f < FIXED_COLUMN_COUNT; f++) {
                    if (strcmp(column, fixed_columns[f]) == 0 || strncmp(column, "param_", 6) == 0)
                        fail_msg("%s: metric column %s is a fixed column", sc->name, column);
                }
            }
        }
    }
    /* The three that summary.csv has always had are declared. */
    assert_in_range(seen_count, 3, sizeof(seen) / sizeof(seen[0]));
}

/* Every scenario's analyses are well declared: a partner that is in the
 * catalogue, a slope's parameter that the scenario has, and columns that
 * are no fixed column's. */
static void test_catalogue_analyses(void **state)
{
    (void)state;
    size_t declared = 0;
    for (size_t i = 0; i < scenario_catalogue_count; i++) {
        const struct scenario *sc = scenario_catalogue[i];
        char why[160];
        if (analysis_check_list(sc->analyses, ANALYSES_MAX, why, sizeof(why)) != 0)
            fail_msg("%s: %s", sc->name, why);
        for (size_t a = 0; a < analysis_count(sc->analyses); a++) {
            const struct analysis_spec *spec = &sc->analyses[a];
            declared++;
            if (spec->kind != ANALYSIS_SLOPE && scenario_find(spec->partner) == NULL)
                fail_msg("%s: %s's partner %s is not in the catalogue", sc->name, spec->column,
                         spec->partner);
            bool has_param = spec->kind != ANALYSIS_SLOPE;
            for (size_t p = 0; !has_param && sc->params && sc->params[p].name; p++)
                has_param = strcmp(sc->params[p].name, spec->param) == 0 &&
                            sc->params[p].kind != PARAM_WORD;
            if (!has_param)
                fail_msg("%s: %s slopes against %s, not a numeric parameter of it", sc->name,
                         spec->column, spec->param);
            for (size_t f = 0; f < FIXED_COLUMN_COUNT; f++) {
                if (strcmp(fixed_columns[f], spec->column) == 0)
                    fail_msg("%s: analysis column %s is a fixed column", sc->name, spec->column);
            }
        }
    }
    assert_in_range(declared, 3, SIZE_MAX);
}

/* The analysis declaration check names each problem. */
static void test_analysis_check_list(void **state)
{
    (void)state;
    struct bad {
        struct analysis_spec spec;
        const char *expect;
    } bad[] = {
        {{.kind = ANALYSIS_RATIO, .column = "Vs", .label = "l", .partner = "p"},
         "analysis 'Vs': not a valid column name"},
        {{.kind = ANALYSIS_RATIO, .column = "vs", .ci_prefix = "a b", .label = "l", .partner = "p"},
         "analysis 'vs': not a valid interval prefix"},
        {{.kind = ANALYSIS_RATIO, .column = "vs", .partner = "p"}, "analysis 'vs': no label"},
        {{.kind = ANALYSIS_RATIO, .column = "vs", .label = "l"}, "needs the partner scenario"},
        {{.kind = ANALYSIS_BREAK_EVEN, .column = "b", .label = "l", .partner = "p", .saving = 1},
         "a break-even needs a saving between 0 and 1"},
        {{.kind = ANALYSIS_SLOPE, .column = "s", .label = "l", .per = 1, .per_name = "x"},
         "a slope needs the parameter"},
        {{.kind = ANALYSIS_SLOPE, .column = "s", .label = "l", .param = "rss", .per_name = "x"},
         "a slope needs its unit"},
        {{.kind = (enum analysis_kind)9, .column = "s", .label = "l"}, "unknown kind"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct analysis_spec list[2] = {bad[i].spec, {.column = NULL}};
        char why[160] = "";
        assert_int_equal(analysis_check_list(list, ANALYSES_MAX, why, sizeof(why)), -EINVAL);
        if (strstr(why, bad[i].expect) == NULL)
            fail_msg("got '%s', expected '%s'", why, bad[i].expect);
    }
    struct analysis_spec twice[3] = {
        {.kind = ANALYSIS_RATIO, .column = "vs", .label = "l", .partner = "p"},
        {.kind = ANALYSIS_RATIO, .column = "vs", .label = "l", .partner = "q"},
        {.column = NULL},
    };
    char why[160] = "";
    assert_int_equal(analysis_check_list(twice, ANALYSES_MAX, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "analysis 'vs': declared twice");
}

/* The declaration check names each problem. */
static void test_metric_check_list(void **state)
{
    (void)state;
    struct bad {
        struct metric_spec spec;
        const char *expect;
    } bad[] = {
        {{"Bad", METRIC_NS, "l", "m", METRIC_P50}, "metric 'Bad': not a valid name"},
        {{"x", (enum metric_unit)7, "l", "m", METRIC_P50}, "metric 'x': unknown unit"},
        {{"x", METRIC_NS, "", "m", METRIC_P50}, "metric 'x': no label"},
        {{"x", METRIC_NS, "l", NULL, METRIC_P50}, "metric 'x': no meaning"},
        {{"x", METRIC_NS, "l", "m", 0}, "metric 'x': aggregate must pick"},
        {{"x", METRIC_NS, "l", "m", 1u << 9}, "metric 'x': aggregate must pick"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct metric_spec list[2] = {bad[i].spec, {.name = NULL}};
        char why[160] = "";
        assert_int_equal(metric_check_list(list, SAMPLE_METRICS_MAX, why, sizeof(why)), -EINVAL);
        if (strstr(why, bad[i].expect) == NULL)
            fail_msg("got '%s', expected '%s'", why, bad[i].expect);
    }
    struct metric_spec many[SAMPLE_METRICS_MAX + 2];
    for (size_t i = 0; i < SAMPLE_METRICS_MAX + 1; i++)
        many[i] = (struct metric_spec){"x", METRIC_NS, "l", "m", METRIC_P50};
    many[SAMPLE_METRICS_MAX + 1].name = NULL;
    char why[160] = "";
    assert_int_equal(metric_check_list(many, SAMPLE_METRICS_MAX, why, sizeof(why)), -EINVAL);
    assert_string_equal(why, "9 metrics declared, more than 8");
}

static void test_rounds_csv_rejects_bad_case_index(void **state)
{
    char dir[PATH_MAX], names[256];
    size_t saved = rounds[0].case_index;
    int rc;

    (void)state;
    fresh_dir("rounds_bad", dir);
    rounds[0].case_index = 99;
    rc = write_rounds_csv(&run, dir);
    rounds[0].case_index = saved;
    assert_int_equal(rc, -EINVAL);
    assert_int_equal(list_dir(dir, names, sizeof(names)), 0);
}

/* ---- JSON -------------------------------------------------------------- */

static void test_results_json_reads_back(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 32];
    json_t *root, *list, *c0, *c1, *c2, *c3, *h, *buckets, *last;
    json_error_t error;
    uint64_t sum = 0;
    size_t i;
    json_t *bucket;

    (void)state;
    fresh_dir("json_read", dir);
    assert_int_equal(write_results_json(&run, dir), 0);
    snprintf(path, sizeof(path), "%s/results.json", dir);
    root = json_load_file(path, 0, &error);
    if (root == NULL)
        fail_msg("%s:%d: %s", path, error.line, error.text);

    assert_int_equal(json_integer_value(json_object_get(root, "schema_version")),
                     RESULTS_SCHEMA_VERSION);
    assert_string_equal(json_string_value(json_object_get(json_object_get(root, "tool"), "name")),
                        "procbench");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(root, "environment"), "hostname")),
        "golden-host");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "config"), "seed")),
                     42);
    assert_true(json_is_false(json_object_get(json_object_get(root, "config"), "quick")));
    assert_int_equal(json_array_size(json_object_get(root, "argv")), 4);
    assert_int_equal(json_integer_value(json_object_get(root, "started_unix_ns")),
                     (json_int_t)FIXED_UNIX_NS);

    list = json_object_get(root, "cases");
    assert_int_equal(json_array_size(list), run.case_count);
    c0 = json_array_get(list, 0);
    c1 = json_array_get(list, 1);
    c2 = json_array_get(list, 2);
    c3 = json_array_get(list, 3);

    /* Every column of summary_columns.def, in every case. */
    for (i = 0; i < run.case_count; i++) {
        json_t *c = json_array_get(list, i);

#define SUMMARY_COLUMN(header, kind, expr)                                                         \
    if (json_object_get(c, header) == NULL)                                                        \
        fail_msg("case %zu lacks %s", i, header);
#define SUMMARY_METRIC_COLUMNS                                                                     \
    SUMMARY_COLUMN("return_p99", U64, 0)                                                           \
    SUMMARY_COLUMN("rss_growth_max", U64, 0)                                                       \
    SUMMARY_COLUMN("first_byte_histogram", U64, 0)
#define SUMMARY_ANALYSIS_COLUMNS                                                                   \
    SUMMARY_COLUMN("vs_posix_spawn_ci_high", RATIO, 0)                                             \
    SUMMARY_COLUMN("pool_break_even_ns", NS, 0)
#include "output/summary_columns.def"
#undef SUMMARY_COLUMN
#undef SUMMARY_METRIC_COLUMNS
#undef SUMMARY_ANALYSIS_COLUMNS
    }

    assert_true(json_is_integer(json_object_get(c0, "p50")));
    assert_int_equal(json_integer_value(json_object_get(c0, "p50")), run.cases[0].stats.p50_ns);
    assert_int_equal(json_integer_value(json_object_get(c0, "n")), 1000);
    assert_true(json_is_integer(json_object_get(c0, "mean")));
    assert_true(json_is_real(json_object_get(c0, "self_minflt")));
    assert_string_equal(json_string_value(json_object_get(c0, "case")), run.cases[0].def.name);
    assert_string_equal(json_string_value(json_object_get(json_object_get(c0, "params"), "target")),
                        "static");
    assert_int_equal(json_integer_value(json_object_get(c0, "parent_cpu")), 0);
    assert_true(json_is_object(json_object_get(c0, "return_histogram")));

    assert_true(json_is_integer(json_object_get(json_object_get(c1, "params"), "size")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(c1, "params"), "size")),
                     4096);
    assert_string_equal(json_string_value(json_object_get(json_object_get(c1, "params"), "mode")),
                        "stream");
    assert_true(json_is_null(json_object_get(c1, "return_histogram")));
    assert_true(json_is_null(json_object_get(c1, "return_p50")));
    assert_true(json_is_null(json_object_get(c1, "first_byte_histogram")));
    assert_true(json_is_object(json_object_get(c1, "rss_growth_histogram")));
    assert_int_equal(json_integer_value(json_object_get(c1, "rss_growth_max")), 0);

    /* The declarations, so a reader needs no catalogue. */
    json_t *metrics = json_object_get(root, "metrics");
    assert_int_equal(json_array_size(metrics), 3);
    json_t *growth = json_array_get(metrics, 2);
    assert_string_equal(json_string_value(json_object_get(growth, "name")), "rss_growth");
    assert_string_equal(json_string_value(json_object_get(growth, "unit")), "bytes");
    assert_string_equal(json_string_value(json_object_get(growth, "label")), "RSS growth");
    json_t *summary = json_object_get(growth, "summary");
    assert_int_equal(json_array_size(summary), 2);
    assert_string_equal(json_string_value(json_array_get(summary, 1)), "max");

    assert_true(json_is_null(json_object_get(c2, "parent_cpu")));
    assert_string_equal(json_string_value(json_object_get(c2, "reason")), ODD_REASON);
    assert_string_equal(json_string_value(json_object_get(json_object_get(c2, "params"), "target")),
                        ODD_WORD);
    assert_string_equal(json_string_value(json_object_get(c3, "status")), "skipped");
    assert_int_equal(json_object_size(json_object_get(c3, "params")), 0);
    assert_true(json_is_null(json_object_get(c3, "histogram")));

    /* The buckets add up to n and end at the exact maximum. */
    h = json_object_get(c0, "histogram");
    assert_int_equal(json_integer_value(json_object_get(h, "significant_digits")), 3);
    buckets = json_object_get(h, "buckets");
    assert_cmp(json_array_size(buckets), >, 10);
    json_array_foreach(buckets, i, bucket)
    {
        assert_int_equal(json_array_size(bucket), 2);
        sum += (uint64_t)json_integer_value(json_array_get(bucket, 1));
    }
    assert_int_equal(sum, 1000);
    last = json_array_get(buckets, json_array_size(buckets) - 1);
    assert_int_equal(json_integer_value(json_array_get(last, 0)), run.cases[0].stats.max_ns);

    json_decref(root);
}

/* Text that is not UTF-8 (a reason quoting a stray byte) still gives valid
 * JSON, and a seed jansson's integers cannot hold is kept exactly. */
static void test_results_json_odd_values(void **state)
{
    char dir[PATH_MAX], path[PATH_MAX + 32], saved_reason[sizeof(cases[3].reason)];
    uint64_t saved_seed = run.config.seed;
    json_error_t error;
    json_t *root;
    int rc;

    (void)state;
    fresh_dir("json_odd", dir);
    memcpy(saved_reason, cases[3].reason, sizeof(saved_reason));
    snprintf(cases[3].reason, sizeof(cases[3].reason), "bad \xff byte");
    run.config.seed = UINT64_MAX;
    rc = write_results_json(&run, dir);
    memcpy(cases[3].reason, saved_reason, sizeof(saved_reason));
    run.config.seed = saved_seed;
    assert_int_equal(rc, 0);

    snprintf(path, sizeof(path), "%s/results.json", dir);
    root = json_load_file(path, 0, &error);
    if (root == NULL)
        fail_msg("%s:%d: %s", path, error.line, error.text);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(root, "cases"), 3), "reason")),
                        "bad ? byte");
    assert_string_equal(json_string_value(json_object_get(json_object_get(root, "config"), "seed")),
                        "18446744073709551615");
    json_decref(root);
}

/* ---- hgrm -------------------------------------------------------------- */

static char *hgrm_to_string(const struct histogram *h, double scale)
{
    FILE *fp = scratch_open();

    assert_int_equal(write_hgrm(fp, h, scale), 0);
    return scratch_close(fp);
}

static void test_hgrm_single_value(void **state)
{
    struct histogram *h = new_histogram();
    char *text;

    (void)state;
    assert_int_equal(histogram_record_n(h, 100, 10), 0);
    text = hgrm_to_string(h, 1.0);
    /* The Buckets line depends on the histogram's layout; only its shape
     * is checked. */
    assert_contains(text, "#[Buckets = ");
    assert_contains(text, ", SubBuckets     = ");
    text[strstr(text, "#[Buckets = ") - text + strlen("#[Buckets = ")] = '\0';
    /* One bucket: the 0% row, then the 100% row without its last column. */
    assert_string_equal(text, "       Value     Percentile TotalCount 1/(1-Percentile)\n"
                              "\n"
                              "     100.000 0.000000000000         10           1.00\n"
                              "     100.000 1.000000000000         10\n"
                              "#[Mean    =      100.000, StdDeviation   =        0.000]\n"
                              "#[Max     =      100.000, Total count    =           10]\n"
                              "#[Buckets = ");
    free(text);
    histogram_destroy(h);
}

/* The percentile column steps by 10 to 50%, by 5 to 75%, by 2.5 to 87.5%,
 * then by 1.25: five steps per halving of the distance to 100%. */
static void test_hgrm_percentile_steps(void **state)
{
    static const char *expected[] = {
        "0.000000000000", "0.100000000000", "0.200000000000", "0.300000000000", "0.400000000000",
        "0.500000000000", "0.550000000000", "0.600000000000", "0.650000000000", "0.700000000000",
        "0.750000000000", "0.775000000000", "0.800000000000", "0.825000000000", "0.850000000000",
        "0.875000000000", "0.887500000000", "0.900000000000",
    };
    struct histogram *h = new_histogram();
    char *text, *line;
    size_t row = 0, rows_total = 0;
    double prev = -1;

    (void)state;
    for (uint64_t v = 1; v <= 1000; v++)
        assert_int_equal(histogram_record(h, v), 0);
    text = hgrm_to_string(h, 1.0);

    line = strchr(text, '\n') + 2; /* past the header and the blank line */
    while (*line != '#') {
        char value[32], pct[32];
        unsigned long long count;
        int fields = sscanf(line, "%31s %31s %llu", value, pct, &count);

        assert_int_equal(fields, 3);
        if (row < sizeof(expected) / sizeof(expected[0]))
            assert_string_equal(pct, expected[row]);
        assert_cmp(strtod(pct, NULL), >, prev);
        prev = strtod(pct, NULL);
        row++;
        rows_total++;
        line = strchr(line, '\n') + 1;
    }
    /* Ends at 100% with the total count, and no 1/(1-p) column. */
    assert_cmp(prev, ==, 1.0);
    assert_contains(text, "    1000.000 1.000000000000       1000\n#[Mean");
    assert_cmp(rows_total, >, 40);
    free(text);
    histogram_destroy(h);
}

/* ---- atomic_file ------------------------------------------------------- */

static void test_atomic_file_abort_leaves_nothing(void **state)
{
    char dir[PATH_MAX], names[256];
    struct atomic_file af;

    (void)state;
    fresh_dir("atomic_abort", dir);
    assert_int_equal(atomic_file_open(&af, dir, "out.txt"), 0);
    fputs("half a file\n", af.fp);
    assert_int_equal(list_dir(dir, names, sizeof(names)), 1); /* the temporary */
    assert_int_equal(names[0], '.');
    atomic_file_abort(&af);
    assert_int_equal(list_dir(dir, names, sizeof(names)), 0);
}

static void test_atomic_file_commit_leaves_final_only(void **state)
{
    char dir[PATH_MAX], names[256], path[PATH_MAX + 16];
    struct atomic_file af;
    struct stat st;
    char *text;

    (void)state;
    fresh_dir("atomic_commit", dir);
    assert_int_equal(atomic_file_open(&af, dir, "out.txt"), 0);
    fputs("whole\n", af.fp);
    assert_int_equal(atomic_file_commit(&af), 0);
    assert_int_equal(list_dir(dir, names, sizeof(names)), 1);
    assert_string_equal(names, "out.txt");
    snprintf(path, sizeof(path), "%s/out.txt", dir);
    text = read_all(path, NULL);
    assert_string_equal(text, "whole\n");
    free(text);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    /* A second commit replaces the file, still leaving nothing else. */
    assert_int_equal(atomic_file_open(&af, dir, "out.txt"), 0);
    fputs("again\n", af.fp);
    assert_int_equal(atomic_file_commit(&af), 0);
    assert_int_equal(list_dir(dir, names, sizeof(names)), 1);
    text = read_all(path, NULL);
    assert_string_equal(text, "again\n");
    free(text);
}

static void test_atomic_file_missing_dir(void **state)
{
    char dir[PATH_MAX], missing[PATH_MAX + 16];
    struct atomic_file af;

    (void)state;
    fresh_dir("atomic_missing", dir);
    snprintf(missing, sizeof(missing), "%s/nope", dir);
    assert_int_equal(atomic_file_open(&af, missing, "out.txt"), -ENOENT);
    assert_null(af.fp);
    atomic_file_abort(&af); /* harmless after a failed open */
}

/* ---- outdir ------------------------------------------------------------ */

static void test_outdir_name_and_suffix(void **state)
{
    char dir[PATH_MAX], root[PATH_MAX + 16], first[PATH_MAX], second[PATH_MAX];
    char expected[PATH_MAX + 64], hist[PATH_MAX + 8], err[256];
    struct stat st;

    (void)state;
    fresh_dir("outdir_twice", dir);
    snprintf(root, sizeof(root), "%s/root", dir); /* missing: created */
    assert_int_equal(
        outdir_create(root, FIXED_UNIX_NS, "golden host/1", first, sizeof(first), err, sizeof(err)),
        0);
    snprintf(expected, sizeof(expected), "%s/20231114T221320Z-golden_host_1", root);
    assert_string_equal(first, expected);
    snprintf(hist, sizeof(hist), "%s/hist", first);
    assert_int_equal(stat(hist, &st), 0);
    assert_true(S_ISDIR(st.st_mode));

    /* Same second, same host: a new folder with -2, the first untouched. */
    assert_int_equal(outdir_create(root, FIXED_UNIX_NS + 5, "golden host/1", second, sizeof(second),
                                   err, sizeof(err)),
                     0);
    assert_string_not_equal(first, second);
    snprintf(expected, sizeof(expected), "%s/20231114T221320Z-golden_host_1-2", root);
    assert_string_equal(second, expected);
    snprintf(hist, sizeof(hist), "%s/hist", second);
    assert_int_equal(stat(hist, &st), 0);
    assert_int_equal(stat(first, &st), 0);
}

static void test_outdir_latest(void **state)
{
    char dir[PATH_MAX], a[PATH_MAX], b[PATH_MAX], link[PATH_MAX + 16], target[PATH_MAX];
    char names[1024], err[256];
    struct stat st;
    ssize_t n;

    (void)state;
    fresh_dir("outdir_latest", dir);
    assert_int_equal(outdir_create(dir, FIXED_UNIX_NS, "h", a, sizeof(a), err, sizeof(err)), 0);
    assert_int_equal(outdir_create(dir, FIXED_UNIX_NS, "h", b, sizeof(b), err, sizeof(err)), 0);
    snprintf(link, sizeof(link), "%s/latest", dir);

    assert_int_equal(outdir_point_latest(dir, a), 0);
    n = readlink(link, target, sizeof(target) - 1);
    assert_cmp(n, >, 0);
    target[n] = '\0';
    assert_string_equal(target, strrchr(a, '/') + 1);

    /* Replaced, not refused, and no temporary link left. */
    assert_int_equal(outdir_point_latest(dir, b), 0);
    n = readlink(link, target, sizeof(target) - 1);
    assert_cmp(n, >, 0);
    target[n] = '\0';
    assert_string_equal(target, strrchr(b, '/') + 1);
    assert_int_equal(list_dir(dir, names, sizeof(names)), 3);
    assert_null(strstr(names, ".latest"));

    /* The link resolves to the folder. */
    assert_int_equal(stat(link, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
}

static void test_outdir_latest_refuses_real_directory(void **state)
{
    char dir[PATH_MAX], a[PATH_MAX], link[PATH_MAX + 16], names[1024], err[256];
    struct stat st;

    (void)state;
    fresh_dir("outdir_latest_dir", dir);
    assert_int_equal(outdir_create(dir, FIXED_UNIX_NS, "h", a, sizeof(a), err, sizeof(err)), 0);
    snprintf(link, sizeof(link), "%s/latest", dir);
    assert_int_equal(mkdir(link, 0755), 0);

    assert_int_equal(outdir_point_latest(dir, a), -EEXIST);
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(list_dir(dir, names, sizeof(names)), 2);

    /* A regular file called latest is left alone too. */
    assert_int_equal(rmdir(link), 0);
    write_all(link, "mine\n", 5);
    assert_int_equal(outdir_point_latest(dir, a), -EEXIST);
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISREG(st.st_mode));
}

static void test_outdir_root_is_file(void **state)
{
    char dir[PATH_MAX], file[PATH_MAX + 16], out[PATH_MAX], err[PATH_MAX + 64];
    char expected[PATH_MAX + 64];

    (void)state;
    fresh_dir("outdir_file", dir);
    snprintf(file, sizeof(file), "%s/plain", dir);
    write_all(file, "x", 1);
    assert_int_equal(outdir_create(file, FIXED_UNIX_NS, "h", out, sizeof(out), err, sizeof(err)),
                     -ENOTDIR);
    snprintf(expected, sizeof(expected), "--out-dir %s: not a directory", file);
    assert_string_equal(err, expected);
    assert_null(strchr(err, '\n'));
    assert_string_equal(out, "");
}

/* A run whose results could not all be written leaves no folder: the files
 * already written and the hist/ folder go with it; the root stays. */
static void test_outdir_remove(void **state)
{
    char dir[PATH_MAX], out[PATH_MAX], err[PATH_MAX + 64], file[PATH_MAX + 32];
    struct stat st;

    (void)state;
    fresh_dir("outdir_remove", dir);
    assert_int_equal(outdir_create(dir, FIXED_UNIX_NS, "h", out, sizeof(out), err, sizeof(err)), 0);
    snprintf(file, sizeof(file), "%s/summary.csv", out);
    write_all(file, "x", 1);
    snprintf(file, sizeof(file), "%s/hist/a.hgrm", out);
    write_all(file, "x", 1);
    outdir_remove(out);
    assert_int_equal(stat(out, &st), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(stat(dir, &st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_csv_golden),
        cmocka_unit_test(test_rounds_csv_golden),
        cmocka_unit_test(test_results_json_golden),
        cmocka_unit_test(test_hgrm_files_golden),
        cmocka_unit_test(test_csv_field_quoting),
        cmocka_unit_test(test_csv_fields_round_trip),
        cmocka_unit_test(test_summary_csv_reads_back),
        cmocka_unit_test(test_rounds_csv_rejects_bad_case_index),
        cmocka_unit_test(test_catalogue_metrics),
        cmocka_unit_test(test_metric_check_list),
        cmocka_unit_test(test_catalogue_analyses),
        cmocka_unit_test(test_analysis_check_list),
        cmocka_unit_test(test_results_json_reads_back),
        cmocka_unit_test(test_results_json_odd_values),
        cmocka_unit_test(test_hgrm_single_value),
        cmocka_unit_test(test_hgrm_percentile_steps),
        cmocka_unit_test(test_atomic_file_abort_leaves_nothing),
        cmocka_unit_test(test_atomic_file_commit_leaves_final_only),
        cmocka_unit_test(test_atomic_file_missing_dir),
        cmocka_unit_test(test_outdir_name_and_suffix),
        cmocka_unit_test(test_outdir_latest),
        cmocka_unit_test(test_outdir_latest_refuses_real_directory),
        cmocka_unit_test(test_outdir_root_is_file),
        cmocka_unit_test(test_outdir_remove),
    };

    return cmocka_run_group_tests(tests, build_run, free_run);
}
