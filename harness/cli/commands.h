/*
 * The subcommands of procbench. Each does its work and reports an outcome;
 * main() alone turns outcomes into exit codes.
 */
#ifndef PROCBENCH_COMMANDS_H
#define PROCBENCH_COMMANDS_H

#include <signal.h>

#include "cli.h"

enum outcome {
    OUTCOME_OK,
    OUTCOME_CASE_FAILED, /* the run completed but some case failed */
    OUTCOME_BAD_INPUT,   /* a message naming the input was printed */
    OUTCOME_FAILED,      /* results could not be written, or out of memory */
    OUTCOME_REGRESSED,   /* compare found a regression, or a check rule failed */
    /* run: stopped by SIGINT / SIGTERM / SIGHUP; the finished cases were
     * written, in a folder marked partial. report: stopped, nothing written. */
    OUTCOME_INTERRUPTED_SIGINT,
    OUTCOME_INTERRUPTED_SIGTERM,
    OUTCOME_INTERRUPTED_SIGHUP,
};

/* The outcome of a command stopped by sig (SIGINT, SIGTERM or SIGHUP). */
static inline enum outcome outcome_interrupted(int sig)
{
    return sig == SIGTERM  ? OUTCOME_INTERRUPTED_SIGTERM
           : sig == SIGHUP ? OUTCOME_INTERRUPTED_SIGHUP
                           : OUTCOME_INTERRUPTED_SIGINT;
}

/* `procbench run`: measures the selected cases and writes the results folder.
 * argc/argv are recorded in the results as given. */
enum outcome command_run(const struct cli_options *opts, int argc, char **argv);

/* `procbench list`: the catalogue, its parameters and defaults. */
enum outcome command_list(const struct cli_options *opts);

/* `procbench env`: the environment a run would record, one "key: value" per line. */
enum outcome command_env(void);

/* `procbench compare BASE NEW`: the verdict per case, as text or Markdown on
 * stdout. OUTCOME_REGRESSED when a case regressed; OUTCOME_BAD_INPUT for an
 * unreadable file, or runs from different machines without
 * --allow-different-machines. */
enum outcome command_compare(const struct cli_options *opts);

/* `procbench check RESULTS`: every rule of the expectations file judged on
 * one run. OUTCOME_REGRESSED when a rule fails; OUTCOME_BAD_INPUT for an
 * unreadable file, a bad rule, or a rule that does not match exactly one
 * case on each side. */
enum outcome command_check(const struct cli_options *opts);

/* `procbench export RESULTS`: the run as Google Benchmark JSON on stdout. */
enum outcome command_export(const struct cli_options *opts);

/* `procbench report [RESULTS...]`: report.md, report.html and plots/ for
 * one run (into its folder unless --out) or several side by side (--out
 * required). OUTCOME_BAD_INPUT for an unreadable results folder or an out
 * folder that cannot be written; OUTCOME_FAILED when gnuplot or a write
 * fails. Nothing of the report appears unless all of it does. */
enum outcome command_report(const struct cli_options *opts, int argc, char **argv);

/* `procbench history [ROOT]`: per case and machine, the series of medians
 * in ROOT's history store and its change points, as text, md, csv or json
 * on stdout. OUTCOME_REGRESSED with --fail-on-change when the newest run of
 * a series reveals a slowdown beyond --threshold; OUTCOME_BAD_INPUT for a
 * missing or unreadable store, a bad --filter, or nothing selected. */
enum outcome command_history(const struct cli_options *opts);

/* `procbench import DIR...`: adds the run folders DIR names (a results
 * folder, or a folder of them) to the history store of --out-dir (results
 * unless given); runs it already holds are not added again.
 * OUTCOME_BAD_INPUT for an unreadable folder (nothing is added then) or a
 * file that is not a store of this version; OUTCOME_FAILED when the store
 * cannot be written. */
enum outcome command_import(const struct cli_options *opts);

#endif
