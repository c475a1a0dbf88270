/*
 * Tests of the output.* scenarios driven directly, without the runner. Every
 * output scenario, for each target and for 0 bytes, 1K and 1M, runs setup ->
 * samples -> teardown and must count every byte, report a first byte inside
 * the sample and a measured RSS growth, and leave no child, descriptor or
 * mapping behind. Failure paths: a max_buffer below the output, and writers
 * that die, exit non-zero, stop short or write the wrong bytes, each a failed
 * sample with its reason and nothing left running. And the measurement the
 * family exists for: at 64 MiB the buffered parent's peak RSS grows by at
 * least the output, the streamed parents' by less than 8 MiB.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "checks.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "output_common.h"
#include "proc.h"
#include "engine/reaper.h"
#include "scenario.h"
#include "uv_common.h"

#define SAMPLES_PER_CASE 3
#define MAX_CASES        32
#define MIB              (1024u * 1024u)
/* The streamed modes hold one chunk: this is "a few MiB" with room. */
#define STREAMED_GROWTH_LIMIT (8u * MIB)

/* One test case: a scenario with its target and output size. */
struct output_case {
    const struct scenario *scenario;
    const char *target;
    const char *bytes;
    uint64_t bytes_count;
    char name[96];
};

static struct output_case cases[MAX_CASES];

static const char *const scenario_names[] = {"output.buffered", "output.streamed",
                                             "output.uv_stream"};
#define SCENARIO_COUNT (sizeof(scenario_names) / sizeof(scenario_names[0]))

/* ---- helpers ---------------------------------------------------------- */

static const struct scenario *find(const char *name)
{
    const struct scenario *s = scenario_find(name);
    if (s == NULL)
        fail_msg("%s is not in the catalogue", name);
    return s;
}

/* Fills values[] (scenario_values): settings is NULL-terminated, and a
 * setting the scenario lacks fails the test. */
static void build_params(const struct scenario *s, const char *const *settings,
                         struct param_value values[PARAMS_MAX_PER_SCENARIO])
{
    size_t given = 0;
    while (settings[given] != NULL)
        given++;
    size_t used = scenario_values(s, settings, given, values);
    if (used != given)
        fail_msg("%s: %zu of %zu settings name none of its parameters", s->name, given - used,
                 given);
}

static void setup_or_fail(const struct scenario *s, struct case_ctx *ctx)
{
    ctx->scenario = s;
    int err = s->setup(ctx);
    if (err != 0)
        fail_msg("%s: setup returned %d: %s", s->name, err, ctx->failure);
}

/* Runs one sample that must fail, and returns its reason in reason. */
static void sample_must_fail(const struct scenario *s, const char *const *settings,
                             char reason[160])
{
    struct param_value values[PARAMS_MAX_PER_SCENARIO];
    build_params(s, settings, values);
    struct case_ctx ctx = {.params = values, .peer_cpu = -1, .ops_per_sample = 1};
    int fds_before = count_fds();
    setup_or_fail(s, &ctx);
    struct sample out;
    memset(&out, 0, sizeof(out));
    int err = s->sample(&ctx, &out);
    s->teardown(&ctx);
    if (err == 0)
        fail_msg("%s: the sample succeeded (%llu bytes) but should have failed", s->name,
                 (unsigned long long)out.bytes);
    assert_int_equal(out.ns, 0);
    memcpy(reason, ctx.failure, 160);
    if (strncmp(reason, s->name, strlen(s->name)) != 0)
        fail_msg("reason \"%s\" does not name %s", reason, s->name);
    assert_no_child_left();
    assert_int_equal(count_fds(), fds_before);
}

/* ---- the scenarios -------------------------------------------------- */

static int is_buffered(const struct scenario *s)
{
    return strcmp(s->name, "output.buffered") == 0;
}

