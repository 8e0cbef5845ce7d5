/* bench/reaper CMD...: the floor for reaping as PID 1. Runs CMD and calls waitpid(-1) until CMD has
 * exited, reaping every orphan on the way; nothing else (no signal forwarding). */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    pid_t cmd = fork();
    if (cmd == 0) {
        execvp(argv[1], argv + 1);
        _exit(127);
    }
    int status = 0;
    for (;;) {
        pid_t p = waitpid(-1, &status, 0);
        if (p == cmd)
            break;
        if (p < 0)
            return 1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
