/* cli/tree: `oya tree`, psmisc 23.6's pstree option for option (glibc getopt_long's reading and words), and
 * `oya tree --services`: the processes grouped under the oya service that owns them, like
 * systemd-cgls. */
#include "cli.h"

#include "../proc/proc.h"
#include "../proc/tree.h"

#include <ctype.h>
#include <langinfo.h>
#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* psmisc 23.6's usage text, on stderr, exit status 1 (pstree has no --help) */
static int tree_usage(void)
{
    fputs("Usage: pstree [-acglpsStTuZ] [ -h | -H PID ] [ -n | -N type ]\n"
          "              [ -A | -G | -U ] [ PID | USER ]\n"
          "   or: pstree -V\n"
          "\n"
          "Display a tree of processes.\n\n"
          "  -a, --arguments     show command line arguments\n"
          "  -A, --ascii         use ASCII line drawing characters\n"
          "  -c, --compact-not   don't compact identical subtrees\n"
          "  -C, --color=TYPE    color process by attribute\n"
          "                      (age)\n"
          "  -g, --show-pgids    show process group ids; implies -c\n"
          "  -G, --vt100         use VT100 line drawing characters\n"
          "  -h, --highlight-all highlight current process and its ancestors\n"
          "  -H PID, --highlight-pid=PID\n"
          "                      highlight this process and its ancestors\n"
          "  -l, --long          don't truncate long lines\n"
          "  -n, --numeric-sort  sort output by PID\n"
          "  -N TYPE, --ns-sort=TYPE\n"
          "                      sort output by this namespace type\n"
          "                              (cgroup, ipc, mnt, net, pid, time, user, uts)\n"
          "  -p, --show-pids     show PIDs; implies -c\n"
          "  -s, --show-parents  show parents of the selected process\n"
          "  -S, --ns-changes    show namespace transitions\n"
          "  -t, --thread-names  show full thread names\n"
          "  -T, --hide-threads  hide threads, show only processes\n"
          "  -u, --uid-changes   show uid transitions\n"
          "  -U, --unicode       use UTF-8 (Unicode) line drawing characters\n"
          "  -V, --version       display version information\n"
          "  -Z, --security-context\n"
          "                      show security attributes\n"
          "\n"
          "  PID    start at this PID; default is 1 (init)\n"
          "  USER   show only trees rooted at processes of this user\n\n",
          stderr);
    return 1;
}

static void oya_tree_help(void)
{
    printf("usage: oya tree [pstree's options] [PID | USER]\n"
           "       oya tree --services\n"
           "psmisc's pstree, option for option (`oya tree -?` prints its usage). Added by oya:\n"
           "  --services   the processes of each oya service, like systemd-cgls\n");
}

static void tree_version(void)
{
    fputs("pstree (PSmisc) 23.6\n"
          "Copyright (C) 1993-2021 Werner Almesberger and Craig Small\n\n"
          "PSmisc comes with ABSOLUTELY NO WARRANTY.\n"
          "This is free software, and you are welcome to redistribute it under\n"
          "the terms of the GNU General Public License.\n"
          "For more information about these matters, see the files named COPYING.\n",
          stderr);
}

/* ---------- the terminal's bold, from its terminfo entry (pstree -h, -H) ---------- */

static int16_t le16(const unsigned char *p) { return (int16_t)(p[0] | p[1] << 8); }

/* A terminfo string capability by its index (27 bold, 39 sgr0, 38 rmacs, 131 sgr), or NULL */
struct terminfo {
    unsigned char *data;
    size_t len;
    int nstr;
    const unsigned char *offsets, *table;
    size_t table_len;
};

static const char *ti_string(const struct terminfo *ti, int index)
{
    if (index >= ti->nstr)
        return NULL;
    int off = le16(ti->offsets + 2 * index);
    if (off < 0 || (size_t)off >= ti->table_len)
        return NULL;
    return (const char *)ti->table + off;
}

