/*
 * The exec target of the spawn, ipc and output scenarios, linked -static so
 * that starting it costs an exec and no dynamic loader. With no argument it
 * exits at once: that is what spawn.* measures, so that path touches nothing
 * (no stdio, no buffers). Two modes serve the other families:
 *
 *   procbench-child echo                 copy stdin to stdout until EOF
 *   procbench-child write BYTES [CHUNK]  write BYTES bytes of a repeating
 *                                        pattern in CHUNK-byte writes
 *                                        (default 64 KiB, at most 1 MiB)
 *
 * and three for the fault tests (tests/unit/test_faults.c), which point
 * PROCBENCH_CHILD at a script that execs the child in one of them, so that
 * a scenario meets a real child that misbehaves:
 *
 *   procbench-child crash                die of SIGSEGV (a write through NULL)
 *   procbench-child hang                 sleep until killed
 *   procbench-child exit N               exit with status N (0 to 255)
 *
 * The spawn rows add two things before the mode, both optional (issue 18):
 *
 *   procbench-child [--entry-fd=FD] [MODE ... | xxx... ...]
 *
 * --entry-fd=FD writes, as its first act, the CLOCK_MONOTONIC time at
 * which this program's first instruction ran (8 bytes, nanoseconds, host
 * byte order) to descriptor FD, which the harness left open across the
 * exec: spawn's first_instruction is that time minus the parent's create
 * call. Arguments made only of 'x' are padding (spawn's `args`): the
 * program exits at once, as with no argument.
 *
 * The first instruction: on x86-64 the ELF entry point is
 * procbench_entry, below, which reads the clock with a raw system call
 * (libc is not set up yet) and jumps to libc's _start; nothing of this
 * program runs before it. On other architectures (CMake links the entry
 * only on x86-64) main() reads the clock instead, after libc's start-up.
 *
 * Exit status: 0 done, 1 a read or write failed, 2 bad arguments.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Written by procbench_entry before anything else runs; zero when this
 * build has no entry stub. Not static: the assembly names it. */
struct timespec procbench_entry_time;

#if defined(__x86_64__)
/* clock_gettime(CLOCK_MONOTONIC, &procbench_entry_time) by system call
 * number (228), then libc's own entry. It clobbers only rax, rcx, r11,
 * rdi and rsi: at process entry the ABI gives meaning to rsp (argc, argv,
 * the environment) and rdx (an exit function, 0 for a static program),
 * which stay as the kernel set them for _start. */
__asm__(".text\n"
        ".globl procbench_entry\n"
        ".type procbench_entry, @function\n"
        "procbench_entry:\n"
        "    mov $228, %eax\n"
        "    mov $1, %edi\n"
        "    lea procbench_entry_time(%rip), %rsi\n"
        "    syscall\n"
        "    jmp _start\n"
        ".size procbench_entry, .-procbench_entry\n");
#endif

#define ECHO_BUFFER_BYTES (64u * 1024u)
#define WRITE_CHUNK_BYTES (64u * 1024u)
#define WRITE_CHUNK_MAX   (1024u * 1024u)
#define WRITE_BYTES_MAX   (1ull << 40)
#define PATTERN_BYTES     64u

static const char pattern[PATTERN_BYTES + 1] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n";

/* echo and write share one buffer: write needs a chunk plus one pattern
 * period, so that every chunk can start at any phase of the pattern. Being
 * in .bss, it costs nothing until a mode touches it. */
static char buffer[WRITE_CHUNK_MAX + PATTERN_BYTES];

static void say(const char *message)
{
    ssize_t ignored = write(2, message, strlen(message));
    (void)ignored;
}

static _Noreturn void usage(const char *why)
{
    say("procbench-child: ");
    say(why);
    say("\nusage: procbench-child [--entry-fd=FD] [echo | write BYTES [CHUNK] | crash | hang | "
        "exit N]\n");
    _exit(2);
}

