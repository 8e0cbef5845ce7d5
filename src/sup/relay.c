/* sup/relay: the services' output in the foreground. Each output pipe is read in bounded amounts,
 * framed into whole lines with the service's prefix, and written to oya's standard output, which
 * never blocks the loop: standard output is written without blocking (a pipe or terminal through a
 * non-blocking open file of oya's own, a socket with MSG_DONTWAIT), what it cannot take yet waits in
 * a queue of at most 1 MiB, and whole lines past that are dropped, counted and said once it drains
 * (`oya up | less`, paused, must not stop supervision). */
#include "sup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUT_QUEUE_MAX (1u << 20)

/* Where the relay writes. fd 1 is shared with whoever started oya: O_NONBLOCK set on it would change
 * their file too, so a pipe or a terminal is opened again (a file description of oya's own); a socket
 * gets MSG_DONTWAIT per send; a regular file does not block. */
void sup_relay_setup(struct sup *s)
{
    struct stat st;
    /* oya's own messages: a stuck stderr (`oya up 2>&1 | less`, paused) must not stop the loop either.
     * fd 2 becomes a non-blocking file of oya's own (no service inherits oya's fd 2 under oya up); a
     * message that does not fit is lost rather than waited for. */
    if (fstat(2, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
        int fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd >= 0) {
            dup2(fd, 2); /* dup2 clears close-on-exec on 2, as it was */
            close(fd);
        }
    }
    s->out_fd = 1;
    s->out_w = (struct watch){W_OUTPUT, NULL};
    if (fstat(1, &st) < 0)
        return;
    s->out_is_socket = S_ISSOCK(st.st_mode);
    struct stat null;
    /* standard output is /dev/null (a service manager's, a benchmark's): no line is formatted for it */
    s->out_null = S_ISCHR(st.st_mode) && stat("/dev/null", &null) == 0 && null.st_rdev == st.st_rdev;
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        int fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd >= 0)
            s->out_fd = fd;
    }
}

static ssize_t out_write(struct sup *s, const char *p, size_t n)
{
    ssize_t w;
    do {
        w = s->out_is_socket ? send(s->out_fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL) : write(s->out_fd, p, n);
    } while (w < 0 && errno == EINTR);
    return w;
}

static size_t count_lines(const char *p, size_t n)
{
    size_t lines = 0;
    for (const char *q = p; (q = memchr(q, '\n', n - (size_t)(q - p))); q++)
        lines++;
    return lines;
}

static void watch_output(struct sup *s, bool on)
{
    if (on == s->out_watched)
        return;
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = &s->out_w};
    if (epoll_ctl(s->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, s->out_fd, on ? &ev : NULL) == 0 || !on)
        s->out_watched = on;
}

/* Write what the queue holds; once it is empty, say how many lines had to be dropped. */
void sup_relay_flush(struct sup *s)
{
    while (s->outq.len) {
        ssize_t w = out_write(s, s->outq.p, s->outq.len);
        if (w <= 0) {
            if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                s->out_dropped += count_lines(s->outq.p, s->outq.len); /* gone (EPIPE, EIO): not coming back */
                s->outq.len = 0;
                break;
            }
            watch_output(s, true);
            return;
        }
        buf_consume(&s->outq, (size_t)w);
    }
    watch_output(s, false);
    if (s->out_dropped) {
        fprintf(stderr, "oya: %llu line%s of service output dropped: standard output did not take them in time\n",
                (unsigned long long)s->out_dropped, s->out_dropped == 1 ? "" : "s");
        s->out_dropped = 0;
    }
}

/* Whole lines to standard output: written now if it takes them, else queued, else counted as dropped
 * (whole lines only, so two services never interleave and a line is never cut). */
static void relay_out(struct sup *s, const char *p, size_t n)
{
    if (!n)
        return;
    if (!s->outq.len) {
        ssize_t w = out_write(s, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        }
        if (!n)
            return;
        if (w > 0) {
            /* a line was cut by the write: the rest of it goes first, whatever the queue's size */
            const char *nl = memchr(p, '\n', n);
            size_t rest = nl ? (size_t)(nl - p) + 1 : n;
            buf_add(&s->outq, p, rest);
            p += rest;
            n -= rest;
        }
    }
    if (s->outq.len + n <= OUT_QUEUE_MAX)
        buf_add(&s->outq, p, n);
    else
        s->out_dropped += count_lines(p, n);
    sup_relay_flush(s);
}

