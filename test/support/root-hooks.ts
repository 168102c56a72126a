// Root hooks of every mocha run (.mocharc.json): the host's DAMON kdamonds paused for the run and
// resumed after it (test/support/damon.ts). Tests whose ground truth is their own construction
// would otherwise see the host page memory out on its own; the tests of memory that moves make it
// move themselves, under a memory cgroup's limit or with MADV_PAGEOUT.
import { pauseDamon } from './damon.js';

let resume = (): void => {};

export const mochaHooks = {
  beforeAll(): void {
    resume = pauseDamon();
  },
  afterAll(): void {
    resume();
  },
};
