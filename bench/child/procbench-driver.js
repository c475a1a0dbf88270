'use strict';
/*
 * The Node.js side of the node.* scenarios. procbench starts one Node process
 * per round with this script, so that Node's own start-up is paid once per
 * round and never inside a sample:
 *
 *   node --expose-gc [--max-old-space-size=MIB] procbench-driver.js SCENARIO child=PATH [NAME=VALUE ...]
 *
 * File descriptor 3 carries requests from procbench, 4 carries answers back;
 * stdout and stderr are left to whatever procbench made of them (it keeps
 * stderr, and puts its first lines into the reason of a failed case). Every
 * line ends with "\n":
 *
 *   driver -> procbench  READY                      set up, waiting for samples
 *   procbench -> driver  S SEQ                      perform sample SEQ (1, 2, ...)
 *   driver -> procbench  R SEQ NS RETURN_NS FIRST_BYTE_NS RSS_GROWTH_BYTES BYTES [NAME=VALUE ...]
 *                        (a figure not reported is 0; RSS growth not measured is -;
 *                        then the extra figures the sample has, each once:
 *                        loop_delay=NS, mem_per_child=BYTES, spread_milli=N, ops=N)
 *                        F SEQ REASON               sample SEQ failed, why
 *
 * End of file on descriptor 3 is the order to stop: the driver ends its peer
 * processes and workers, if any, waits for each to exit, and exits 0. A
 * request that is not "S" followed by the next sequence number is a broken
 * protocol: the driver says so on stderr and exits 2, as it does when its
 * setup fails (a heap that VmRSS does not show, a detached child that is not
 * in a session of its own, a cluster that does not listen). Every answer a
 * child process or worker sends back is checked before the sample counts.
 *
 * Times come from process.hrtime.bigint(), taken in this process (node.cluster
 * op=spread: in its client process), as close to the call and to the event
 * that ends the operation as JavaScript allows.
 *
 * The event-loop probe (loop_delay, on the scenarios whose table entry asks
 * for it): from the start of a sample, callbacks that say when the loop could
 * run them. The first is a setImmediate() due at once; each one that runs
 * arms a 1 ms setTimeout(), due 1 ms later. The lag of a callback is when it
 * ran minus when it was due, and the sample's loop_delay is the largest lag,
 * counting at the sample's end the callback still pending (due, not yet run).
 * So the stall that opens a sample (the synchronous part of spawn(), the
 * whole of spawnSync()) is read to the microsecond by the immediate; a stall
 * later in the sample is read through the timers, whose due times libuv
 * keeps in whole milliseconds: resolution 1 ms, an idle loop reads up to
 * about 1 ms, and a stall of S reads between S - 1 ms and S + 1 ms.
 *
 * TEST ONLY: PROCBENCH_TEST_NODE_DRIVER makes the driver misbehave so that the
 * tests can prove procbench notices: "badseq" answers with the wrong sequence
 * number, "garbage" answers a line that is no answer, "die" exits with status
 * 3 at the first sample after a line on stderr, "throw" throws an uncaught
 * exception at the first sample, "hang" never answers the first sample,
 * "corrupt" makes the node.ipc peer and the node.worker echo damage what
 * they send back, "lazyheap" leaves an arraybuffer heap untouched (so that
 * VmRSS does not show it), "wrongsession" spawns node.spawn's children with
 * the opposite of the case's detached, "wrongid" makes cluster workers
 * answer with an id that is not theirs, "clientexit" makes node.cluster's
 * client exit 4 at its first request, "idlecrash" and "idlebadexit" make
 * node.children's idle program exit 3 before it is ready or 5 when told to
 * stop (bench/child/procbench-idle.js). Nothing else sets it.
 */
const childProcess = require('child_process');
const cluster = require('cluster');
const fs = require('fs');
const net = require('net');
const path = require('path');
const v8 = require('v8');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

const hrtime = process.hrtime.bigint;
const EMPTY_SCRIPT = path.join(__dirname, 'procbench-empty.js');
const IDLE_SCRIPT = path.join(__dirname, 'procbench-idle.js');
const REQUEST_FD = 3;
const ANSWER_FD = 4;
const TEST_KNOB = process.env.PROCBENCH_TEST_NODE_DRIVER || '';
/* The static child writes this 64-byte period from its first byte. */
const PATTERN = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n';
const CHECK_SLICE_BYTES = 64 * 1024;
/* Pages of a heap are touched at this stride: every 4 KiB page (and so
 * every page of a system with bigger ones). */
const TOUCH_STRIDE_BYTES = 4096;
/* The share of a heap VmRSS must show once it is built. */
const HEAP_RSS_SHARE = 0.9;
const PROBE_PERIOD_MS = 1;

function fatal(message) {
    fs.writeSync(2, `procbench-driver: ${message}\n`);
    process.exit(2);
}

/* ---- peers: the node.ipc echo process, the node.worker echo thread, the
 * node.cluster workers and client ------------------------------------------ */

if (process.argv[2] === '--ipc-peer') {
    /* Checks every message before it echoes it: the next sequence number and
     * a string payload of the announced length. */
    let expected = 1;
    process.on('message', (m) => {
        let error = null;
        if (m === null || typeof m !== 'object' || m.seq !== expected)
            error = `peer got message ${m && m.seq}, expected ${expected}`;
        else if (typeof m.data !== 'string' || m.data.length !== m.size)
            error = `peer got a payload of ${m.data && m.data.length} characters, announced ${m.size}`;
        expected++;
        if (error !== null) {
            process.send({ seq: m && m.seq, error });
            return;
        }
        if (TEST_KNOB === 'corrupt') {
            const i = m.data.length >> 1;
            m.data = m.data.slice(0, i) + (m.data[i] === 'x' ? 'y' : 'x') + m.data.slice(i + 1);
        }
        process.send(m);
    });
    /* The parent disconnects at the end of the round: then there is nothing
     * left to keep this process alive, and it exits 0. */
    process.send({ ready: true });
    return;
}

