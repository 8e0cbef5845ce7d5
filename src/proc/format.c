/* proc/format: procps-compatible columns, values and line layout for `oya ps`. (Over 800 lines for a
 * reason: every column procps knows, each a printer and a row in one table, and the sort keys beside
 * them.) */
#include "format.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <langinfo.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#define PS_OUTBUF 131072 /* procps's OUTBUF_SIZE: the widest a value may get */
#define PS_SPACE_MAX 144 /* procps pads at most this much at once */

/* ---------- names ---------- */

struct ps_name {
    unsigned id;
    char *name; /* NULL: not in the database */
};
struct ps_names {
    struct ps_name *users, *groups;
    size_t nusers, ngroups;
};

static const char *name_lookup(struct ps_name **tab, size_t *n, unsigned id, bool group)
{
    for (size_t i = 0; i < *n; i++)
        if ((*tab)[i].id == id)
            return (*tab)[i].name;
    char *name = NULL;
    if (group) {
        struct group *g = getgrgid((gid_t)id);
        if (g)
            name = xstrdup(g->gr_name);
    } else {
        struct passwd *pw = getpwuid((uid_t)id);
        if (pw)
            name = xstrdup(pw->pw_name);
    }
    *tab = xrealloc(*tab, (*n + 1) * sizeof(**tab));
    (*tab)[(*n)++] = (struct ps_name){id, name};
    return name;
}

const char *ps_user_name(struct ps_ctx *c, unsigned uid)
{
    return name_lookup(&c->names->users, &c->names->nusers, uid, false);
}

const char *ps_group_name(struct ps_ctx *c, unsigned gid)
{
    return name_lookup(&c->names->groups, &c->names->ngroups, gid, true);
}

void ps_ctx_init(struct ps_ctx *c, int procfd)
{
    memset(c, 0, sizeof(*c));
    c->procfd = procfd;
    proc_read_sys(procfd, &c->sys);
    c->now = time(NULL);
    const char *cs = nl_langinfo(CODESET);
    c->utf8 = cs && strcasecmp(cs, "UTF-8") == 0 && MB_CUR_MAX > 1;
    c->names = xcalloc(1, sizeof(*c->names));
}

void ps_ctx_free(struct ps_ctx *c)
{
    if (!c->names)
        return;
    for (size_t i = 0; i < c->names->nusers; i++)
        free(c->names->users[i].name);
    for (size_t i = 0; i < c->names->ngroups; i++)
        free(c->names->groups[i].name);
    free(c->names->users);
    free(c->names->groups);
    free(c->names);
    c->names = NULL;
}

/* ---------- terminals ---------- */

void ps_tty_name(int tty_nr, char *out, size_t size)
{
    unsigned maj = ((unsigned)tty_nr >> 8) & 0xfff;
    unsigned min = ((unsigned)tty_nr & 0xff) | (((unsigned)tty_nr >> 12) & 0xfff00);
    if (tty_nr == 0) {
        snprintf(out, size, "?");
        return;
    }
    if (maj >= 136 && maj <= 143) {
        snprintf(out, size, "pts/%u", min + (maj - 136) * 256);
        return;
    }
    if (maj == 4) {
        if (min < 64)
            snprintf(out, size, "tty%u", min);
        else
            snprintf(out, size, "ttyS%u", min - 64);
        return;
    }
    if (maj == 5 && min <= 2) {
        snprintf(out, size, "%s", min == 0 ? "tty" : min == 1 ? "console" : "ptmx");
        return;
    }
    /* other drivers: the device node's name, through udev's /dev/char/MAJ:MIN link */
    char link[64], target[256];
    snprintf(link, sizeof(link), "/dev/char/%u:%u", maj, min);
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    if (n > 0) {
        target[n] = 0;
        const char *t = target;
        while (str_startswith(t, "../"))
            t += 3;
        snprintf(out, size, "%s", t);
        return;
    }
    snprintf(out, size, "?");
}

/* ---------- escaping (as procps: '?' for what cannot be printed, cut at a cell budget) ---------- */