static void test_output_case(void **state)
{
    const struct output_case *c = *state;
    const struct scenario *s = c->scenario;
    use_child_program(CHILD_PROGRAM);
    char target[32], bytes[32];
    snprintf(target, sizeof(target), "target=%s", c->target);
    snprintf(bytes, sizeof(bytes), "bytes=%s", c->bytes);
    const char *const settings[] = {target, bytes, NULL};
    struct param_value values[PARAMS_MAX_PER_SCENARIO];
    build_params(s, settings, values);

    int fds_before = count_fds();
    int mappings_before = count_mappings();
    struct case_ctx ctx = {.params = values, .peer_cpu = -1, .ops_per_sample = 1};
    setup_or_fail(s, &ctx);
    for (int i = 0; i < SAMPLES_PER_CASE; i++) {
        struct sample out;
        memset(&out, 0, sizeof(out));
        int err = s->sample(&ctx, &out);
        if (err != 0)
            fail_msg("%s: sample %d returned %d: %s", c->name, i, err, ctx.failure);
        assert_string_equal(ctx.failure, "");
        assert_cmp(out.ns, >, 0);
        assert_int_equal(out.bytes, c->bytes_count);
        /* No output, no first byte: the metric is left out, not 0. */
        assert_int_equal(sample_reported(&out, OUTPUT_METRIC_FIRST_BYTE), c->bytes_count > 0);
        if (c->bytes_count > 0)
            assert_in_range(out.metric[OUTPUT_METRIC_FIRST_BYTE], 1, out.ns);
        assert_true(sample_reported(&out, OUTPUT_METRIC_RSS_GROWTH));
        /* Measured, so it can contradict the mode: the buffered parent
         * holds the whole output at once, a streamed one a chunk. */
        uint64_t growth = out.metric[OUTPUT_METRIC_RSS_GROWTH];
        if (is_buffered(s))
            assert_in_range(growth, c->bytes_count, UINT64_MAX);
        else
            assert_in_range(growth, 0, STREAMED_GROWTH_LIMIT - 1);
        /* wait4() gives the child's peak RSS; libuv reaps with waitpid(). */
        if (strcmp(s->name, "output.uv_stream") == 0)
            assert_int_equal(out.child_maxrss_kb, 0);
        else
            assert_cmp(out.child_maxrss_kb, >, 0);
    }
    s->teardown(&ctx);
    assert_null(ctx.state);

    assert_no_child_left();
    assert_int_equal(count_fds(), fds_before);
    /* ASan's allocator maps its regions lazily, so under ASan counts only
     * grow. */
#ifndef __SANITIZE_ADDRESS__
    assert_int_equal(count_mappings(), mappings_before);
#else
    (void)mappings_before;
#endif
}

/* The measurement itself, at 64 MiB: the buffered parent's peak RSS grows by
 * at least the output, each streamed parent's by less than 8 MiB. Not a
 * timing: what the kernel counts in the parent's page tables. */
static void test_rss_growth_at_64m(void **state)
{
    (void)state;
    use_child_program(CHILD_PROGRAM);
    const char *const settings[] = {"target=writer", "bytes=64M", NULL};
    for (size_t n = 0; n < SCENARIO_COUNT; n++) {
        const struct scenario *s = find(scenario_names[n]);
        struct param_value values[PARAMS_MAX_PER_SCENARIO];
        build_params(s, settings, values);
        int fds_before = count_fds();
        struct case_ctx ctx = {.params = values, .peer_cpu = -1, .ops_per_sample = 1};
        setup_or_fail(s, &ctx);
        for (int i = 0; i < SAMPLES_PER_CASE; i++) {
            struct sample out;
            memset(&out, 0, sizeof(out));
            int err = s->sample(&ctx, &out);
            if (err != 0)
                fail_msg("%s: sample %d returned %d: %s", s->name, i, err, ctx.failure);
            assert_int_equal(out.bytes, 64u * MIB);
            assert_true(sample_reported(&out, OUTPUT_METRIC_RSS_GROWTH));
            uint64_t growth = out.metric[OUTPUT_METRIC_RSS_GROWTH];
            if (is_buffered(s) ? growth < 64u * MIB : growth >= STREAMED_GROWTH_LIMIT)
                fail_msg("%s: sample %d grew the parent's RSS by %llu bytes", s->name, i,
                         (unsigned long long)growth);
        }
        s->teardown(&ctx);
        assert_no_child_left();
        assert_int_equal(count_fds(), fds_before);
    }
}

