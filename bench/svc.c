/* bench/svc FILE: the service every supervisor runs in `make bench`. It appends "PID START_NS\n" to FILE
 * (START_NS: CLOCK_MONOTONIC when main() began, so the bench can time starts and restarts) in one
 * O_APPEND write, then pauses until a signal ends it. It costs nothing while it waits. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (argc < 2)
        return 2;
    char line[64];
    int n = snprintf(line, sizeof(line), "%d %lld\n", (int)getpid(), (long long)t.tv_sec * 1000000000LL + t.tv_nsec);
    int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, line, (size_t)n) != n)
        return 1;
    close(fd);
    for (;;)
        pause();
}
