/* bus: the D-Bus wire format for the handful of messages oya needs (see bus.h). Messages are written
 * in the machine's byte order (the first byte says which); read in either. Every offset read is checked
 * against the message's length first: what the bus sends is not trusted further than the format. */
#include "bus.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum { FIELD_PATH = 1, FIELD_INTERFACE = 2, FIELD_MEMBER = 3, FIELD_REPLY_SERIAL = 5, FIELD_DESTINATION = 6,
       FIELD_SIGNATURE = 8 };

static bool host_little(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

void bus_auth(struct buf *out, unsigned uid)
{
    char dec[16];
    snprintf(dec, sizeof(dec), "%u", uid);
    buf_add(out, "", 1); /* the credentials byte: the bus reads SO_PEERCRED */
    buf_puts(out, "AUTH EXTERNAL ");
    for (const char *p = dec; *p; p++)
        buf_printf(out, "%02x", (unsigned char)*p);
    buf_puts(out, "\r\nBEGIN\r\n");
}

int bus_auth_reply(const char *in, size_t n, size_t *used)
{
    const char *end = memchr(in, '\n', n);
    if (!end)
        return n > 512 ? -EACCES : 0;
    *used = (size_t)(end - in) + 1;
    return n >= 3 && memcmp(in, "OK ", 3) == 0 ? 1 : -EACCES;
}

/* zero bytes up to the next multiple of align, counted from the message's first byte at base */
static void pad(struct buf *b, size_t base, size_t align)
{
    while ((b->len - base) % align)
        buf_putc(b, 0);
}

static void put_u32(struct buf *b, size_t base, uint32_t v)
{
    pad(b, base, 4);
    buf_add(b, &v, 4);
}

static void put_string(struct buf *b, size_t base, const char *s)
{
    put_u32(b, base, (uint32_t)strlen(s));
    buf_add(b, s, strlen(s) + 1);
}

static void put_signature(struct buf *b, const char *sig)
{
    buf_putc(b, (char)strlen(sig));
    buf_add(b, sig, strlen(sig) + 1);
}

/* One header field: a struct (code, variant) of the fields array */
static void put_field(struct buf *b, size_t base, unsigned char code, char type, const char *value)
{
    pad(b, base, 8);
    buf_putc(b, (char)code);
    char sig[2] = {type, 0};
    put_signature(b, sig);
    if (type == 'g')
        put_signature(b, value);
    else
        put_string(b, base, value);
}

static void set_u32(struct buf *b, size_t at, uint32_t v)
{
    memcpy(b->p + at, &v, 4);
}

void bus_call(struct buf *out, uint32_t serial, const char *member, const char *arg)
{
    size_t base = out->len;
    buf_putc(out, host_little() ? 'l' : 'B');
    buf_putc(out, BUS_METHOD_CALL);
    buf_putc(out, 0); /* flags: a reply is wanted */
    buf_putc(out, 1); /* protocol version */
    size_t body_len_at = out->len;
    put_u32(out, base, 0);
    put_u32(out, base, serial);
    size_t fields_len_at = out->len;
    put_u32(out, base, 0);
    size_t fields = out->len;
    put_field(out, base, FIELD_PATH, 'o', "/org/freedesktop/DBus");
    put_field(out, base, FIELD_DESTINATION, 's', "org.freedesktop.DBus");
    put_field(out, base, FIELD_INTERFACE, 's', "org.freedesktop.DBus");
    put_field(out, base, FIELD_MEMBER, 's', member);
    if (arg)
        put_field(out, base, FIELD_SIGNATURE, 'g', "s");
    set_u32(out, fields_len_at, (uint32_t)(out->len - fields));
    pad(out, base, 8); /* the body starts on a multiple of 8 */
    size_t body = out->len;
    if (arg)
        put_string(out, base, arg);
    set_u32(out, body_len_at, (uint32_t)(out->len - body));
}

/* --- reading --- */

struct reader {
    const unsigned char *p;
    size_t at, end;
    bool swap;
};

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) / a * a;
}

static bool get_u32(struct reader *r, uint32_t *v)
{
    r->at = align_up(r->at, 4);
    if (r->at + 4 > r->end)
        return false;
    uint32_t x;
    memcpy(&x, r->p + r->at, 4);
    *v = r->swap ? __builtin_bswap32(x) : x;
    r->at += 4;
    return true;
}

