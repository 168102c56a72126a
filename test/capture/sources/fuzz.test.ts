import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { parseCgroupV2Path } from '../../../capture/sources/cgroup.js';
import { parseCmdline } from '../../../capture/sources/cmdline.js';
import { isMapsHeaderLine, parseMaps, parseMapsLine, unescapeOctal } from '../../../capture/sources/maps.js';
import { parseMeminfo } from '../../../capture/sources/meminfo.js';
import { parseMountinfo } from '../../../capture/sources/mountinfo.js';
import { parseSmaps, parseSmapsRollup } from '../../../capture/sources/smaps.js';
import { parseStat } from '../../../capture/sources/stat.js';
import { parseCapabilityMask, parseStatus, parseUidLine } from '../../../capture/sources/status.js';
import { parseSwaps } from '../../../capture/sources/swaps.js';
import { parseSysvShm } from '../../../capture/sources/sysvipc-shm.js';
import { parseVmstat } from '../../../capture/sources/vmstat.js';

// Property tests: every parser, fed thousands of randomly mutated real /proc snippets, either
// returns rows without NaN/Infinity or throws a ParseError, and never hangs.
// Seed snippets are real text from Linux 6.18.44 (x86_64), trimmed from the per-parser tests.

const MAPS_6_18 = [
  '5591f00b7000-5591f00b8000 r--p 00000000 fe:00 2146428                    /tmp/psc/demo',
  '7fa211d17000-7fa211d19000 rw-s 00000000 00:01 27                         /dev/zero (deleted)',
  '7fa211d19000-7fa211d1c000 rw-p 00000000 00:00 0 ',
  '7fa211d1c000-7fa211d24000 rw-s 00000000 00:01 1                          /SYSV0000abcd (deleted)',
  '7fa211f09000-7fa211f0b000 rw-s 00000000 00:01 26                         /dev/zero (deleted)',
  '7fa211f0b000-7fa211f0f000 rw-s 00000000 00:01 24                         /memfd:demo-memfd (deleted)',
  '7fa211f0f000-7fa211f10000 rw-s 00000000 fe:00 2146444                    /tmp/psc/gone (deleted)',
  '7fa211f10000-7fa211f11000 r--s 00000000 fe:00 2146443                    /tmp/psc/new\\012line',
  '7fa211f11000-7fa211f12000 r--s 00000000 fe:00 2146422                    /tmp/psc/a b c',
  'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
  '',
].join('\n');

const SMAPS_6_18 = [
  '7fa211d1c000-7fa211d24000 rw-s 00000000 00:01 1                          /SYSV0000abcd (deleted)',
  'Size:                 32 kB',
  'KernelPageSize:        4 kB',
  'MMUPageSize:           4 kB',
  'Rss:                  12 kB',
  'Pss:                  12 kB',
  'Pss_Dirty:            12 kB',
  'Shared_Clean:          0 kB',
  'Shared_Dirty:          0 kB',
  'Private_Clean:         0 kB',
  'Private_Dirty:        12 kB',
  'Referenced:           12 kB',
  'Anonymous:             0 kB',
  'KSM:                   0 kB',
  'LazyFree:              0 kB',
  'AnonHugePages:         0 kB',
  'ShmemPmdMapped:        0 kB',
  'FilePmdMapped:         0 kB',
  'Shared_Hugetlb:        0 kB',
  'Private_Hugetlb:       0 kB',
  'Swap:                  0 kB',
  'SwapPss:               0 kB',
  'Locked:                0 kB',
  'THPeligible:           0',
  'VmFlags: rd wr sh mr mw me ms ',
  '7fa211f10000-7fa211f11000 r--s 00000000 fe:00 2146443                    /tmp/psc/new\\012line',
  'Size:                  4 kB',
  'KernelPageSize:        4 kB',
  'MMUPageSize:           4 kB',
  'Rss:                   0 kB',
  'Pss:                   0 kB',
  'Pss_Dirty:             0 kB',
  'Shared_Clean:          0 kB',
  'Shared_Dirty:          0 kB',
  'Private_Clean:         0 kB',
  'Private_Dirty:         0 kB',
  'Referenced:            0 kB',
  'Anonymous:             0 kB',
  'KSM:                   0 kB',
  'LazyFree:              0 kB',
  'AnonHugePages:         0 kB',
  'ShmemPmdMapped:        0 kB',
  'FilePmdMapped:         0 kB',
  'Shared_Hugetlb:        0 kB',
  'Private_Hugetlb:       0 kB',
  'Swap:                  0 kB',
  'SwapPss:               0 kB',
  'Locked:                0 kB',
  'THPeligible:           0',
  'VmFlags: rd sh mr mw me ms ',
  '',
].join('\n');

