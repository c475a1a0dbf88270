/*
 * A table row being built, cell by cell, for the report's tables (families,
 * runs side by side, the Node.js layers): each cell formatted once, the
 * row then handed to the writer (report_writer.h) as an array of strings.
 */
#ifndef PROCBENCH_REPORT_ROW_H
#define PROCBENCH_REPORT_ROW_H

#include <stddef.h>

#define REPORT_ROW_COLUMNS 48  /* cells in one row at most */
#define REPORT_ROW_CELL    720 /* bytes of one cell, its NUL included */

struct report_row {
    char cells[REPORT_ROW_COLUMNS][REPORT_ROW_CELL];
    const char *ptrs[REPORT_ROW_COLUMNS]; /* ptrs[i] == cells[i]: what the writer takes */
    size_t count;
};

/* Appends one cell formatted as printf does (truncated to the cell); past
 * REPORT_ROW_COLUMNS cells the call does nothing. */
void report_row_cell(struct report_row *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
