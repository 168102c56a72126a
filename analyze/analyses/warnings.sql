-- The capture's warnings: what could not be read, and what to do about it
--
-- One row per expected partial failure recorded while capturing, in the order
-- it happened: a process that exited or was replaced mid-read, a permission
-- denial, PFNs hidden for lack of CAP_SYS_ADMIN, a shared-memory object whose
-- residency could not be probed. Each message ends with a remedy where there
-- is one. An empty result means nothing was lost.
--
-- :pid    only warnings about this process; NULL for all (host-wide ones
--         included)
-- :limit  at most this many rows; -1 for all
--
-- Columns:
-- id       warning number, in the order the warnings happened
-- pid      process concerned; NULL for host-wide warnings
-- kind     machine-readable kind, e.g. vanished, permission, pfn-hidden,
--          residency
-- target   what was being read, e.g. /proc/1234/pagemap or object /dev/shm/x
-- message  one sentence for people, ending with a remedy where there is one
SELECT id, pid, kind, target, message
FROM capture_warnings
WHERE :pid IS NULL OR pid = :pid
ORDER BY id
LIMIT :limit
