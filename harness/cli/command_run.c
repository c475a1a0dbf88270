/*
 * `procbench run`: selects the cases, records the environment, creates the
 * results folder (first, so that a bad --out-dir costs nothing), measures,
 * writes every file under a temporary name, and points `latest` at the run
 * only once everything is written.
 *
 * SIGINT, SIGTERM or SIGHUP stops the run (see interrupt.h): the round
 * running is killed with its children, the cases that had finished are
 * written, the folder is marked partial (a PARTIAL file and "partial" in
 * results.json), and `latest` is left where it was: it names the newest
 * complete run, which is what scripts that follow it (ci/bench, `procbench
 * check results/latest`) expect. Nothing can be done on SIGKILL: the
 * folder's RUNNING file then names a process that is gone, and the next run
 * into the same root marks the folder PARTIAL (see outdir.h).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "output/atomic_file.h"
#include "base/reason.h"
#include "commands.h"
#include "test_hook.h"
#include "output/console.h"
#include "engine/interrupt.h"
#include "output/outdir.h"
#include "engine/runner.h"
#include "analysis/curves.h"
#include "analysis/open_loop.h"
#include "engine/sysinfo.h"
#include "output/writers.h"
#include "read/results_read.h"
#include "store/store.h"

/* A fresh seed below 2^63, the range --seed accepts, so that any recorded
 * seed can be typed back to repeat the order of rounds. */
static uint64_t random_seed(void)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid();
    }
    return seed >> 1;
}

static uint64_t unix_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Writes every file of the results folder. Returns 0 or -errno with the
 * failing file named in err. */
static int write_results(const struct run_results *r, const char *dir, char *err, size_t err_len)
{
    static const struct {
        const char *file;
        int (*write)(const struct run_results *, const char *);
    } writers[] = {
        {"summary.csv", write_summary_csv},
        {"rounds.csv", write_rounds_csv},
        {"results.json", write_results_json},
        {"hist/*.hgrm", write_hgrm_files},
    };
    for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
        int rc = writers[i].write(r, dir);
        if (rc != 0) {
            reason_format(err, err_len, "writing %s/%s failed: %s", dir, writers[i].file,
                          strerror(-rc));
            return rc;
        }
    }
    return 0;
}

/* The PARTIAL file of an interrupted run: one line saying why. */
static int write_partial_mark(const struct run_results *r, const char *dir)
{
    struct atomic_file af;
    int rc = atomic_file_open(&af, dir, "PARTIAL");
    if (rc != 0)
        return rc;
    char why[160];
    runner_partial_reason(r, why, sizeof(why));
    fprintf(af.fp, "%s\n", why);
    return atomic_file_commit(&af);
}

/* Adds the completed run to the history store of its results root, read
 * back from the results.json just written, so that a run stored now and
 * the same folder imported later are the same rows. The store is an index:
 * when it cannot take the run (locked past the timeout, corrupt,
 * read-only, not a store), one line says so and the run, whole in its
 * folder, keeps its outcome. */
static void store_run(const char *root, const char *dir)
{
    char path[PATH_MAX], err[PATH_MAX + 256];
    struct stored_run *run = NULL;
    struct store *store = NULL;
    bool added = false;
    int rc = store_path(root, path, sizeof(path));
    if (rc != 0)
        snprintf(err, sizeof(err), "%s/%s: path too long", root, STORE_FILE);
    if (rc == 0)
        rc = results_read_run(dir, &run, err, sizeof(err));
    if (rc == 0)
        rc = store_open(path, STORE_WRITE, STORE_BUSY_TIMEOUT_MS, &store, err, sizeof(err));
    if (rc == 0)
        rc = store_add_run(store, run, dir, &added, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "procbench: warning: history store not updated: %s; the run is in %s\n",
                err, dir);
    store_close(store);
    results_read_free_run(run);
}

