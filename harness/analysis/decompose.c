/*
 * The layer-by-layer decomposition of the Node.js child_process rows (which
 * rows and why: bench/node_layers.def): finding each layer's case in a run
 * read back, the differences of their medians with distribution-free
 * intervals (Hodges-Lehmann on the cases' round medians, as `procbench
 * check` judges ratios; with too few rounds, the conservative combination
 * of the two medians' own intervals), and the Markdown table.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decompose.h"
#include "ranktest.h"
#include "base/format.h"

struct layer_spec {
    const char *api;
    const char *node, *libuv, *syscall; /* scenarios; NULL: no such layer */
};

/* The rows and the plain parameter values, from the node family's table. */
#define DECOMPOSE_LAYERS(api, node, libuv, syscall) {api, node, libuv, syscall},
#define DECOMPOSE_PLAIN(name, value, also)
static const struct layer_spec layers[] = {
#include "node_layers.def"
};
#undef DECOMPOSE_LAYERS
#undef DECOMPOSE_PLAIN

static const char *const placements[] = {"same", "cross", "free"};

/* Parameter values a case must have when it has the parameter at all:
 * the plain, unloaded form of each row (a closed loop, spawn passing the
 * harness's environment and no extra argument by absolute path). */
static const struct {
    const char *name, *value, *also;
} wanted[] = {
#define DECOMPOSE_LAYERS(api, node, libuv, syscall)
#define DECOMPOSE_PLAIN(name, value, also) {name, value, also},
#include "node_layers.def"
#undef DECOMPOSE_LAYERS
#undef DECOMPOSE_PLAIN
};

static bool case_matches(const struct stored_case *c, const char *scenario, const char *placement)
{
    if (strcmp(c->scenario, scenario) != 0 || strcmp(c->placement, placement) != 0)
        return false;
    for (size_t i = 0; i < c->param_count; i++) {
        for (size_t k = 0; k < sizeof(wanted) / sizeof(wanted[0]); k++) {
            if (strcmp(c->params[i].key, wanted[k].name) != 0)
                continue;
            const char *v = c->params[i].value;
            if (strcmp(v, wanted[k].value) != 0 &&
                (wanted[k].also == NULL || strcmp(v, wanted[k].also) != 0))
                return false;
        }
    }
    return true;
}

/* The layer's case: the first match by name that was measured, else the
 * first match at all (to say it failed or was skipped). */
static void find_cell(const struct stored_run *run, const char *scenario, const char *placement,
                      struct decompose_cell *cell)
{
    memset(cell, 0, sizeof(*cell));
    cell->scenario = scenario;
    if (scenario == NULL) {
        cell->missing = "no such layer";
        return;
    }
    cell->missing = "not measured";
    const struct stored_case *any = NULL;
    for (size_t i = 0; i < run->case_count; i++) {
        const struct stored_case *c = run->by_name[i];
        if (!case_matches(c, scenario, placement))
            continue;
        if (strcmp(c->status, "ok") == 0 && c->n > 0) {
            cell->c = c;
            return;
        }
        if (any == NULL)
            any = c;
    }
    if (any != NULL)
        cell->missing = strcmp(any->status, "ok") == 0 ? "no samples" : any->status;
}

