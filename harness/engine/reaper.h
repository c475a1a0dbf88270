/*
 * No child outlives a run. The harness makes itself a child subreaper, so
 * that anything a round's process leaves behind is re-parented to it rather
 * than to init, and reaper_collect() then finds, kills and reaps whatever
 * children the calling process still has.
 */
#ifndef PROCBENCH_REAPER_H
#define PROCBENCH_REAPER_H

#include <sys/types.h>

/* Makes the calling process the reaper of its orphaned descendants
 * (PR_SET_CHILD_SUBREAPER). Returns 0 or -errno. */
int reaper_become_subreaper(void);

/* Kills (SIGKILL) and reaps every child of the calling process, running or
 * already a zombie. Returns how many there were: 0 when nothing was left. */
int reaper_collect(void);

/* Number of descriptors the calling process has open, or -errno. */
int reaper_count_fds(void);

/* Makes reaper_collect(), in this process, leave child pid alone (neither
 * killed nor counted): the holder of held state (holder.h), which outlives
 * rounds. 0 spares nothing. If it is found dead, it is reaped and spared no
 * more. */
void reaper_spare(pid_t pid);

#endif
