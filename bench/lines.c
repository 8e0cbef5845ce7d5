/* bench/lines BYTES: write BYTES (rounded down to whole lines) of 100-byte numbered lines to stdout, in
 * 64 KiB writes, then exit. The output-capture scenario of `make bench` counts them on the other side. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE 100

static int write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(1, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long long bytes = argc > 1 ? atoll(argv[1]) : 1 << 20;
    long long lines = bytes / LINE;
    static char buf[65536 / LINE * LINE];
    size_t fill = 0;
    for (long long i = 0; i < lines; i++) {
        char *l = buf + fill;
        int n = snprintf(l, LINE, "%012lld ", i);
        memset(l + n, 'x', LINE - 1 - (size_t)n);
        l[LINE - 1] = '\n';
        fill += LINE;
        if (fill == sizeof(buf)) {
            if (write_all(buf, fill) < 0)
                return 1;
            fill = 0;
        }
    }
    return fill && write_all(buf, fill) < 0 ? 1 : 0;
}
