/*
 * libFuzzer target: a results.json as procbench reads it back (compare,
 * check, export, report). Each input is written to one scratch file and
 * read with results_read_run(); a file that reads is then compared with
 * itself (compare_sets) and its first cases are judged against each other
 * (check_judge), so that hostile numbers that pass the reader (zeros, huge
 * values, thousands of rounds) also reach the statistics.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_assert.h"
#include "analysis/check.h"
#include "analysis/compare.h"
#include "read/results_read.h"

static char scratch[] = "procbench-fuzz-results.XXXXXX";
static int scratch_fd = -1;

static void remove_scratch(void)
{
    unlink(scratch);
}

static int write_scratch(const uint8_t *data, size_t size)
{
    if (scratch_fd < 0) {
        /* mkstemp in the working folder (ctest: the build tree), never a
         * predictable name in /tmp. */
        scratch_fd = mkstemp(scratch);
        if (scratch_fd < 0)
            abort();
        atexit(remove_scratch);
    }
    if (ftruncate(scratch_fd, 0) != 0 || pwrite(scratch_fd, data, size, 0) != (ssize_t)size)
        abort();
    return 0;
}

static void judge_first_cases(const struct stored_run *run)
{
    struct check_rule rule;
    char why[128];
    fuzz_assert(check_parse_line("a < 0.5 * b", 1, &rule, why, sizeof(why)) == 0);
    for (size_t i = 0; i + 1 < run->case_count && i < 4; i++) {
        struct check_outcome outcome;
        rule.op = i % 2 ? CHECK_GREATER : CHECK_LESS;
        check_judge(&rule, &run->cases[i], &run->cases[i + 1], true, &outcome);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_scratch(data, size);
    struct stored_run *run = NULL;
    char err[512];
    if (results_read_run(scratch, &run, err, sizeof(err)) != 0) {
        /* The contract: one line naming the problem. */
        fuzz_assert(err[0] != '\0' && strchr(err, '\n') == NULL);
        return 0;
    }
    judge_first_cases(run);
    struct stored_run *runs[] = {run};
    struct stored_set set = {.path = scratch, .runs = runs, .count = 1};
    struct compare_options opt = {.threshold = 0.05, .alpha = 0.05};
    struct compare_report report;
    memset(&report, 0, sizeof(report));
    if (compare_sets(&set, &set, &opt, &report, err, sizeof(err)) == 0)
        compare_report_free(&report);
    results_read_free_run(run);
    return 0;
}
