/*
 * Sums and per-operation shares of rusage figures (usage.h).
 */
#include "usage.h"

static double timeval_ns(struct timeval tv)
{
    return (double)tv.tv_sec * 1e9 + (double)tv.tv_usec * 1e3;
}

void usage_add_delta(struct usage_per_op *sum, const struct rusage *before,
                     const struct rusage *after)
{
    sum->user_ns += timeval_ns(after->ru_utime) - timeval_ns(before->ru_utime);
    sum->sys_ns += timeval_ns(after->ru_stime) - timeval_ns(before->ru_stime);
    sum->minflt += (double)(after->ru_minflt - before->ru_minflt);
    sum->majflt += (double)(after->ru_majflt - before->ru_majflt);
    sum->nvcsw += (double)(after->ru_nvcsw - before->ru_nvcsw);
    sum->nivcsw += (double)(after->ru_nivcsw - before->ru_nivcsw);
}

void usage_add(struct usage_per_op *sum, const struct usage_per_op *more)
{
    sum->user_ns += more->user_ns;
    sum->sys_ns += more->sys_ns;
    sum->minflt += more->minflt;
    sum->majflt += more->majflt;
    sum->nvcsw += more->nvcsw;
    sum->nivcsw += more->nivcsw;
}

struct usage_per_op usage_per_op(const struct usage_per_op *sum, uint64_t ops)
{
    struct usage_per_op u = {0};
    if (ops == 0)
        return u;
    double d = (double)ops;
    u.user_ns = sum->user_ns / d;
    u.sys_ns = sum->sys_ns / d;
    u.minflt = sum->minflt / d;
    u.majflt = sum->majflt / d;
    u.nvcsw = sum->nvcsw / d;
    u.nivcsw = sum->nivcsw / d;
    return u;
}
