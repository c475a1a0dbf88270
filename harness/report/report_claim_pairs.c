/*
 * The cases a claim rests on (report_claim_pairs.h).
 */
#include "report_claim_pairs.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_model.h"

static bool pattern_has_key(const struct check_pattern *p, const char *key)
{
    for (size_t i = 0; i < p->param_count; i++) {
        if (strcmp(p->params[i].key, key) == 0)
            return true;
    }
    return false;
}

bool report_claim_matches(const struct stored_case *c, const struct check_pattern *p)
{
    if (strcmp(c->scenario, p->scenario) != 0)
        return false;
    for (size_t i = 0; i < p->param_count; i++) {
        const char *value = report_param(c, p->params[i].key);
        if (value == NULL || !check_same_value(value, p->params[i].value))
            return false;
    }
    return true;
}

/* Same placement, and the same value for every parameter both have that
 * neither pattern fixes. */
static bool paired(const struct stored_case *l, const struct stored_case *r,
                   const struct check_rule *rule)
{
    if (strcmp(l->placement, r->placement) != 0)
        return false;
    for (size_t i = 0; i < l->param_count; i++) {
        const char *key = l->params[i].key;
        const char *other = report_param(r, key);
        if (other == NULL || pattern_has_key(&rule->left, key) ||
            pattern_has_key(&rule->right, key))
            continue;
        if (!check_same_value(l->params[i].value, other))
            return false;
    }
    return true;
}

/* How many "key=value" of prefer c satisfies (a parameter c lacks counts
 * neither way). */
static int preference_score(const struct stored_case *c, const char *prefer)
{
    int score = 0;
    const char *p = prefer ? prefer : "";
    while (*p != '\0') {
        size_t len = strcspn(p, ",");
        char item[128];
        snprintf(item, sizeof(item), "%.*s", (int)len, p);
        char *eq = strchr(item, '=');
        if (eq != NULL) {
            *eq = '\0';
            const char *value = report_param(c, item);
            if (value != NULL && check_same_value(value, eq + 1))
                score++;
        }
        p += len + (p[len] == ',');
    }
    return score;
}

int report_claim_pairs(const struct stored_run *run, const struct report_claim *claim,
                       const struct check_rule *rule, bool same_case_ok, struct pair **out,
                       size_t *count)
{
    *out = NULL;
    *count = 0;
    size_t capacity = 0;
    for (size_t i = 0; i < run->case_count; i++) {
        const struct stored_case *l = &run->cases[i];
        if (!report_claim_matches(l, &rule->left))
            continue;
        for (size_t k = 0; k < run->case_count; k++) {
            const struct stored_case *r = &run->cases[k];
            if ((r == l && !same_case_ok) || !report_claim_matches(r, &rule->right) ||
                !paired(l, r, rule))
                continue;
            if (*count == capacity) {
                capacity = capacity ? 2 * capacity : 16;
                struct pair *bigger = realloc(*out, capacity * sizeof(*bigger));
                if (bigger == NULL) {
                    free(*out);
                    *out = NULL;
                    return -ENOMEM;
                }
                *out = bigger;
            }
            (*out)[(*count)++] = (struct pair){l, r};
        }
    }
    /* A stable selection sort: the lists are short. */
    for (size_t i = 0; i < *count; i++) {
        size_t best = i;
        for (size_t k = i + 1; k < *count; k++) {
            struct pair *a = &(*out)[k], *b = &(*out)[best];
            int sa = preference_score(a->left, claim->prefer) +
                     preference_score(a->right, claim->prefer);
            int sb = preference_score(b->left, claim->prefer) +
                     preference_score(b->right, claim->prefer);
            uint64_t va = 0, vb = 0;
            if (claim->sweep[0] != '\0') {
                report_param_size(a->left, claim->sweep, &va);
                report_param_size(b->left, claim->sweep, &vb);
            }
            if (sa > sb || (sa == sb && va > vb))
                best = k;
        }
        if (best != i) {
            struct pair t = (*out)[best];
            memmove(&(*out)[i + 1], &(*out)[i], (best - i) * sizeof(t));
            (*out)[i] = t;
        }
    }
    return 0;
}

const struct stored_case *report_claim_best_single(const struct stored_run *run,
                                                   const struct report_claim *claim,
                                                   const struct check_pattern *pattern)
{
    const struct stored_case *best = NULL;
    int best_score = -1;
    uint64_t best_sweep = 0;
    for (size_t i = 0; i < run->case_count; i++) {
        const struct stored_case *c = &run->cases[i];
        if (!report_claim_matches(c, pattern))
            continue;
        int score = preference_score(c, claim->prefer);
        uint64_t v = 0;
        if (claim->sweep[0] != '\0')
            report_param_size(c, claim->sweep, &v);
        if (score > best_score || (score == best_score && v > best_sweep)) {
            best = c;
            best_score = score;
            best_sweep = v;
        }
    }
    return best;
}
