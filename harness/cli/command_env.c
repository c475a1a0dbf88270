/*
 * `procbench env`: the environment a run would record, as "key: value" lines,
 * from the same list that results.json uses; then where this binary finds
 * its own files (base/locate.h), so that a moved or packaged installation
 * can be checked from the outside: its layout, and the child, Node.js driver,
 * gnuplot scripts and expectations it would use.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "commands.h"
#include "base/locate.h"
#include "engine/sysinfo.h"

static void print_pair(const char *key, const char *value, void *ctx)
{
    (void)ctx;
    printf("%s: %s\n", key, value);
}

/* One line per file: its path, then what overrode it and whether it is
 * missing, in parentheses, so that the plain line is the common case. */
static void print_files(void)
{
    char dir[PATH_MAX], why[512];
    enum locate_origin layout;
    if (locate_layout(&layout, dir, sizeof(dir), why, sizeof(why)) != 0) {
        printf("layout: unknown (%s)\n", why);
        return;
    }
    printf("layout: %s\n", locate_origin_name(layout));
    printf("binary_dir: %s\n", dir);
    for (int item = 0; item < LOCATE_ITEM_COUNT; item++) {
        char path[PATH_MAX];
        enum locate_origin origin;
        const char *key = locate_item_key(item);
        if (locate_path(item, path, sizeof(path), &origin, why, sizeof(why)) != 0) {
            printf("%s: unknown (%s)\n", key, why);
            continue;
        }
        const char *variable = locate_item_variable(item);
        bool overridden = origin == LOCATE_FROM_ENVIRONMENT;
        /* The driver follows the child, so PROCBENCH_CHILD moves it too. */
        if (item == LOCATE_NODE_DRIVER && overridden) {
            const char *value = getenv(variable);
            if (value == NULL || value[0] == '\0')
                variable = locate_item_variable(LOCATE_CHILD);
        }
        bool missing = access(path, R_OK) != 0;
        printf("%s: %s", key, path);
        if (overridden || missing)
            printf(" (%s%s%s)", overridden ? "from " : "", overridden ? variable : "",
                   missing ? (overridden ? ", missing" : "missing") : "");
        printf("\n");
    }
}

enum outcome command_env(void)
{
    struct run_env env;
    sysinfo_collect(&env);
    sysinfo_probe(&env, NULL, NULL); /* every probe: what a run of everything records */
    sysinfo_each(&env, print_pair, NULL);
    print_files();
    return OUTCOME_OK;
}
