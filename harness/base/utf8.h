/*
 * Decoding UTF-8 from untrusted bytes (a results.json, a history store):
 * one code point at a time, with the forms that are not UTF-8 refused, so
 * that each reader keeps only its own policy (which code points it takes).
 */
#ifndef PROCBENCH_UTF8_H
#define PROCBENCH_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The code point that starts at s[i] (i < len) into *cp: returns how many
 * bytes it takes (1 to 4), or 0 when the bytes there are not UTF-8: a
 * stray continuation byte, a sequence cut short, an overlong form, a
 * surrogate (U+D800..U+DFFF) or a code point past U+10FFFF. */
size_t utf8_next(const unsigned char *s, size_t len, size_t i, uint32_t *cp);

#endif
