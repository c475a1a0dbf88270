/*
 * spawn.shell: what Node's child_process.exec() does: run the command through
 * `/bin/sh -c`. The shell is started with posix_spawn() exactly as
 * spawn.posix_spawn starts the target, so the difference between the two rows
 * is the shell (its exec, start-up and parsing, and its own exec or fork of
 * the target). The command is the target's argv, each word quoted: its
 * arguments (args, --entry-fd) are parsed by the shell, and with path_depth
 * the shell searches PATH for the bare name, as `exec('cmd args')` makes it.
 *
 * The shell's stderr is a memfd of the case's own (the one file action
 * posix_spawn() is given): what the shell says when it fails ("sh: 1:
 * Cannot fork" under a process limit, "Permission denied") becomes the
 * first line of the sample's reason instead of lines on procbench's
 * stderr, ten to a failing case.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/reason.h"
#include "proc.h"
#include "spawn_common.h"

#define SHELL_PATH "/bin/sh"

struct shell_state {
    struct spawn_target target;
    char *shell_argv[4]; /* { "sh", "-c", command, NULL } */
    /* The target's argv, each word single-quoted for the shell: a path with
     * a space or a quote must still name one program. */
    char *command;
    int stderr_fd;                      /* the shell's stderr: a memfd; -1 before init */
    bool actions_made;                  /* actions holds something to destroy */
    posix_spawn_file_actions_t actions; /* dup2(stderr_fd, 2) */
};

/* Writes word into out as one single-quoted shell word ('\'' for a quote),
 * and returns the end of what it wrote. out needs 4 * strlen(word) + 3. */
static char *shell_quote(const char *word, char *out)
{
    *out++ = '\'';
    for (; *word != '\0'; word++) {
        if (*word == '\'') {
            memcpy(out, "'\\''", 4);
            out += 4;
        } else {
            *out++ = *word;
        }
    }
    *out++ = '\'';
    *out = '\0';
    return out;
}

static void shell_fini(void *state)
{
    struct shell_state *s = state;
    if (s->actions_made)
        posix_spawn_file_actions_destroy(&s->actions);
    if (s->stderr_fd >= 0)
        close(s->stderr_fd);
    spawn_target_fini(&s->target);
    free(s->command);
    free(s);
}

static int shell_init(struct case_ctx *ctx, size_t index, size_t count, void **state)
{
    (void)index;
    (void)count;
    if (access(SHELL_PATH, X_OK) != 0) {
        int err = errno;
        scenario_fail(ctx, 0, "%s cannot be executed: %s", SHELL_PATH, strerror(err));
        return -err;
    }
    struct shell_state *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        scenario_fail(ctx, 0, "out of memory");
        return -ENOMEM;
    }
    int err = spawn_target_init(&s->target, ctx);
    if (err < 0) {
        free(s);
        return err;
    }
    s->stderr_fd = -1;
    size_t len = 1;
    for (char **word = s->target.argv; *word != NULL; word++)
        len += 4 * strlen(*word) + 3;
    s->command = malloc(len);
    if (s->command == NULL) {
        shell_fini(s);
        return scenario_fail(ctx, -ENOMEM, "out of memory");
    }
    char *end = s->command;
    for (char **word = s->target.argv; *word != NULL; word++) {
        if (word != s->target.argv)
            *end++ = ' ';
        end = shell_quote(*word, end);
    }
    s->shell_argv[0] = "sh";
    s->shell_argv[1] = "-c";
    s->shell_argv[2] = s->command;
    s->shell_argv[3] = NULL;
    s->stderr_fd = memfd_create("procbench-shell-stderr", MFD_CLOEXEC);
    if (s->stderr_fd < 0) {
        err = -errno;
        shell_fini(s);
        return scenario_fail(ctx, err, "memfd_create failed: %s", strerror(-err));
    }
    err = -posix_spawn_file_actions_init(&s->actions);
    if (err == 0) {
        s->actions_made = true;
        err = -posix_spawn_file_actions_adddup2(&s->actions, s->stderr_fd, 2);
    }
    if (err < 0) {
        shell_fini(s);
        return scenario_fail(ctx, err, "posix_spawn file actions: %s", strerror(-err));
    }
    *state = s;
    return 0;
}

static int shell_create(void *state, int peer_cpu, pid_t *pid)
{
    (void)peer_cpu; /* no CROSS placement: see the descriptor */
    const struct shell_state *s = state;
    char **envp = s->target.envp != NULL ? s->target.envp : environ;
    return -posix_spawn(pid, SHELL_PATH, &s->actions, NULL, s->shell_argv, envp);
}

/* The first line the shells wrote since the last look, into line[len]
 * ("" for none); empties the memfd for the next sample. */
static void take_stderr(struct shell_state *s, char *line, size_t len)
{
    line[0] = '\0';
    off_t end = lseek(s->stderr_fd, 0, SEEK_CUR);
    if (end <= 0)
        return;
    ssize_t n = pread(s->stderr_fd, line, len - 1, 0);
    line[n > 0 ? n : 0] = '\0';
    line[strcspn(line, "\n")] = '\0';
    /* The shells share the file offset with this descriptor. */
    if (ftruncate(s->stderr_fd, 0) == 0)
        lseek(s->stderr_fd, 0, SEEK_SET);
}

static int shell_op(void *state, int peer_cpu, struct sample *out,
                    char failure[SCENARIO_FAILURE_MAX])
{
    struct shell_state *s = state;
    int err = spawn_sample_create_reap(state, &s->target, peer_cpu, out, failure, "posix_spawn",
                                       shell_create);
    char said[96];
    take_stderr(s, said, sizeof(said));
    if (err < 0 && said[0] != '\0') {
        char why[SCENARIO_FAILURE_MAX];
        memcpy(why, failure, sizeof(why));
        reason_format(failure, SCENARIO_FAILURE_MAX, "%.120s: %s", why, said);
    }
    return err;
}

static const struct spawn_mechanism shell_mechanism = {
    .init = shell_init,
    .fini = shell_fini,
    .op = shell_op,
};

const struct scenario spawn_shell = {
    .name = "spawn.shell",
    .summary = "posix_spawn() of /bin/sh -c TARGET, as Node's exec() does; reaped with wait4()",
    .params = spawn_target_params,
    .default_placements = "same",
    /* No CROSS, for the reason spawn.posix_spawn gives: no pre-exec hook in
     * which the child could pin itself. */
    .placements_supported = PLACEMENT_BIT(PLACEMENT_SAME) | PLACEMENT_BIT(PLACEMENT_FREE),
    .family = &shell_mechanism,
    SPAWN_SCENARIO_FIELDS,
    SPAWN_TARGET_HOLDS,
};
