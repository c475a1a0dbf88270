/*
 * Two single-producer single-consumer byte rings in shared memory, and the
 * four ways a side waits for the other (see ipc_ring.h).
 *
 * Each ring has a head (bytes written, moved by the sender) and a tail
 * (bytes read, moved by the receiver), on cache lines of their own. A side
 * that cannot go on waits until the other side's index moves. The blocking
 * waits (futex, sem, eventfd) use one protocol: the waiter announces in
 * `sleeping` which index it waits on, looks at the index once more, and
 * only then blocks; the other side, after moving an index, wakes the waiter
 * only when it announced that very index. Both look after a full fence
 * (Dekker), so a wake-up cannot be lost; a side that does not sleep costs
 * the other no system call; and a side waiting for a reply is not woken
 * when its message is merely taken (which on one CPU would cost two extra
 * context switches per hand-off). So on one CPU every hand-off is one wake
 * and one wait, as in a hand-written futex ping-pong.
 */
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ipc_ring.h"

/* Spinning with both ends on one CPU is pathological: the waiter would
 * burn its whole time slice (milliseconds) before the side it waits for
 * runs. So every this many polls (a pause is about 34 ns on this EPYC VM:
 * about 1 us) it yields the CPU; across CPUs a small hand-off takes less
 * than that, and a yield with nothing else to run returns (in under 1 us). */
#define IPC_RING_SPINS_PER_YIELD 32u

#define CACHE_LINE 64

struct ring_lane {
    _Alignas(CACHE_LINE) _Atomic uint64_t head;
    _Alignas(CACHE_LINE) _Atomic uint64_t tail;
};

/* How to wake one process. */
struct ring_waiter {
    /* 0, or the index_id() of the index it sleeps until it moves. */
    _Alignas(CACHE_LINE) _Atomic uint32_t sleeping;
    _Atomic uint32_t futex; /* bumped by every futex wake */
    sem_t sem;
};

struct ring_region {
    enum ipc_ring_wait wait;
    _Atomic uint32_t closed;      /* set by the parent's teardown */
    struct ring_lane lane[2];     /* [side]: the ring side writes */
    struct ring_waiter waiter[2]; /* [side]: wakes side */
    _Alignas(CACHE_LINE) unsigned char data[2][IPC_RING_BYTES];
};

static struct ring_region *region_of(struct ipc_channel *ch)
{
    return ch->shared;
}

/* Names an index of the region for `sleeping`: its offset, never 0. */
static uint32_t index_id(struct ipc_channel *ch, _Atomic uint64_t *index)
{
    return (uint32_t)((char *)index - (char *)ch->shared);
}

/* Wakes whatever side waits on, in wake(). */
#define ANY_INDEX 0u

int ipc_ring_open(struct ipc_channel *ch, enum ipc_ring_wait wait, char *why, size_t why_len)
{
    void *p = mmap(NULL, sizeof(struct ring_region), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        int err = -errno;
        snprintf(why, why_len, "mmap of %zu shared bytes failed: %s", sizeof(struct ring_region),
                 strerror(-err));
        return err;
    }
    ch->shared = p;
    ch->shared_bytes = sizeof(struct ring_region);
    struct ring_region *r = p; /* zeroed by mmap */
    r->wait = wait;
    for (int side = IPC_PARENT; side <= IPC_PEER; side++) {
        if (wait == IPC_RING_SEM && sem_init(&r->waiter[side].sem, 1, 0) != 0) {
            int err = -errno;
            snprintf(why, why_len, "sem_init failed: %s", strerror(-err));
            return err;
        }
        if (wait == IPC_RING_EVENTFD) {
            /* fd[side][IPC_RX] is side's own eventfd, which it reads to
             * wait; the other side writes it to wake side. */
            int efd = eventfd(0, EFD_CLOEXEC);
            if (efd < 0) {
                int err = -errno;
                snprintf(why, why_len, "eventfd failed: %s", strerror(-err));
                return err;
            }
            ch->fd[side][IPC_RX] = ch->fd[IPC_OTHER(side)][IPC_TX] = efd;
        }
    }
    return 0;
}

/* side's eventfd as this process holds it: its own reading end, or the
 * other side's writing end (the same descriptor, opened before fork()). */
