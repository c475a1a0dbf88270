/*
 * hist/<case>.hgrm: each case's histogram as HdrHistogram's "percentile
 * distribution" text, so the existing HdrHistogram plotters (the online
 * HistogramLogAnalyzer, hdr-plot, wrk2's scripts) can overlay procbench cases
 * with each other or with other tools' latencies.
 *
 * The format, as those tools read it: a header line and a blank line; one
 * row per reporting step of value, percentile (a fraction), cumulative count
 * and 1/(1-percentile); a last row at percentile 1.0 without the fourth
 * column; three "#[...]" footer lines. The percentile steps are HdrHistogram's
 * "ticks per half distance": 5 equal steps cover each halving of the distance
 * to 100% (0..50 by 10, 50..75 by 5, 75..87.5 by 2.5, ...), so the tail gets
 * ever finer rows, and the walk ends when the last bucket is reached.
 */
#include "writers.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "engine/histogram.h"

#define HGRM_TICKS_PER_HALF_DISTANCE 5

/* Longest case-derived file name kept: leaves room in NAME_MAX (255) for
 * ".hgrm" and atomic_file's ".name.XXXXXX" temporary. */
#define HGRM_NAME_MAX 200

/* The percentile level after level: the step is 100 / (ticks * 2^(k + 1))
 * where 2^k is the largest power of two not above 100 / (100 - level), i.e.
 * how many times the distance to 100% has halved so far. */
static double next_percentile(double level)
{
    double halvings = floor(log2(100.0 / (100.0 - level)));

    return level + 100.0 / (HGRM_TICKS_PER_HALF_DISTANCE * ldexp(1.0, (int)halvings + 1));
}

static void write_row(FILE *fp, double value, double percentile, uint64_t cumulative)
{
    double fraction = percentile / 100.0;

    fprintf(fp, "%12.3f %14.12f %10llu %14.2f\n", value, fraction, (unsigned long long)cumulative,
            1.0 / (1.0 - fraction));
}

int write_hgrm(FILE *fp, const struct histogram *h, double value_scale)
{
    uint64_t total = histogram_count(h);
    double sum = 0, sum_sq = 0, mean = 0, stddev = 0;
    struct histogram_iter it;
    double level = 0.0;

    if (!(value_scale > 0))
        value_scale = 1.0;

    fprintf(fp, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");

    /* Each bucket reports every level its cumulative share has reached,
     * with the bucket's value; the last bucket reports once and then the
     * 100% row follows, which is where the walk stops. */
    histogram_iter_init(&it, h);
    while (total > 0 && histogram_iter_next(&it)) {
        double value = (double)it.value / value_scale;

        if (it.cumulative >= total) {
            write_row(fp, value, level, it.cumulative);
            fprintf(fp, "%12.3f %14.12f %10llu\n", value, 1.0, (unsigned long long)it.cumulative);
            break;
        }
        while (100.0 * (double)it.cumulative / (double)total >= level) {
            double next = next_percentile(level);

            write_row(fp, value, level, it.cumulative);
            if (!(next > level))
                break; /* doubles ran out of resolution: stop, do not spin */
            level = next;
        }
    }

    /* The histogram keeps no moments, so the footer's mean and deviation
     * come from the buckets, each standing at its midpoint: within the
     * histogram's precision of the exact ones in results.json. */
    if (total > 0) {
        histogram_iter_init(&it, h);
        while (histogram_iter_next(&it)) {
            double mid = ((double)it.lowest + (double)it.value) / 2.0;

            sum += mid * (double)it.count;
        }
        mean = sum / (double)total;
        histogram_iter_init(&it, h);
        while (histogram_iter_next(&it)) {
            double d = ((double)it.lowest + (double)it.value) / 2.0 - mean;

            sum_sq += d * d * (double)it.count;
        }
        stddev = sqrt(sum_sq / (double)total);
    }
    fprintf(fp, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", mean / value_scale,
            stddev / value_scale);
    fprintf(fp, "#[Max     = %12.3f, Total count    = %12llu]\n",
            (double)histogram_max(h) / value_scale, (unsigned long long)total);
    fprintf(fp, "#[Buckets = %12zu, SubBuckets     = %12zu]\n", histogram_bucket_count(h),
            histogram_sub_bucket_count(h));
    return ferror(fp) ? -EIO : 0;
}

static bool is_safe_name_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           strchr("._=,{}+-", ch) != NULL;
}

/* The case name as a file name: characters outside [A-Za-z0-9._=,{}+-]
 * (a '/' above all) become '_', and a leading '.' too, so no case can hide
 * its file or climb out of hist/. */
static void safe_file_name(const char *case_name, char out[HGRM_NAME_MAX + 1])
{
    size_t i;

    for (i = 0; case_name[i] != '\0' && i < HGRM_NAME_MAX; i++)
        out[i] = is_safe_name_char(case_name[i]) ? case_name[i] : '_';
    out[i] = '\0';
    if (i == 0)
        strcpy(out, "case");
    else if (out[0] == '.')
        out[0] = '_';
}

static int write_one(const struct histogram *h, const char *hist_dir, const char *case_name)
{
    char file[HGRM_NAME_MAX + sizeof(".hgrm")];
    struct atomic_file af;
    int rc;

    safe_file_name(case_name, file);
    strcat(file, ".hgrm");
    rc = atomic_file_open(&af, hist_dir, file);
    if (rc != 0)
        return rc;
    rc = write_hgrm(af.fp, h, 1000.0);
    if (rc != 0) {
        atomic_file_abort(&af);
        return rc;
    }
    return atomic_file_commit(&af);
}

int write_hgrm_files(const struct run_results *r, const char *dir)
{
    char hist_dir[PATH_MAX];
    int n, first_error = 0;

    n = snprintf(hist_dir, sizeof(hist_dir), "%s/hist", dir);
    if (n < 0 || (size_t)n >= sizeof(hist_dir))
        return -ENAMETOOLONG;
    /* outdir_create() made it; a folder from elsewhere may lack it. */
    if (mkdir(hist_dir, 0755) != 0 && errno != EEXIST)
        return -errno;

    /* One case's file failing (a full disk) does not stop the others: the
     * first error is returned once all were tried. */
    for (size_t i = 0; i < r->case_count; i++) {
        const struct case_result *c = &r->cases[i];
        int rc;

        if (c->hist == NULL || histogram_count(c->hist) == 0)
            continue;
        rc = write_one(c->hist, hist_dir, c->def.name);
        if (rc != 0 && first_error == 0)
            first_error = rc;
    }
    return first_error;
}
