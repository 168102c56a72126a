# Test workload: the four kinds of hugetlb shared memory, each with a known number of huge pages
# touched: a SysV SHM_HUGETLB segment, a MAP_HUGETLB|MAP_SHARED anonymous region, a file on a
# hugetlbfs mount mapped by this process and by a forked child, and an MFD_HUGETLB memfd.
# argv: hugetlbfs mount point, huge pages per object, huge pages touched per object.
# Prints one JSON line: pids, shmid, file path, region addresses; then waits for SIGTERM.
import ctypes, json, mmap, os, signal, sys, time

mount, size_hp, touched = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
HP = 2 << 20
SIZE = size_hp * HP
MAP_HUGETLB = 0x40000
SHM_HUGETLB = 0o4000
MFD_HUGETLB = 0x0004
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.memfd_create.argtypes = [ctypes.c_char_p, ctypes.c_uint]

def touch(buf):
    # One byte per huge page faults in the whole huge page.
    for i in range(touched):
        buf[i * HP] = 1

shmid = libc.shmget(0, SIZE, 0o1600 | SHM_HUGETLB)  # IPC_PRIVATE | IPC_CREAT | 0600
if shmid < 0:
    sys.exit("shmget(SHM_HUGETLB) failed: errno %d" % ctypes.get_errno())
sysv_addr = libc.shmat(shmid, None, 0)
libc.shmctl(shmid, 0, None)  # IPC_RMID: removed when the last process detaches
if sysv_addr in (None, ctypes.c_void_p(-1).value):
    sys.exit("shmat failed")
sysv = (ctypes.c_char * SIZE).from_address(sysv_addr)
for i in range(touched):
    sysv[i * HP] = b"\x01"

anon = mmap.mmap(-1, SIZE, mmap.MAP_SHARED | MAP_HUGETLB)
touch(anon)

path = os.path.join(mount, "file")
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
os.ftruncate(fd, SIZE)
hfile = mmap.mmap(fd, SIZE, mmap.MAP_SHARED)
touch(hfile)

mfd = libc.memfd_create(b"pagescope-huge", MFD_HUGETLB)
if mfd < 0:
    sys.exit("memfd_create(MFD_HUGETLB) failed: errno %d" % ctypes.get_errno())
os.ftruncate(mfd, SIZE)
memfd = mmap.mmap(mfd, SIZE, mmap.MAP_SHARED)
touch(memfd)

addr = lambda m: ctypes.addressof(ctypes.c_char.from_buffer(m))
regions = {"sysv": sysv_addr, "anon": addr(anon), "file": addr(hfile), "memfd": addr(memfd)}

r, w = os.pipe()
child = os.fork()
if child == 0:
    # The second mapper of the hugetlbfs file: its own mapping of the same pages.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    again = mmap.mmap(fd, SIZE, mmap.MAP_SHARED)
    for i in range(touched):
        _ = again[i * HP]
    os.write(w, json.dumps({"file": addr(again)}).encode() + b"\n")
    while True:
        time.sleep(60)
child_regions = json.loads(os.read(r, 4096).decode())

def stop(*_):
    try:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    except OSError:
        pass
    try:
        os.unlink(path)
    except OSError:
        pass
    os._exit(0)

signal.signal(signal.SIGTERM, stop)
print(json.dumps({"pids": [os.getpid(), child], "shmid": shmid, "file": path,
                  "regions": {k: "%x" % v for k, v in regions.items()},
                  "child_regions": {k: "%x" % v for k, v in child_regions.items()}}), flush=True)
while True:
    time.sleep(60)