if (cluster.isWorker) {
    /* A node.cluster worker: answers every connection with its id and
     * closes it. The primary's disconnect() closes the server, and the
     * worker exits 0. */
    const id = cluster.worker.id + (TEST_KNOB === 'wrongid' ? 1000 : 0);
    const server = net.createServer((socket) => socket.end(`W ${id}\n`));
    server.listen(0, '127.0.0.1');
    return;
}

if (process.argv[2] === '--cluster-client') {
    /* node.cluster op=spread: asked {seq, port, count}, makes count short
     * connections one after the other, each read to its end; answers the
     * time of all of them and how many each worker id answered. */
    const ANSWER = /^W ([1-9][0-9]{0,8})\n$/;
    process.on('message', (m) => {
        if (TEST_KNOB === 'clientexit')
            process.exit(4);
        const counts = {};
        let made = 0, failed = false;
        const fail = (why) => {
            if (!failed)
                process.send({ seq: m.seq, error: why });
            failed = true;
        };
        const t0 = hrtime();
        const next = () => {
            if (made === m.count)
                return process.send({ seq: m.seq, ns: Number(hrtime() - t0), counts });
            made++;
            const socket = net.connect(m.port, '127.0.0.1');
            let text = '';
            socket.setEncoding('latin1');
            socket.on('data', (d) => {
                text += d;
                if (text.length > 32)
                    socket.destroy(new Error('answer longer than 32 bytes'));
            });
            socket.on('error', (e) => fail(`connection ${made} of ${m.count}: ${e.message}`));
            socket.on('end', () => {
                const a = ANSWER.exec(text);
                if (a === null)
                    return fail(`connection ${made} of ${m.count} was answered ${JSON.stringify(text)}`);
                counts[a[1]] = (counts[a[1]] || 0) + 1;
            });
            socket.on('close', () => {
                if (!failed)
                    next();
            });
        };
        next();
    });
    process.send({ ready: true });
    return;
}

if (!isMainThread) {
    if (workerData && workerData.role === 'echo') {
        parentPort.on('message', (m) => {
            if (TEST_KNOB === 'corrupt')
                m = { seq: m.seq + 1 };
            parentPort.postMessage(m);
        });
    }
    return;
}

/* ---- the command line ---------------------------------------------------- */

const TARGET = ['static', 'dynamic'];
const BOOL = ['false', 'true'];
const HEAP = { heap: 'size', heap_kind: ['js', 'arraybuffer', 'wasm'] };

/* Per scenario: its parameters (a list of words, 'size' or 'count'),
 * whether it runs the static child (child=PATH), whether the event-loop
 * probe runs in its samples, and whether gc() runs before each sample
 * (untimed). */
const SCENARIOS = {
    'node.spawn': {
        params: { target: TARGET, stdio: ['inherit', 'pipe', 'ignore'], detached: BOOL, shell: BOOL, ...HEAP },
        child: true, probe: true,
    },
    'node.execFile': { params: { target: TARGET, shell: BOOL, ...HEAP }, child: true, probe: true },
    'node.exec': { params: { target: TARGET, ...HEAP }, child: true, probe: true },
    'node.fork': { params: { ...HEAP }, probe: true },
    'node.spawnSync': { params: { target: TARGET, ...HEAP }, child: true, probe: true },
    'node.execSync': { params: { target: TARGET, ...HEAP }, child: true, probe: true },
    'node.execFileSync': { params: { target: TARGET, ...HEAP }, child: true, probe: true },
    'node.ipc': { params: { serialization: ['json', 'advanced'], size: 'size' } },
    'node.output': { params: { api: ['execFile', 'spawn'], bytes: 'size' }, child: true, probe: true, gc: true },
    'node.worker': { params: { op: ['start', 'roundtrip'] }, probe: (p) => p.op === 'start' },
    'node.cluster': {
        params: { op: ['start', 'spread'], workers: 'count', connections: 'count', sched: ['rr', 'none'] },
        probe: true,
    },
    'node.children': { params: { api: ['fork', 'spawn', 'worker'], count: 'count' }, probe: true },
};

function parseArguments(argv) {
    const scenario = argv[0];
    const spec = SCENARIOS[scenario];
    if (spec === undefined)
        fatal(`unknown scenario '${scenario}'`);
    const params = {};
    for (const arg of argv.slice(1)) {
        const eq = arg.indexOf('=');
        if (eq <= 0)
            fatal(`argument '${arg}' is not NAME=VALUE`);
        const name = arg.slice(0, eq), value = arg.slice(eq + 1);
        if (name in params)
            fatal(`parameter ${name} given twice`);
        if (name === 'child') {
            params.child = value;
            continue;
        }
        const kind = spec.params[name];
        if (kind === undefined)
            fatal(`${scenario} has no parameter ${name}`);
        if (kind === 'size' || kind === 'count') {
            const re = kind === 'size' ? /^(0|[1-9][0-9]{0,12})$/ : /^[1-9][0-9]{0,5}$/;
            if (!re.test(value))
                fatal(`${name}=${value} is not a ${kind === 'size' ? 'byte count' : 'count'}`);
            params[name] = Number(value);
        } else if (!kind.includes(value)) {
            fatal(`${name}=${value} is not one of ${kind.join(', ')}`);
        } else {
            params[name] = value;
        }
    }
    for (const name of Object.keys(spec.params))
        if (!(name in params))
            fatal(`${scenario} needs ${name}=VALUE`);
    if (spec.child && typeof params.child !== 'string')
        fatal(`${scenario} needs child=PATH`);
    return { scenario, params };
}

