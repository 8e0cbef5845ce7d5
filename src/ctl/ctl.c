/* ctl: socket paths, listening and peer checks, and the line protocol both sides speak. */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

bool ctl_socket_path(const char *opt, char *out, size_t size)
{
    const char *env = getenv("OYA_SOCKET");
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (opt && *opt)
        snprintf(out, size, "%s", opt);
    else if (env && *env)
        snprintf(out, size, "%s", env);
    else if (geteuid() == 0)
        snprintf(out, size, "/run/oya/oya.sock");
    else if (xdg && *xdg)
        snprintf(out, size, "%s/oya/oya.sock", xdg);
    else
        snprintf(out, size, "/tmp/oya-%u/oya.sock", (unsigned)geteuid());
    return !(opt && *opt) && !(env && *env);
}

size_t ctl_socket_fallbacks(char out[][256], size_t max)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    size_t n = 0;
    if (geteuid() == 0 && xdg && *xdg && n < max)
        snprintf(out[n++], 256, "%s/oya/oya.sock", xdg);
    if (n < max)
        snprintf(out[n++], 256, "/tmp/oya-%u/oya.sock", (unsigned)geteuid());
    if (n < max)
        snprintf(out[n++], 256, "/dev/shm/oya-%u/oya.sock", (unsigned)geteuid());
    return n;
}

/* The directory of the default socket must be oya's user's own and closed to everyone else, as tmux
 * checks /tmp/tmux-UID: a directory another local user made first (0777, or theirs) would let them
 * replace the socket with their own and answer in oya's name. */
static int check_private_dir(const char *dir, struct buf *err)
{
    struct stat st;
    if (lstat(dir, &st) < 0) {
        buf_printf(err, "cannot check %s: %s", dir, strerror(errno));
        return -errno;
    }
    if (!S_ISDIR(st.st_mode)) {
        buf_printf(err, "%s is not a directory (a link or a file is in the way); remove it, or choose --socket PATH",
                   dir);
        return -ENOTDIR;
    }
    if (st.st_uid != geteuid() || (st.st_mode & 077)) {
        buf_printf(err, "%s belongs to uid %u with mode %04o; oya's socket directory must be yours (uid %u) with mode "
                        "0700, or another user could take the socket over: remove it, or choose --socket PATH",
                   dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), (unsigned)geteuid());
        return -EPERM;
    }
    return 0;
}

static int make_parent_dir(const char *path, bool private_dir, struct buf *err)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    int r = 0;
    if (slash && slash != dir) {
        *slash = 0;
        if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
            r = -errno;
            buf_printf(err, "cannot create %s: %s", dir, strerror(errno));
        }
        if (r == 0 && private_dir)
            r = check_private_dir(dir, err);
    }
    free(dir);
    return r;
}

static int fill_addr(const char *path, struct sockaddr_un *a, struct buf *err)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(a->sun_path)) {
        buf_printf(err, "socket path %s is longer than %zu bytes; choose a shorter --socket", path,
                   sizeof(a->sun_path) - 1);
        return -ENAMETOOLONG;
    }
    memcpy(a->sun_path, path, strlen(path));
    return 0;
}

int ctl_listen(const char *path, bool private_dir, struct buf *err)
{
    struct sockaddr_un a;
    int r = fill_addr(path, &a, err);
    if (r < 0)
        return r;
    if ((r = make_parent_dir(path, private_dir, err)) < 0)
        return r;
    /* a socket file is there: another supervisor, or a stale one left by a crash */
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool alive = probe >= 0 && connect(probe, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (probe >= 0)
        close(probe);
    if (alive) {
        buf_printf(err, "another oya is already listening on %s; stop it or use --socket PATH", path);
        return -EADDRINUSE;
    }
    /* made under a temporary name, listening and 0600, then renamed into place: whoever sees the socket
     * at path can connect (no window between bind and listen), and no other user ever could */
    struct sockaddr_un tmp = a;
    int n = snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.%d.new", path, (int)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp.sun_path)) {
        buf_printf(err, "the socket path %s is too long", path);
        return -ENAMETOOLONG;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        buf_printf(err, "socket: %s", strerror(errno));
        return -errno;
    }
    unlink(tmp.sun_path);
    mode_t old = umask(0177);
    int b = bind(fd, (struct sockaddr *)&tmp, sizeof(tmp));
    umask(old);
    if (b < 0) {
        r = -errno;
        buf_printf(err, "cannot bind %s: %s", path, strerror(errno));
        close(fd);
        return r;
    }
    if (chmod(tmp.sun_path, 0600) < 0 || listen(fd, 64) < 0 || rename(tmp.sun_path, path) < 0) {
        r = -errno;
        buf_printf(err, "cannot listen on %s: %s", path, strerror(errno));
        unlink(tmp.sun_path);
        close(fd);
        return r;
    }
    return fd;
}