static bool ti_load(const char *term, struct terminfo *ti)
{
    memset(ti, 0, sizeof(*ti));
    if (!term || !*term || strchr(term, '/'))
        return false;
    const char *dirs[] = {getenv("TERMINFO"), "/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo"};
    char home[4096];
    const char *h = getenv("HOME");
    snprintf(home, sizeof(home), "%s/.terminfo", h ? h : "/nonexistent");
    struct buf b = {0};
    bool found = false;
    for (size_t i = 0; i < ARRAY_SIZE(dirs) + 1 && !found; i++) {
        const char *dir = i == 0 ? home : dirs[i - 1];
        if (!dir)
            continue;
        char path[4200];
        snprintf(path, sizeof(path), "%s/%c/%s", dir, term[0], term);
        b.len = 0;
        found = file_read_to_buf(path, &b) == 0;
        if (!found) {
            snprintf(path, sizeof(path), "%s/%02x/%s", dir, (unsigned char)term[0], term);
            b.len = 0;
            found = file_read_to_buf(path, &b) == 0;
        }
    }
    if (!found || b.len < 12) {
        buf_free(&b);
        return false;
    }
    const unsigned char *d = (const unsigned char *)b.p;
    int magic = le16(d), names = le16(d + 2), bools = le16(d + 4), nums = le16(d + 6), strs = le16(d + 8),
        table = le16(d + 10);
    int numsize = magic == 01036 ? 4 : 2;
    if ((magic != 0432 && magic != 01036) || names < 0 || bools < 0 || nums < 0 || strs < 0 || table < 0) {
        buf_free(&b);
        return false;
    }
    size_t at = 12 + (size_t)names + (size_t)bools;
    at += at & 1;
    at += (size_t)nums * (size_t)numsize;
    if (at + 2 * (size_t)strs + (size_t)table > b.len) {
        buf_free(&b);
        return false;
    }
    ti->data = (unsigned char *)b.p;
    ti->len = b.len;
    ti->nstr = strs;
    ti->offsets = ti->data + at;
    ti->table = ti->offsets + 2 * strs;
    ti->table_len = (size_t)table;
    return true;
}

/* tparm for sgr with parameters 1-8 zero and 9 (the alternate character set) given */
static void sgr_eval(const char *s, int p9, struct buf *out)
{
    long stack[16];
    int sp = 0;
    int skip = 0; /* nesting depth being skipped: 0 none */
    int depth = 0, skip_from = 0;
    for (; *s; s++) {
        if (*s != '%') {
            if (!skip)
                buf_putc(out, *s);
            continue;
        }
        char c = *++s;
        if (!c)
            break;
        if (c == '?') {
            depth++;
            continue;
        }
        if (c == ';') {
            if (skip && depth == skip_from)
                skip = 0;
            depth--;
            continue;
        }
        if (c == 't') {
            long v = sp ? stack[--sp] : 0;
            if (!skip && !v) {
                skip = 1;
                skip_from = depth;
            }
            continue;
        }
        if (c == 'e') {
            if (!skip) { /* the then-part ran: skip the else */
                skip = 1;
                skip_from = depth;
            } else if (depth == skip_from) {
                skip = 0;
            }
            continue;
        }
        if (skip) {
            if (c == '{')
                while (s[1] && s[1] != '}')
                    s++;
            continue;
        }
        switch (c) {
        case '%': buf_putc(out, '%'); break;
        case 'p':
            s++;
            if (sp < 16)
                stack[sp++] = *s == '9' ? p9 : 0;
            break;
        case '{': {
            long v = strtol(s + 1, (char **)&s, 10);
            if (sp < 16)
                stack[sp++] = v;
            break;
        }
        case '|': case '&': case '^': case '=': case '>': case '<': case 'A': case 'O': case '+': case '-':
        case '*': {
            long y = sp ? stack[--sp] : 0, x = sp ? stack[--sp] : 0, r = 0;
            switch (c) {
            case '|': r = x | y; break;
            case '&': r = x & y; break;
            case '^': r = x ^ y; break;
            case '=': r = x == y; break;
            case '>': r = x > y; break;
            case '<': r = x < y; break;
            case 'A': r = x && y; break;
            case 'O': r = x || y; break;
            case '+': r = x + y; break;
            case '-': r = x - y; break;
            case '*': r = x * y; break;
            }
            if (sp < 16)
                stack[sp++] = r;
            break;
        }
        case '!': if (sp) stack[sp - 1] = !stack[sp - 1]; break;
        case '~': if (sp) stack[sp - 1] = ~stack[sp - 1]; break;
        case 'd': buf_printf(out, "%ld", sp ? stack[--sp] : 0L); break;
        case 'c': buf_putc(out, (char)(sp ? stack[--sp] : 0)); break;
        default: break;
        }
    }
}