/* Copy src into out, escaping, at most *cells screen cells; returns bytes written, takes used cells. */
static int escape_cells(const struct ps_ctx *c, char *out, size_t outsize, const char *src, int *cells)
{
    size_t bytes = 0;
    int used = 0;
    if (outsize == 0 || *cells <= 0) {
        if (outsize)
            out[0] = 0;
        return 0;
    }
    if (c->utf8) {
        mbstate_t st;
        memset(&st, 0, sizeof(st));
        while (used < *cells && bytes + 1 < outsize && *src) {
            wchar_t wc;
            size_t len = mbrtowc(&wc, src, MB_CUR_MAX, &st);
            if (len == (size_t)-1 || len == (size_t)-2) {
                /* procps 4.0 does not reset the conversion state here, so after an invalid byte the
                 * following multi-byte characters come out as one '?' per byte; we print the same */
                out[bytes++] = '?';
                src++;
                used++;
            } else if (len == 1) {
                out[bytes++] = isprint((unsigned char)*src) ? *src : '?';
                src++;
                used++;
            } else if (!iswprint((wint_t)wc)) {
                out[bytes++] = '?';
                src += len;
                used++;
            } else {
                int w = wcwidth(wc);
                if (w > *cells - used || len >= outsize - (bytes + 1))
                    break;
                memcpy(out + bytes, src, len);
                bytes += len;
                src += len;
                if (w > 0)
                    used += w;
            }
        }
    } else {
        while (used < *cells && bytes + 1 < outsize && *src) {
            unsigned char ch = (unsigned char)*src++;
            if (ch < 32 || ch == 127)
                ch = '.';
            else if (ch > 127)
                ch = '?';
            out[bytes++] = (char)ch;
            used++;
        }
    }
    out[bytes] = 0;
    *cells -= used;
    return (int)bytes;
}

/* ---------- values ---------- */

struct pr_args {
    char *out;
    size_t size;
    int max_cells; /* what the layout allows this value (procps's max_rightward) */
    const struct ps_proc *p;
    struct ps_ctx *c;
};

typedef int (*pr_fn)(struct pr_args *a);

/* Elapsed time the way procps 4.0 computes it: boot_tics = uptime * hz made integral, then
 * (boot_tics - start) / hz in floating point; the same operations give the same roundings. */
static double elapsed_real(const struct ps_ctx *c, const struct ps_proc *p)
{
    uint64_t boot_tics = (uint64_t)(c->sys.uptime * (double)c->sys.hz);
    double t = (double)boot_tics - (double)p->st.starttime;
    return t > 0 ? t / (double)c->sys.hz : 0;
}

static uint64_t elapsed_seconds(const struct ps_ctx *c, const struct ps_proc *p)
{
    return (uint64_t)elapsed_real(c, p);
}

static unsigned cpu_permille(const struct ps_ctx *c, const struct ps_proc *p, unsigned scale)
{
    uint64_t jiffies = (uint64_t)(elapsed_real(c, p) * (double)c->sys.hz);
    uint64_t total = p->st.utime + p->st.stime;
    return jiffies ? (unsigned)(total * scale / jiffies) : 0;
}

static time_t start_epoch(const struct ps_ctx *c, const struct ps_proc *p)
{
    return (time_t)(c->sys.boot_time + p->st.starttime / (uint64_t)c->sys.hz);
}

#define PRF(...) snprintf(a->out, a->size, __VA_ARGS__)

static int pr_pid(struct pr_args *a) { return PRF("%d", a->p->st.pid); }
static int pr_ppid(struct pr_args *a) { return PRF("%d", a->p->st.ppid); }
static int pr_pgid(struct pr_args *a) { return PRF("%d", a->p->st.pgrp); }
static int pr_sid(struct pr_args *a) { return PRF("%d", a->p->st.session); }
static int pr_tpgid(struct pr_args *a) { return PRF("%d", a->p->st.tpgid); }
static int pr_nlwp(struct pr_args *a) { return PRF("%ld", a->p->st.num_threads); }
static int pr_euid(struct pr_args *a) { return PRF("%u", a->p->status.euid); }
static int pr_ruid(struct pr_args *a) { return PRF("%u", a->p->status.ruid); }
static int pr_egid(struct pr_args *a) { return PRF("%u", a->p->status.egid); }
static int pr_rgid(struct pr_args *a) { return PRF("%u", a->p->status.rgid); }
static int pr_vsz(struct pr_args *a) { return PRF("%llu", (unsigned long long)(a->p->st.vsize / 1024)); }
static int pr_rss(struct pr_args *a) { return PRF("%llu", (unsigned long long)a->p->rss_kb); }
static int pr_psr(struct pr_args *a) { return PRF("%d", a->p->st.processor); }
static int pr_pri(struct pr_args *a) { return PRF("%ld", 39 - a->p->st.priority); }
static int pr_opri(struct pr_args *a) { return PRF("%ld", 60 + a->p->st.priority); }
static int pr_priority(struct pr_args *a) { return PRF("%ld", a->p->st.priority); }
static int pr_nop(struct pr_args *a) { return PRF("-"); }
static int pr_flag(struct pr_args *a) { return PRF("%o", (unsigned)(a->p->st.flags >> 6U) & 0x7U); }
static int pr_state(struct pr_args *a) { return PRF("%c", a->p->st.state); }
static int pr_sz(struct pr_args *a)
{
    long kb_per_page = a->c->sys.page_size / 1024;
    return PRF("%llu", (unsigned long long)(a->p->st.vsize / 1024 / (uint64_t)(kb_per_page ? kb_per_page : 4)));
}

static int pr_nice(struct pr_args *a)
{
    int pol = a->p->st.policy;
    if (pol != 0 && pol != 3 && pol != -1)
        return PRF("-");
    return PRF("%ld", a->p->st.nice);
}

