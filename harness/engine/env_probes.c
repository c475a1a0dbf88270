/*
 * The facts scenarios ask the run's environment to record (struct
 * env_probe, bench/scenario.h): which probes the catalogue's scenarios
 * point at, which of them the run needs, and their keys and values in
 * run_env.probed. The environment's own fields are sysinfo.c's; this file
 * knows no probe by name.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/reason.h"
#include "scenario.h"
#include "sysinfo.h"

_Static_assert(ENV_PROBE_VALUE_MAX <= SYSINFO_TEXT, "a probed value must fit run_env");

/* Whether probe was met earlier in the catalogue than index. */
static bool seen_before(size_t index, const struct env_probe *probe)
{
    for (size_t i = 0; i < index; i++) {
        if (scenario_catalogue[i]->env_probe == probe)
            return true;
    }
    return false;
}

static void record(struct run_env *env, const char *key, const char *value)
{
    if (env->probed_count == SYSINFO_PROBED_MAX)
        return;
    struct sysinfo_probed *p = &env->probed[env->probed_count++];
    snprintf(p->key, sizeof(p->key), "%s", key);
    /* One line whatever a program answered. */
    reason_format(p->value, sizeof(p->value), "%s", value);
}

void sysinfo_probe(struct run_env *env, bool (*wanted)(const struct env_probe *probe, void *ctx),
                   void *ctx)
{
    env->probed_count = 0;
    for (size_t i = 0; i < scenario_catalogue_count; i++) {
        const struct env_probe *probe = scenario_catalogue[i]->env_probe;
        if (probe == NULL || seen_before(i, probe))
            continue;
        char values[ENV_PROBE_KEYS_MAX][ENV_PROBE_VALUE_MAX];
        memset(values, 0, sizeof(values));
        bool asked = (wanted == NULL || wanted(probe, ctx)) && probe->collect != NULL;
        if (asked)
            probe->collect(values);
        for (size_t k = 0; k < ENV_PROBE_KEYS_MAX && probe->keys[k] != NULL; k++) {
            values[k][ENV_PROBE_VALUE_MAX - 1] = '\0';
            const char *not_asked = probe->not_asked[k] ? probe->not_asked[k] : "not asked";
            record(env, probe->keys[k], asked ? values[k] : not_asked);
        }
    }
}
