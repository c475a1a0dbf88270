/*
 * The Markdown rendering of a report (report_writer.h): GitHub-flavoured,
 * fit for a CI job summary or a pull-request comment. Text is escaped so
 * that a hostile case name stays text, but only where Markdown would read
 * it otherwise, so that the file stays readable as text too: '\\', '`',
 * '<', '>', '&', '#' and '|' get a backslash; '*', '~' and '_' only where
 * they could open or close emphasis (not between spaces; '_' not inside a
 * word: GitHub leaves `x86_64` alone); ']' only where a link could follow. The content's own code
 * spans become backquoted spans (with a fence longer than any backquote inside), its strong spans
 * `**`.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "report_writer.h"

long report_writer_size(struct report_writer *w)
{
    return ftell(w->fp);
}

static bool word_char(char c)
{
    return c != '\0' && (isalnum((unsigned char)c) || (unsigned char)c >= 0x80);
}

/* The longest run of backquotes in text[0..n). */
static size_t longest_backquotes(const char *text, size_t n)
{
    size_t longest = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        run = text[i] == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    return longest;
}

static bool space_or_end(const char *p, size_t n, size_t i)
{
    return i >= n || p[i] == ' ';
}

static void put_escaped(struct report_writer *w, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        /* '*', '~' and '_' can only open or close emphasis next to a
         * non-space; '_' not inside a word either. */
        bool loose = (i == 0 || p[i - 1] == ' ') && space_or_end(p, n, i + 1);
        bool in_word = i > 0 && i + 1 < n && word_char(p[i - 1]) && word_char(p[i + 1]);
        /* ']' makes a link only before '(', '[' or ':'. */
        bool link = c == ']' && i + 1 < n && strchr("([:", p[i + 1]) != NULL;
        if (c < 0x20 || c == 0x7f)
            fputc(' ', w->fp);
        else if (strchr("\\`<>|&#", c) != NULL || link || ((c == '*' || c == '~') && !loose) ||
                 (c == '_' && !loose && !in_word))
            fprintf(w->fp, "\\%c", c);
        else
            fputc(c, w->fp);
    }
}

/* A code span: as many backquotes as needed around it; a '|' inside a
 * table cell still needs its backslash, and control bytes become spaces. */
static void put_code(struct report_writer *w, const char *p, size_t n)
{
    size_t fence = longest_backquotes(p, n) + 1;
    bool pad = n > 0 && (p[0] == '`' || p[n - 1] == '`');
    for (size_t i = 0; i < fence; i++)
        fputc('`', w->fp);
    if (pad)
        fputc(' ', w->fp);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f)
            fputc(' ', w->fp);
        else if (c == '|' && w->columns > 0)
            fputs("\\|", w->fp);
        else
            fputc(c, w->fp);
    }
    if (pad)
        fputc(' ', w->fp);
    for (size_t i = 0; i < fence; i++)
        fputc('`', w->fp);
}

static void put_text(struct report_writer *w, const char *text)
{
    bool code = false;
    while (*text != '\0') {
        size_t n = strcspn(text, REPORT_CODE REPORT_STRONG);
        if (code)
            put_code(w, text, n);
        else
            put_escaped(w, text, n);
        text += n;
        if (*text == REPORT_CODE[0])
            code = !code;
        else if (*text == REPORT_STRONG[0])
            fputs("**", w->fp);
        if (*text != '\0')
            text++;
    }
}

static void close_list(struct report_writer *w)
{
    if (w->in_list)
        fputc('\n', w->fp);
    w->in_list = false;
}

static void md_begin(struct report_writer *w, const char *title, const char *context)
{
    fputs("# ", w->fp);
    put_text(w, title);
    fputs("\n\n", w->fp);
    put_text(w, context);
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
    size_t longest = longest_backquotes(text, strlen(text));
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
    w->columns = 0;
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
