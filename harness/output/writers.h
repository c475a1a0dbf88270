/*
 * The files of a results folder. Each writer reads a finished run_results,
 * writes through atomic_file (temporary name, then rename) and returns 0 or
 * -errno; none of them measures or changes anything.
 */
#ifndef PROCBENCH_WRITERS_H
#define PROCBENCH_WRITERS_H

#include <stdio.h>

#include "engine/results.h"

/* dir/summary.csv: one row per case. Columns: scenario, case, one
 * param_<name> per parameter of any scenario in the run (in catalogue
 * order; empty where a case's scenario lacks it), placement, then
 * summary_columns.def, whose metric columns are those the run's scenarios
 * declare. Sizes and counts as integers, times in integer ns. */
int write_summary_csv(const struct run_results *r, const char *dir);

/* dir/rounds.csv: one row per round, in the order they ran. */
int write_rounds_csv(const struct run_results *r, const char *dir);

/* dir/results.json: schema_version, tool, environment, config, argv, and
 * every case with its columns, parameters, histogram buckets and per_round
 * (each round's n, p50 and mean, which `procbench compare` tests). */
int write_results_json(const struct run_results *r, const char *dir);

/* One HdrHistogram percentile-distribution text of h to fp, values divided
 * by value_scale (1000.0 gives microseconds). Returns 0 or -EIO. */
int write_hgrm(FILE *fp, const struct histogram *h, double value_scale);

/* dir/hist/<case>.hgrm for every case with samples, in microseconds; case
 * names are made safe for file names. */
int write_hgrm_files(const struct run_results *r, const char *dir);

#endif
