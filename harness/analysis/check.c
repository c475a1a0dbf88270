/*
 * Expectations files: parsing a rule, finding the cases it names, and
 * judging it on their ratio and its interval (the rule is in check.h). The
 * parser is a hand-written scanner over a small grammar, strict about every
 * character, so that a typo is an error naming its line rather than a rule
 * that silently matches nothing.
 */
#include "check.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "round_ratio.h"
#include "base/grow.h"
#include "base/reason.h"
#include "read/small_file.h"
#include "base/units.h"

const char *check_verdict_name(enum check_verdict verdict)
{
    switch (verdict) {
    case CHECK_HOLDS:
        return "holds";
    case CHECK_FAILS:
        return "fails";
    case CHECK_INCONCLUSIVE:
        return "inconclusive";
    }
    return "?";
}

/* ---- parsing ----------------------------------------------------------- */

struct scanner {
    const char *p;
    char *why;
    size_t why_len;
};

static void skip_spaces(struct scanner *s)
{
    while (*s->p == ' ' || *s->p == '\t')
        s->p++;
}

static bool is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* Describes the character at p for a message: 'x', or a byte in hex when
 * it is not printable ASCII, or "the end of the line". */
static void describe(const char *p, char *buf, size_t len)
{
    if (*p == '\0')
        snprintf(buf, len, "the end of the line");
    else if ((unsigned char)*p >= 0x21 && (unsigned char)*p < 0x7f)
        snprintf(buf, len, "'%c'", *p);
    else
        snprintf(buf, len, "byte 0x%02x", (unsigned char)*p);
}

static int expected(struct scanner *s, const char *what)
{
    char got[32];
    describe(s->p, got, sizeof(got));
    reason_format(s->why, s->why_len, "expected %s, found %s", what, got);
    return -EINVAL;
}

/* A run of name characters into out[len]. */
static int scan_word(struct scanner *s, const char *what, char *out, size_t len)
{
    size_t n = 0;
    skip_spaces(s);
    while (is_name_char(s->p[n]))
        n++;
    if (n == 0)
        return expected(s, what);
    if (n >= len) {
        reason_format(s->why, s->why_len, "%s longer than %zu characters", what, len - 1);
        return -EINVAL;
    }
    memcpy(out, s->p, n);
    out[n] = '\0';
    s->p += n;
    return 0;
}

static int scan_pattern(struct scanner *s, struct check_pattern *pat)
{
    memset(pat, 0, sizeof(*pat));
    skip_spaces(s);
    /* Names start with a letter, so that "-1 * b" is not a scenario. */
    if (!isalpha((unsigned char)*s->p))
        return expected(s, "a scenario name");
    int rc = scan_word(s, "a scenario name", pat->scenario, sizeof(pat->scenario));
    if (rc != 0)
        return rc;
    skip_spaces(s);
    if (*s->p != '{')
        return 0;
    s->p++;
    for (;;) {
        if (pat->param_count == RESULTS_READ_MAX_PARAMS) {
            reason_format(s->why, s->why_len, "more than %d parameters in a pattern",
                          RESULTS_READ_MAX_PARAMS);
            return -EINVAL;
        }
        rc = scan_word(s, "a parameter name", pat->params[pat->param_count].key,
                       sizeof(pat->params[0].key));
        if (rc != 0)
            return rc;
        skip_spaces(s);
        if (*s->p != '=')
            return expected(s, "'='");
        s->p++;
        rc = scan_word(s, "a parameter value", pat->params[pat->param_count].value,
                       sizeof(pat->params[0].value));
        if (rc != 0)
            return rc;
        for (size_t i = 0; i < pat->param_count; i++) {
            if (strcmp(pat->params[i].key, pat->params[pat->param_count].key) == 0) {
                reason_format(s->why, s->why_len, "parameter %s given twice", pat->params[i].key);
                return -EINVAL;
            }
        }
        pat->param_count++;
        skip_spaces(s);
        if (*s->p == '}') {
            s->p++;
            return 0;
        }
        if (*s->p != ',')
            return expected(s, "',' or '}'");
        s->p++;
    }
}

/* FACTOR: digits with an optional fraction; no signs, exponents or
 * infinities, so that what is written is what is meant. */
