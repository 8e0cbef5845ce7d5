/* bench/idle: start N sleeping processes for the benchmarks, each a child of this one, each pausing
 * until it is killed. It prints its own PID; killing its process group ends everything it started. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    setpgid(0, 0);
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            for (;;)
                pause();
        }
        if (pid < 0) {
            perror("fork");
            break;
        }
    }
    printf("%d\n", (int)getpid());
    fflush(stdout);
    for (;;)
        pause();
}
