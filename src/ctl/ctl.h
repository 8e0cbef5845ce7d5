/* ctl: the control protocol between `oya up` and the commands that talk to it, over a unix stream
 * socket. A request is one line of tab-separated fields (the verb, then its arguments). The reply is
 * "ok" or "error<TAB>message", then records ("record<TAB>type" followed by "key<TAB>value" lines),
 * then "end"; the server closes the connection after it. Fields escape \, tab and newline. */
#ifndef OYA_CTL_H
#define OYA_CTL_H

#include "../base/base.h"

#define CTL_MAX_REQUEST 65536

/* --socket, else $OYA_SOCKET, else /run/oya/oya.sock (root) or $XDG_RUNTIME_DIR/oya/oya.sock or
 * /tmp/oya-UID/oya.sock. Returns true for one of the default places, whose directory must be private. */
bool ctl_socket_path(const char *opt, char *out, size_t size);

/* Server side. */
/* Non-blocking, close-on-exec, mode 0600. private_dir: the directory must be this user's, mode 0700. */
int ctl_listen(const char *path, bool private_dir, struct buf *err);
bool ctl_peer_allowed(int fd, uid_t *uid_out);    /* root or oya's own uid */
/* Split a request line (without the newline) into unescaped fields. */
void ctl_split(const char *line, struct strv *fields);
void ctl_put_field(struct buf *b, const char *s); /* escaped */
void ctl_reply_ok(struct buf *b);
void ctl_reply_error(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ctl_reply_record(struct buf *b, const char *type);
void ctl_reply_kv(struct buf *b, const char *key, const char *value);
void ctl_reply_kvf(struct buf *b, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ctl_reply_end(struct buf *b);

/* Client side. */
struct ctl_record {
    char *type;
    struct strv keys, values;
};
struct ctl_reply {
    bool ok;
    char *error;
    struct ctl_record *recs;
    size_t n;
};
/* Where the server goes, in order, when the default place cannot be made (a read-only /run): as root
 * $XDG_RUNTIME_DIR/oya, then /tmp/oya-UID, then /dev/shm/oya-UID (each a private directory). */
size_t ctl_socket_fallbacks(char out[][256], size_t max);
/* ctl_call, and with is_default a server not found at path is looked for at the fallbacks too */
int ctl_call_default(const char *path, bool is_default, char *const *fields, size_t nfields, struct ctl_reply *rep,
                     struct buf *err);
/* Send one request and read the whole reply. Returns 0, or -errno with err set (cannot connect, a server
 * that is neither root nor this user: -EPERM, ...). */
int ctl_call(const char *path, char *const *fields, size_t nfields, struct ctl_reply *rep, struct buf *err);
/* A request whose reply goes on: the server ends its first part with "follow" instead of "end" and then
 * sends one line per event. on_reply gets the first part (rep, also on an error or a plain reply);
 * on_line each later line, split into fields. Returns when the server closes the connection. */
int ctl_follow(const char *path, bool is_default, char *const *fields, size_t nfields, struct ctl_reply *rep,
               void (*on_reply)(void *ctx, const struct ctl_reply *rep), void (*on_line)(void *ctx, struct strv *f),
               void *ctx, struct buf *err);
/* The same, read piece by piece, for a client that waits on other fds too: open sends the request (0 or
 * -errno with err set); read takes what the socket has (one read; it blocks unless st.fd was made
 * non-blocking), calling on_reply and on_line as ctl_follow does, and returns 1 while the stream goes on,
 * 0 once the server has closed it or ended a plain reply; close returns what ctl_follow would. */
struct ctl_stream {
    int fd;
    struct buf in;
    bool streaming;
    int r;
    char path[256];
};
int ctl_stream_open(struct ctl_stream *st, const char *path, bool is_default, char *const *fields, size_t nfields,
                    struct buf *err);
int ctl_stream_read(struct ctl_stream *st, struct ctl_reply *rep, void (*on_reply)(void *ctx, const struct ctl_reply *rep),
                    void (*on_line)(void *ctx, struct strv *f), void *ctx);
int ctl_stream_close(struct ctl_stream *st, struct buf *err);
const char *ctl_get(const struct ctl_record *r, const char *key); /* NULL if absent */
long long ctl_get_ll(const struct ctl_record *r, const char *key, long long dflt);
void ctl_reply_free(struct ctl_reply *rep);
/* Parse a raw reply text (exposed for tests). Returns 0 or -EPROTO. */
int ctl_parse_reply(const char *text, struct ctl_reply *rep);

#endif
