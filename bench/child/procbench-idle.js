'use strict';
/*
 * The idle program node.children holds N of: it says it is ready, then does
 * nothing until told to stop, so what is measured is what one more Node
 * (process or worker thread) costs, nothing else. It loads no module beyond
 * worker_threads, which tells it how it was started:
 *
 *   worker thread (new Worker)   posts 'ready'; exits 0 when it receives 'stop'
 *   with an IPC channel (fork)   sends 'ready'; exits 0 when the parent disconnects
 *   otherwise (spawn)            writes "ready\n" on stdout; exits 0 at the end of stdin
 *
 * TEST ONLY: PROCBENCH_TEST_NODE_DRIVER=idlecrash makes it exit with status 3
 * (code 3 for a worker) before it is ready, idlebadexit with status 5 when
 * told to stop, so that the tests see node.children fail the sample with the
 * reason and still stop and reap the others.
 */
const { isMainThread, parentPort } = require('worker_threads');

const knob = process.env.PROCBENCH_TEST_NODE_DRIVER;
if (knob === 'idlecrash')
    process.exit(3);
const stopped = knob === 'idlebadexit' ? () => process.exit(5) : null;

if (!isMainThread) {
    parentPort.on('message', (m) => {
        if (m === 'stop')
            (stopped || (() => parentPort.close()))();
    });
    parentPort.postMessage('ready');
} else if (typeof process.send === 'function') {
    /* A 'message' listener keeps the channel, and so the process, alive
     * until the parent disconnects. */
    process.on('message', () => {});
    if (stopped)
        process.on('disconnect', stopped);
    process.send('ready');
} else {
    process.stdin.on('data', () => {});
    process.stdin.on('end', stopped || (() => process.exit(0)));
    process.stdout.write('ready\n');
}
