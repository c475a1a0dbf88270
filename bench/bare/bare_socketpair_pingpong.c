/*
 * A reference loop for ipc.socketpair type=stream mode=pingpong size=1
 * written without the harness: one byte over an AF_UNIX stream socketpair
 * to a forked peer and back (lmbench lat_unix). See bare_pingpong.h for the
 * command line.
 */
#include <sys/socket.h>

#include "bare_pingpong.h"

static int sv[2];

static int sockets_open(void)
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        perror("bare_socketpair_pingpong: socketpair");
        return -1;
    }
    return 0;
}

static void sockets_peer(void)
{
    unsigned char byte;
    close(sv[0]);
    while (read(sv[1], &byte, 1) == 1 && write(sv[1], &byte, 1) == 1)
        ;
}

static int sockets_round_trip(unsigned char byte)
{
    unsigned char back = (unsigned char)~byte;
    if (write(sv[0], &byte, 1) != 1 || read(sv[0], &back, 1) != 1 || back != byte) {
        fprintf(stderr, "bare_socketpair_pingpong: sent 0x%02x, got 0x%02x back\n", byte, back);
        return -1;
    }
    return 0;
}

static void sockets_close(void)
{
    close(sv[0]);
}

int main(int argc, char **argv)
{
    static const struct bare_exchange sockets = {
        .name = "bare_socketpair_pingpong",
        .open = sockets_open,
        .peer = sockets_peer,
        .round_trip = sockets_round_trip,
        .close = sockets_close,
    };
    return bare_main(&sockets, argc, argv);
}
