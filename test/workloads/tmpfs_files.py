# Test workload: files on a tmpfs in every state the residency probe tells apart.
#   states DIR PAGES [HELD_DIR]: in DIR (a tmpfs the test mounted), resident (written and kept mapped),
#     swapped (written through a mapping, paged out with MADV_PAGEOUT, unmapped), sparse (PAGES
#     long, its first PAGES/8 written, a hole after), fallocated (PAGES fallocated, never
#     written), deleted (PAGES/4 written, unlinked, its fd kept open); each PAGES long but sparse.
#     With HELD_DIR too: HELD_DIR/held (PAGES/2 written, its fd kept open), for the test to unmount.
#   hold PATH PAGES [PATH PAGES...]: writes each file; the first one's fd is kept open.
# Prints {"pid": its pid as the host's /proc numbers it, ...} once ready; exits on SIGTERM.
import ctypes, json, mmap, os, signal, sys

PAGE = mmap.PAGESIZE
MADV_PAGEOUT = 21
libc = ctypes.CDLL(None, use_errno=True)
libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
keep = []


def write(path, pages, written=None):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    os.ftruncate(fd, pages * PAGE)
    for p in range(pages if written is None else written):
        os.pwrite(fd, bytes([1 + p % 250]) * PAGE, p * PAGE)
    return fd


def states(d, pages, held_dir=None):
    fd = write(os.path.join(d, "resident"), pages)
    m = mmap.mmap(fd, pages * PAGE, mmap.MAP_SHARED)
    m[0]  # mapped and touched: found through the mapping first
    keep.append(m)
    os.close(fd)
    fd = os.open(os.path.join(d, "swapped"), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    os.ftruncate(fd, pages * PAGE)
    m = mmap.mmap(fd, pages * PAGE, mmap.MAP_SHARED)
    for p in range(pages):
        m[p * PAGE] = 1
    addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
    if libc.madvise(addr, pages * PAGE, MADV_PAGEOUT) != 0:
        sys.exit("MADV_PAGEOUT failed: %d" % ctypes.get_errno())
    del addr
    m.close()
    os.close(fd)
    os.close(write(os.path.join(d, "sparse"), pages, pages // 8))
    fd = os.open(os.path.join(d, "fallocated"), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    os.posix_fallocate(fd, 0, pages * PAGE)
    os.close(fd)
    path = os.path.join(d, "deleted")
    fd = write(path, pages // 4)
    st = os.fstat(fd)
    os.unlink(path)
    keep.append(fd)
    if held_dir:
        keep.append(write(os.path.join(held_dir, "held"), pages // 2))
    return {"deleted_inode": st.st_ino}


def hold(specs):
    for i in range(0, len(specs), 2):
        fd = write(specs[i], int(specs[i + 1]))
        if i == 0:
            keep.append(fd)
        else:
            os.close(fd)
    return {}


info = states(sys.argv[2], int(sys.argv[3]), *sys.argv[4:5]) if sys.argv[1] == "states" else hold(sys.argv[2:])
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
# In a new pid namespace getpid() is 1 there; /proc is still the host's, so its link says the truth.
info["pid"] = int(os.readlink("/proc/self"))
print(json.dumps(info), flush=True)
while True:
    signal.pause()
