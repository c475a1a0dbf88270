/*
 * Results folders read back (results_read.h): a path that names a
 * results.json, a results folder, or a folder of results folders (an
 * --out-dir root, what ci/regress writes), whose runs are read in start
 * order; an interrupted run's folder is left out of a set.
 */
#include "results_read.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/liveness.h"
#include "base/reason.h"
#include "results_walk.h"

/* path, or path/results.json when path is a folder. *is_dir tells which. */
static int resolve(const char *path, char **file, bool *is_dir, char *err, size_t err_len)
{
    struct stat st;
    if (path[0] == '\0') {
        reason_format(err, err_len, "'': empty path");
        return -EINVAL;
    }
    if (stat(path, &st) != 0) {
        int e = errno;
        reason_format(err, err_len, "%s: %s", path, strerror(e));
        return -e;
    }
    *is_dir = S_ISDIR(st.st_mode);
    size_t len = strlen(path) + sizeof("/results.json");
    *file = malloc(len);
    if (*file == NULL) {
        reason_format(err, err_len, "%s: out of memory", path);
        return -ENOMEM;
    }
    snprintf(*file, len, "%s%s", path, *is_dir ? "/results.json" : "");
    return 0;
}

static int read_resolved(char *file, struct stored_run **out, char *err, size_t err_len)
{
    struct stored_run *run = calloc(1, sizeof(*run));
    if (run == NULL) {
        reason_format(err, err_len, "%s: out of memory", file);
        free(file);
        return -ENOMEM;
    }
    run->path = file;
    struct reader rd = {.file = file, .err = err, .err_len = err_len};
    json_t *root = NULL;
    const struct untrusted_limits limits = {
        .max_bytes = RESULTS_READ_MAX_BYTES,
        .max_values = RESULTS_READ_MAX_VALUES,
        .max_depth = RESULTS_READ_MAX_DEPTH,
    };
    int rc = untrusted_load(&rd, &limits, "a results.json", &root, &run->value_count);
    run->json = root;
    if (rc == 0)
        rc = results_walk(&rd, root, run);
    if (rc != 0) {
        results_read_free_run(run);
        return rc;
    }
    *out = run;
    return 0;
}

/* The first line of folder/name, without its newline, into line[len];
 * false when the file cannot be read. */
static bool first_line_of(const char *folder, const char *name, char *line, size_t len)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", folder, name) >= (int)sizeof(path))
        return false;
    FILE *fp = fopen(path, "re");
    if (fp == NULL)
        return false;
    bool ok = fgets(line, (int)len, fp) != NULL;
    fclose(fp);
    line[strcspn(line, "\n")] = '\0';
    return ok;
}

/* A results folder whose run has not written its results: one still going
 * (its RUNNING names a live process), one killed before it finished (a
 * RUNNING whose process is gone, or the PARTIAL a later run wrote in its
 * place). Returns 0 when folder is none of these, else -EBUSY or -ENOENT
 * with the line in err. has_results: folder holds a results.json, which is
 * whole whenever it is there (it is renamed into place). */
static int unwritten_run(const char *folder, bool has_results, char *err, size_t err_len)
{
    char line[256];
    struct liveness_id id;
    if (first_line_of(folder, "RUNNING", line, sizeof(line))) {
        if (liveness_parse(line, &id) > 0 && liveness_alive(&id)) {
            reason_format(err, err_len,
                          "%s: a run still in progress (procbench pid %d): its results are not "
                          "written yet",
                          folder, (int)id.pid);
            return -EBUSY;
        }
        if (!has_results) {
            reason_format(err, err_len,
                          "%s: an interrupted run: procbench ended before writing its results "
                          "(killed, e.g. by SIGKILL, or crashed)",
                          folder);
            return -ENOENT;
        }
        return 0;
    }
    if (!has_results && first_line_of(folder, "PARTIAL", line, sizeof(line))) {
        reason_format(err, err_len, "%s: an interrupted run without results (PARTIAL: %s)", folder,
                      line);
        return -ENOENT;
    }
    return 0;
}

