'use strict';
/*
 * The Node.js side of the node.* scenarios. procbench starts one Node process
 * per round with this script, so that Node's own start-up is paid once per
 * round and never inside a sample:
 *
 *   node --expose-gc procbench-driver.js SCENARIO child=PATH [NAME=VALUE ...]
 *
 * File descriptor 3 carries requests from procbench, 4 carries answers back;
 * stdout and stderr are left to whatever procbench made of them (it keeps
 * stderr, and puts its first lines into the reason of a failed case). Every
 * line ends with "\n":
 *
 *   driver -> procbench  READY                      set up, waiting for samples
 *   procbench -> driver  S SEQ                      perform sample SEQ (1, 2, ...)
 *   driver -> procbench  R SEQ NS RETURN_NS FIRST_BYTE_NS RSS_GROWTH_BYTES BYTES
 *                        (a figure not reported is 0; RSS growth not measured is -)
 *                        F SEQ REASON               sample SEQ failed, why
 *
 * End of file on descriptor 3 is the order to stop: the driver ends its peer
 * process or worker, if any, and exits 0. A request that is not "S" followed
 * by the next sequence number is a broken protocol: the driver says so on
 * stderr and exits 2. Every answer a child process or worker sends back is
 * checked (sequence number, content) before the sample counts.
 *
 * Times come from process.hrtime.bigint(), taken in this process, as close to
 * the call and to the event that ends the operation as JavaScript allows.
 *
 * TEST ONLY: PROCBENCH_TEST_NODE_DRIVER makes the driver misbehave so that the
 * tests can prove procbench notices: "badseq" answers with the wrong sequence
 * number, "garbage" answers a line that is no answer, "die" exits with status
 * 3 at the first sample after a line on stderr, "throw" throws an uncaught
 * exception at the first sample, "hang" never answers the first sample,
 * "corrupt" makes the node.ipc peer and the node.worker echo damage what
 * they send back. Nothing else sets it.
 */
const childProcess = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

const hrtime = process.hrtime.bigint;
const EMPTY_SCRIPT = path.join(__dirname, 'procbench-empty.js');
const REQUEST_FD = 3;
const ANSWER_FD = 4;
const TEST_KNOB = process.env.PROCBENCH_TEST_NODE_DRIVER || '';
/* The static child writes this 64-byte period from its first byte. */
const PATTERN = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n';
const CHECK_SLICE_BYTES = 64 * 1024;

function fatal(message) {
    fs.writeSync(2, `procbench-driver: ${message}\n`);
    process.exit(2);
}

/* ---- peers: the node.ipc echo process and the node.worker echo thread ---- */

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

const SCENARIOS = {
    'node.spawn': { params: { target: ['static', 'dynamic'], stdio: ['inherit', 'pipe'] } },
    'node.execFile': { params: { target: ['static', 'dynamic'] } },
    'node.exec': { params: { target: ['static', 'dynamic'] } },
    'node.fork': { params: {} },
    'node.ipc': { params: { serialization: ['json', 'advanced'], size: 'size' } },
    'node.output': { params: { api: ['execFile', 'spawn'], bytes: 'size' } },
    'node.worker': { params: { op: ['start', 'roundtrip'] } },
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
        if (kind === 'size') {
            if (!/^(0|[1-9][0-9]{0,12})$/.test(value))
                fatal(`${name}=${value} is not a byte count`);
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
    if (scenario !== 'node.fork' && scenario !== 'node.ipc' && scenario !== 'node.worker' &&
        typeof params.child !== 'string')
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
        if (error)
            return done(`child failed: ${error.message.split('\n')[0]}`);
        if (stdout.length !== 0 || stderr.length !== 0)
            return done(`child wrote ${stdout.length} + ${stderr.length} bytes, expected none`);
        done(null, { ns: t2 - t0, returnNs: t1box.t1 - t0 });
    };
}

const operations = {
    'node.spawn': (p) => (seq, done) => {
        const t0 = hrtime();
        const child = childProcess.spawn(targetPath(p), [], { stdio: p.stdio });
        const t1 = hrtime();
        waitClose(child, t0, t1, 'spawn', done);
    },
    'node.execFile': (p) => (seq, done) => {
        const box = {};
        const t0 = hrtime();
        childProcess.execFile(targetPath(p), [], { encoding: 'buffer' }, execCallback(t0, box, done));
        box.t1 = hrtime();
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
    'node.output': (p) => (seq, done) => {
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
};

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

/* ---- the request loop ----------------------------------------------------- */

function answer(line) {
    fs.writeSync(ANSWER_FD, `${line}\n`);
}

function serve(op) {
    let expected = 1, busy = false, buffered = '';
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
        let answered = false;
        op(seq, (error, f) => {
            if (answered)
                fatal(`sample ${seq} finished twice`);
            answered = true;
            busy = false;
            const shown = TEST_KNOB === 'badseq' ? seq + 1 : seq;
            if (TEST_KNOB === 'garbage')
                return answer(`R ${seq} soon`);
            if (error !== null)
                /* One line of printable ASCII, as procbench accepts it. */
                return answer(`F ${shown} ${String(error).replace(/[^\x20-\x7e]/g, '?').slice(0, 300)}`);
            const rss = f.rssGrowth === undefined || f.rssGrowth === null ? '-' : String(f.rssGrowth);
            answer(`R ${shown} ${f.ns} ${f.returnNs || 0n} ${f.firstByteNs || 0n} ${rss} ${f.bytes || 0}`);
        });
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
        const exit = () => process.exit(0);
        if (op.stop)
            op.stop(exit);
        else
            exit();
    });
}

const { scenario, params } = parseArguments(process.argv.slice(2));
if (scenario === 'node.ipc') {
    const op = startIpc(params, () => { answer('READY'); serve(op); });
} else if (scenario === 'node.worker' && params.op === 'roundtrip') {
    const op = startWorkerEcho(() => { answer('READY'); serve(op); });
} else {
    const op = scenario === 'node.worker' ? workerStart : operations[scenario](params);
    answer('READY');
    serve(op);
}
