// Child of the workload: maps a shared-memory file (a path or /proc/PPID/map_files/...) MAP_SHARED,
// writes the given page ranges, prints "ready", and keeps the mapping until its stdin closes (the
// workload exited or stopped it), so several live processes map one object.
import * as fs from 'node:fs';
import * as s from '../capture/native/syscalls.js';
import * as d from './native.js';

const [file, rangesJson] = process.argv.slice(2);
const ranges = JSON.parse(rangesJson) as Array<[number, number]>;
const fd = fs.openSync(file, 'r+');
const len = fs.fstatSync(fd).size;
const addr = s.mmap(len, s.PROT_READ | s.PROT_WRITE, s.MAP_SHARED, fd, 0);
fs.closeSync(fd);
for (const [a, b] of ranges) d.fill(addr + a * 4096, 0x66, (b - a) * 4096);
process.stdout.write(`ready ${addr.toString(16)}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
