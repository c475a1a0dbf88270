/*
 * `procbench compare BASE NEW`: reads both sides (a results folder, a
 * results.json, or a folder of results folders), asks compare.c for a
 * verdict per case, and prints them as a console table or, with --format md,
 * as a Markdown table for a CI job summary or a pull-request comment. Text
 * from the files is printed only as data: control characters cannot occur in
 * it (results_read refuses them), and in Markdown every character with a
 * meaning there is escaped.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "analysis/compare.h"
#include "read/results_read.h"
#include "base/format.h"

/* Text from the command line (paths) may hold anything: control
 * characters become '?'. */
static void put_text(FILE *fp, const char *text)
{
    for (const char *p = text; *p; p++)
        fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, fp);
}

static void format_interval(const struct compare_row *row, const char *to, char *buf, size_t len)
{
    if (isnan(row->ratio))
        snprintf(buf, len, "-");
    else if (!(row->ratio_low > 0.0) || !isfinite(row->ratio_high))
        snprintf(buf, len, "none");
    else
        snprintf(buf, len, "%s%.3f%s%.3f%s", to[0] == ',' ? "[" : "", row->ratio_low, to,
                 row->ratio_high, to[0] == ',' ? "]" : "");
}

static void format_number(double v, const char *fmt, char *buf, size_t len)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, fmt, v);
}

static const char *runs_word(size_t n)
{
    return n == 1 ? "run" : "runs";
}

/* The line saying how the cases were tested. */
static void put_method(FILE *fp, const struct compare_report *rep, const struct cli_options *opts)
{
    fprintf(fp, "Mann-Whitney U test on the round medians%s",
            rep->base_runs > 1 || rep->new_runs > 1 ? " of all runs of each side" : "");
    fprintf(fp,
            "; ratio NEW/BASE by Hodges-Lehmann with its %.3g%% interval; p adjusted by Holm over "
            "%zu cases; alpha %.3g, threshold %.3g%%",
            100.0 * (1.0 - opts->alpha), rep->tested, opts->alpha, opts->threshold_pct);
}

static void put_counts(FILE *fp, const struct compare_report *rep, bool md)
{
    const size_t *n = rep->counts;
    fprintf(fp, "%zu cases: %s%zu regressed%s, %zu improved, %zu unchanged, %zu inconclusive",
            rep->row_count, md && n[COMPARE_REGRESSED] ? "**" : "", n[COMPARE_REGRESSED],
            md && n[COMPARE_REGRESSED] ? "**" : "", n[COMPARE_IMPROVED], n[COMPARE_UNCHANGED],
            n[COMPARE_INCONCLUSIVE]);
    if (n[COMPARE_ONLY_BASE] > 0)
        fprintf(fp, ", %zu only in BASE", n[COMPARE_ONLY_BASE]);
    if (n[COMPARE_ONLY_NEW] > 0)
        fprintf(fp, ", %zu only in NEW", n[COMPARE_ONLY_NEW]);
}

static void print_text(FILE *fp, const struct compare_report *rep, const struct cli_options *opts)
{
    /* As wide as the longest name: a cap would push the numbers of longer
     * rows (a spawn case's name is over 100 characters) out of their
     * columns. */
    int width = 4;
    for (size_t i = 0; i < rep->row_count; i++) {
        int len = (int)strlen(rep->rows[i].name);
        if (len > width)
            width = len;
    }
    fputs("BASE: ", fp);
    put_text(fp, opts->inputs[0]);
    fprintf(fp, " (%zu %s)\nNEW:  ", rep->base_runs, runs_word(rep->base_runs));
    put_text(fp, opts->inputs[1]);
    fprintf(fp, " (%zu %s)\n", rep->new_runs, runs_word(rep->new_runs));
    put_method(fp, rep, opts);
    fputs("\n\n", fp);
    fprintf(fp, "%-*s %10s %10s %7s %16s %8s  %-13s %s\n", width, "case", "base", "new", "ratio",
            "interval", "p(Holm)", "verdict", "note");
    for (size_t i = 0; i < rep->row_count; i++) {
        const struct compare_row *row = &rep->rows[i];
        char base[24], cand[24], ratio[24], interval[48], p[24];
        format_duration(row->base_ns, base, sizeof(base));
        format_duration(row->new_ns, cand, sizeof(cand));
        format_number(row->ratio, "%.3f", ratio, sizeof(ratio));
        format_interval(row, ", ", interval, sizeof(interval));
        format_number(row->p_adjusted, "%.2g", p, sizeof(p));
        fprintf(fp, "%-*s %10s %10s %7s %16s %8s  %-13s %s\n", width, row->name, base, cand, ratio,
                interval, p, compare_verdict_name(row->verdict), row->reason);
    }
    fputc('\n', fp);
    put_counts(fp, rep, false);
    fputc('\n', fp);
}

