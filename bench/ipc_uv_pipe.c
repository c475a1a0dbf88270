/*
 * ipc.uv_pipe: the channel Node.js gives a child made with
 * child_process.fork(), without Node. The parent's end of an AF_UNIX stream
 * socketpair is a libuv uv_pipe_t driven by a uv loop, as in Node; the peer
 * is plain C on the other end. Messages are framed the two ways Node frames
 * them, and both sides encode and decode every byte of every message:
 *
 *   framing=json    one JSON text per line, as Node's default 'json'
 *                   serialization (JSON.stringify, '\n'):
 *                   {"data":"<message>"}, every byte that is not printable
 *                   ASCII, and '"' and '\', escaped as \u00XX;
 *   framing=length  a 4-byte big-endian length, then the message: the
 *                   framing of Node's 'advanced' serialization, with the
 *                   message's bytes in place of V8's serializer output.
 *
 * The parent writes with uv_write() (which writes at once when it can) and
 * waits for a reply by running the loop, where the read callback appends
 * what arrives to a buffer that frames are cut from. bytes_per_s counts
 * message bytes, not frame bytes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "ipc_common.h"
#include "uv_common.h"

/* What one read may add to the input buffer: libuv's usual suggestion. */
#define READ_CHUNK_BYTES (64u * 1024u)
#define JSON_PREFIX      "{\"data\":\""
#define JSON_SUFFIX      "\"}\n"
#define STRLEN(literal)  (sizeof(literal) - 1)
#define LENGTH_BYTES     4u

enum uvp_framing {
    FRAMING_JSON, /* index in the choices of the framing parameter */
    FRAMING_LENGTH,
};

static const struct param_spec uvp_params[] = {
    {
        .name = "framing",
        .kind = PARAM_WORD,
        .defaults = "json,length",
        .quick = "json",
        .choices = "json,length",
        .help = "Node-style framing: json (a JSON line, bytes escaped) or length (4-byte length "
                "prefix, as 'advanced' serialization)",
    },
    IPC_PARAM_MODE,
    IPC_PARAM_SIZE,
    {.name = NULL},
};

/* Bytes received and not yet cut into frames: [start, end) of data. */
struct frame_input {
    char *data;
    size_t cap, start, end;
    size_t scanned; /* json: bytes after start already searched for '\n' */
};

struct uvp_channel {
    enum uvp_framing framing;
    size_t payload_max; /* the largest message: size, or an 8-byte ack */
    char *frame;        /* the frame being sent */
    size_t frame_cap;
    struct frame_input in;
    /* The parent's side: */
    bool started;
    uv_loop_t loop;
    uv_pipe_t pipe;
    int read_error;  /* a libuv error from the read callback, UV_EOF at the end */
    int write_error; /* the first failed write */
};

/* --- Frames ------------------------------------------------------------- */

static bool json_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* Encodes len bytes of buf into u->frame; returns the frame's length. */
static size_t frame_encode(struct uvp_channel *u, const unsigned char *buf, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    char *o = u->frame;
    if (u->framing == FRAMING_LENGTH) {
        o[0] = (char)(len >> 24);
        o[1] = (char)(len >> 16);
        o[2] = (char)(len >> 8);
        o[3] = (char)len;
        memcpy(o + LENGTH_BYTES, buf, len);
        return LENGTH_BYTES + len;
    }
    memcpy(o, JSON_PREFIX, STRLEN(JSON_PREFIX));
    o += STRLEN(JSON_PREFIX);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = buf[i];
        if (json_plain(c)) {
            *o++ = (char)c;
        } else {
            memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            o += 6;
        }
    }
    memcpy(o, JSON_SUFFIX, STRLEN(JSON_SUFFIX));
    return (size_t)(o - u->frame) + STRLEN(JSON_SUFFIX);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Length of the complete frame at the start of the input, 0 when it is not
 * all there yet, or -EPROTO when the input cannot be a frame. */
static ssize_t frame_find(struct ipc_channel *ch, struct uvp_channel *u)
{
    struct frame_input *in = &u->in;
    size_t have = in->end - in->start;
    const char *at = in->data + in->start;
    if (u->framing == FRAMING_JSON) {
        const char *nl = memchr(at + in->scanned, '\n', have - in->scanned);
        in->scanned = have;
        return nl != NULL ? nl - at + 1 : 0;
    }
    if (have < LENGTH_BYTES)
        return 0;
    const unsigned char *b = (const unsigned char *)at;
    size_t len = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
    if (len > u->payload_max) {
        snprintf(ch->detail, sizeof(ch->detail), "a frame announcing %zu bytes", len);
        return -EPROTO;
    }
    return have >= LENGTH_BYTES + len ? (ssize_t)(LENGTH_BYTES + len) : 0;
}

