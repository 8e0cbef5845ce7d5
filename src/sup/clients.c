/* sup/clients: the control socket's connections. Accepting (256 at most; out of fds, one spare fd turns a
 * client away), reading one request line (10 s to send it), sending the reply without blocking (10 s to take
 * it), streams that follow (logs -f, trace), and draining a client before its socket is closed so the reply
 * is not reset. What a request asks for is answered in server.c. */
#include "sup_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* A client has this long to send its request, and again to take its reply; waiting for services to
 * settle has no limit of its own (their timeouts bound it). */
#define CLIENT_TIMEOUT (10 * USEC_PER_SEC)
/* At most this many clients at once; more are told so and closed (each one holds an fd and buffers) */
#define MAX_CLIENTS 256

static void client_close(struct sup *s, struct client *c)
{
    for (struct client **pp = &s->clients; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    sup_epoll_close(s, &c->fd);
    s->nclients--;
    if (c->tracing)
        s->ntracers--;
    else if (c->following)
        s->nfollowers--;
    free(c->follows);
    buf_free(&c->in);
    buf_free(&c->out);
    buf_free(&c->missing);
    free(c->waiting);
    free(c);
}

/* what a follower (logs -f, trace) may leave unread before what is pushed to it is dropped */
#define FOLLOW_MAX (4u << 20)

bool sup_follower_ready(struct client *c)
{
    if (c->out.len > FOLLOW_MAX) {
        c->follow_dropped++; /* a reader that does not keep up loses lines, counted, never oya's loop */
        return false;
    }
    if (c->follow_dropped) {
        buf_printf(&c->out, "dropped\t%llu\n", (unsigned long long)c->follow_dropped);
        c->follow_dropped = 0;
    }
    return true;
}

/* What a client is told when its reply could not be built for want of memory (sent as it is: it needs
 * none; a client that cannot take even this sees its connection end without a reply) */
static const char oom_reply[] = "error\toya ran out of memory while answering (what was asked may be done in "
                                "part: `oya status` shows the state); try again\nend\n";

void sup_client_flush(struct sup *s, struct client *c)
{
    if (c->out.failed && c->following) { /* records that did not fit are dropped, and counted */
        c->out.failed = false;
        c->follow_dropped++;
    } else if (c->out.failed) {
        buf_free(&c->out);
        ssize_t w = send(c->fd, oom_reply, sizeof(oom_reply) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w;
    }
    while (c->out.len) {
        ssize_t n = send(c->fd, c->out.p, c->out.len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = &c->w};
            epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
            return;
        }
        if (n <= 0) {
            client_close(s, c); /* the client went away */
            return;
        }
        buf_consume(&c->out, (size_t)n);
    }
    if (c->following) { /* all sent: wait for more records, or for the client to hang up */
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = &c->w};
        epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
        return;
    }
    /* Closing a unix socket with unread input resets the peer, which could then lose the reply:
     * shut the write side (the client sees EOF after the reply) and drain until the client closes. */
    shutdown(c->fd, SHUT_WR);
    c->draining = true;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = &c->w};
    if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        client_close(s, c);
}

static void client_drain(struct sup *s, struct client *c)
{
    char chunk[16384];
    for (;;) {
        ssize_t n = recv(c->fd, chunk, sizeof(chunk), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        c->drained += n > 0 ? (size_t)n : 0;
        if (n <= 0 || c->drained > (1u << 20)) {
            client_close(s, c); /* EOF, an error, or a client that will not stop talking */
            return;
        }
    }
}

void sup_reply_now(struct sup *s, struct client *c)
{
    c->replying = true;
    c->wait = WAIT_NONE;
    c->deadline = clock_mono_usec() + CLIENT_TIMEOUT;
    sup_client_flush(s, c);
}

/* Out of fds: the listener stays readable, and a level-triggered loop would spin on it. Let the spare
 * fd go, take the connection and close it at once (the client sees the connection drop), then keep a
 * spare again; if even that fails, stop listening for a moment (sup_clients_timers re-arms it). */
static void turn_away(struct sup *s)
{
    unsigned held;
    if (ratelimit_pass(&s->emfile_log, clock_mono_usec(), 5 * USEC_PER_SEC, 1, &held))
        fprintf(stderr, "oya: out of file descriptors: a control client was turned away (%u more not shown)\n",
                held);
    fd_close(&s->spare_fd);
    int fd = accept4(s->listenfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0)
        close(fd);
    s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (s->spare_fd < 0 || fd < 0) {
        struct epoll_event ev = {.events = 0, .data.ptr = &s->listen_w};
        epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->listenfd, &ev);
        s->listen_paused_until = clock_mono_usec() + 100 * USEC_PER_MSEC;
    }
}

