/*
 * Reading results back: a results folder (or its results.json) into a small
 * read-only model holding what compare, check, export and the report need:
 * the environment, a few configuration values, the declarations of the
 * metrics the cases carry, and per case its name, scenario, parameters,
 * placement, status, median with its confidence interval, and the medians
 * of its rounds. A folder of results folders (an --out-dir root,
 * or what ci/regress writes) reads as a set of runs.
 *
 * Files are untrusted: a baseline can be truncated, binary, from another
 * version or written by hand to do harm. Everything is checked (size, UTF-8,
 * JSON syntax, schema_version, every type and range read) and any problem is
 * one line naming the file and the problem; text read never contains control
 * characters, and callers still print it only as a %s argument.
 */
#ifndef PROCBENCH_RESULTS_READ_H
#define PROCBENCH_RESULTS_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/analysis_spec.h"
#include "base/metric.h"

/* Limits of what is accepted: a results.json of a very large run is a few
 * tens of MiB; beyond these a file is not one procbench wrote. They bound
 * the memory a hostile file can cost: the text, and (checked by a scan of
 * the text before it is parsed) jansson's tree, some 50 bytes a value, so
 * under 1 GiB for a file and under 2 GiB for a set of runs. procbench
 * writes 6 to 10 bytes a value and nests 6 deep. */
#define RESULTS_READ_MAX_BYTES      (64u * 1024u * 1024u)
#define RESULTS_READ_MAX_VALUES     (16u * 1024u * 1024u) /* JSON values in one file */
#define RESULTS_READ_MAX_DEPTH      32                    /* arrays and objects nested */
#define RESULTS_READ_MAX_SET_VALUES (32u * 1024u * 1024u) /* in all the runs of a set */
#define RESULTS_READ_MAX_TEXT    1024   /* bytes of any string kept */
#define RESULTS_READ_MAX_CASES   100000 /* cases in one file */
#define RESULTS_READ_MAX_ROUNDS  100000 /* rounds of one case */
#define RESULTS_READ_MAX_PARAMS  16     /* parameters of one case */
#define RESULTS_READ_MAX_ENV     256    /* environment entries */
#define RESULTS_READ_MAX_RUNS    1000   /* runs in a folder of runs */
#define RESULTS_READ_MAX_METRICS 32     /* metric declarations of one run */
#define RESULTS_READ_MAX_ANALYSES 16    /* analysis declarations of one run */

/* A key and its value as text (integers in decimal). */
struct stored_pair {
    const char *key;
    const char *value;
};

struct stored_case {
    const char *scenario; /* "family.name" */
    const char *name;     /* canonical case name, unique in its file */
    const char *placement;
    const char *status; /* "ok", "failed" or "skipped" */
    const char *reason; /* "" when none */
    struct stored_pair params[RESULTS_READ_MAX_PARAMS];
    char param_numbers[RESULTS_READ_MAX_PARAMS][24]; /* text of integer-valued params */
    size_t param_count;
    uint64_t n; /* samples */
    uint64_t p50_ns, p50_ci_low_ns, p50_ci_high_ns;
    double cpu_ns;              /* CPU per operation; NAN when not recorded */
    const double *round_p50_ns; /* medians of the rounds with samples, in order */
    const double *round_number; /* the "round" recorded for each: which pass it ran in */
    size_t round_count;
    bool has_rounds;  /* the file records rounds (older files do not) */
    const void *json; /* this case's object in the run's parsed document */
};

/* One bucket of a stored histogram: `count` samples of about `value_ns`. */
struct stored_bucket {
    uint64_t value_ns;
    uint64_t count;
};

/* A metric the run's cases carry (see base/metric.h): each case has
 * NAME_<stat> for every statistic of aggregate (a number, or null where the
 * case has none) and NAME_histogram. */
struct stored_metric {
    const char *name;    /* valid as metric_name_valid() says */
    const char *label;   /* "first byte" */
    const char *meaning; /* one line */
    enum metric_unit unit;
    unsigned aggregate; /* METRIC_P50 | ... */
};

/* An analysis column the run's cases carry (see base/analysis_spec.h):
 * COLUMN, and PREFIX_ci_low / PREFIX_ci_high when ci_prefix is not NULL. */
struct stored_analysis {
    const char *column;    /* valid as metric_name_valid() says */
    enum analysis_kind kind;
    const char *label;     /* a few words, as the scenario declared them */
    const char *ci_prefix; /* NULL: no interval */
    const char *param;     /* the parameter a slope is against ("rss"); NULL otherwise */
    const char *per_name;  /* a slope's unit ("GiB"); NULL otherwise */
};

