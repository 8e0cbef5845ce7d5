/* cli/ps_args: the ps command line, read by procps-ng 4.0's rules (its parser is the compatibility
 * contract): UNIX options ("-ef"), BSD options ("aux"), GNU long options, trailing PIDs; when that reading
 * fails, a second one as BSD (so "-aux" works and "ps -f -o pid" means f and o); PS_PERSONALITY and
 * CMD_ENV, I_WANT_A_BROKEN_PS, COLUMNS and LINES. The first error is the one reported. (Near 900 lines for
 * a reason: three option syntaxes with every letter procps knows, each a case of one reading; the formats
 * and sort orders they defer are ps_formats.c.) */
#include "ps_args.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void sels_free(struct ps_sel *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; s[i].names && k < s[i].n; k++)
            free(s[i].names[k]);
        free(s[i].names);
        free(s[i].ids);
    }
    free(s);
}

static void screen_size(struct parser *p)
{
    struct winsize ws;
    int cols = 80, rows = 24;
    bool got = false;
    for (int fd = 1; fd >= 0 && !got; fd = fd == 1 ? 2 : fd == 2 ? 0 : -1)
        if (ioctl(fd, TIOCGWINSZ, &ws) != -1 && ws.ws_col > 0 && ws.ws_row > 0)
            got = true;
    if (!got) {
        int fd = open("/dev/tty", O_NOCTTY | O_NONBLOCK | O_RDONLY | O_CLOEXEC);
        if (fd != -1) {
            got = ioctl(fd, TIOCGWINSZ, &ws) != -1 && ws.ws_col > 0 && ws.ws_row > 0;
            close(fd);
        }
    }
    if (got)
        cols = ws.ws_col, rows = ws.ws_row;
    if (!isatty(1))
        cols = PS_OUTBUF_COLS;
    const char *env = getenv("COLUMNS");
    char *end;
    if (env && *env) {
        long t = strtol(env, &end, 0);
        if (!*end && t > 0 && t < PS_OUTBUF_COLS)
            cols = (int)t;
    }
    env = getenv("LINES");
    if (env && *env) {
        long t = strtol(env, &end, 0);
        if (!*end && t > 0 && t < PS_OUTBUF_COLS)
            rows = (int)t;
    }
    if (cols < 9 || rows < 2)
        fprintf(stderr, "your %dx%d screen size is bogus. expect trouble\n", cols, rows);
    p->screen_cols = cols;
    p->screen_rows = rows;
}

static void set_personality(struct parser *p)
{
    p->personality = 0;
    p->prefer_bsd = false;
    p->bsd_j = "OL_j", p->bsd_l = "OL_l", p->bsd_s = "OL_s", p->bsd_u = "OL_u", p->bsd_v = "OL_v";
    p->sysv_f = p->sysv_fl = p->sysv_j = p->sysv_l = NULL;
    const char *s = getenv("PS_PERSONALITY");
    if (!s || !*s)
        s = getenv("CMD_ENV");
    if (!s || !*s)
        s = "unknown";
    if (getenv("I_WANT_A_BROKEN_PS"))
        s = "old";
    if (strlen(s) > 15)
        return;
#define IS(name) (strcasecmp(s, name) == 0)
    if (IS("bsd")) {
        p->personality = PER_FORCE_BSD | PER_BSD_h | PER_BSD_m;
        p->prefer_bsd = true;
        p->bsd_j = "FB_j", p->bsd_l = "FB_l", p->bsd_u = "FB_u", p->bsd_v = "FB_v";
    } else if (IS("old")) {
        p->personality = PER_FORCE_BSD | PER_OLD_m;
        p->prefer_bsd = true;
    } else if (IS("debian") || IS("gnu")) {
        p->personality = PER_OLD_m;
        p->prefer_bsd = true;
        p->sysv_f = "RD_f", p->sysv_j = "RD_j", p->sysv_l = "RD_l";
    } else if (IS("linux")) {
        p->personality = PER_ZAP_ADDR | PER_SANE_USER;
    } else if (IS("aix")) {
        p->bsd_j = "FB_j", p->bsd_l = "FB_l", p->bsd_u = "FB_u", p->bsd_v = "FB_v";
    } else if (IS("tru64") || IS("compaq") || IS("digital")) {
        p->personality = PER_BSD_h;
        p->prefer_bsd = true;
        p->sysv_f = "F5FMT", p->sysv_fl = "FL5FMT", p->sysv_j = "JFMT", p->sysv_l = "L5FMT";
        p->bsd_j = "JFMT", p->bsd_l = "LFMT", p->bsd_s = "SFMT", p->bsd_u = "UFMT", p->bsd_v = "VFMT";
    } else if (IS("sunos4")) {
        p->personality = PER_NO_DEFAULT_g;
        p->prefer_bsd = true;
        p->bsd_j = "FB_j", p->bsd_l = "FB_l", p->bsd_u = "FB_u", p->bsd_v = "FB_v";
    } else if (IS("irix") || IS("sgi")) {
        const char *xpg = getenv("_XPG");
        if (!(xpg && xpg[0] > '0' && xpg[0] <= '9'))
            p->personality = PER_IRIX_l;
    } else if (IS("os390") || IS("s390") || IS("390")) {
        p->sysv_j = "J390";
    } else if (IS("hp") || IS("hpux")) {
        p->personality = PER_HPUX_x;
    } else if (IS("svr4") || IS("sysv") || IS("sco")) {
        p->personality = PER_SVR4_x;
    }
#undef IS
}

