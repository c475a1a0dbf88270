/*
 * The interrupt record. The handler stores the signal number in a
 * sig_atomic_t and does nothing else: all the work (killing the round,
 * writing what is finished) happens in the runner and in `procbench run`,
 * outside signal context. The first signal wins, so a second Ctrl-C while
 * the results are being written changes nothing: files are written under
 * temporary names and renamed, and the write finishes.
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

void interrupt_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
}

int interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = record;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a wait returns EINTR and looks */
    received = 0;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return -errno;
    return 0;
}

void interrupt_reset_in_child(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

int interrupt_signal(void)
{
    return received;
}
