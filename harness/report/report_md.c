/*
 * The Markdown rendering of a report (report_writer.h): GitHub-flavoured,
 * fit for a CI job summary or a pull-request comment. Text is escaped so
 * that a hostile case name stays text: Markdown's punctuation and '<', '&'
 * (inline HTML) get a backslash, and a table cell's '|' too.
 */
#include <string.h>

#include "report_writer.h"

static void put_text(struct report_writer *w, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f)
            fputc(' ', w->fp);
        else if (strchr("\\`*_[]<>|&~#!", c) != NULL)
            fprintf(w->fp, "\\%c", c);
        else
            fputc(c, w->fp);
    }
}

static void close_list(struct report_writer *w)
{
    if (w->in_list)
        fputc('\n', w->fp);
    w->in_list = false;
}

static void md_begin(struct report_writer *w, const char *title)
{
    fputs("# ", w->fp);
    put_text(w, title);
    fputs("\n\n", w->fp);
}

static void md_heading(struct report_writer *w, int level, const char *text)
{
    close_list(w);
    for (int i = 0; i < level; i++)
        fputc('#', w->fp);
    fputc(' ', w->fp);
    put_text(w, text);
    fputs("\n\n", w->fp);
}

static void md_paragraph(struct report_writer *w, const char *text)
{
    close_list(w);
    put_text(w, text);
    fputs("\n\n", w->fp);
}

static void md_bullet(struct report_writer *w, const char *text)
{
    w->in_list = true;
    fputs("- ", w->fp);
    put_text(w, text);
    fputc('\n', w->fp);
}

static void md_code(struct report_writer *w, const char *text)
{
    close_list(w);
    /* A fence longer than any run of backticks in the text. */
    size_t longest = 0, run = 0;
    for (const char *p = text; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    size_t fence = longest < 3 ? 3 : longest + 1;
    for (size_t i = 0; i < fence; i++)
        fputc('`', w->fp);
    fputc('\n', w->fp);
    for (const char *p = text; *p; p++)
        fputc((unsigned char)*p < 0x20 && *p != '\n' ? ' ' : *p, w->fp);
    fputc('\n', w->fp);
    for (size_t i = 0; i < fence; i++)
        fputc('`', w->fp);
    fputs("\n\n", w->fp);
}

static void md_table_begin(struct report_writer *w, size_t columns, const char *const *headers,
                           const char *align)
{
    close_list(w);
    w->columns = columns;
    fputc('|', w->fp);
    for (size_t i = 0; i < columns; i++) {
        fputc(' ', w->fp);
        put_text(w, headers[i]);
        fputs(" |", w->fp);
    }
    fputs("\n|", w->fp);
    for (size_t i = 0; i < columns; i++)
        fputs(align[i] == 'r' ? " ---: |" : " --- |", w->fp);
    fputc('\n', w->fp);
}

static void md_table_row(struct report_writer *w, const char *const *cells)
{
    fputc('|', w->fp);
    for (size_t i = 0; i < w->columns; i++) {
        fputc(' ', w->fp);
        put_text(w, cells[i]);
        fputs(" |", w->fp);
    }
    fputc('\n', w->fp);
}

static void md_table_end(struct report_writer *w)
{
    fputc('\n', w->fp);
}

static void md_plot(struct report_writer *w, const char *name, const char *svg_path,
                    const char *title, const char *caption)
{
    (void)svg_path;
    close_list(w);
    /* name is made of [0-9a-z_-] only (report_plots.c): safe in a link. */
    fputs("![", w->fp);
    put_text(w, title);
    fprintf(w->fp, "](plots/%s.svg)\n\n", name);
    put_text(w, caption);
    fputs("\n\n", w->fp);
}

static void md_end(struct report_writer *w)
{
    close_list(w);
}

const struct report_writer_ops report_md_ops = {
    .begin = md_begin,
    .heading = md_heading,
    .paragraph = md_paragraph,
    .bullet = md_bullet,
    .code = md_code,
    .table_begin = md_table_begin,
    .table_row = md_table_row,
    .table_end = md_table_end,
    .plot = md_plot,
    .end = md_end,
};