/* procps's reset_global: everything back to the start (the second reading begins here too) */
static void reset(struct parser *p)
{
    struct ps_ctx *ctx = p->ctx;
    int argc = p->argc, my_tty = p->my_tty;
    char **argv = p->argv;
    sels_free(p->sels, p->nsels);
    free(p->sfs);
    ps_columns_free(p->cols, p->ncols);
    free(p->sorts);
    bool force = p->force_bsd;
    memset(p, 0, sizeof(*p));
    p->ctx = ctx, p->argc = argc, p->argv = argv, p->my_tty = my_tty, p->force_bsd = force;
    p->header = -1;
    screen_size(p);
    set_personality(p);
}

/* ---------- lists ---------- */

typedef const char *(*item_fn)(struct parser *p, char *s, struct ps_sel *sel);

static const char *item_pid(struct parser *p, char *s, struct ps_sel *sel)
{
    (void)p;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (*end)
        return "process ID list syntax error";
    if (v < 1 || v > 0x7fffffffUL)
        return "process ID out of range";
    sel->ids[sel->n++] = (long)v;
    return NULL;
}

static const char *item_uid(struct parser *p, char *s, struct ps_sel *sel)
{
    char *end;
    unsigned long v = strtoul(s, &end, 0);
    if (*end) {
        struct passwd *pw = getpwnam(s);
        if (!pw) {
            if (!p->negate)
                return "user name does not exist";
            v = (unsigned long)-1;
        } else {
            v = pw->pw_uid;
        }
    }
    if (!p->negate && v > 0xfffffffeUL)
        return "user ID out of range";
    sel->ids[sel->n++] = (long)(unsigned)v;
    return NULL;
}

static const char *item_gid(struct parser *p, char *s, struct ps_sel *sel)
{
    char *end;
    unsigned long v = strtoul(s, &end, 0);
    if (*end) {
        struct group *g = getgrnam(s);
        if (!g) {
            if (!p->negate)
                return "group name does not exist";
            v = (unsigned long)-1;
        } else {
            v = g->gr_gid;
        }
    }
    if (!p->negate && v > 0xfffffffeUL)
        return "group ID out of range";
    sel->ids[sel->n++] = (long)(unsigned)v;
    return NULL;
}

static const char *item_cmd(struct parser *p, char *s, struct ps_sel *sel)
{
    (void)p;
    sel->names[sel->n] = xstrndup(s, strnlen(s, 63));
    sel->ids[sel->n++] = 0;
    return NULL;
}

/* A terminal by name, as procps looks it up: /dev/pts/X, /dev/X, /dev/ttyX, /dev/ptyX, /dev/Xnsole;
 * "-" and "?" mean none */
static const char *item_tty(struct parser *p, char *s, struct ps_sel *sel)
{
    (void)p;
    struct stat st;
    char path[4096];
    static const char *const forms[] = {"/dev/pts/%s", "/dev/%s", "/dev/tty%s", "/dev/pty%s", "/dev/%snsole"};
    bool found = false;
    if (s[0] == '/') {
        if (stat(s, &st) < 0)
            return "TTY could not be found";
        found = true;
    }
    for (size_t i = 0; !found && i < ARRAY_SIZE(forms); i++) {
        snprintf(path, sizeof(path), forms[i], s);
        found = stat(path, &st) >= 0;
    }
    if (!found) {
        if (!strcmp(s, "-") || !strcmp(s, "?") || (!s[1] && stat(s, &st) >= 0)) {
            sel->ids[sel->n++] = 0;
            return NULL;
        }
        return "TTY could not be found";
    }
    if (!S_ISCHR(st.st_mode))
        return "list member was not a TTY";
    sel->ids[sel->n++] = (long)(unsigned)st.st_rdev;
    return NULL;
}

