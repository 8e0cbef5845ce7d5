/* sup/bus: Type=dbus. A service of that type is up once its BusName= has an owner on the system bus (the
 * user's bus for a user's oya), as in systemd. While such a start waits, oya holds one connection to the
 * bus in its loop: it asks GetNameOwner for the name and watches NameOwnerChanged for it; the connection
 * is closed once no start waits, so an idle oya holds no bus. With no bus to connect to (a container
 * without dbus-daemon), or when the bus goes away, the service runs as Type=simple, and oya says so once
 * per service. The messages themselves are bus/'s. */
#include "sup_int.h"

#include "../bus/bus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Where the bus listens: $DBUS_SYSTEM_BUS_ADDRESS (a user's oya: $DBUS_SESSION_BUS_ADDRESS, else
 * $XDG_RUNTIME_DIR/bus), its first unix:path= or unix:abstract= address; else the system bus's path */
static bool bus_address(struct sockaddr_un *sa, socklen_t *len, char *shown, size_t size)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    bool user = geteuid() != 0;
    const char *env = getenv(user ? "DBUS_SESSION_BUS_ADDRESS" : "DBUS_SYSTEM_BUS_ADDRESS");
    char path[sizeof(sa->sun_path)] = "";
    bool abstract = false;
    if (env && *env) {
        for (const char *a = env; a && *a && !path[0]; a = strchr(a, ';'), a = a ? a + 1 : NULL) {
            if (!str_startswith(a, "unix:"))
                continue;
            for (const char *kv = a + 5; kv && *kv && *kv != ';'; kv = strchr(kv, ','), kv = kv ? kv + 1 : NULL) {
                size_t n = strcspn(kv, ",;");
                bool p = str_startswith(kv, "path="), ab = str_startswith(kv, "abstract=");
                if ((p || ab) && n - (p ? 5 : 9) < sizeof(path)) {
                    snprintf(path, sizeof(path), "%.*s", (int)(n - (p ? 5 : 9)), kv + (p ? 5 : 9));
                    abstract = ab;
                    break;
                }
            }
        }
    } else if (user) {
        const char *x = getenv("XDG_RUNTIME_DIR");
        if (x && x[0] == '/' && strlen(x) + 5 < sizeof(path))
            snprintf(path, sizeof(path), "%s/bus", x);
    } else {
        snprintf(path, sizeof(path), "/run/dbus/system_bus_socket");
    }
    if (!path[0])
        return false;
    snprintf(shown, size, "%s%s", abstract ? "@" : "", path);
    size_t n = strlen(path);
    memcpy(sa->sun_path + (abstract ? 1 : 0), path, n);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1); /* the NUL, or the leading one */
    return true;
}

static void bus_write(struct sup *s)
{
    while (s->bus_out.len) {
        ssize_t n = send(s->bus_fd, s->bus_out.p, s->bus_out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        buf_consume(&s->bus_out, (size_t)n);
    }
    uint32_t events = EPOLLIN | (s->bus_out.len ? EPOLLOUT : 0);
    struct epoll_event ev = {.events = events, .data.ptr = &s->bus_w};
    epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->bus_fd, &ev);
}

static void bus_close(struct sup *s)
{
    sup_epoll_close(s, &s->bus_fd);
    buf_free(&s->bus_in);
    buf_free(&s->bus_out);
    s->bus_authed = false;
}

/* The service's name is owned (or there is no bus to wait on): on to start-post */
static void name_owned(struct sup *s, struct service *svc)
{
    svc->bus_waiting = false;
    sup_feed(s, svc, (struct sup_event){.kind = SUP_EV_BUS_NAME});
}

static void say_simple(const struct service *svc, const char *why, const char *where)
{
    fprintf(stderr, "oya: %s: %s%s%s; it runs as Type=simple (BusName=%s is not waited for)\n", svc->unit->name, why,
            where[0] ? " " : "", where, svc->unit->bus_name);
}

/* Every start waiting on the bus goes on as Type=simple: the bus is gone or never answered */
static void bus_lost(struct sup *s, const char *why)
{
    bus_close(s);
    for (size_t i = 0; i < s->nsvcs; i++)
        if (s->svcs[i]->bus_waiting) {
            say_simple(s->svcs[i], why, "");
            name_owned(s, s->svcs[i]);
        }
}

