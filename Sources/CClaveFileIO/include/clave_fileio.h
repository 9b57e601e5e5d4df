#ifndef CLAVE_FILEIO_H
#define CLAVE_FILEIO_H

#include <stdint.h>

/// Asks the system to start writing `count` bytes of `fd` at `offset` to the disk, without waiting for them
/// (Linux: sync_file_range with SYNC_FILE_RANGE_WRITE; Swift's Glibc module hides it, as it needs _GNU_SOURCE).
/// Returns 0, or -1 with errno set; elsewhere it does nothing and returns 0.
int clave_start_writeback(int fd, int64_t offset, int64_t count);

/// Turns direct I/O (Linux: O_DIRECT, writes from aligned buffers straight to the disk, past the page cache) on or
/// off for `fd`. Returns 0, or -1 with errno set: EINVAL where the file system does not do direct I/O; elsewhere
/// than Linux, turning it on always fails.
int clave_set_direct(int fd, int direct);

#endif
