/* cli/logs: `oya logs [NAME...]`, as journalctl shows a unit's journal: the services' records merged by
 * time, filtered (-n, --since, --until, -p) and formatted (-o short, short-iso, short-precise, cat, json).
 * The records come from the log files when they can be read (all of them, rotated ones first), else from
 * the running oya's memory; with no oya running, from the files of the log directory. */
#include "cli.h"

#include "../logs/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum log_fmt { FMT_SHORT, FMT_SHORT_ISO, FMT_SHORT_PRECISE, FMT_CAT, FMT_JSON };

struct entry {
    struct log_rec r;
    const char *ident, *name;
    size_t seq;
};

struct entries {
    struct entry *v;
    size_t n, cap;
    struct strv texts; /* the lines the records point into */
};

static void add_entry(struct entries *e, const char *name, const char *ident, const struct log_rec *r)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 256;
        e->v = xrealloc(e->v, e->cap * sizeof(*e->v));
    }
    e->v[e->n] = (struct entry){*r, ident, name, e->n};
    e->n++;
}

static void add_lines(struct entries *e, const char *name, const char *ident, const char *text, size_t len)
{
    char *own = xstrndup(text, len);
    strv_push(&e->texts, own);
    for (char *line = own; *line;) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        struct log_rec r;
        if (log_rec_parse(line, n, &r))
            add_entry(e, name, ident, &r);
        line += n + (nl ? 1 : 0);
    }
}

static int by_time(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->r.usec != y->r.usec)
        return x->r.usec < y->r.usec ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Every file of one service, oldest first: NAME.log.K .. NAME.log.1, NAME.log. false if none exists. */
struct opts;
static bool wanted(const struct opts *o, const struct log_rec *r);

/* The last records of one file that pass the filters, until want of them are found: read backwards 64 KiB
 * at a time, so the tail of a large log costs what the tail holds, not the file. Returns how many. */
static size_t tail_file(struct entries *e, const char *path, const char *name, const char *ident, size_t want,
                        const struct opts *o)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    off_t pos = lseek(fd, 0, SEEK_END);
    size_t found = 0;
    struct buf carry = {0}; /* the start of a line whose end the later chunk held */
    while (pos > 0 && found < want) {
        size_t len = pos > 65536 ? 65536 : (size_t)pos;
        pos -= (off_t)len;
        char *text = xmalloc(len + carry.len + 1);
        ssize_t got = pread(fd, text, len, pos);
        if (got != (ssize_t)len) {
            free(text);
            break;
        }
        memcpy(text + len, carry.p ? carry.p : "", carry.len);
        size_t n = len + carry.len;
        text[n] = 0;
        /* before the first newline: a line that began earlier, unless this is the file's start */
        size_t first = 0;
        if (pos > 0) {
            const char *nl = memchr(text, '\n', n);
            first = nl ? (size_t)(nl - text) + 1 : n;
        }
        carry.len = 0;
        buf_add(&carry, text, first);
        strv_push(&e->texts, text);
        size_t end = n;
        while (end > first && found < want) {
            size_t stop = end;
            if (text[stop - 1] == '\n')
                stop--;
            size_t begin = stop;
            while (begin > first && text[begin - 1] != '\n')
                begin--;
            struct log_rec r;
            if (stop > begin && log_rec_parse(text + begin, stop - begin, &r) && wanted(o, &r)) {
                add_entry(e, name, ident, &r);
                found++;
            }
            end = begin;
        }
    }
    buf_free(&carry);
    close(fd);
    return found;
}

static char *log_path(const char *dir, const char *name, int k)
{
    return k ? xasprintf("%s/%s.log.%d", dir, name, k) : xasprintf("%s/%s.log", dir, name);
}

/* Every file of one service (want 0), oldest first; or only its last want records that pass the filters,
 * newest file first. false if it has no file. */