/* padding ("$<5>") is for slow terminals; tputs at an unknown speed sends none */
static void strip_padding(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        if (r[0] == '$' && r[1] == '<' && strchr(r, '>')) {
            r = strchr(r, '>') + 1;
            continue;
        }
        *w++ = *r++;
    }
    *w = 0;
}

/* ---- ncurses's termcap "me": sgr0, or sgr(0) without the alternate-charset reset, by its rules ---- */

static int csi_len(const char *s)
{
    return (unsigned char)s[0] == 0233 ? 1 : s[0] == 033 && s[1] == '[' ? 2 : 0;
}

static char *skip_zero(char *s)
{
    if (s[0] == '0') {
        if (s[1] == ';')
            s += 2;
        else if (isalpha((unsigned char)s[1]))
            s += 1;
    }
    return s;
}

static const char *skip_delay(const char *s)
{
    if (s[0] == '$' && s[1] == '<') {
        s += 2;
        while (isdigit((unsigned char)*s) || *s == '/')
            s++;
        if (*s == '>')
            s++;
    }
    return s;
}

/* the acs string moved from the front to the end */
static void acs_to_end(char *s, const char *acs)
{
    size_t ls = strlen(s), la = acs ? strlen(acs) : 0;
    if (!acs || !la || ls <= la || strncmp(acs, s, la) != 0)
        return;
    memmove(s, s + la, ls - la);
    memcpy(s + ls - la, acs, la);
}

static bool similar_sgr(char *a, char *b)
{
    int ca = csi_len(a), cb = csi_len(b);
    if (ca && cb && ca == cb) {
        a += ca;
        b += cb;
        if (*a != *b) {
            a = skip_zero(a);
            b = skip_zero(b);
        }
    }
    size_t la = strlen(a), lb = strlen(b);
    return la && lb && strncmp(a, b, la > lb ? lb : la) == 0;
}

static void chop_out(char *s, size_t i, size_t j)
{
    memmove(s + i, s + j, strlen(s + j) + 1);
}

/* how much of full matches part (delays compared loosely), 0 on a mismatch */
static size_t compare_part(const char *part, const char *full)
{
    size_t used = 0, delay = 0;
    while (*part) {
        if (*part != *full)
            return 0;
        used += delay;
        delay = 0;
        if (*part == '$') {
            const char *np = skip_delay(part), *nf = skip_delay(full);
            if (np != part && nf != full) {
                delay += (size_t)(nf - full);
                full = nf;
                part = np;
                continue;
            }
        }
        used++;
        part++;
        full++;
    }
    return used;
}

static char *sgr_string(const char *sgr, int p9)
{
    struct buf b = {0};
    sgr_eval(sgr, p9, &b);
    buf_putc(&b, 0);
    return b.p;
}

static char *trim_sgr0(const char *sgr0, const char *sgr, const char *smacs, const char *rmacs)
{
    if (!sgr)
        return xstrdup(sgr0);
    char *on = sgr_string(sgr, 1), *off = sgr_string(sgr, 0), *end = xstrdup(sgr0), *result = NULL;
    acs_to_end(on, smacs);
    acs_to_end(off, rmacs);
    acs_to_end(end, rmacs);
    if (similar_sgr(off, end) && !similar_sgr(off, on)) {
        bool found = false;
        size_t j = strlen(off), k = rmacs ? strlen(rmacs) : 0;
        if (k && j > k)
            for (size_t i = 0; i <= j - k && !found; i++) {
                size_t k2 = compare_part(rmacs, off + i);
                if (k2) {
                    chop_out(off, i, i + k2);
                    found = true;
                }
            }
        int c = csi_len(off);
        if (!found && c && off[strlen(off) - 1] == 'm') { /* SGR 10 would reset to the normal font */
            char *t = skip_zero(off + c);
            if (t[0] == '1' && skip_zero(t + 1) != t + 1) {
                size_t i = (size_t)(t - off);
                if (off[i - 1] == ';')
                    i--;
                chop_out(off, i, (size_t)(skip_zero(t + 1) - off));
                found = true;
            }
        }
        char *in_end;
        if (!found && (in_end = strstr(sgr0, off)) && strcmp(sgr0, off) != 0) {
            result = xstrdup(sgr0);
            chop_out(result, (size_t)(in_end - sgr0), (size_t)(in_end - sgr0) + strlen(off));
        } else {
            result = off;
            off = NULL;
        }
    }
    free(on);
    free(off);
    free(end);
    return result ? result : xstrdup(sgr0);
}

