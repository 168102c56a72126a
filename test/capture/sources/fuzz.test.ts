import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { parseCgroupV2Path } from '../../../capture/sources/cgroup.js';
import { parseCmdline } from '../../../capture/sources/cmdline.js';
import { isMapsHeaderLine, parseMaps, parseMapsLine, unescapeOctal } from '../../../capture/sources/maps.js';
import { parseMemoryStat } from '../../../capture/sources/memcg.js';
import { parseMeminfo } from '../../../capture/sources/meminfo.js';
import { parseMountinfo } from '../../../capture/sources/mountinfo.js';
import { parseSmaps, parseSmapsRollup } from '../../../capture/sources/smaps.js';
import { parseStat } from '../../../capture/sources/stat.js';
import { parseCapabilityMask, parseStatus, parseUidLine } from '../../../capture/sources/status.js';
import { parseSwaps } from '../../../capture/sources/swaps.js';
import { parseSysvShm } from '../../../capture/sources/sysvipc-shm.js';
import { parseVmstat } from '../../../capture/sources/vmstat.js';
import {
  CGROUP_HYBRID_6_18,
  CMDLINE_6_18,
  MAPS_6_18,
  MEMINFO_6_18,
  MEMORY_STAT_V1_6_18,
  MOUNTINFO_6_18,
  ROLLUP_6_18,
  SHM_6_18,
  SMAPS_6_18,
  STAT_PAREN_6_18,
  STATUS_ROOT_6_18,
  SWAPS_6_18,
  VMSTAT_6_18,
} from './fixtures.js';

// Property tests: every parser, fed thousands of randomly mutated real /proc snippets, either
// returns rows without NaN/Infinity or throws a ParseError, and never hangs.
// Seeds are the real Linux 6.18.44 text of the parser tests (fixtures.ts).

// cmdline as latin1 text so it can be mutated like the others.
const CMDLINE_SEED = CMDLINE_6_18.toString('latin1');

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
  (t, r) => (r() < 0.15 ? splice(t, int(r, t.length + 1), 0, pick(r, LONG_UNITS).repeat(5000 + int(r, 20000))) : t),
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
  const inputs = (i: number): string => (i < PATHOLOGICAL.length ? PATHOLOGICAL[i] : mutate(pick(rnd, target.seeds), rnd));
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
  { name: 'parseStatus', seeds: [STATUS_ROOT_6_18], parse: parseStatus, canThrow: true },
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
  { name: 'parseStat', seeds: [STAT_PAREN_6_18], parse: parseStat, canThrow: true },
  {
    name: 'parseCmdline',
    seeds: [CMDLINE_SEED],
    parse: (text) => parseCmdline(Buffer.from(text, 'latin1')),
    canThrow: false,
  },
  { name: 'parseMeminfo', seeds: [MEMINFO_6_18], parse: parseMeminfo, canThrow: true },
  { name: 'parseVmstat', seeds: [VMSTAT_6_18], parse: parseVmstat, canThrow: true },
  { name: 'parseSwaps', seeds: [SWAPS_6_18], parse: parseSwaps, canThrow: true },
  { name: 'parseSysvShm', seeds: [SHM_6_18], parse: parseSysvShm, canThrow: true },
  { name: 'parseMountinfo', seeds: [MOUNTINFO_6_18], parse: parseMountinfo, canThrow: true },
  { name: 'parseCgroupV2Path', seeds: [CGROUP_HYBRID_6_18], parse: parseCgroupV2Path, canThrow: false },
  { name: 'parseMemoryStat', seeds: [MEMORY_STAT_V1_6_18], parse: (text) => parseMemoryStat(1, text), canThrow: true },
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
