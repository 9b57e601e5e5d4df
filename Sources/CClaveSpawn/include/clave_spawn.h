#ifndef CLAVE_SPAWN_H
#define CLAVE_SPAWN_H

#include <stdint.h>
#include <sys/types.h>

/// Resource limits for a spawned process (setrlimit in the child, before exec); 0 leaves one as inherited.
typedef struct {
    uint64_t address_space;  // RLIMIT_AS, bytes
    uint64_t cpu_seconds;    // RLIMIT_CPU
    uint64_t file_size;      // RLIMIT_FSIZE, bytes
    uint64_t processes;      // RLIMIT_NPROC
    uint64_t open_files;     // RLIMIT_NOFILE
} clave_limits;

/// Starts `argv[0]` (a path) with `argv` and `envp` in a new process group and session, its standard input from
/// /dev/null and its output and error into `stdout_fd` and `stderr_fd`, under `limits`, as user and group `uid` and
/// `gid` unless they are -1. Every other descriptor is closed in the child. Returns the child's pid, or -1 with errno
/// set (the exec's own failure is reported the same way, through a pipe, so a missing program fails here, not later).
pid_t clave_spawn(const char *const argv[], const char *const envp[], int stdout_fd, int stderr_fd,
                  const clave_limits *limits, int64_t uid, int64_t gid);

#endif