/* ---- helpers ------------------------------------------------------------- */

/* The program a target names, as the C side's spawn.* rows run it. */
function targetPath(params) {
    return params.target === 'dynamic' ? '/bin/true' : params.child;
}

/* One single-quoted shell word, as spawn.shell quotes its target. */
function shellQuote(word) {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

function exitReason(what, code, signal) {
    if (signal)
        return `${what} killed by signal ${signal}`;
    return `${what} exited with status ${code}`;
}

/* Checks that data (a Buffer) is the static child's output from byte offset
 * on; returns null or where it differs. */
const reference = Buffer.from(PATTERN.repeat(CHECK_SLICE_BYTES / PATTERN.length + 1), 'latin1');
function checkOutput(data, offset) {
    for (let i = 0; i < data.length; i += CHECK_SLICE_BYTES) {
        const len = Math.min(CHECK_SLICE_BYTES, data.length - i);
        const phase = (offset + i) % PATTERN.length;
        if (!data.subarray(i, i + len).equals(reference.subarray(phase, phase + len))) {
            for (let j = 0; j < len; j++)
                if (data[i + j] !== reference[phase + j])
                    return `output byte ${offset + i + j} is ${data[i + j]}, expected ${reference[phase + j]}`;
        }
    }
    return null;
}

/* Peak-RSS growth of this process over a sample: VmHWM is reset to the
 * current RSS through clear_refs before, and read after (as output.* does
 * for procbench itself). null when /proc refuses. */
function statusBytes(name) {
    const text = fs.readFileSync('/proc/self/status', 'latin1');
    const m = new RegExp(`^${name}:\\s*(\\d+) kB$`, 'm').exec(text);
    return m === null ? null : Number(m[1]) * 1024;
}
function rssPrepare() {
    try {
        fs.writeFileSync('/proc/self/clear_refs', '5');
        return statusBytes('VmRSS');
    } catch (e) {
        return null;
    }
}
function rssGrowth(before) {
    if (before === null)
        return null;
    const peak = statusBytes('VmHWM');
    return peak === null ? null : Math.max(0, peak - before);
}

/* Proportional set size of process pid ('self' for this one), in bytes,
 * from /proc/PID/smaps_rollup: each page shared by k processes counts 1/k. */
function pssBytes(pid) {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
    const m = /^Pss:\s*(\d+) kB$/m.exec(text);
    if (m === null)
        throw new Error(`no Pss line in /proc/${pid}/smaps_rollup`);
    return Number(m[1]) * 1024;
}

/* The session id of process pid ('self' for this one), from /proc/PID/stat:
 * the fourth field after the command's closing parenthesis. */
function sessionOf(pid) {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[3]);
}

/* ---- the parent's heap (heap, heap_kind) --------------------------------- */

/* What the heap holds: never read, kept reachable until the driver exits
 * (stop() reads its length, so that no optimisation can drop it). */
let heapHold = [];

/* Builds the heap before READY, untimed: `arraybuffer`, Uint8Arrays of up
 * to 64 MiB (backing stores outside V8's heap, from Node's ArrayBuffer
 * allocator) with every page written; `js`, arrays of 1024 numbers (8 KiB
 * each: V8's regular old-space pages, not its large-object space) until
 * V8's used heap has grown by bytes; `wasm`, WebAssembly.Memory objects of
 * up to 1 GiB (whole 64 KiB wasm pages, so up to 64 KiB more than asked)
 * with every page written. Then checks through VmRSS that the memory is
 * really there; dies with the reason otherwise. */
function buildHeap(kind, bytes) {
    if (bytes === 0)
        return;
    gc();
    const before = statusBytes('VmRSS');
    if (kind === 'arraybuffer') {
        const CHUNK = 64 * 1024 * 1024;
        for (let left = bytes; left > 0;) {
            const n = Math.min(CHUNK, left);
            const a = new Uint8Array(n);
            if (TEST_KNOB !== 'lazyheap')
                for (let i = 0; i < n; i += TOUCH_STRIDE_BYTES)
                    a[i] = 1;
            heapHold.push(a);
            left -= n;
        }
    } else if (kind === 'wasm') {
        const WASM_PAGE = 64 * 1024, CHUNK_PAGES = 16384;
        for (let left = Math.ceil(bytes / WASM_PAGE); left > 0;) {
            const pages = Math.min(CHUNK_PAGES, left);
            const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
            const a = new Uint8Array(memory.buffer);
            for (let i = 0; i < a.length; i += TOUCH_STRIDE_BYTES)
                a[i] = 1;
            heapHold.push(memory);
            left -= pages;
        }
    } else {
        const template = new Array(1024).fill(0.5);
        const base = v8.getHeapStatistics().used_heap_size;
        while (v8.getHeapStatistics().used_heap_size - base < bytes) {
            for (let k = 0; k < 1024; k++) {
                const a = template.slice();
                a[0] = k;
                heapHold.push(a);
            }
        }
    }
    gc();
    const grown = statusBytes('VmRSS') - before;
    if (grown < HEAP_RSS_SHARE * bytes)
        fatal(`the heap is not resident: heap=${bytes} (${kind}) grew VmRSS by ${grown} bytes, ` +
              `under ${HEAP_RSS_SHARE * 100}% of it`);
}

