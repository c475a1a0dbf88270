/*
 * `procbench report [RESULTS...] [--out DIR] [--png]`: reads each results
 * folder (results/latest when none is given), judges the claims, draws the
 * plots of the first run with gnuplot when it is installed, and writes
 * report.md, report.html and plots/ into DIR: the results folder itself for
 * one run, --out (required) for several. Everything is made in a temporary
 * folder inside DIR and renamed into place at the end, so that a failure
 * leaves the previous report (or none), never half of one. A plots/ folder
 * already in DIR is replaced only if a report made it (it holds the marker
 * file .procbench-report): `--out .` in the repository cannot take its
 * plots/ scripts away.
 *
 * The temporary folder is DIR/.report.PID.START.XXXXXX (liveness.h names
 * the process). SIGINT, SIGTERM or SIGHUP stop the report: gnuplot is
 * killed with what it started, the temporary folder removed, nothing of
 * the report appears, and the exit code says which signal. SIGKILL cannot
 * be caught: the next report into DIR removes temporary folders whose
 * process is gone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "base/liveness.h"
#include "base/locate.h"
#include "base/reason.h"
#include "engine/interrupt.h"
#include "report/report_claims.h"
#include "report/report_content.h"
#include "report/report_gnuplot.h"
#include "report/report_history.h"
#include "report/report_model.h"
#include "report/report_plots.h"
#include "report/report_writer.h"

#define MARKER ".procbench-report"

/* Removes path and what it holds (a report's folders are two deep). */
static void remove_tree(const char *path, int depth)
{
    DIR *dir = depth > 0 ? opendir(path) : NULL;
    if (dir != NULL) {
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[PATH_MAX];
            struct stat st;
            if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= (int)sizeof(sub))
                continue;
            if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(sub, depth - 1);
            else
                unlink(sub);
        }
        closedir(dir);
    }
    rmdir(path);
}

/* What report.md's tables may fill: GitHub takes 65,536 characters in a
 * comment or a job summary, and the sections after the tables need a few
 * thousand bytes. */
#define REPORT_MD_TABLE_BUDGET 56000

static int write_one(const char *path, const struct report_writer_ops *ops,
                     const struct report_content *content, char *err, size_t err_len)
{
    struct report_writer w = {.ops = ops,
                              .compact = ops == &report_md_ops,
                              .budget = ops == &report_md_ops ? REPORT_MD_TABLE_BUDGET : 0};
    w.fp = fopen(path, "we");
    if (w.fp == NULL) {
        int e = errno;
        reason_format(err, err_len, "%s: cannot create: %s", path, strerror(e));
        return -e;
    }
    int rc = report_content_write(&w, content);
    if (rc != 0)
        reason_format(err, err_len, "%s: a plot could not be read back: %s", path, strerror(-rc));
    if (ferror(w.fp) && rc == 0) {
        reason_format(err, err_len, "%s: write failed", path);
        rc = -EIO;
    }
    if (fclose(w.fp) != 0 && rc == 0) {
        int e = errno;
        reason_format(err, err_len, "%s: write failed: %s", path, strerror(e));
        rc = -e;
    }
    return rc;
}

/* Removes the temporary folders that reports killed before they finished
 * left in out: .report.PID.START.XXXXXX whose process is gone. */
static void remove_abandoned_staging(const char *out)
{
    DIR *dir = opendir(out);
    if (dir == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        struct liveness_id id;
        size_t n;
        if (strncmp(e->d_name, ".report.", 8) != 0 ||
            (n = liveness_parse(e->d_name + 8, &id)) == 0 || e->d_name[8 + n] != '.' ||
            liveness_alive(&id))
            continue;
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%s", out, e->d_name) < (int)sizeof(path))
            remove_tree(path, 3);
    }
    closedir(dir);
}

/* Moves staging/plots, report.md and report.html into out. */
static int commit(const char *out, const char *staging, char *err, size_t err_len)
{
    char old[PATH_MAX], now[PATH_MAX], made[PATH_MAX];
    snprintf(now, sizeof(now), "%s/plots", out);
    snprintf(made, sizeof(made), "%s/plots", staging);
    snprintf(old, sizeof(old), "%s/old-plots", staging);
    bool had_plots = access(now, F_OK) == 0;
    if (had_plots && rename(now, old) != 0) {
        int e = errno;
        reason_format(err, err_len, "%s: cannot move aside: %s", now, strerror(e));
        return -e;
    }
    if (rename(made, now) != 0) {
        int e = errno;
        if (had_plots)
            rename(old, now);
        reason_format(err, err_len, "%s: cannot rename into place: %s", now, strerror(e));
        return -e;
    }
    static const char *const files[] = {"report.md", "report.html"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(made, sizeof(made), "%s/%s", staging, files[i]);
        snprintf(now, sizeof(now), "%s/%s", out, files[i]);
        if (rename(made, now) != 0) {
            int e = errno;
            reason_format(err, err_len, "%s: cannot rename into place: %s", now, strerror(e));
            return -e;
        }
    }
    return 0;
}

