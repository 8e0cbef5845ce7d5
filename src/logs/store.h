/* logs/store: what services said, kept. One record per line, the same text in memory and on disk:
 *
 *     2026-11-30T12:35:18.123456Z err 3 1234 the line as the service wrote it
 *
 * the time (UTC, microseconds), the stream (out, err, syslog for what it sent to /dev/log, or oya for
 * oya's own lines about the service), the
 * syslog priority (0 emerg .. 7 debug), the PID (the main process for out and err, oya's for its own),
 * then the text (a NUL in it written as \x00, so that a record stays one line of text). Per service: a bounded ring in memory (so status and logs work with no writable disk)
 * and, when a log directory is given, the file DIR/NAME.log, rotated by size into NAME.log.1 .. .N. */
#ifndef OYA_LOG_STORE_H
#define OYA_LOG_STORE_H

#include "../base/base.h"

enum log_stream_kind { LOG_OUT, LOG_ERR, LOG_OYA, LOG_SYSLOG };

struct log_rec {
    uint64_t usec; /* CLOCK_REALTIME */
    enum log_stream_kind stream;
    int prio;
    int pid;
    const char *text; /* not NUL-terminated: text_len bytes */
    size_t text_len;
};

/* A record as its line (with the newline) appended to b. Newlines in text become spaces. */
void log_rec_format(struct buf *b, const struct log_rec *r);
/* A line (without its newline) back into a record; text points into line. false if it is not one. */
bool log_rec_parse(const char *line, size_t n, struct log_rec *r);
/* A leading "<N>" (N 0..7), as systemd's SyslogLevelPrefix= reads it: the priority, and the text after
 * it; -1 and the text unchanged when there is none. */
int log_prio_prefix(const char **text, size_t *n);
/* "emerg" .. "debug" (or 0..7) to a priority; -1 if neither */
int log_prio_from_name(const char *s);
const char *log_stream_name(enum log_stream_kind s);

/* The ring: whole lines, oldest dropped first once max bytes are held (dropped counts them). */
struct log_ring {
    char *p;
    size_t cap, start, len;
    uint64_t dropped;
};
void log_ring_add(struct log_ring *r, const char *line, size_t n, size_t max);
void log_ring_copy(const struct log_ring *r, struct buf *out); /* oldest first */
void log_ring_free(struct log_ring *r);

/* The file of one service. fd -1: none (no directory, or it could not be written: memory only). */
struct log_file {
    int fd;
    uint64_t size;
    char *path;
};
struct log_file_opts {
    uint64_t max_size; /* rotate past this many bytes */
    unsigned keep;     /* rotated files kept besides the current one */
};
/* Open (append) DIR/NAME.log, making DIR; 0 or -errno */
int log_file_open(struct log_file *f, const char *dir, const char *name);
/* Append; rotates first when the file would pass max_size. 0 or -errno (the caller goes memory-only). */
int log_file_write(struct log_file *f, const char *data, size_t n, const struct log_file_opts *o);
void log_file_close(struct log_file *f);

/* One syslog message as a daemon sends it to /dev/log: "<PRI>" then RFC 3164 ("Mmm dd hh:mm:ss TAG[PID]:
 * MSG", the timestamp and PID optional) or RFC 5424 ("1 TIMESTAMP HOST APP PROCID MSGID SD MSG"). The
 * priority, the tag (APP) into tag, the PID when given (else 0), and the message. false if not one. */
bool log_syslog_parse(const char *msg, size_t n, int *prio, char *tag, size_t tag_size, int *pid,
                      const char **text, size_t *text_len);

/* Time for people: parse what journalctl's --since/--until take ("2026-11-30 12:00:00", "2026-11-30",
 * "12:00", "-10min", "+1h", "today", "yesterday", "now") against now (usec, CLOCK_REALTIME, local
 * time); 0 or -EINVAL */
int log_time_parse(const char *s, uint64_t now, uint64_t *out);

#endif
