/* sup/relay: the services' output in the foreground. Each output pipe is read in bounded amounts,
 * framed into whole lines with the service's prefix, and written to oya's standard output. */
#include "sup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Watch the read end of a service's output pipe (taken over: closed with the stream) */
void sup_relay_open(struct sup *s, struct service *svc, int fd)
{
    struct log_stream *ls = xcalloc(1, sizeof(*ls));
    ls->fd = fd;
    ls->svc = svc;
    ls->w = (struct watch){W_LOG, ls};
    ls->next = s->logs;
    s->logs = ls;
    fd_set_nonblock(ls->fd);
    sup_epoll_add(s, ls->fd, EPOLLIN, &ls->w);
}

static void relay_close(struct sup *s, struct log_stream *ls)
{
    struct buf out = {0};
    log_flush(&ls->framer, &ls->svc->prefix, &out);
    if (out.len)
        fd_write_all(1, out.p, out.len);
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

/* Read what the pipe holds (a bounded amount, so one chatty service cannot starve the loop). At the
 * end (final), read everything that is there and close the stream. */
void sup_relay_read(struct sup *s, struct log_stream *ls, bool final)
{
    char chunk[65536];
    struct buf out = {0};
    for (int rounds = 0; final || rounds < 16; rounds++) {
        ssize_t n = read(ls->fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN && !final)
            break;
        if (n <= 0) {
            if (out.len)
                fd_write_all(1, out.p, out.len);
            buf_free(&out);
            relay_close(s, ls);
            return;
        }
        log_frame(&ls->framer, &ls->svc->prefix, chunk, (size_t)n, &out);
    }
    if (out.len)
        fd_write_all(1, out.p, out.len); /* whole lines only, so two services never interleave */
    buf_free(&out);
}
