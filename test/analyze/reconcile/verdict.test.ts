// The verdict of one VMA as a pure rule, branch by branch: each case is a VMA's facts (a shared
// mapping of a 64-page /dev/shm file unless it says otherwise) and the verdict and sentences
// that must come out of them.
import assert from 'node:assert/strict';
import type { VmaFacts } from '../../../analyze/reconcile/facts.js';
import { swapReadings } from '../../../analyze/reconcile/shared-swap.js';
import { decideVerdict } from '../../../analyze/reconcile/verdict.js';

/** A consistent shared shmem VMA: 16 present pages, 8 of the file's pages swapped, smaps agrees. */
const base: VmaFacts = {
  pageKb: 4,
  shared: true,
  writable: true,
  shmem: true,
  residencyKnown: true,
  pagesTotal: 64,
  present: 16,
  realSwap: 0,
  markers: 0,
  zeroPagePresent: 0,
  zeroSwapcache: 0,
  zeroSwapped: 8,
  zeroCached: 0,
  rangeSwap: 8,
  rangeSwapcache: 0,
  objectSwap: 8,
  objectSwapBeyondEof: 0,
  wholeObject: true,
  smapsRssKb: 64,
  smapsSwapKb: 32,
  smapsSwapPssKb: 0,
  swapPssFromPagemapKb: 0,
  processDriftKb: 0,
  processSwapDriftKb: 0,
  captureSwapDriftKb: 0,
  hostSwapTrafficKb: null,
  vmaChanged: false,
  rangeChanging: 0,
  readings: { rangeSwapBefore: 8, rangeSwapAfter: 8, wholeSwapBefore: 8, wholeSwapAfter: 8, rangeSwapEnd: 8, wholeSwapEnd: 8 },
  objectSwapAtProbeEnd: 8,
};

const moving = {
  rangeSwapBefore: 35666,
  rangeSwapAfter: 35712,
  wholeSwapBefore: 35666,
  wholeSwapAfter: 35712,
  rangeSwapEnd: 35712,
  wholeSwapEnd: 35712,
};

interface Case {
  name: string;
  facts: Partial<VmaFacts>;
  verdict: string;
  /** Every pattern must match the explanation. */
  says?: RegExp[];
  expectedSwapKb?: number | null;
}