static int eventfd_of(const struct ipc_channel *ch, enum ipc_side side)
{
    int fd = ch->fd[side][IPC_RX];
    return fd >= 0 ? fd : ch->fd[IPC_OTHER(side)][IPC_TX];
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static bool stopped(struct ipc_channel *ch, enum ipc_side side)
{
    if (side == IPC_PARENT)
        return ipc_peer_exited();
    return atomic_load(&region_of(ch)->closed) != 0;
}

static void block(struct ipc_channel *ch, enum ipc_side side, uint32_t futex_seen)
{
    struct ring_waiter *w = &region_of(ch)->waiter[side];
    switch (region_of(ch)->wait) {
    case IPC_RING_FUTEX:
        /* Not FUTEX_PRIVATE_FLAG: the word is shared between processes. */
        syscall(SYS_futex, &w->futex, FUTEX_WAIT, futex_seen, NULL, NULL, 0);
        break;
    case IPC_RING_SEM:
        sem_wait(&w->sem);
        break;
    case IPC_RING_EVENTFD: {
        uint64_t count;
        ssize_t ignored = read(eventfd_of(ch, side), &count, sizeof(count));
        (void)ignored;
        break;
    }
    case IPC_RING_SPIN:
        break;
    }
    /* Whatever woke it (the other side, a signal, a stale wake-up), the
     * caller looks at the index again. */
}

/* Wakes side if it announced that it sleeps until index id moves (or at
 * all, for ANY_INDEX). Async-signal-safe. */
static void wake(struct ipc_channel *ch, enum ipc_side side, uint32_t id)
{
    struct ring_region *r = region_of(ch);
    if (r->wait == IPC_RING_SPIN)
        return;
    struct ring_waiter *w = &r->waiter[side];
    atomic_thread_fence(memory_order_seq_cst);
    uint32_t waits_on = atomic_load_explicit(&w->sleeping, memory_order_relaxed);
    if (waits_on == 0 || (id != ANY_INDEX && waits_on != id) ||
        !atomic_compare_exchange_strong(&w->sleeping, &waits_on, 0))
        return;
    switch (r->wait) {
    case IPC_RING_FUTEX:
        atomic_fetch_add(&w->futex, 1);
        syscall(SYS_futex, &w->futex, FUTEX_WAKE, 1, NULL, NULL, 0);
        break;
    case IPC_RING_SEM:
        sem_post(&w->sem);
        break;
    case IPC_RING_EVENTFD: {
        uint64_t one = 1;
        ssize_t ignored = write(eventfd_of(ch, side), &one, sizeof(one));
        (void)ignored;
        break;
    }
    case IPC_RING_SPIN:
        break;
    }
}

/* Waits as side until *index differs from seen. 0, or -EPIPE when the
 * other side has gone (the peer exited; the parent closed). */
static int wait_for(struct ipc_channel *ch, enum ipc_side side, _Atomic uint64_t *index,
                    uint64_t seen)
{
    struct ring_region *r = region_of(ch);
    struct ring_waiter *w = &r->waiter[side];
    for (unsigned polls = 1;; polls++) {
        if (atomic_load_explicit(index, memory_order_acquire) != seen)
            return 0;
        if (stopped(ch, side))
            return -EPIPE;
        if (r->wait == IPC_RING_SPIN) {
            if (polls % IPC_RING_SPINS_PER_YIELD == 0)
                sched_yield();
            else
                cpu_relax();
            continue;
        }
        uint32_t futex_seen = atomic_load(&w->futex);
        atomic_store(&w->sleeping, index_id(ch, index));
        if (atomic_load(index) == seen && !stopped(ch, side))
            block(ch, side, futex_seen);
        atomic_store(&w->sleeping, 0);
    }
}

/* Sends (into side's ring) or receives (from the other side's) len bytes:
 * the two are one loop seen from either end of a ring, where each side
 * moves its own index and waits on the other's. */
static int ring_move(struct ipc_channel *ch, enum ipc_side side, bool sending, unsigned char *buf,
                     size_t len)
{
    struct ring_region *r = region_of(ch);
    enum ipc_side writer = sending ? side : IPC_OTHER(side);
    struct ring_lane *lane = &r->lane[writer];
    unsigned char *data = r->data[writer];
    _Atomic uint64_t *mine = sending ? &lane->head : &lane->tail;
    _Atomic uint64_t *theirs = sending ? &lane->tail : &lane->head;
    uint64_t pos = atomic_load_explicit(mine, memory_order_relaxed);
    while (len > 0) {
        uint64_t other = atomic_load_explicit(theirs, memory_order_acquire);
        /* Room to write, or bytes to read. */
        size_t ready = sending ? IPC_RING_BYTES - (size_t)(pos - other) : (size_t)(other - pos);
        if (ready == 0) {
            int err = wait_for(ch, side, theirs, other);
            if (err < 0)
                return err;
            continue;
        }
        size_t at = (size_t)(pos % IPC_RING_BYTES);
        size_t n = len < ready ? len : ready;
        if (n > IPC_RING_BYTES - at)
            n = IPC_RING_BYTES - at;
        if (sending)
            memcpy(data + at, buf, n);
        else
            memcpy(buf, data + at, n);
        pos += n;
        atomic_store_explicit(mine, pos, memory_order_release);
        wake(ch, IPC_OTHER(side), index_id(ch, mine));
        buf += n;
        len -= n;
    }
    return 0;
}

int ipc_ring_send(struct ipc_channel *ch, enum ipc_side side, const void *buf, size_t len)
{
    /* Only read: ring_move() writes through buf when receiving. */
    return ring_move(ch, side, true, (unsigned char *)buf, len);
}

int ipc_ring_recv(struct ipc_channel *ch, enum ipc_side side, void *buf, size_t len)
{
    return ring_move(ch, side, false, buf, len);
}

void ipc_ring_parent_stop(struct ipc_channel *ch)
{
    atomic_store(&region_of(ch)->closed, 1);
    wake(ch, IPC_PEER, ANY_INDEX);
}

void ipc_ring_wake_parent(struct ipc_channel *ch)
{
    wake(ch, IPC_PARENT, ANY_INDEX);
}

void ipc_ring_release(struct ipc_channel *ch)
{
    struct ring_region *r = region_of(ch);
    if (r == NULL || r->wait != IPC_RING_SEM)
        return;
    for (int side = IPC_PARENT; side <= IPC_PEER; side++)
        sem_destroy(&r->waiter[side].sem);
}