/* Writes all of data to fd, across partial writes and EINTR. 0 or -1. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int echo(void)
{
    for (;;) {
        ssize_t n = read(0, buffer, ECHO_BUFFER_BYTES);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (write_all(1, buffer, (size_t)n) != 0)
            return 1;
    }
}

/* A decimal number in [min, max], the whole string, no sign. */
static int parse_decimal(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    if (text[0] < '0' || text[0] > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

static int write_pattern(uint64_t total, size_t chunk)
{
    for (size_t i = 0; i < chunk + PATTERN_BYTES; i++)
        buffer[i] = pattern[i % PATTERN_BYTES];
    uint64_t written = 0;
    while (written < total) {
        size_t len = total - written < chunk ? (size_t)(total - written) : chunk;
        /* Start at the pattern's phase, so the stream repeats seamlessly. */
        if (write_all(1, buffer + written % PATTERN_BYTES, len) != 0)
            return 1;
        written += len;
    }
    return 0;
}

/* --entry-fd=FD: the entry time to FD. Exits 2 on a bad FD, 1 when the
 * write fails: a start time that cannot be handed back must not pass for
 * a spawn that worked. */
static void report_entry(const char *fd_text)
{
    uint64_t fd;
    if (parse_decimal(fd_text, 0, 1u << 20, &fd) != 0)
        usage("--entry-fd takes a descriptor number");
    if (procbench_entry_time.tv_sec == 0 && procbench_entry_time.tv_nsec == 0)
        clock_gettime(CLOCK_MONOTONIC, &procbench_entry_time);
    uint64_t ns = (uint64_t)procbench_entry_time.tv_sec * 1000000000u +
                  (uint64_t)procbench_entry_time.tv_nsec;
    if (write((int)fd, &ns, sizeof(ns)) != (ssize_t)sizeof(ns))
        _exit(1);
}

/* spawn's `args`: a word of 'x' only. */
static int is_padding(const char *arg)
{
    if (arg[0] != 'x')
        return 0;
    return arg[strspn(arg, "x")] == '\0';
}

int main(int argc, char **argv)
{
    static const char entry_option[] = "--entry-fd=";
    if (argc >= 2 && strncmp(argv[1], entry_option, sizeof(entry_option) - 1) == 0) {
        report_entry(argv[1] + sizeof(entry_option) - 1);
        /* The mode, if any, becomes argv[1]. */
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    if (argc < 2 || is_padding(argv[1]))
        _exit(0);
    if (strcmp(argv[1], "echo") == 0) {
        if (argc != 2)
            usage("echo takes no argument");
        _exit(echo());
    }
    if (strcmp(argv[1], "write") == 0) {
        uint64_t total, chunk = WRITE_CHUNK_BYTES;
        if (argc < 3 || argc > 4)
            usage("write takes BYTES and an optional CHUNK");
        if (parse_decimal(argv[2], 0, WRITE_BYTES_MAX, &total) != 0)
            usage("BYTES must be a decimal number up to 2^40");
        if (argc == 4 && parse_decimal(argv[3], 1, WRITE_CHUNK_MAX, &chunk) != 0)
            usage("CHUNK must be a decimal number from 1 to 1048576");
        _exit(write_pattern(total, (size_t)chunk));
    }
    if (strcmp(argv[1], "crash") == 0) {
        /* A real fault, not raise(): what a buggy child does. volatile, so
         * that the compiler keeps the store; the kill() is for a system
         * that maps page zero. */
        *(volatile int *)(uintptr_t)0 = 1;
        kill(getpid(), SIGSEGV);
        _exit(1);
    }
    if (strcmp(argv[1], "hang") == 0) {
        for (;;)
            pause();
    }
    if (strcmp(argv[1], "exit") == 0) {
        uint64_t status;
        if (argc != 3 || parse_decimal(argv[2], 0, 255, &status) != 0)
            usage("exit takes a status from 0 to 255");
        _exit((int)status);
    }
    usage("unknown mode");
}