static bool read_files(struct entries *e, const char *dir, const char *name, const char *ident, size_t want,
                       const struct opts *o)
{
    int rotated = 0;
    for (;; rotated++) {
        char *path = log_path(dir, name, rotated + 1);
        bool there = access(path, R_OK) == 0;
        free(path);
        if (!there)
            break;
    }
    bool any = false;
    if (want) {
        size_t found = 0, from = e->n;
        for (int k = 0; k <= rotated && found < want; k++) {
            char *path = log_path(dir, name, k);
            any = any || access(path, R_OK) == 0;
            found += tail_file(e, path, name, ident, want - found, o);
            free(path);
        }
        /* they came newest first: put them back in the order they were written (records of the same
         * microsecond keep it through the sort) */
        for (size_t i = from, j = e->n; i + 1 < j; i++, j--) {
            struct entry t = e->v[i];
            e->v[i] = e->v[j - 1];
            e->v[j - 1] = t;
        }
        for (size_t i = from; i < e->n; i++)
            e->v[i].seq = i;
        return any;
    }
    for (int k = rotated; k >= 0; k--) {
        char *path = log_path(dir, name, k);
        struct buf b = {0};
        if (access(path, R_OK) == 0 && file_read_to_buf(path, &b) == 0) {
            add_lines(e, name, ident, b.p ? b.p : "", b.len);
            any = true;
        }
        buf_free(&b);
        free(path);
    }
    return any;
}

/* The names of the services with a log file in dir */
static void names_in_dir(const char *dir, struct strv *names)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *de; (de = readdir(d));)
        if (de->d_name[0] != '.' && str_endswith(de->d_name, ".log"))
            strv_push(names, xstrndup(de->d_name, strlen(de->d_name) - 4));
    closedir(d);
}

static void json_field(struct buf *out, const char *key, const char *value, bool *first)
{
    buf_printf(out, "%s\"%s\":", *first ? "" : ",", key);
    json_quote(out, value);
    *first = false;
}

void cli_log_line(const struct cli *c, struct buf *out, const struct log_rec *r, const char *ident,
                  const char *unit, int fmt, const char *host)
{
    char *text = xstrndup(r->text, r->text_len);
    if (fmt == FMT_JSON) {
        char num[32];
        bool first = true;
        buf_putc(out, '{');
        snprintf(num, sizeof(num), "%llu", (unsigned long long)r->usec);
        json_field(out, "__REALTIME_TIMESTAMP", num, &first);
        json_field(out, "_HOSTNAME", host, &first);
        json_field(out, "SYSLOG_IDENTIFIER", r->stream == LOG_OYA ? "oya" : ident, &first);
        snprintf(num, sizeof(num), "%d", r->pid);
        json_field(out, "_PID", num, &first);
        snprintf(num, sizeof(num), "%d", r->prio);
        json_field(out, "PRIORITY", num, &first);
        if (unit[0] != '@') { /* "@oya", oya's own log, is no unit */
            char *u = xasprintf("%s.service", unit);
            json_field(out, r->stream == LOG_OYA ? "UNIT" : "_SYSTEMD_UNIT", u, &first);
            free(u);
        }
        json_field(out, "_TRANSPORT", r->stream == LOG_OYA ? "journal" : "stdout", &first);
        json_field(out, "OYA_STREAM", log_stream_name(r->stream), &first);
        json_field(out, "MESSAGE", text, &first);
        buf_puts(out, "}\n");
        free(text);
        return;
    }
    const char *on = "", *off = "";
    if (c->color && (r->prio <= 3 || r->stream == LOG_ERR))
        on = r->prio <= 3 ? "\033[1;31m" : "\033[31m", off = "\033[0m";
    else if (c->color && r->prio == 4)
        on = "\033[1;33m", off = "\033[0m";
    if (fmt == FMT_CAT) {
        buf_printf(out, "%s%s%s\n", on, text, off);
        free(text);
        return;
    }
    time_t t = (time_t)(r->usec / USEC_PER_SEC);
    struct tm tm;
    localtime_r(&t, &tm);
    char when[64];
    if (fmt == FMT_SHORT_ISO)
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", &tm);
    else
        strftime(when, sizeof(when), "%b %d %H:%M:%S", &tm);
    if (fmt == FMT_SHORT_PRECISE) {
        size_t n = strlen(when);
        snprintf(when + n, sizeof(when) - n, ".%06u", (unsigned)(r->usec % USEC_PER_SEC));
    }
    buf_printf(out, "%s %s %s[%d]: %s%s%s\n", when, host, r->stream == LOG_OYA ? "oya" : ident, r->pid, on, text,
               off);
    free(text);
}