/* items separated by commas, spaces or tabs; an empty item is an error */
static const char *parse_list(struct parser *p, const char *arg, item_fn fn, enum ps_sel_kind kind)
{
    bool trailing;
    int n = ps_list_items(arg, " ,\t", &trailing);
    if (n < 0 || trailing)
        return "improper list";
    size_t items = (size_t)n;
    struct ps_sel sel = {kind, 0, xcalloc(items, sizeof(long)), kind == PS_SEL_COMM ? xcalloc(items, sizeof(char *)) : NULL};
    char *copy = xstrdup(arg), *walk = copy;
    const char *err = NULL;
    for (size_t k = 0; k < items && !err; k++) {
        char *sep = strpbrk(walk, " ,\t");
        if (sep)
            *sep = 0;
        err = fn(p, walk, &sel);
        walk = sep ? sep + 1 : walk + strlen(walk);
    }
    free(copy);
    if (err) {
        for (size_t k = 0; sel.names && k < sel.n; k++)
            free(sel.names[k]);
        free(sel.names);
        free(sel.ids);
        return err;
    }
    p->sels = xrealloc(p->sels, (p->nsels + 1) * sizeof(*p->sels));
    p->sels[p->nsels++] = sel;
    return NULL;
}

static void add_own_tty(struct parser *p)
{
    struct ps_sel sel = {PS_SEL_TTY, 1, xcalloc(1, sizeof(long)), NULL};
    sel.ids[0] = p->my_tty;
    p->sels = xrealloc(p->sels, (p->nsels + 1) * sizeof(*p->sels));
    p->sels[p->nsels++] = sel;
}

static void defer(struct parser *p, const char *arg, enum sf_code code)
{
    p->sfs = xrealloc(p->sfs, (p->nsfs + 1) * sizeof(*p->sfs));
    p->sfs[p->nsfs++] = (struct sf){arg, code};
    if (code == SF_G_sort)
        p->have_gnu_sort = true;
}

/* -Oppid and -O ppid both: the rest of this word, else the next word (not an empty one) */
static const char *opt_arg(struct parser *p)
{
    if (p->flag[1])
        return p->flag + 1;
    if (p->thisarg + 2 > p->argc || !*p->argv[p->thisarg + 1])
        return NULL;
    return p->argv[++p->thisarg];
}

/* a list option: its list follows in this word or the next, else the option's own complaint */
static const char *list_opt(struct parser *p, const char *missing, item_fn fn, enum ps_sel_kind kind)
{
    const char *arg = opt_arg(p);
    return arg ? parse_list(p, arg, fn, kind) : missing;
}

static const char *exclusive(struct parser *p, const char *opt, char *buf, size_t size)
{
    if (p->argc != 2 || strcmp(p->argv[1], opt) != 0) {
        snprintf(buf, size, "the option is exclusive: %s", opt);
        return buf;
    }
    return NULL;
}

#define VERSION_TEXT "ps from procps-ng 4.0.2\n"

/* ---------- the three kinds of options ---------- */

