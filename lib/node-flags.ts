// The flags Node runs pagescope with. The built CLI entry starts as a shell script whose second
// line execs node with them (written by tools/inline-yargs.mjs); the bench spawns its captures
// with them too, so that it measures what a user runs.

/**
 * --v8-pool-size=1: Node starts four V8 worker threads whatever the number of CPUs, and on a host
 * with two their background compilation takes CPU time from the capture's main thread and from
 * the cat reading smaps alongside it. Measured on the bench VM (2 CPUs; min / median of 8-10
 * interleaved, in-process capture times): a 0.3 GiB process 73 / 78 -> 68 / 74 ms, a 3 GiB one
 * 109 / 128 -> 99 / 104 ms, `--all` over 300 processes 821-831 -> 712-729 ms; analyze and report
 * unchanged (0.80 / 0.30 s either way). One thread is enough for the few hundred functions a
 * command optimises.
 */
export const NODE_FLAGS: readonly string[] = ['--v8-pool-size=1'];
