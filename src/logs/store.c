/* logs/store: records, the ring and the files (see store.h for the line format). */
#include "store.h"

#include "../unit/unit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const stream_names[] = {"out", "err", "oya", "syslog"};

const char *log_stream_name(enum log_stream_kind s)
{
    return stream_names[s];
}

void log_rec_format(struct buf *b, const struct log_rec *r)
{
    /* the date and time of the second, made once per second: a flood formats millions of records */
    static time_t last = -1;
    static char when[80];
    time_t t = (time_t)(r->usec / USEC_PER_SEC);
    if (t != last) {
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        last = t;
    }
    /* by hand: this runs for every line of a flood */
    char head[128];
    size_t n = strlen(when);
    memcpy(head, when, n);
    head[n++] = '.';
    unsigned us = (unsigned)(r->usec % USEC_PER_SEC);
    for (int i = 5; i >= 0; i--, us /= 10)
        head[n + (size_t)i] = (char)('0' + us % 10);
    n += 6;
    head[n++] = 'Z';
    head[n++] = ' ';
    size_t sl = strlen(stream_names[r->stream]);
    memcpy(head + n, stream_names[r->stream], sl);
    n += sl;
    head[n++] = ' ';
    head[n++] = (char)('0' + (r->prio & 7));
    head[n++] = ' ';
    char digits[16];
    int nd = 0;
    unsigned pid = r->pid > 0 ? (unsigned)r->pid : 0;
    do
        digits[nd++] = (char)('0' + pid % 10);
    while ((pid /= 10) && nd < 15);
    while (nd)
        head[n++] = digits[--nd];
    head[n++] = ' ';
    buf_add(b, head, n);
    /* one record, one line of text: a newline becomes a space, a NUL is written \x00 (and a backslash
     * that would read as such an escape stays as it is: the text is for people and grep, not a codec) */
    const char *q = r->text, *end = r->text + r->text_len;
    while (q < end) {
        /* the next NUL or newline (memchr: most lines have neither, and go in one copy) */
        const char *nul = memchr(q, 0, (size_t)(end - q)), *nl = memchr(q, '\n', (size_t)(end - q));
        const char *stop = !nul ? nl : !nl ? nul : nul < nl ? nul : nl;
        if (!stop) {
            buf_add(b, q, (size_t)(end - q));
            break;
        }
        buf_add(b, q, (size_t)(stop - q));
        buf_puts(b, *stop == 0 ? "\\x00" : " ");
        q = stop + 1;
    }
    buf_putc(b, '\n');
}

/* n decimal digits at p into *v; false if any is not a digit */
static bool digits(const char *p, int n, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        *v = *v * 10 + (unsigned)(p[i] - '0');
    }
    return true;
}

bool log_rec_parse(const char *line, size_t n, struct log_rec *r)
{
    /* 2026-11-30T12:35:18.123456Z = 27 bytes */
    unsigned y, mo, d, h, mi, s, us;
    if (n < 28 || line[4] != '-' || line[7] != '-' || line[10] != 'T' || line[13] != ':' || line[16] != ':' ||
        line[19] != '.' || line[26] != 'Z' || line[27] != ' ' || !digits(line, 4, &y) || !digits(line + 5, 2, &mo) ||
        !digits(line + 8, 2, &d) || !digits(line + 11, 2, &h) || !digits(line + 14, 2, &mi) ||
        !digits(line + 17, 2, &s) || !digits(line + 20, 6, &us))
        return false;
    struct tm tm = {.tm_year = (int)y - 1900, .tm_mon = (int)mo - 1, .tm_mday = (int)d, .tm_hour = (int)h,
                    .tm_min = (int)mi, .tm_sec = (int)s};
    time_t t = timegm(&tm);
    if (t < 0)
        return false;
    r->usec = (uint64_t)t * USEC_PER_SEC + us;
    const char *p = line + 28, *end = line + n;
    size_t k = 0;
    while (k < ARRAY_SIZE(stream_names) && (size_t)(end - p) >= strlen(stream_names[k]) + 1 &&
           !(memcmp(p, stream_names[k], strlen(stream_names[k])) == 0 && p[strlen(stream_names[k])] == ' '))
        k++;
    if (k == ARRAY_SIZE(stream_names))
        return false;
    r->stream = (enum log_stream_kind)k;
    p += strlen(stream_names[k]) + 1;
    if (p + 2 > end || p[0] < '0' || p[0] > '7' || p[1] != ' ')
        return false;
    r->prio = p[0] - '0';
    p += 2;
    long pid = 0;
    const char *q = p;
    while (q < end && *q >= '0' && *q <= '9' && pid < 100000000)
        pid = pid * 10 + (*q++ - '0');
    if (q == p || q >= end || *q != ' ')
        return false;
    r->pid = (int)pid;
    r->text = q + 1;
    r->text_len = (size_t)(end - (q + 1));
    return true;
}

