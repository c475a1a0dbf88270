/*
 * Naming cases by what varies. A canonical case name spells every
 * parameter, `family.op{target=static,rss=64M,ballast=anon,mappings=1,
 * threads=0,fds=0,concurrency=1,placement=same}` (a hundred characters),
 * when a run usually varies one or two of them. Given the cases shown
 * together (a family's table, the console, a plot, a comparison), this file
 * finds the parameters whose value differs between them and names each case
 * by those alone: `family.op{rss=64M}`, or `op{rss=64M}` in a family's own
 * table. Within the cases it was computed over, such a label is still a
 * `procbench check` pattern matching exactly the case it names. The
 * parameters that do not vary are said once, as a line of their own.
 *
 * Values keep the spelling they were typed with (64M, not 67108864): they
 * come from the canonical name. Pure string work, used by the console, the
 * report and compare alike.
 */
#ifndef PROCBENCH_CASE_LABEL_H
#define PROCBENCH_CASE_LABEL_H

#include <stdbool.h>
#include <stddef.h>

#define CASE_LABEL_MAX_PARAMS 24 /* parameters of one case, placement included */
#define CASE_LABEL_MAX_KEYS   64 /* distinct parameter names over a set of cases */
#define CASE_LABEL_KEY_MAX    64
#define CASE_LABEL_VALUE_MAX  128

/* A case as its scenario and its parameters in name order, placement
 * included as a parameter like the others. */
struct case_name {
    char scenario[128];
    size_t count;
    struct {
        char key[CASE_LABEL_KEY_MAX];
        char value[CASE_LABEL_VALUE_MAX];
    } params[CASE_LABEL_MAX_PARAMS];
};

/* Takes "scenario{key=value,...}" (or a bare scenario) apart into *out.
 * Returns 0, or -EINVAL when name is not of that form (a value holding ',',
 * '{', '}' or '=', an empty key, a missing '}', too many parameters or a
 * part too long). */
int case_name_parse(const char *name, struct case_name *out);

/* The length of the family of a case or scenario name: the part before
 * its first '.' ("family" of "family.op{...}"). */
size_t case_name_family_len(const char *name);

/* Whether two case or scenario names are of one family. */
bool case_name_same_family(const char *a, const char *b);

/* Adds key=value to c (a value replaces the one of a key already there).
 * Returns 0, or -ENOSPC when c is full or a part is too long. */
int case_name_set(struct case_name *c, const char *key, const char *value);

/* The value of key in c, or NULL. */
const char *case_name_get(const struct case_name *c, const char *key);

/* What varies over a set of cases. A key varies when two cases that both
 * have it give it different values; a key only some cases have, with one
 * value where present, does not vary (it is constant "where it applies"). */
struct case_vary {
    size_t count;
    struct {
        char key[CASE_LABEL_KEY_MAX];
        char value[CASE_LABEL_VALUE_MAX]; /* the first value met */
        bool varies;
        bool everywhere; /* every case of the set has the key */
        size_t count;    /* cases that have it */
    } keys[CASE_LABEL_MAX_KEYS];
    size_t cases;
    size_t scenarios; /* distinct scenarios in the set (as met in a row: A, B, A counts 3) */
    char last_scenario[128];
};

/* Computes what varies over cases[0..n) into *out (keys in the order they
 * are first met). Keys beyond CASE_LABEL_MAX_KEYS are counted as varying
 * (never dropped from a label). */
void case_vary_compute(const struct case_name *const *cases, size_t n, struct case_vary *out);

/* The same one case at a time, for sets too large to hold parsed: start
 * with case_vary_init, then case_vary_add each case. (scenarios then
 * counts changes of scenario from one case to the next.) */
void case_vary_init(struct case_vary *v);
void case_vary_add(struct case_vary *v, const struct case_name *c);

/* True when key varies in v (a key v does not know varies). */
bool case_vary_varies(const struct case_vary *v, const char *key);

/* c's label: its scenario (without the part up to the first '.' when
 * drop_family) and, in braces, the parameters that vary in v and are not
 * listed in skip (NULL-terminated, may be NULL): "fork_exec{rss=64M}", or
 * "fork_exec" when none is left. Truncated to len. Returns the length it
 * needed (snprintf semantics). */
int case_label_format(const struct case_name *c, const struct case_vary *v, const char *const *skip,
                      bool drop_family, char *buf, size_t len);

/* The constant parameters of v (those not in skip) as "key=value, ..."
 * with " (where it applies)" after a key not every case has; "" when none.
 * Truncated to len. Returns the length it needed. */
int case_vary_constants(const struct case_vary *v, const char *const *skip, char *buf, size_t len);

#endif
