/* bench/respawn SVC FILE: the restart floor. A minimal supervisor: fork+exec `SVC FILE`, wait for it with
 * waitpid, start it again at once, forever; the bench times a SIGKILL of the child to the new child's
 * start and ends this process by PID. */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    for (;;) {
        pid_t p = fork();
        if (p == 0) {
            execl(argv[1], argv[1], argv[2], (char *)NULL);
            _exit(127);
        }
        if (p < 0) {
            perror("fork");
            return 1;
        }
        while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
            ;
    }
}