static int pr_rtprio(struct pr_args *a)
{
    int pol = a->p->st.policy;
    if (pol == 0 || pol == -1)
        return PRF("-");
    return PRF("%d", a->p->st.rt_priority);
}

static int pr_pcpu(struct pr_args *a)
{
    unsigned pcpu = cpu_permille(a->c, a->p, 1000);
    if (pcpu > 999U)
        return PRF("%u", pcpu / 10U);
    return PRF("%u.%u", pcpu / 10U, pcpu % 10U);
}

static int pr_c(struct pr_args *a)
{
    unsigned pcpu = cpu_permille(a->c, a->p, 100);
    if (pcpu > 99U)
        pcpu = 99U;
    return PRF("%2u", pcpu);
}

static int pr_pmem(struct pr_args *a)
{
    uint64_t total = a->c->sys.mem_total_kb ? a->c->sys.mem_total_kb : 1;
    unsigned long pmem = (unsigned long)(a->p->rss_kb * 1000ULL / total);
    if (pmem > 999)
        pmem = 999;
    return PRF("%2u.%u", (unsigned)(pmem / 10), (unsigned)(pmem % 10));
}

static int pr_stat(struct pr_args *a)
{
    const struct ps_proc *p = a->p;
    int n = 0;
    a->out[n++] = p->st.state;
    if (p->st.nice < 0)
        a->out[n++] = '<';
    if (p->st.nice > 0)
        a->out[n++] = 'N';
    if (p->status.vm_lock_kb)
        a->out[n++] = 'L';
    if (p->st.session == p->st.pid)
        a->out[n++] = 's';
    if (p->st.num_threads > 1)
        a->out[n++] = 'l';
    if (p->st.pgrp == p->st.tpgid)
        a->out[n++] = '+';
    a->out[n] = 0;
    return n;
}

static int pr_tty(struct pr_args *a)
{
    char name[64];
    ps_tty_name(a->p->st.tty_nr, name, sizeof(name));
    return PRF("%s", name);
}

static void split_time(uint64_t t, unsigned *dd, unsigned *hh, unsigned *mm, unsigned *ss)
{
    *ss = (unsigned)(t % 60);
    t /= 60;
    *mm = (unsigned)(t % 60);
    t /= 60;
    *hh = (unsigned)(t % 24);
    *dd = (unsigned)(t / 24);
}

static int pr_time(struct pr_args *a)
{
    unsigned dd, hh, mm, ss;
    split_time((a->p->st.utime + a->p->st.stime) / (uint64_t)a->c->sys.hz, &dd, &hh, &mm, &ss);
    int n = dd ? snprintf(a->out, a->size, "%u-", dd) : 0;
    return n + snprintf(a->out + n, a->size - (size_t)n, "%02u:%02u:%02u", hh, mm, ss);
}

static int pr_times(struct pr_args *a)
{
    return PRF("%llu", (unsigned long long)((a->p->st.utime + a->p->st.stime) / (uint64_t)a->c->sys.hz));
}

static int pr_bsdtime(struct pr_args *a)
{
    unsigned u = (unsigned)((a->p->st.utime + a->p->st.stime) / (uint64_t)a->c->sys.hz);
    return PRF("%3u:%02u", u / 60U, u % 60U);
}

static int pr_etime(struct pr_args *a)
{
    unsigned dd, hh, mm, ss;
    split_time(elapsed_seconds(a->c, a->p), &dd, &hh, &mm, &ss);
    int n = 0;
    if (dd)
        n += snprintf(a->out + n, a->size - (size_t)n, "%u-", dd);
    if (dd || hh)
        n += snprintf(a->out + n, a->size - (size_t)n, "%02u:", hh);
    return n + snprintf(a->out + n, a->size - (size_t)n, "%02u:%02u", mm, ss);
}

static int pr_etimes(struct pr_args *a)
{
    return PRF("%llu", (unsigned long long)elapsed_seconds(a->c, a->p));
}

