/*
 * libFuzzer target: the parsers of durations, sizes and counts. A value
 * that parses must format and parse back to itself where the formatter is
 * exact (sizes), stay in range (counts), and a refusal must come with a
 * reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_assert.h"
#include "base/units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    uint64_t value = 0;
    const char *why = NULL;

    if (units_parse_duration_ns(text, &value, &why) == 0) {
        char buf[64];
        units_format_duration(value, buf, sizeof(buf));
    } else {
        fuzz_assert(why != NULL); /* a refusal comes with a reason */
    }

    why = NULL;
    if (units_parse_size_bytes(text, &value, &why) == 0) {
        char buf[64];
        uint64_t again = 0;
        units_format_size(value, buf, sizeof(buf));
        fuzz_assert(units_parse_size_bytes(buf, &again, &why) == 0 && again == value);
    } else {
        fuzz_assert(why != NULL); /* a refusal comes with a reason */
    }

    why = NULL;
    if (units_parse_count(text, 3, 1000000, &value, &why) == 0) {
        fuzz_assert(value >= 3 && value <= 1000000);
    } else {
        fuzz_assert(why != NULL); /* a refusal comes with a reason */
    }
    free(text);
    return 0;
}