bool ctl_peer_allowed(int fd, uid_t *uid_out)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
        return false;
    *uid_out = cred.uid;
    return cred.uid == 0 || cred.uid == geteuid();
}

void ctl_put_field(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            buf_puts(b, "\\\\");
        else if (*s == '\t')
            buf_puts(b, "\\t");
        else if (*s == '\n')
            buf_puts(b, "\\n");
        else
            buf_putc(b, *s);
    }
}

void ctl_split(const char *line, struct strv *fields)
{
    struct buf f = {0};
    buf_reserve(&f, 16);
    for (const char *p = line;; p++) {
        if (*p == '\t' || *p == 0) {
            strv_push(fields, buf_take(&f)); /* NULL: out of memory, fields->failed */
            if (!*p)
                break;
        } else if (*p == '\\' && p[1]) {
            p++;
            buf_putc(&f, *p == 't' ? '\t' : *p == 'n' ? '\n' : *p);
        } else {
            buf_putc(&f, *p);
        }
    }
    buf_free(&f);
}

void ctl_reply_ok(struct buf *b)
{
    buf_puts(b, "ok\n");
}

void ctl_reply_error(struct buf *b, const char *fmt, ...)
{
    struct buf m = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&m, fmt, ap);
    va_end(ap);
    buf_puts(b, "error\t");
    ctl_put_field(b, buf_str(&m));
    buf_puts(b, "\nend\n");
    b->failed |= m.failed; /* the message would be cut: the one who sends it says out of memory instead */
    buf_free(&m);
}

void ctl_reply_record(struct buf *b, const char *type)
{
    buf_puts(b, "record\t");
    ctl_put_field(b, type);
    buf_putc(b, '\n');
}

void ctl_reply_kv(struct buf *b, const char *key, const char *value)
{
    ctl_put_field(b, key);
    buf_putc(b, '\t');
    ctl_put_field(b, value ? value : "");
    buf_putc(b, '\n');
}

void ctl_reply_kvf(struct buf *b, const char *key, const char *fmt, ...)
{
    struct buf m = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&m, fmt, ap);
    va_end(ap);
    ctl_reply_kv(b, key, m.p ? m.p : "");
    b->failed |= m.failed; /* an empty value is not the value: the sender says out of memory */
    buf_free(&m);
}

void ctl_reply_end(struct buf *b)
{
    buf_puts(b, "end\n");
}

int ctl_parse_reply(const char *text, struct ctl_reply *rep)
{
    memset(rep, 0, sizeof(*rep));
    bool ended = false, started = false;
    const char *p = text;
    while (*p && !ended) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        char *line = xstrndup(p, (size_t)(nl - p));
        p = nl + 1;
        struct strv f = {0};
        ctl_split(line, &f);
        free(line);
        if (!started) {
            started = true;
            if (strcmp(f.v[0], "ok") == 0) {
                rep->ok = true;
            } else if (strcmp(f.v[0], "error") == 0 && f.n >= 2) {
                rep->error = xstrdup(f.v[1]);
            } else {
                strv_clear(&f);
                break;
            }
        } else if (strcmp(f.v[0], "end") == 0 && f.n == 1) {
            ended = true;
        } else if (strcmp(f.v[0], "record") == 0 && f.n == 2) {
            rep->recs = xrealloc(rep->recs, (rep->n + 1) * sizeof(*rep->recs));
            rep->recs[rep->n++] = (struct ctl_record){.type = xstrdup(f.v[1])};
        } else if (f.n == 2 && rep->n > 0) {
            struct ctl_record *r = &rep->recs[rep->n - 1];
            strv_add(&r->keys, f.v[0]);
            strv_add(&r->values, f.v[1]);
        }
        strv_clear(&f);
    }
    return ended ? 0 : -EPROTO;
}

