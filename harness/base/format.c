/*
 * Durations, sizes and signed differences for people, and the escaping of
 * text for Markdown, HTML and CSV (format.h). Every number printed for a
 * person goes through here, so that "unknown" reads the same everywhere.
 */
#include "format.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "units.h"

void format_duration(double ns, char *buf, size_t len)
{
    if (!isfinite(ns) || ns < 0 || ns >= 1.8e19)
        snprintf(buf, len, "-");
    else
        units_format_duration((uint64_t)llround(ns), buf, len);
}

void format_signed_duration(double ns, char *buf, size_t len)
{
    double magnitude = fabs(ns);
    if (!isfinite(ns) || magnitude >= 1.8e19) {
        snprintf(buf, len, "?");
        return;
    }
    char text[32];
    uint64_t rounded = (uint64_t)llround(magnitude);
    units_format_duration(rounded, text, sizeof(text));
    snprintf(buf, len, "%s%s", ns < 0 && rounded != 0 ? "-" : "", text);
}

void format_size(double bytes, char *buf, size_t len)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    if (!isfinite(bytes) || bytes < 0) {
        snprintf(buf, len, "-");
        return;
    }
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, len, u == 0 ? "%.0f %s" : "%.3g %s", bytes, unit[u]);
}

void format_md_text(FILE *fp, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f)
            fputc('?', fp);
        else if (strchr("\\`*_[]()<>|&#!~\"'$", c) != NULL)
            fprintf(fp, "\\%c", c);
        else
            fputc(c, fp);
    }
}

void format_md_code(FILE *fp, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '|')
            fputs("\\|", fp);
        else if (*p == '`')
            fputc('\'', fp);
        else if (*p == '\n' || *p == '\r')
            fputc(' ', fp);
        else
            fputc(*p, fp);
    }
}

void format_html_text(FILE *fp, const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        switch (c) {
        case '&':
            fputs("&amp;", fp);
            break;
        case '<':
            fputs("&lt;", fp);
            break;
        case '>':
            fputs("&gt;", fp);
            break;
        case '"':
            fputs("&quot;", fp);
            break;
        case '\'':
            fputs("&#39;", fp);
            break;
        default:
            fputc(c < 0x20 && c != '\n' ? ' ' : c, fp);
        }
    }
}

void format_csv_field(FILE *fp, const char *text)
{
    if (text == NULL)
        return;
    if (strpbrk(text, ",\"\r\n") == NULL) {
        fputs(text, fp);
        return;
    }
    fputc('"', fp);
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '"')
            fputc('"', fp);
        fputc(*p, fp);
    }
    fputc('"', fp);
}
