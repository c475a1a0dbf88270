/*
 * Whole-or-nothing files. Every file of a results folder is written to a
 * temporary name beside its final one (mkostemp, so the name is unique even
 * when two runs share a folder) and renamed over the final name only after
 * its data reached the disk: rename() within one file system is atomic, so a
 * reader sees the old file or the new one, and a run killed half-way leaves
 * at worst a hidden .name.XXXXXX, never a truncated summary.csv.
 */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* -errno of a call that failed; -EIO if it failed without saying why (stdio
 * need not set errno). */
static int failed_errno(void)
{
    return errno != 0 ? -errno : -EIO;
}

int atomic_file_open(struct atomic_file *af, const char *dir, const char *name)
{
    int n, fd, err;

    af->fp = NULL;
    af->tmp_path[0] = '\0';
    af->final_path[0] = '\0';

    n = snprintf(af->final_path, sizeof(af->final_path), "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof(af->final_path))
        return -ENAMETOOLONG;
    n = snprintf(af->tmp_path, sizeof(af->tmp_path), "%s/.%s.XXXXXX", dir, name);
    if (n < 0 || (size_t)n >= sizeof(af->tmp_path)) {
        af->tmp_path[0] = '\0';
        return -ENAMETOOLONG;
    }

    /* O_CLOEXEC: the harness spawns children all the time; none of them
     * should inherit a half-written result file. */
    fd = mkostemp(af->tmp_path, O_CLOEXEC);
    if (fd < 0) {
        err = -errno;
        af->tmp_path[0] = '\0';
        return err;
    }
    /* mkstemp creates 0600; results are meant to be read by others. */
    if (fchmod(fd, 0644) != 0)
        goto fail_unlink;
    af->fp = fdopen(fd, "w");
    if (af->fp == NULL)
        goto fail_unlink;
    return 0;

fail_unlink:
    err = failed_errno();
    close(fd);
    unlink(af->tmp_path);
    af->tmp_path[0] = '\0';
    return err;
}

int atomic_file_commit(struct atomic_file *af)
{
    int err = 0;
    FILE *fp = af->fp;

    if (fp == NULL)
        return -EBADF;
    af->fp = NULL;

    /* ferror() catches a write that failed earlier (ENOSPC on a buffered
     * fprintf) even though this fflush() has nothing left to write. */
    errno = 0;
    if (fflush(fp) != 0)
        err = failed_errno();
    else if (ferror(fp))
        err = -EIO;
    else if (fsync(fileno(fp)) != 0)
        err = failed_errno();

    errno = 0;
    if (fclose(fp) != 0 && err == 0)
        err = failed_errno();
    if (err == 0 && rename(af->tmp_path, af->final_path) != 0)
        err = -errno;

    if (err != 0)
        unlink(af->tmp_path);
    af->tmp_path[0] = '\0';
    return err;
}

void atomic_file_abort(struct atomic_file *af)
{
    if (af->fp != NULL) {
        fclose(af->fp);
        af->fp = NULL;
    }
    if (af->tmp_path[0] != '\0') {
        unlink(af->tmp_path);
        af->tmp_path[0] = '\0';
    }
}
