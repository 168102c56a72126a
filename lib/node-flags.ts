// The flags Node runs pagescope with. The built CLI entry starts as a shell script whose second
// line execs node with them (written by tools/inline-yargs.mjs); the bench spawns its captures
// with them too, so that it measures what a user runs.

/**
 * --v8-pool-size=1: Node starts four V8 worker threads whatever the number of CPUs, and on a host
 * with two their background compilation takes CPU time from the capture's main thread and from
 * the cat reading smaps alongside it (measured: docs/performance.md "Node flags and start-up").
 * One thread is enough for the few hundred functions a command optimises.
 */
export const NODE_FLAGS: readonly string[] = ['--v8-pool-size=1'];
