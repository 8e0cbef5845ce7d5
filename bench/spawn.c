/* bench/spawn N DIR SVC: the mass-start floor. fork+exec N copies of `SVC DIR/sI` (I = 0..N-1) as fast as a
 * C program can, then wait for them. The bench ends them by PID. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    int n = atoi(argv[1]);
    for (int i = 0; i < n; i++) {
        char file[4096];
        snprintf(file, sizeof(file), "%s/s%d", argv[2], i);
        pid_t p = fork();
        if (p == 0) {
            execl(argv[3], argv[3], file, (char *)NULL);
            _exit(127);
        }
        if (p < 0) {
            perror("fork");
            return 1;
        }
    }
    while (wait(NULL) > 0 || errno == EINTR)
        ;
    return 0;
}
