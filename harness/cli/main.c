/*
 * procbench's entry point: parses the command line, runs the command, and is
 * the one place that decides the exit code (0 ok, 1 a case failed, output
 * could not be written, a regression was found or a rule failed, 2 bad input
 * or unusable files, 130 / 143 / 129 a run or report interrupted by SIGINT /
 * SIGTERM / SIGHUP).
 */
#include <stdio.h>

#include "build_info.h"
#include "commands.h"

static int exit_code(enum outcome outcome)
{
    switch (outcome) {
    case OUTCOME_OK:
        return 0;
    case OUTCOME_CASE_FAILED:
    case OUTCOME_FAILED:
    case OUTCOME_REGRESSED:
        return 1;
    case OUTCOME_BAD_INPUT:
        return 2;
    /* The shell's convention for "ended by signal N", 128 + N, although
     * the process exits normally after writing what it had. */
    case OUTCOME_INTERRUPTED_SIGINT:
        return 130;
    case OUTCOME_INTERRUPTED_SIGTERM:
        return 143;
    case OUTCOME_INTERRUPTED_SIGHUP:
        return 129;
    }
    return 1;
}

int main(int argc, char **argv)
{
    static struct cli_options opts;
    char err[512];
    if (cli_parse(argc, argv, &opts, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        return exit_code(OUTCOME_BAD_INPUT);
    }
    switch (opts.command) {
    case CLI_HELP:
        cli_print_help(stdout);
        return 0;
    case CLI_VERSION:
        printf("procbench %s (%s)\n", PROCBENCH_VERSION, PROCBENCH_GIT_COMMIT);
        return 0;
    case CLI_LIST:
        return exit_code(command_list(&opts));
    case CLI_ENV:
        return exit_code(command_env());
    case CLI_COMPARE:
        return exit_code(command_compare(&opts));
    case CLI_CHECK:
        return exit_code(command_check(&opts));
    case CLI_EXPORT:
        return exit_code(command_export(&opts));
    case CLI_REPORT:
        return exit_code(command_report(&opts, argc, argv));
    case CLI_HISTORY:
        return exit_code(command_history(&opts));
    case CLI_IMPORT:
        return exit_code(command_import(&opts));
    case CLI_RUN:
        break;
    }
    return exit_code(command_run(&opts, argc, argv));
}