static int usage(FILE *f, int code)
{
    fprintf(f, "usage: oya logs [-u] [NAME...] [-n N] [--since TIME] [--until TIME] [-p PRIORITY[..PRIORITY]]\n"
               "                [-o short|short-iso|short-precise|cat|json] [-D DIR] [--no-hostname]\n"
               "What the services said (stdout and stderr) and what oya said of them, merged by time, as\n"
               "journalctl -u shows a unit's journal. TIME: \"2026-11-30 12:00:00\", 12:00, -10min, today,\n"
               "yesterday. -D reads the log files of DIR (default: the running oya's, else /var/log/oya).\n");
    return code;
}

struct opts {
    bool follow;
    struct strv names;
    long long lines; /* -1: all */
    uint64_t since, until;
    int prio_min, prio_max;
    int fmt;
    char dir[4096];
    bool dir_given;
};

static int parse_prio(const char *v, struct opts *o)
{
    const char *dots = strstr(v, "..");
    char a[32], b[32];
    if (dots) {
        snprintf(a, sizeof(a), "%.*s", (int)(dots - v), v);
        snprintf(b, sizeof(b), "%s", dots + 2);
    } else {
        snprintf(a, sizeof(a), "0");
        snprintf(b, sizeof(b), "%s", v);
    }
    int x = log_prio_from_name(a), y = log_prio_from_name(b);
    if (x < 0 || y < 0)
        return -1;
    o->prio_min = x < y ? x : y;
    o->prio_max = x < y ? y : x;
    return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    static const char *const fmts[] = {"short", "short-iso", "short-precise", "cat", "json"};
    uint64_t now = clock_real_usec();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        bool needs = !strcmp(a, "-n") || !strcmp(a, "--lines") || !strcmp(a, "-u") || !strcmp(a, "--unit") ||
                     !strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "-p") || !strcmp(a, "--priority") ||
                     !strcmp(a, "--since") || !strcmp(a, "-S") || !strcmp(a, "--until") || !strcmp(a, "-U") ||
                     !strcmp(a, "-D") || !strcmp(a, "--directory");
        if (needs) {
            if (i + 1 >= argc) {
                fprintf(stderr, "oya logs: %s needs a value\n", a);
                return 2;
            }
            v = argv[++i];
        } else if (a[0] == '-' && a[1] == '-' && strchr(a, '=')) {
            static char key[32];
            snprintf(key, sizeof(key), "%.*s", (int)(strchr(a, '=') - a), a);
            v = strchr(a, '=') + 1;
            a = key;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            return usage(stdout, 0) - 1; /* -1: done, exit 0 */
        } else if (!strcmp(a, "--no-hostname") || !strcmp(a, "--no-pager")) {
            continue;
        } else if (!strcmp(a, "-f") || !strcmp(a, "--follow")) {
            o->follow = true;
        } else if (!strcmp(a, "-n") || !strcmp(a, "--lines")) {
            uint64_t n;
            if (!str_to_u64(v, &n) || n > 100000000) {
                fprintf(stderr, "oya logs: -n %s: give a number of lines\n", v);
                return 2;
            }
            o->lines = (long long)n;
        } else if (!strcmp(a, "-u") || !strcmp(a, "--unit")) {
            char *name = xstrdup(v);
            if (str_endswith(name, ".service"))
                name[strlen(name) - 8] = 0;
            strv_push(&o->names, name);
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            o->fmt = -1;
            for (int k = 0; k < 5; k++)
                if (!strcmp(v, fmts[k]))
                    o->fmt = k;
            if (o->fmt < 0) {
                fprintf(stderr, "oya logs: -o %s: use short, short-iso, short-precise, cat or json\n", v);
                return 2;
            }
        } else if (!strcmp(a, "-p") || !strcmp(a, "--priority")) {
            if (parse_prio(v, o) < 0) {
                fprintf(stderr, "oya logs: -p %s: use emerg, alert, crit, err, warning, notice, info, debug "
                                "(or 0-7), or a range like warning..err\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--since") || !strcmp(a, "-S") || !strcmp(a, "--until") || !strcmp(a, "-U")) {
            uint64_t t;
            if (log_time_parse(v, now, &t) < 0) {
                fprintf(stderr, "oya logs: %s %s: not a time; use \"2026-11-30 12:00:00\", 12:00, -10min, today\n",
                        a, v);
                return 2;
            }
            *(a[2] == 's' || a[1] == 'S' ? &o->since : &o->until) = t;
        } else if (!strcmp(a, "-D") || !strcmp(a, "--directory")) {
            snprintf(o->dir, sizeof(o->dir), "%s", v);
            o->dir_given = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "oya logs: unknown option %s; see oya logs --help\n", a);
            return 2;
        } else {
            char *name = xstrdup(a);
            if (str_endswith(name, ".service"))
                name[strlen(name) - 8] = 0;
            strv_push(&o->names, name);
        }
    }
    return 0;
}

