# The bench's workload: a memfd touched in runs of RUN pages every PERIOD pages, and private
# anonymous memory touched whole, in a small runtime, so that the captured process is almost only
# these (a node workload brought ~50 MB of its own heap, whose run count varied from process to
# process and blurred the marginal cost). Prints its pid when ready; exits on SIGTERM.
# Usage: python3 workload.py MEMFD_PAGES ANON_PAGES RUN PERIOD
import mmap
import os
import signal
import sys
import time

memfd_pages, anon_pages, run, period = (int(x) for x in sys.argv[1:5])
PAGE = mmap.PAGESIZE
fd = os.memfd_create('pagescope-bench-memfd')
os.ftruncate(fd, memfd_pages * PAGE)
shared = mmap.mmap(fd, memfd_pages * PAGE, flags=mmap.MAP_SHARED)
for first in range(0, memfd_pages, period):
    for page in range(first, min(first + run, memfd_pages)):
        shared[page * PAGE] = 1
anon = mmap.mmap(-1, anon_pages * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
anon.madvise(mmap.MADV_NOHUGEPAGE)  # one 4 KiB page per fault, whatever the THP setting
for page in range(anon_pages):
    anon[page * PAGE] = 1
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print(os.getpid(), flush=True)
while True:
    time.sleep(3600)
