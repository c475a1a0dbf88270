/*
 * The command line: `procbench [list|run|env] [options]`,
 * `procbench compare BASE NEW`, `procbench check FILE`, `procbench export
 * RESULTS`, `procbench report [RESULTS...]`, `procbench history [ROOT]`,
 * `procbench import DIR...`, `--help`, `--version`. Parsing only: every value is
 * checked here and any mistake becomes one line naming the option and the value; main() decides the
 * exit code and does the work.
 */
#ifndef PROCBENCH_CLI_H
#define PROCBENCH_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/cases.h"
#include "engine/results.h"

#define CLI_MAX_REPEATS 32

enum cli_command {
    CLI_RUN,
    CLI_LIST,
    CLI_ENV,
    CLI_COMPARE,
    CLI_CHECK,
    CLI_EXPORT,
    CLI_REPORT,
    CLI_HISTORY,
    CLI_IMPORT,
    CLI_HELP,
    CLI_VERSION
};

/* --format: what compare and history print, or what export writes. */
enum cli_format { CLI_FORMAT_TEXT, CLI_FORMAT_MD, CLI_FORMAT_GBENCH, CLI_FORMAT_CSV, CLI_FORMAT_JSON };

/* The file arguments of compare (BASE NEW), check (FILE), export, and
 * report (RESULTS...). */
#define CLI_MAX_INPUTS 16

struct cli_options {
    enum cli_command command;
    const char *filters[CLI_MAX_REPEATS];
    size_t filter_count;
    struct param_override overrides[CLI_MAX_REPEATS];
    size_t override_count;
    const char *placements; /* NULL: each scenario's default */
    struct run_config config;
    bool seed_given;
    const char *out_root; /* where the run folder goes: "results" unless --out-dir */
    bool quiet;
    char override_names[CLI_MAX_REPEATS][64]; /* storage for overrides[].name */
    /* compare, check and export: */
    const char *inputs[CLI_MAX_INPUTS];
    size_t input_count;
    enum cli_format format; /* compare: text or md; export: gbench */
    double threshold_pct;   /* compare: a shift smaller than this is no regression (5) */
    double alpha;           /* compare: family-wise significance level (0.05) */
    bool allow_different_machines;
    const char *rules_path; /* check: --rules, or NULL: the located expectations */
    const char *report_out; /* report: --out DIR, or NULL */
    bool report_png;        /* report: --png */
    const char *labels[CLI_MAX_INPUTS]; /* report: --label NAME, in order */
    size_t label_count;
    /* history: */
    uint64_t since_unix_ns; /* --since: runs started at or after it (0: all) */
    const char *since_text; /* --since as given, for messages */
    bool fail_on_change;    /* --fail-on-change */
};

/* Parses argv into out. Returns 0, or -EINVAL with a one-line message naming
 * the bad argument in err. Strings in out point into argv. */
int cli_parse(int argc, char **argv, struct cli_options *out, char *err, size_t err_len);

/* The --help text. */
void cli_print_help(FILE *fp);

#endif
