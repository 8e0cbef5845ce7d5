/* proc/format: names, terminals, escaping, format lists and the line layout of `oya ps`, as procps-ng
 * 4.0 does them (the specifiers themselves are in fields.c). */
#include "format_int.h"

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
int ps_escape_cells(const struct ps_ctx *c, char *out, size_t outsize, const char *src, int *cells)
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

/* ---------- format lists ---------- */

static const struct {
    const char *name, *specs;
} macros[] = {
    {"DFMT", "pid,tname,state,cputime,cmd"},
    {"DefBSD", "pid,tname,stat,bsdtime,args"},
    {"DefSysV", "pid,tname,time,cmd"},
    {"END_BSD", "state,tname,cputime,comm"},
    {"END_SYS5", "state,tname,time,command"},
    {"F5FMT", "uname,pid,ppid,c,start,tname,time,cmd"},
    {"FB_", "pid,tt,stat,time,command"},
    {"FB_j", "user,pid,ppid,pgid,sess,jobc,stat,tt,time,command"},
    {"FB_l", "uid,pid,ppid,cpu,pri,nice,vsz,rss,wchan,stat,tt,time,command"},
    {"FB_u", "user,pid,pcpu,pmem,vsz,rss,tt,stat,start,time,command"},
    {"FB_v", "pid,stat,time,sl,re,pagein,vsz,rss,lim,tsiz,pcpu,pmem,command"},
    {"FD_", "pid,tty,time,comm"},
    {"FD_f", "user,pid,ppid,start_time,tty,time,comm"},
    {"FD_fj", "user,pid,ppid,start_time,tty,time,pgid,sid,comm"},
    {"FD_j", "pid,tty,time,pgid,sid,comm"},
    {"FD_l", "flags,state,uid,pid,ppid,priority,nice,vsz,wchan,tty,time,comm"},
    {"FD_lj", "flags,state,uid,pid,ppid,priority,nice,vsz,wchan,tty,time,pgid,sid,comm"},
    {"FL5FMT", "f,state,uid,pid,ppid,pcpu,pri,nice,rss,wchan,start,time,command"},
    {"FLASK_context", "pid,context,command"},
    {"HP_", "pid,tty,time,comm"},
    {"HP_f", "user,pid,ppid,cpu,stime,tty,time,args"},
    {"HP_fl", "flags,state,user,pid,ppid,cpu,intpri,nice,addr,sz,wchan,stime,tty,time,args"},
    {"HP_l", "flags,state,uid,pid,ppid,cpu,intpri,nice,addr,sz,wchan,tty,time,comm"},
    {"J390", "pid,sid,pgrp,tname,atime,args"},
    {"JFMT", "user,pid,ppid,pgid,sess,jobc,state,tname,cputime,command"},
    {"L5FMT", "f,state,uid,pid,ppid,c,pri,nice,addr,sz,wchan,tt,time,ucmd"},
    {"LFMT", "uid,pid,ppid,cp,pri,nice,vsz,rss,wchan,state,tname,cputime,command"},
    {"OL_X", "pid,start_stack,esp,eip,timeout,alarm,stat,tname,bsdtime,args"},
    {"OL_j", "ppid,pid,pgid,sid,tname,tpgid,stat,uid,bsdtime,args"},
    {"OL_l", "flags,uid,pid,ppid,priority,nice,vsz,rss,wchan,stat,tname,bsdtime,args"},
    {"OL_m", "pid,tname,majflt,minflt,m_trs,m_drs,m_size,m_swap,rss,m_share,vm_lib,m_dt,args"},
    {"OL_s", "uid,pid,pending,sig_block,sig_ignore,caught,stat,tname,bsdtime,args"},
    {"OL_u", "user,pid,pcpu,pmem,vsz,rss,tname,stat,start_time,bsdtime,args"},
    {"OL_v", "pid,tname,stat,bsdtime,maj_flt,m_trs,m_drs,rss,pmem,args"},
    {"RD_", "pid,tname,state,bsdtime,comm"},
    {"RD_f", "uid,pid,ppid,start_time,tname,bsdtime,args"},
    {"RD_fj", "uid,pid,ppid,start_time,tname,bsdtime,pgid,sid,args"},
    {"RD_j", "pid,tname,state,bsdtime,pgid,sid,comm"},
    {"RD_l", "flags,state,uid,pid,ppid,priority,nice,wchan,tname,bsdtime,comm"},
    {"RD_lj", "flags,state,uid,pid,ppid,priority,nice,wchan,tname,bsdtime,pgid,sid,comm"},
    {"RUSAGE", "minflt,majflt,nswap,inblock,oublock,msgsnd,msgrcv,nsigs,nvcsw,nivcsw"},
    {"SCHED", "user,pcpu,pri,usrpri,nice,psxpri,psr,policy,pset"},
    {"SFMT", "uid,pid,cursig,sig,sigmask,sigignore,sigcatch,stat,tname,command"},
    {"Std_f", "uid_hack,pid,ppid,c,stime,tname,time,cmd"},
    {"Std_fl", "f,s,uid_hack,pid,ppid,c,opri,ni,addr,sz,wchan,stime,tname,time,cmd"},
    {"Std_l", "f,s,uid,pid,ppid,c,opri,ni,addr,sz,wchan,tname,time,ucmd"},
    {"THREAD", "user,pcpu,pri,scnt,wchan,usertime,systime"},
    {"UFMT", "uname,pid,pcpu,pmem,vsz,rss,tt,state,start,time,command"},
    {"VFMT", "pid,tt,state,time,sl,pagein,vsz,rss,pcpu,pmem,command"},
};

