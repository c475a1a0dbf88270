/*
 * One UTF-8 code point decoded from untrusted bytes (utf8.h), strictly:
 * the shortest form only, no surrogates, nothing past U+10FFFF.
 */
#include "utf8.h"

size_t utf8_next(const unsigned char *s, size_t len, size_t i, uint32_t *cp)
{
    unsigned char c = s[i];
    size_t need;
    uint32_t value, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        need = 1, value = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        need = 2, value = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        need = 3, value = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len - i <= need)
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if ((s[i + k] & 0xc0) != 0x80)
            return 0;
        value = (value << 6) | (s[i + k] & 0x3f);
    }
    if (value < min || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
        return 0;
    *cp = value;
    return need + 1;
}