static enum outcome measure_and_write(struct run_results *r, const struct cli_options *opts,
                                      const char *dir)
{
    struct console con;
    console_begin(&con, r, opts->quiet);
    struct runner_observer obs = {
        .progress = console_progress,
        .case_done = console_case_done,
        .ctx = &con,
    };
    if (runner_run(r, &obs) != 0) {
        fprintf(stderr, "procbench: out of memory while running\n");
        return OUTCOME_FAILED;
    }
    sysinfo_finish(&r->env);
    if (curves_compute(r) != 0) {
        fprintf(stderr, "procbench: out of memory computing the spawn curves\n");
        return OUTCOME_FAILED;
    }
    open_loop_compute(r);
    char err[PATH_MAX + 128];
    if (write_results(r, dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        return OUTCOME_FAILED;
    }
    if (r->interrupted_signal != 0) {
        int rc = write_partial_mark(r, dir);
        if (rc != 0) {
            reason_format(err, sizeof(err), "writing %s/PARTIAL failed: %s", dir, strerror(-rc));
            fprintf(stderr, "procbench: %s\n", err);
            return OUTCOME_FAILED;
        }
        console_end(&con, r, dir);
        char why[160];
        runner_partial_reason(r, why, sizeof(why));
        outdir_unmark_running(dir);
        char root[PATH_MAX + 64];
        reason_format(root, sizeof(root), "%s", opts->out_root);
        fprintf(stderr, "procbench: %s; results folder marked partial, %s/latest not moved\n", why,
                root);
        return outcome_interrupted(r->interrupted_signal);
    }
    outdir_unmark_running(dir);
    int rc = outdir_point_latest(opts->out_root, dir);
    if (rc != 0) {
        reason_format(err, sizeof(err), "warning: could not point %s/latest at the run: %s",
                      opts->out_root, strerror(-rc));
        fprintf(stderr, "procbench: %s\n", err);
    }
    console_end(&con, r, dir);
    store_run(opts->out_root, dir);
    for (size_t i = 0; i < r->case_count; i++) {
        if (r->cases[i].status == CASE_FAILED)
            return OUTCOME_CASE_FAILED;
    }
    return OUTCOME_OK;
}

/* The cases of a run, for sysinfo_probe(): a probe is asked when one of
 * their scenarios points at it. */
struct selected {
    const struct case_def *defs;
    size_t count;
};

static bool selected_needs(const struct env_probe *probe, void *ctx)
{
    const struct selected *s = ctx;
    for (size_t i = 0; i < s->count; i++) {
        if (s->defs[i].scenario->env_probe == probe)
            return true;
    }
    return false;
}

enum outcome command_run(const struct cli_options *opts, int argc, char **argv)
{
    /* First, so that a Ctrl-C at any point of the run is noted, never
     * lethal: there is always a folder to finish or to remove. */
    int irc = interrupt_install();
    if (irc != 0) {
        fprintf(stderr, "procbench: sigaction(SIGINT/SIGTERM/SIGHUP) failed: %s\n",
                strerror(-irc));
        return OUTCOME_FAILED;
    }
    struct case_selection sel = {
        .filters = opts->filters,
        .filter_count = opts->filter_count,
        .overrides = opts->overrides,
        .override_count = opts->override_count,
        .placements = opts->placements,
        .quick = opts->config.quick,
    };
    struct case_def *defs = NULL;
    size_t count = 0;
    char err[512];
    if (cases_expand(&sel, &defs, &count, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        return OUTCOME_BAD_INPUT;
    }

    static struct run_results r;
    r.config = opts->config;
    static struct runner_test_hook hook; /* TEST ONLY: see test_hook.h */
    if (test_hook_from_env(&hook))
        r.config.test_hook = &hook;
    if (!opts->seed_given)
        r.config.seed = random_seed();
    r.argc = argc;
    r.argv = argv;
    r.started_unix_ns = unix_now_ns();
    sysinfo_collect(&r.env);
    struct selected selected = {defs, count};
    sysinfo_probe(&r.env, selected_needs, &selected);

    char dir[PATH_MAX];
    /* What a run killed before it finished left in this root is marked
     * first, so that no reader takes it for a run still going. */
    outdir_mark_abandoned(opts->out_root);
    if (outdir_create(opts->out_root, r.started_unix_ns, r.env.hostname, dir, sizeof(dir), err,
                      sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        free(defs);
        return OUTCOME_BAD_INPUT;
    }
    int mrc = outdir_mark_running(dir);
    if (mrc != 0) {
        reason_format(err, sizeof(err), "%s/%s: cannot write: %s", dir, OUTDIR_RUNNING_FILE,
                      strerror(-mrc));
        fprintf(stderr, "procbench: %s\n", err);
        outdir_remove(dir);
        free(defs);
        return OUTCOME_FAILED;
    }
    enum outcome outcome;
    int rc = runner_init(&r, defs, count);
    if (rc != 0) {
        fprintf(stderr, "procbench: preparing %zu cases failed: %s\n", count, strerror(-rc));
        outcome = OUTCOME_FAILED;
    } else {
        outcome = measure_and_write(&r, opts, dir);
    }
    if (outcome == OUTCOME_FAILED)
        outdir_remove(dir); /* no empty or half-written run folder is left */
    runner_free(&r);
    free(defs);
    return outcome;
}