int log_prio_prefix(const char **text, size_t *n)
{
    const char *t = *text;
    if (*n >= 3 && t[0] == '<' && t[1] >= '0' && t[1] <= '7' && t[2] == '>') {
        *text += 3;
        *n -= 3;
        return t[1] - '0';
    }
    return -1;
}

int log_prio_from_name(const char *s)
{
    static const char *const names[] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
    for (int i = 0; i < 8; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    if (s[0] >= '0' && s[0] <= '7' && !s[1])
        return s[0] - '0';
    return -1;
}

/* --- the ring --- */

/* out of memory: the ring stays as it is (the oldest lines make room, counted as dropped) */
static void ring_grow(struct log_ring *r, size_t want)
{
    size_t cap = r->cap ? r->cap : 16384;
    while (cap < want)
        cap *= 2;
    char *p = mem_alloc(cap);
    if (!p)
        return;
    size_t first = r->len < r->cap - r->start ? r->len : r->cap - r->start;
    if (r->len) {
        memcpy(p, r->p + r->start, first);
        memcpy(p + first, r->p, r->len - first);
    }
    free(r->p);
    r->p = p;
    r->cap = cap;
    r->start = 0;
}

/* drop the oldest line: look for its newline in the part before the wrap, then after it */
static void ring_drop(struct log_ring *r)
{
    size_t first = r->len < r->cap - r->start ? r->len : r->cap - r->start;
    const char *nl = memchr(r->p + r->start, '\n', first);
    size_t k;
    if (nl) {
        k = (size_t)(nl - (r->p + r->start)) + 1;
    } else {
        nl = memchr(r->p, '\n', r->len - first);
        k = nl ? first + (size_t)(nl - r->p) + 1 : r->len;
    }
    r->start = (r->start + k) % r->cap;
    r->len -= k;
    r->dropped++;
}

void log_ring_add(struct log_ring *r, const char *line, size_t n, size_t max)
{
    if (n > max || !n)
        return;
    if (r->len + n > r->cap && r->cap < max)
        ring_grow(r, r->len + n < max ? r->len + n : max);
    if (n > r->cap) {
        r->dropped++; /* no room even alone: memory was short */
        return;
    }
    while (r->len + n > r->cap)
        ring_drop(r);
    size_t end = (r->start + r->len) % r->cap;
    size_t first = n < r->cap - end ? n : r->cap - end;
    memcpy(r->p + end, line, first);
    memcpy(r->p, line + first, n - first);
    r->len += n;
}

void log_ring_copy(const struct log_ring *r, struct buf *out)
{
    if (!r->len)
        return;
    size_t first = r->len < r->cap - r->start ? r->len : r->cap - r->start;
    buf_add(out, r->p + r->start, first);
    buf_add(out, r->p, r->len - first);
}

void log_ring_free(struct log_ring *r)
{
    free(r->p);
    memset(r, 0, sizeof(*r));
}

/* --- files --- */

static int make_dirs(const char *dir)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
        return -ENAMETOOLONG;
    int r = 0;
    for (char *slash = strchr(p + 1, '/');; slash = strchr(slash + 1, '/')) {
        if (slash)
            *slash = 0;
        if (mkdir(p, 0755) < 0 && errno != EEXIST) {
            r = -errno;
            break;
        }
        if (!slash)
            break;
        *slash = '/';
    }
    return r;
}