static const char *parse_sysv(struct parser *p, int *exit_now)
{
    const char *arg, *err;
    for (p->flag = p->argv[p->thisarg] + 1; *p->flag; p->flag++) {
        switch (*p->flag) {
        case 'A': case 'e': p->all = true; break;
        case 'C':
            return list_opt(p, "list of command names must follow -C", item_cmd, PS_SEL_COMM);
        case 'F':
            p->format_modifiers |= FM_F;
            p->format_flags |= FF_Uf;
            p->unix_f = true;
            break;
        case 'G':
            return list_opt(p, "list of real groups must follow -G", item_gid, PS_SEL_RGID);
        case 'H': p->forest = 'u'; break;
        case 'L': p->thread_flags |= PS_TF_U_L; break;
        case 'M': case 'Z': p->format_modifiers |= FM_M; break;
        case 'N': p->negate = true; break;
        case 'O':
            if (!(arg = opt_arg(p)))
                return "format or sort specification must follow -O";
            defer(p, arg, SF_U_O);
            return NULL;
        case 'P': p->format_modifiers |= FM_P; break;
        case 'T': p->thread_flags |= PS_TF_U_T; break;
        case 'U':
            return list_opt(p, "list of real users must follow -U", item_uid, PS_SEL_RUID);
        case 'V':
            if ((err = exclusive(p, "-V", p->errbuf, sizeof(p->errbuf))))
                return err;
            fputs(VERSION_TEXT, stdout);
            *exit_now = 1;
            return NULL;
        case 'a': p->simple |= SS_U_a; break;
        case 'c': p->format_modifiers |= FM_c; break;
        case 'd': p->simple |= SS_U_d; break;
        case 'f':
            p->format_flags |= FF_Uf;
            p->unix_f = true;
            break;
        case 'g':
            if (!(arg = opt_arg(p)))
                return "list of session leaders OR effective group names must follow -g";
            if (!parse_list(p, arg, item_pid, PS_SEL_SESS))
                return NULL;
            if (!parse_list(p, arg, item_gid, PS_SEL_EGID))
                return NULL;
            return "list of session leaders OR effective group IDs was invalid";
        case 'j':
            if (p->sysv_j)
                p->format_flags |= FF_Uj;
            else
                p->format_modifiers |= FM_j;
            break;
        case 'l': p->format_flags |= FF_Ul; break;
        case 'm': p->thread_flags |= PS_TF_U_m; break;
        case 'o':
            if (!(arg = opt_arg(p)))
                return "format specification must follow -o";
            defer(p, arg, SF_U_o);
            return NULL;
        case 'p':
            return list_opt(p, "list of process IDs must follow -p", item_pid, PS_SEL_PID);
        case 'q':
            return list_opt(p, "List of process IDs must follow -q.", item_pid, PS_SEL_PID_QUICK);
        case 's':
            return list_opt(p, "list of session IDs must follow -s", item_pid, PS_SEL_SESS);
        case 't':
            return list_opt(p, "list of terminals (pty, tty...) must follow -t", item_tty, PS_SEL_TTY);
        case 'u':
            return list_opt(p, "list of users must follow -u", item_uid, PS_SEL_EUID);
        case 'w': p->w_count++; break;
        case 'x':
            if (p->personality & PER_SVR4_x) {
                p->format_modifiers |= FM_y;
                break;
            }
            if (p->personality & PER_HPUX_x) {
                p->w_count += 2;
                p->unix_f = true;
                break;
            }
            return "must set personality to get -x option";
        case 'y': p->format_modifiers |= FM_y; break;
        case '-': return "embedded '-' among SysV options makes no sense";
        default: return "unsupported SysV option";
        }
    }
    return NULL;
}

static const char *parse_bsd(struct parser *p, int *exit_now)
{
    const char *arg, *err, *word = p->argv[p->thisarg];
    if (word[0] == '-') {
        if (!p->force_bsd)
            return "cannot happen - problem #1";
        p->flag = word + 1;
    } else {
        if (p->personality & PER_FORCE_BSD) {
            if (!p->force_bsd)
                return "cannot happen - problem #2";
        } else if (p->force_bsd) {
            return "second chance parse failed, not BSD or SysV";
        }
        p->flag = word;
    }
    for (; *p->flag; p->flag++) {
        switch (*p->flag) {
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
            return parse_list(p, p->flag, item_pid, PS_SEL_PID);
        case 'H': p->thread_flags |= PS_TF_B_H; break;
        case 'L':
            if ((err = exclusive(p, "L", p->errbuf, sizeof(p->errbuf))))
                return err;
            *exit_now = 2;
            return NULL;
        case 'M': p->thread_flags |= PS_TF_B_m; break;
        case 'O':
            if (!(arg = opt_arg(p)))
                return "format or sort specification must follow O";
            defer(p, arg, SF_B_O);
            return NULL;
        case 'S': p->cumulative = true; break;
        case 'T': add_own_tty(p); break;
        case 'U':
            return list_opt(p, "list of users must follow U", item_uid, PS_SEL_EUID);
        case 'V':
            if ((err = exclusive(p, "V", p->errbuf, sizeof(p->errbuf))))
                return err;
            fputs(VERSION_TEXT, stdout);
            *exit_now = 1;
            return NULL;
        case 'W': return "obsolete W option not supported (you have a /dev/drum?)";
        case 'X': p->format_flags |= FF_LX; break;
        case 'Z': p->format_modifiers |= FM_M; break;
        case 'a': p->simple |= SS_B_a; break;
        case 'c': p->bsd_c = true; break;
        case 'e': p->bsd_e = true; break;
        case 'f': p->forest = 'b'; break;
        case 'g': p->simple |= SS_B_g; break;
        case 'h':
            if (p->header >= 0)
                return "only one heading option may be specified";
            p->header = p->personality & PER_BSD_h ? PS_HEAD_MULTI : PS_HEAD_NONE;
            break;
        case 'j': p->format_flags |= FF_Bj; break;
        case 'k':
            if (!(arg = opt_arg(p)))
                return "long sort specification must follow 'k'";
            defer(p, arg, SF_G_sort);
            return NULL;
        case 'l': p->format_flags |= FF_Bl; break;
        case 'm':
            if (p->personality & PER_OLD_m)
                p->format_flags |= FF_Lm;
            else if (p->personality & PER_BSD_m)
                defer(p, "pmem", SF_B_m);
            else
                p->thread_flags |= PS_TF_B_m;
            break;
        case 'n': p->wchan_is_number = p->user_is_number = true; break;
        case 'o':
            if (!(arg = opt_arg(p)))
                return "format specification must follow o";
            defer(p, arg, SF_B_o);
            return NULL;
        case 'p':
            return list_opt(p, "list of process IDs must follow p", item_pid, PS_SEL_PID);
        case 'q':
            return list_opt(p, "List of process IDs must follow q.", item_pid, PS_SEL_PID_QUICK);
        case 'r': p->running_only = true; break;
        case 's': p->format_flags |= FF_Bs; break;
        case 't':
            if (!(arg = opt_arg(p))) {
                add_own_tty(p);
                return NULL;
            }
            return parse_list(p, arg, item_tty, PS_SEL_TTY);
        case 'u': p->format_flags |= FF_Bu; break;
        case 'v': p->format_flags |= FF_Bv; break;
        case 'w': p->w_count++; break;
        case 'x': p->simple |= SS_B_x; break;
        case '-': return "embedded '-' among BSD options makes no sense";
        default: return "unsupported option (BSD syntax)";
        }
    }
    return NULL;
}

