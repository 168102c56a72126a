# Test workload: private anonymous memory partly paged out, then shared with a forked child (the
# swapped pages are then one swap slot each, referenced by both processes' page tables), and a
# /dev/shm file partly paged out. argv: shm path, pages, pages to page out.
# Prints {"pids": [parent, child], "anon": "hex start"} once ready; exits on SIGTERM.
import ctypes, json, mmap, os, signal, sys, time

path, pages, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
PAGE = mmap.PAGESIZE
MADV_PAGEOUT = 21
libc = ctypes.CDLL(None, use_errno=True)
libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]

anon = mmap.mmap(-1, pages * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
anon.madvise(mmap.MADV_NOHUGEPAGE)
for p in range(pages):
    anon[p * PAGE] = 1 + p % 250
anon_addr = ctypes.addressof(ctypes.c_char.from_buffer(anon))
if libc.madvise(anon_addr, out * PAGE, MADV_PAGEOUT) != 0:
    sys.exit("MADV_PAGEOUT failed: %d" % ctypes.get_errno())

fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
os.ftruncate(fd, pages * PAGE)
shm = mmap.mmap(fd, pages * PAGE, mmap.MAP_SHARED)
for p in range(pages):
    shm[p * PAGE] = 1
shm_addr = ctypes.addressof(ctypes.c_char.from_buffer(shm))
if libc.madvise(shm_addr, out * PAGE, MADV_PAGEOUT) != 0:
    sys.exit("MADV_PAGEOUT failed: %d" % ctypes.get_errno())

child = os.fork()
if child == 0:
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    while True:
        signal.pause()

def stop(*_):
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    os.unlink(path)
    os._exit(0)

signal.signal(signal.SIGTERM, stop)
print(json.dumps({"pids": [os.getpid(), child], "anon": "%x" % anon_addr}), flush=True)
while True:
    signal.pause()