const ROLLUP_6_18 = [
  '5591f00b7000-7ffd346d9000 ---p 00000000 00:00 0                          [rollup]',
  'Rss:                1588 kB',
  'Pss:                 423 kB',
  'Pss_Dirty:           136 kB',
  'Pss_Anon:             96 kB',
  'Pss_File:            299 kB',
  'Pss_Shmem:            28 kB',
  'Shared_Clean:       1444 kB',
  'Shared_Dirty:          0 kB',
  'Private_Clean:         8 kB',
  'Private_Dirty:       136 kB',
  'Referenced:         1588 kB',
  'Anonymous:            96 kB',
  'KSM:                   0 kB',
  'LazyFree:              0 kB',
  'AnonHugePages:         0 kB',
  'ShmemPmdMapped:        0 kB',
  'FilePmdMapped:         0 kB',
  'Shared_Hugetlb:        0 kB',
  'Private_Hugetlb:       0 kB',
  'Swap:                  0 kB',
  'SwapPss:               0 kB',
  'Locked:                0 kB',
  '',
].join('\n');

const STATUS_6_18 = [
  'Name:\ta) b (c',
  'Umask:\t0022',
  'State:\tS (sleeping)',
  'Uid:\t0\t0\t0\t0',
  'Gid:\t0\t0\t0\t0',
  'FDSize:\t256',
  'Kthread:\t0',
  'VmPeak:\t    2468 kB',
  'RssShmem:\t      28 kB',
  'VmSwap:\t       0 kB',
  'untag_mask:\t0xffffffffffffffff',
  'CapPrm:\t000001fffeffffff',
  'CapEff:\t000001fffeffffff',
  'Seccomp:\t0',
  '',
].join('\n');

const STAT_6_18 = [
  '3191 (a) b (c) S 3183 3183 2722 0 -1 4194304 90 546 0 0 0 0 2 0 20 0 1 0 60272 2490368 350 18446744073709551615 94085285904384 94085285905957 140725483044224 0 0 0 65536 6 0 1 0 0 17 0 0 0 0 0 0 94085285916112 94085285916800 94085737828352 140725483047473 140725483047480 140725483047480 140725483048945 0',
  '',
].join('\n');

const MEMINFO_6_18 = [
  'MemTotal:       24683620 kB',
  'MemFree:        24419056 kB',
  'MemAvailable:   24382460 kB',
  'Buffers:             876 kB',
  'Cached:           151276 kB',
  'SwapCached:            4 kB',
  'SwapTotal:       2097148 kB',
  'SwapFree:        2096688 kB',
  'Shmem:              8492 kB',
  'HugePages_Total:       0',
  'HugePages_Free:        0',
  '',
].join('\n');

const VMSTAT_6_18 = [
  'nr_free_pages 1038200',
  'nr_free_pages_blocks 1001472',
  'nr_zone_inactive_anon 796',
  'nr_zone_active_anon 263',
  'nr_shmem_hugepages 0',
  'nr_shmem_pmdmapped 0',
  'nr_swapcached 1',
  'pswpin 0',
  'pswpout 131',
  'thp_split_page 0',
  '',
].join('\n');

const SWAPS_6_18 = [
  'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority',
  '/var/tmp/pagescope-dev.swap             file\t\t2097148\t\t460\t\t-2',
  '',
].join('\n');