/* pipe_size reaches the pipe: the streamed buffer is as large as the
 * capacity the kernel granted. */
static void test_pipe_size(void **state)
{
    (void)state;
    use_child_program(CHILD_PROGRAM);
    const struct scenario *s = find("output.streamed");
    static const char *const sizes[][2] = {{"pipe_size=4K", "4096"}, {"pipe_size=1M", "1048576"}};
    for (size_t i = 0; i < 2; i++) {
        const char *const settings[] = {"bytes=1M", sizes[i][0], NULL};
        struct param_value values[PARAMS_MAX_PER_SCENARIO];
        build_params(s, settings, values);
        struct case_ctx ctx = {.params = values, .peer_cpu = -1, .ops_per_sample = 1};
        setup_or_fail(s, &ctx);
        const struct output_state *st = ctx.state;
        assert_int_equal(st->pipe_capacity_bytes, strtoull(sizes[i][1], NULL, 10));
        assert_int_equal(st->chunk_bytes, st->pipe_capacity_bytes);
        struct sample out;
        memset(&out, 0, sizeof(out));
        if (s->sample(&ctx, &out) != 0)
            fail_msg("%s: %s", sizes[i][0], ctx.failure);
        assert_int_equal(out.bytes, MIB);
        s->teardown(&ctx);
        assert_no_child_left();
    }
}

/* max_buffer: one byte past it the child is killed and the sample fails with
 * Node's word for it; exactly at it, the sample succeeds. */
static void test_max_buffer(void **state)
{
    (void)state;
    use_child_program(CHILD_PROGRAM);
    const struct scenario *s = find("output.buffered");
    static const char *const targets[] = {"target=writer", "target=head"};
    for (size_t i = 0; i < 2; i++) {
        const char *const over[] = {targets[i], "bytes=64K", "max_buffer=1K", NULL};
        char reason[160];
        sample_must_fail(s, over, reason);
        assert_contains(reason, "maxBuffer 1K exceeded after 1025 bytes");
        assert_contains(reason, "child killed");

        const char *const at[] = {targets[i], "bytes=64K", "max_buffer=64K", NULL};
        struct param_value values[PARAMS_MAX_PER_SCENARIO];
        build_params(s, at, values);
        struct case_ctx ctx = {.params = values, .peer_cpu = -1, .ops_per_sample = 1};
        setup_or_fail(s, &ctx);
        struct sample out;
        memset(&out, 0, sizeof(out));
        if (s->sample(&ctx, &out) != 0)
            fail_msg("%s at max_buffer=64K: %s", targets[i], ctx.failure);
        assert_int_equal(out.bytes, 65536);
        s->teardown(&ctx);
        assert_no_child_left();
    }
}

/* A writer that misbehaves: a script that the scenarios run in place of the
 * child program (through PROCBENCH_CHILD, so it is called as
 * `SCRIPT write BYTES WRITE_SIZE`), and the reason each sample must give. */
struct bad_writer {
    const char *file;
    const char *body;
    const char *reason;
};

static const struct bad_writer bad_writers[] = {
    {TEST_OUT_DIR "/output-killed.sh", "\"" CHILD_PROGRAM "\" write 100000 \"$3\"\nkill -KILL $$\n",
     "child killed by signal 9 (SIGKILL) after 100000 of 1048576 bytes"},
    {TEST_OUT_DIR "/output-exit3.sh", "\"" CHILD_PROGRAM "\" write 100000 \"$3\"\nexit 3\n",
     "child exited with status 3 after 100000 of 1048576 bytes"},
    {TEST_OUT_DIR "/output-short.sh", "\"" CHILD_PROGRAM "\" write 100000 \"$3\"\n",
     "got 100000 bytes, child wrote 1048576"},
    {TEST_OUT_DIR "/output-zeros.sh", "exec head -c \"$2\" /dev/zero\n",
     "byte 0 of the output is 0x00, expected 0x30"},
};