/* the argument of a long option: after '=' or ':', else the next word */
static const char *gnu_arg(struct parser *p, const char *after)
{
    if (*after == '=' || *after == ':')
        return after[1] ? after + 1 : NULL;
    if (*after)
        return NULL;
    if (p->thisarg + 2 > p->argc || !*p->argv[p->thisarg + 1])
        return NULL;
    return p->argv[++p->thisarg];
}

static const char *parse_gnu(struct parser *p, int *exit_now)
{
    const char *s = p->argv[p->thisarg] + 2, *arg, *err;
    size_t sl = strcspn(s, ":=");
    const char *after = s + sl;
    if (sl > 15)
        return "unknown gnu long option";
    char name[16];
    memcpy(name, s, sl);
    name[sl] = 0;
#define IS(x) (strcmp(name, x) == 0)
    if (IS("Group")) {
        if (!(arg = gnu_arg(p, after)))
            return "list of real groups must follow --Group";
        return parse_list(p, arg, item_gid, PS_SEL_RGID);
    }
    if (IS("User")) {
        if (!(arg = gnu_arg(p, after)))
            return "list of real users must follow --User";
        return parse_list(p, arg, item_uid, PS_SEL_RUID);
    }
    if (IS("cols") || IS("width") || IS("columns") || IS("rows") || IS("lines")) {
        bool rows = IS("rows") || IS("lines");
        arg = gnu_arg(p, after);
        if (arg && *arg) {
            char *end;
            long t = strtol(arg, &end, 0);
            if (!*end && t > 0 && t < 2000000000) {
                *(rows ? &p->screen_rows : &p->screen_cols) = (int)t;
                return NULL;
            }
        }
        return rows ? "number of rows must follow --rows or --lines"
                    : "number of columns must follow --cols, --width, or --columns";
    }
    if (IS("cumulative") || IS("deselect") || IS("forest")) {
        if (*after) {
            snprintf(p->errbuf, sizeof(p->errbuf), "option --%s does not take an argument", name);
            return p->errbuf;
        }
        if (IS("cumulative"))
            p->cumulative = true;
        else if (IS("deselect"))
            p->negate = true;
        else
            p->forest = 'g';
        return NULL;
    }
    if (IS("no-header") || IS("no-headers") || IS("no-heading") || IS("no-headings") || IS("noheader") ||
        IS("noheaders") || IS("noheading") || IS("noheadings")) {
        if (*after)
            return "option --no-heading does not take an argument";
        if (p->header >= 0)
            return "only one heading option may be specified";
        p->header = PS_HEAD_NONE;
        return NULL;
    }
    if (IS("header") || IS("headers") || IS("heading") || IS("headings")) {
        if (*after)
            return "option --heading does not take an argument";
        if (p->header >= 0)
            return "only one heading option may be specified";
        p->header = PS_HEAD_MULTI;
        return NULL;
    }
    if (IS("format")) {
        if (!(arg = gnu_arg(p, after)))
            return "format specification must follow --format";
        defer(p, arg, SF_G_format);
        return NULL;
    }
    if (IS("group")) {
        if (!(arg = gnu_arg(p, after)))
            return "list of effective groups must follow --group";
        return parse_list(p, arg, item_gid, PS_SEL_EGID);
    }
    if (IS("help")) {
        ps_help(gnu_arg(p, after), stdout);
        *exit_now = 1;
        return NULL;
    }
    if (IS("oya-help")) {
        *exit_now = 3;
        return NULL;
    }
    if (IS("services")) {
        p->services = true; /* oya's own: a SERVICE column before the command */
        return NULL;
    }
    if (IS("info")) {
        if ((err = exclusive(p, "--info", p->errbuf, sizeof(p->errbuf))))
            return err;
        *exit_now = 4;
        return NULL;
    }
    if (IS("pid") || IS("ppid") || IS("quick-pid") || IS("sid")) {
        arg = gnu_arg(p, after);
        if (!arg)
            return IS("pid") ? "list of process IDs must follow --pid"
                   : IS("ppid") ? "list of process IDs must follow --ppid"
                   : IS("sid") ? "some sid thing(s) must follow --sid"
                               : "List of process IDs must follow --quick-pid.";
        return parse_list(p, arg, item_pid,
                          IS("pid") ? PS_SEL_PID : IS("ppid") ? PS_SEL_PPID : IS("sid") ? PS_SEL_SESS : PS_SEL_PID_QUICK);
    }
    if (IS("sort")) {
        if (!(arg = gnu_arg(p, after)))
            return "long sort specification must follow --sort";
        defer(p, arg, SF_G_sort);
        return NULL;
    }
    if (IS("tty")) {
        if (!(arg = gnu_arg(p, after)))
            return "list of ttys must follow --tty";
        return parse_list(p, arg, item_tty, PS_SEL_TTY);
    }
    if (IS("user")) {
        if (!(arg = gnu_arg(p, after)))
            return "list of effective users must follow --user";
        return parse_list(p, arg, item_uid, PS_SEL_EUID);
    }
    if (IS("version")) {
        if ((err = exclusive(p, "--version", p->errbuf, sizeof(p->errbuf))))
            return err;
        fputs(VERSION_TEXT, stdout);
        *exit_now = 1;
        return NULL;
    }
    if (IS("context")) {
        p->format_flags |= FF_Fc;
        return NULL;
    }
#undef IS
    return "unknown gnu long option";
}

