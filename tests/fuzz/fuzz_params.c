/*
 * libFuzzer target: a --param value list (params_parse_list) against a
 * size, a count and a word parameter. A list that parses must give values
 * inside the declared range, canonical texts that parse back to the same
 * value, and no duplicates; a refusal must be one line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_assert.h"
#include "base/params.h"

static const struct param_spec specs[] = {
    {.name = "size", .kind = PARAM_SIZE, .defaults = "1", .min = 1, .max = 1u << 30},
    {.name = "count", .kind = PARAM_COUNT, .defaults = "1", .min = 0, .max = 1000000},
    {.name = "mode", .kind = PARAM_WORD, .defaults = "a", .choices = "pingpong,stream,a"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const struct param_spec *spec = &specs[data[0] % 3];
    char *list = malloc(size);
    if (list == NULL)
        return 0;
    memcpy(list, data + 1, size - 1);
    list[size - 1] = '\0';
    static struct param_value values[PARAMS_MAX_VALUES];
    size_t count = 0;
    char err[256];
    if (params_parse_list(spec, list, values, &count, err, sizeof(err)) == 0) {
        fuzz_assert(count >= 1 && count <= PARAMS_MAX_VALUES);
        for (size_t i = 0; i < count; i++) {
            fuzz_assert(spec->kind == PARAM_WORD ||
                        (values[i].number >= spec->min && values[i].number <= spec->max));
            /* The canonical text parses back to the same value. */
            struct param_value again[PARAMS_MAX_VALUES];
            size_t n = 0;
            fuzz_assert(params_parse_list(spec, values[i].text, again, &n, err, sizeof(err)) == 0 &&
                        n == 1 && again[0].number == values[i].number);
            for (size_t j = 0; j < i; j++)
                fuzz_assert(values[j].number != values[i].number); /* no duplicates */
        }
    } else {
        fuzz_assert(err[0] != '\0' && strchr(err, '\n') == NULL);
    }
    free(list);
    return 0;
}
