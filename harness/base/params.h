/*
 * Scenario parameters: how a scenario declares its knobs (name, kind, default
 * values, allowed range) and how a comma-separated list typed by a user
 * becomes validated values. Case expansion (the cartesian product) lives in
 * cases.c; this file knows one parameter at a time.
 */
#ifndef PROCBENCH_PARAMS_H
#define PROCBENCH_PARAMS_H

#include <stddef.h>
#include <stdint.h>

enum param_kind {
    PARAM_WORD,  /* one of a fixed list of words (choices) */
    PARAM_SIZE,  /* bytes, typed with K/M/G suffixes */
    PARAM_COUNT, /* a plain integer */
};

struct param_spec {
    const char *name; /* NULL ends a list of specs */
    enum param_kind kind;
    const char *defaults; /* comma-separated values used when the user gives none */
    const char *choices;  /* PARAM_WORD: comma-separated allowed words */
    uint64_t min, max;    /* PARAM_SIZE, PARAM_COUNT: inclusive range */
    const char *help;     /* one line for `procbench list` */
    /* PARAM_SIZE, PARAM_COUNT: a word also accepted in place of a number
     * (spawn's env=inherit: "whatever the harness has", which no number
     * can say), kept as PARAM_VALUE_WORD; NULL: numbers only. */
    const char *word;
    /* Values --quick uses when the user gives none: the points of a sweep
     * that answer the main questions (the report's claims); NULL: the
     * defaults. */
    const char *quick;
};

/* The number of a value given as its spec's word. */
#define PARAM_VALUE_WORD UINT64_MAX

/* Most parameters one scenario may declare (the spawn rows have 11). */
#define PARAMS_MAX_PER_SCENARIO 16

/* One value of one parameter. */
struct param_value {
    char text[32];   /* canonical spelling, used in case names: "static", "1G" */
    uint64_t number; /* SIZE and COUNT: the value; WORD: index in choices */
};

/* Longest value list accepted for one parameter. */
#define PARAMS_MAX_VALUES 64

/* Parses a comma-separated list of values for spec into out[0..*count).
 * Duplicates are refused. Returns 0, or -EINVAL with a one-line reason naming
 * the parameter and the bad value written to err. */
int params_parse_list(const struct param_spec *spec, const char *list,
                      struct param_value out[PARAMS_MAX_VALUES], size_t *count, char *err,
                      size_t err_len);

/* Number of specs before the terminating { .name = NULL }. */
size_t params_count(const struct param_spec *specs);

/* The spec called name, or NULL. */
const struct param_spec *params_find(const struct param_spec *specs, const char *name);

/* True when value (a WORD parameter's value) is the word choice. */
int params_is(const struct param_value *value, const char *choice);

/* True when the value of spec is written as text in the outputs: a WORD
 * parameter's, or a number's spec->word. Numbers are written as numbers. */
int params_value_is_text(const struct param_spec *spec, const struct param_value *value);

#endif
