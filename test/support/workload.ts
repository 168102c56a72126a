// Tests start the same workload as the demo.
export { startWorkload, swapActive, type Workload } from '../../demo/start.js';