/* ---- the event-loop probe (see the header) -------------------------------- */

class LoopProbe {
    constructor() {
        this.worst = 0n;
        this.running = true;
        this.timer = null;
        this.due = hrtime();
        this.immediate = setImmediate(() => this.fire());
    }

    fire() {
        const now = hrtime();
        if (now - this.due > this.worst)
            this.worst = now - this.due;
        this.immediate = null;
        this.due = now + BigInt(PROBE_PERIOD_MS) * 1000000n;
        this.timer = setTimeout(() => this.fire(), PROBE_PERIOD_MS);
    }

    /* Ends the probe (once; later calls return the same figure): the largest
     * lag, the pending callback's included. */
    stop() {
        if (this.running) {
            this.running = false;
            const now = hrtime();
            if (now - this.due > this.worst)
                this.worst = now - this.due;
            if (this.immediate !== null)
                clearImmediate(this.immediate);
            if (this.timer !== null)
                clearTimeout(this.timer);
        }
        return this.worst;
    }
}

/* ---- the operations: each calls done(error, figures) exactly once --------- */

/* spawn, execFile, exec, fork: the call, then the end of the child as Node
 * reports it to the caller: 'close' (exit seen and every stdio stream of the
 * child ended), which is also when execFile's and exec's callbacks run. With
 * inherited stdio, 'close' follows 'exit' in the same turn of the loop. */
function waitClose(child, t0, t1, what, done) {
    child.on('error', (e) => done(`${what} failed: ${e.message}`));
    child.on('close', (code, signal) => {
        const t2 = hrtime();
        if (code !== 0 || signal !== null)
            return done(exitReason('child', code, signal));
        done(null, { ns: t2 - t0, returnNs: t1 - t0 });
    });
}

function execCallback(t0, t1box, done) {
    return (error, stdout, stderr) => {
        const t2 = hrtime();
        /* A child that ran and failed carries its status (code, a number)
         * or signal on the error; a call that failed carries an errno name. */
        if (error && (typeof error.code === 'number' || error.signal))
            return done(exitReason('child', error.code, error.signal));
        if (error)
            return done(`child failed: ${error.message.split('\n')[0]}`);
        if (stdout.length !== 0 || stderr.length !== 0)
            return done(`child wrote ${stdout.length} + ${stderr.length} bytes, expected none`);
        done(null, { ns: t2 - t0, returnNs: t1box.t1 - t0 });
    };
}

/* node.spawn's call: the program (a shell command line with shell=true,
 * since Node joins a shell command's words unquoted) and the options. */
function spawnCall(p) {
    const shell = p.shell === 'true';
    const file = shell ? shellQuote(targetPath(p)) : targetPath(p);
    const detached = (p.detached === 'true') !== (TEST_KNOB === 'wrongsession');
    const options = { stdio: p.stdio, shell, detached };
    return { file, options };
}

/* The sync rows: the call blocks the loop until the child has exited and
 * its output is collected, so its duration is both ns and return_ns; the
 * pending probe callback, due since the sample's start, reads the same
 * stall as loop_delay. */
function syncDone(t0, t1, what, error, status, signal, stdout, stderr, done) {
    if (error)
        return done(`${what} failed: ${String(error.message).split('\n')[0]}`);
    if (status !== 0 || signal !== null)
        return done(exitReason('child', status, signal));
    if (stdout.length !== 0 || (stderr !== null && stderr.length !== 0))
        return done(`child wrote ${stdout.length} + ${stderr ? stderr.length : 0} bytes, expected none`);
    done(null, { ns: t1 - t0, returnNs: t1 - t0 });
}

/* execSync and execFileSync throw on a failed child: the status and signal
 * are on the error. */
function syncThrown(e) {
    return e && (e.status !== undefined || e.signal !== undefined) && !e.code
        ? { status: e.status, signal: e.signal || null }
        : null;
}