const SHM_6_18 = [
  '       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap',
  '     43981          1   600                 32768  3191  3191      1     0     0     0     0 1795627880          0 1795627880                 12288                     0',
  '         0          3  1600                  8192  3339  3339      1     0     0     0     0 1795627911          0 1795627911                  4096                     0',
  '',
].join('\n');

const MOUNTINFO_6_18 = [
  '21 26 0:20 / /proc rw,relatime - proc proc rw',
  '22 26 0:21 / /sys rw,relatime - sysfs sysfs rw',
  '24 23 0:22 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24683620k',
  '25 23 0:23 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000',
  '26 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534',
  '62 42 0:38 / /tmp/psc/mnt\\040dir rw,relatime shared:21 - tmpfs my\\040src rw',
  '63 42 0:39 / /tmp/psc/e rw,relatime shared:22 - tmpfs  rw',
  '64 42 0:38 /sub /tmp/psc/b rw,relatime master:21 - tmpfs my\\040src rw',
  '',
].join('\n');

const CGROUP_6_18 = [
  '9:name=systemd:/',
  '8:pids:/',
  '7:blkio:/',
  '6:freezer:/',
  '5:devices:/',
  '4:memory:/process_api/43cfb6866081e5e6786d6c5f82ddfd16',
  '3:cpuset:/',
  '2:cpuacct:/',
  '1:cpu:/',
  '0::/',
  '',
].join('\n');

// `cat /proc/self/cmdline '' 'a b' 'é'`, NUL-separated, as latin1 text so it can be mutated.
const CMDLINE_6_18 = 'cat\0/proc/self/cmdline\0\0a b\0\xc3\xa9\0';

const ITERATIONS = 3000;
/** Wall-clock budget for one parser's whole batch; a hang or quadratic blow-up exceeds it. */
const BATCH_BUDGET_MS = 2500;

type Rng = () => number;

/** mulberry32: a tiny seeded PRNG, so every failure is reproducible from its seed. */
function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function int(rnd: Rng, n: number): number {
  return Math.floor(rnd() * n);
}

function pick<T>(rnd: Rng, items: readonly T[]): T {
  return items[int(rnd, items.length)];
}

// Characters that matter to the parsers, plus NUL, a lone surrogate and non-ASCII text.
const ALPHABET = [...'0123456789abcdefABCDEF-: \t\n()[]\\/kBx_rwxsp.', '\0', '\ud800', 'é', '\u2028', '\r'];
const LONG_UNITS = ['9', ' ', 'a', '\\012', ':', '(', ')', 'f', '-', '\t', ' kB'];

function randomText(rnd: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    s += rnd() < 0.7 ? pick(rnd, ALPHABET) : String.fromCharCode(int(rnd, 0x10000));
  }
  return s;
}

function splice(text: string, at: number, remove: number, insert: string): string {
  return text.slice(0, at) + insert + text.slice(at + remove);
}

const MUTATIONS: ReadonlyArray<(text: string, rnd: Rng) => string> = [
  // delete a few characters
  (t, r) => splice(t, int(r, t.length + 1), 1 + int(r, 8), ''),
  // insert or overwrite one interesting character
  (t, r) => splice(t, int(r, t.length + 1), 0, pick(r, ALPHABET)),
  (t, r) => splice(t, int(r, t.length + 1), 1, pick(r, ALPHABET)),
  // duplicate a slice somewhere else
  (t, r) => {
    const a = int(r, t.length + 1);
    const slice = t.slice(a, a + int(r, 64));
    return splice(t, int(r, t.length + 1), 0, slice);
  },
  // swap two lines, drop a line, duplicate a line
  (t, r) => {
    const lines = t.split('\n');
    const i = int(r, lines.length);
    const j = int(r, lines.length);
    [lines[i], lines[j]] = [lines[j], lines[i]];
    return lines.join('\n');
  },
  (t, r) => {
    const lines = t.split('\n');
    lines.splice(int(r, lines.length), 1);
    return lines.join('\n');
  },
  (t, r) => {
    const lines = t.split('\n');
    const i = int(r, lines.length);
    lines.splice(i, 0, lines[i]);
    return lines.join('\n');
  },
  // truncate
  (t, r) => t.slice(0, int(r, t.length + 1)),
  // inject random code units
  (t, r) => splice(t, int(r, t.length + 1), 0, randomText(r, 1 + int(r, 16))),
  // a line of only spaces
  (t, r) => splice(t, int(r, t.length + 1), 0, `\n${' '.repeat(1 + int(r, 40))}\n`),
  // blow a number up past 2^64, or make it negative
  (t, r) => t.replace(/\d+/, (d) => (r() < 0.5 ? `${d}${'9'.repeat(1 + int(r, 30))}` : `-${d}`)),
  // a very long run inside a line (rarely: each costs tens of kB of parsing)
  (t, r) =>
    r() < 0.15 ? splice(t, int(r, t.length + 1), 0, pick(r, LONG_UNITS).repeat(5000 + int(r, 20000))) : t,
];

