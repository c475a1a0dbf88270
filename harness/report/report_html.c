/*
 * The HTML rendering of a report (report_writer.h): one self-contained page,
 * its CSS inline and every plot inline as an SVG data: URI in an <img> (an
 * SVG as an image runs no script and cannot clash with the page's ids), no
 * network, fonts or scripts from outside. A few lines of inline script
 * record on <body> how many plots decoded (data-plots="rendered/total") and
 * how many errors the page met (data-errors), for the headless browser test.
 * All text is HTML-escaped.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/format.h"
#include "report_writer.h"

/* An SVG beyond this is not one gnuplot drew for a report. */
#define MAX_SVG_BYTES (32u * 1024u * 1024u)

/* A slice of text, escaped by base/format.h. */
static void put_escaped(struct report_writer *w, const char *text, size_t n)
{
    char *slice = strndup(text, n);
    if (slice == NULL) {
        if (w->error == 0)
            w->error = -ENOMEM;
        return;
    }
    format_html_text(w->fp, slice);
    free(slice);
}

/* Text with the content's code and strong spans (report_writer.h). */
static void put_text(struct report_writer *w, const char *text)
{
    bool code = false, strong = false;
    while (*text != '\0') {
        size_t n = strcspn(text, REPORT_CODE REPORT_STRONG);
        put_escaped(w, text, n);
        text += n;
        if (*text == REPORT_CODE[0]) {
            fputs(code ? "</code>" : "<code>", w->fp);
            code = !code;
        } else if (*text == REPORT_STRONG[0]) {
            fputs(strong ? "</strong>" : "<strong>", w->fp);
            strong = !strong;
        }
        if (*text != '\0')
            text++;
    }
    if (code)
        fputs("</code>", w->fp);
    if (strong)
        fputs("</strong>", w->fp);
}

static void close_list(struct report_writer *w)
{
    if (w->in_list)
        fputs("</ul>\n", w->fp);
    w->in_list = false;
}

static const char style[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:1.2em auto;"
    "max-width:1200px;padding:0 1em;color:#1b1b1b;line-height:1.4}\n"
    "h1{font-size:1.45em;margin:.2em 0}h2{border-bottom:1px solid #ddd;padding-bottom:.15em;"
    "margin-top:1.6em}h3{margin-top:1.3em}\n"
    "p.context{color:#444;margin:.2em 0 .8em}\n"
    "#answers+ul li{margin:.25em 0}\n"
    "code{font-size:.92em;background:#f3f3f3;padding:0 .2em;border-radius:3px}\n"
    "table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.86em;display:block;"
    "overflow-x:auto;max-width:100%}\n"
    "th,td{border:1px solid #d0d0d0;padding:.2em .5em;vertical-align:top}\n"
    "th{background:#f3f3f3;text-align:left}td.r,th.r{text-align:right;white-space:nowrap}\n"
    "tr:nth-child(even) td{background:#fafafa}\n"
    "pre{background:#f5f5f5;padding:.6em;overflow-x:auto;white-space:pre-wrap;"
    "word-break:break-all}\n"
    "figure{margin:1em 0 2em}figure img{max-width:100%;height:auto;border:1px solid #eee}\n"
    "figcaption{font-size:.88em;color:#444;max-width:60em}\n";

/* Records on <body>, for the headless browser test (tests/report_browser.sh):
 * how many plots decoded (data-plots="rendered/total"), the errors the page
 * met (data-errors), how far the page overflows the window sideways
 * (data-overflow, pixels: 0 means no horizontal scroll), and where the
 * first answer ends against the window's height (data-first-answer="bottom
 * of the first answer/window height"), to tell whether the answers are on
 * the first screen. */
static const char script[] =
    "<script>\n"
    "(function(){var errors=0;\n"
    "window.addEventListener('error',function(){errors++;"
    "document.body.setAttribute('data-errors',String(errors));},true);\n"
    "window.addEventListener('load',function(){var b=document.body,"
    "imgs=document.querySelectorAll('img.plot'),ok=0;\n"
    "for(var i=0;i<imgs.length;i++){if(imgs[i].complete&&imgs[i].naturalWidth>0)ok++;}\n"
    "b.setAttribute('data-plots',ok+'/'+imgs.length);\n"
    "b.setAttribute('data-errors',String(errors));\n"
    "var d=document.documentElement;\n"
    "b.setAttribute('data-overflow',String(Math.max(0,d.scrollWidth-d.clientWidth)));\n"
    "var h=document.getElementById('answers'),a=h;\n"
    "while(a&&a.nextElementSibling&&!/^(UL|P)$/.test(a.tagName))a=a.nextElementSibling;\n"
    "if(a&&a.tagName==='UL'&&a.firstElementChild)a=a.firstElementChild;\n"
    "b.setAttribute('data-first-answer',h?Math.ceil(a.getBoundingClientRect().bottom)+'/'+"
    "window.innerHeight:'none');});})();\n"
    "</script>\n";

static void html_begin(struct report_writer *w, const char *title, const char *context)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          w->fp);
    put_text(w, title);
    fprintf(w->fp, "</title>\n<style>\n%s</style>\n%s</head>\n<body>\n<h1>", style, script);
    put_text(w, title);
    fputs("</h1>\n<p class=\"context\">", w->fp);
    put_text(w, context);
    fputs("</p>\n", w->fp);
}