/* The out folder: made when missing (its parent must exist); an existing
 * plots/ in it must be a report's. */
static int prepare_out(const char *out, char *err, size_t err_len)
{
    struct stat st;
    if (stat(out, &st) != 0) {
        if (errno != ENOENT || mkdir(out, 0755) != 0) {
            int e = errno;
            reason_format(err, err_len, "%s: cannot make the report folder: %s", out, strerror(e));
            return -e;
        }
    } else if (!S_ISDIR(st.st_mode)) {
        reason_format(err, err_len, "%s: not a folder", out);
        return -ENOTDIR;
    }
    char plots[PATH_MAX], marker[PATH_MAX];
    snprintf(plots, sizeof(plots), "%s/plots", out);
    snprintf(marker, sizeof(marker), "%s/plots/" MARKER, out);
    if (lstat(plots, &st) == 0 && (!S_ISDIR(st.st_mode) || access(marker, F_OK) != 0)) {
        reason_format(err, err_len,
                      "%s: exists and was not written by procbench report: choose another --out",
                      plots);
        return -EEXIST;
    }
    return 0;
}

enum outcome command_report(const struct cli_options *opts, int argc, char **argv)
{
    static const char *const latest[] = {"results/latest"};
    const char *const *inputs = opts->input_count > 0 ? opts->inputs : latest;
    size_t count = opts->input_count > 0 ? opts->input_count : 1;
    struct report_run runs[CLI_MAX_INPUTS];
    struct report_claim_result *claims = NULL;
    struct report_plots plots = {0};
    struct report_history history = {0};
    char err[1024], staging[PATH_MAX] = "", path[PATH_MAX + 32], gnuplot[PATH_MAX];
    char plots_note[512] = "";
    size_t loaded = 0;
    enum outcome outcome = OUTCOME_BAD_INPUT;
    memset(runs, 0, sizeof(runs));