static void write_script(const char *path, const char *body)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_not_equal(fprintf(f, "#!/bin/sh\n%s", body), -1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0755), 0);
}

static void test_bad_writers(void **state)
{
    (void)state;
    const char *const settings[] = {"target=writer", "bytes=1M", NULL};
    for (size_t w = 0; w < sizeof(bad_writers) / sizeof(bad_writers[0]); w++) {
        write_script(bad_writers[w].file, bad_writers[w].body);
        use_child_program(bad_writers[w].file);
        for (size_t n = 0; n < SCENARIO_COUNT; n++) {
            char reason[160];
            sample_must_fail(find(scenario_names[n]), settings, reason);
            assert_contains(reason, bad_writers[w].reason);
        }
    }
    use_child_program(CHILD_PROGRAM);
}

/* Parameter lists: all have target, bytes and write_size; pipe_size only
 * where the pipe is ours; max_buffer only for buffered. */
static void test_parameter_lists(void **state)
{
    (void)state;
    static const char *const common[] = {"target", "bytes", "write_size"};
    const struct param_spec *lists[] = {output_buffered_params, output_streamed_params,
                                        output_uv_params};
    for (size_t l = 0; l < 3; l++) {
        for (size_t p = 0; p < 3; p++)
            assert_non_null(params_find(lists[l], common[p]));
        assert_int_equal(params_find(lists[l], "pipe_size") != NULL, l < 2);
        assert_int_equal(params_find(lists[l], "max_buffer") != NULL, l == 0);
    }
    assert_ptr_equal(find("output.buffered")->params, output_buffered_params);
    assert_ptr_equal(find("output.streamed")->params, output_streamed_params);
    assert_ptr_equal(find("output.uv_stream")->params, output_uv_params);
}

/* ---- the group ------------------------------------------------------ */

static int group_setup(void **state)
{
    (void)state;
    /* libuv keeps a process-wide pipe from its first loop on; pay for it
     * before any descriptor is counted. */
    return uv_common_process_init() == 0 ? 0 : -1;
}

static size_t build_cases(void)
{
    static const char *const targets[] = {"writer", "head"};
    static const struct {
        const char *text;
        uint64_t count;
    } sizes[] = {{"0", 0}, {"1K", 1024}, {"1M", MIB}};
    size_t count = 0;
    for (size_t n = 0; n < SCENARIO_COUNT; n++) {
        const struct scenario *s = scenario_find(scenario_names[n]);
        if (s == NULL) {
            fprintf(stderr, "test_output_scenarios: %s is not in the catalogue\n",
                    scenario_names[n]);
            exit(1);
        }
        for (size_t t = 0; t < 2; t++) {
            for (size_t z = 0; z < 3; z++) {
                struct output_case *c = &cases[count++];
                c->scenario = s;
                c->target = targets[t];
                c->bytes = sizes[z].text;
                c->bytes_count = sizes[z].count;
                snprintf(c->name, sizeof(c->name), "%s{target=%s,bytes=%s}", s->name, c->target,
                         c->bytes);
            }
        }
    }
    return count;
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_parameter_lists),   cmocka_unit_test(test_pipe_size),
        cmocka_unit_test(test_max_buffer),        cmocka_unit_test(test_bad_writers),
        cmocka_unit_test(test_rss_growth_at_64m),
    };
    enum { FIXED_COUNT = sizeof(fixed) / sizeof(fixed[0]) };
    static struct CMUnitTest tests[MAX_CASES + FIXED_COUNT];

    size_t count = build_cases();
    for (size_t i = 0; i < count; i++) {
        tests[i] = (struct CMUnitTest){
            .name = cases[i].name,
            .test_func = test_output_case,
            .initial_state = &cases[i],
        };
    }
    memcpy(&tests[count], fixed, sizeof(fixed));
    return _cmocka_run_group_tests("output_scenarios", tests, count + FIXED_COUNT, group_setup,
                                   NULL);
}