/* ctime()'s layout, always in English as procps's ctime() is: "Tue Nov  4 23:26:16 2026" */
static void ctime_like(time_t t, char *out, size_t size)
{
    static const char days[] = "SunMonTueWedThuFriSat", months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct tm tm;
    if (!localtime_r(&t, &tm)) {
        snprintf(out, size, "??? ??? ?? ??:??:?? ????");
        return;
    }
    snprintf(out, size, "%.3s %.3s%3d %.2d:%.2d:%.2d %d", days + 3 * tm.tm_wday, months + 3 * tm.tm_mon, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

/* START: hh:mm:ss within a day, else "  Mon dd" (day zero-padded, as procps patches ctime's) */
static int pr_start(struct pr_args *a)
{
    time_t t = start_epoch(a->c, a->p);
    char str[64];
    ctime_like(t, str, sizeof(str));
    if (str[8] == ' ')
        str[8] = '0';
    if ((unsigned long)t + 60 * 60 * 24 > (unsigned long)a->c->now)
        return PRF("%8.8s", str + 11);
    return PRF("  %6.6s", str + 4);
}

static int pr_lstart(struct pr_args *a)
{
    time_t t = start_epoch(a->c, a->p);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return 0;
    size_t n = strftime(a->out, a->size, "%a %b %e %H:%M:%S %Y", &tm);
    return (int)n;
}

static int pr_stime(struct pr_args *a)
{
    time_t t = start_epoch(a->c, a->p);
    struct tm now, tm;
    if (!localtime_r(&a->c->now, &now) || !localtime_r(&t, &tm))
        return 0;
    const char *fmt = "%H:%M";
    if (now.tm_yday != tm.tm_yday)
        fmt = "%b%d";
    if (now.tm_year != tm.tm_year)
        fmt = "%Y";
    return (int)strftime(a->out, a->size, fmt, &tm);
}

static int pr_bsdstart(struct pr_args *a)
{
    time_t t = start_epoch(a->c, a->p);
    char str[64];
    ctime_like(t, str, sizeof(str));
    long ago = (long)(a->c->now - t);
    return PRF("%.6s", ago > 3600 * 24 ? str + 4 : str + 10);
}

static int pr_name(struct pr_args *a, const char *name, unsigned id)
{
    char num[16];
    if (!name) {
        /* not in the database: the number stands for the name, and is cut like one */
        snprintf(num, sizeof(num), "%u", id);
        name = num;
    }
    if (!a->c->user_is_number) {
        int cells = PS_OUTBUF;
        escape_cells(a->c, a->out, a->size, name, &cells);
        int len = PS_OUTBUF - cells;
        if (len <= a->max_cells)
            return len;
        /* too long: cut with a '+', unless that would split a multi-byte character */
        if (a->max_cells >= 1 && (unsigned char)a->out[a->max_cells - 1] < 127) {
            a->out[a->max_cells - 1] = '+';
            a->out[a->max_cells] = 0;
            return a->max_cells;
        }
    }
    return PRF("%u", id);
}

static int pr_euser(struct pr_args *a) { return pr_name(a, ps_user_name(a->c, a->p->status.euid), a->p->status.euid); }
static int pr_ruser(struct pr_args *a) { return pr_name(a, ps_user_name(a->c, a->p->status.ruid), a->p->status.ruid); }
static int pr_egroup(struct pr_args *a) { return pr_name(a, ps_group_name(a->c, a->p->status.egid), a->p->status.egid); }
static int pr_rgroup(struct pr_args *a) { return pr_name(a, ps_group_name(a->c, a->p->status.rgid), a->p->status.rgid); }

static int pr_wchan(struct pr_args *a)
{
    const char *w = a->p->wchan[0] ? a->p->wchan : "-";
    size_t len = strlen(w);
    if ((int)len > a->max_cells)
        len = (size_t)(a->max_cells > 0 ? a->max_cells : 0);
    memcpy(a->out, w, len);
    a->out[len] = 0;
    return (int)len;
}

/* The text "args" shows: the command line, or "[comm]" for kernel threads and zombies (which also get
 * " <defunct>"). */
static void args_text(const struct ps_proc *p, struct buf *b)
{
    if (p->args && p->args_len) {
        /* arguments are joined with spaces; a newline inside one also shows as a space, as procps */
        buf_add(b, p->args, p->args_len);
        for (size_t i = 0; i < b->len; i++)
            if (b->p[i] == 0 || b->p[i] == '\n')
                b->p[i] = ' ';
    } else {
        buf_printf(b, "[%s]", p->st.comm);
    }
    if (p->st.state == 'Z')
        buf_puts(b, " <defunct>");
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates), or -1. */
static int utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        return (s[1] & 0xc0) == 0x80 ? 2 : -1;
    if (s[0] >= 0xe0 && s[0] <= 0xef) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
            return -1;
        unsigned cp = ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) | (s[2] & 0x3fu);
        return cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff) ? 3 : -1;
    }
    if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return -1;
        unsigned cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3fu) << 12) | ((s[2] & 0x3fu) << 6) | (s[3] & 0x3fu);
        return cp >= 0x10000 && cp <= 0x10ffff ? 4 : -1;
    }
    return -1;
}

/* procps's library pass over a command line in a UTF-8 locale: from the first invalid UTF-8 sequence
 * on, every byte that is not printable becomes '?'. */
static void escape_after_invalid(char *text)
{
    unsigned char *s = (unsigned char *)text;
    while (*s) {
        int n = utf8_len(s);
        if (n < 0) {
            for (; *s; s++)
                if (!isprint(*s))
                    *s = '?';
            return;
        }
        s += n;
    }
}

static int pr_escaped(struct pr_args *a, const char *text)
{
    int cells = a->max_cells;
    escape_cells(a->c, a->out, a->size, text, &cells);
    return a->max_cells - cells;
}