int results_read_run(const char *path, struct stored_run **out, char *err, size_t err_len)
{
    char *file = NULL;
    bool is_dir = false;
    *out = NULL;
    int rc = resolve(path, &file, &is_dir, err, err_len);
    if (rc != 0)
        return rc;
    if (is_dir) {
        bool has_results = access(file, F_OK) == 0;
        rc = unwritten_run(path, has_results, err, err_len);
        if (rc == 0 && !has_results) {
            reason_format(err, err_len, "%s: a folder without results.json", path);
            rc = -ENOENT;
        }
        if (rc != 0) {
            free(file);
            return rc;
        }
    }
    return read_resolved(file, out, err, err_len);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int compare_runs_by_start(const void *a, const void *b)
{
    const struct stored_run *x = *(struct stored_run *const *)a;
    const struct stored_run *y = *(struct stored_run *const *)b;
    if (x->started_unix_ns != y->started_unix_ns)
        return (x->started_unix_ns > y->started_unix_ns) -
               (x->started_unix_ns < y->started_unix_ns);
    return strcmp(x->path, y->path);
}

/* The names of path's subfolders (not links) that hold a results.json,
 * sorted. A folder marked PARTIAL (an interrupted run: its unfinished cases
 * are missing) or RUNNING (a run going on, or killed before it finished) is
 * left out, so that pooling the runs of a folder never mixes a half run
 * into a baseline. */
static int list_run_folders(const char *path, char ***names, size_t *count, char *err,
                            size_t err_len)
{
    DIR *dir = opendir(path);
    if (dir == NULL) {
        int e = errno;
        reason_format(err, err_len, "%s: %s", path, strerror(e));
        return -e;
    }
    size_t capacity = 0;
    struct dirent *entry;
    int rc = 0;
    *names = NULL;
    *count = 0;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char sub[PATH_MAX];
        struct stat st;
        if (snprintf(sub, sizeof(sub), "%s/%s/results.json", path, entry->d_name) >=
            (int)sizeof(sub))
            continue;
        char folder[PATH_MAX];
        snprintf(folder, sizeof(folder), "%s/%s", path, entry->d_name);
        if (lstat(folder, &st) != 0 || !S_ISDIR(st.st_mode) || access(sub, F_OK) != 0)
            continue;
        char partial[PATH_MAX], running[PATH_MAX];
        if (snprintf(partial, sizeof(partial), "%s/PARTIAL", folder) >= (int)sizeof(partial) ||
            access(partial, F_OK) == 0 ||
            snprintf(running, sizeof(running), "%s/RUNNING", folder) >= (int)sizeof(running) ||
            access(running, F_OK) == 0)
            continue;
        if (*count == RESULTS_READ_MAX_RUNS) {
            reason_format(err, err_len, "%s: more than %d results folders", path,
                          RESULTS_READ_MAX_RUNS);
            rc = -E2BIG;
            break;
        }
        if (*count == capacity) {
            capacity = capacity ? capacity * 2 : 16;
            char **bigger = realloc(*names, capacity * sizeof(*bigger));
            if (bigger == NULL) {
                rc = -ENOMEM;
                break;
            }
            *names = bigger;
        }
        (*names)[*count] = strdup(folder);
        if ((*names)[*count] == NULL) {
            rc = -ENOMEM;
            break;
        }
        (*count)++;
    }
    closedir(dir);
    if (rc == -ENOMEM)
        reason_format(err, err_len, "%s: out of memory", path);
    if (rc == 0 && *count > 1)
        qsort(*names, *count, sizeof(**names), compare_names);
    return rc;
}

int results_read_set(const char *path, struct stored_set *out, char *err, size_t err_len)
{
    char *file = NULL;
    bool is_dir = false;
    memset(out, 0, sizeof(*out));
    int rc = resolve(path, &file, &is_dir, err, err_len);
    if (rc != 0)
        return rc;
    out->path = strdup(path);
    if (out->path == NULL) {
        free(file);
        reason_format(err, err_len, "%s: out of memory", path);
        return -ENOMEM;
    }
    if (!is_dir || access(file, F_OK) == 0) {
        out->runs = calloc(1, sizeof(*out->runs));
        if (out->runs == NULL) {
            free(file);
            reason_format(err, err_len, "%s: out of memory", path);
            return -ENOMEM;
        }
        rc = read_resolved(file, &out->runs[0], err, err_len);
        if (rc == 0)
            out->count = 1;
        return rc;
    }
    free(file);
    rc = unwritten_run(path, false, err, err_len);
    if (rc != 0)
        return rc;
    char **names = NULL;
    size_t count = 0;
    rc = list_run_folders(path, &names, &count, err, err_len);
    if (rc == 0 && count == 0) {
        reason_format(err, err_len,
                      "%s: a folder without results.json, and no results folders in it", path);
        rc = -ENOENT;
    }
    if (rc == 0) {
        out->runs = calloc(count, sizeof(*out->runs));
        if (out->runs == NULL) {
            reason_format(err, err_len, "%s: out of memory", path);
            rc = -ENOMEM;
        }
    }
    size_t values = 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        rc = results_read_run(names[i], &out->runs[i], err, err_len);
        if (rc != 0)
            break;
        out->count++;
        values += out->runs[i]->value_count;
        if (values > RESULTS_READ_MAX_SET_VALUES) {
            reason_format(err, err_len,
                          "%s: its runs hold more than %u values together (at %s): compare "
                          "fewer runs",
                          path, RESULTS_READ_MAX_SET_VALUES, names[i]);
            rc = -E2BIG;
        }
    }
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    if (rc == 0)
        qsort(out->runs, out->count, sizeof(*out->runs), compare_runs_by_start);
    return rc;
}

void results_read_free_set(struct stored_set *set)
{
    for (size_t i = 0; i < set->count; i++)
        results_read_free_run(set->runs[i]);
    free(set->runs);
    free(set->path);
    memset(set, 0, sizeof(*set));
}
