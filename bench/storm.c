/* bench/storm N: a storm of N short processes, one after another: fork, exec /bin/true, exit, waitpid.
 * Prints the seconds it took (CLOCK_MONOTONIC). The trace bench runs it with and without a process
 * events reader attached. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 20000;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        pid_t p = fork();
        if (p == 0) {
            execl("/bin/true", "true", (char *)NULL);
            _exit(127);
        }
        if (p < 0) {
            perror("fork");
            return 1;
        }
        while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.6f\n", (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
    return 0;
}
