/* logs: line framing and prefixes for captured service output. */
#include "logs.h"

#include <stdio.h>
#include <string.h>

void log_prefix_make(struct log_prefix *p, const char *name, size_t width, int color)
{
    if (color)
        snprintf(p->text, sizeof(p->text), "\033[%dm%-*s |\033[0m ", color, (int)width, name);
    else
        snprintf(p->text, sizeof(p->text), "%-*s | ", (int)width, name);
}

static void emit(struct log_framer *f, const struct log_prefix *p, const char *line, size_t n, struct buf *out)
{
    if (f->on_line)
        f->on_line(f->ctx, line, n);
    buf_puts(out, p->text);
    buf_add(out, line, n);
    buf_putc(out, '\n');
    f->lines++;
}

void log_frame(struct log_framer *f, const struct log_prefix *p, const char *data, size_t n, struct buf *out)
{
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t take = nl ? (size_t)(nl - data) : n;
        if (f->partial.len + take > LOG_LINE_MAX) {
            /* an over-long line: cut it, keeping every byte */
            size_t room = LOG_LINE_MAX - f->partial.len;
            buf_add(&f->partial, data, room);
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