/* bold on and back to normal, as ncurses's termcap layer gives md and me */
static bool term_bold(const char *term, char **on, char **off)
{
    struct terminfo ti;
    *on = *off = NULL;
    if (!ti_load(term, &ti))
        return false;
    const char *bold = ti_string(&ti, 27), *sgr0 = ti_string(&ti, 39), *smacs = ti_string(&ti, 25),
               *rmacs = ti_string(&ti, 38), *sgr = ti_string(&ti, 131);
    if (bold) {
        *on = xstrdup(bold);
        strip_padding(*on);
    }
    if (sgr0) {
        *off = trim_sgr0(sgr0, sgr, smacs, rmacs);
        strip_padding(*off);
    }
    free(ti.data);
    return true;
}

static int output_width(void)
{
    const char *env = getenv("COLUMNS");
    if (env && *env) {
        char *end;
        long t = strtol(env, &end, 0);
        if (!*end && t > 0 && t < 0x7fffffffL)
            return (int)t;
    }
    struct winsize ws;
    if (ioctl(1, TIOCGWINSZ, &ws) >= 0 && ws.ws_col)
        return ws.ws_col;
    return 132;
}

/* Each service and its processes, systemd-cgls style. */
static int tree_services(struct cli *c)
{
    char *req[] = {"status"};
    struct ctl_reply rep;
    int rc = cli_call(c, req, 1, &rep);
    if (rc)
        return rc;
    struct buf out = {0};
    for (size_t i = 0; i < rep.n; i++) {
        const struct ctl_record *r = &rep.recs[i];
        if (strcmp(r->type, "oya") == 0) {
            buf_printf(&out, "oya (pid %s, %s)\n", ctl_get(r, "pid"), ctl_get(r, "socket"));
            continue;
        }
        bool last = i + 1 == rep.n;
        buf_printf(&out, "%s%s (%s, %s)\n", last ? "└─" : "├─", ctl_get(r, "name"), ctl_get(r, "active"),
                   ctl_get(r, "sub"));
        struct cli_procs p;
        cli_procs_read(&p, ctl_get(r, "pids"));
        cli_procs_tree(c, &p, last ? "  " : "│ ", &out);
        cli_procs_free(&p);
    }
    fd_write_all(1, out.p, out.len);
    buf_free(&out);
    ctl_reply_free(&rep);
    return 0;
}

/* ---------- the command line, as glibc's getopt_long reads pstree's (the same words on every libc) ---------- */

struct tree_opt {
    const char *name;
    bool arg;
    char val;
};

static const struct tree_opt tree_longs[] = {
    {"arguments", 0, 'a'}, {"ascii", 0, 'A'}, {"compact-not", 0, 'c'}, {"color", 1, 'C'}, {"vt100", 0, 'G'},
    {"highlight-all", 0, 'h'}, {"highlight-pid", 1, 'H'}, {"long", 0, 'l'}, {"numeric-sort", 0, 'n'},
    {"ns-sort", 1, 'N'}, {"show-pids", 0, 'p'}, {"show-pgids", 0, 'g'}, {"show-parents", 0, 's'},
    {"ns-changes", 0, 'S'}, {"thread-names", 0, 't'}, {"hide-threads", 0, 'T'}, {"uid-changes", 0, 'u'},
    {"unicode", 0, 'U'}, {"version", 0, 'V'}, {"security-context", 0, 'Z'},
};
static const char tree_shorts[] = "aAcC:GhH:nN:pglsStTuUVZ";

