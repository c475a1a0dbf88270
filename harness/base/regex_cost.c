/*
 * regex_cost_check(): see regex_cost.h. A small recursive-descent reading
 * of ERE syntax that counts atoms: a sequence costs the sum of its pieces,
 * a piece its atom times its repetition's upper bound ({m,} counts as
 * m + 1, *, + and ? as 1: regcomp() loops those rather than copying), an
 * alternation the sum of its branches, a bracket expression or an escaped
 * character one. It only has to be an upper bound of what regcomp()
 * copies, not a parser: anything it does not understand costs one.
 * Back-references (\1 to \9, which glibc accepts in EREs) are refused:
 * matching them backtracks.
 */
#include "regex_cost.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct scan {
    const char *p;
    unsigned long long atoms_limit;
    char *why;
    size_t why_len;
    bool refused;
};

static void refuse(struct scan *s, const char *what, unsigned long long value,
                   unsigned long long limit)
{
    if (!s->refused)
        snprintf(s->why, s->why_len, "%s %llu is more than %llu", what, value, limit);
    s->refused = true;
}

/* Skips a bracket expression, s->p at its '['. */
static void skip_bracket(struct scan *s)
{
    const char *p = s->p + 1;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;
    while (*p != '\0' && *p != ']') {
        /* [:alpha:], [=a=], [.a.] hold a ']' of their own. */
        if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
            char close = p[1];
            const char *end = strchr(p + 2, close);
            p = end != NULL && end[1] == ']' ? end + 2 : p + 1;
        } else {
            p++;
        }
    }
    s->p = *p == ']' ? p + 1 : p;
}

/* Reads a number of a {m,n}; ULLONG_MAX-safe by clamping. */
static unsigned long long read_number(struct scan *s)
{
    unsigned long long n = 0;
    while (*s->p >= '0' && *s->p <= '9') {
        if (n < 1000000)
            n = n * 10 + (unsigned)(*s->p - '0');
        s->p++;
    }
    return n;
}

/* The multiplier of the repetitions after an atom (several may follow). */
static unsigned long long repetitions(struct scan *s)
{
    unsigned long long times = 1;
    for (;;) {
        char c = *s->p;
        if (c == '*' || c == '+' || c == '?') {
            s->p++;
            continue;
        }
        if (c != '{' || !(s->p[1] >= '0' && s->p[1] <= '9'))
            return times;
        s->p++;
        unsigned long long low = read_number(s), high = low;
        if (*s->p == ',') {
            s->p++;
            high = *s->p >= '0' && *s->p <= '9' ? read_number(s) : low + 1;
        }
        if (*s->p == '}')
            s->p++;
        unsigned long long bound = high > low ? high : low;
        if (low > REGEX_COST_MAX_REPEAT || high > REGEX_COST_MAX_REPEAT)
            refuse(s, "repetition count", low > high ? low : high, REGEX_COST_MAX_REPEAT);
        times *= bound > 0 ? bound : 1;
        if (times > s->atoms_limit)
            times = s->atoms_limit + 1;
    }
}

static unsigned long long alternation(struct scan *s);

/* One atom and its repetitions. */
static unsigned long long piece(struct scan *s)
{
    unsigned long long atom = 1;
    char c = *s->p;
    if (c == '(') {
        s->p++;
        atom = alternation(s) + 1;
        if (*s->p == ')')
            s->p++;
    } else if (c == '[') {
        skip_bracket(s);
    } else if (c == '\\' && s->p[1] >= '1' && s->p[1] <= '9') {
        /* glibc matches back-references by backtracking, which can take
         * exponential time: a name filter has no use for them. */
        if (!s->refused)
            snprintf(s->why, s->why_len, "back-reference \\%c: not accepted", s->p[1]);
        s->refused = true;
        s->p += 2;
    } else if (c == '\\' && s->p[1] != '\0') {
        s->p += 2;
    } else {
        s->p++;
    }
    unsigned long long cost = atom * repetitions(s);
    return cost > s->atoms_limit ? s->atoms_limit + 1 : cost;
}

/* Branches separated by '|', up to a ')' or the end. */
static unsigned long long alternation(struct scan *s)
{
    unsigned long long total = 0;
    while (*s->p != '\0' && *s->p != ')') {
        if (*s->p == '|') {
            s->p++;
            continue;
        }
        total += piece(s);
        if (total > s->atoms_limit)
            total = s->atoms_limit + 1;
    }
    return total;
}

int regex_cost_check(const char *pattern, char *why, size_t why_len)
{
    size_t len = strlen(pattern);
    if (len > REGEX_COST_MAX_BYTES) {
        snprintf(why, why_len, "%zu bytes, more than %d", len, REGEX_COST_MAX_BYTES);
        return -E2BIG;
    }
    struct scan s = {.p = pattern, .atoms_limit = REGEX_COST_MAX_ATOMS, .why = why,
                     .why_len = why_len};
    unsigned long long atoms = 0;
    /* A ')' without its '(' is left to regcomp(); the scan goes on after it. */
    while (*s.p != '\0') {
        atoms += alternation(&s);
        if (*s.p == ')')
            s.p++;
    }
    if (s.refused)
        return -E2BIG;
    if (atoms > REGEX_COST_MAX_ATOMS) {
        snprintf(why, why_len, "expands to more than %d atoms once its repetitions are copied",
                 REGEX_COST_MAX_ATOMS);
        return -E2BIG;
    }
    return 0;
}