static const struct {
    char code;
    const char *spec, *head;
} aix_codes[] = {
    {'C', "pcpu", "%CPU"},
    {'G', "group", "GROUP"},
    {'P', "ppid", "PPID"},
    {'U', "user", "USER"},
    {'a', "args", "COMMAND"},
    {'c', "comm", "COMMAND"},
    {'g', "rgroup", "RGROUP"},
    {'n', "nice", "NI"},
    {'p', "pid", "PID"},
    {'r', "pgid", "PGID"},
    {'t', "etime", "ELAPSED"},
    {'u', "ruser", "RUSER"},
    {'x', "time", "TIME"},
    {'y', "tty", "TTY"},
    {'z', "vsz", "VSZ"},
};

static void add_column(struct ps_column **cols, size_t *n, const struct ps_field *f, const char *head, int width)
{
    *cols = xrealloc(*cols, (*n + 1) * sizeof(**cols));
    (*cols)[(*n)++] = (struct ps_column){f, xstrdup(head), width};
}

/* One specifier or macro with an optional header override; returns how many columns it added (0: unknown) */
static size_t one_spec(const struct ps_ctx *c, const char *spec, const char *head, struct ps_column **cols,
                       size_t *n)
{
    const struct ps_field *f = ps_field_find(spec);
    if (f) {
        int w = f->width;
        if (f->flags & PF_PIDMAX)
            w = c->sys.pid_digits > (int)strlen(f->head) ? c->sys.pid_digits : (int)strlen(f->head);
        if (head && (int)strlen(head) > w)
            w = (int)strlen(head);
        add_column(cols, n, f, head ? head : f->head, w);
        return 1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(macros); i++) {
        if (strcmp(macros[i].name, spec) != 0)
            continue;
        size_t added = 0;
        for (const char *s = macros[i].specs; *s;) {
            size_t len = strcspn(s, ", ");
            char one[32];
            snprintf(one, sizeof(one), "%.*s", (int)len, s);
            added += one_spec(c, one, head, cols, n);
            s += len;
            if (*s)
                s++;
        }
        return added;
    }
    return 0;
}

bool ps_format_add(const struct ps_ctx *c, const char *spec, struct ps_column **cols, size_t *n)
{
    return one_spec(c, spec, NULL, cols, n) > 0;
}

/* AIX descriptors: "%p %c" is PID, a filler " ", COMMAND; procps counts the items with a small state
 * machine whose count the second pass follows (so a trailing descriptor gets an empty filler after it) */
static int aix_parse(const struct ps_ctx *c, const char *s, struct ps_column **cols, size_t *n, char *err,
                     size_t errsize)
{
    int items = 0;
    const char *w = s;
    int ch = *w++;
    for (;;) {
        if (ch == '%')
            goto desc;
        if (!ch)
            break;
        items++;
        for (;;) {
            ch = *w++;
            if (ch == '%')
                goto desc;
            if (ch == ' ')
                continue;
            if (ch) {
                snprintf(err, errsize, "improper AIX field descriptor");
                return -1;
            }
            goto counted;
        }
    desc:
        items++;
        ch = *w++;
        if (!ch || ch == ' ') {
            snprintf(err, errsize, "missing AIX field descriptor");
            return -1;
        }
    }
counted:
    w = s;
    size_t start = *n;
    while (items--) {
        if (*w == '%') {
            w++;
            if (*w == '%') {
                snprintf(err, errsize, "missing AIX field descriptor");
                goto fail;
            }
            size_t k = 0;
            while (k < ARRAY_SIZE(aix_codes) && aix_codes[k].code != *w)
                k++;
            if (k == ARRAY_SIZE(aix_codes)) {
                snprintf(err, errsize, "unknown AIX field descriptor");
                goto fail;
            }
            w++;
            one_spec(c, aix_codes[k].spec, aix_codes[k].head, cols, n);
        } else {
            size_t len = strcspn(w, "%");
            char *text = xstrndup(w, len);
            w += len;
            add_column(cols, n, NULL, text, (int)len);
            free(text);
        }
    }
    return 0;
fail:
    for (size_t i = start; i < *n; i++)
        free((*cols)[i].head);
    *n = start;
    return -1;
}

