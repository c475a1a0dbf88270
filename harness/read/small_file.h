/*
 * Reading a small file that procbench reads back (a rules file, a
 * rounds.csv) whole into memory, with the checks every such reader needs
 * because the file is untrusted: a regular file (not a FIFO that would
 * block, not a directory, not a device), no larger than its reader accepts.
 */
#ifndef PROCBENCH_SMALL_FILE_H
#define PROCBENCH_SMALL_FILE_H

#include <stddef.h>

/* Reads the regular file at path, of at most max_bytes, into a new buffer
 * (*out, free with free(); NUL-terminated after its *len bytes). what names
 * the kind of file expected ("a rules file") for the messages. Returns 0,
 * or -errno with one line in err naming path: "cannot open: ...", "not a
 * regular file", "more than N bytes: not <what>", "out of memory". */
int small_file_read(const char *path, size_t max_bytes, const char *what, char **out, size_t *len,
                    char *err, size_t err_len);

#endif
