# The bench's many-VMA workload: N two-page private anonymous mappings, every other one written
# and writable, so that none merge (N VMAs, ~700 bytes of smaps each). Prints its pid when ready;
# exits on SIGTERM.
# Usage: python3 vmas.py N
import mmap
import os
import signal
import sys
import time

n = int(sys.argv[1])
PAGE = mmap.PAGESIZE
maps = []
for i in range(n):
    writable = i % 2 == 1
    m = mmap.mmap(-1, 2 * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS,
                  prot=mmap.PROT_READ | (mmap.PROT_WRITE if writable else 0))
    if writable:
        m[0] = 1
    maps.append(m)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print(os.getpid(), flush=True)
while True:
    time.sleep(3600)