static int scan_factor(struct scanner *s, double *out)
{
    const char *start = s->p;
    size_t n = 0;
    bool digits = false, dot = false;
    while (isdigit((unsigned char)start[n]) || (start[n] == '.' && !dot)) {
        if (start[n] == '.')
            dot = true;
        else
            digits = true;
        n++;
    }
    if (!digits || n > 32)
        return expected(s, "a factor such as 0.5");
    char text[40];
    memcpy(text, start, n);
    text[n] = '\0';
    double v = strtod(text, NULL);
    if (!(v > 0.0) || !isfinite(v) || v > 1e9) {
        reason_format(s->why, s->why_len, "factor %s: expected more than 0 and at most 1e9", text);
        return -EINVAL;
    }
    s->p += n;
    *out = v;
    return 0;
}

int check_parse_line(const char *line, unsigned line_no, struct check_rule *out, char *why,
                     size_t why_len)
{
    memset(out, 0, sizeof(*out));
    out->line = line_no;
    out->factor = 1.0;
    size_t len = strcspn(line, "#");
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
        len--;
    size_t start = strspn(line, " \t");
    if (start >= len)
        return -ENODATA;
    if (len - start >= sizeof(out->text)) {
        reason_format(why, why_len, "longer than %zu characters", sizeof(out->text) - 1);
        return -EINVAL;
    }
    memcpy(out->text, line + start, len - start);
    out->text[len - start] = '\0';

    struct scanner s = {.p = out->text, .why = why, .why_len = why_len};
    int rc = scan_pattern(&s, &out->left);
    if (rc != 0)
        return rc;
    skip_spaces(&s);
    if (*s.p == '<')
        out->op = CHECK_LESS;
    else if (*s.p == '>')
        out->op = CHECK_GREATER;
    else
        return expected(&s, "'<' or '>'");
    s.p++;
    skip_spaces(&s);
    if (isdigit((unsigned char)*s.p) || *s.p == '.') {
        rc = scan_factor(&s, &out->factor);
        if (rc != 0)
            return rc;
        skip_spaces(&s);
        if (*s.p != '*')
            return expected(&s, "'*' after the factor");
        s.p++;
    }
    rc = scan_pattern(&s, &out->right);
    if (rc != 0)
        return rc;
    skip_spaces(&s);
    if (*s.p != '\0')
        return expected(&s, "the end of the rule");
    return 0;
}

int check_load_rules(const char *path, struct check_rule **rules, size_t *count, char *err,
                     size_t err_len)
{
    *rules = NULL;
    *count = 0;
    char *data;
    size_t got;
    int rc = small_file_read(path, CHECK_MAX_FILE_SIZE, "a rules file", &data, &got, err, err_len);
    if (rc != 0)
        return rc;
    if (memchr(data, '\0', got) != NULL) {
        reason_format(err, err_len, "%s: holds a NUL byte: not a rules file", path);
        free(data);
        return -EINVAL;
    }
    struct check_rule *list = NULL;
    size_t capacity = 0;
    unsigned line_no = 0;
    for (char *line = data; rc == 0 && line != NULL && *line != '\0';) {
        char *end = strchr(line, '\n');
        if (end != NULL)
            *end = '\0';
        line_no++;
        char why[256];
        if (strlen(line) >= CHECK_MAX_LINE) {
            reason_format(err, err_len, "%s:%u: longer than %d characters", path, line_no,
                          CHECK_MAX_LINE - 1);
            rc = -EINVAL;
            break;
        }
        struct check_rule *bigger = grow_for_one(list, &capacity, *count, sizeof(*bigger), 16);
        if (bigger == NULL) {
            reason_format(err, err_len, "%s: out of memory", path);
            rc = -ENOMEM;
            break;
        }
        list = bigger;
        int parsed = check_parse_line(line, line_no, &list[*count], why, sizeof(why));
        if (parsed == 0) {
            if (*count == CHECK_MAX_RULES) {
                reason_format(err, err_len, "%s:%u: more than %d rules", path, line_no,
                              CHECK_MAX_RULES);
                rc = -EINVAL;
                break;
            }
            (*count)++;
        } else if (parsed != -ENODATA) {
            reason_format(err, err_len, "%s:%u: %s", path, line_no, why);
            rc = -EINVAL;
        }
        line = end != NULL ? end + 1 : NULL;
    }
    free(data);
    if (rc == 0 && *count == 0) {
        reason_format(err, err_len, "%s: no rules in it", path);
        rc = -EINVAL;
    }
    if (rc != 0) {
        free(list);
        *count = 0;
        return rc;
    }
    *rules = list;
    return 0;
}

/* ---- matching ---------------------------------------------------------- */

