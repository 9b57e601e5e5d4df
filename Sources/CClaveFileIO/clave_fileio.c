#define _GNU_SOURCE
#include "clave_fileio.h"

#include <fcntl.h>

int clave_start_writeback(int fd, int64_t offset, int64_t count) {
#if defined(__linux__)
    return sync_file_range(fd, (off_t)offset, (off_t)count, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
    (void)offset;
    (void)count;
    return 0;
#endif
}

int clave_set_direct(int fd, int direct) {
#if defined(__linux__)
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    int wanted = direct ? (flags | O_DIRECT) : (flags & ~O_DIRECT);
    if (wanted == flags) return 0;
    return fcntl(fd, F_SETFL, wanted);
#else
    (void)fd;
    return direct ? -1 : 0;
#endif
}
