/*
 * Tests of harness/base/grow.c: an array grows by doubling from its first
 * capacity, keeps what it held, is left alone while it has room, and is
 * left unchanged (still the caller's) when the size would overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "base/grow.h"

static void test_doubles_and_keeps(void **state)
{
    (void)state;
    int *items = NULL;
    size_t capacity = 0, count = 0;
    size_t seen[4] = {0};
    size_t grew = 0;
    for (int v = 0; v < 40; v++) {
        size_t before = capacity;
        int *more = grow_for_one(items, &capacity, count, sizeof(*more), 4);
        assert_non_null(more);
        if (capacity != before && grew < 4)
            seen[grew++] = capacity;
        items = more;
        items[count++] = v;
    }
    /* 4, 8, 16, 32, 64: four growths within the first 40 items seen here. */
    assert_int_equal(seen[0], 4);
    assert_int_equal(seen[1], 8);
    assert_int_equal(seen[2], 16);
    assert_int_equal(seen[3], 32);
    assert_int_equal(capacity, 64);
    for (int v = 0; v < 40; v++)
        assert_int_equal(items[v], v);
    /* Room left: the same array, the same capacity. */
    assert_ptr_equal(grow_for_one(items, &capacity, count, sizeof(*items), 4), items);
    assert_int_equal(capacity, 64);
    free(items);
}

static void test_overflow_leaves_it_alone(void **state)
{
    (void)state;
    char *items = malloc(8);
    assert_non_null(items);
    size_t capacity = 8;
    /* Twice the capacity in items of SIZE_MAX / 8 bytes does not fit. */
    assert_null(grow_for_one(items, &capacity, 8, SIZE_MAX / 8, 4));
    assert_int_equal(capacity, 8);
    /* A capacity whose double wraps around. */
    size_t huge = SIZE_MAX / 2 + 1;
    assert_null(grow_for_one(items, &huge, huge, 1, 4));
    assert_int_equal(huge, SIZE_MAX / 2 + 1);
    free(items); /* still ours: nothing was freed or moved */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles_and_keeps),
        cmocka_unit_test(test_overflow_leaves_it_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
