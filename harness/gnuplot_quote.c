/*
 * Single-quoted gnuplot string literals (see gnuplot_quote.h for why single
 * quotes: they are the one context in which gnuplot substitutes nothing).
 */
#include "gnuplot_quote.h"

#include <errno.h>
#include <string.h>

size_t gnuplot_quote_size(const char *text)
{
    return 2 * strlen(text) + 3;
}

int gnuplot_quote(const char *text, char *out, size_t out_len)
{
    size_t n = 0;
    if (out_len < 3)
        return -ENOSPC;
    out[n++] = '\'';
    for (const char *p = text; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        /* Room for this character (two for a quote), the closing quote and
         * the NUL. */
        if (n + (c == '\'' ? 2 : 1) + 2 > out_len) {
            strcpy(out, "''");
            return -ENOSPC;
        }
        if (c == '\'') {
            out[n++] = '\'';
            out[n++] = '\'';
        } else if (c < 0x20 || c == 0x7f) {
            out[n++] = '?';
        } else {
            out[n++] = (char)c;
        }
    }
    out[n++] = '\'';
    out[n] = '\0';
    return (int)n;
}