/* PIDs at the end: N a process, -N a process group, +N a session; they take every word left */
static const char *parse_trailing(struct parser *p)
{
    int left = p->argc - p->thisarg;
    struct ps_sel sel[3] = {{PS_SEL_PID, 0, xcalloc((size_t)left, sizeof(long)), NULL},
                            {PS_SEL_PGRP, 0, xcalloc((size_t)left, sizeof(long)), NULL},
                            {PS_SEL_SESS, 0, xcalloc((size_t)left, sizeof(long)), NULL}};
    const char *err = NULL;
    for (int i = p->thisarg; i < p->argc && !err; i++) {
        char *w = xstrdup(p->argv[i]);
        int k = w[0] == '-' ? 1 : w[0] == '+' ? 2 : 0;
        err = item_pid(p, w + (k ? 1 : 0), &sel[k]);
        free(w);
    }
    p->thisarg = p->argc - 1;
    for (int k = 0; k < 3; k++) {
        if (!err && sel[k].n) {
            p->sels = xrealloc(p->sels, (p->nsels + 1) * sizeof(*p->sels));
            p->sels[p->nsels++] = sel[k];
        } else {
            free(sel[k].ids);
        }
    }
    return err;
}

static const char *parse_all(struct parser *p, int *exit_now)
{
    const char *err = NULL;
    while (++p->thisarg < p->argc && !*exit_now) {
        const char *w = p->argv[p->thisarg];
        char c0 = w[0], c1 = c0 ? w[1] : 0, c2 = c1 ? w[2] : 0;
#define ALPHA(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define DIGIT(c) ((c) >= '0' && (c) <= '9')
        if (ALPHA(c0)) {
            if (p->force_bsd && !(p->personality & PER_FORCE_BSD))
                return "way bad";
            p->prefer_bsd = true;
            err = parse_bsd(p, exit_now);
        } else if (DIGIT(c0) || c0 == '+' || (c0 == '-' && DIGIT(c1))) {
            p->prefer_bsd = true;
            err = parse_trailing(p);
        } else if (c0 == '-' && ALPHA(c1)) {
            if (p->force_bsd) {
                p->prefer_bsd = true;
                err = parse_bsd(p, exit_now);
            } else {
                err = parse_sysv(p, exit_now);
            }
        } else if (c0 == '-' && c1 == '-' && ALPHA(c2)) {
            err = parse_gnu(p, exit_now);
        } else {
            return "garbage option";
        }
        if (err)
            return err;
    }
    return NULL;
}

