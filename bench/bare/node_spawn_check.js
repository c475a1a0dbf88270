'use strict';
/*
 * A hand-written check of node.spawn{target=dynamic,stdio=ignore,heap=H,
 * heap_kind=arraybuffer}, sharing no code with procbench or its driver:
 * a Node process that holds H bytes of Buffers with every byte written,
 * then spawns /bin/true with stdio 'ignore' COUNT times, one after the
 * other, after WARMUP unmeasured ones. Per spawn it takes how long spawn()
 * blocked the caller (the call to its return), how long until 'close', and
 * the longest event-loop stall meanwhile: the longest gap between two runs
 * of a setInterval() ticker of 1 ms, counting from the call (a gap of G
 * is a stall of G minus the tick's 1 ms, at least 0; an idle loop reads
 * up to about 1 ms, since libuv rounds timers to whole milliseconds).
 * (perf_hooks.monitorEventLoopDelay was tried first: it read under 1 ms
 * around a 25 ms spawn(), its first interval after reset() missing the
 * block.) It prints the medians and the 90th percentiles as one line of
 * NAME=VALUE on stdout (ci/node_spawn_check reads it) and in words on
 * stderr.
 *
 *   node [--max-old-space-size=MIB] bench/bare/node_spawn_check.js HEAP [COUNT] [WARMUP]
 *   HEAP: bytes, or with a K, M or G suffix (0, 64M, 1G); COUNT 200, WARMUP 10
 *
 * Run it pinned where procbench's same placement runs (ci/node_spawn_check
 * does): taskset -c CPU node bench/bare/node_spawn_check.js 1G
 */
const { spawn } = require('child_process');
const { readFileSync } = require('fs');

function usage(why) {
    process.stderr.write(`node_spawn_check: ${why}\nusage: node node_spawn_check.js HEAP [COUNT] [WARMUP]\n`);
    process.exit(2);
}

function parseSize(text) {
    const m = /^([0-9]+)([KMG]?)$/.exec(text || '');
    if (m === null)
        usage(`HEAP '${text}' is not a size such as 0, 64M or 1G`);
    const shift = { '': 0, K: 10, M: 20, G: 30 }[m[2]];
    return Number(m[1]) * 2 ** shift;
}

function parseCount(text, fallback, name) {
    if (text === undefined)
        return fallback;
    if (!/^[1-9][0-9]{0,6}$/.test(text))
        usage(`${name} '${text}' is not a count`);
    return Number(text);
}

function rssBytes() {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'latin1'));
    return Number(m[1]) * 1024;
}

function percentile(values, p) {
    const sorted = values.slice().sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const heapBytes = parseSize(process.argv[2]);
const count = parseCount(process.argv[3], 200, 'COUNT');
const warmup = parseCount(process.argv[4], 10, 'WARMUP');

/* The heap: Buffers of 256 MiB at most, every byte written by fill(). */
const held = [];
const rssBefore = rssBytes();
for (let left = heapBytes; left > 0;) {
    const n = Math.min(left, 256 * 1024 * 1024);
    held.push(Buffer.allocUnsafeSlow(n).fill(0x5a));
    left -= n;
}
const rssGrowth = rssBytes() - rssBefore;
if (rssGrowth < 0.9 * heapBytes)
    usage(`the heap did not become resident: VmRSS grew by ${rssGrowth} bytes for ${heapBytes}`);

/* The ticker: lastTick is when it last ran (or when a spawn was called),
 * worstGap the longest gap since the current spawn was called. */
let lastTick = process.hrtime.bigint(), worstGap = 0n;
const ticker = setInterval(() => {
    const now = process.hrtime.bigint();
    if (now - lastTick > worstGap)
        worstGap = now - lastTick;
    lastTick = now;
}, 1);
const TICK_NS = 1000000n;
const blocked = [], closed = [], stalls = [];

function once(i) {
    if (i === warmup + count) {
        clearInterval(ticker);
        const ms = (ns) => (ns / 1e6).toFixed(3);
        console.log(`heap=${heapBytes} held=${held.length} rss_growth=${rssGrowth} count=${count}` +
                    ` block_p50_ns=${percentile(blocked, 0.5)} block_p90_ns=${percentile(blocked, 0.9)}` +
                    ` close_p50_ns=${percentile(closed, 0.5)}` +
                    ` stall_p50_ns=${percentile(stalls, 0.5)} stall_p90_ns=${percentile(stalls, 0.9)}`);
        console.error(`spawn blocked ${ms(percentile(blocked, 0.5))} ms (p50), ` +
                      `closed after ${ms(percentile(closed, 0.5))} ms, longest loop delay ` +
                      `${ms(percentile(stalls, 0.5))} ms (p50, a 1 ms ticker's longest gap less 1 ms)`);
        return;
    }
    const t0 = process.hrtime.bigint();
    lastTick = t0;
    worstGap = 0n;
    const child = spawn('/bin/true', [], { stdio: 'ignore' });
    const t1 = process.hrtime.bigint();
    child.on('error', (e) => usage(`spawn failed: ${e.message}`));
    child.on('close', (code, signal) => {
        const t2 = process.hrtime.bigint();
        const gap = (t2 - lastTick > worstGap ? t2 - lastTick : worstGap) - TICK_NS;
        if (code !== 0)
            usage(`/bin/true exited with ${code} ${signal}`);
        if (i >= warmup) {
            blocked.push(Number(t1 - t0));
            closed.push(Number(t2 - t0));
            stalls.push(Number(gap > 0n ? gap : 0n));
        }
        /* The next spawn from a fresh turn of the loop, as procbench's
         * requests arrive. */
        setImmediate(() => once(i + 1));
    });
}
once(0);
