/*
 * Numbers for people, and text made safe for the format it lands in: the
 * one place the console, compare, check, decompose and the report format a
 * duration, a size or a signed difference, and escape a name for Markdown,
 * HTML or CSV. Machine files (summary.csv, results.json) keep integer
 * nanoseconds and bytes; these are for what a person reads.
 *
 * API, for the writers that adopt it:
 *   format_duration(ns, buf, len)         "712 us", "1.23 s"; "-" when unknown
 *   format_signed_duration(ns, buf, len)  "-12.3 us", "4.56 ms"; "?" when unknown
 *   format_size(bytes, buf, len)          "512 B", "64 KiB", "1.5 GiB"; "-" when unknown
 *   format_md_text(fp, text)              Markdown inline text, safe in a table cell
 *   format_md_code(fp, text)              text inside a `code span` in a table cell
 *   format_html_text(fp, text)            HTML text or attribute value
 *   format_csv_field(fp, text)            one RFC 4180 field
 * Unknown is NAN, an infinity, or (unsigned values) a negative number.
 */
#ifndef PROCBENCH_FORMAT_H
#define PROCBENCH_FORMAT_H

#include <stddef.h>
#include <stdio.h>

/* A duration of ns nanoseconds, three significant digits and a unit
 * (units_format_duration()); "-" when ns is unknown or negative. */
void format_duration(double ns, char *buf, size_t len);

/* A difference or slope in ns, with a '-' when it is negative (and rounds
 * to a nanosecond or more): "-12.3 us", "4.56 ms"; "?" when unknown. */
void format_signed_duration(double ns, char *buf, size_t len);

/* A size of bytes, 1024-based: "512 B", then three significant digits
 * with KiB, MiB, GiB or TiB ("64 KiB", "1.5 GiB"); "-" when unknown or
 * negative. */
void format_size(double bytes, char *buf, size_t len);

/* Writes text to fp as Markdown inline text that stays text: CommonMark's
 * punctuation that could start markup (\ ` * _ [ ] ( ) < > | & # ! ~ " '
 * $) gets a backslash, which also keeps '|' from ending a table cell, and
 * control characters become '?'. */
void format_md_text(FILE *fp, const char *text);

/* Writes text to fp for the inside of a `code span` in a table cell, where
 * backslashes escape nothing: '|' becomes "\|" (GitHub tables split on it
 * even there), '`' becomes '\'', and line breaks become spaces. */
void format_md_code(FILE *fp, const char *text);

/* Writes text to fp escaped for HTML text and quoted attribute values
 * (& < > " ' as entities); control characters but '\n' become spaces. */
void format_html_text(FILE *fp, const char *text);

/* Writes text to fp as one RFC 4180 field: quoted (with "" for ") only
 * when it holds a comma, quote, CR or LF. NULL writes nothing. */
void format_csv_field(FILE *fp, const char *text);

#endif
