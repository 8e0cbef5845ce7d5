/* logs: capture of service output. Frames the bytes a service writes into whole lines and renders
 * each as "name | line" (name padded, coloured on a terminal), so partial lines of two services never
 * mix. Lines longer than LOG_LINE_MAX are cut into pieces of that size, each but the last ending in
 * LOG_CUT_MARK; nothing is dropped. */
#ifndef OYA_LOGS_H
#define OYA_LOGS_H

#include "../base/base.h"

#define LOG_LINE_MAX 4096
#define LOG_CUT_MARK " [line cut: it goes on in the next one]" /* the end of each piece of a longer line */

struct log_prefix {
    char text[256]; /* "web   | " with colour codes when enabled */
};

/* width: the name column's width; color: an ANSI SGR colour number, or 0 for none; mark: '|' for
 * stdout, '!' for stderr (whose text is also red with colour) */
void log_prefix_make(struct log_prefix *p, const char *name, size_t width, int color, char mark);

struct log_framer {
    struct buf partial;
    uint64_t lines; /* lines emitted so far */
    bool timestamps;  /* each line behind its local time, to the millisecond (oya up --timestamps) */
    bool red;         /* the text in red (stderr on a terminal); the prefix resets it */
    /* called with each whole line (without its newline) as it is emitted; NULL for none */
    void (*on_line)(void *ctx, const char *line, size_t n);
    void *ctx;
};

/* Append every whole line in data to out, each behind the prefix (out NULL: only on_line sees them). */
void log_frame(struct log_framer *f, const struct log_prefix *p, const char *data, size_t n, struct buf *out);
/* At end of stream: emit what is left as a last line. */
void log_flush(struct log_framer *f, const struct log_prefix *p, struct buf *out);
void log_framer_free(struct log_framer *f);

/* A colour for the i-th service, cycling through six readable ones. */
int log_color_for(size_t i);

#endif
