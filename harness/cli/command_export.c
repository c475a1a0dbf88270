/*
 * `procbench export RESULTS --format gbench`: a run as Google Benchmark
 * JSON on stdout, so that tools built for it read procbench results:
 * compare.py (tools/compare.py benchmarks A.json B.json) and
 * github-action-benchmark (tool: googlecpp). Each measured case is one
 * benchmark named after the case, with iterations = samples, real_time = the
 * case's median and cpu_time = its CPU per operation, both ends counted
 * (cpu_ns; the median when the run recorded none), in ns. Failed and skipped
 * cases are left out. An export, not a new file in the results folder, so
 * that old results folders can be exported too.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "read/results_read.h"

/* Adds value under key, remembering the first failure (jansson takes the
 * reference even when it fails). */
static void add(json_t *object, const char *key, json_t *value, int *failed)
{
    if (json_object_set_new(object, key, value) != 0)
        *failed = 1;
}

static json_t *context_json(const struct stored_run *run, int *failed)
{
    json_t *context = json_object();
    char date[40] = "";
    time_t seconds = (time_t)(run->started_unix_ns / 1000000000u);
    struct tm tm;
    if (gmtime_r(&seconds, &tm) != NULL)
        strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
    const char *cpus = results_read_env(run, "cpu_count_online");
    const char *build = results_read_env(run, "build_type");
    add(context, "date", json_string(date), failed);
    add(context, "host_name", json_string(results_read_env(run, "hostname")), failed);
    add(context, "executable", json_string("procbench"), failed);
    add(context, "num_cpus", json_integer(cpus ? atoi(cpus) : 0), failed);
    add(context, "mhz_per_cpu", json_integer(0), failed);
    add(context, "cpu_scaling_enabled", json_false(), failed);
    add(context, "caches", json_array(), failed);
    add(context, "load_avg", json_array(), failed);
    add(context, "library_build_type",
        json_string(build != NULL && strcmp(build, "Debug") == 0 ? "debug" : "release"), failed);
    /* A path need not be UTF-8, which JSON strings must be. */
    json_t *path = json_string(run->path);
    add(context, "procbench_results", path != NULL ? path : json_string("(not UTF-8)"), failed);
    return context;
}

static json_t *benchmark_json(const struct stored_case *c, size_t family, int *failed)
{
    json_t *b = json_object();
    double cpu = isnan(c->cpu_ns) ? (double)c->p50_ns : c->cpu_ns;
    add(b, "name", json_string(c->name), failed);
    add(b, "family_index", json_integer((json_int_t)family), failed);
    add(b, "per_family_instance_index", json_integer(0), failed);
    add(b, "run_name", json_string(c->name), failed);
    add(b, "run_type", json_string("iteration"), failed);
    add(b, "repetitions", json_integer(1), failed);
    add(b, "repetition_index", json_integer(0), failed);
    add(b, "threads", json_integer(1), failed);
    add(b, "iterations", json_integer((json_int_t)c->n), failed);
    add(b, "real_time", json_real((double)c->p50_ns), failed);
    add(b, "cpu_time", json_real(cpu), failed);
    add(b, "time_unit", json_string("ns"), failed);
    /* User counters, which both tools show or ignore. */
    add(b, "p50_ci_low", json_real((double)c->p50_ci_low_ns), failed);
    add(b, "p50_ci_high", json_real((double)c->p50_ci_high_ns), failed);
    return b;
}

enum outcome command_export(const struct cli_options *opts)
{
    struct stored_run *run = NULL;
    char err[1024];
    int failed = 0;

    if (results_read_run(opts->inputs[0], &run, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        return OUTCOME_BAD_INPUT;
    }
    json_t *root = json_object(), *benchmarks = json_array();
    add(root, "context", context_json(run, &failed), &failed);
    for (size_t i = 0; i < run->case_count; i++) {
        const struct stored_case *c = &run->cases[i];
        if (strcmp(c->status, "ok") != 0 || c->n == 0)
            continue;
        if (json_array_append_new(benchmarks,
                                  benchmark_json(c, json_array_size(benchmarks), &failed)) != 0)
            failed = 1;
    }
    add(root, "benchmarks", benchmarks, &failed);
    if (!failed && json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15)) == 0)
        failed = fputc('\n', stdout) == EOF || fflush(stdout) != 0;
    else
        failed = 1;
    json_decref(root);
    results_read_free_run(run);
    if (failed) {
        fprintf(stderr, "procbench: writing the Google Benchmark JSON failed\n");
        return OUTCOME_FAILED;
    }
    return OUTCOME_OK;
}