static int pr_args(struct pr_args *a)
{
    struct buf b = {0};
    args_text(a->p, &b);
    if (a->c->utf8)
        escape_after_invalid(b.p);
    int r = pr_escaped(a, b.p);
    buf_free(&b);
    return r;
}

static int pr_comm(struct pr_args *a)
{
    return pr_escaped(a, a->p->st.comm);
}

static int pr_service(struct pr_args *a)
{
    return pr_escaped(a, a->p->service ? a->p->service : ""); /* blank when no service owns it */
}

/* ---------- the table ---------- */

struct ps_field {
    const char *spec, *head;
    pr_fn pr;
    int width;
    enum ps_just just;
    bool pidmax;
    unsigned needs;
};

#define ST 0u
#define SU PS_NEED_STATUS
static const struct ps_field fields[] = {
    {"%cpu", "%CPU", pr_pcpu, 4, PS_RIGHT, false, ST},
    {"%mem", "%MEM", pr_pmem, 4, PS_RIGHT, false, PS_NEED_RSS},
    {"addr", "ADDR", pr_nop, 4, PS_RIGHT, false, ST},
    {"args", "COMMAND", pr_args, 27, PS_UNLIMITED, false, PS_NEED_ARGS},
    {"bsdstart", "START", pr_bsdstart, 6, PS_RIGHT, false, ST},
    {"bsdtime", "TIME", pr_bsdtime, 6, PS_RIGHT, false, ST},
    {"c", "C", pr_c, 2, PS_RIGHT, false, ST},
    {"cmd", "CMD", pr_args, 27, PS_UNLIMITED, false, PS_NEED_ARGS},
    {"comm", "COMMAND", pr_comm, 15, PS_UNLIMITED, false, ST},
    {"command", "COMMAND", pr_args, 27, PS_UNLIMITED, false, PS_NEED_ARGS},
    {"cputime", "TIME", pr_time, 8, PS_RIGHT, false, ST},
    {"cputimes", "TIME", pr_times, 8, PS_RIGHT, false, ST},
    {"egid", "EGID", pr_egid, 5, PS_RIGHT, false, SU},
    {"egroup", "EGROUP", pr_egroup, 8, PS_USER, false, SU},
    {"etime", "ELAPSED", pr_etime, 11, PS_RIGHT, false, ST},
    {"etimes", "ELAPSED", pr_etimes, 7, PS_RIGHT, false, ST},
    {"euid", "EUID", pr_euid, 5, PS_RIGHT, false, SU},
    {"euser", "EUSER", pr_euser, 8, PS_USER, false, SU},
    {"f", "F", pr_flag, 1, PS_RIGHT, false, ST},
    {"flag", "F", pr_flag, 1, PS_RIGHT, false, ST},
    {"flags", "F", pr_flag, 1, PS_RIGHT, false, ST},
    {"gid", "GID", pr_egid, 5, PS_RIGHT, false, SU},
    {"group", "GROUP", pr_egroup, 8, PS_USER, false, SU},
    {"intpri", "PRI", pr_opri, 3, PS_RIGHT, false, ST},
    {"lstart", "STARTED", pr_lstart, 24, PS_RIGHT, false, ST},
    {"lwp", "LWP", pr_pid, 5, PS_RIGHT, true, ST},
    {"ni", "NI", pr_nice, 3, PS_RIGHT, false, ST},
    {"nice", "NI", pr_nice, 3, PS_RIGHT, false, ST},
    {"nlwp", "NLWP", pr_nlwp, 4, PS_RIGHT, false, ST},
    {"opri", "PRI", pr_opri, 3, PS_RIGHT, false, ST},
    {"pcpu", "%CPU", pr_pcpu, 4, PS_RIGHT, false, ST},
    {"pgid", "PGID", pr_pgid, 5, PS_RIGHT, true, ST},
    {"pgrp", "PGRP", pr_pgid, 5, PS_RIGHT, true, ST},
    {"pid", "PID", pr_pid, 5, PS_RIGHT, true, ST},
    {"pmem", "%MEM", pr_pmem, 4, PS_RIGHT, false, PS_NEED_RSS},
    {"ppid", "PPID", pr_ppid, 5, PS_RIGHT, true, ST},
    {"pri", "PRI", pr_pri, 3, PS_RIGHT, false, ST},
    {"priority", "PRI", pr_priority, 3, PS_RIGHT, false, ST},
    {"psr", "PSR", pr_psr, 3, PS_RIGHT, false, ST},
    {"rgid", "RGID", pr_rgid, 5, PS_RIGHT, false, SU},
    {"rgroup", "RGROUP", pr_rgroup, 8, PS_USER, false, SU},
    {"rss", "RSS", pr_rss, 5, PS_RIGHT, false, PS_NEED_RSS},
    {"rssize", "RSS", pr_rss, 5, PS_RIGHT, false, PS_NEED_RSS},
    {"rsz", "RSZ", pr_rss, 5, PS_RIGHT, false, PS_NEED_RSS},
    {"rtprio", "RTPRIO", pr_rtprio, 6, PS_RIGHT, false, ST},
    {"ruid", "RUID", pr_ruid, 5, PS_RIGHT, false, SU},
    {"ruser", "RUSER", pr_ruser, 8, PS_USER, false, SU},
    {"s", "S", pr_state, 1, PS_LEFT, false, ST},
    {"service", "SERVICE", pr_service, 10, PS_LEFT, false, PS_NEED_SERVICE},
    {"sess", "SESS", pr_sid, 5, PS_RIGHT, true, ST},
    {"session", "SESS", pr_sid, 5, PS_RIGHT, true, ST},
    {"sid", "SID", pr_sid, 5, PS_RIGHT, true, ST},
    {"spid", "SPID", pr_pid, 5, PS_RIGHT, true, ST},
    {"start", "STARTED", pr_start, 8, PS_RIGHT, false, ST},
    {"start_time", "START", pr_stime, 5, PS_RIGHT, false, ST},
    {"stat", "STAT", pr_stat, 4, PS_LEFT, false, SU},
    {"state", "S", pr_state, 1, PS_LEFT, false, ST},
    {"stime", "STIME", pr_stime, 5, PS_RIGHT, false, ST},
    {"sz", "SZ", pr_sz, 5, PS_RIGHT, false, ST},
    {"tgid", "TGID", pr_pid, 5, PS_RIGHT, true, ST},
    {"thcount", "THCNT", pr_nlwp, 5, PS_RIGHT, false, ST},
    {"tid", "TID", pr_pid, 5, PS_RIGHT, true, ST},
    {"time", "TIME", pr_time, 8, PS_RIGHT, false, ST},
    {"times", "TIME", pr_times, 8, PS_RIGHT, false, ST},
    {"tname", "TTY", pr_tty, 8, PS_LEFT, false, ST},
    {"tpgid", "TPGID", pr_tpgid, 5, PS_RIGHT, true, ST},
    {"tt", "TT", pr_tty, 8, PS_LEFT, false, ST},
    {"tty", "TT", pr_tty, 8, PS_LEFT, false, ST},
    {"tty8", "TTY", pr_tty, 8, PS_LEFT, false, ST},
    {"ucmd", "CMD", pr_comm, 15, PS_UNLIMITED, false, ST},
    {"ucomm", "COMMAND", pr_comm, 15, PS_UNLIMITED, false, ST},
    {"uid", "UID", pr_euid, 5, PS_RIGHT, false, SU},
    {"uid_hack", "UID", pr_euser, 8, PS_USER, false, SU},
    {"uname", "USER", pr_euser, 8, PS_USER, false, SU},
    {"user", "USER", pr_euser, 8, PS_USER, false, SU},
    {"vsize", "VSZ", pr_vsz, 6, PS_RIGHT, false, ST},
    {"vsz", "VSZ", pr_vsz, 6, PS_RIGHT, false, ST},
    {"wchan", "WCHAN", pr_wchan, 6, PS_WCHAN, false, PS_NEED_WCHAN},
};

