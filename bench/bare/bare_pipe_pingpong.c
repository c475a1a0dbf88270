/*
 * A reference loop for ipc.pipe mode=pingpong size=1 written without the
 * harness: one byte down a pipe to a forked peer and back up another
 * (lmbench lat_pipe). See bare_pingpong.h for the command line.
 */
#include "bare_pingpong.h"

static int down[2], up[2];

static int pipes_open(void)
{
    if (pipe(down) != 0 || pipe(up) != 0) {
        perror("bare_pipe_pingpong: pipe");
        return -1;
    }
    return 0;
}

static void pipes_peer(void)
{
    unsigned char byte;
    close(down[1]);
    close(up[0]);
    while (read(down[0], &byte, 1) == 1 && write(up[1], &byte, 1) == 1)
        ;
}

static int pipes_round_trip(unsigned char byte)
{
    unsigned char back = (unsigned char)~byte;
    if (write(down[1], &byte, 1) != 1 || read(up[0], &back, 1) != 1 || back != byte) {
        fprintf(stderr, "bare_pipe_pingpong: sent 0x%02x, got 0x%02x back\n", byte, back);
        return -1;
    }
    return 0;
}

static void pipes_close(void)
{
    close(down[1]);
}

int main(int argc, char **argv)
{
    static const struct bare_exchange pipes = {
        .name = "bare_pipe_pingpong",
        .open = pipes_open,
        .peer = pipes_peer,
        .round_trip = pipes_round_trip,
        .close = pipes_close,
    };
    return bare_main(&pipes, argc, argv);
}