static bool wanted(const struct opts *o, const struct log_rec *r)
{
    return r->usec >= o->since && r->usec <= o->until && r->prio >= o->prio_min && r->prio <= o->prio_max;
}

struct follow_ctx {
    const struct cli *c;
    const struct opts *o;
    const struct ctl_reply *rep;
    char host[256];
    int rc;
};

/* The first part of a followed log: the last lines each service's memory holds, merged */
static void follow_start(void *ctx, const struct ctl_reply *rep)
{
    struct follow_ctx *f = ctx;
    f->rep = rep;
    if (!rep->ok) {
        fprintf(stderr, "oya: %s\n", rep->error ? rep->error : "no reply");
        f->rc = 4;
        return;
    }
    struct entries e = {0};
    for (size_t i = 1; i < rep->n; i++) {
        const struct ctl_record *r = &rep->recs[i];
        for (size_t k = 0; k < r->keys.n; k++)
            if (!strcmp(r->keys.v[k], "line"))
                add_lines(&e, ctl_get(r, "name"), ctl_get(r, "identifier"), r->values.v[k], strlen(r->values.v[k]));
    }
    qsort(e.v, e.n, sizeof(*e.v), by_time);
    size_t kept = 0;
    for (size_t i = 0; i < e.n; i++)
        if (wanted(f->o, &e.v[i].r))
            e.v[kept++] = e.v[i];
    long long n = f->o->lines < 0 ? 10 : f->o->lines;
    struct buf out = {0};
    for (size_t i = (size_t)n < kept ? kept - (size_t)n : 0; i < kept; i++)
        cli_log_line(f->c, &out, &e.v[i].r, e.v[i].ident, e.v[i].name, f->o->fmt, f->host);
    fd_write_all(1, out.p, out.len);
    buf_free(&out);
    strv_clear(&e.texts);
    free(e.v);
}

/* One record as it is logged: "rec NAME LINE"; or "dropped N" when this reader fell behind */
static void follow_line(void *ctx, struct strv *fl)
{
    struct follow_ctx *f = ctx;
    if (fl->n == 2 && !strcmp(fl->v[0], "dropped")) {
        fprintf(stderr, "oya logs: %s records were not shown: this reader did not keep up\n", fl->v[1]);
        return;
    }
    struct log_rec r;
    if (fl->n != 3 || strcmp(fl->v[0], "rec") != 0 || !log_rec_parse(fl->v[2], strlen(fl->v[2]), &r) ||
        !wanted(f->o, &r))
        return;
    const char *ident = fl->v[1];
    for (size_t i = 1; f->rep && i < f->rep->n; i++)
        if (!strcmp(ctl_get(&f->rep->recs[i], "name"), fl->v[1]))
            ident = ctl_get(&f->rep->recs[i], "identifier");
    struct buf out = {0};
    cli_log_line(f->c, &out, &r, ident, fl->v[1], f->o->fmt, f->host);
    fd_write_all(1, out.p, out.len);
    buf_free(&out);
}

/* oya logs -f: the last lines, then each new record as oya records it, until oya exits or ^C */
static int follow(struct cli *c, const struct opts *o)
{
    struct follow_ctx f = {.c = c, .o = o};
    snprintf(f.host, sizeof(f.host), "localhost");
    gethostname(f.host, sizeof(f.host) - 1);
    struct strv fields = {0};
    strv_add(&fields, "logs");
    strv_add(&fields, "--follow");
    strv_push(&fields, xasprintf("%lld", o->lines < 0 ? 10 : o->lines));
    for (size_t i = 0; i < o->names.n; i++)
        strv_add(&fields, o->names.v[i]);
    struct ctl_reply rep;
    struct buf err = {0};
    int r = ctl_follow(c->socket, c->socket_private, fields.v, fields.n, &rep, follow_start, follow_line, &f, &err);
    if (r < 0 && !f.rc) {
        fprintf(stderr, "oya: %s\n", err.p ? err.p : strerror(-r));
        f.rc = 1;
    }
    ctl_reply_free(&rep);
    buf_free(&err);
    strv_clear(&fields);
    return f.rc;
}