static const struct ps_field *field_find(const char *spec)
{
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
        if (strcmp(fields[i].spec, spec) == 0)
            return &fields[i];
    return NULL;
}

bool ps_field_known(const char *spec)
{
    return field_find(spec) != NULL;
}

static void add_column(struct ps_column **cols, size_t *n, const struct ps_field *f, const char *head, int width)
{
    *cols = xrealloc(*cols, (*n + 1) * sizeof(**cols));
    (*cols)[(*n)++] = (struct ps_column){f, xstrdup(head), width};
}

int ps_format_parse(const struct ps_ctx *c, const char *list, struct ps_column **cols, size_t *n, char *err,
                    size_t errsize)
{
    char *buf = xstrdup(list);
    /* count items the way procps does: separators are space, comma, tab and newline */
    int items = 0;
    bool need_item = true;
    size_t len = strlen(buf);
    for (size_t i = 0; i <= len; i++) {
        char ch = buf[i];
        if (ch == ' ' || ch == ',' || ch == '\t' || ch == '\n' || ch == 0) {
            if (need_item && ch) {
                snprintf(err, errsize, "improper format list");
                free(buf);
                return -1;
            }
            need_item = true;
        } else {
            if (need_item)
                items++;
            need_item = false;
        }
    }
    if (!items) {
        snprintf(err, errsize, "empty format list");
        free(buf);
        return -1;
    }
    char *walk = buf;
    while (items-- > 0 && walk) {
        char *sep = strpbrk(walk, " ,\t\n");
        if (items && sep)
            *sep = 0;
        char *eq = strchr(walk, '=');
        if (eq)
            *eq++ = 0;
        char *colon = strchr(walk, ':');
        if (colon) {
            *colon++ = 0;
            if (!*colon || strspn(colon, "0123456789") != strlen(colon) || *colon == '0' || atoi(colon) <= 0) {
                snprintf(err, errsize, "column widths must be unsigned decimal numbers");
                free(buf);
                return -1;
            }
        }
        const struct ps_field *f = field_find(walk);
        if (!f) {
            snprintf(err, errsize, "unknown user-defined format specifier \"%s\"", walk);
            free(buf);
            return -1;
        }
        int w = f->pidmax ? (c->sys.pid_digits > (int)strlen(f->head) ? c->sys.pid_digits : (int)strlen(f->head))
                          : f->width;
        const char *head = eq ? eq : f->head;
        if (eq && (int)strlen(eq) > w)
            w = (int)strlen(eq);
        if (colon)
            w = atoi(colon);
        add_column(cols, n, f, head, w);
        walk = sep ? sep + 1 : NULL;
    }
    free(buf);
    return 0;
}