/* upper - lower from their round medians, or from their medians' intervals. */
static int difference(const struct decompose_cell *upper, const struct decompose_cell *lower,
                      struct decompose_diff *out)
{
    memset(out, 0, sizeof(*out));
    out->method = "";
    if (upper->c == NULL || lower->c == NULL)
        return 0;
    const struct stored_case *u = upper->c, *l = lower->c;
    out->known = true;
    if (u->round_count > 0 && l->round_count > 0) {
        struct ranktest_shift shift;
        int rc = ranktest_hl_shift(l->round_p50_ns, l->round_count, u->round_p50_ns, u->round_count,
                                   DECOMPOSE_ALPHA, &shift);
        if (rc != 0 && rc != -E2BIG)
            return rc;
        if (rc == 0 && isfinite(shift.low) && isfinite(shift.high)) {
            out->estimate_ns = shift.estimate;
            out->low_ns = shift.low;
            out->high_ns = shift.high;
            out->method = "rounds";
            return 0;
        }
    }
    /* Too few rounds for an interval: the difference holds whenever both
     * medians lie in their own intervals. */
    out->estimate_ns = (double)u->p50_ns - (double)l->p50_ns;
    out->low_ns = (double)u->p50_ci_low_ns - (double)l->p50_ci_high_ns;
    out->high_ns = (double)u->p50_ci_high_ns - (double)l->p50_ci_low_ns;
    out->method = "median CIs";
    return 0;
}

int decompose_node(const struct stored_run *run, struct decompose_row *rows, size_t max,
                   size_t *count)
{
    *count = 0;
    for (size_t a = 0; a < sizeof(layers) / sizeof(layers[0]); a++) {
        for (size_t p = 0; p < sizeof(placements) / sizeof(placements[0]); p++) {
            struct decompose_row row;
            memset(&row, 0, sizeof(row));
            row.api = layers[a].api;
            row.placement = placements[p];
            find_cell(run, layers[a].node, placements[p], &row.node);
            /* A row is about a Node API: without its Node case in the run
             * (in any state), the layers beneath have nothing to explain. */
            bool node_in_run = row.node.c != NULL || strcmp(row.node.missing, "not measured") != 0;
            if (!node_in_run)
                continue;
            find_cell(run, layers[a].libuv, placements[p], &row.libuv);
            find_cell(run, layers[a].syscall, placements[p], &row.syscall);
            int rc = difference(&row.node, &row.libuv, &row.node_layer);
            if (rc == 0)
                rc = difference(&row.libuv, &row.syscall, &row.libuv_layer);
            if (rc == 0)
                rc = difference(&row.node, &row.syscall, &row.above);
            if (rc != 0)
                return rc;
            if (*count == max)
                return -ENOSPC;
            rows[(*count)++] = row;
        }
    }
    return 0;
}

/* ---- Markdown ----------------------------------------------------------- */

static void format_cell(const struct decompose_cell *cell, char *buf, size_t len)
{
    if (cell->c == NULL) {
        snprintf(buf, len, "%s", cell->scenario == NULL ? "-" : cell->missing);
        return;
    }
    char p50[32], lo[32], hi[32];
    format_signed_duration((double)cell->c->p50_ns, p50, sizeof(p50));
    format_signed_duration((double)cell->c->p50_ci_low_ns, lo, sizeof(lo));
    format_signed_duration((double)cell->c->p50_ci_high_ns, hi, sizeof(hi));
    snprintf(buf, len, "%s [%s, %s]", p50, lo, hi);
}

static void format_diff(const struct decompose_diff *d, bool applies, char *buf, size_t len)
{
    if (!applies) {
        snprintf(buf, len, "-");
        return;
    }
    if (!d->known) {
        snprintf(buf, len, "not measured");
        return;
    }
    char est[32], lo[32], hi[32];
    format_signed_duration(d->estimate_ns, est, sizeof(est));
    format_signed_duration(d->low_ns, lo, sizeof(lo));
    format_signed_duration(d->high_ns, hi, sizeof(hi));
    snprintf(buf, len, "%s%s [%s, %s]%s", d->estimate_ns >= 0 ? "+" : "", est, lo, hi,
             strcmp(d->method, "median CIs") == 0 ? " *" : "");
}

const char *const decompose_headers[DECOMPOSE_COLUMNS] = {
    "API",
    "placement",
    "Node row",
    "libuv row",
    "system-call row",
    "Node layer",
    "libuv layer",
    "above the system calls",
};

