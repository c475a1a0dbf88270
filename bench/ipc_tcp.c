/*
 * ipc.tcp: a TCP connection over loopback (127.0.0.1, an ephemeral port,
 * TCP_NODELAY so that small messages are not held back by Nagle), the
 * channel of every local service that speaks a network protocol. Connected
 * in setup and the listening socket closed at once; nothing listens beyond
 * that moment, and only on 127.0.0.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc_common.h"

static int tcp_open(struct ipc_channel *ch, char *why, size_t why_len)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t addr_len = sizeof(addr);
    int one = 1, client, server, err;
    const char *call = "socket";
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0)
        goto fail;
    call = "bind to 127.0.0.1";
    if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) != 0)
        goto fail;
    call = "listen";
    if (listen(listener, 1) != 0 || getsockname(listener, (struct sockaddr *)&addr, &addr_len) != 0)
        goto fail;
    call = "socket";
    client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (client < 0)
        goto fail;
    ipc_channel_set_duplex(ch, client, -1);
    call = "connect";
    if (connect(client, (struct sockaddr *)&addr, sizeof(addr)) != 0)
        goto fail;
    call = "accept";
    server = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (server < 0)
        goto fail;
    ipc_channel_set_duplex(ch, client, server);
    call = "setsockopt(TCP_NODELAY)";
    if (setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
        setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
        goto fail;
    close(listener);
    return 0;

fail:
    err = -errno;
    snprintf(why, why_len, "%s failed: %s", call, strerror(-err));
    if (listener >= 0)
        close(listener);
    return err;
}

static const struct ipc_transport tcp_transport = {
    .open = tcp_open,
    .send = ipc_fd_send,
    .recv = ipc_fd_recv,
};

const struct scenario ipc_tcp = {
    .name = "ipc.tcp",
    .summary = "a TCP connection over 127.0.0.1 with TCP_NODELAY to a forked peer",
    .params = ipc_params,
    .family = &tcp_transport,
    IPC_SCENARIO_FIELDS,
};
