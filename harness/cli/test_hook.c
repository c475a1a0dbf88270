/*
 * TEST ONLY: PROCBENCH_TEST_SLOWDOWN read into a run's test hook (see
 * test_hook.h). The one place procbench reads that variable.
 */
#include "test_hook.h"

#include <stdlib.h>
#include <string.h>

bool test_hook_from_env(struct runner_test_hook *hook)
{
    static char scenario[256];
    const char *knob = getenv("PROCBENCH_TEST_SLOWDOWN");
    const char *colon = knob != NULL ? strrchr(knob, ':') : NULL;
    char *end = NULL;
    if (colon == NULL || colon == knob || (size_t)(colon - knob) >= sizeof(scenario) ||
        colon[1] < '0' || colon[1] > '9')
        return false;
    unsigned long long ns = strtoull(colon + 1, &end, 10);
    if (*end != '\0' || ns >= 1000000000ull)
        return false;
    memcpy(scenario, knob, (size_t)(colon - knob));
    scenario[colon - knob] = '\0';
    hook->slow_scenario = scenario;
    hook->slowdown_ns = (uint64_t)ns;
    return true;
}