static const char *thread_check(struct parser *p)
{
    unsigned *t = &p->thread_flags;
    if (!*t) {
        *t = PS_TF_SHOW_PROC;
        return NULL;
    }
    if (p->forest)
        return "thread display conflicts with forest display";
    if ((*t & PS_TF_B_H) && (*t & (PS_TF_B_m | PS_TF_U_m)))
        return "thread flags conflict; can't use H with m or -m";
    if ((*t & PS_TF_B_m) && (*t & PS_TF_U_m))
        return "thread flags conflict; can't use both m and -m";
    if ((*t & PS_TF_U_L) && (*t & PS_TF_U_T))
        return "thread flags conflict; can't use both -L and -T";
    if (*t & PS_TF_B_H)
        *t |= PS_TF_SHOW_PROC | PS_TF_LOOSE_TASKS;
    if (*t & (PS_TF_B_m | PS_TF_U_m))
        *t |= PS_TF_SHOW_PROC | PS_TF_SHOW_TASK | PS_TF_SHOW_BOTH;
    if (*t & (PS_TF_U_T | PS_TF_U_L)) {
        if (*t & (PS_TF_B_m | PS_TF_U_m | PS_TF_B_H))
            *t |= PS_TF_MUST_USE;
        else
            *t |= PS_TF_SHOW_TASK;
    }
    return NULL;
}

static const char *select_setup(struct parser *p)
{
    if (!p->simple && !p->prefer_bsd) {
        p->select_bits = 0xaa00; /* the standard: ours, on our terminal */
        return NULL;
    }
    unsigned sw = p->simple;
    if (!(p->personality & PER_NO_DEFAULT_g) && !(p->simple & (SS_U_a | SS_U_d)))
        sw |= SS_B_g;
    switch (sw) {
    case SS_U_a | SS_U_d: p->select_bits = 0x3f3f; break;
    case SS_U_a: p->select_bits = 0x0303; break;
    case SS_U_d: p->select_bits = 0x3333; break;
    case 0: p->select_bits = 0x0202; break;
    case SS_B_a: p->select_bits = 0x0303; break;
    case SS_B_x: p->select_bits = 0x2222; break;
    case SS_B_x | SS_B_a: p->select_bits = 0x3333; break;
    case SS_B_g: p->select_bits = 0x0a0a; break;
    case SS_B_g | SS_B_a: p->select_bits = 0x0f0f; break;
    case SS_B_g | SS_B_x: p->select_bits = 0xaaaa; break;
    case SS_B_g | SS_B_x | SS_B_a:
        p->all = true;
        p->simple = 0;
        break;
    default: return "process selection options conflict";
    }
    return NULL;
}

static const char *read_all(struct parser *p, int *exit_now)
{
    const char *err = parse_all(p, exit_now);
    if (err || *exit_now)
        return err;
    if ((err = thread_check(p)) || (err = ps_process_sf(p)) || (err = select_setup(p))) {
        if (p->fatal)
            *exit_now = 5;
        return err;
    }
    return NULL;
}

static void self_info(const struct parser *p)
{
    fprintf(stderr,
            "BSD j    %s\nBSD l    %s\nBSD s    %s\nBSD u    %s\nBSD v    %s\nSysV -f  %s\nSysV -fl %s\nSysV -j  %s\n"
            "SysV -l  %s\n\n",
            p->bsd_j ? p->bsd_j : "(none)", p->bsd_l ? p->bsd_l : "(none)", p->bsd_s ? p->bsd_s : "(none)",
            p->bsd_u ? p->bsd_u : "(none)", p->bsd_v ? p->bsd_v : "(none)", p->sysv_f ? p->sysv_f : "(none)",
            p->sysv_fl ? p->sysv_fl : "(none)", p->sysv_j ? p->sysv_j : "(none)", p->sysv_l ? p->sysv_l : "(none)");
    fprintf(stderr, "procps-ng version 4.0.2 (oya ps)\n\n");
    fprintf(stderr, "header_gap=-1 lines_to_next_header=1\nscreen_cols=%d screen_rows=%d\n\n", p->screen_cols,
            p->screen_rows);
    fprintf(stderr, "personality=0x%08x\nEUID=%u TTY=%d,%d page_size=%ld\n", p->personality, (unsigned)geteuid(),
            (int)(((unsigned)p->my_tty >> 8) & 0xfff), (int)(((unsigned)p->my_tty & 0xff) | (((unsigned)p->my_tty >> 12) & 0xfff00)),
            p->ctx->sys.page_size);
}

