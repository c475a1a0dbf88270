/*
 * Whether the process that left something behind is still alive. A pid
 * alone cannot say: pids are reused, so a marker names its process by pid
 * and start time (clock ticks after boot, field 22 of /proc/PID/stat),
 * which together name one process for as long as the machine is up. A
 * RUNNING marker of a run folder and the name of a report's staging folder
 * carry one; whoever finds them later asks liveness_alive() whether they
 * were abandoned (the process was killed, e.g. by SIGKILL, or crashed).
 */
#ifndef PROCBENCH_LIVENESS_H
#define PROCBENCH_LIVENESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct liveness_id {
    pid_t pid;
    unsigned long long start_ticks;
};

/* The calling process. Returns 0, or -errno when /proc cannot tell. */
int liveness_self(struct liveness_id *out);

/* True while the process id names is running (or a zombie not yet
 * reaped); false once it is gone, or its pid now names another process. */
bool liveness_alive(const struct liveness_id *id);

/* "PID.START" into buf[len] (for names), and back: liveness_parse reads it
 * at the start of text and returns the number of characters read, or 0
 * when text does not start with one. */
void liveness_format(const struct liveness_id *id, char *buf, size_t len);
size_t liveness_parse(const char *text, struct liveness_id *out);

#endif