struct tree_args {
    int argc, i;
    char **argv;
    const char *cluster; /* the rest of a "-abc" word */
    const char **operands;
    int noperands;
    bool done;
};

/* The next option (its letter, with *arg for those that take one), '?' after saying what was wrong, or 0
 * when there are no more; the words that are not options are kept as operands, as GNU's getopt permutes */
static int tree_next(struct tree_args *t, const char **arg)
{
    *arg = NULL;
    while (!t->cluster || !*t->cluster) {
        t->cluster = NULL;
        if (t->i >= t->argc)
            return 0;
        const char *w = t->argv[t->i++];
        if (t->done || w[0] != '-' || !w[1]) {
            t->operands[t->noperands++] = w;
            if (getenv("POSIXLY_CORRECT"))
                t->done = true;
            continue;
        }
        if (!strcmp(w, "--")) {
            t->done = true;
            continue;
        }
        if (w[1] == '-') {
            const char *name = w + 2;
            size_t len = strcspn(name, "=");
            const struct tree_opt *found = NULL;
            int matches = 0;
            for (size_t k = 0; k < ARRAY_SIZE(tree_longs); k++) {
                if (strncmp(tree_longs[k].name, name, len))
                    continue;
                if (strlen(tree_longs[k].name) == len) { /* exact */
                    found = &tree_longs[k];
                    matches = 1;
                    break;
                }
                if (!matches++)
                    found = &tree_longs[k];
            }
            if (!matches) {
                fprintf(stderr, "pstree: unrecognized option '%s'\n", w);
                return '?';
            }
            if (matches > 1) {
                fprintf(stderr, "pstree: option '%s' is ambiguous; possibilities:", w);
                for (size_t k = 0; k < ARRAY_SIZE(tree_longs); k++)
                    if (!strncmp(tree_longs[k].name, name, len))
                        fprintf(stderr, " '--%s'", tree_longs[k].name);
                fputc('\n', stderr);
                return '?';
            }
            if (name[len] == '=') {
                if (!found->arg) {
                    fprintf(stderr, "pstree: option '--%s' doesn't allow an argument\n", found->name);
                    return '?';
                }
                *arg = name + len + 1;
            } else if (found->arg) {
                if (t->i >= t->argc) {
                    fprintf(stderr, "pstree: option '--%s' requires an argument\n", found->name);
                    return '?';
                }
                *arg = t->argv[t->i++];
            }
            return found->val;
        }
        t->cluster = w + 1;
    }
    char c = *t->cluster++;
    const char *at = c == ':' ? NULL : strchr(tree_shorts, c);
    if (!at) {
        fprintf(stderr, "pstree: invalid option -- '%c'\n", c);
        return '?';
    }
    if (at[1] == ':') {
        if (*t->cluster) {
            *arg = t->cluster;
        } else if (t->i < t->argc) {
            *arg = t->argv[t->i++];
        } else {
            fprintf(stderr, "pstree: option requires an argument -- '%c'\n", c);
            return '?';
        }
        t->cluster = NULL;
    }
    return c;
}

/* pstree's command line into o (the terminal's bold sequences, when -h or -H asks, into o->bold_on and
 * bold_off: the caller frees them): -1 to go on and draw, else the exit status (after saying why) */
