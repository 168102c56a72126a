# Test workload: private anonymous memory paged out, then shared by fork, so every swap entry is
# referenced by two processes (smaps SwapPss = Swap / 2 in both). Node cannot fork, Python can.
import ctypes, json, mmap, os, signal, sys, time

pages = int(sys.argv[1])
os.sched_setaffinity(0, {0})  # MADV_PAGEOUT drains only this CPU's LRU batches
m = mmap.mmap(-1, pages * 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
m.write(b"\x5a" * (pages * 4096))
addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
m.madvise(getattr(mmap, "MADV_PAGEOUT", 21))  # 21 on every Linux arch
child = os.fork()
if child == 0:
    while True:
        signal.pause()

def stop(*_):
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    os._exit(0)

signal.signal(signal.SIGTERM, stop)
print(json.dumps({"parent": os.getpid(), "child": child, "start": format(addr, "x"), "pages": pages}), flush=True)
while True:
    signal.pause()
