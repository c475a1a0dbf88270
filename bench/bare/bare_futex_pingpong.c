/*
 * A reference loop for ipc.shm wait=futex mode=pingpong size=1 written
 * without the harness: the byte in a shared anonymous mapping, and a turn
 * word the two processes hand to each other with futex wait and wake (the
 * wake only when the other side sleeps). See bare_pingpong.h for the
 * command line.
 */
#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "bare_pingpong.h"

enum turn {
    TURN_PARENT, /* the byte is back: the parent's turn */
    TURN_PEER,   /* a byte is waiting for the peer */
    TURN_END,
};

/* Or'ed into the turn by a side about to sleep on it, so that the other
 * side makes the wake system call only when someone sleeps (as ipc.shm
 * does with its `sleeping` word). */
#define WAITING 0x100u

struct exchange {
    _Atomic uint32_t turn;
    unsigned char byte;
};

static struct exchange *shared;

static void futex(_Atomic uint32_t *word, int op, uint32_t value)
{
    syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

/* Waits until the turn is no longer `now`; returns the new turn. */
static uint32_t wait_while(uint32_t now)
{
    for (;;) {
        uint32_t turn = atomic_load(&shared->turn);
        if ((turn & ~WAITING) != now)
            return turn & ~WAITING;
        if (turn == now && !atomic_compare_exchange_strong(&shared->turn, &turn, now | WAITING))
            continue;
        futex(&shared->turn, FUTEX_WAIT, now | WAITING);
    }
}

static void hand_over(uint32_t turn)
{
    if (atomic_exchange(&shared->turn, turn) & WAITING)
        futex(&shared->turn, FUTEX_WAKE, 1);
}

static int futex_open(void)
{
    void *p =
        mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("bare_futex_pingpong: mmap");
        return -1;
    }
    shared = p;
    return 0;
}

static void futex_peer(void)
{
    /* The byte stays where it is: echoing it is handing the turn back. */
    while (wait_while(TURN_PARENT) == TURN_PEER)
        hand_over(TURN_PARENT);
}

static int futex_round_trip(unsigned char byte)
{
    shared->byte = byte;
    hand_over(TURN_PEER);
    if (wait_while(TURN_PEER) != TURN_PARENT || shared->byte != byte) {
        fprintf(stderr, "bare_futex_pingpong: sent 0x%02x, found 0x%02x\n", byte, shared->byte);
        return -1;
    }
    return 0;
}

static void futex_close(void)
{
    hand_over(TURN_END);
}

int main(int argc, char **argv)
{
    static const struct bare_exchange futexes = {
        .name = "bare_futex_pingpong",
        .open = futex_open,
        .peer = futex_peer,
        .round_trip = futex_round_trip,
        .close = futex_close,
    };
    return bare_main(&futexes, argc, argv);
}