void sup_accept(struct sup *s)
{
    for (int batch = 0; batch < 64; batch++) { /* bounded: the loop comes back for the rest */
        int fd = accept4(s->listenfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                turn_away(s);
            return; /* EAGAIN: nothing more */
        }
        if (s->nclients >= MAX_CLIENTS) {
            static const char busy[] = "error\ttoo many clients at once; try again\nend\n";
            ssize_t w = send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            (void)w;
            close(fd);
            continue;
        }
        struct client *c = mem_zalloc(1, sizeof(*c));
        if (!c) {
            ssize_t w = send(fd, oom_reply, sizeof(oom_reply) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            (void)w;
            close(fd);
            continue;
        }
        c->fd = fd;
        c->w = (struct watch){W_CLIENT, c};
        c->next = s->clients;
        c->deadline = clock_mono_usec() + CLIENT_TIMEOUT;
        s->clients = c;
        s->nclients++;
        int r = sup_epoll_add(s, fd, EPOLLIN | EPOLLRDHUP, &c->w);
        if (r < 0) { /* a client oya could not hear again: told now, and let go */
            fprintf(stderr, "oya: cannot watch a control connection: %s\n", strerror(-r));
            static const char cannot[] = "error\toya cannot take this connection now; try again\nend\n";
            ssize_t w = send(fd, cannot, sizeof(cannot) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            (void)w;
            client_close(s, c);
            continue;
        }
        uid_t uid = (uid_t)-1;
        if (!ctl_peer_allowed(fd, &uid)) {
            ctl_reply_error(&c->out, "permission denied: uid %d may not control this oya (only root and uid %u)",
                            (int)uid, (unsigned)geteuid());
            sup_reply_now(s, c);
            continue;
        }
        /* a client writes its request as soon as it is connected: most often it is there already, and is
         * answered without another turn of the loop (EAGAIN otherwise: epoll says when it comes) */
        sup_client_event(s, c, EPOLLIN); /* may free c */
    }
}

/* The earliest client deadline (a request or a reply that takes too long), or the end of a pause of
 * the listener; 0 if none. */
uint64_t sup_clients_deadline(const struct sup *s)
{
    uint64_t next = s->listen_paused_until;
    for (const struct client *c = s->clients; c; c = c->next)
        if (c->deadline && (!next || c->deadline < next))
            next = c->deadline;
    return next;
}

void sup_clients_timers(struct sup *s, uint64_t now)
{
    if (s->listen_paused_until && s->listen_paused_until <= now) {
        s->listen_paused_until = 0;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->listen_w};
        epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->listenfd, &ev);
    }
    for (struct client *c = s->clients, *next; c; c = next) {
        next = c->next;
        if (c->deadline && c->deadline <= now)
            client_close(s, c); /* a slow or silent client: its fd and buffers go to others */
    }
}

void sup_client_event(struct sup *s, struct client *c, uint32_t events)
{
    if (c->following) {
        if (events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
            client_close(s, c); /* `oya logs -f` was interrupted */
            return;
        }
        if (events & EPOLLIN) {
            char chunk[256];
            ssize_t r = recv(c->fd, chunk, sizeof(chunk), MSG_DONTWAIT);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                client_close(s, c);
                return;
            }
        }
        if (events & EPOLLOUT)
            sup_client_flush(s, c);
        return;
    }
    if (c->draining) {
        client_drain(s, c);
        return;
    }
    if (c->replying) {
        if (events & (EPOLLERR | EPOLLHUP))
            client_close(s, c);
        else
            sup_client_flush(s, c);
        return;
    }
    if (c->wait != WAIT_NONE) {
        /* waiting for services to settle: only a hang-up matters. A client that only shut its writing
         * side (shutdown(SHUT_WR) after the request, as `nc -N` does) still reads: it gets its reply. */
        if (events & (EPOLLHUP | EPOLLERR)) {
            client_close(s, c);
        } else if (events & EPOLLRDHUP) {
            struct epoll_event ev = {.events = 0, .data.ptr = &c->w}; /* EPOLLHUP still comes */
            epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
        }
        return;
    }
    char chunk[4096];
    for (;;) {
        ssize_t n = recv(c->fd, chunk, sizeof(chunk), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            if (c->in.len == 0 || n < 0) {
                client_close(s, c);
                return;
            }
            ctl_reply_error(&c->out, "incomplete request: a request is one line ending in a newline");
            sup_reply_now(s, c);
            return;
        }
        buf_add(&c->in, chunk, (size_t)n);
        if (c->in.failed) {
            c->out.failed = true; /* no memory to hold the request: told so */
            sup_reply_now(s, c);
            return;
        }
        char *nl = memchr(c->in.p, '\n', c->in.len);
        if (nl) {
            *nl = 0;
            if (memchr(c->in.p, 0, (size_t)(nl - c->in.p)))
                ctl_reply_error(&c->out, "the request holds a NUL byte");
            else
                sup_handle_request(s, c, c->in.p);
            if (c->following) {
                c->deadline = 0; /* it reads as long as it likes */
                sup_client_flush(s, c);
            } else if (c->wait == WAIT_NONE) {
                sup_reply_now(s, c); /* may free c */
            } else {
                c->deadline = 0; /* waiting for services: their own timeouts bound it */
                struct epoll_event ev = {.events = EPOLLRDHUP, .data.ptr = &c->w};
                epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
            }
            return;
        }
        if (c->in.len > CTL_MAX_REQUEST) {
            ctl_reply_error(&c->out, "request too long: at most %d bytes", CTL_MAX_REQUEST);
            sup_reply_now(s, c);
            return;
        }
    }
}

void sup_clients_free(struct sup *s)
{
    while (s->clients)
        client_close(s, s->clients);
}
