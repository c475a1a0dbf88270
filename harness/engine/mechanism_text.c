/*
 * The words of the mechanism column (mechanism_trace.h): a clone's flags
 * by name, as strace spells them, and the one line a case's observed
 * children make. Pure functions of the records, so that they are tested on
 * records made by hand.
 */
#include "mechanism_trace.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* The CLONE_* flags, in increasing bit order (<linux/sched.h>; written out
 * so that names the libc headers lack, clone3's above bit 31, still show). */
static const struct {
    uint64_t bit;
    const char *name;
} clone_flags[] = {
    {0x00000100u, "CLONE_VM"},
    {0x00000200u, "CLONE_FS"},
    {0x00000400u, "CLONE_FILES"},
    {0x00000800u, "CLONE_SIGHAND"},
    {0x00001000u, "CLONE_PIDFD"},
    {0x00002000u, "CLONE_PTRACE"},
    {0x00004000u, "CLONE_VFORK"},
    {0x00008000u, "CLONE_PARENT"},
    {0x00010000u, "CLONE_THREAD"},
    {0x00020000u, "CLONE_NEWNS"},
    {0x00040000u, "CLONE_SYSVSEM"},
    {0x00080000u, "CLONE_SETTLS"},
    {0x00100000u, "CLONE_PARENT_SETTID"},
    {0x00200000u, "CLONE_CHILD_CLEARTID"},
    {0x00400000u, "CLONE_DETACHED"},
    {0x00800000u, "CLONE_UNTRACED"},
    {0x01000000u, "CLONE_CHILD_SETTID"},
    {0x02000000u, "CLONE_NEWCGROUP"},
    {0x04000000u, "CLONE_NEWUTS"},
    {0x08000000u, "CLONE_NEWIPC"},
    {0x10000000u, "CLONE_NEWUSER"},
    {0x20000000u, "CLONE_NEWPID"},
    {0x40000000u, "CLONE_NEWNET"},
    {0x80000000u, "CLONE_IO"},
    {0x100000000ull, "CLONE_CLEAR_SIGHAND"},
    {0x200000000ull, "CLONE_INTO_CGROUP"},
};

/* Appends text to buf[*used..len), keeping it terminated. */
static void append(char *buf, size_t len, size_t *used, const char *text)
{
    if (*used >= len)
        return;
    int n = snprintf(buf + *used, len - *used, "%s", text);
    *used += n > 0 ? (size_t)n : 0;
}

void mechanism_format_call(const char *name, bool has_flags, uint64_t flags, uint64_t exit_signal,
                           char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    append(buf, len, &used, name);
    append(buf, len, &used, "(");
    bool first = true;
    for (size_t i = 0; has_flags && i < sizeof(clone_flags) / sizeof(clone_flags[0]); i++) {
        if (!(flags & clone_flags[i].bit))
            continue;
        append(buf, len, &used, first ? "" : "|");
        append(buf, len, &used, clone_flags[i].name);
        flags &= ~clone_flags[i].bit;
        first = false;
    }
    if (has_flags && flags != 0) {
        char hex[32];
        snprintf(hex, sizeof(hex), "%s0x%" PRIx64, first ? "" : "|", flags);
        append(buf, len, &used, hex);
        first = false;
    }
    if (has_flags && exit_signal != 0) {
        const char *abbrev = exit_signal < 64 ? sigabbrev_np((int)exit_signal) : NULL;
        char sig[32];
        if (abbrev != NULL)
            snprintf(sig, sizeof(sig), "%sSIG%s", first ? "" : "|", abbrev);
        else
            snprintf(sig, sizeof(sig), "%ssignal %" PRIu64, first ? "" : "|", exit_signal);
        append(buf, len, &used, sig);
    }
    append(buf, len, &used, ")");
}

/* One process's entry: its call and what it exec'd. */
static void describe(const struct mechanism_task *t, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    append(buf, len, &used, t->thread ? "thread: " : "");
    append(buf, len, &used, t->call);
    char part[96];
    for (unsigned i = 0; i < t->exec_count; i++) {
        if (t->execs[i].failed_before > 0) {
            snprintf(part, sizeof(part), " + %u failed execve", t->execs[i].failed_before);
            append(buf, len, &used, part);
        }
        snprintf(part, sizeof(part), " + execve(%s)", t->execs[i].name);
        append(buf, len, &used, part);
    }
    if (t->exec_more > 0) {
        snprintf(part, sizeof(part), " + %u more execve", t->exec_more);
        append(buf, len, &used, part);
    }
    if (t->failed_after > 0) {
        snprintf(part, sizeof(part), " + %u failed execve", t->failed_after);
        append(buf, len, &used, part);
    }
}

/* Whether task i is nested under another task listed with it: its parent
 * is one of the tasks the same selection lists. */
static bool nested(const struct mechanism_task *tasks, size_t i, enum mechanism_phase phase,
                   bool threads)
{
    int p = tasks[i].parent;
    return p >= 0 && tasks[p].phase == phase && tasks[p].thread == threads;
}

/* Appends the tasks of one phase (threads or processes), equal consecutive
 * entries as "N x ...". Returns how many were listed. */
static size_t list(const struct mechanism_task *tasks, size_t count, enum mechanism_phase phase,
                   bool threads, char *out, size_t len, size_t *used)
{
    char entry[512], previous[512] = "";
    size_t listed = 0, repeats = 0;
    for (size_t i = 0; i <= count; i++) {
        bool take = i < count && tasks[i].phase == phase && tasks[i].thread == threads;
        if (i < count && !take)
            continue;
        entry[0] = '\0';
        if (take) {
            char what[480];
            describe(&tasks[i], what, sizeof(what));
            snprintf(entry, sizeof(entry), "%s%s",
                     nested(tasks, i, phase, threads) ? "in it: " : "", what);
            if (repeats > 0 && strcmp(entry, previous) == 0) {
                repeats++;
                continue;
            }
        }
        if (repeats > 0) {
            char head[32] = "";
            if (repeats > 1)
                snprintf(head, sizeof(head), "%zu x ", repeats);
            append(out, len, used, listed > 0 ? "; " : "");
            append(out, len, used, head);
            append(out, len, used, previous);
            listed++;
        }
        if (take) {
            snprintf(previous, sizeof(previous), "%s", entry);
            repeats = 1;
        }
    }
    return listed;
}

void mechanism_render(const struct mechanism_task *tasks, size_t count, char *out, size_t len)
{
    size_t used = 0;
    if (len == 0)
        return;
    out[0] = '\0';
    if (list(tasks, count, MECHANISM_SAMPLE, false, out, len, &used) == 0 &&
        list(tasks, count, MECHANISM_SAMPLE, true, out, len, &used) == 0) {
        append(out, len, &used, "none in the sample");
        bool setup = false;
        for (size_t i = 0; i < count && !setup; i++)
            setup = tasks[i].phase == MECHANISM_SETUP && !tasks[i].thread;
        if (setup) {
            append(out, len, &used, "; setup: ");
            list(tasks, count, MECHANISM_SETUP, false, out, len, &used);
        }
    }
    if (used >= len && len > 4)
        memcpy(out + len - 4, "...", 4);
}
