#define _GNU_SOURCE
#include "clave_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// Only async-signal-safe calls between fork and exec: the parent has other threads, whose locks the child inherits.
static void limit(int resource, uint64_t value) {
    if (value == 0) return;
    struct rlimit r = {.rlim_cur = (rlim_t)value, .rlim_max = (rlim_t)value};
    setrlimit(resource, &r);
}

static void fail(int pipe_fd) {
    int code = errno;
    ssize_t ignored = write(pipe_fd, &code, sizeof code);
    (void)ignored;
    _exit(127);
}

pid_t clave_spawn(const char *const argv[], const char *const envp[], int stdout_fd, int stderr_fd,
                  const clave_limits *limits, int64_t uid, int64_t gid) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return -1;
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0) {
        close(report[0]);
        close(report[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        int code = errno;
        close(report[0]);
        close(report[1]);
        close(null_fd);
        errno = code;
        return -1;
    }
    if (pid == 0) {
        // Default signal handling and an empty mask, whatever the parent set.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
        if (setsid() < 0) fail(report[1]);
        if (dup2(null_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) fail(report[1]);
        if (gid >= 0) {
            if (setgroups(0, NULL) != 0 || setgid((gid_t)gid) != 0) fail(report[1]);
        }
        if (uid >= 0 && setuid((uid_t)uid) != 0) fail(report[1]);
        limit(RLIMIT_AS, limits->address_space);
        limit(RLIMIT_CPU, limits->cpu_seconds);
        limit(RLIMIT_FSIZE, limits->file_size);
        limit(RLIMIT_NPROC, limits->processes);
        limit(RLIMIT_NOFILE, limits->open_files);
        // Everything but 0-2 and the report pipe (close-on-exec) goes: close_range where the kernel has it (5.9+).
        int keep = report[1];
        if ((keep > 3 && syscall(SYS_close_range, 3u, (unsigned)(keep - 1), 0u) != 0) ||
            syscall(SYS_close_range, (unsigned)(keep + 1), ~0u, 0u) != 0) {
            for (int fd = 3; fd < 65536; fd++) {
                if (fd != keep) close(fd);
            }
        }
        execve(argv[0], (char *const *)argv, (char *const *)envp);
        fail(report[1]);
    }
    close(report[1]);
    close(null_fd);
    int code = 0;
    ssize_t got;
    do {
        got = read(report[0], &code, sizeof code);
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof code) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        errno = code;
        return -1;
    }
    return pid;
}