int log_file_open(struct log_file *f, const char *dir, const char *name)
{
    f->fd = -1;
    int r = make_dirs(dir);
    if (r < 0)
        return r;
    free(f->path);
    f->path = mem_asprintf("%s/%s.log", dir, name);
    if (!f->path)
        return -ENOMEM;
    f->fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0640);
    if (f->fd < 0)
        return -errno;
    struct stat st;
    f->size = fstat(f->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    return 0;
}

/* NAME.log.(k) -> .(k+1), oldest beyond keep removed, NAME.log -> NAME.log.1, a new NAME.log */
static int rotate(struct log_file *f, const struct log_file_opts *o)
{
    char from[PATH_MAX + 16], to[PATH_MAX + 16];
    size_t n = sizeof(from);
    if (o->keep) {
        snprintf(from, n, "%s.%u", f->path, o->keep);
        unlink(from);
        for (unsigned k = o->keep - 1; k >= 1; k--) {
            snprintf(from, n, "%s.%u", f->path, k);
            snprintf(to, n, "%s.%u", f->path, k + 1);
            rename(from, to);
        }
        snprintf(to, n, "%s.1", f->path);
        rename(f->path, to);
    } else {
        unlink(f->path);
    }
    fd_close(&f->fd);
    f->fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0640);
    f->size = 0;
    return f->fd < 0 ? -errno : 0;
}

