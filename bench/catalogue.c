/*
 * Expands bench/scenarios.def into the table of scenarios the harness walks.
 * Adding a scenario is one file with its descriptor plus one line in the .def.
 */
#include <string.h>

#include "scenario.h"

#define SCENARIO(symbol, name) extern const struct scenario symbol;
#include "scenarios.def"
#undef SCENARIO

const struct scenario *const scenario_catalogue[] = {
#define SCENARIO(symbol, name) &symbol,
#include "scenarios.def"
#undef SCENARIO
};

const size_t scenario_catalogue_count = sizeof(scenario_catalogue) / sizeof(scenario_catalogue[0]);

const struct scenario *scenario_find(const char *name)
{
    for (size_t i = 0; i < scenario_catalogue_count; i++) {
        if (strcmp(scenario_catalogue[i]->name, name) == 0)
            return scenario_catalogue[i];
    }
    return NULL;
}
