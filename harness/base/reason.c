/*
 * reason_format(): see reason.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "reason.h"

void reason_format(char *buf, size_t len, const char *fmt, ...)
{
    if (buf == NULL || len == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    for (char *p = buf; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    }
}