function mutate(text: string, rnd: Rng): string {
  let out = text;
  const count = 1 + int(rnd, 4);
  for (let i = 0; i < count; i++) out = pick(rnd, MUTATIONS)(out, rnd);
  return out;
}

/** Fixed worst cases, fed to every parser before the random ones. */
const PATHOLOGICAL = [
  '',
  '\n\n\n',
  ' '.repeat(200000),
  '9'.repeat(200000),
  '\\012'.repeat(50000),
  `7fa211d19000-7fa211d1c000 rw-p 00000000 00:00 0${' '.repeat(200000)}x`,
  `7fa211d19000-7fa211d1c000 rw-p 00000000 00:00 ${'0'.repeat(200000)}`,
  `${'f'.repeat(100000)}-${'f'.repeat(100000)} `,
  `Rss:${' '.repeat(200000)}4 kB`,
  `1 (${')'.repeat(100000)} S 1`,
  `1 2 0:1 / /${' -'.repeat(50000)}`,
  '0::'.repeat(50000),
];

/** Asserts that every number in a parser's result is finite and every bigint fits in 64 bits. */
function assertWellFormed(value: unknown, where: string): void {
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value), `${where}: non-finite number ${value}`);
  } else if (typeof value === 'bigint') {
    assert.ok(value >= 0n && value < 1n << 64n, `${where}: bigint out of u64 range`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertWellFormed(v, `${where}[${i}]`));
  } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) assertWellFormed(v, `${where}.${k}`);
  }
}

interface FuzzTarget {
  name: string;
  seeds: readonly string[];
  parse: (text: string) => unknown;
  /** False for parsers that skip everything they do not understand and so never throw. */
  canThrow: boolean;
  /** Extra property checked on every successful parse. */
  check?: (text: string, result: unknown) => void;
}

