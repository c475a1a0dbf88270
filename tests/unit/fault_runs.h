/*
 * What the fault tests (test_faults.c, test_resource_limits.c) share:
 * small real runs of a selection of the catalogue through the runner, with
 * budgets that finish in a moment, and pointing the scenarios back at the
 * real static child. Include after <cmocka.h>.
 */
#ifndef PROCBENCH_TEST_FAULT_RUNS_H
#define PROCBENCH_TEST_FAULT_RUNS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

#include "engine/cases.h"
#include "engine/reaper.h"
#include "engine/runner.h"
#include "proc.h"

#define MS 1000000ull

static inline struct run_config quick_config(void)
{
    return (struct run_config){
        .warmup_ns = 0,
        .min_time_ns = 0,
        .max_time_ns = 1000ull * MS,
        .min_samples = 6,
        .rounds = 1,
        .seed = 1,
        .sample_timeout_ns = 60000ull * MS,
    };
}

/* Expands filter on placement free, with params "NAME=VALUES;NAME=VALUES"
 * (or NULL) as --param overrides, into *defs. Returns 0 or -EINVAL with err. */
static inline int expand(const char *filter, const char *params, struct case_def **defs,
                         size_t *count, char *err, size_t err_len)
{
    static char names[4][64], values[4][128];
    static struct param_override overrides[4];
    const char *filters[] = {filter};
    size_t n = 0;
    for (const char *p = params; p != NULL && *p != '\0' && n < 4; n++) {
        const char *eq = strchr(p, '='), *end = strchr(p, ';');
        if (eq == NULL)
            return -EINVAL;
        if (end == NULL)
            end = p + strlen(p);
        snprintf(names[n], sizeof(names[n]), "%.*s", (int)(eq - p), p);
        snprintf(values[n], sizeof(values[n]), "%.*s", (int)(end - eq - 1), eq + 1);
        overrides[n].name = names[n];
        overrides[n].values = values[n];
        p = *end ? end + 1 : end;
    }
    struct case_selection sel = {
        .filters = filters,
        .filter_count = 1,
        .overrides = overrides,
        .override_count = n,
        .placements = "free",
    };
    return cases_expand(&sel, defs, count, err, err_len);
}

/* Runs the selection of expand(). Fails the test on a bad selection. */
static inline void run_selection(struct run_results *r, const char *filter, const char *params,
                                 struct run_config config)
{
    struct case_def *defs = NULL;
    size_t count = 0;
    char err[256] = "";
    if (expand(filter, params, &defs, &count, err, sizeof(err)) != 0)
        fail_msg("%s: %s", filter, err);
    memset(r, 0, sizeof(*r));
    r->config = config;
    assert_int_equal(runner_init(r, defs, count), 0);
    assert_int_equal(runner_run(r, NULL), 0);
    free(defs);
}

/* Makes the scenarios exec path as their static child from now on. */
static inline void use_child_at(const char *path)
{
    assert_int_equal(setenv("PROCBENCH_CHILD", path, 1), 0);
    proc_child_path_reset();
}

static inline void use_real_child(void)
{
    use_child_at(CHILD_PROGRAM);
}

/* Writes text into out[len] quoted for /bin/sh: in single quotes, each
 * single quote of text written as '\''. Fails the test when it does not fit. */
static inline void shell_quote(const char *text, char *out, size_t len)
{
    size_t used = 0;
    for (const char *p = text; used + 5 < len; p++) {
        if (p == text)
            out[used++] = '\'';
        if (*p == '\0') {
            out[used++] = '\'';
            out[used] = '\0';
            return;
        }
        if (*p == '\'') {
            memcpy(out + used, "'\\''", 4);
            used += 4;
        } else {
            out[used++] = *p;
        }
    }
    fail_msg("a path too long to quote: %s", text);
}

#endif
