/*
 * Where a run's files go. Every run gets a folder of its own, named for when
 * (UTC, so runs sort by name in any time zone) and where it ran, and never
 * reuses an existing one: two runs in the same second get -2, -3... suffixes
 * from mkdir()'s EEXIST, which is atomic, rather than from a check-then-create
 * race. The root's `latest` symbolic link is replaced by renaming a fresh link
 * over it, so a script following it never finds it missing.
 */
#include "outdir.h"
#include "atomic_file.h"
#include "base/liveness.h"
#include "base/reason.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Suffixes tried before giving up: a hundred runs in one second from one
 * host means something is looping, not benchmarking. */
#define OUTDIR_MAX_ATTEMPTS 100

/* Longest piece of the host name kept in a folder name. */
#define OUTDIR_HOST_MAX 64

static int is_safe_host_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '-';
}

/* Length of path without trailing slashes, keeping a lone "/". */
static size_t trimmed_length(const char *path)
{
    size_t len = strlen(path);

    while (len > 1 && path[len - 1] == '/')
        len--;
    return len;
}

/* Makes root if it is missing (one level, like mkdir without -p: a typo in
 * --out-dir should not grow a tree) and checks it is a directory. */
static int ensure_root(const char *root, char *err, size_t err_len)
{
    struct stat st;
    int e;

    if (stat(root, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            reason_format(err, err_len, "--out-dir %s: not a directory", root);
            return -ENOTDIR;
        }
        return 0;
    }
    if (errno != ENOENT) {
        e = errno;
        reason_format(err, err_len, "--out-dir %s: %s", root, strerror(e));
        return -e;
    }
    if (mkdir(root, 0755) != 0 && errno != EEXIST) {
        e = errno;
        reason_format(err, err_len, "--out-dir %s: cannot create: %s", root, strerror(e));
        return -e;
    }
    /* Lost a race with another run creating it, or created it: either way
     * it must now be a directory. */
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        reason_format(err, err_len, "--out-dir %s: not a directory", root);
        return -ENOTDIR;
    }
    return 0;
}

int outdir_create(const char *root, uint64_t unix_ns, const char *host, char *out, size_t out_len,
                  char *err, size_t err_len)
{
    char stamp[32], safe_host[OUTDIR_HOST_MAX + 1], hist[PATH_MAX];
    time_t seconds = (time_t)(unix_ns / 1000000000u);
    struct tm tm;
    size_t root_len, i;
    int rc, n, e;

    if (err != NULL && err_len > 0)
        err[0] = '\0';
    if (out == NULL || out_len == 0)
        return -EINVAL;
    out[0] = '\0';
    if (root == NULL || root[0] == '\0') {
        reason_format(err, err_len, "--out-dir: empty path");
        return -EINVAL;
    }
    rc = ensure_root(root, err, err_len);
    if (rc != 0)
        return rc;

    if (gmtime_r(&seconds, &tm) == NULL ||
        strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0) {
        reason_format(err, err_len,
                      "results folder: start time %llu ns cannot be written as a date",
                      (unsigned long long)unix_ns);
        return -EINVAL;
    }

    if (host == NULL || host[0] == '\0')
        host = "unknown";
    for (i = 0; host[i] != '\0' && i < OUTDIR_HOST_MAX; i++)
        safe_host[i] = is_safe_host_char(host[i]) ? host[i] : '_';
    safe_host[i] = '\0';

    root_len = trimmed_length(root);
    for (int attempt = 1;; attempt++) {
        /* A root of "/" would give "//name": harmless, but not what a
         * person expects to read. */
        const char *sep = (root_len == 1 && root[0] == '/') ? "" : "/";

        if (attempt == 1)
            n = snprintf(out, out_len, "%.*s%s%s-%s", (int)root_len, root, sep, stamp, safe_host);
        else
            n = snprintf(out, out_len, "%.*s%s%s-%s-%d", (int)root_len, root, sep, stamp, safe_host,
                         attempt);
        if (n < 0 || (size_t)n >= out_len) {
            out[0] = '\0';
            reason_format(err, err_len, "--out-dir %s: path too long", root);
            return -ENAMETOOLONG;
        }
        if (mkdir(out, 0755) == 0)
            break;
        if (errno != EEXIST) {
            e = errno;
            reason_format(err, err_len, "--out-dir %s: cannot create %s: %s", root, out,
                          strerror(e));
            out[0] = '\0';
            return -e;
        }
        if (attempt == OUTDIR_MAX_ATTEMPTS) {
            reason_format(err, err_len, "--out-dir %s: %d results folders for %s already exist",
                          root, OUTDIR_MAX_ATTEMPTS, stamp);
            out[0] = '\0';
            return -EEXIST;
        }
    }

    n = snprintf(hist, sizeof(hist), "%s/hist", out);
    if (n < 0 || (size_t)n >= sizeof(hist)) {
        e = ENAMETOOLONG;
        goto fail_rmdir;
    }
    if (mkdir(hist, 0755) != 0) {
        e = errno;
        goto fail_rmdir;
    }
    return 0;

fail_rmdir:
    reason_format(err, err_len, "--out-dir %s: cannot create %s/hist: %s", root, out, strerror(e));
    rmdir(out);
    out[0] = '\0';
    return -e;
}

