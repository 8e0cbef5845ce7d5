/* bench/orphans N: make N orphans as fast as possible. Each is a grandchild whose parent exits first, so
 * it is re-parented to the nearest subreaper or PID 1, which must reap it when it exits at once.
 * Used by the PID 1 tests (no zombie may be left) and by `make bench` (reaping speed). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c < 0) {
            perror("fork");
            return 1;
        }
        if (c == 0) {
            if (fork() < 0)
                _exit(1);
            _exit(0); /* the grandchild exits too, as an orphan of whoever adopts it */
        }
        while (waitpid(c, NULL, 0) < 0)
            ;
    }
    return 0;
}
