/*
 * libFuzzer target: an expectations file for `procbench check`. The input
 * is parsed line by line with check_parse_line() and as a whole file with
 * check_load_rules(); every error must be one line, every rule parsed must
 * have a positive finite factor and terminated strings.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_assert.h"
#include "analysis/check.h"

static char scratch[] = "procbench-fuzz-rules.XXXXXX";
static int scratch_fd = -1;

static void remove_scratch(void)
{
    unlink(scratch);
}

static void check_rule_sane(const struct check_rule *rule)
{
    fuzz_assert(rule->factor > 0 && isfinite(rule->factor));
    fuzz_assert(memchr(rule->text, '\0', sizeof(rule->text)) != NULL);
    fuzz_assert(memchr(rule->left.scenario, '\0', sizeof(rule->left.scenario)) != NULL);
    fuzz_assert(memchr(rule->right.scenario, '\0', sizeof(rule->right.scenario)) != NULL);
    fuzz_assert(rule->left.param_count <= RESULTS_READ_MAX_PARAMS);
    fuzz_assert(rule->right.param_count <= RESULTS_READ_MAX_PARAMS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Line by line, as the loader hands lines to the parser. */
    char *copy = malloc(size + 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    unsigned line_no = 1;
    for (char *line = copy, *next; line != NULL; line = next, line_no++) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        static struct check_rule rule;
        char why[256] = "";
        int rc = check_parse_line(line, line_no, &rule, why, sizeof(why));
        if (rc == 0)
            check_rule_sane(&rule);
        else if (rc != -ENODATA) /* a refusal is one line with a reason */
            fuzz_assert(why[0] != '\0' && strchr(why, '\n') == NULL);
    }
    free(copy);

    /* The whole file through the loader. */
    if (scratch_fd < 0) {
        scratch_fd = mkstemp(scratch);
        if (scratch_fd < 0)
            abort();
        atexit(remove_scratch);
    }
    if (ftruncate(scratch_fd, 0) != 0 || pwrite(scratch_fd, data, size, 0) != (ssize_t)size)
        abort();
    struct check_rule *rules = NULL;
    size_t count = 0;
    char err[512];
    if (check_load_rules(scratch, &rules, &count, err, sizeof(err)) == 0) {
        for (size_t i = 0; i < count; i++)
            check_rule_sane(&rules[i]);
        free(rules);
    } else {
        fuzz_assert(err[0] != '\0' && strchr(err, '\n') == NULL);
    }
    return 0;
}