int cli_tree_args(int argc, char **argv, struct pstree_opts *o)
{
    struct tree_args ta = {.argc = argc, .i = 1, .argv = argv, .operands = xcalloc((size_t)argc + 1, sizeof(char *))};
    char *bold_on = NULL, *bold_off = NULL;
    bool pid_set = false, show_parents = false;
    int rc = -1, ch;
    const char *value;
    while (rc < 0 && (ch = tree_next(&ta, &value)) != 0) {
        switch (ch) {
        case 'a': o->args = true; break;
        case 'A': o->unicode = false, o->vt100 = false; break;
        case 'c': o->compact = false; break;
        case 'C':
            if (strcasecmp(value, "age") == 0)
                o->color_age = true;
            else
                rc = tree_usage();
            break;
        case 'G': o->vt100 = true; break;
        case 'h':
            if (o->highlight_pid)
                rc = tree_usage();
            else if (getenv("TERM") && term_bold(getenv("TERM"), &bold_on, &bold_off))
                o->highlight_pid = (int)getpid();
            break;
        case 'H':
            if (o->highlight_pid) {
                rc = tree_usage();
            } else if (!getenv("TERM")) {
                fprintf(stderr, "TERM is not set\n");
                rc = 1;
            } else if (!bold_on && !term_bold(getenv("TERM"), &bold_on, &bold_off)) {
                fprintf(stderr, "Can't get terminal capabilities\n");
                rc = 1;
            } else if (!(o->highlight_pid = atoi(value))) {
                rc = tree_usage();
            }
            break;
        case 'l': o->trunc = false; break;
        case 'n': o->by_pid = true; break;
        case 'N': {
            o->ns_sort = -1;
            for (int i = 0; i < 8; i++)
                if (!strcmp(value, pstree_ns_names[i]))
                    o->ns_sort = i;
            char path[64];
            struct stat sb;
            snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)getpid(), value);
            if (o->ns_sort < 0) {
                rc = tree_usage();
            } else if (stat(path, &sb) != 0) {
                fprintf(stderr, "procfs file for %s namespace not available\n", value);
                rc = 1;
            }
            break;
        }
        case 'p': o->pids = true; o->compact = false; break;
        case 'g': o->pgids = true; break;
        case 's': show_parents = true; break;
        case 'S': o->ns_changes = true; break;
        case 't': o->thread_names = true; break;
        case 'T': o->hide_threads = true; break;
        case 'u': o->uid_changes = true; break;
        case 'U': o->unicode = true, o->vt100 = false; break;
        case 'V':
            tree_version();
            rc = 0;
            break;
        case 'Z': o->scontext = true; break;
        default: rc = tree_usage(); break;
        }
    }
    if (rc < 0 && ta.noperands == 1) {
        const char *target = ta.operands[0];
        if (isdigit((unsigned char)target[0])) {
            char *end;
            o->root_pid = (int)strtol(target, &end, 10);
            pid_set = true;
            if (*end)
                rc = tree_usage();
        } else {
            struct passwd *pw = getpwnam(target);
            if (!pw) {
                fprintf(stderr, "No such user name: %s\n", target);
                rc = 1;
            } else {
                o->by_user = true;
                o->user_uid = pw->pw_uid;
            }
        }
    }
    if (rc < 0 && ta.noperands > 1)
        rc = tree_usage();
    free(ta.operands);
    if (rc < 0 && show_parents && pid_set)
        o->parents_of = o->root_pid;
    o->bold_on = bold_on;
    o->bold_off = bold_off;
    return rc;
}

int cli_tree(struct cli *c, int argc, char **argv)
{
    setlocale(LC_ALL, "");
    const char *cs = nl_langinfo(CODESET);
    struct pstree_opts o = {.compact = true, .trunc = true, .width = output_width(), .root_pid = 1, .ns_sort = -1,
                            .unicode = isatty(1) && cs && strcmp(cs, "UTF-8") == 0};
    /* oya's own words, taken only when spelt out (so pstree's abbreviations mean what they mean there) */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--services"))
            return tree_services(c);
        if (!strcmp(argv[i], "--oya-help")) {
            oya_tree_help();
            return 0;
        }
    }
    int rc = cli_tree_args(argc, argv, &o);
    char *bold_on = (char *)o.bold_on, *bold_off = (char *)o.bold_off; /* ours to free */
    if (rc >= 0) {
        free(bold_on);
        free(bold_off);
        return rc;
    }
    int procfd = proc_open_root();
    if (procfd < 0) {
        fprintf(stderr, "/proc is empty (not mounted ?)\n");
        free(bold_on);
        free(bold_off);
        return 1;
    }
    struct buf out = {0};
    rc = pstree_render(procfd, &o, &out);
    close(procfd);
    fd_write_all(1, out.p, out.len);
    buf_free(&out);
    free(bold_on);
    free(bold_off);
    return rc;
}