/* each line also goes into the service's log, as its stream */
static void journal_line(void *ctx, const char *line, size_t n)
{
    struct log_stream *ls = ctx;
    sup_journal_add(ls->sup, ls->svc, ls->kind, 6, line, n); /* priority: a <N> prefix, else SyslogLevel= */
}

/* Watch the read end of a service's output pipe (taken over: closed with the stream) */
int sup_relay_open(struct sup *s, struct service *svc, int fd, enum log_stream_kind kind)
{
    struct log_stream *ls = mem_zalloc(1, sizeof(*ls));
    if (!ls)
        return -ENOMEM;
    ls->fd = fd;
    ls->svc = svc;
    ls->sup = s;
    ls->kind = kind;
    ls->framer.on_line = journal_line;
    ls->framer.ctx = ls;
    ls->framer.timestamps = s->opts->timestamps;
    ls->framer.red = kind == LOG_ERR && s->color;
    ls->w = (struct watch){W_LOG, ls};
    fd_set_nonblock(ls->fd);
    int r = sup_epoll_add(s, ls->fd, EPOLLIN, &ls->w);
    if (r < 0) { /* never an unread pipe: the caller fails the start */
        log_framer_free(&ls->framer);
        free(ls);
        return r;
    }
    ls->next = s->logs;
    s->logs = ls;
    return 0;
}

static void relay_close(struct sup *s, struct log_stream *ls)
{
    struct buf out = {0};
    log_flush(&ls->framer, ls->kind == LOG_ERR ? &ls->svc->prefix_err : &ls->svc->prefix, s->out_null ? NULL : &out);
    relay_out(s, out.p, out.len);
    buf_free(&out);
    for (struct log_stream **pp = &s->logs; *pp; pp = &(*pp)->next) {
        if (*pp == ls) {
            *pp = ls->next;
            break;
        }
    }
    sup_epoll_close(s, &ls->fd);
    log_framer_free(&ls->framer);
    free(ls);
}

/* Read what the pipe holds (a bounded amount, so one chatty service cannot starve the loop). At EOF
 * the stream is closed, unless keep_open: then its own event closes it (it may sit in the batch of
 * events being handled, and must not be freed under it). final: read everything there is, then close. */
static void relay_read(struct sup *s, struct log_stream *ls, bool final, bool keep_open)
{
    char chunk[65536];
    struct buf out = {0};
    for (int rounds = 0; final || rounds < 4; rounds++) { /* 256 KiB a turn: clients wait no longer */
        ssize_t n = read(ls->fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN && !final)
            break;
        if (n <= 0) {
            relay_out(s, out.p, out.len);
            buf_free(&out);
            if (!keep_open)
                relay_close(s, ls);
            return;
        }
        log_frame(&ls->framer, ls->kind == LOG_ERR ? &ls->svc->prefix_err : &ls->svc->prefix, chunk, (size_t)n,
                  s->out_null ? NULL : &out);
    }
    relay_out(s, out.p, out.len);
    buf_free(&out);
}

void sup_relay_read(struct sup *s, struct log_stream *ls, bool final)
{
    relay_read(s, ls, final, false);
}

void sup_relay_drain(struct sup *s, const struct service *svc)
{
    for (struct log_stream *ls = s->logs; ls; ls = ls->next)
        if (ls->svc == svc)
            relay_read(s, ls, false, true);
}

/* At the end: what is still queued gets a last chance, waiting at most a second for standard output. */
void sup_relay_finish(struct sup *s)
{
    for (int tries = 0; s->outq.len && tries < 10; tries++) {
        sup_relay_flush(s);
        if (s->outq.len) {
            struct pollfd p = {.fd = s->out_fd, .events = POLLOUT};
            poll(&p, 1, 100);
        }
    }
    if (s->outq.len) {
        s->out_dropped += count_lines(s->outq.p, s->outq.len);
        s->outq.len = 0;
        sup_relay_flush(s);
    }
    watch_output(s, false);
    buf_free(&s->outq);
    if (s->out_fd > 2)
        close(s->out_fd);
    s->out_fd = 1;
}