/* Decodes the frame f[0..len) into exactly n bytes of out. */
static int frame_decode(struct ipc_channel *ch, struct uvp_channel *u, const char *f, size_t len,
                        unsigned char *out, size_t n)
{
    if (u->framing == FRAMING_LENGTH) {
        if (len - LENGTH_BYTES != n) {
            snprintf(ch->detail, sizeof(ch->detail), "a %zu-byte frame where %zu were due",
                     len - LENGTH_BYTES, n);
            return -EPROTO;
        }
        memcpy(out, f + LENGTH_BYTES, n);
        return 0;
    }
    if (len < STRLEN(JSON_PREFIX) + STRLEN(JSON_SUFFIX) ||
        memcmp(f, JSON_PREFIX, STRLEN(JSON_PREFIX)) != 0 ||
        memcmp(f + len - STRLEN(JSON_SUFFIX), JSON_SUFFIX, STRLEN(JSON_SUFFIX)) != 0) {
        snprintf(ch->detail, sizeof(ch->detail), "a line that is not {\"data\":\"...\"}");
        return -EPROTO;
    }
    const char *p = f + STRLEN(JSON_PREFIX), *end = f + len - STRLEN(JSON_SUFFIX);
    size_t o = 0;
    while (p < end && o < n) {
        unsigned char c = (unsigned char)*p++;
        if (c == '\\') {
            int hi = end - p >= 5 && memcmp(p, "u00", 3) == 0 ? hex_value(p[3]) : -1;
            int lo = hi >= 0 ? hex_value(p[4]) : -1;
            if (lo < 0) {
                snprintf(ch->detail, sizeof(ch->detail), "a bad escape in a JSON line");
                return -EPROTO;
            }
            c = (unsigned char)(hi << 4 | lo);
            p += 5;
        } else if (c == '"') {
            break;
        }
        out[o++] = c;
    }
    if (o != n || p != end) {
        snprintf(ch->detail, sizeof(ch->detail), "a JSON line of another length than %zu bytes", n);
        return -EPROTO;
    }
    return 0;
}

/* Makes room for READ_CHUNK_BYTES after the input, moving what is left to
 * the front first. */
static int input_reserve(struct frame_input *in)
{
    if (in->cap - in->end >= READ_CHUNK_BYTES)
        return 0;
    memmove(in->data, in->data + in->start, in->end - in->start);
    in->end -= in->start;
    in->start = 0;
    while (in->cap - in->end < READ_CHUNK_BYTES) {
        char *bigger = realloc(in->data, in->cap * 2);
        if (bigger == NULL)
            return -ENOMEM;
        in->data = bigger;
        in->cap *= 2;
    }
    return 0;
}

/* --- The parent's side: libuv ----------------------------------------- */

static void uvp_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct uvp_channel *u = handle->data;
    if (input_reserve(&u->in) != 0) {
        *buf = uv_buf_init(NULL, 0); /* libuv reports UV_ENOBUFS */
        return;
    }
    *buf = uv_buf_init(u->in.data + u->in.end, (unsigned)(u->in.cap - u->in.end));
}

static void uvp_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    struct uvp_channel *u = stream->data;
    if (nread > 0) {
        u->in.end += (size_t)nread;
    } else if (nread < 0 && u->read_error == 0) {
        u->read_error = (int)nread;
        uv_read_stop(stream);
    }
}

static void uvp_written(uv_write_t *req, int status)
{
    struct uvp_channel *u = req->handle->data;
    if (status < 0 && u->write_error == 0)
        u->write_error = status;
    free(req);
}

static int uv_to_errno(int uv_err)
{
    return uv_err == UV_EOF || uv_err == UV_ECONNRESET || uv_err == UV_EPIPE ? -EPIPE : uv_err;
}

/* Writes the frame. The frame buffer is reused by the next send, so when
 * libuv could not write it all at once, the loop runs until it has. */
static int uvp_parent_write(struct uvp_channel *u, size_t len)
{
    uv_write_t *req = malloc(sizeof(*req));
    if (req == NULL)
        return -ENOMEM;
    uv_buf_t buf = uv_buf_init(u->frame, (unsigned)len);
    int err = uv_write(req, (uv_stream_t *)&u->pipe, &buf, 1, uvp_written);
    if (err < 0) {
        free(req);
        return uv_to_errno(err);
    }
    while (uv_stream_get_write_queue_size((uv_stream_t *)&u->pipe) > 0 && u->write_error == 0) {
        if (uv_run(&u->loop, UV_RUN_ONCE) == 0)
            break;
    }
    return u->write_error < 0 ? uv_to_errno(u->write_error) : 0;
}

/* Runs the loop once, for the read callback to add to the input. */
static int uvp_parent_fill(struct uvp_channel *u)
{
    if (u->read_error < 0)
        return uv_to_errno(u->read_error);
    uv_run(&u->loop, UV_RUN_ONCE);
    return 0;
}

