/*
 * Where the time of a Node.js call goes (report_content.h): the rows of
 * analysis/decompose.h as a table (the medians of the Node, libuv and
 * system-call rows and the layers between them, with their intervals in
 * the HTML), and, where a layer comes out below zero, why it can.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "analysis/decompose.h"
#include "base/format.h"
#include "base/units.h"
#include "report_content.h"
#include "report_row.h"

static void diff_cell(struct report_row *row, const struct decompose_diff *d, bool applies,
                      bool compact)
{
    char e[32], lo[32], hi[32];
    if (!applies) {
        report_row_cell(row, "-");
        return;
    }
    if (!d->known) {
        report_row_cell(row, "not measured");
        return;
    }
    format_signed_duration(d->estimate_ns, e, sizeof(e));
    const char *star = strcmp(d->method, "median CIs") == 0 ? " *" : "";
    if (compact) {
        report_row_cell(row, "%s%s%s", d->estimate_ns >= 0 ? "+" : "", e, star);
        return;
    }
    format_signed_duration(d->low_ns, lo, sizeof(lo));
    format_signed_duration(d->high_ns, hi, sizeof(hi));
    report_row_cell(row, "%s%s [%s, %s]%s", d->estimate_ns >= 0 ? "+" : "", e, lo, hi, star);
}

static void layer_cell(struct report_row *row, const struct decompose_cell *l)
{
    char a[32];
    if (l->c == NULL) {
        report_row_cell(row, "%s", l->scenario == NULL ? "-" : l->missing);
        return;
    }
    units_format_duration(l->c->p50_ns, a, sizeof(a));
    report_row_cell(row, "%s", a);
}

/* Why a layer can come out below zero, said where one does. */
static void explain_negative(struct report_writer *w, const struct stored_run *run,
                             const struct decompose_row *rows, size_t count)
{
    char which[512] = "";
    size_t used = 0, resolved = 0, found = 0;
    for (size_t i = 0; i < count; i++) {
        const struct decompose_diff *d[] = {&rows[i].node_layer, &rows[i].libuv_layer,
                                            &rows[i].above};
        static const char *const names[] = {"Node layer", "libuv layer", "above the system calls"};
        for (size_t k = 0; k < 3; k++) {
            if (!d[k]->known || d[k]->estimate_ns >= 0)
                continue;
            found++;
            resolved += d[k]->high_ns < 0;
            if (used + 80 < sizeof(which))
                used +=
                    (size_t)snprintf(which + used, sizeof(which) - used, "%s%s of %s (%s)",
                                     used ? ", " : "", names[k], rows[i].api, rows[i].placement);
        }
    }
    if (found == 0)
        return;
    const char *node_uv = results_read_env(run, "node_uv_version");
    const char *uv = results_read_env(run, "libuv_version");
    char text[2048];
    snprintf(text, sizeof(text),
             "Below zero here: %s. A layer is the difference of two rows measured apart, not a "
             "part of one call: the Node row runs in Node's process on the libuv Node bundles "
             "(%s), the libuv row in procbench's own small process on the system's libuv (%s), "
             "and each sees the child's exit its own way (Node's event loop, a SIGCHLD handler, "
             "wait4). So a row can come out slower than the one above it. %s",
             which, node_uv && node_uv[0] ? node_uv : "version not recorded",
             uv && uv[0] ? uv : "version not recorded",
             resolved == 0
                 ? "Every such interval includes 0: the layer is too thin to resolve on this "
                   "machine, not a negative cost."
                 : "Where the whole interval is below 0, the lower row does work the upper one "
                   "does not (another libuv, another way of waiting for the exit): compare the "
                   "two rows themselves rather than their difference.");
    w->ops->paragraph(w, text);
}

void report_layers_write(struct report_writer *w, const struct stored_run *run,
                         const struct decompose_row *rows, size_t count)
{
    w->ops->heading(w, 4, "Where the time of a Node.js call goes");
    bool fallback = false;
    w->ops->table_begin(w, DECOMPOSE_COLUMNS, decompose_headers, "llrrrrrr");
    for (size_t i = 0; i < count; i++) {
        struct report_row row = {.count = 0};
        const struct decompose_row *r = &rows[i];
        bool has_libuv = r->libuv.scenario != NULL;
        report_row_cell(&row, "%s", r->api);
        report_row_cell(&row, "%s", r->placement);
        layer_cell(&row, &r->node);
        layer_cell(&row, &r->libuv);
        layer_cell(&row, &r->syscall);
        diff_cell(&row, &r->node_layer, has_libuv, w->compact);
        diff_cell(&row, &r->libuv_layer, has_libuv, w->compact);
        diff_cell(&row, &r->above, true, w->compact);
        const struct decompose_diff *d[] = {&r->node_layer, &r->libuv_layer, &r->above};
        for (size_t k = 0; k < 3; k++)
            fallback |= d[k]->known && strcmp(d[k]->method, "median CIs") == 0;
        w->ops->table_row(w, row.ptrs);
    }
    w->ops->table_end(w);
    char legend[1024];
    snprintf(legend, sizeof(legend), "%s%s%s%s", decompose_legend,
             w->compact ? " The intervals are in report.html." : "", fallback ? " *: " : "",
             fallback ? decompose_legend_fallback : "");
    w->ops->paragraph(w, legend);
    explain_negative(w, run, rows, count);
}