void ps_columns_free(struct ps_column *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(cols[i].head);
    free(cols);
}

unsigned ps_columns_needs(const struct ps_column *cols, size_t n)
{
    unsigned need = 0;
    for (size_t i = 0; i < n; i++)
        need |= cols[i].f->needs;
    return need;
}

int ps_active_cols(const struct ps_column *cols, size_t n, int screen_cols)
{
    int total = 0, was_normal = 0;
    for (size_t i = 0; i < n; i++) {
        if (cols[i].f->just == PS_UNLIMITED && i + 1 == n)
            total += 3;
        else
            total += cols[i].width;
        total += was_normal;
        was_normal = 1;
    }
    int active = screen_cols;
    for (int k = 1;; k++) {
        active = screen_cols * k;
        if (active >= total || screen_cols * k >= PS_OUTBUF / 2)
            break;
    }
    return active;
}

/* The layout rule: "correct" is where the column should start, "actual" where the line is; a right-
 * aligned value gets left padding, a value wider than its column pushes the line, and the following
 * columns' padding wins the space back. */
void ps_render(const struct ps_ctx *c, const struct ps_column *cols, size_t n, const struct ps_proc *p,
               int active_cols, struct buf *out)
{
    static char data[PS_OUTBUF];
    int correct = 0, actual = 0, dospace = 0;
    for (size_t i = 0; i < n; i++) {
        const struct ps_column *col = &cols[i];
        bool last = i + 1 == n;
        int max_right, tmpspace = 0;
        if (!last) {
            max_right = col->width;
        } else {
            tmpspace = correct - actual;
            if (tmpspace < 1) {
                tmpspace = dospace;
                max_right = active_cols - actual - tmpspace;
            } else {
                max_right = active_cols - (correct > actual ? correct : actual);
            }
        }
        if (max_right < 0)
            max_right = 0;
        if (max_right >= PS_OUTBUF)
            max_right = PS_OUTBUF - 1;
        int amount;
        if (p) {
            struct pr_args a = {data, sizeof(data), max_right, p, (struct ps_ctx *)c};
            amount = col->f->pr(&a);
        } else {
            amount = snprintf(data, sizeof(data), "%s", col->head);
        }
        if (amount < 0)
            data[amount = 0] = 0;
        else if (amount >= PS_OUTBUF)
            data[amount = PS_OUTBUF - 1] = 0;
        int leftpad = 0;
        switch (col->f->just) {
        case PS_LEFT: break;
        case PS_RIGHT:
            leftpad = col->width - amount;
            break;
        case PS_USER:
            if (c->user_is_number)
                leftpad = col->width - amount;
            break;
        case PS_WCHAN:
        case PS_UNLIMITED:
            if (active_cols - actual - tmpspace < 1)
                data[1] = 0; /* no room at all: procps keeps one character */
            break;
        }
        if (leftpad < 0)
            leftpad = 0;
        int space = correct - actual + leftpad;
        if (space < 1)
            space = dospace;
        if (space > PS_SPACE_MAX)
            space = PS_SPACE_MAX;
        for (int k = 0; k < space; k++)
            buf_putc(out, ' ');
        buf_puts(out, data);
        if (last) {
            buf_putc(out, '\n');
            break;
        }
        actual += space + amount;
        correct += col->width + 1;
        dospace = 1;
    }
}

/* ---------- sorting ---------- */

