import assert from 'node:assert/strict';
import { ParseError } from '../../../lib/errors.js';
import { parseMaps } from '../../../capture/sources/maps.js';
import { createSmapsParser, parseSmaps, parseSmapsRollup } from '../../../capture/sources/smaps.js';
import { vmFlagBits, VM_HT, VM_IO, VM_MM, VM_PF, VM_UW } from '../../../capture/sources/vm-flags.js';
import { createProcfs } from '../../../capture/procfs.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SMAPS_6_18, ROLLUP_6_18 } from './fixtures.js';

// The SysV VMA of SMAPS_6_18 (fixtures.ts) as an older kernel (4.19) prints it: the lines added since are removed
// (Pss_Dirty 6.0, KSM, FilePmdMapped, THPeligible 5.0).
const SMAPS_SYSV_4_19 = [
  '7fa211d1c000-7fa211d24000 rw-s 00000000 00:01 1                          /SYSV0000abcd (deleted)',
  'Size:                 32 kB',
  'KernelPageSize:        4 kB',
  'MMUPageSize:           4 kB',
  'Rss:                  12 kB',
  'Pss:                  12 kB',
  'Shared_Clean:          0 kB',
  'Shared_Dirty:          0 kB',
  'Private_Clean:         0 kB',
  'Private_Dirty:        12 kB',
  'Referenced:           12 kB',
  'Anonymous:             0 kB',
  'LazyFree:              0 kB',
  'AnonHugePages:         0 kB',
  'ShmemPmdMapped:        0 kB',
  'Shared_Hugetlb:        0 kB',
  'Private_Hugetlb:       0 kB',
  'Swap:                  0 kB',
  'SwapPss:               0 kB',
  'Locked:                0 kB',
  'VmFlags: rd wr sh mr mw me ms ',
  '',
].join('\n');

// The [vsyscall] VMA of SMAPS_6_18 (fixtures.ts) with lines this machine cannot produce: ProtectionKey (x86 PKU,
// printed by arch_show_smap() as "ProtectionKey:  %8u"), and two made-up keys standing for
// fields a future kernel may add.
const SMAPS_EXTRA_KEYS = [
  'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
  'Size:                  4 kB',
  'Rss:                   0 kB',
  'Future_Pages:         16 kB',
  'Future_Mode:     sparse  ',
  'THPeligible:           1',
  'ProtectionKey:         5',
  'VmFlags: ex ',
  '',
].join('\n');

const FIELDS_6_18 = [
  'Size',
  'KernelPageSize',
  'MMUPageSize',
  'Rss',
  'Pss',
  'Pss_Dirty',
  'Shared_Clean',
  'Shared_Dirty',
  'Private_Clean',
  'Private_Dirty',
  'Referenced',
  'Anonymous',
  'KSM',
  'LazyFree',
  'AnonHugePages',
  'ShmemPmdMapped',
  'FilePmdMapped',
  'Shared_Hugetlb',
  'Private_Hugetlb',
  'Swap',
  'SwapPss',
  'Locked',
];

function vmaFor(path: string) {
  const vma = parseSmaps(SMAPS_6_18).find((v) => v.path === path);
  assert.ok(vma, `no VMA with path ${JSON.stringify(path)}`);
  return vma;
}

/** Builds the smaps text of a large process by repeating the real VMAs at fresh addresses. */
function largeSmaps(vmaCount: number): string {
  const blocks = SMAPS_6_18.split(/\n(?=[0-9a-f]+-)/);
  const out: string[] = [];
  for (let i = 0; i < vmaCount; i++) {
    const block = blocks[i % blocks.length];
    const start = (0x7f0000000000 + i * 0x10000).toString(16);
    const end = (0x7f0000000000 + i * 0x10000 + 0x1000).toString(16);
    out.push(`${start}-${end}${block.slice(block.indexOf(' ')).replace(/\n$/, '')}`);
  }
  return `${out.join('\n')}\n`;
}

