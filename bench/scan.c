/* bench/scan: the floor for `oya ps aux`. A minimal /proc scanner that reads /proc/PID/stat and
 * /proc/PID/cmdline once each for every process and prints one line per process. No process can be
 * listed with less work, so `oya ps` is measured against it. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ssize_t read_at(int dirfd, const char *path, char *buf, size_t size)
{
    int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n >= 0)
        buf[n] = 0;
    return n;
}

int main(void)
{
    int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fdopendir(dup(procfd));
    static char out[1 << 16];
    size_t used = 0;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        char path[300], stat[1024], cmd[4096]; /* a name is at most 255 bytes */
        snprintf(path, sizeof(path), "%s/stat", de->d_name);
        if (read_at(procfd, path, stat, sizeof(stat)) <= 0)
            continue;
        snprintf(path, sizeof(path), "%s/cmdline", de->d_name);
        ssize_t n = read_at(procfd, path, cmd, sizeof(cmd));
        for (ssize_t i = 0; i < n; i++)
            if (!cmd[i])
                cmd[i] = ' ';
        char *rp = strrchr(stat, ')');
        int len = snprintf(out + used, sizeof(out) - used, "%s %.20s %s\n", de->d_name, rp ? rp + 2 : "?",
                           n > 0 ? cmd : "");
        if (len > 0)
            used += (size_t)len;
        if (used > sizeof(out) - 8192) {
            fwrite(out, 1, used, stdout);
            used = 0;
        }
    }
    fwrite(out, 1, used, stdout);
    return 0;
}
