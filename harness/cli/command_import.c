/*
 * `procbench import DIR... [--out-dir ROOT]`: adds existing run folders to
 * the history store of ROOT (results unless given). Every DIR is read in
 * full before anything is written, so that a bad folder is refused with
 * nothing added; then each run goes in as its own transaction, and a run
 * the store holds already (same machine, same start) is left alone, so
 * importing twice adds nothing. Interrupted runs (a PARTIAL file, or a
 * RUNNING one: a run killed after its results.json was written) are
 * skipped: the store keeps completed runs only, as `run` does.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "base/reason.h"
#include "read/results_read.h"
#include "store/store.h"

/* The folder of a run read from FOLDER/results.json (or a results.json
 * given by itself: its folder). */
static void folder_of(const struct stored_run *run, char *buf, size_t len)
{
    snprintf(buf, len, "%s", run->path);
    char *slash = strrchr(buf, '/');
    if (slash == NULL)
        snprintf(buf, len, ".");
    else if (slash == buf)
        slash[1] = '\0';
    else
        *slash = '\0';
}

static bool partial(const char *folder)
{
    char mark[PATH_MAX], running[PATH_MAX];
    return (snprintf(mark, sizeof(mark), "%s/PARTIAL", folder) < (int)sizeof(mark) &&
            access(mark, F_OK) == 0) ||
           (snprintf(running, sizeof(running), "%s/RUNNING", folder) < (int)sizeof(running) &&
            access(running, F_OK) == 0);
}

/* Text from the command line may hold anything: control characters '?'. */
static void put_text(FILE *fp, const char *text)
{
    for (const char *p = text; *p; p++)
        fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, fp);
}

enum outcome command_import(const struct cli_options *opts)
{
    struct stored_set sets[CLI_MAX_INPUTS];
    size_t loaded = 0, added = 0, present = 0, skipped = 0;
    struct store *store = NULL;
    char path[PATH_MAX], err[1024];
    enum outcome outcome = OUTCOME_BAD_INPUT;
    memset(sets, 0, sizeof(sets));

    for (; loaded < opts->input_count; loaded++) {
        if (results_read_set(opts->inputs[loaded], &sets[loaded], err, sizeof(err)) != 0) {
            fprintf(stderr, "procbench: %s\n", err);
            results_read_free_set(&sets[loaded]);
            goto out;
        }
    }
    struct stat st;
    if (stat(opts->out_root, &st) == 0 && !S_ISDIR(st.st_mode)) {
        reason_format(err, sizeof(err), "--out-dir %s: not a folder", opts->out_root);
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }
    if (stat(opts->out_root, &st) != 0 && (errno != ENOENT || mkdir(opts->out_root, 0755) != 0)) {
        reason_format(err, sizeof(err), "--out-dir %s: cannot create: %s", opts->out_root,
                      strerror(errno));
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }
    if (store_path(opts->out_root, path, sizeof(path)) != 0) {
        reason_format(err, sizeof(err), "--out-dir %s: path too long", opts->out_root);
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }
    int rc = store_open(path, STORE_WRITE, STORE_BUSY_TIMEOUT_MS, &store, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        outcome = rc == -EINVAL ? OUTCOME_BAD_INPUT : OUTCOME_FAILED;
        goto out;
    }
    outcome = OUTCOME_FAILED;
    for (size_t i = 0; i < loaded; i++) {
        for (size_t k = 0; k < sets[i].count; k++) {
            const struct stored_run *run = sets[i].runs[k];
            char folder[PATH_MAX];
            bool was_added = false;
            folder_of(run, folder, sizeof(folder));
            if (partial(folder)) {
                fputs("skipped (an interrupted run, marked PARTIAL): ", stdout);
                skipped++;
            } else if (store_add_run(store, run, folder, &was_added, err, sizeof(err)) != 0) {
                fprintf(stderr, "procbench: %s\n", err);
                goto out;
            } else {
                fputs(was_added ? "added: " : "already in the store: ", stdout);
                added += was_added;
                present += !was_added;
            }
            put_text(stdout, folder);
            fputc('\n', stdout);
        }
    }
    printf("import: %zu added, %zu already in ", added, present);
    put_text(stdout, path);
    if (skipped > 0)
        printf(", %zu partial skipped", skipped);
    putchar('\n');
    outcome = OUTCOME_OK;
out:
    fflush(stdout);
    store_close(store);
    for (size_t i = 0; i < loaded; i++)
        results_read_free_set(&sets[i]);
    return outcome;
}
