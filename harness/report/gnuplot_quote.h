/*
 * Quoting text for the gnuplot command language. Results files are
 * untrusted, and gnuplot runs shell commands from its input: text in
 * backquotes is replaced by a command's output everywhere on a command line
 * except inside single-quoted strings, `system("...")` runs one, `@name`
 * expands a macro outside quotes, and a newline ends a command. Every string
 * the report hands gnuplot (a title, a file name) therefore goes through
 * gnuplot_quote(), which makes it one single-quoted string literal: in
 * single quotes gnuplot processes no backslash escapes and no substitution,
 * and the only special character is the quote itself, written twice.
 * Control characters (newlines included) become '?', so the literal always
 * stays on one line.
 */
#ifndef PROCBENCH_GNUPLOT_QUOTE_H
#define PROCBENCH_GNUPLOT_QUOTE_H

#include <stddef.h>

/* Writes text as a single-quoted gnuplot string literal, quotes included,
 * into out[out_len] (NUL-terminated). Returns the length written, or
 * -ENOSPC (out holds "''") when it does not fit. */
int gnuplot_quote(const char *text, char *out, size_t out_len);

/* The room gnuplot_quote needs at most for text: 2 * strlen + 3. */
size_t gnuplot_quote_size(const char *text);

#endif
