/* Doubling growth of an array (grow.h). */
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>

void *grow_for_one(void *items, size_t *capacity, size_t count, size_t size, size_t first)
{
    if (count < *capacity)
        return items;
    size_t grown = *capacity ? 2 * *capacity : first;
    if (grown <= *capacity || size == 0 || grown > SIZE_MAX / size)
        return NULL;
    void *bigger = realloc(items, grown * size);
    if (bigger == NULL)
        return NULL;
    *capacity = grown;
    return bigger;
}
