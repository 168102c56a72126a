// Which /proc/sysvipc/shm rss figures cannot be true, on real rows (Linux 6.18): a 16 MiB
// SHM_HUGETLB segment with 3 huge pages touched printed rss 3221225472 (3 GiB).
import assert from 'node:assert/strict';
import { rssImplausible } from '../../capture/sysv-rss.js';

const MiB = 1 << 20;
const cases: Array<{ name: string; rss: number; size: number; page: number; want: boolean }> = [
  { name: 'a hugetlb segment counted 512 times over', rss: 3221225472, size: 16 * MiB, page: 2 * MiB, want: true },
  { name: "the issue's 10 GiB for a 32 MiB segment", rss: 10 * 1024 * MiB, size: 32 * MiB, page: 2 * MiB, want: true },
  { name: 'a fully resident shmem segment', rss: 64 * 1024, size: 64 * 1024, page: 4096, want: false },
  { name: 'a shmem segment of unaligned size, its last page resident', rss: 8192, size: 4097, page: 4096, want: false },
  { name: 'a shmem segment one page beyond its size', rss: 12288, size: 4097, page: 4096, want: true },
  {
    name: 'an unaligned hugetlb segment whose one huge page is counted right (older kernels)',
    rss: 2 * MiB,
    size: MiB,
    page: 2 * MiB,
    want: false,
  },
  { name: 'an empty segment', rss: 0, size: 16 * MiB, page: 2 * MiB, want: false },
];

describe('capture/sysv-rss', () => {
  for (const c of cases) {
    it(`${c.want ? 'flags' : 'accepts'} ${c.name}`, () => assert.equal(rssImplausible(c.rss, c.size, c.page), c.want));
  }
});
