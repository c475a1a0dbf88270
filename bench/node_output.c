/*
 * node.output: the static child writing `bytes` to its stdout, read by
 * Node either buffered (`api=execFile`, encoding 'buffer', maxBuffer the
 * larger of Node's default 1 MiB and `bytes`; the whole output in the
 * callback) or streamed (`api=spawn`, each 'data' chunk used as it
 * arrives). Every byte is compared with the pattern the child writes, in
 * both modes, inside the timed section, as output.* do. Figures: time from
 * the call to the callback or 'close'; first_byte, the first 'data' event
 * on the child's stdout; rss_growth, the growth of the Node process's peak
 * RSS over the sample (VmHWM after resetting it through
 * /proc/self/clear_refs, against VmRSS before; the driver runs gc() before
 * each sample, untimed, so that one sample's garbage is not the next one's
 * baseline).
 */
#include "node_common.h"

static const struct param_spec node_output_params[] = {
    {
        .name = "api",
        .kind = PARAM_WORD,
        .defaults = "execFile,spawn",
        .choices = "execFile,spawn",
        .help = "execFile: buffered, the output in the callback; spawn: streamed 'data' events",
    },
    {
        .name = "bytes",
        .kind = PARAM_SIZE,
        .defaults = "1K,64K,1M,64M",
        .quick = "64M",
        .min = 0,
        .max = 1ull << 30,
        .help = "bytes the child writes to its stdout, 0..1G",
    },
    {.name = NULL},
};

const struct scenario node_output = {
    .name = "node.output",
    .summary = "child output read by Node: execFile (buffered) or spawn (streamed); time and RSS",
    .params = node_output_params,
    NODE_SCENARIO_FIELDS,
};
