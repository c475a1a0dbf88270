/*
 * Reading a small untrusted file whole; see small_file.h. O_NONBLOCK keeps
 * open() from waiting on a FIFO named where a file was expected; fstat()
 * then refuses anything but a regular file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/reason.h"
#include "small_file.h"

int small_file_read(const char *path, size_t max_bytes, const char *what, char **out, size_t *len,
                    char *err, size_t err_len)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        reason_format(err, err_len, "%s: cannot open: %s", path, strerror(e));
        return -e;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        reason_format(err, err_len, "%s: not a regular file", path);
        return -EINVAL;
    }
    if ((uint64_t)st.st_size > max_bytes) {
        close(fd);
        reason_format(err, err_len, "%s: more than %zu bytes: not %s", path, max_bytes, what);
        return -EFBIG;
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *data = malloc(size + 1);
    if (data == NULL) {
        close(fd);
        reason_format(err, err_len, "%s: out of memory", path);
        return -ENOMEM;
    }
    while (got < size) {
        ssize_t n = read(fd, data + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    data[got] = '\0';
    *out = data;
    *len = got;
    return 0;
}