int outdir_point_latest(const char *root, const char *run_dir)
{
    char link_path[PATH_MAX], tmp_path[PATH_MAX], target[PATH_MAX];
    size_t root_len, end, start;
    struct stat st;
    int n;

    /* The link holds the folder's name alone, not its path: it stays right
     * when the whole root is moved or mounted elsewhere. */
    end = trimmed_length(run_dir);
    start = end;
    while (start > 0 && run_dir[start - 1] != '/')
        start--;
    if (end == start || end - start >= sizeof(target))
        return -EINVAL;
    memcpy(target, run_dir + start, end - start);
    target[end - start] = '\0';
    if (strcmp(target, ".") == 0 || strcmp(target, "..") == 0 || strcmp(target, "/") == 0)
        return -EINVAL;

    root_len = trimmed_length(root);
    n = snprintf(link_path, sizeof(link_path), "%.*s/latest", (int)root_len, root);
    if (n < 0 || (size_t)n >= sizeof(link_path))
        return -ENAMETOOLONG;

    /* A real file or folder called latest is somebody's data, not our link:
     * leave it alone. */
    if (lstat(link_path, &st) == 0 && !S_ISLNK(st.st_mode))
        return -EEXIST;

    for (unsigned attempt = 0;; attempt++) {
        n = snprintf(tmp_path, sizeof(tmp_path), "%.*s/.latest.tmp%ld.%u", (int)root_len, root,
                     (long)getpid(), attempt);
        if (n < 0 || (size_t)n >= sizeof(tmp_path))
            return -ENAMETOOLONG;
        if (symlink(target, tmp_path) == 0)
            break;
        /* A leftover of a run that was killed between symlink and rename. */
        if (errno != EEXIST || attempt >= OUTDIR_MAX_ATTEMPTS)
            return -errno;
    }
    if (rename(tmp_path, link_path) != 0) {
        int e = errno;

        unlink(tmp_path);
        return -e;
    }
    return 0;
}

/* Unlinks every entry of dir that is not itself a folder, then dir. */
static void remove_flat_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (d != NULL) {
        for (struct dirent *e; (e = readdir(d)) != NULL;) {
            if (e->d_type != DT_DIR)
                unlinkat(dirfd(d), e->d_name, 0);
        }
        closedir(d);
    }
    rmdir(dir);
}

void outdir_remove(const char *run_dir)
{
    char hist[PATH_MAX];
    if (snprintf(hist, sizeof(hist), "%s/hist", run_dir) < (int)sizeof(hist))
        remove_flat_folder(hist);
    remove_flat_folder(run_dir);
}

int outdir_mark_running(const char *run_dir)
{
    struct liveness_id self;
    int rc = liveness_self(&self);
    if (rc != 0)
        return rc;
    char id[48];
    liveness_format(&self, id, sizeof(id));
    struct atomic_file af;
    rc = atomic_file_open(&af, run_dir, OUTDIR_RUNNING_FILE);
    if (rc != 0)
        return rc;
    fprintf(af.fp,
            "%s\n"
            "procbench (pid %d) is writing this run; if that process is gone, the run was "
            "killed before it finished\n",
            id, (int)self.pid);
    return atomic_file_commit(&af);
}

void outdir_unmark_running(const char *run_dir)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/" OUTDIR_RUNNING_FILE, run_dir) < (int)sizeof(path))
        unlink(path);
}

/* Removes every hidden file (a temporary name) of dir. */
static void remove_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.' && e->d_type != DT_DIR)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

/* The process a RUNNING file names; false when it names none. */
static bool read_running(const char *path, struct liveness_id *id)
{
    char line[64] = "";
    FILE *fp = fopen(path, "re");
    if (fp == NULL)
        return false;
    bool ok = fgets(line, sizeof(line), fp) != NULL && liveness_parse(line, id) > 0;
    fclose(fp);
    return ok;
}

/* Marks one abandoned run folder; returns 1 when it was one. */
static int mark_if_abandoned(const char *root, const char *name)
{
    char folder[PATH_MAX], running[PATH_MAX], hist[PATH_MAX];
    struct liveness_id id = {0};
    if (snprintf(folder, sizeof(folder), "%s/%s", root, name) >= (int)sizeof(folder) ||
        snprintf(running, sizeof(running), "%s/" OUTDIR_RUNNING_FILE, folder) >=
            (int)sizeof(running) ||
        snprintf(hist, sizeof(hist), "%s/hist", folder) >= (int)sizeof(hist))
        return 0;
    if (access(running, F_OK) != 0)
        return 0;
    /* A RUNNING that names no process is not ours to judge. */
    if (!read_running(running, &id) || liveness_alive(&id))
        return 0;
    struct atomic_file af;
    if (atomic_file_open(&af, folder, "PARTIAL") != 0)
        return 0;
    fprintf(af.fp,
            "interrupted: procbench (pid %d) ended before the run finished (killed, e.g. by "
            "SIGKILL, or crashed); found by a later run\n",
            (int)id.pid);
    if (atomic_file_commit(&af) != 0)
        return 0;
    remove_temporaries(hist);
    remove_temporaries(folder);
    unlink(running);
    char shown[PATH_MAX + 64];
    reason_format(shown, sizeof(shown), "%s", folder);
    fprintf(stderr,
            "procbench: note: %s: an earlier run (pid %d) was killed before it finished: "
            "marked PARTIAL\n",
            shown, (int)id.pid);
    return 1;
}

/* A .latest.tmpPID.N link whose process is gone. */
static void remove_if_stale_link(int root_fd, const char *name)
{
    unsigned long pid;
    char *end;
    if (strncmp(name, ".latest.tmp", 11) != 0)
        return;
    pid = strtoul(name + 11, &end, 10);
    if (end == name + 11 || *end != '.' || pid == 0 || pid > 0x7fffffff)
        return;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        unlinkat(root_fd, name, 0);
}

int outdir_mark_abandoned(const char *root)
{
    DIR *d = opendir(root);
    if (d == NULL)
        return 0;
    int marked = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            remove_if_stale_link(dirfd(d), e->d_name);
        else if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN)
            marked += mark_if_abandoned(root, e->d_name);
    }
    closedir(d);
    return marked;
}
