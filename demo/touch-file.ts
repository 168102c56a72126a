// Child of the test workload: maps a shared-memory file (e.g. /proc/PPID/map_files/...), writes
// the given page ranges, and exits, leaving those pages in the page cache but mapped by nobody.
import * as fs from 'node:fs';
import * as s from '../capture/native/syscalls.js';
import * as d from './native.js';

const [file, rangesJson] = process.argv.slice(2);
const ranges = JSON.parse(rangesJson) as Array<[number, number]>;
const fd = fs.openSync(file, 'r+');
const len = fs.fstatSync(fd).size;
const addr = s.mmap(len, s.PROT_READ | s.PROT_WRITE, s.MAP_SHARED, fd, 0);
for (const [a, b] of ranges) d.fill(addr + a * 4096, 0x77, (b - a) * 4096);
s.munmap(addr, len);
fs.closeSync(fd);