    /* First: a signal at any later point is noted, never lethal, so that
     * there is always a temporary folder to remove. */
    int irc = interrupt_install();
    if (irc != 0) {
        fprintf(stderr, "procbench: sigaction(SIGINT/SIGTERM/SIGHUP) failed: %s\n",
                strerror(-irc));
        return OUTCOME_FAILED;
    }
    report_gnuplot_stop_when(interrupt_record());
    if (count > 1 && opts->report_out == NULL) {
        fprintf(stderr, "procbench: report of %zu results folders: give --out DIR\n", count);
        return OUTCOME_BAD_INPUT;
    }
    for (; loaded < count; loaded++) {
        if (report_model_load(inputs[loaded], &runs[loaded], err, sizeof(err)) != 0) {
            report_model_free(&runs[loaded]);
            fprintf(stderr, "procbench: %s\n", err);
            goto out;
        }
    }
    if (opts->label_count > count) {
        fprintf(stderr, "procbench: %zu --label for %zu results folders\n", opts->label_count,
                count);
        goto out;
    }
    report_run_labels(runs, count, opts->labels, opts->label_count);
    const char *out_dir = opts->report_out ? opts->report_out : runs[0].folder;
    if (prepare_out(out_dir, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }
    remove_abandoned_staging(out_dir);
    struct liveness_id self;
    char id[48];
    if (liveness_self(&self) != 0)
        self.start_ticks = 0; /* no /proc: the pid alone still names us */
    liveness_format(&self, id, sizeof(id));
    if (snprintf(staging, sizeof(staging), "%s/.report.%s.XXXXXX", out_dir, id) >=
            (int)sizeof(staging) ||
        mkdtemp(staging) == NULL) {
        reason_format(err, sizeof(err), "%s: cannot write the report there: %s", out_dir,
                      strerror(errno));
        fprintf(stderr, "procbench: %s\n", err);
        staging[0] = '\0';
        goto out;
    }
    outcome = OUTCOME_FAILED;
    snprintf(path, sizeof(path), "%s/plots", staging);
    if (mkdir(path, 0755) != 0) {
        reason_format(err, sizeof(err), "%s: mkdir failed: %s", path, strerror(errno));
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }
    snprintf(path, sizeof(path), "%s/plots/" MARKER, staging);
    FILE *marker = fopen(path, "we");
    if (marker == NULL ||
        fputs("made by procbench report; replaced by the next one\n", marker) < 0 ||
        fclose(marker) != 0) {
        reason_format(err, sizeof(err), "%s: cannot write", path);
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }

    /* PROCBENCH_PLOTS_DIR, else the source tree's plots/ for a build tree's
     * binary, or share/procbench/plots of an installed one. */
    char scripts[PATH_MAX];
    if (locate_path(LOCATE_PLOTS_DIR, scripts, sizeof(scripts), NULL, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        outcome = OUTCOME_BAD_INPUT;
        goto out;
    }
    char probe[PATH_MAX + 16];
    snprintf(probe, sizeof(probe), "%s/common.gp", scripts);
    bool have_gnuplot = report_gnuplot_find(gnuplot, sizeof(gnuplot)) == 0;
    if (!have_gnuplot) {
        snprintf(plots_note, sizeof(plots_note),
                 "No plots: gnuplot was not found (install it with `apt-get install "
                 "gnuplot-nox`). Their data is in plots/data/.");
        fprintf(stderr, "procbench: gnuplot not found: the report has no plots (install it with "
                        "`apt-get install gnuplot-nox`)\n");
    } else if (access(probe, R_OK) != 0) {
        reason_format(plots_note, sizeof(plots_note),
                      "No plots: the gnuplot scripts are not at %s (set PROCBENCH_PLOTS_DIR).",
                      scripts);
        reason_format(err, sizeof(err),
                      "%s: no gnuplot scripts there: the report has no plots (set "
                      "PROCBENCH_PLOTS_DIR)",
                      scripts);
        fprintf(stderr, "procbench: %s\n", err);
        have_gnuplot = false;
    }
    snprintf(path, sizeof(path), "%s/plots", staging);
    int rc = report_plots_make(&runs[0], path, scripts, have_gnuplot ? gnuplot : NULL,
                               opts->report_png, &plots, err, sizeof(err));
    if (interrupt_signal() != 0)
        goto out;
    if (rc != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        if (rc == -EINVAL)
            outcome = OUTCOME_BAD_INPUT;
        goto out;
    }
    if (have_gnuplot && plots.count == 0)
        snprintf(plots_note, sizeof(plots_note), "No plots: no case has data to plot.");
    /* Trends over the runs of this machine, when its store holds some. */
    rc = report_history_make(&runs[0], path, scripts, have_gnuplot ? gnuplot : NULL,
                             opts->report_png, plots.count, &history, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }

    claims = calloc(count * report_claim_count, sizeof(*claims));
    if (claims == NULL) {
        fprintf(stderr, "procbench: out of memory\n");
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        if (report_claims_judge(runs[i].run, &claims[i * report_claim_count]) != 0) {
            fprintf(stderr, "procbench: out of memory judging the claims\n");
            goto out;
        }
    }
    char command[8192];
    report_shell_join((const char *const *)argv, (size_t)argc, command, sizeof(command));
    snprintf(path, sizeof(path), "%s/plots", staging);
    struct report_content content = {.runs = runs,
                                     .run_count = count,
                                     .claims = claims,
                                     .plots = &plots,
                                     .plots_dir = path,
                                     .plots_note = plots_note,
                                     .command = command,
                                     .history = &history};
    char file[PATH_MAX + 32];
    snprintf(file, sizeof(file), "%s/report.md", staging);
    if (write_one(file, &report_md_ops, &content, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }
    snprintf(file, sizeof(file), "%s/report.html", staging);
    if (write_one(file, &report_html_ops, &content, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }
    /* The last moment to stop: once the renames begin, they finish. */
    if (interrupt_signal() != 0)
        goto out;
    if (commit(out_dir, staging, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        goto out;
    }
    reason_format(err, sizeof(err), "%s", out_dir);
    printf("report: %s/report.html\n", err);
    outcome = OUTCOME_OK;
out:
    if (staging[0] != '\0')
        remove_tree(staging, 3);
    if (outcome != OUTCOME_OK && interrupt_signal() != 0) {
        fprintf(stderr, "procbench: report interrupted by %s: nothing written\n",
                interrupt_name(interrupt_signal()));
        outcome = outcome_interrupted(interrupt_signal());
    }
    report_plots_free(&plots);
    report_history_free(&history);
    free(claims);
    for (size_t i = 0; i < loaded; i++)
        report_model_free(&runs[i]);
    return outcome;
}