static void oya_usage(void)
{
    printf("usage: oya ps [options]\n"
           "procps-ng's ps, option for option (`oya ps --help [simple|list|output|threads|misc|all]` is its\n"
           "help). Added by oya: --services adds a SERVICE column before the command: the oya service that\n"
           "owns each process (blank for none). `oya ps L` lists the format specifiers.\n");
}

int ps_plan_parse(struct ps_ctx *ctx, int argc, char **argv, struct ps_plan *plan, bool *done)
{
    struct parser p = {0};
    struct proc_stat self;
    p.ctx = ctx, p.argc = argc, p.argv = argv;
    p.my_tty = proc_read_stat(ctx->procfd, getpid(), &self) == 0 ? self.tty_nr : 0;
    reset(&p);
    int exit_now = 0;
    const char *err = NULL, *err2 = NULL;
    *done = false;
    if (!(p.personality & PER_FORCE_BSD))
        err = read_all(&p, &exit_now);
    char first[160] = "";
    if (err)
        snprintf(first, sizeof(first), "%s", err); /* the second reading clears what err may point at */
    if ((p.personality & PER_FORCE_BSD) || (err && !exit_now)) {
        /* the second reading: every option as BSD, old Linux's m */
        p.force_bsd = true;
        p.thisarg = 0;
        reset(&p);
        p.prefer_bsd = true;
        if (!(p.personality & (PER_OLD_m | PER_BSD_m)))
            p.personality |= PER_OLD_m;
        exit_now = 0;
        err2 = read_all(&p, &exit_now);
    }
    if (exit_now == 5) {
        fprintf(stderr, "%s\n", p.fatal);
        reset(&p);
        *done = true;
        return 1;
    }
    if (exit_now) {
        if (exit_now == 2) {
            struct buf b = {0};
            ps_list_fields(&b);
            fwrite(b.p, 1, b.len, stdout);
            buf_free(&b);
        } else if (exit_now == 3) {
            oya_usage();
        } else if (exit_now == 4) {
            self_info(&p);
        }
        reset(&p);
        *done = true;
        return 0;
    }
    if (err2) {
        fprintf(stderr, "error: %s\n", p.personality & PER_FORCE_BSD ? err2 : first);
        ps_help(NULL, stderr);
        reset(&p);
        *done = true;
        return 1;
    }
    if (p.w_count && p.screen_cols < 132)
        p.screen_cols = 132;
    if (p.w_count > 1)
        p.screen_cols = PS_OUTBUF_COLS;
    *plan = (struct ps_plan){
        .all = p.all, .negate = p.negate, .running_only = p.running_only, .select_bits = p.select_bits, .use_table = p.simple || !p.nsels,
        .sels = p.sels, .nsels = p.nsels, .thread_flags = p.thread_flags, .forest = p.forest,
        .header = p.header < 0 ? PS_HEAD_SINGLE : (enum ps_header)p.header, .screen_cols = p.screen_cols,
        .screen_rows = p.screen_rows, .bsd_c = p.bsd_c, .bsd_e = p.bsd_e, .cumulative = p.cumulative,
        .user_is_number = p.user_is_number, .wchan_is_number = p.wchan_is_number, .unix_f = p.unix_f,
        .services = p.services, .cols = p.cols, .ncols = p.ncols, .sorts = p.sorts, .nsorts = p.nsorts,
        .sort_needs = p.sort_needs, .my_tty = p.my_tty, .my_euid = (unsigned)geteuid(), .warning = p.warning};
    free(p.sfs);
    return 0;
}

void ps_plan_free(struct ps_plan *plan)
{
    sels_free(plan->sels, plan->nsels);
    ps_columns_free(plan->cols, plan->ncols);
    free(plan->sorts);
    memset(plan, 0, sizeof(*plan));
}
