/*
 * The interrupt record. The handler stores the signal number in a
 * sig_atomic_t and does nothing else: all the work (killing the round,
 * writing what is finished, removing a report's temporary folder) happens
 * in the runner and in the commands, outside signal context. The first
 * signal wins, so a second Ctrl-C while the results are being written
 * changes nothing: files are written under temporary names and renamed,
 * and the write finishes.
 *
 * SIGHUP (the terminal went away) stops a run as SIGINT and SIGTERM do: it
 * is the usual way a run in a closed ssh session ends, and its results
 * deserve the same care. SIGUSR1 and SIGPIPE mean nothing to procbench and
 * would kill it by default, leaving a folder half made: a run goes on
 * through them (a closed stdout then loses console lines, never results).
 * They get a handler that does nothing rather than SIG_IGN, because an
 * ignored signal stays ignored across exec: the programs a run measures
 * must start with the default dispositions.
 */
#include <errno.h>
#include <string.h>

#include "interrupt.h"

static volatile sig_atomic_t received;

static void record(int sig)
{
    if (received == 0)
        received = sig;
}

static void ignore(int sig)
{
    (void)sig;
}

static const int stopping[] = {SIGINT, SIGTERM, SIGHUP};
static const int harmless[] = {SIGUSR1, SIGPIPE};

void interrupt_signals(sigset_t *set)
{
    sigemptyset(set);
    for (size_t i = 0; i < sizeof(stopping) / sizeof(stopping[0]); i++)
        sigaddset(set, stopping[i]);
}

int interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a wait returns EINTR and looks */
    received = 0;
    sa.sa_handler = record;
    for (size_t i = 0; i < sizeof(stopping) / sizeof(stopping[0]); i++)
        if (sigaction(stopping[i], &sa, NULL) != 0)
            return -errno;
    sa.sa_handler = ignore;
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++)
        if (sigaction(harmless[i], &sa, NULL) != 0)
            return -errno;
    return 0;
}

void interrupt_reset_in_child(void)
{
    for (size_t i = 0; i < sizeof(stopping) / sizeof(stopping[0]); i++)
        signal(stopping[i], SIG_DFL);
    for (size_t i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++)
        signal(harmless[i], SIG_DFL);
}

int interrupt_signal(void)
{
    return received;
}

const volatile sig_atomic_t *interrupt_record(void)
{
    return &received;
}

const char *interrupt_name(int sig)
{
    switch (sig) {
    case SIGINT:
        return "SIGINT";
    case SIGTERM:
        return "SIGTERM";
    case SIGHUP:
        return "SIGHUP";
    }
    return "a signal";
}