int ps_list_items(const char *s, const char *seps, bool *trailing)
{
    int items = 0;
    bool need = true;
    size_t len = strlen(s), i = 0;
    do {
        char ch = s[i];
        if (!ch || strchr(seps, ch)) {
            if (need)
                return -1;
            need = true;
        } else {
            if (need)
                items++;
            need = false;
        }
    } while (++i < len);
    *trailing = need;
    return items;
}

int ps_format_parse(const struct ps_ctx *c, const char *list, struct ps_column **cols, size_t *n, char *err,
                    size_t errsize)
{
    char *buf = xstrdup(list);
    size_t start = *n;
    /* separators are space, comma, tab and newline; one trailing separator is dropped */
    bool trailing;
    int items = ps_list_items(buf, " ,\t\n", &trailing);
    if (items < 0) {
        snprintf(err, errsize, "improper format list");
        goto failed;
    }
    if (!items) {
        snprintf(err, errsize, "empty format list");
        goto failed;
    }
    if (trailing)
        buf[strlen(buf) - 1] = 0;
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
                goto failed;
            }
        }
        size_t added = one_spec(c, walk, eq, cols, n);
        if (!added) {
            snprintf(err, errsize, "unknown user-defined format specifier \"%s\"", walk);
            goto failed;
        }
        if (colon) {
            if (added > 1) {
                snprintf(err, errsize, "can not set width for a macro (multi-column) format specifier");
                goto failed;
            }
            (*cols)[*n - 1].width = atoi(colon);
        }
        walk = sep ? sep + 1 : NULL;
    }
    free(buf);
    return 0;
failed:
    for (size_t k = start; k < *n; k++)
        free((*cols)[k].head);
    *n = start;
    free(buf);
    if (strchr(list, '%'))
        return aix_parse(c, list, cols, n, err, errsize);
    return -1;
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
        if (cols[i].f)
            need |= ps_field_needs(cols[i].f);
    return need;
}

enum ps_print ps_column_print(const struct ps_column *col)
{
    return col->f ? col->f->print : PS_ET;
}

/* ---------- layout ---------- */

int ps_active_cols(struct ps_ctx *c, const struct ps_column *cols, size_t n, int screen_cols)
{
    int total = 0, was_normal = 0, sigs = 0;
    for (size_t i = 0; i < n; i++) {
        enum ps_just j = cols[i].f ? cols[i].f->just : PS_AIX;
        if (j == PS_AIX) {
            total += cols[i].width;
            was_normal = 0;
            continue;
        }
        if (j == PS_SIGNAL)
            sigs++;
        if (j == PS_UNLIMITED && i + 1 == n)
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
    c->wide_signals = total + sigs * 7 <= active;
    return active;
}

/* The layout rule: "correct" is where the column should start, "actual" where the line is; a right-
 * aligned value gets left padding, a value wider than its column pushes the line, and the following
 * columns' padding wins the space back. */
void ps_render(struct ps_ctx *c, const struct ps_column *cols, size_t n, const struct ps_proc *p, int skip,
               int active_cols, struct buf *out)
{
    static char data[PS_OUTBUF];
    int correct = 0, actual = 0, dospace = 0;
    for (size_t i = 0; i < n; i++) {
        const struct ps_column *col = &cols[i];
        enum ps_just just = col->f ? col->f->just : PS_AIX;
        bool last = i + 1 == n;
        int max_right, tmpspace = 0, legit = 0;
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
        if (p && col->f) {
            if (skip >= 0 && (int)col->f->print == skip) {
                amount = snprintf(data, sizeof(data), "-");
            } else {
                struct pr_args a = {data, sizeof(data), max_right, p, c};
                amount = col->f->pr(&a);
            }
        } else {
            amount = snprintf(data, sizeof(data), "%s", col->head);
        }
        if (amount < 0)
            data[amount = 0] = 0;
        else if (amount >= PS_OUTBUF)
            data[amount = PS_OUTBUF - 1] = 0;
        int leftpad = 0;
        switch (just) {
        case PS_AIX:
        case PS_LEFT: break;
        case PS_RIGHT:
            leftpad = col->width - amount;
            break;
        case PS_SIGNAL:
            if (c->wide_signals) {
                leftpad = 16 - amount;
                legit = 7;
            } else {
                leftpad = 9 - amount;
            }
            break;
        case PS_USER:
            if (c->user_is_number)
                leftpad = col->width - amount;
            break;
        case PS_WCHAN:
            if (c->wchan_is_number) {
                leftpad = col->width - amount;
                break;
            }
            /* fall through */
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
        if (space > 144)
            space = 144; /* procps pads at most this much at once */
        for (int k = 0; k < space; k++)
            buf_putc(out, ' ');
        buf_puts(out, data);
        if (last) {
            buf_putc(out, '\n');
            break;
        }
        actual += space + amount;
        correct += col->width + legit;
        if (col->f && cols[i + 1].f) {
            correct++;
            dospace = 1;
        } else {
            dospace = 0;
        }
    }
}
