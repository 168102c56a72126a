// A hugetlb object's figures from fstat of a real hugetlbfs file (Linux 6.18): 2 MiB pages,
// st_blksize 2097152, st_blocks 12288 with 3 huge pages touched.
import assert from 'node:assert/strict';
import { hugetlbObject, HUGETLB_NOT_APPLICABLE } from '../../capture/hugetlb-object.js';

describe('capture/hugetlb-object', () => {
  it('reads the huge page size from st_blksize and the allocation from st_blocks', () => {
    const h = hugetlbObject({ blksize: 2097152, blocks: 12288 });
    assert.equal(h.hugePageSizeKb, 2048);
    assert.equal(h.allocatedHugePages, 3);
  });

  it('handles 1 GiB pages and an empty file', () => {
    assert.deepEqual(
      [
        hugetlbObject({ blksize: 1 << 30, blocks: 2 * 2097152 }).allocatedHugePages,
        hugetlbObject({ blksize: 2097152, blocks: 0 }).allocatedHugePages,
      ],
      [2, 0],
    );
  });

  it('names every interface that does not apply', () => {
    for (const i of ['cachestat', 'SEEK_DATA/SEEK_HOLE', 'mincore', 'swap']) assert.match(HUGETLB_NOT_APPLICABLE, new RegExp(`${i}: `));
  });
});
