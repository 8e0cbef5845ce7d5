/* logs: line framing and prefixes for captured service output. */
#include "logs.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void log_prefix_make(struct log_prefix *p, const char *name, size_t width, int color, char mark)
{
    if (color)
        snprintf(p->text, sizeof(p->text), "\033[%dm%-*s %c\033[0m ", color, (int)width, name, mark);
    else
        snprintf(p->text, sizeof(p->text), "%-*s %c ", (int)width, name, mark);
}

static void emit(struct log_framer *f, const struct log_prefix *p, const char *line, size_t n, struct buf *out)
{
    if (f->on_line)
        f->on_line(f->ctx, line, n);
    f->lines++;
    if (!out)
        return; /* nothing to print (standard output is /dev/null) */
    if (f->timestamps) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        localtime_r(&ts.tv_sec, &tm);
        buf_printf(out, "%04d-%02d-%02d %02d:%02d:%02d.%03ld ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                   tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    }
    buf_puts(out, p->text);
    if (f->red)
        buf_puts(out, "\033[31m");
    buf_add(out, line, n);
    if (f->red)
        buf_puts(out, "\033[0m");
    buf_putc(out, '\n');
}

void log_frame(struct log_framer *f, const struct log_prefix *p, const char *data, size_t n, struct buf *out)
{
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t take = nl ? (size_t)(nl - data) : n;
        if (f->partial.len + take > LOG_LINE_MAX) {
            /* an over-long line: cut it, keeping every byte, each piece but the last saying so */
            size_t room = LOG_LINE_MAX - f->partial.len;
            buf_add(&f->partial, data, room);
            buf_puts(&f->partial, LOG_CUT_MARK);
            emit(f, p, f->partial.p, f->partial.len, out);
            f->partial.len = 0;
            data += room;
            n -= room;
            continue;
        }
        if (!nl) {
            buf_add(&f->partial, data, take);
            return;
        }
        if (f->partial.len) {
            buf_add(&f->partial, data, take);
            emit(f, p, f->partial.p, f->partial.len, out);
            f->partial.len = 0;
        } else {
            emit(f, p, data, take, out);
        }
        data += take + 1;
        n -= take + 1;
    }
}

void log_flush(struct log_framer *f, const struct log_prefix *p, struct buf *out)
{
    if (f->partial.len) {
        emit(f, p, f->partial.p, f->partial.len, out);
        f->partial.len = 0;
    }
}

void log_framer_free(struct log_framer *f)
{
    buf_free(&f->partial);
}

int log_color_for(size_t i)
{
    static const int colors[] = {36, 33, 32, 35, 34, 31};
    return colors[i % ARRAY_SIZE(colors)];
}