/* An id for a heading: its letters and digits in lower case, '-' between
 * words ("Answers" -> "answers"). */
static void put_id(struct report_writer *w, const char *text)
{
    bool dash = false, any = false;
    for (const char *p = text; *p; p++) {
        if (isalnum((unsigned char)*p) && (unsigned char)*p < 0x80) {
            if (dash && any)
                fputc('-', w->fp);
            fputc(tolower((unsigned char)*p), w->fp);
            dash = false, any = true;
        } else {
            dash = true;
        }
    }
}

static void html_heading(struct report_writer *w, int level, const char *text)
{
    close_list(w);
    fprintf(w->fp, "<h%d id=\"", level);
    put_id(w, text);
    fputs("\">", w->fp);
    put_text(w, text);
    fprintf(w->fp, "</h%d>\n", level);
}

static void html_paragraph(struct report_writer *w, const char *text)
{
    close_list(w);
    fputs("<p>", w->fp);
    put_text(w, text);
    fputs("</p>\n", w->fp);
}

static void html_bullet(struct report_writer *w, const char *text)
{
    if (!w->in_list)
        fputs("<ul>\n", w->fp);
    w->in_list = true;
    fputs("<li>", w->fp);
    put_text(w, text);
    fputs("</li>\n", w->fp);
}

static void html_code(struct report_writer *w, const char *text)
{
    close_list(w);
    fputs("<pre>", w->fp);
    put_text(w, text);
    fputs("</pre>\n", w->fp);
}

static void html_table_begin(struct report_writer *w, size_t columns, const char *const *headers,
                             const char *align)
{
    close_list(w);
    w->columns = columns;
    /* align is kept for the rows through the header's classes */
    fputs("<table>\n<thead><tr>", w->fp);
    for (size_t i = 0; i < columns; i++) {
        fprintf(w->fp, "<th%s>", align[i] == 'r' ? " class=\"r\"" : "");
        put_text(w, headers[i]);
        fputs("</th>", w->fp);
    }
    fputs("</tr></thead>\n<tbody>\n", w->fp);
    snprintf(w->align, sizeof(w->align), "%s", align);
}

static void html_table_row(struct report_writer *w, const char *const *cells)
{
    fputs("<tr>", w->fp);
    for (size_t i = 0; i < w->columns; i++) {
        fputs(w->align[i] == 'r' ? "<td class=\"r\">" : "<td>", w->fp);
        put_text(w, cells[i]);
        fputs("</td>", w->fp);
    }
    fputs("</tr>\n", w->fp);
}

static void html_table_end(struct report_writer *w)
{
    fputs("</tbody>\n</table>\n", w->fp);
}

static void put_base64(FILE *fp, const unsigned char *data, size_t len)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)data[i + 1] << 8;
        if (i + 2 < len)
            v |= data[i + 2];
        fputc(digits[(v >> 18) & 63], fp);
        fputc(digits[(v >> 12) & 63], fp);
        fputc(i + 1 < len ? digits[(v >> 6) & 63] : '=', fp);
        fputc(i + 2 < len ? digits[v & 63] : '=', fp);
    }
}

static int read_svg(const char *path, unsigned char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_SVG_BYTES) {
        close(fd);
        return -EINVAL;
    }
    unsigned char *data = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (data != NULL && got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (data == NULL)
        return -ENOMEM;
    *out = data;
    *len = got;
    return 0;
}

static void html_plot(struct report_writer *w, const char *name, const char *svg_path,
                      const char *title, const char *caption)
{
    unsigned char *svg = NULL;
    size_t len = 0;
    close_list(w);
    int rc = read_svg(svg_path, &svg, &len);
    if (rc != 0) {
        if (w->error == 0)
            w->error = rc;
        return;
    }
    fprintf(w->fp, "<figure id=\"plot-%s\">\n<img class=\"plot\" alt=\"", name);
    put_text(w, title);
    fputs("\" src=\"data:image/svg+xml;base64,", w->fp);
    put_base64(w->fp, svg, len);
    fputs("\">\n<figcaption>", w->fp);
    put_text(w, caption);
    fprintf(w->fp, " (<code>plots/%s.svg</code>)</figcaption>\n</figure>\n", name);
    free(svg);
}

static void html_end(struct report_writer *w)
{
    close_list(w);
    fputs("</body>\n</html>\n", w->fp);
}

const struct report_writer_ops report_html_ops = {
    .begin = html_begin,
    .heading = html_heading,
    .paragraph = html_paragraph,
    .bullet = html_bullet,
    .code = html_code,
    .table_begin = html_table_begin,
    .table_row = html_table_row,
    .table_end = html_table_end,
    .plot = html_plot,
    .end = html_end,
};