const char decompose_legend[] =
    "Each row is the median of all its samples with its 95% interval; each layer the "
    "difference of two rows with its 95% interval, estimated from the medians of their "
    "rounds (Hodges-Lehmann), which weigh every round alike: on a noisy machine it can "
    "differ from the difference of the rows' medians.";

const char decompose_legend_fallback[] =
    "too few rounds for that interval; it combines the two medians' own intervals "
    "(conservative).";

bool decompose_format_row(const struct decompose_row *r,
                          char cells[DECOMPOSE_COLUMNS][DECOMPOSE_CELL_MAX])
{
    snprintf(cells[0], DECOMPOSE_CELL_MAX, "%s", r->api);
    snprintf(cells[1], DECOMPOSE_CELL_MAX, "%s", r->placement);
    format_cell(&r->node, cells[2], DECOMPOSE_CELL_MAX);
    format_cell(&r->libuv, cells[3], DECOMPOSE_CELL_MAX);
    format_cell(&r->syscall, cells[4], DECOMPOSE_CELL_MAX);
    bool has_libuv = r->libuv.scenario != NULL;
    format_diff(&r->node_layer, has_libuv, cells[5], DECOMPOSE_CELL_MAX);
    format_diff(&r->libuv_layer, has_libuv, cells[6], DECOMPOSE_CELL_MAX);
    format_diff(&r->above, true, cells[7], DECOMPOSE_CELL_MAX);
    bool fallback = false;
    const struct decompose_diff *d[] = {&r->node_layer, &r->libuv_layer, &r->above};
    for (size_t k = 0; k < 3; k++)
        fallback |= d[k]->known && strcmp(d[k]->method, "median CIs") == 0;
    return fallback;
}

int decompose_write_md(FILE *out, const struct stored_run *run)
{
    struct decompose_row rows[sizeof(layers) / sizeof(layers[0]) * 3];
    size_t count;
    int rc = decompose_node(run, rows, sizeof(rows) / sizeof(rows[0]), &count);
    if (rc != 0)
        return rc;
    if (count == 0) {
        size_t n = sizeof(layers) / sizeof(layers[0]);
        fputs("No ", out);
        for (size_t i = 0; i < n; i++)
            fprintf(out, "%s%s", i == 0 ? "" : i + 1 < n ? ", " : " or ", layers[i].node);
        fputs(" case in this run: nothing to decompose.\n", out);
        return ferror(out) ? -EIO : 0;
    }
    bool fallback = false;
    fputs("|", out);
    for (size_t k = 0; k < DECOMPOSE_COLUMNS; k++)
        fprintf(out, " %s |", decompose_headers[k]);
    fputs("\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n", out);
    for (size_t i = 0; i < count; i++) {
        char cells[DECOMPOSE_COLUMNS][DECOMPOSE_CELL_MAX];
        fallback |= decompose_format_row(&rows[i], cells);
        fputs("|", out);
        for (size_t k = 0; k < DECOMPOSE_COLUMNS; k++)
            fprintf(out, " %s |", cells[k]);
        fputs("\n", out);
    }
    fprintf(out, "\n%s", decompose_legend);
    if (fallback)
        fprintf(out, " `*`: %s", decompose_legend_fallback);
    fputs(" Cases used:\n\n", out);
    for (size_t i = 0; i < count; i++) {
        const struct decompose_cell *cells[] = {&rows[i].node, &rows[i].libuv, &rows[i].syscall};
        fprintf(out, "- %s, %s:", rows[i].api, rows[i].placement);
        for (size_t k = 0; k < 3; k++) {
            if (cells[k]->scenario == NULL)
                continue;
            fputs(k == 0 ? " " : ", ", out);
            if (cells[k]->c != NULL) {
                fputc('`', out);
                format_md_code(out, cells[k]->c->name);
                fputc('`', out);
            } else {
                fprintf(out, "%s (%s)", cells[k]->scenario, cells[k]->missing);
            }
        }
        fputc('\n', out);
    }
    return ferror(out) ? -EIO : 0;
}