struct stored_run {
    char *path; /* the results.json read */
    uint64_t started_unix_ns;
    uint64_t config_rounds; /* --rounds of the run */
    bool quick;
    struct stored_pair env[RESULTS_READ_MAX_ENV];
    size_t env_count;
    /* The file's "metrics"; a file written before metrics were declared
     * has the three it always carried: return, first_byte, rss_growth. */
    struct stored_metric metrics[RESULTS_READ_MAX_METRICS];
    size_t metric_count;
    /* The file's "analyses"; a file written before they were declared has
     * the spawn family's three, the only ones there were. */
    struct stored_analysis analyses[RESULTS_READ_MAX_ANALYSES];
    size_t analysis_count;
    struct stored_case *cases;
    size_t case_count;
    const struct stored_case **by_name; /* cases sorted by name */
    void *json;                         /* the parsed document, which the strings point into */
    size_t value_count;                 /* values in the document (an upper bound) */
    double *rounds; /* storage of every case's round_p50_ns, then of its round_number */
};

/* One or more runs: a results folder or file gives one; a folder of results
 * folders gives each of them, ordered by start time. */
struct stored_set {
    char *path; /* as given */
    struct stored_run **runs;
    size_t count;
};

/* Reads a results.json, or the results.json of a results folder, into *out
 * (free with results_read_free_run). Returns 0, or -EINVAL / -ENOENT /
 * -EFBIG / -ENOMEM... with one line in err naming the file and the problem. */
int results_read_run(const char *path, struct stored_run **out, char *err, size_t err_len);

/* Reads path as a set: a results.json or a results folder (one run), or a
 * folder whose subfolders (symbolic links such as `latest` excepted) hold
 * results.json files, all of which are read. Returns 0 or -errno with one
 * line in err. Free with results_read_free_set. */
int results_read_set(const char *path, struct stored_set *out, char *err, size_t err_len);

/* The environment value of key, or NULL when the run did not record it. */
const char *results_read_env(const struct stored_run *run, const char *key);

/* The case called name, or NULL. */
const struct stored_case *results_read_find_case(const struct stored_run *run, const char *name);

/* Any numeric summary field of a case by name ("p99", "cpu_ns",
 * "bytes_per_s", "rss_slope_ns_per_gib", ...): true with *out set when the
 * member is a JSON number; false when it is missing, null or not a number
 * (a string is never taken for a number). */
bool results_read_case_number(const struct stored_case *c, const char *key, double *out);

/* A text summary field of a case by name ("mechanism", "backlog"): the
 * string when the member is one of at most RESULTS_READ_MAX_TEXT bytes
 * without a control character or a NUL, else NULL (missing, null, not a
 * string, or not such text: an untrusted file's text never reaches a
 * table unchecked). */
const char *results_read_case_text(const struct stored_case *c, const char *key);

/* Calls fn(key, value, ctx) for every member of the case's object that is
 * a JSON number, in file order (null and non-numeric members skipped, and
 * keys longer than 64 bytes or holding a control character). Stops at the
 * first fn that returns non-zero and returns that; else 0. */
int results_read_case_each_number(const struct stored_case *c,
                                  int (*fn)(const char *key, double value, void *ctx), void *ctx);

/* Whether the member key of a case is the string value (ci_target_met
 * "no", stopped_by "max-time", ...): false when missing or anything else. */
bool results_read_case_is(const struct stored_case *c, const char *key, const char *value);

/* A numeric member of the run: of the top level when section is NULL
 * ("duration_ns"), else of that object ("config": "seed", "warmup_ns").
 * Same contract as results_read_case_number. */
bool results_read_number(const struct stored_run *run, const char *section, const char *key,
                         double *out);

/* A non-negative integer member of the run, exactly (a seed does not fit a
 * double): section as for results_read_number. False when missing, null,
 * negative or not an integer. */
bool results_read_integer(const struct stored_run *run, const char *section, const char *key,
                          uint64_t *out);

/* The histogram member key ("histogram", "first_byte_histogram", ...) of a
 * case: its buckets in increasing value order, in a new array (free with
 * free()). Returns 0; -ENOENT when missing or null; -EINVAL when it is not
 * an object with a "buckets" array of [value, count] pairs of integers,
 * values strictly increasing, counts above 0, at most
 * RESULTS_READ_MAX_BUCKETS of them; -ENOMEM. */
#define RESULTS_READ_MAX_BUCKETS 1000000
int results_read_case_histogram(const struct stored_case *c, const char *key,
                                struct stored_bucket **out, size_t *count);

/* The argv the run recorded, as strings checked like every text (at most
 * RESULTS_READ_MAX_TEXT bytes, no control character), in a new array of
 * pointers into the run (free the array with free()). Returns 0, -ENOENT
 * when the run has no argv, -EINVAL when it is not an array of such strings
 * or has more than 4096 entries, -ENOMEM. */
int results_read_argv(const struct stored_run *run, const char ***out, size_t *count);

void results_read_free_run(struct stored_run *run);
void results_read_free_set(struct stored_set *set);

#endif