const cases: Case[] = [
  // Rss
  {
    name: 'a private anonymous VMA that agrees is consistent',
    facts: {
      shared: false,
      shmem: false,
      residencyKnown: false,
      smapsSwapKb: 0,
      zeroSwapped: 0,
      rangeSwap: 0,
      objectSwap: null,
      readings: null,
    },
    verdict: 'consistent',
    says: [/agree with pagemap/],
  },
  {
    name: 'zero-page mappings explain present pages smaps leaves out of Rss',
    facts: { present: 18, zeroPagePresent: 2 },
    verdict: 'explained',
    says: [/2 pages map the shared zero page/],
  },
  {
    name: 'a VMA remapped while it was read explains an Rss difference',
    facts: { present: 20, vmaChanged: true },
    verdict: 'explained',
    says: [/unmapped or remapped/],
  },
  {
    name: 'process Rss drift at least as large as the difference explains it',
    facts: { present: 20, processDriftKb: 16 },
    verdict: 'explained',
    says: [/drift 16 kB/],
  },
  {
    name: 'swap traffic of the range while the process was read explains an Rss difference',
    facts: { present: 12, readings: { ...base.readings!, rangeSwapEnd: 12 } },
    verdict: 'explained',
    says: [/moved from 8 to 12 pages between the smaps and pagemap reads/],
  },
  {
    name: "an Rss difference beyond the drift and the object's movement is a mismatch",
    facts: { present: 30, processDriftKb: 4 },
    verdict: 'mismatch',
    says: [/smaps Rss is 64 kB but pagemap shows 30 pages present/],
  },
  {
    name: 'an Rss difference without readings and without drift is a mismatch',
    facts: { present: 17, readings: null },
    verdict: 'mismatch',
  },
  // Rss, with the page faults and the host's reclaim measured (captures since page_faults_*)
  {
    name: 'more present than Rss, within the faults times a fault-around block, is explained',
    facts: { present: 16 + 86, faultsWhileRead: 6, pagesPerFault: 16, hostUnmapKb: 0 },
    verdict: 'explained',
    says: [/pagemap shows 344 kB more than smaps Rss: the process took 6 page faults .* each mapping at most 16 pages/],
  },
  {
    name: 'more present than the faults could map is a mismatch, even with old-style readings that moved',
    facts: {
      present: 16 + 86,
      faultsWhileRead: 5,
      pagesPerFault: 16,
      hostUnmapKb: 1 << 20,
      readings: { ...base.readings!, rangeSwapEnd: 60 },
    },
    verdict: 'mismatch',
    says: [/smaps Rss is 64 kB but pagemap shows 102 pages present/],
  },
  {
    name: 'a process that took no fault cannot gain pages: more present is a mismatch',
    facts: { present: 17, faultsWhileRead: 0, pagesPerFault: 16, hostUnmapKb: 4096 },
    verdict: 'mismatch',
  },
  {
    name: "khugepaged's collapses count for a THP-eligible VMA",
    facts: { present: 16 + 512, faultsWhileRead: 0, pagesPerFault: 512, hostCollapseKb: 2048, hostUnmapKb: 0 },
    verdict: 'explained',
    says: [/khugepaged collapsed 2048 kB/],
  },
  {
    name: 'fewer present than Rss, within what the host reclaimed, is explained',
    facts: { present: 10, faultsWhileRead: 0, pagesPerFault: 16, hostUnmapKb: 24 },
    verdict: 'explained',
    says: [/pagemap shows 24 kB less than smaps Rss: the host reclaimed, swapped out or migrated 24 kB/],
  },
  {
    name: 'fewer present than Rss beyond what the host reclaimed is a mismatch',
    facts: { present: 10, faultsWhileRead: 1000, pagesPerFault: 16, hostUnmapKb: 20 },
    verdict: 'mismatch',
  },
  // Swap of private memory, with faults and the host's reclaim measured
  {
    name: "a private page swapped out between the smaps and pagemap reads, within the host's swap-out, is explained",
    facts: {
      shared: false,
      shmem: false,
      residencyKnown: false,
      objectSwap: null,
      readings: null,
      rangeSwap: 0,
      zeroSwapped: 0,
      present: 15,
      realSwap: 16,
      smapsRssKb: 64,
      smapsSwapKb: 60,
      faultsWhileRead: 0,
      pagesPerFault: 16,
      hostUnmapKb: 43580,
    },
    verdict: 'explained',
    says: [/pagemap shows 4 kB more swap than smaps Swap/],
  },
  {
    name: 'more private swap in pagemap than the host swapped out is a mismatch',
    facts: {
      shared: false,
      shmem: false,
      residencyKnown: false,
      objectSwap: null,
      readings: null,
      rangeSwap: 0,
      zeroSwapped: 0,
      present: 15,
      realSwap: 16,
      smapsRssKb: 64,
      smapsSwapKb: 60,
      faultsWhileRead: 0,
      pagesPerFault: 16,
      hostUnmapKb: 0,
    },
    verdict: 'mismatch',
    says: [/smaps Swap is 60 kB but the page tables and the object account for 64 kB/],
  },
  {
    name: 'less private swap in pagemap than smaps, without a fault, is a mismatch',
    facts: {
      shared: false,
      shmem: false,
      residencyKnown: false,
      objectSwap: null,
      readings: null,
      rangeSwap: 0,
      zeroSwapped: 0,
      present: 17,
      realSwap: 14,
      smapsRssKb: 64,
      smapsSwapKb: 60,
      faultsWhileRead: 0,
      pagesPerFault: 16,
      hostUnmapKb: 4096,
    },
    verdict: 'mismatch',
  },
  // Swap, shared
  {
    name: "smaps Swap equal to the whole object's swap entries is explained",
    facts: {},
    verdict: 'explained',
    says: [/counts 8 pages of swapped shared memory/, /SwapPss never includes shmem swap/],
    expectedSwapKb: 32,
  },
  {
    name: 'the whole-object shortcut names the swap outside the VMA and beyond EOF',
    facts: {
      pagesTotal: 64,
      objectSwap: 12,
      objectSwapBeyondEof: 4,
      smapsSwapKb: 48,
      objectSwapAtProbeEnd: 12,
      readings: { ...base.readings!, wholeSwapBefore: 12, wholeSwapAfter: 12 },
    },
    verdict: 'explained',
    says: [/4 pages outside the VMA's range \(4 pages beyond EOF\)/],
    expectedSwapKb: 48,
  },
  {
    name: 'a partial VMA takes the swap of its file range',
    facts: { wholeObject: false, objectSwap: 30, smapsSwapKb: 32 },
    verdict: 'explained',
    expectedSwapKb: 32,
  },
  {
    name: 'swap within the readings taken while the process was read is explained, with the figures',
    facts: {
      objectSwap: 35661,
      objectSwapAtProbeEnd: 35661,
      rangeSwap: 35661,
      smapsSwapKb: 35690 * 4,
      pagesTotal: 65536,
      readings: moving,
    },
    verdict: 'explained',
    says: [/35666-35712 pages around the smaps read that printed this VMA/, /35661 at the probe/],
  },
  {
    name: "swap beyond every reading by less than the host's swap traffic is explained as pages in flight",
    facts: {
      objectSwap: 35661,
      objectSwapAtProbeEnd: 35661,
      rangeSwap: 35661,
      smapsSwapKb: 35800 * 4,
      pagesTotal: 65536,
      readings: moving,
      hostSwapTrafficKb: 40 * 4,
    },
    verdict: 'explained',
    says: [/37 pages beyond every reading of the object \(35610-35763\); the host swapped 40 pages in and out/],
  },
  {
    name: "swap beyond every reading by more than the host's swap traffic stays a mismatch",
    facts: {
      objectSwap: 35661,
      objectSwapAtProbeEnd: 35661,
      rangeSwap: 35661,
      smapsSwapKb: 35800 * 4,
      pagesTotal: 65536,
      readings: moving,
      hostSwapTrafficKb: 36 * 4,
    },
    verdict: 'mismatch',
    says: [/allow 35610-35763 pages/],
  },
  {
    name: 'swap beyond every reading is a mismatch, naming the readings',
    facts: {
      objectSwap: 35661,
      objectSwapAtProbeEnd: 35661,
      rangeSwap: 35661,
      smapsSwapKb: 35800 * 4,
      pagesTotal: 65536,
      readings: moving,
    },
    verdict: 'mismatch',
    says: [/allow 35610-35763 pages/, /35666-35712 around the smaps read/],
  },
  {
    name: 'drift smaller than the swap difference leaves it a mismatch',
    facts: { smapsSwapKb: 64, processDriftKb: 8 },
    verdict: 'mismatch',
    says: [/smaps Swap is 64 kB but the page tables and the object account for 32 kB/],
  },
  {
    name: 'drift at least as large as the swap difference explains it',
    facts: { smapsSwapKb: 40, processDriftKb: 8 },
    verdict: 'explained',
    says: [/the target changed between reads/],
  },
  {
    name: 'pages the probe left changing widen the range a partial VMA may count',
    facts: { wholeObject: false, rangeSwap: 8, rangeChanging: 5, smapsSwapKb: 48, readings: null },
    verdict: 'explained',
    says: [/5 pages of the range changing/],
  },
  {
    name: 'the object moving during its own probe covers a whole-object VMA without readings',
    facts: { objectSwap: 8, objectSwapAtProbeEnd: 11, smapsSwapKb: 40, readings: null },
    verdict: 'explained',
    says: [/moved while the object was probed/],
  },
  {
    name: 'a still object (every reading equal) leaves no room: one page off is a mismatch',
    facts: { smapsSwapKb: 36 },
    verdict: 'mismatch',
  },
  {
    name: "without the object's residency the shmem swap cannot be checked",
    facts: { residencyKnown: false },
    verdict: 'unavailable',
    says: [/residency was not captured/],
    expectedSwapKb: null,
  },
  // Swap, private writable (smaps looks under empty ptes only)
  {
    name: 'a private writable mapping counts shmem swap under empty ptes only',
    facts: { shared: false, wholeObject: false, rangeSwap: 12, zeroSwapped: 8, smapsSwapKb: 32 },
    verdict: 'explained',
    says: [/4 pages of swapped file pages under COW copies or markers are hidden/],
  },
  {
    name: "a private writable mapping is not explained by the object's readings",
    facts: { shared: false, wholeObject: false, smapsSwapKb: 40, readings: moving },
    verdict: 'mismatch',
  },
  // SwapPss
  {
    name: 'real swap without offsets: SwapPss cannot be rebuilt',
    facts: {
      shmem: false,
      residencyKnown: false,
      shared: false,
      realSwap: 4,
      smapsSwapKb: 16,
      smapsSwapPssKb: 16,
      swapPssFromPagemapKb: null,
      zeroSwapped: 0,
      rangeSwap: 0,
      objectSwap: null,
      readings: null,
    },
    verdict: 'consistent',
    says: [/cannot be rebuilt/],
  },
  {
    name: 'SwapPss smaller than rebuilt: sharers not captured',
    facts: {
      shmem: false,
      residencyKnown: false,
      shared: false,
      realSwap: 4,
      smapsSwapKb: 16,
      smapsSwapPssKb: 8,
      swapPssFromPagemapKb: 16,
      zeroSwapped: 0,
      rangeSwap: 0,
      objectSwap: null,
      readings: null,
    },
    verdict: 'explained',
    says: [/some sharers of these swap slots were not captured/],
  },
  {
    name: 'SwapPss larger than rebuilt is a mismatch',
    facts: {
      shmem: false,
      residencyKnown: false,
      shared: false,
      realSwap: 4,
      smapsSwapKb: 16,
      smapsSwapPssKb: 16,
      swapPssFromPagemapKb: 8,
      zeroSwapped: 0,
      rangeSwap: 0,
      objectSwap: null,
      readings: null,
    },
    verdict: 'mismatch',
    says: [/SwapPss is 16 kB but the swap entries rebuild 8 kB/],
  },
  {
    name: "SwapPss larger than rebuilt, within the captured processes' swap drift, is explained",
    facts: {
      shmem: false,
      residencyKnown: false,
      shared: false,
      realSwap: 4,
      smapsSwapKb: 16,
      smapsSwapPssKb: 11,
      swapPssFromPagemapKb: 8,
      captureSwapDriftKb: 4,
      zeroSwapped: 0,
      rangeSwap: 0,
      objectSwap: null,
      readings: null,
    },
    verdict: 'explained',
    says: [/swap moved by 4 kB/],
  },
  {
    name: "SwapPss larger than rebuilt beyond the captured processes' swap drift is a mismatch",
    facts: {
      shmem: false,
      residencyKnown: false,
      shared: false,
      realSwap: 4,
      smapsSwapKb: 16,
      smapsSwapPssKb: 16,
      swapPssFromPagemapKb: 8,
      captureSwapDriftKb: 4,
      zeroSwapped: 0,
      rangeSwap: 0,
      objectSwap: null,
      readings: null,
    },
    verdict: 'mismatch',
  },
  {
    name: "SwapPss larger than rebuilt, within the host's swap traffic and the undivided swap, is explained (slots reused between two reads)",
    facts: {
      shmem: false,
      residencyKnown: false,
      shared: false,
      realSwap: 4,
      smapsSwapKb: 16,
      smapsSwapPssKb: 16,
      swapPssFromPagemapKb: 8,
      hostSwapTrafficKb: 400,
      zeroSwapped: 0,
      rangeSwap: 0,
      objectSwap: null,
      readings: null,
    },
    verdict: 'explained',
    says: [/host swapped 400 kB in and out/, /at most 16 kB undivided/],
  },
  {
    name: "SwapPss larger than rebuilt beyond the host's swap traffic is a mismatch",
    facts: {
      shmem: false,
      residencyKnown: false,
      shared: false,
      realSwap: 4,
      smapsSwapKb: 16,
      smapsSwapPssKb: 16,
      swapPssFromPagemapKb: 8,
      hostSwapTrafficKb: 4,
      zeroSwapped: 0,
      rangeSwap: 0,
      objectSwap: null,
      readings: null,
    },
    verdict: 'mismatch',
  },
  {
    name: "SwapPss above the undivided swap is a mismatch whatever the host's swap traffic",
    facts: {
      shmem: false,
      residencyKnown: false,
      shared: false,
      realSwap: 4,
      smapsSwapKb: 16,
      smapsSwapPssKb: 20,
      swapPssFromPagemapKb: 8,
      hostSwapTrafficKb: 4000,
      zeroSwapped: 0,
      rangeSwap: 0,
      objectSwap: null,
      readings: null,
    },
    verdict: 'mismatch',
  },
  {
    name: 'own swap drift explains a swap difference of a private mapping',
    facts: {
      shmem: false,
      residencyKnown: false,
      shared: false,
      realSwap: 4,
      smapsSwapKb: 20,
      smapsSwapPssKb: 20,
      swapPssFromPagemapKb: 16,
      processSwapDriftKb: -4,
      zeroSwapped: 0,
      rangeSwap: 0,
      objectSwap: null,
      readings: null,
    },
    verdict: 'explained',
    says: [/swap drift -4 kB/],
  },
  {
    name: 'SwapPss larger than rebuilt, within drift, is explained',
    facts: {
      shmem: false,
      residencyKnown: false,
      shared: false,
      realSwap: 4,
      smapsSwapKb: 16,
      smapsSwapPssKb: 16,
      swapPssFromPagemapKb: 8,
      processDriftKb: 12,
      zeroSwapped: 0,
      rangeSwap: 0,
      objectSwap: null,
      readings: null,
    },
    verdict: 'explained',
  },
  // Notes
  {
    name: 'markers are named, not counted as swap',
    facts: { markers: 3 },
    verdict: 'explained',
    says: [/3 pages carry uffd-wp or guard markers/],
  },
  {
    name: 'swap-cache pages of the range are named',
    facts: { rangeSwapcache: 2 },
    verdict: 'explained',
    says: [/2 pages of the file range are swapped but still in the swap cache/],
  },
  // Precedence
  { name: 'a mismatch wins over unavailable', facts: { residencyKnown: false, present: 30 }, verdict: 'mismatch' },
  // hugetlb (figures of a real 16 MiB MAP_HUGETLB|MAP_SHARED VMA with 3 of 8 huge pages touched,
  // Linux 6.18: Rss 0 kB, Private_Hugetlb 6144 kB, pagemap 1536 base pages present)
  ...hugetlbCases(),
];

/** hugetlb VMAs: smaps counts their pages in Shared_Hugetlb/Private_Hugetlb, never swapped. */
function hugetlbCases(): Case[] {
  const huge: Partial<VmaFacts> = {
    hugetlb: true,
    hugetlbKb: 6144,
    hugePageKb: 2048,
    shmem: false,
    residencyKnown: false,
    pagesTotal: 4096,
    present: 1536,
    smapsRssKb: 0,
    smapsSwapKb: 0,
    zeroSwapped: 0,
    rangeSwap: 0,
    objectSwap: null,
    objectSwapAtProbeEnd: null,
    objectSwapBeyondEof: null,
    wholeObject: false,
    readings: null,
  };
  return [
    {
      name: "a hugetlb VMA whose Shared_Hugetlb + Private_Hugetlb equal pagemap's present base pages is consistent",
      facts: huge,
      verdict: 'consistent',
      says: [
        /Shared_Hugetlb\/Private_Hugetlb \(6144 kB, 3 huge pages of 2048 kB\), not in Rss/,
        /never swapped/,
        /2560 pages not mapped here/,
      ],
      expectedSwapKb: 0,
    },
    {
      name: 'a hugetlb VMA mapping none of its huge pages is consistent',
      facts: { ...huge, present: 0, hugetlbKb: 0 },
      verdict: 'consistent',
      says: [/agree with pagemap/, /4096 pages not mapped here: .* unknown, none of them swapped/],
    },
    {
      name: 'the same VMA read as plain memory (Rss alone) would be a mismatch',
      facts: { ...huge, hugetlb: false },
      verdict: 'mismatch',
      says: [/smaps Rss is 0 kB but pagemap shows 1536 pages present/],
    },
    {
      name: 'a hugetlb difference beyond drift is a mismatch naming the hugetlb fields',
      facts: { ...huge, present: 2048 },
      verdict: 'mismatch',
      says: [/Rss \+ Shared_Hugetlb \+ Private_Hugetlb is 6144 kB but pagemap shows 2048 pages present \(8192 kB\)/],
    },
    {
      name: "a hugetlb difference within the process's drift is explained",
      facts: { ...huge, present: 2048, processDriftKb: 2048 },
      verdict: 'explained',
      says: [/target changed/],
    },
    {
      name: 'smaps Swap on a hugetlb VMA is a mismatch: hugetlb is never swapped',
      facts: { ...huge, smapsSwapKb: 2048 },
      verdict: 'mismatch',
      says: [/smaps Swap is 2048 kB but the page tables and the object account for 0 kB/],
    },
    {
      name: 'hugetlb fields of a VMA not marked hugetlb are not counted',
      facts: { ...huge, hugetlb: false, present: 0 },
      verdict: 'consistent',
    },
  ];
}

describe('analyze/reconcile/verdict', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = decideVerdict({ ...base, ...c.facts });
      assert.equal(r.verdict, c.verdict, r.explanation);
      for (const p of c.says ?? []) assert.match(r.explanation, p);
      if (c.expectedSwapKb !== undefined) assert.equal(r.expectedSwapKb, c.expectedSwapKb);
    });
  }

  it('spans every reading of the swap smaps counts for a VMA', () => {
    // Readings over 9-14: the object moved by 5 pages, so smaps may stand within 5 of them.
    assert.deepEqual(
      swapReadings({
        ...base,
        objectSwap: 10,
        objectSwapAtProbeEnd: 14,
        readings: { ...base.readings!, wholeSwapBefore: 12, wholeSwapAfter: 9, wholeSwapEnd: 11 },
      }),
      { lowPages: 4, highPages: 19, whileRead: [12, 9], movedPages: 5 },
    );
    assert.deepEqual(swapReadings({ ...base, wholeObject: false, rangeSwap: 5, rangeChanging: 2, readings: null }), {
      lowPages: 3,
      highPages: 9,
      whileRead: null,
      movedPages: 2,
    });
  });
});