describe('capture/sources/smaps', () => {
  describe('parseSmaps', () => {
    it('parses one entry per VMA with the same header as maps', () => {
      const vmas = parseSmaps(SMAPS_6_18);
      const headerLines = SMAPS_6_18.split('\n').filter((l) => /^[0-9a-f]+-/.test(l));
      assert.equal(vmas.length, 9);
      const headers = parseMaps(`${headerLines.join('\n')}\n`);
      vmas.forEach((vma, i) => {
        const { fieldsKb, vmFlags, thpEligible, protectionKey, otherFields, header: line, ...header } = vma;
        assert.deepEqual(header, headers[i]);
        assert.equal(line, headerLines[i]);
      });
    });

    it('keeps every kB field of 6.18 under its kernel name', () => {
      for (const vma of parseSmaps(SMAPS_6_18)) assert.deepEqual(Object.keys(vma.fieldsKb), FIELDS_6_18);
      const sysv = vmaFor('/SYSV0000abcd');
      assert.equal(sysv.deleted, true);
      assert.deepEqual([sysv.fieldsKb.Size, sysv.fieldsKb.Rss, sysv.fieldsKb.Pss_Dirty, sysv.fieldsKb.Private_Dirty], [32, 12, 12, 12]);
    });

    it('trims VmFlags to single-space separated codes', () => {
      assert.equal(vmaFor('/memfd:demo-memfd').vmFlags, 'rd wr sh mr mw me ms');
      assert.equal(vmaFor('[vsyscall]').vmFlags, 'ex');
    });

    it('reads THPeligible and leaves ProtectionKey null when the kernel does not print it', () => {
      const vma = vmaFor('/dev/zero');
      assert.equal(vma.thpEligible, 0);
      assert.equal(vma.protectionKey, null);
      assert.deepEqual(vma.otherFields, {});
    });

    it('parses VMAs whose path has spaces, a \\012 escape or " (deleted)"', () => {
      assert.equal(vmaFor('/tmp/psc/a b c').fieldsKb.Size, 4);
      assert.equal(vmaFor('/tmp/psc/new\nline').vmFlags, 'rd sh mr mw me ms');
      assert.equal(vmaFor('/tmp/psc/gone').deleted, true);
      assert.equal(vmaFor('').fieldsKb.Anonymous, 4);
    });

    it('keeps unknown keys: "N kB" in fieldsKb, anything else trimmed in otherFields', () => {
      const [vma] = parseSmaps(SMAPS_EXTRA_KEYS);
      assert.deepEqual(vma.fieldsKb, { Size: 4, Rss: 0, Future_Pages: 16 });
      assert.deepEqual(vma.otherFields, { Future_Mode: 'sparse' });
      assert.equal(vma.thpEligible, 1);
      assert.equal(vma.protectionKey, 5);
    });

    it('leaves fields an older kernel lacks absent rather than zero', () => {
      const [vma] = parseSmaps(SMAPS_SYSV_4_19);
      assert.equal('Pss_Dirty' in vma.fieldsKb, false);
      assert.equal('KSM' in vma.fieldsKb, false);
      assert.equal(vma.fieldsKb.Rss, 12);
      assert.equal(vma.thpEligible, null);
      assert.equal(vma.vmFlags, 'rd wr sh mr mw me ms');
    });

    it('returns no VMAs for empty text', () => {
      assert.deepEqual(parseSmaps(''), []);
    });

    it('rejects a field line before the first header', () => {
      assert.throws(
        () => parseSmaps('Rss:                   4 kB\n'),
        (e: unknown) => e instanceof ParseError && e.source === 'smaps' && e.lineNumber === 1,
      );
    });

    it('rejects a line that is neither a header nor "Key: value", naming its line number', () => {
      const text = SMAPS_6_18.replace('Rss:                  12 kB', 'Rss                   12 kB');
      assert.throws(
        () => parseSmaps(text),
        (e: unknown) => e instanceof ParseError && e.lineNumber === 80 && e.line === 'Rss                   12 kB',
      );
    });

    it('rejects a corrupted header line instead of filing it under the previous VMA', () => {
      const text = SMAPS_6_18.replace('7fa211d1c000-7fa211d24000', '7fa211d1c000_7fa211d24000');
      assert.throws(
        () => parseSmaps(text),
        (e: unknown) => e instanceof ParseError && e.lineNumber === 76,
      );
    });

    it('rejects a kB field whose value is not a number', () => {
      assert.throws(() => parseSmaps(SMAPS_6_18.replace('Swap:                  0 kB', 'Swap:        x kB')), ParseError);
    });

    it('parses 60k VMAs (1.5M lines), the size of a large JVM', function () {
      this.timeout(20000);
      const vmas = parseSmaps(largeSmaps(60000));
      assert.equal(vmas.length, 60000);
      assert.equal(vmas[59999].fieldsKb.Locked, 0);
    });
  });

  describe('parseSmapsRollup', () => {
    it('parses the summed fields, including Pss_Anon, Pss_File and Pss_Shmem', () => {
      const rollup = parseSmapsRollup(ROLLUP_6_18);
      assert.deepEqual(
        [rollup.fieldsKb.Rss, rollup.fieldsKb.Pss_Anon, rollup.fieldsKb.Pss_File, rollup.fieldsKb.Pss_Shmem],
        [1588, 96, 299, 28],
      );
      assert.equal(Object.keys(rollup.fieldsKb).length, 22);
      assert.deepEqual(rollup.otherFields, {});
    });

    it('returns empty records for empty text', () => {
      assert.deepEqual(parseSmapsRollup(''), { fieldsKb: {}, otherFields: {} });
    });

    it('rejects fields before the [rollup] header', () => {
      assert.throws(
        () => parseSmapsRollup('Rss:                1588 kB\n'),
        (e: unknown) => e instanceof ParseError && e.source === 'smaps_rollup' && e.lineNumber === 1,
      );
    });

    it('rejects a second header line', () => {
      assert.throws(() => parseSmapsRollup(`${ROLLUP_6_18}${ROLLUP_6_18}`), ParseError);
    });
  });

  describe('in chunks', () => {
    const inChunks = (text: string, sizes: number[]): ReturnType<typeof parseSmaps> => {
      const parser = createSmapsParser();
      let pos = 0;
      for (let i = 0; pos < text.length; i++) {
        const n = sizes[i % sizes.length];
        parser.push(text.slice(pos, pos + n));
        pos += n;
      }
      return parser.end();
    };

    it('gives what the whole text gives, wherever the chunks cut lines', () => {
      // Our own smaps (hundreds of VMAs, real paths), and the fixtures with unusual keys.
      const own = fs.readFileSync('/proc/self/smaps', 'utf8');
      for (const text of [own, SMAPS_6_18, SMAPS_SYSV_4_19, SMAPS_EXTRA_KEYS, `${SMAPS_6_18}`.replace(/\n$/, '')]) {
        const whole = parseSmaps(text);
        assert.ok(whole.length > 0);
        for (const sizes of [[1], [7], [64, 3], [4096], [100000]]) assert.deepEqual(inChunks(text, sizes), whole, `chunks of ${sizes}`);
      }
    });

    it('hands over each VMA once, complete, when taken after every chunk', () => {
      const own = fs.readFileSync('/proc/self/smaps', 'utf8');
      for (const text of [own, SMAPS_6_18, SMAPS_SYSV_4_19, SMAPS_EXTRA_KEYS]) {
        const whole = parseSmaps(text);
        for (const size of [1, 7, 4096, 100000]) {
          const parser = createSmapsParser();
          const taken: ReturnType<typeof parseSmaps> = [];
          let batches = 0;
          for (let pos = 0; pos < text.length; pos += size) {
            parser.push(text.slice(pos, pos + size));
            const batch = parser.take();
            if (batch.length > 0) batches++;
            taken.push(...batch);
          }
          // The last VMA can still get lines until the end: only end() hands it over.
          assert.ok(taken.length < whole.length);
          assert.deepEqual([...taken, ...parser.end()], whole, `chunks of ${size}`);
          if (size === 1 && whole.length > 2)
            assert.ok(batches >= whole.length - 1, 'small chunks give a VMA as soon as the next header comes');
        }
      }
    });

    it('reports the line number of a bad line across chunks', () => {
      const bad = `${SMAPS_6_18}not a field line\n`;
      const line = bad.split('\n').length - 1;
      assert.throws(
        () => inChunks(bad, [5]),
        (err: unknown) => err instanceof ParseError && err.message.includes(`line ${line}`),
      );
    });

    it('tells the VmFlags codes the capture looks for, as a match of " code " does, on every VMA of this host', () => {
      // The specification: the code as a whole word of the line.
      const reference = (flags: string): number =>
        [
          ['pf', VM_PF],
          ['io', VM_IO],
          ['mm', VM_MM],
          ['ht', VM_HT],
          ['uw', VM_UW],
        ].reduce((bits, [code, bit]) => (` ${flags} `.includes(` ${code} `) ? bits | (bit as number) : bits), 0);
      const lines = new Set<string>();
      for (const pid of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
        try {
          for (const m of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').matchAll(/^VmFlags:(.*)$/gm)) lines.add(m[1]);
        } catch {
          // gone, or a kernel thread
        }
      }
      assert.ok(lines.size > 5, `VmFlags lines of this host: ${lines.size}`);
      // As show_smap_vma_flags() prints them ("%c%c " per flag) for mappings this host may not
      // have: a hugetlb mapping, a device mapping (pfnmap, io, mixed map), uffd-wp registered memory.
      for (const line of [
        ' rd wr sh mr mw me ms de ht sd ',
        ' rd wr sh mr mw me ms pf io de dd sd ',
        ' rd wr sh mr mw me ms mm sd ',
        ' rd wr mr mw me ac uw sd ',
        '',
        ' ',
      ])
        lines.add(line);
      let seen = 0;
      for (const line of lines) {
        // Both as the kernel prints it and as the parser keeps it (single spaces, none around).
        const parsed = parseSmaps(`00400000-00401000 r--p 00000000 00:00 0 \nVmFlags:${line}\n`)[0].vmFlags as string;
        for (const flags of [line, parsed]) assert.equal(vmFlagBits(flags), reference(flags), `VmFlags:${flags}`);
        seen |= reference(line);
      }
      assert.equal(seen, VM_PF | VM_IO | VM_MM | VM_HT | VM_UW, 'every code met at least once');
      // Codes sharing letters with the ones looked for are not them.
      assert.equal(vmFlagBits('me mr mw hg nh sh ms ui um'), 0);
    });

    it('reads files in chunks that never cut a UTF-8 character', () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pagescope-chunks-'));
      try {
        fs.mkdirSync(path.join(root, '1'));
        // A two-byte character across the 1 MiB chunk boundary, and one at the very end.
        const text = `${'a'.repeat((1 << 20) - 1)}é${'b'.repeat(10)}\n/tmp/ü`;
        fs.writeFileSync(path.join(root, '1', 'smaps'), text);
        const chunks = [...createProcfs(root).readTextChunks(1, 'smaps')];
        assert.ok(chunks.length >= 2);
        assert.equal(chunks.join(''), text);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  });
});