#define CMP(x, y) (((x) > (y)) - ((x) < (y)))
static int cmp_pid(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->st.pid, b->st.pid); }
static int cmp_ppid(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->st.ppid, b->st.ppid); }
static int cmp_pgid(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->st.pgrp, b->st.pgrp); }
static int cmp_sid(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->st.session, b->st.session); }
static int cmp_uid(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->status.euid, b->status.euid); }
static int cmp_gid(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->status.egid, b->status.egid); }
static int cmp_vsz(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->st.vsize, b->st.vsize); }
static int cmp_rss(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->rss_kb, b->rss_kb); }
static int cmp_tty(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->st.tty_nr, b->st.tty_nr); }
static int cmp_nlwp(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->st.num_threads, b->st.num_threads); }
static int cmp_pri(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->st.priority, b->st.priority); }
static int cmp_nice(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->st.nice, b->st.nice); }
static int cmp_start(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->st.starttime, b->st.starttime); }
static int cmp_state(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b) { (void)c; return CMP(a->st.state, b->st.state); }
static int cmp_time(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b)
{
    (void)c;
    return CMP(a->st.utime + a->st.stime, b->st.utime + b->st.stime);
}
static int cmp_etime(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b)
{
    return CMP(elapsed_seconds(c, a), elapsed_seconds(c, b));
}
static int cmp_pcpu(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b)
{
    return CMP(cpu_permille(c, a, 1000), cpu_permille(c, b, 1000));
}
static int cmp_comm(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b)
{
    (void)c;
    return strcmp(a->st.comm, b->st.comm);
}
static int cmp_args(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b)
{
    (void)c;
    struct buf x = {0}, y = {0};
    args_text(a, &x);
    args_text(b, &y);
    int r = strcmp(x.p, y.p);
    buf_free(&x);
    buf_free(&y);
    return r;
}
static int cmp_user(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b)
{
    const char *x = ps_user_name((struct ps_ctx *)c, a->status.euid), *y = ps_user_name((struct ps_ctx *)c, b->status.euid);
    char bx[16], by[16];
    if (!x) snprintf(bx, sizeof(bx), "%u", a->status.euid), x = bx;
    if (!y) snprintf(by, sizeof(by), "%u", b->status.euid), y = by;
    return strcmp(x, y);
}
static int cmp_group(const struct ps_ctx *c, const struct ps_proc *a, const struct ps_proc *b)
{
    const char *x = ps_group_name((struct ps_ctx *)c, a->status.egid), *y = ps_group_name((struct ps_ctx *)c, b->status.egid);
    char bx[16], by[16];
    if (!x) snprintf(bx, sizeof(bx), "%u", a->status.egid), x = bx;
    if (!y) snprintf(by, sizeof(by), "%u", b->status.egid), y = by;
    return strcmp(x, y);
}

static const struct {
    const char *spec;
    ps_cmp_fn fn;
    unsigned needs;
} sort_keys[] = {
    {"pid", cmp_pid, 0}, {"tgid", cmp_pid, 0}, {"ppid", cmp_ppid, 0}, {"pgid", cmp_pgid, 0}, {"pgrp", cmp_pgid, 0},
    {"sid", cmp_sid, 0}, {"sess", cmp_sid, 0}, {"session", cmp_sid, 0}, {"uid", cmp_uid, SU}, {"euid", cmp_uid, SU},
    {"user", cmp_user, SU}, {"euser", cmp_user, SU}, {"uname", cmp_user, SU}, {"gid", cmp_gid, SU},
    {"group", cmp_group, SU}, {"vsz", cmp_vsz, 0}, {"vsize", cmp_vsz, 0}, {"rss", cmp_rss, PS_NEED_RSS},
    {"rssize", cmp_rss, PS_NEED_RSS}, {"%mem", cmp_rss, PS_NEED_RSS}, {"pmem", cmp_rss, PS_NEED_RSS},
    {"tty", cmp_tty, 0}, {"tname", cmp_tty, 0}, {"tt", cmp_tty, 0}, {"nlwp", cmp_nlwp, 0},
    {"pri", cmp_pri, 0}, {"priority", cmp_pri, 0}, {"ni", cmp_nice, 0}, {"nice", cmp_nice, 0},
    {"start_time", cmp_start, 0}, {"stime", cmp_start, 0}, {"start", cmp_start, 0}, {"lstart", cmp_start, 0},
    {"etime", cmp_etime, 0}, {"etimes", cmp_etime, 0}, {"time", cmp_time, 0}, {"cputime", cmp_time, 0},
    {"bsdtime", cmp_time, 0}, {"%cpu", cmp_pcpu, 0}, {"pcpu", cmp_pcpu, 0}, {"c", cmp_pcpu, 0},
    {"comm", cmp_comm, 0}, {"ucomm", cmp_comm, 0}, {"ucmd", cmp_comm, 0}, {"args", cmp_args, PS_NEED_ARGS},
    {"cmd", cmp_args, PS_NEED_ARGS}, {"command", cmp_args, PS_NEED_ARGS}, {"stat", cmp_state, 0},
    {"state", cmp_state, 0}, {"s", cmp_state, 0},
};

ps_cmp_fn ps_sort_key(const char *spec, unsigned *needs)
{
    for (size_t i = 0; i < ARRAY_SIZE(sort_keys); i++) {
        if (strcmp(sort_keys[i].spec, spec) == 0) {
            *needs |= sort_keys[i].needs;
            return sort_keys[i].fn;
        }
    }
    return NULL;
}
