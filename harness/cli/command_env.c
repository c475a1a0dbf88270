/*
 * `procbench env`: the environment a run would record, as "key: value" lines,
 * from the same list that results.json uses.
 */
#include <stdio.h>

#include "commands.h"
#include "engine/sysinfo.h"

static void print_pair(const char *key, const char *value, void *ctx)
{
    (void)ctx;
    printf("%s: %s\n", key, value);
}

enum outcome command_env(void)
{
    struct run_env env;
    sysinfo_collect(&env);
    sysinfo_probe(&env, NULL, NULL); /* every probe: what a run of everything records */
    sysinfo_each(&env, print_pair, NULL);
    return OUTCOME_OK;
}
