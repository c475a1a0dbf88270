/*
 * One report, two renderings: the content (report_content.c and its
 * sections) is written once through these operations, and report_md.c /
 * report_html.c turn each into Markdown or into a self-contained HTML page.
 * Text given to an operation is plain text (from untrusted results files
 * too): each writer escapes it for its format. The content marks spans of
 * its own text with two control bytes that no text read back can hold
 * (results_read refuses control characters): REPORT_CODE opens and closes
 * inline code, REPORT_STRONG strong emphasis. Untrusted text put between
 * them is still escaped.
 *
 * The Markdown is for a CI job summary or a pull-request comment (GitHub
 * takes 65,536 characters): it is written `compact` (fewer columns, a
 * bounded size); the HTML page has everything.
 */
#ifndef PROCBENCH_REPORT_WRITER_H
#define PROCBENCH_REPORT_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define REPORT_CODE   "\x01"
#define REPORT_STRONG "\x02"

struct report_writer;

struct report_writer_ops {
    /* The title, and one line of context under it. */
    void (*begin)(struct report_writer *w, const char *title, const char *context);
    void (*heading)(struct report_writer *w, int level, const char *text); /* level 2..4 */
    void (*paragraph)(struct report_writer *w, const char *text);
    void (*bullet)(struct report_writer *w, const char *text); /* consecutive ones: a list */
    void (*code)(struct report_writer *w, const char *text);   /* a preformatted block */
    /* align: one letter per column, 'l' or 'r' */
    void (*table_begin)(struct report_writer *w, size_t columns, const char *const *headers,
                        const char *align);
    void (*table_row)(struct report_writer *w, const char *const *cells);
    void (*table_end)(struct report_writer *w);
    /* A plot: plots/NAME.svg beside the report; svg_path is where to read
     * it now (the HTML page embeds it). */
    void (*plot)(struct report_writer *w, const char *name, const char *svg_path, const char *title,
                 const char *caption);
    void (*end)(struct report_writer *w);
};

struct report_writer {
    const struct report_writer_ops *ops;
    FILE *fp;
    bool compact;   /* fewer columns and a size budget: the Markdown */
    long budget;    /* compact: bytes the tables may fill the file up to */
    size_t columns; /* of the open table */
    char align[64]; /* of the open table's columns */
    bool in_list;
    int error; /* first -errno met (a plot that could not be read), 0 if none */
};

extern const struct report_writer_ops report_md_ops;
extern const struct report_writer_ops report_html_ops;

/* Bytes written so far (what a compact writer counts against its budget). */
long report_writer_size(struct report_writer *w);

#endif
