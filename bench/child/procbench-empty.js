// The empty program node.fork starts (its child) and node.worker op=start
// runs in a worker: what is measured is starting Node or a worker, nothing else.