static void print_md(FILE *fp, const struct compare_report *rep, const struct cli_options *opts)
{
    fputs("### procbench compare: ", fp);
    put_counts(fp, rep, true);
    fputs("\n\nBASE ", fp);
    format_md_text(fp, opts->inputs[0]);
    fprintf(fp, " (%zu %s), NEW ", rep->base_runs, runs_word(rep->base_runs));
    format_md_text(fp, opts->inputs[1]);
    fprintf(fp, " (%zu %s). ", rep->new_runs, runs_word(rep->new_runs));
    put_method(fp, rep, opts);
    fputs(".\n\n", fp);
    if (rep->refusal[0] != '\0') {
        fputs("**Not compared: the runs come from different machines** (", fp);
        format_md_text(fp, rep->refusal);
        fputs(").\n\n", fp);
    }
    fputs("| case | BASE | NEW | NEW/BASE | interval | p (Holm) | verdict | note |\n"
          "| --- | ---: | ---: | ---: | --- | ---: | --- | --- |\n",
          fp);
    for (size_t i = 0; i < rep->row_count; i++) {
        const struct compare_row *row = &rep->rows[i];
        char base[24], cand[24], ratio[24], interval[48], p[24];
        bool strong = row->verdict == COMPARE_REGRESSED || row->verdict == COMPARE_IMPROVED;
        format_duration(row->base_ns, base, sizeof(base));
        format_duration(row->new_ns, cand, sizeof(cand));
        format_number(row->ratio, "%.3f", ratio, sizeof(ratio));
        format_interval(row, " to ", interval, sizeof(interval));
        format_number(row->p_adjusted, "%.2g", p, sizeof(p));
        fputs("| ", fp);
        format_md_text(fp, row->name);
        fprintf(fp, " | %s | %s | %s | %s | %s | %s%s%s | ", base, cand, ratio, interval, p,
                strong ? "**" : "", compare_verdict_name(row->verdict), strong ? "**" : "");
        format_md_text(fp, row->reason);
        fputs(" |\n", fp);
    }
}

enum outcome command_compare(const struct cli_options *opts)
{
    struct stored_set base, cand;
    struct compare_report rep;
    char err[1024];
    enum outcome outcome = OUTCOME_BAD_INPUT;

    if (results_read_set(opts->inputs[0], &base, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: BASE %s\n", err);
        results_read_free_set(&base);
        return OUTCOME_BAD_INPUT;
    }
    if (results_read_set(opts->inputs[1], &cand, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: NEW %s\n", err);
        results_read_free_set(&base);
        results_read_free_set(&cand);
        return OUTCOME_BAD_INPUT;
    }
    struct compare_options copt = {
        .threshold = opts->threshold_pct / 100.0,
        .alpha = opts->alpha,
        .allow_different_machines = opts->allow_different_machines,
    };
    if (compare_sets(&base, &cand, &copt, &rep, err, sizeof(err)) != 0) {
        fprintf(stderr, "procbench: %s\n", err);
        outcome = OUTCOME_FAILED;
        goto out;
    }
    if (opts->format == CLI_FORMAT_MD)
        print_md(stdout, &rep, opts);
    else
        print_text(stdout, &rep, opts);
    fflush(stdout);
    if (rep.refusal[0] != '\0') {
        /* Not a pass: the files cannot answer the question asked of them. */
        fprintf(stderr,
                "procbench: BASE and NEW ran on different machines (%s); "
                "--allow-different-machines compares them anyway\n",
                rep.refusal);
        outcome = OUTCOME_BAD_INPUT;
    } else {
        outcome = rep.counts[COMPARE_REGRESSED] > 0 ? OUTCOME_REGRESSED : OUTCOME_OK;
    }
    compare_report_free(&rep);
out:
    results_read_free_set(&base);
    results_read_free_set(&cand);
    return outcome;
}
