/*
 * The subcommands of procbench. Each does its work and reports an outcome;
 * main() alone turns outcomes into exit codes.
 */
#ifndef PROCBENCH_COMMANDS_H
#define PROCBENCH_COMMANDS_H

#include "cli.h"

enum outcome {
    OUTCOME_OK,
    OUTCOME_CASE_FAILED, /* the run completed but some case failed */
    OUTCOME_BAD_INPUT,   /* a message naming the input was printed */
    OUTCOME_FAILED,      /* results could not be written, or out of memory */
};

/* `procbench run`: measures the selected cases and writes the results folder.
 * argc/argv are recorded in the results as given. */
enum outcome command_run(const struct cli_options *opts, int argc, char **argv);

/* `procbench list`: the catalogue, its parameters and defaults. */
enum outcome command_list(const struct cli_options *opts);

/* `procbench env`: the environment a run would record, one "key: value" per line. */
enum outcome command_env(void);

#endif