/* A string ('s', 'o'): copied into out (cut to fit) when out is given */
static bool get_string(struct reader *r, char *out, size_t size)
{
    uint32_t len;
    if (!get_u32(r, &len) || len > r->end - r->at || r->at + len >= r->end || r->p[r->at + len] != 0)
        return false;
    if (out)
        snprintf(out, size, "%.*s", (int)len, (const char *)r->p + r->at);
    r->at += len + 1;
    return true;
}

static bool get_signature(struct reader *r, char *out, size_t size)
{
    if (r->at >= r->end)
        return false;
    size_t len = r->p[r->at];
    if (r->at + 1 + len >= r->end || r->p[r->at + 1 + len] != 0)
        return false;
    if (out)
        snprintf(out, size, "%.*s", (int)len, (const char *)r->p + r->at + 1);
    r->at += len + 2;
    return true;
}

/* A header field's value of a basic type; the ones oya wants are kept */
static bool get_field(struct reader *r, unsigned code, char type, struct bus_msg *m, char *sig, size_t sig_size)
{
    uint32_t u;
    switch (type) {
    case 's':
    case 'o':
        return get_string(r, code == FIELD_MEMBER ? m->member : code == FIELD_INTERFACE ? m->interface : NULL,
                          code == FIELD_MEMBER ? sizeof(m->member) : sizeof(m->interface));
    case 'g': return get_signature(r, code == FIELD_SIGNATURE ? sig : NULL, sig_size);
    case 'u':
        if (!get_u32(r, &u))
            return false;
        if (code == FIELD_REPLY_SERIAL)
            m->reply_serial = u;
        return true;
    case 'y': r->at++; return r->at <= r->end;
    case 'b':
    case 'i':
    case 'h': return get_u32(r, &u);
    case 'x':
    case 't':
    case 'd':
        r->at = align_up(r->at, 8) + 8;
        return r->at <= r->end;
    default: return false; /* containers never stand in a header field */
    }
}

long bus_parse(const char *in, size_t n, struct bus_msg *m)
{
    if (n < 16)
        return 0;
    const unsigned char *p = (const unsigned char *)in;
    if ((p[0] != 'l' && p[0] != 'B') || p[3] != 1)
        return -EBADMSG;
    struct reader r = {p, 4, 16, (p[0] == 'l') != host_little()};
    uint32_t body_len, serial, fields_len;
    get_u32(&r, &body_len);
    get_u32(&r, &serial);
    get_u32(&r, &fields_len);
    if (fields_len > BUS_MAX_MESSAGE || body_len > BUS_MAX_MESSAGE)
        return -EBADMSG;
    size_t fields_end = 16 + (size_t)fields_len, body = align_up(fields_end, 8), total = body + body_len;
    if (total > BUS_MAX_MESSAGE)
        return -EBADMSG;
    if (n < total)
        return 0;
    memset(m, 0, sizeof(*m));
    m->type = (enum bus_type)p[1];
    m->serial = serial;
    char sig[256] = "";
    r.at = 16;
    r.end = fields_end;
    while ((r.at = align_up(r.at, 8)) < fields_end) {
        unsigned code = p[r.at++];
        char type[4];
        if (!get_signature(&r, type, sizeof(type)) || strlen(type) != 1 ||
            !get_field(&r, code, type[0], m, sig, sizeof(sig)))
            return -EBADMSG;
    }
    /* the body's leading string arguments (NameOwnerChanged: name, old owner, new owner) */
    r.at = body;
    r.end = total;
    for (const char *t = sig; (*t == 's' || *t == 'o') && m->nargs < 3; t++) {
        if (!get_string(&r, m->args[m->nargs], sizeof(m->args[0])))
            return -EBADMSG;
        m->nargs++;
    }
    return (long)total;
}

bool bus_name_valid(const char *name)
{
    size_t n = strlen(name), elements = 1;
    if (n == 0 || n > 255 || name[0] == '.' || name[0] == ':')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c == '.') {
            if (name[i + 1] == '.' || name[i + 1] == 0 || (name[i + 1] >= '0' && name[i + 1] <= '9'))
                return false;
            elements++;
        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                     c == '-')) {
            return false;
        }
    }
    return elements >= 2 && !(name[0] >= '0' && name[0] <= '9');
}
