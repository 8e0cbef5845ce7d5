/* bench/orphans N [REPORT]: make N orphans as fast as possible. Each is a grandchild whose parent exits
 * first, so it is re-parented to the nearest subreaper or PID 1, which must reap it when it exits at once.
 * Used by the PID 1 tests (no zombie may be left) and by `make bench` (reaping speed).
 * With REPORT, it then waits (at most 5 s) for the zombies to be reaped and appends one line to REPORT:
 * "zombies Z pid1_ticks T", the zombies still there and the CPU ticks PID 1 has used (/proc/1/stat), so a
 * benchmark run inside a PID namespace learns what reaping cost the PID 1 under test. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void make_orphans(int n)
{
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c < 0) {
            perror("fork");
            exit(1);
        }
        if (c == 0) {
            if (fork() < 0)
                _exit(1);
            _exit(0); /* the grandchild exits too, as an orphan of whoever adopts it */
        }
        while (waitpid(c, NULL, 0) < 0)
            ;
    }
}

/* the state letter of /proc/PID/stat: the field after the last ')' (comm may hold one) */
static char proc_state(const char *pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%s/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : 0;
}

static int count_zombies(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    int z = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && proc_state(e->d_name) == 'Z')
            z++;
    closedir(d);
    return z;
}

static long pid1_ticks(void)
{
    char buf[1024];
    int fd = open("/proc/1/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    unsigned long ut = 0, st = 0;
    /* after ')': state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (long)(ut + st);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    make_orphans(n);
    if (argc < 3)
        return 0;
    int z = count_zombies();
    for (int i = 0; i < 500 && z > 0; i++) { /* at most 5 s for PID 1 to catch up */
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        z = count_zombies();
    }
    FILE *f = fopen(argv[2], "ae"); /* appended: one line per run */
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    fprintf(f, "zombies %d pid1_ticks %ld\n", z, pid1_ticks());
    return fclose(f) == 0 ? 0 : 1;
}