/* The default socket's place may have been taken by a fallback (a read-only /run): a client that finds
 * nothing at the default tries the fallbacks in the same order as the server. */
int ctl_call_default(const char *path, bool is_default, char *const *fields, size_t nfields, struct ctl_reply *rep,
                     struct buf *err)
{
    int r = ctl_call(path, fields, nfields, rep, err);
    if (!is_default || (r != -ENOENT && r != -ECONNREFUSED))
        return r;
    char alt[4][256];
    size_t n = ctl_socket_fallbacks(alt, 4);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(alt[i], path) == 0)
            continue;
        struct buf e = {0};
        int a = ctl_call(alt[i], fields, nfields, rep, &e);
        if (a != -ENOENT && a != -ECONNREFUSED) {
            err->len = 0;
            if (e.len)
                buf_add(err, e.p, e.len);
            buf_free(&e);
            return a;
        }
        buf_free(&e);
    }
    return r;
}

/* Connect to path and check who answers; the connected fd, or -errno with err set */
static int connect_checked(const char *path, struct buf *err)
{
    struct sockaddr_un a;
    int r = fill_addr(path, &a, err);
    if (r < 0)
        return r;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        buf_printf(err, "socket: %s", strerror(errno));
        return -errno;
    }
    int cr;
    do {
        cr = connect(fd, (struct sockaddr *)&a, sizeof(a));
    } while (cr < 0 && errno == EINTR);
    if (cr < 0) {
        r = -errno;
        buf_printf(err, "cannot connect to %s: %s (is `oya up` running? --socket or OYA_SOCKET chooses "
                        "another socket)", path, strerror(errno));
        close(fd);
        return r;
    }
    /* whoever answers must be root or this user: a socket another user put in the way gets no request */
    struct ucred cred;
    socklen_t clen = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || (cred.uid != 0 && cred.uid != geteuid())) {
        buf_printf(err, "the server on %s runs as uid %d, neither root nor you (uid %u): not talking to it (another "
                        "user may have put a socket there)", path, (int)cred.uid, (unsigned)geteuid());
        close(fd);
        return -EPERM;
    }
    return fd;
}

static int send_request(int fd, char *const *fields, size_t nfields)
{
    struct buf req = {0};
    for (size_t i = 0; i < nfields; i++) {
        if (i)
            buf_putc(&req, '\t');
        ctl_put_field(&req, fields[i]);
    }
    buf_putc(&req, '\n');
    /* send, not write: a server that answers and closes before taking it all (turning the client away)
     * must not kill the client with SIGPIPE before it reads why */
    int r = 0;
    for (size_t at = 0; at < req.len && r == 0;) {
        ssize_t n = send(fd, req.p + at, req.len - at, MSG_NOSIGNAL);
        if (n < 0 && errno != EINTR)
            r = -errno;
        else if (n > 0)
            at += (size_t)n;
    }
    buf_free(&req);
    return r;
}

int ctl_call(const char *path, char *const *fields, size_t nfields, struct ctl_reply *rep, struct buf *err)
{
    memset(rep, 0, sizeof(*rep));
    int fd = connect_checked(path, err);
    if (fd < 0)
        return fd;
    send_request(fd, fields, nfields);
    struct buf in = {0};
    fd_read_to_buf(fd, &in); /* a reset connection leaves the reply incomplete, reported below */
    close(fd);
    int r = ctl_parse_reply(in.p ? in.p : "", rep);
    if (r < 0)
        buf_printf(err, "the supervisor on %s sent an incomplete reply", path);
    buf_free(&in);
    return r;
}