static void ask(struct sup *s, struct service *svc)
{
    char match[512]; /* a bus name is at most 255 bytes */
    snprintf(match, sizeof(match), "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
                                   "member='NameOwnerChanged',arg0='%s'", svc->unit->bus_name);
    bus_call(&s->bus_out, ++s->bus_serial, "AddMatch", match);
    svc->bus_query = ++s->bus_serial;
    bus_call(&s->bus_out, svc->bus_query, "GetNameOwner", svc->unit->bus_name);
}

bool sup_bus_wait_name(struct sup *s, struct service *svc)
{
    if (s->bus_fd < 0) {
        struct sockaddr_un sa;
        socklen_t len;
        char where[sizeof(sa.sun_path) + 2];
        if (!bus_address(&sa, &len, where, sizeof(where))) {
            say_simple(svc, "no D-Bus bus address", "");
            return false;
        }
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, len) < 0) {
            char why[160];
            snprintf(why, sizeof(why), "no D-Bus bus to connect to (%s)", strerror(errno));
            if (fd >= 0)
                close(fd);
            say_simple(svc, why, where);
            return false;
        }
        s->bus_w = (struct watch){W_BUS, NULL};
        int r = sup_epoll_add(s, fd, EPOLLIN, &s->bus_w);
        if (r < 0) {
            char why[160];
            snprintf(why, sizeof(why), "cannot watch the D-Bus connection (%s)", strerror(-r));
            close(fd);
            say_simple(svc, why, where);
            return false;
        }
        s->bus_fd = fd;
        bus_auth(&s->bus_out, (unsigned)geteuid());
        bus_call(&s->bus_out, ++s->bus_serial, "Hello", NULL);
    }
    svc->bus_waiting = true;
    ask(s, svc);
    bus_write(s);
    return true;
}

static void handle(struct sup *s, const struct bus_msg *m)
{
    for (size_t i = 0; i < s->nsvcs; i++) {
        struct service *svc = s->svcs[i];
        if (!svc->bus_waiting)
            continue;
        bool owned = (m->type == BUS_METHOD_RETURN && m->reply_serial == svc->bus_query && m->nargs >= 1) ||
                     (m->type == BUS_SIGNAL && strcmp(m->member, "NameOwnerChanged") == 0 && m->nargs == 3 &&
                      strcmp(m->args[0], svc->unit->bus_name) == 0 && m->args[2][0]);
        if (owned)
            name_owned(s, svc);
    }
}

void sup_bus_event(struct sup *s, uint32_t events)
{
    if (events & EPOLLOUT)
        bus_write(s);
    char chunk[16384];
    for (;;) {
        ssize_t n = recv(s->bus_fd, chunk, sizeof(chunk), MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n <= 0) {
            bus_lost(s, n == 0 ? "the D-Bus bus closed the connection" : "the D-Bus bus connection failed");
            return;
        }
        buf_add(&s->bus_in, chunk, (size_t)n);
        if (s->bus_in.len > 2 * BUS_MAX_MESSAGE) {
            bus_lost(s, "the D-Bus bus sent more than oya reads");
            return;
        }
    }
    if (!s->bus_authed) {
        size_t used = 0;
        int r = bus_auth_reply(s->bus_in.p, s->bus_in.len, &used);
        if (r == 0)
            return;
        if (r < 0) {
            bus_lost(s, "the D-Bus bus refused oya's authentication");
            return;
        }
        buf_consume(&s->bus_in, used);
        s->bus_authed = true;
    }
    long n = 0;
    struct bus_msg m;
    while (s->bus_fd >= 0 && (n = bus_parse(s->bus_in.p, s->bus_in.len, &m)) > 0) {
        buf_consume(&s->bus_in, (size_t)n);
        handle(s, &m);
    }
    if (s->bus_fd >= 0 && n < 0)
        bus_lost(s, "the D-Bus bus sent a message oya cannot read");
}

void sup_bus_settle(struct sup *s, struct service *svc)
{
    if (svc->bus_waiting && svc->st.state != SVC_START)
        svc->bus_waiting = false; /* stopped or failed while it waited */
    if (s->bus_fd < 0)
        return;
    for (size_t i = 0; i < s->nsvcs; i++)
        if (s->svcs[i]->bus_waiting)
            return;
    bus_close(s); /* nothing waits on the bus: an idle oya holds no connection */
}