const operations = {
    'node.spawn': (p) => {
        const { file, options } = spawnCall(p);
        return (seq, done) => {
            const t0 = hrtime();
            const child = childProcess.spawn(file, [], options);
            const t1 = hrtime();
            waitClose(child, t0, t1, 'spawn', done);
        };
    },
    'node.execFile': (p) => {
        const shell = p.shell === 'true';
        const file = shell ? shellQuote(targetPath(p)) : targetPath(p);
        return (seq, done) => {
            const box = {};
            const t0 = hrtime();
            childProcess.execFile(file, [], { encoding: 'buffer', shell }, execCallback(t0, box, done));
            box.t1 = hrtime();
        };
    },
    'node.exec': (p) => {
        const command = shellQuote(targetPath(p));
        return (seq, done) => {
            const box = {};
            const t0 = hrtime();
            childProcess.exec(command, { encoding: 'buffer' }, execCallback(t0, box, done));
            box.t1 = hrtime();
        };
    },
    'node.fork': () => (seq, done) => {
        const t0 = hrtime();
        /* execArgv: [] so the child is a plain node, not one with the
         * driver's --expose-gc. */
        const child = childProcess.fork(EMPTY_SCRIPT, [], { execArgv: [] });
        const t1 = hrtime();
        waitClose(child, t0, t1, 'fork', done);
    },
    'node.spawnSync': (p) => (seq, done) => {
        const file = targetPath(p);
        const t0 = hrtime();
        const r = childProcess.spawnSync(file, []);
        const t1 = hrtime();
        syncDone(t0, t1, 'spawnSync', r.error, r.status, r.signal, r.stdout, r.stderr, done);
    },
    'node.execSync': (p) => {
        const command = shellQuote(targetPath(p));
        return (seq, done) => {
            let out = null, error = null, status = 0, signal = null;
            const t0 = hrtime();
            try {
                out = childProcess.execSync(command, { stdio: 'pipe' });
            } catch (e) {
                error = e;
            }
            const t1 = hrtime();
            const ended = syncThrown(error);
            if (ended !== null)
                ({ status, signal } = ended), error = null;
            syncDone(t0, t1, 'execSync', error, status, signal, out || Buffer.alloc(0), null, done);
        };
    },
    'node.execFileSync': (p) => (seq, done) => {
        const file = targetPath(p);
        let out = null, error = null, status = 0, signal = null;
        const t0 = hrtime();
        try {
            out = childProcess.execFileSync(file, [], { stdio: 'pipe' });
        } catch (e) {
            error = e;
        }
        const t1 = hrtime();
        const ended = syncThrown(error);
        if (ended !== null)
            ({ status, signal } = ended), error = null;
        syncDone(t0, t1, 'execFileSync', error, status, signal, out || Buffer.alloc(0), null, done);
    },
    'node.output': (p) => (seq, done) => {
        /* The last sample's output is garbage by now but may still be
         * resident; collected during this sample, its pages would be reused
         * and the peak would not show what this one held (execFile's 64 MiB
         * read 0.77 MB at the median of one run, 64 MiB in the next). */
        gc();
        const rssBefore = rssPrepare();
        const file = p.child, args = ['write', String(p.bytes)];
        let firstByte = 0n;
        const finish = (t0, t2, data) => {
            const growth = rssGrowth(rssBefore);
            done(null, { ns: t2 - t0, firstByteNs: firstByte ? firstByte - t0 : 0n,
                         rssGrowth: growth, bytes: p.bytes });
        };
        if (p.api === 'execFile') {
            /* Node's default maxBuffer (1 MiB), raised to what this child writes. */
            const options = { encoding: 'buffer', maxBuffer: Math.max(p.bytes, 1024 * 1024) };
            const t0 = hrtime();
            const child = childProcess.execFile(file, args, options, (error, stdout) => {
                if (error)
                    return done(`execFile failed: ${error.message.split('\n')[0]}`);
                if (stdout.length !== p.bytes)
                    return done(`got ${stdout.length} bytes, child wrote ${p.bytes}`);
                const wrong = checkOutput(stdout, 0);
                const t2 = hrtime();
                if (wrong !== null)
                    return done(wrong);
                finish(t0, t2);
            });
            child.stdout.once('data', () => { firstByte = hrtime(); });
            return;
        }
        const t0 = hrtime();
        const child = childProcess.spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
        let received = 0, wrong = null;
        child.stdout.on('data', (chunk) => {
            if (firstByte === 0n)
                firstByte = hrtime();
            if (wrong === null)
                wrong = checkOutput(chunk, received);
            received += chunk.length;
        });
        child.on('error', (e) => done(`spawn failed: ${e.message}`));
        child.on('close', (code, signal) => {
            const t2 = hrtime();
            if (code !== 0 || signal !== null)
                return done(exitReason('child', code, signal));
            if (wrong !== null)
                return done(wrong);
            if (received !== p.bytes)
                return done(`got ${received} bytes, child wrote ${p.bytes}`);
            finish(t0, t2);
        });
    },
    'node.worker': (p) => (p.op === 'start' ? workerStart : null),
    'node.cluster': (p) => (p.op === 'start' ? clusterStart : null),
    'node.children': (p) => (seq, done, probe) => holdChildren(p, done, probe),
};

/* The setup check of node.spawn: one call with the case's options, untimed,
 * whose child must be in a session of its own with detached=true and in
 * ours otherwise (read from /proc while it cannot have been reaped: Node
 * reaps in its loop, after spawn() returned) and must exit 0. */
function checkSpawnSession(p, then) {
    const { file, options } = spawnCall(p);
    const child = childProcess.spawn(file, [], options);
    let sid = null, why = null;
    try {
        sid = sessionOf(child.pid);
    } catch (e) {
        why = `cannot read the session of child ${child.pid}: ${e.message}`;
    }
    const ours = sessionOf('self');
    if (why === null && p.detached === 'true' && sid !== child.pid)
        why = `detached child ${child.pid} is in session ${sid}, not in one of its own`;
    if (why === null && p.detached === 'false' && sid !== ours)
        why = `child ${child.pid} is in session ${sid}, not in the driver's (${ours})`;
    child.on('error', (e) => fatal(`spawn failed: ${e.message}`));
    child.on('close', (code, signal) => {
        if (why !== null)
            fatal(why);
        if (code !== 0 || signal !== null)
            fatal(exitReason('the session check\'s child', code, signal));
        then();
    });
}

/* node.ipc: a peer forked once per round; a sample is one message there and
 * back, compared in full with what was sent. */