bool check_same_value(const char *a, const char *b)
{
    uint64_t x, y;
    const char *why;
    if (strcmp(a, b) == 0)
        return true;
    return units_parse_size_bytes(a, &x, &why) == 0 && units_parse_size_bytes(b, &y, &why) == 0 &&
           x == y;
}

static bool matches(const struct stored_case *c, const struct check_pattern *pat)
{
    if (strcmp(c->scenario, pat->scenario) != 0)
        return false;
    for (size_t i = 0; i < pat->param_count; i++) {
        const char *key = pat->params[i].key, *value = pat->params[i].value;
        bool found = false;
        if (strcmp(key, "placement") == 0) {
            found = strcmp(c->placement, value) == 0;
        } else {
            for (size_t k = 0; k < c->param_count && !found; k++)
                found = strcmp(c->params[k].key, key) == 0 &&
                        check_same_value(c->params[k].value, value);
        }
        if (!found)
            return false;
    }
    return true;
}

/* The pattern as written, without spaces: "family.name{size=4K,placement=same}". */
static void pattern_text(const struct check_pattern *pat, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "%s", pat->scenario);
    for (size_t i = 0; i < pat->param_count && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", i ? "," : "{",
                                 pat->params[i].key, pat->params[i].value);
    if (pat->param_count > 0 && used < len)
        snprintf(buf + used, len - used, "}");
}

int check_match(const struct stored_run *run, const struct check_pattern *pattern,
                const struct stored_case **out, char *why, size_t why_len)
{
    char text[CHECK_MAX_LINE];
    const struct stored_case *first = NULL, *second = NULL;
    size_t n = 0;
    for (size_t i = 0; i < run->case_count; i++) {
        if (!matches(&run->cases[i], pattern))
            continue;
        if (n == 0)
            first = &run->cases[i];
        else if (n == 1)
            second = &run->cases[i];
        n++;
    }
    if (n == 1) {
        *out = first;
        return 0;
    }
    pattern_text(pattern, text, sizeof(text));
    if (n == 0) {
        reason_format(why, why_len, "%s matches no case of the run", text);
        return -ENOENT;
    }
    reason_format(why, why_len, "%s matches %zu cases (%s, %s%s): add parameters to choose one",
                  text, n, first->name, second->name, n > 2 ? ", ..." : "");
    return -EEXIST;
}

/* ---- judging ----------------------------------------------------------- */

/* A stored case as one side of a ratio (round_ratio.h). */
static struct ratio_side side_of(const struct stored_case *c)
{
    return (struct ratio_side){c->round_p50_ns, c->round_number, c->round_count,
                               (double)c->p50_ns, (double)c->p50_ci_low_ns,
                               (double)c->p50_ci_high_ns};
}

int check_judge(const struct check_rule *rule, const struct stored_case *left,
                const struct stored_case *right, bool same_run, struct check_outcome *out)
{
    memset(out, 0, sizeof(*out));
    out->verdict = CHECK_INCONCLUSIVE;
    out->ratio = out->low = out->high = NAN;
    out->method = "";
    const struct stored_case *sides[] = {left, right};
    for (size_t i = 0; i < 2; i++) {
        if (strcmp(sides[i]->status, "ok") != 0 || sides[i]->n == 0) {
            reason_format(out->reason, sizeof(out->reason), "%s %s%s%s", sides[i]->name,
                          strcmp(sides[i]->status, "ok") != 0 ? sides[i]->status : "has no samples",
                          sides[i]->reason[0] ? ": " : "", sides[i]->reason);
            return 0;
        }
    }
    struct ratio_side l = side_of(left), r = side_of(right);
    struct round_ratio ratio;
    int rc = round_ratio(&l, &r, same_run, &ratio);
    if (rc != 0)
        return rc;
    if (!(ratio.low > 0.0 && isfinite(ratio.high))) {
        reason_format(out->reason, sizeof(out->reason), "a median or its interval is 0 ns");
        return 0;
    }
    out->ratio = ratio.value;
    out->low = ratio.low;
    out->high = ratio.high;
    out->method = ratio.method;
    bool below = out->high<rule->factor, above = out->low> rule->factor;
    if (rule->op == CHECK_LESS ? below : above)
        out->verdict = CHECK_HOLDS;
    else if (rule->op == CHECK_LESS ? above : below)
        out->verdict = CHECK_FAILS;
    else
        reason_format(out->reason, sizeof(out->reason), "the interval contains %g", rule->factor);
    return 0;
}
