/*
 * Single-quoted gnuplot string literals (see gnuplot_quote.h for why single
 * quotes: they are the one context in which gnuplot substitutes nothing).
 *
 * A quote inside the text is not written doubled (''), although gnuplot's
 * manual allows it: gnuplot 5.4's scanner recognises a doubled quote only
 * when it follows another character of the string, so 'x''y' reads as x'y
 * but '''y' and 'a''''b' end the string early and fail to parse. Each quote
 * is instead its own double-quoted string "'" (no backquote, no backslash:
 * nothing to substitute), concatenated with gnuplot's '.' operator:
 * x'y becomes ('x'."'".'y').
 */
#include "gnuplot_quote.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

size_t gnuplot_quote_size(const char *text)
{
    /* At worst every character is a quote: "'" and a '.', then ( ) and NUL. */
    return 4 * strlen(text) + 3;
}

int gnuplot_quote(const char *text, char *out, size_t out_len)
{
    bool has_quote = strchr(text, '\'') != NULL;
    size_t n = 0;
    bool in_segment = false; /* inside a '...' segment being written */
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (n + 1 >= out_len)                                                                      \
            goto no_space;                                                                         \
        out[n++] = (c);                                                                            \
    } while (0)
    if (!has_quote) {
        PUT('\'');
        for (const char *p = text; *p != '\0'; p++) {
            unsigned char c = (unsigned char)*p;
            PUT(c < 0x20 || c == 0x7f ? '?' : (char)c);
        }
        PUT('\'');
    } else {
        PUT('(');
        for (const char *p = text; *p != '\0'; p++) {
            unsigned char c = (unsigned char)*p;
            if (c == '\'') {
                if (in_segment)
                    PUT('\'');
                if (n > 1)
                    PUT('.');
                PUT('"');
                PUT('\'');
                PUT('"');
                in_segment = false;
                continue;
            }
            if (!in_segment) {
                if (n > 1)
                    PUT('.');
                PUT('\'');
                in_segment = true;
            }
            PUT(c < 0x20 || c == 0x7f ? '?' : (char)c);
        }
        if (in_segment)
            PUT('\'');
        PUT(')');
    }
#undef PUT
    out[n] = '\0';
    return (int)n;
no_space:
    if (out_len >= 3)
        strcpy(out, "''");
    else if (out_len > 0)
        out[0] = '\0';
    return -ENOSPC;
}