int ctl_stream_open(struct ctl_stream *st, const char *path, bool is_default, char *const *fields, size_t nfields,
                    struct buf *err)
{
    memset(st, 0, sizeof(*st));
    st->fd = -1;
    st->r = -EPROTO;
    snprintf(st->path, sizeof(st->path), "%s", path);
    int fd = connect_checked(path, err);
    if (fd < 0 && is_default && (fd == -ENOENT || fd == -ECONNREFUSED)) {
        char alt[4][256];
        size_t n = ctl_socket_fallbacks(alt, 4);
        for (size_t i = 0; i < n && fd < 0; i++) {
            struct buf e = {0};
            int a = connect_checked(alt[i], &e);
            if (a >= 0 || (a != -ENOENT && a != -ECONNREFUSED)) {
                err->len = 0;
                if (e.len)
                    buf_add(err, e.p, e.len);
                fd = a;
            }
            buf_free(&e);
        }
    }
    if (fd < 0)
        return fd;
    send_request(fd, fields, nfields);
    st->fd = fd;
    return 0;
}

int ctl_stream_read(struct ctl_stream *st, struct ctl_reply *rep, void (*on_reply)(void *ctx, const struct ctl_reply *rep),
                    void (*on_line)(void *ctx, struct strv *f), void *ctx)
{
    char chunk[65536];
    ssize_t got = read(st->fd, chunk, sizeof(chunk));
    if (got < 0 && (errno == EINTR || errno == EAGAIN))
        return 1;
    if (got <= 0)
        return 0;
    buf_add(&st->in, chunk, (size_t)got);
    size_t at = 0;
    for (char *nl; (nl = memchr(st->in.p + at, '\n', st->in.len - at));) {
        size_t len = (size_t)(nl - (st->in.p + at));
        if (!st->streaming && (len == 6 && memcmp(st->in.p + at, "follow", 6) == 0)) {
            /* the reply so far, ended as a plain one */
            char *head = xasprintf("%.*send\n", (int)at, st->in.p);
            st->r = ctl_parse_reply(head, rep);
            free(head);
            st->streaming = true;
            if (on_reply)
                on_reply(ctx, rep);
        } else if (!st->streaming && len == 3 && memcmp(st->in.p + at, "end", 3) == 0) {
            st->r = ctl_parse_reply(st->in.p, rep); /* an error, or a server that does not follow */
            if (on_reply)
                on_reply(ctx, rep);
            return 0;
        } else if (st->streaming) {
            char *line = xstrndup(st->in.p + at, len);
            struct strv f = {0};
            ctl_split(line, &f);
            free(line);
            on_line(ctx, &f);
            strv_clear(&f);
        }
        at += len + 1;
        if (!st->streaming)
            continue;
        buf_consume(&st->in, at);
        at = 0;
    }
    return 1;
}

int ctl_stream_close(struct ctl_stream *st, struct buf *err)
{
    if (st->fd >= 0)
        close(st->fd);
    st->fd = -1;
    buf_free(&st->in);
    if (!st->streaming && st->r < 0)
        buf_printf(err, "the supervisor on %s sent an incomplete reply", st->path);
    return st->r;
}

int ctl_follow(const char *path, bool is_default, char *const *fields, size_t nfields, struct ctl_reply *rep,
               void (*on_reply)(void *ctx, const struct ctl_reply *rep), void (*on_line)(void *ctx, struct strv *f),
               void *ctx, struct buf *err)
{
    memset(rep, 0, sizeof(*rep));
    struct ctl_stream st;
    int r = ctl_stream_open(&st, path, is_default, fields, nfields, err);
    if (r < 0)
        return r;
    while (ctl_stream_read(&st, rep, on_reply, on_line, ctx) > 0)
        ;
    return ctl_stream_close(&st, err);
}

const char *ctl_get(const struct ctl_record *r, const char *key)
{
    for (size_t i = 0; i < r->keys.n; i++)
        if (strcmp(r->keys.v[i], key) == 0)
            return r->values.v[i];
    return NULL;
}

long long ctl_get_ll(const struct ctl_record *r, const char *key, long long dflt)
{
    const char *v = ctl_get(r, key);
    if (!v || !*v)
        return dflt;
    char *end;
    long long x = strtoll(v, &end, 10);
    return *end ? dflt : x;
}

void ctl_reply_free(struct ctl_reply *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        free(rep->recs[i].type);
        strv_clear(&rep->recs[i].keys);
        strv_clear(&rep->recs[i].values);
    }
    free(rep->recs);
    free(rep->error);
    memset(rep, 0, sizeof(*rep));
}