int log_file_write(struct log_file *f, const char *data, size_t n, const struct log_file_opts *o)
{
    /* whole lines, as many as the file has room for; then a new file (a line longer than a whole file
     * is written alone into a new one) */
    while (n > 0) {
        if (f->fd < 0)
            return -EBADF;
        size_t take = n;
        if (f->size + n > o->max_size) {
            size_t room = f->size < o->max_size ? (size_t)(o->max_size - f->size) : 0;
            const char *cut = NULL;
            for (const char *q = data; q < data + room && (q = memchr(q, '\n', (size_t)(data + room - q))); q++)
                cut = q;
            if (cut) {
                take = (size_t)(cut - data) + 1;
            } else if (f->size) {
                int r = rotate(f, o);
                if (r < 0)
                    return r;
                continue;
            } else {
                const char *nl = memchr(data, '\n', n);
                take = nl ? (size_t)(nl - data) + 1 : n;
            }
        }
        int r = fd_write_all(f->fd, data, take);
        if (r < 0)
            return r;
        f->size += take;
        data += take;
        n -= take;
        if (n > 0) {
            r = rotate(f, o);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

void log_file_close(struct log_file *f)
{
    fd_close(&f->fd);
    free(f->path);
    f->path = NULL;
}

/* --- syslog messages --- */

/* the next space-separated word of [*p, end) */
static bool word(const char **p, const char *end, const char **w, size_t *n)
{
    const char *q = *p;
    if (q >= end)
        return false;
    const char *sp = memchr(q, ' ', (size_t)(end - q));
    *w = q;
    *n = sp ? (size_t)(sp - q) : (size_t)(end - q);
    *p = sp ? sp + 1 : end;
    return *n > 0;
}

static int parse_pid(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > 10000000)
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool log_syslog_parse(const char *msg, size_t n, int *prio, char *tag, size_t tag_size, int *pid,
                      const char **text, size_t *text_len)
{
    const char *p = msg, *end = msg + n;
    while (end > p && (end[-1] == '\n' || end[-1] == 0))
        end--;
    if (p >= end || *p != '<')
        return false;
    int pri = 0;
    size_t digits_n = 0;
    for (p++; p < end && *p >= '0' && *p <= '9' && digits_n < 3; p++, digits_n++)
        pri = pri * 10 + (*p - '0');
    if (!digits_n || p >= end || *p != '>' || pri > 191)
        return false;
    p++;
    *prio = pri & 7;
    *pid = 0;
    tag[0] = 0;
    if (end - p >= 2 && p[0] == '1' && p[1] == ' ') { /* RFC 5424 */
        p += 2;
        const char *f[5];
        size_t fn[5];
        for (int i = 0; i < 5; i++)
            if (!word(&p, end, &f[i], &fn[i]))
                return false;
        if (!(fn[2] == 1 && f[2][0] == '-'))
            snprintf(tag, tag_size, "%.*s", (int)fn[2], f[2]);
        *pid = parse_pid(f[3], fn[3]);
        /* structured data: "-" or [..][..] (a ']' inside is escaped \]) */
        if (p < end && *p == '-') {
            p++;
        } else {
            while (p < end && *p == '[') {
                for (p++; p < end && *p != ']'; p++)
                    if (*p == '\\' && p + 1 < end)
                        p++;
                if (p < end)
                    p++;
            }
        }
        if (p < end && *p == ' ')
            p++;
        if (end - p >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
            p += 3; /* a UTF-8 BOM */
        *text = p;
        *text_len = (size_t)(end - p);
        return true;
    }
    /* RFC 3164: an optional "Mmm dd hh:mm:ss " timestamp, then TAG[PID]: */
    if (end - p >= 16 && p[3] == ' ' && p[6] == ' ' && p[9] == ':' && p[12] == ':' && p[15] == ' ')
        p += 16;
    const char *colon = memchr(p, ':', (size_t)(end - p));
    const char *tag_end = colon;
    if (colon) {
        for (const char *q = p; q < colon; q++)
            if (*q == ' ') { /* a tag holds no space: this colon is the message's */
                tag_end = NULL;
                break;
            }
    }
    if (tag_end) {
        const char *br = memchr(p, '[', (size_t)(tag_end - p));
        if (br && tag_end[-1] == ']')
            *pid = parse_pid(br + 1, (size_t)(tag_end - 1 - (br + 1)));
        snprintf(tag, tag_size, "%.*s", (int)((br ? br : tag_end) - p), p);
        p = tag_end + 1;
        if (p < end && *p == ' ')
            p++;
    }
    *text = p;
    *text_len = (size_t)(end - p);
    return true;
}

/* --- time for people --- */

int log_time_parse(const char *s, uint64_t now, uint64_t *out)
{
    time_t t = (time_t)(now / USEC_PER_SEC);
    struct tm tm;
    localtime_r(&t, &tm);
    if (strcmp(s, "now") == 0) {
        *out = now;
        return 0;
    }
    if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0 || strcmp(s, "tomorrow") == 0) {
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        tm.tm_mday += s[0] == 'y' ? -1 : s[2] == 'm' ? 1 : 0;
        tm.tm_isdst = -1;
        *out = (uint64_t)mktime(&tm) * USEC_PER_SEC;
        return 0;
    }
    if (s[0] == '-' || s[0] == '+') {
        uint64_t span;
        if (unit_parse_timespan(s + 1, &span) < 0 || span == USEC_INFINITY)
            return -EINVAL;
        *out = s[0] == '-' ? (span > now ? 0 : now - span) : now + span;
        return 0;
    }
    /* [YYYY-MM-DD][ HH:MM[:SS]] in local time */
    unsigned y, mo, d, h = 0, mi = 0, sec = 0;
    const char *p = s;
    size_t n = strlen(s);
    bool date = n >= 10 && p[4] == '-' && p[7] == '-' && digits(p, 4, &y) && digits(p + 5, 2, &mo) &&
                digits(p + 8, 2, &d);
    if (date) {
        tm.tm_year = (int)y - 1900;
        tm.tm_mon = (int)mo - 1;
        tm.tm_mday = (int)d;
        p += 10;
        if (*p == ' ' || *p == 'T')
            p++;
        else if (*p)
            return -EINVAL;
    }
    if (*p) {
        size_t m = strlen(p);
        if (m < 5 || p[2] != ':' || !digits(p, 2, &h) || !digits(p + 3, 2, &mi))
            return -EINVAL;
        if (m == 8 && p[5] == ':' && digits(p + 6, 2, &sec))
            ;
        else if (m != 5)
            return -EINVAL;
    } else if (!date) {
        return -EINVAL;
    }
    tm.tm_hour = (int)h;
    tm.tm_min = (int)mi;
    tm.tm_sec = (int)sec;
    tm.tm_isdst = -1;
    time_t r = mktime(&tm);
    if (r < 0)
        return -EINVAL;
    *out = (uint64_t)r * USEC_PER_SEC;
    return 0;
}
