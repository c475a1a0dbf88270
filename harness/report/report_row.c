/*
 * Table rows built cell by cell (report_row.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "report_row.h"

void report_row_cell(struct report_row *r, const char *fmt, ...)
{
    if (r->count == REPORT_ROW_COLUMNS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->cells[r->count], REPORT_ROW_CELL, fmt, ap);
    va_end(ap);
    r->ptrs[r->count] = r->cells[r->count];
    r->count++;
}