int cli_logs(struct cli *c, int argc, char **argv)
{
    struct opts o = {.lines = -1, .until = UINT64_MAX, .prio_max = 7};
    int rc = parse_args(argc, argv, &o);
    if (rc) {
        strv_clear(&o.names);
        return rc < 0 ? 0 : rc;
    }
    if (o.follow) {
        if (o.dir_given) {
            fprintf(stderr, "oya logs: -f follows a running oya; -D reads files (use tail -F on them)\n");
            strv_clear(&o.names);
            return 2;
        }
        rc = follow(c, &o);
        strv_clear(&o.names);
        return rc;
    }
    struct entries e = {0};
    char host[256] = "localhost";
    gethostname(host, sizeof(host) - 1);
    /* the running oya says where its files are; its memory serves when they cannot be read */
    struct ctl_reply rep = {0};
    struct strv fields = {0};
    strv_add(&fields, "logs");
    strv_push(&fields, xasprintf("%lld", o.lines < 0 ? 0 : o.lines));
    for (size_t i = 0; i < o.names.n; i++)
        strv_add(&fields, o.names.v[i]);
    struct buf err = {0};
    bool running = !o.dir_given &&
                   ctl_call_default(c->socket, c->socket_private, fields.v, fields.n, &rep, &err) == 0;
    if (running && !rep.ok) {
        fprintf(stderr, "oya: %s\n", rep.error);
        rc = 4;
        goto out;
    }
    if (!o.dir_given) {
        if (running)
            snprintf(o.dir, sizeof(o.dir), "%s", ctl_get(&rep.recs[0], "dir"));
        else
            cli_log_dir_default(o.dir, sizeof(o.dir));
    }
    if (running) {
        for (size_t i = 1; i < rep.n; i++) {
            const struct ctl_record *r = &rep.recs[i];
            const char *name = ctl_get(r, "name"), *ident = ctl_get(r, "identifier");
            if (o.dir[0] && read_files(&e, o.dir, name, ident, o.lines > 0 ? (size_t)o.lines : 0, &o))
                continue;
            for (size_t k = 0; k < r->keys.n; k++)
                if (!strcmp(r->keys.v[k], "line"))
                    add_lines(&e, name, ident, r->values.v[k], strlen(r->values.v[k]));
        }
    } else {
        if (!o.names.n)
            names_in_dir(o.dir, &o.names);
        for (size_t i = 0; i < o.names.n; i++) {
            if (!read_files(&e, o.dir, o.names.v[i], o.names.v[i], o.lines > 0 ? (size_t)o.lines : 0, &o) &&
                o.names.n == 1) {
                fprintf(stderr, "oya logs: no log of %s in %s (and no oya running%s%s)\n", o.names.v[i], o.dir,
                        err.p ? ": " : "", err.p ? err.p : "");
                rc = 1;
                goto out;
            }
        }
    }
    qsort(e.v, e.n, sizeof(*e.v), by_time);
    /* the filters, then the last N of what is left */
    size_t kept = 0;
    for (size_t i = 0; i < e.n; i++) {
        const struct log_rec *r = &e.v[i].r;
        if (wanted(&o, r))
            e.v[kept++] = e.v[i];
    }
    size_t from = o.lines >= 0 && (size_t)o.lines < kept ? kept - (size_t)o.lines : 0;
    struct buf out = {0};
    for (size_t i = from; i < kept; i++)
        cli_log_line(c, &out, &e.v[i].r, e.v[i].ident, e.v[i].name, o.fmt, host);
    fd_write_all(1, out.p, out.len);
    buf_free(&out);
out:
    if (running)
        ctl_reply_free(&rep);
    buf_free(&err);
    strv_clear(&fields);
    strv_clear(&e.texts);
    free(e.v);
    strv_clear(&o.names);
    return rc;
}
