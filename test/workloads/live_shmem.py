# Test workload: one /dev/shm file and one SysV segment, every page written (no holes), then
# WORKERS processes reading and writing random pages of both while a memory limit (the cgroup the
# test put this process in) makes the kernel reclaim them, and one worker also pages random
# ranges out with MADV_PAGEOUT: shared memory that moves while it is captured.
# argv: shm name, pages per object, workers. Prints {"pids": [...], "shm": path, "shmid": N}.
import ctypes, json, mmap, os, random, signal, sys, time

name, pages, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
PAGE = 4096
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]

path = "/dev/shm/" + name
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
os.ftruncate(fd, pages * PAGE)
shm = mmap.mmap(fd, pages * PAGE, mmap.MAP_SHARED)
shmid = libc.shmget(0, pages * PAGE, 0o1600)  # IPC_PRIVATE | IPC_CREAT | 0600
if shmid < 0:
    sys.exit("shmget failed")
sysv_addr = libc.shmat(shmid, None, 0)
libc.shmctl(shmid, 0, None)  # IPC_RMID: removed when the last process detaches
sysv = (ctypes.c_char * (pages * PAGE)).from_address(sysv_addr)
for p in range(pages):
    shm[p * PAGE] = 1
    sysv[p * PAGE] = b"\x01"
shm_addr = ctypes.addressof(ctypes.c_char.from_buffer(shm))

def work(pageout):
    rnd = random.Random(os.getpid())
    while True:
        for _ in range(256):
            p = rnd.randrange(pages)
            if rnd.random() < 0.5:
                shm[p * PAGE] = (shm[p * PAGE] + 1) & 0xFF
                sysv[p * PAGE] = b"\x02"
            else:
                _ = shm[p * PAGE] + sysv[p * PAGE][0]
        if pageout:
            first = rnd.randrange(pages - 64)
            libc.madvise(shm_addr + first * PAGE, 64 * PAGE, 21)
            libc.madvise(sysv_addr + first * PAGE, 64 * PAGE, 21)
        time.sleep(0.001)

children = []
for i in range(workers):
    child = os.fork()
    if child == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        work(i == 0)
    children.append(child)

def stop(*_):
    for c in children:
        try:
            os.kill(c, signal.SIGKILL)
            os.waitpid(c, 0)
        except OSError:
            pass
    os.unlink(path)
    os._exit(0)

signal.signal(signal.SIGTERM, stop)
print(json.dumps({"pids": [os.getpid()] + children, "shm": path, "shmid": shmid}), flush=True)
while True:
    signal.pause()