function startIpc(p, ready) {
    const peer = childProcess.fork(__filename, ['--ipc-peer'], {
        execArgv: [], serialization: p.serialization, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let pending = null;
    peer.on('message', (m) => {
        if (m && m.ready === true && pending === null)
            return ready();
        const t1 = hrtime();
        if (pending === null)
            fatal(`node.ipc peer sent a message nobody asked for`);
        const { seq, sent, t0, done } = pending;
        pending = null;
        if (m === null || typeof m !== 'object')
            return done(`peer answered ${typeof m}, expected the message`);
        if (m.error)
            return done(String(m.error));
        if (m.seq !== seq)
            return done(`peer echoed message ${m.seq}, expected ${seq}`);
        if (m.data !== sent.data) {
            let i = 0;
            while (i < sent.data.length && m.data && m.data[i] === sent.data[i])
                i++;
            return done(`echo of message ${seq} differs from what was sent at character ${i}`);
        }
        done(null, { ns: t1 - t0 });
    });
    peer.on('exit', (code, signal) => {
        if (pending !== null) {
            const { done } = pending;
            pending = null;
            done(exitReason('node.ipc peer', code, signal));
        }
    });
    /* The payload: the child's pattern rotated by the sequence number, so a
     * stale echo never equals the message it answers. */
    const base = PATTERN.repeat(Math.ceil(p.size / PATTERN.length) + 1);
    const op = (seq, done) => {
        if (!peer.connected)
            return done('node.ipc peer is gone');
        const k = seq % PATTERN.length;
        const sent = { seq, size: p.size, data: base.slice(k, k + p.size) };
        const t0 = hrtime();
        pending = { seq, sent, t0, done };
        peer.send(sent);
    };
    op.stop = (then) => {
        if (peer.exitCode !== null || peer.signalCode !== null)
            return then();
        peer.once('exit', then);
        peer.disconnect();
    };
    return op;
}

/* node.worker op=roundtrip: one echo worker per round, a sample is one
 * postMessage there and back. */
function startWorkerEcho(ready) {
    const worker = new Worker(__filename, { workerData: { role: 'echo' } });
    let pending = null;
    worker.once('online', ready);
    worker.on('message', (m) => {
        const t1 = hrtime();
        if (pending === null)
            fatal('the echo worker sent a message nobody asked for');
        const { seq, t0, done } = pending;
        pending = null;
        if (m === null || typeof m !== 'object' || m.seq !== seq)
            return done(`worker echoed ${JSON.stringify(m)}, expected seq ${seq}`);
        done(null, { ns: t1 - t0 });
    });
    worker.on('error', (e) => fatal(`echo worker failed: ${e.message}`));
    const op = (seq, done) => {
        const t0 = hrtime();
        pending = { seq, t0, done };
        worker.postMessage({ seq });
    };
    op.stop = (then) => { worker.terminate().then(() => then(), () => then()); };
    return op;
}

/* node.worker op=start: a worker on the empty script, from the constructor
 * to its 'exit' event; its 'online' must have come first. */
function workerStart(seq, done) {
    let online = false;
    const t0 = hrtime();
    const worker = new Worker(EMPTY_SCRIPT);
    const t1 = hrtime();
    worker.once('online', () => { online = true; });
    worker.once('error', (e) => done(`worker failed: ${e.message}`));
    worker.once('exit', (code) => {
        const t2 = hrtime();
        if (code !== 0)
            return done(`worker exited with code ${code}`);
        if (!online)
            return done('worker exited without having been online');
        done(null, { ns: t2 - t0, returnNs: t1 - t0 });
    });
}

/* ---- node.cluster ------------------------------------------------------- */

/* The cluster module's settings, before the first fork: workers run this
 * script (which sees cluster.isWorker) as plain nodes; sched chooses how
 * the primary spreads connections (rr, Node's default on Linux: the primary
 * accepts and hands each connection to the next worker; none: the workers
 * accept on the shared socket themselves and the kernel chooses). */
function setupCluster(p) {
    cluster.schedulingPolicy = p.sched === 'none' ? cluster.SCHED_NONE : cluster.SCHED_RR;
    cluster.setupPrimary({ exec: __filename, args: [], execArgv: [], silent: false });
}

/* op=start: cluster.fork() to the worker's 'listening' (on 127.0.0.1, port
 * 0, shared through the primary); then, untimed, the worker is
 * disconnected and must exit 0 before the sample answers. */
function clusterStart(seq, done, probe) {
    let listened = null;
    const t0 = hrtime();
    const worker = cluster.fork();
    const t1 = hrtime();
    worker.once('listening', (address) => {
        const t2 = hrtime();
        if (probe)
            probe.stop();
        listened = { ns: t2 - t0, returnNs: t1 - t0, port: address.port };
        worker.disconnect();
    });
    worker.once('error', (e) => done(`cluster worker failed: ${e.message}`));
    worker.once('exit', (code, signal) => {
        if (listened === null)
            return done(exitReason('cluster worker', code, signal) + ' before it listened');
        if (code !== 0 || signal !== null)
            return done(exitReason('cluster worker', code, signal) + ' after its disconnect');
        if (!(listened.port > 0))
            return done(`cluster worker listened on port ${listened.port}`);
        done(null, { ns: listened.ns, returnNs: listened.returnNs });
    });
}

/* op=spread: `workers` workers listening on one loopback port, and a client
 * process; a sample is `connections` short connections made by the client
 * one after the other, each answered with a worker's id. ns is the client's
 * time for all of them (the harness divides by ops: the mean per
 * connection), spread the largest count of connections a worker got over
 * the smallest (a worker that got none counts as half a connection, so the
 * figure stays finite), times 1000. */
function startClusterSpread(p, ready) {
    setupCluster(p);
    const workers = new Map(); /* id -> worker */
    let port = null, listening = 0, client = null, pending = null, broken = null, stopping = false;
    const breakRound = (why) => {
        if (broken === null)
            broken = why;
        if (pending !== null) {
            const { done } = pending;
            pending = null;
            done(broken);
        }
    };
    for (let i = 0; i < p.workers; i++) {
        const worker = cluster.fork();
        workers.set(worker.id, worker);
        worker.on('error', (e) => breakRound(`cluster worker ${worker.id} failed: ${e.message}`));
        worker.once('exit', (code, signal) => {
            if (!stopping)
                breakRound(exitReason(`cluster worker ${worker.id}`, code, signal) + ' during the round');
        });
        worker.once('listening', (address) => {
            if (port === null)
                port = address.port;
            else if (address.port !== port)
                fatal(`cluster workers listen on ports ${port} and ${address.port}, not one`);
            if (++listening === p.workers)
                startClient();
        });
    }
    const startClient = () => {
        client = childProcess.fork(__filename, ['--cluster-client'], { execArgv: [] });
        client.on('error', (e) => breakRound(`cluster client failed: ${e.message}`));
        client.once('exit', (code, signal) => {
            if (!stopping)
                breakRound(exitReason('cluster client', code, signal) + ' during the round');
        });
        client.on('message', (m) => {
            if (m && m.ready === true && pending === null && !stopping)
                return ready();
            /* After a break, the client may still answer the sample that
             * the break failed. */
            if (pending === null && broken !== null)
                return;
            if (pending === null)
                fatal('the cluster client sent a message nobody asked for');
            const { seq, done } = pending;
            pending = null;
            if (m === null || typeof m !== 'object' || m.seq !== seq)
                return done(`cluster client answered ${JSON.stringify(m)}, expected sample ${seq}`);
            if (m.error)
                return done(String(m.error));
            let total = 0, largest = 0, smallest = Infinity;
            for (const id of Object.keys(m.counts))
                if (!workers.has(Number(id)))
                    return done(`a connection was answered by worker ${id}, not one of ${[...workers.keys()].join(', ')}`);
            for (const id of workers.keys()) {
                const n = m.counts[id] || 0;
                total += n;
                largest = Math.max(largest, n);
                smallest = Math.min(smallest, n === 0 ? 0.5 : n);
            }
            if (total !== p.connections)
                return done(`the workers answered ${total} connections, the client made ${p.connections}`);
            done(null, { ns: BigInt(m.ns), ops: p.connections,
                         spread: Math.round((1000 * largest) / smallest) });
        });
    };
    const op = (seq, done) => {
        if (broken !== null)
            return done(broken);
        pending = { seq, done };
        client.send({ seq, port, count: p.connections });
    };
    op.stop = (then) => {
        stopping = true;
        const alive = [...workers.values()].filter((w) => w.process.exitCode === null && w.process.signalCode === null);
        if (client !== null && client.exitCode === null && client.signalCode === null)
            alive.push(client);
        let left = alive.length;
        if (left === 0)
            return then();
        for (const w of alive) {
            const proc = w.process || w;
            proc.once('exit', () => { if (--left === 0) then(); });
            w.disconnect();
        }
    };
    return op;
}

/* ---- node.children ------------------------------------------------------ */

/* One sample: `count` idle programs started at once with `api`, the time
 * until the last says it is ready; then, untimed, the memory per child
 * (fork, spawn: the children's summed PSS / count; worker: the growth of
 * this process's PSS over the sample / count, after gc() on both ends); then
 * every one is told to stop and must exit 0 before the sample answers. A
 * child that fails or exits early fails the sample, once all are gone. */
function holdChildren(p, done, probe) {
    const n = p.count;
    const kids = [];
    let ready = 0, failure = null, exited = 0, tReady = null, memPerChild = null, stopping = false;
    const fail = (why) => {
        if (failure === null)
            failure = why;
        stopAll();
    };
    const stopAll = () => {
        if (stopping)
            return;
        stopping = true;
        for (const k of kids)
            if (!k.exited)
                k.stop();
    };
    const onExit = (k, code, signal) => {
        k.exited = true;
        if (!k.ready && failure === null)
            fail(exitReason(`child ${k.index} of ${n}`, code, signal) + ' before it was ready');
        else if (!stopping && failure === null)
            fail(exitReason(`child ${k.index} of ${n}`, code, signal) + ' while held');
        else if ((code !== 0 || signal !== null) && failure === null)
            failure = exitReason(`child ${k.index} of ${n}`, code, signal) + ' when told to stop';
        if (++exited === kids.length) {
            if (failure !== null)
                return done(failure);
            done(null, { ns: tReady - t0, memPerChild });
        }
    };
    const onReady = (k) => {
        if (k.ready || stopping)
            return;
        k.ready = true;
        if (++ready < n)
            return;
        tReady = hrtime();
        if (probe)
            probe.stop();
        try {
            if (p.api === 'worker') {
                gc();
                memPerChild = Math.max(0, Math.round((pssBytes('self') - pssBefore) / n));
            } else {
                let sum = 0;
                for (const c of kids)
                    sum += pssBytes(c.pid);
                memPerChild = Math.round(sum / n);
            }
        } catch (e) {
            return fail(`reading PSS failed: ${e.message}`);
        }
        stopAll();
    };
    let pssBefore = 0;
    if (p.api === 'worker') {
        gc();
        pssBefore = pssBytes('self');
    }
    const t0 = hrtime();
    for (let i = 0; i < n; i++) {
        const k = { index: i + 1, ready: false, exited: false };
        kids.push(k);
        if (p.api === 'worker') {
            const w = new Worker(IDLE_SCRIPT);
            w.on('message', (m) => (m === 'ready' ? onReady(k) : fail(`worker ${k.index} sent ${JSON.stringify(m)}`)));
            w.on('error', (e) => fail(`worker ${k.index} failed: ${e.message}`));
            w.once('exit', (code) => onExit(k, code, null));
            k.stop = () => w.postMessage('stop');
        } else if (p.api === 'fork') {
            const c = childProcess.fork(IDLE_SCRIPT, [], { execArgv: [] });
            k.pid = c.pid;
            c.on('message', (m) => (m === 'ready' ? onReady(k) : fail(`child ${k.index} sent ${JSON.stringify(m)}`)));
            c.on('error', (e) => fail(`fork of child ${k.index} failed: ${e.message}`));
            /* 'exit', not 'close': its stdio is inherited, and Node 20 never
             * emits 'close' for a child whose channel the parent
             * disconnected. */
            c.once('exit', (code, signal) => onExit(k, code, signal));
            k.stop = () => { if (c.connected) c.disconnect(); };
        } else {
            const c = childProcess.spawn(process.execPath, [IDLE_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
            k.pid = c.pid;
            let text = '';
            c.stdout.setEncoding('latin1');
            c.stdout.on('data', (d) => {
                text += d;
                if (text === 'ready\n')
                    onReady(k);
                else if (!'ready\n'.startsWith(text))
                    fail(`child ${k.index} wrote ${JSON.stringify(text.slice(0, 40))}`);
            });
            c.on('error', (e) => fail(`spawn of child ${k.index} failed: ${e.message}`));
            c.once('close', (code, signal) => onExit(k, code, signal));
            k.stop = () => c.stdin.end();
        }
    }
}

/* ---- the request loop ----------------------------------------------------- */

function answer(line) {
    fs.writeSync(ANSWER_FD, `${line}\n`);
}

function serve(op, spec, params) {
    let expected = 1, busy = false, buffered = '';
    const probing = typeof spec.probe === 'function' ? spec.probe(params) : spec.probe === true;
    const requests = new net.Socket({ fd: REQUEST_FD, readable: true, writable: false });
    requests.setEncoding('latin1');
    const onRequest = (line) => {
        const m = /^S ([1-9][0-9]{0,15})$/.exec(line);
        if (m === null)
            fatal(`request '${line.slice(0, 40)}' is not "S SEQ"`);
        const seq = Number(m[1]);
        if (seq !== expected)
            fatal(`request for sample ${seq}, expected ${expected}`);
        if (busy)
            fatal(`request for sample ${seq} while sample ${seq - 1} runs`);
        expected++;
        busy = true;
        if (TEST_KNOB === 'die') {
            fs.writeSync(2, 'procbench-driver: dying at the first sample as PROCBENCH_TEST_NODE_DRIVER=die asks\n');
            process.exit(3);
        }
        if (TEST_KNOB === 'hang')
            return;
        if (TEST_KNOB === 'throw')
            throw new Error('thrown at the first sample as PROCBENCH_TEST_NODE_DRIVER=throw asks');
        if (spec.gc)
            gc();
        const probe = probing ? new LoopProbe() : null;
        let answered = false;
        op(seq, (error, f) => {
            if (answered)
                fatal(`sample ${seq} finished twice`);
            answered = true;
            busy = false;
            const loopDelay = probe !== null ? probe.stop() : null;
            const shown = TEST_KNOB === 'badseq' ? seq + 1 : seq;
            if (TEST_KNOB === 'garbage')
                return answer(`R ${seq} soon`);
            if (error !== null)
                /* One line of printable ASCII, as procbench accepts it. */
                return answer(`F ${shown} ${String(error).replace(/[^\x20-\x7e]/g, '?').slice(0, 300)}`);
            const rss = f.rssGrowth === undefined || f.rssGrowth === null ? '-' : String(f.rssGrowth);
            let line = `R ${shown} ${f.ns} ${f.returnNs || 0n} ${f.firstByteNs || 0n} ${rss} ${f.bytes || 0}`;
            if (loopDelay !== null)
                line += ` loop_delay=${loopDelay}`;
            if (f.memPerChild !== undefined && f.memPerChild !== null)
                line += ` mem_per_child=${f.memPerChild}`;
            if (f.spread !== undefined)
                line += ` spread_milli=${f.spread}`;
            if (f.ops !== undefined)
                line += ` ops=${f.ops}`;
            answer(line);
        }, probe);
    };
    requests.on('data', (text) => {
        buffered += text;
        let nl;
        while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            onRequest(line);
        }
        if (buffered.length > 64)
            fatal('request longer than 64 bytes');
    });
    requests.on('end', () => {
        if (buffered.length > 0)
            fatal(`request '${buffered.slice(0, 40)}' ends without a newline`);
        const exit = () => process.exit(heapHold.length >= 0 ? 0 : 1);
        if (op.stop)
            op.stop(exit);
        else
            exit();
    });
}

const { scenario, params } = parseArguments(process.argv.slice(2));
const spec = SCENARIOS[scenario];
if ('heap' in params)
    buildHeap(params.heap_kind, params.heap);
const start = (op) => { answer('READY'); serve(op, spec, params); };
if (scenario === 'node.ipc') {
    const op = startIpc(params, () => start(op));
} else if (scenario === 'node.worker' && params.op === 'roundtrip') {
    const op = startWorkerEcho(() => start(op));
} else if (scenario === 'node.cluster' && params.op === 'spread') {
    const op = startClusterSpread(params, () => start(op));
} else {
    if (scenario === 'node.cluster')
        setupCluster(params);
    const op = operations[scenario](params);
    if (scenario === 'node.spawn')
        checkSpawnSession(params, () => start(op));
    else
        start(op);
}