static int uvp_parent_start(struct ipc_channel *ch, char *why, size_t why_len)
{
    struct uvp_channel *u = ch->priv;
    const char *call = "uv_loop_init";
    int err = uv_loop_init(&u->loop);
    if (err < 0)
        goto fail;
    u->started = true;
    call = "uv_pipe_init";
    err = uv_pipe_init(&u->loop, &u->pipe, 0);
    if (err < 0)
        goto fail;
    u->pipe.data = u;
    call = "uv_pipe_open";
    err = uv_pipe_open(&u->pipe, ch->fd[IPC_PARENT][IPC_RX]);
    if (err < 0)
        goto fail;
    /* The handle owns the descriptor now, and closes it. */
    ch->fd[IPC_PARENT][IPC_RX] = ch->fd[IPC_PARENT][IPC_TX] = -1;
    call = "uv_read_start";
    err = uv_read_start((uv_stream_t *)&u->pipe, uvp_alloc, uvp_read);
    if (err < 0)
        goto fail;
    return 0;

fail:
    snprintf(why, why_len, "%s failed: %s", call, uv_strerror(err));
    return err;
}

static void uvp_parent_stop(struct ipc_channel *ch)
{
    struct uvp_channel *u = ch->priv;
    if (u->started)
        uv_common_loop_close(&u->loop); /* closes the pipe, so the peer reads its end */
    u->started = false;
}

/* --- Both sides ----------------------------------------------------------- */

/* Reads what the socket has into the input: the peer's plain read(). */
static int uvp_peer_fill(struct uvp_channel *u, int fd)
{
    int err = input_reserve(&u->in);
    if (err < 0)
        return err;
    for (;;) {
        ssize_t n = read(fd, u->in.data + u->in.end, u->in.cap - u->in.end);
        if (n > 0) {
            u->in.end += (size_t)n;
            return 0;
        }
        if (n == 0)
            return -EPIPE;
        if (errno != EINTR)
            return errno == ECONNRESET ? -EPIPE : -errno;
    }
}

static int uvp_send(struct ipc_channel *ch, enum ipc_side side, const void *buf, size_t len)
{
    struct uvp_channel *u = ch->priv;
    size_t frame_len = frame_encode(u, buf, len);
    if (side == IPC_PARENT)
        return uvp_parent_write(u, frame_len);
    return ipc_write_all(ch->fd[side][IPC_TX], u->frame, frame_len);
}

static int uvp_recv(struct ipc_channel *ch, enum ipc_side side, void *buf, size_t len)
{
    struct uvp_channel *u = ch->priv;
    for (;;) {
        ssize_t frame_len = frame_find(ch, u);
        if (frame_len < 0)
            return (int)frame_len;
        if (frame_len > 0) {
            int err = frame_decode(ch, u, u->in.data + u->in.start, (size_t)frame_len, buf, len);
            u->in.start += (size_t)frame_len;
            u->in.scanned = 0;
            return err;
        }
        int err = side == IPC_PARENT ? uvp_parent_fill(u) : uvp_peer_fill(u, ch->fd[side][IPC_RX]);
        if (err < 0)
            return err;
    }
}

static int uvp_open(struct ipc_channel *ch, char *why, size_t why_len)
{
    struct uvp_channel *u = calloc(1, sizeof(*u));
    if (u == NULL)
        goto fail_memory;
    ch->priv = u;
    u->framing = (enum uvp_framing)scenario_param(ch->ctx, "framing")->number;
    u->payload_max = ch->message_bytes > sizeof(uint64_t) ? ch->message_bytes : sizeof(uint64_t);
    /* Worst case of json: every byte escaped, 6 for 1. */
    u->frame_cap = u->framing == FRAMING_JSON
                       ? STRLEN(JSON_PREFIX) + 6 * u->payload_max + STRLEN(JSON_SUFFIX)
                       : LENGTH_BYTES + u->payload_max;
    u->frame = malloc(u->frame_cap);
    u->in.cap = u->frame_cap + READ_CHUNK_BYTES;
    u->in.data = malloc(u->in.cap);
    if (u->frame == NULL || u->in.data == NULL)
        goto fail_memory;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        int err = -errno;
        snprintf(why, why_len, "socketpair failed: %s", strerror(-err));
        return err;
    }
    ipc_channel_set_duplex(ch, sv[0], sv[1]);
    return 0;

fail_memory:
    snprintf(why, why_len, "out of memory");
    return -ENOMEM;
}

static void uvp_release(struct ipc_channel *ch)
{
    struct uvp_channel *u = ch->priv;
    if (u != NULL) {
        free(u->frame);
        free(u->in.data);
    }
    free(u);
    ch->priv = NULL;
}

static const struct ipc_transport uvp_transport = {
    .open = uvp_open,
    .send = uvp_send,
    .recv = uvp_recv,
    .parent_start = uvp_parent_start,
    .parent_stop = uvp_parent_stop,
    .release = uvp_release,
};

const struct scenario ipc_uv_pipe = {
    .name = "ipc.uv_pipe",
    .summary = "a libuv pipe (uv loop in the parent) to a forked peer, with Node-style json or "
               "length-prefixed framing",
    .params = uvp_params,
    .process_init = uv_common_process_init,
    .family = &uvp_transport,
    IPC_SCENARIO_FIELDS,
};