/** Shows a failing input compactly enough for an assertion message. */
function show(text: string): string {
  return JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…(${text.length} chars)` : text);
}

function fuzz(target: FuzzTarget, seed: number): void {
  const rnd = mulberry32(seed);
  let parsed = 0;
  let rejected = 0;
  const started = process.hrtime.bigint();
  const inputs = (i: number): string =>
    i < PATHOLOGICAL.length ? PATHOLOGICAL[i] : mutate(pick(rnd, target.seeds), rnd);
  for (let i = 0; i < ITERATIONS + PATHOLOGICAL.length; i++) {
    const text = inputs(i);
    let result: unknown;
    try {
      result = target.parse(text);
    } catch (e) {
      if (!(e instanceof ParseError)) {
        assert.fail(`${target.name} threw ${String(e)} (seed ${seed}, iteration ${i}) for ${show(text)}`);
      }
      assert.ok(Number.isInteger(e.lineNumber) && e.lineNumber >= 0, `${target.name}: bad lineNumber`);
      assert.equal(typeof e.line, 'string');
      rejected++;
      continue;
    }
    parsed++;
    assertWellFormed(result, `${target.name}(${show(text)})`);
    target.check?.(text, result);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(ms < BATCH_BUDGET_MS, `${target.name}: ${ITERATIONS} parses took ${ms.toFixed(0)} ms`);
  // Both outcomes must occur, or the mutations are not reaching the parser's interesting paths.
  assert.ok(parsed > 0, `${target.name}: no mutated input parsed`);
  if (target.canThrow) assert.ok(rejected > 0, `${target.name}: no mutated input was rejected`);
}

const TARGETS: FuzzTarget[] = [
  {
    name: 'parseMaps',
    seeds: [MAPS_6_18],
    parse: parseMaps,
    canThrow: true,
    check: (_text, rows) => {
      for (const row of rows as ReturnType<typeof parseMaps>) assert.ok(!row.path.startsWith(' '));
    },
  },
  {
    name: 'parseMapsLine',
    seeds: MAPS_6_18.split('\n').filter((l) => l !== ''),
    parse: (line) => parseMapsLine(line, 1),
    canThrow: true,
    // Every line parseMapsLine accepts must also pass the cheap test smaps relies on.
    check: (line) => assert.ok(isMapsHeaderLine(line), `isMapsHeaderLine rejects ${show(line)}`),
  },
  { name: 'isMapsHeaderLine', seeds: MAPS_6_18.split('\n'), parse: isMapsHeaderLine, canThrow: false },
  {
    name: 'unescapeOctal',
    seeds: ['/tmp/psc/new\\012line', 'my\\040src\\303\\251'],
    parse: unescapeOctal,
    canThrow: false,
  },
  { name: 'parseSmaps', seeds: [SMAPS_6_18], parse: parseSmaps, canThrow: true },
  { name: 'parseSmapsRollup', seeds: [ROLLUP_6_18], parse: parseSmapsRollup, canThrow: true },
  { name: 'parseStatus', seeds: [STATUS_6_18], parse: parseStatus, canThrow: true },
  {
    name: 'parseUidLine',
    seeds: ['0\t0\t0\t0', '65534\t65534\t65534\t65534'],
    parse: parseUidLine,
    canThrow: true,
  },
  {
    name: 'parseCapabilityMask',
    seeds: ['000001fffeffffff', '0000000000000000'],
    parse: parseCapabilityMask,
    canThrow: true,
  },
  { name: 'parseStat', seeds: [STAT_6_18], parse: parseStat, canThrow: true },
  {
    name: 'parseCmdline',
    seeds: [CMDLINE_6_18],
    parse: (text) => parseCmdline(Buffer.from(text, 'latin1')),
    canThrow: false,
  },
  { name: 'parseMeminfo', seeds: [MEMINFO_6_18], parse: parseMeminfo, canThrow: true },
  { name: 'parseVmstat', seeds: [VMSTAT_6_18], parse: parseVmstat, canThrow: true },
  { name: 'parseSwaps', seeds: [SWAPS_6_18], parse: parseSwaps, canThrow: true },
  { name: 'parseSysvShm', seeds: [SHM_6_18], parse: parseSysvShm, canThrow: true },
  { name: 'parseMountinfo', seeds: [MOUNTINFO_6_18], parse: parseMountinfo, canThrow: true },
  { name: 'parseCgroupV2Path', seeds: [CGROUP_6_18], parse: parseCgroupV2Path, canThrow: false },
];

describe('capture/sources/fuzz', () => {
  TARGETS.forEach((target, index) => {
    const outcome = target.canThrow ? 'throws nothing but ParseError' : 'never throws';
    it(`${target.name} ${outcome} on mutated /proc text and stays within the time budget`, () => {
      fuzz(target, 0x5eed0000 + index);
    });
  });

  it('parseCmdline never throws on random bytes', () => {
    const rnd = mulberry32(0x5eedc0de);
    for (let i = 0; i < ITERATIONS; i++) {
      const bytes = Buffer.alloc(int(rnd, 64));
      for (let j = 0; j < bytes.length; j++) bytes[j] = rnd() < 0.2 ? 0 : int(rnd, 256);
      const args = parseCmdline(bytes);
      assert.ok(args.every((a) => !a.includes('\0')));
    }
  });

  it('mulberry32 is deterministic for a given seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 10; i++) assert.equal(a(), b());
  });
});
