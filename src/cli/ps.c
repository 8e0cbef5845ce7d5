/* cli/ps: `oya ps`, procps-ng compatible: BSD options (aux, ux, a, x), UNIX options (-e, -ef, -f, -p,
 * --ppid, -u, -C, -o), --sort and --no-headers, with output identical to procps's for the same
 * processes, plus a "service" column naming the oya service that owns each process. */
#include "cli.h"

#include "../proc/format.h"
#include "../proc/proc.h"

#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* process selection, as procps: simple switches and lists (a process matching either is shown) */
#define SS_U_a 1u
#define SS_U_d 2u
#define SS_B_a 4u
#define SS_B_x 8u

struct sel_list {
    enum { SEL_PID, SEL_PPID, SEL_EUID, SEL_RUID, SEL_COMM, SEL_SID, SEL_TTY } kind;
    long *ids;
    char **names;
    size_t n;
};

struct ps_opts {
    bool bsd;         /* a BSD option was used: BSD defaults */
    bool unix_f, bsd_u;
    bool all, negate, running_only, no_headers, services;
    unsigned simple;
    struct sel_list *lists;
    size_t nlists;
    struct strv formats; /* -o lists, in order */
    struct strv sorts;
    int wide;            /* BSD w / -w count */
    int cols;            /* --cols */
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n\nUsage:\n ps [options]\n\n Try 'oya ps --help' for more information.\n", stderr);
    return 1;
}

static struct sel_list *add_list(struct ps_opts *o, int kind)
{
    o->lists = xrealloc(o->lists, (o->nlists + 1) * sizeof(*o->lists));
    struct sel_list *l = &o->lists[o->nlists++];
    memset(l, 0, sizeof(*l));
    l->kind = kind;
    return l;
}

/* A list argument: items separated by commas or spaces. */
static int parse_list(struct ps_opts *o, int kind, const char *arg)
{
    struct sel_list *l = add_list(o, kind);
    char *copy = xstrdup(arg), *save = NULL;
    int r = 0;
    for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
        long v = 0;
        bool numeric = true;
        for (const char *q = t; *q; q++)
            numeric &= isdigit((unsigned char)*q) != 0;
        if (kind == SEL_COMM) {
            l->names = xrealloc(l->names, (l->n + 1) * sizeof(char *));
            l->names[l->n++] = xstrdup(t);
            continue;
        }
        if (kind == SEL_EUID || kind == SEL_RUID) {
            if (!numeric) {
                struct passwd *pw = getpwnam(t);
                if (!pw) {
                    r = fail("user name does not exist");
                    break;
                }
                v = (long)pw->pw_uid;
            } else {
                v = strtol(t, NULL, 10);
            }
        } else if (kind == SEL_TTY) {
            v = strtol(t, NULL, 10); /* resolved against names at selection time */
            l->names = xrealloc(l->names, (l->n + 1) * sizeof(char *));
            l->names[l->n] = xstrdup(t);
        } else {
            if (!numeric || !*t) {
                r = fail("process ID list syntax error");
                break;
            }
            v = strtol(t, NULL, 10);
            if (v <= 0) {
                r = fail("process ID out of range");
                break;
            }
        }
        l->ids = xrealloc(l->ids, (l->n + 1) * sizeof(long));
        l->ids[l->n++] = v;
    }
    if (r == 0 && l->n == 0)
        r = fail("list of process IDs must follow -p");
    free(copy);
    return r;
}

static const char *take_arg(int argc, char **argv, int *i, const char *rest)
{
    if (rest && *rest)
        return rest;
    if (*i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static void usage(void)
{
    printf("usage: oya ps [options]\n"
           "Like procps ps: BSD options (aux, ux, a, x, u, w, h, r, o FMT, p PIDS, k SORT) and UNIX options\n"
           "(-e -A -a -d -N -f -p PIDS --pid PIDS --ppid PIDS -u USERS -U USERS -C NAMES -s SIDS -t TTYS\n"
           "-o/--format FMT -w --sort SPEC --no-headers --cols N).\n"
           "--services adds a SERVICE column: the oya service that owns each process (blank for none).\n"
           "Columns for -o: pid ppid pgid sid user uid group gid %%cpu %%mem vsz rss tty stat state start\n"
           "lstart time etime etimes comm args cmd nlwp pri ni wchan c stime tname service, and more.\n");
}

static int parse_long(struct ps_opts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i] + 2;
    const char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    const char *val = eq ? eq + 1 : NULL;
#define IS(name) (n == strlen(name) && strncmp(a, name, n) == 0)
    if (IS("help")) {
        usage();
        exit(0);
    }
    if (IS("no-headers") || IS("no-heading")) {
        o->no_headers = true;
        return 0;
    }
    if (IS("services")) {
        o->services = true;
        return 0;
    }
    if (IS("deselect")) {
        o->negate = true;
        return 0;
    }
    bool needs_value = IS("pid") || IS("ppid") || IS("user") || IS("User") || IS("sort") || IS("format") ||
                       IS("sid") || IS("tty") || IS("cols") || IS("columns") || IS("width");
    if (!needs_value)
        return fail("unknown gnu long option");
    if (!val)
        val = take_arg(argc, argv, i, NULL);
    if (!val)
        return fail("option --%.*s requires an argument", (int)n, a);
    if (IS("pid"))
        return parse_list(o, SEL_PID, val);
    if (IS("ppid"))
        return parse_list(o, SEL_PPID, val);
    if (IS("user"))
        return parse_list(o, SEL_EUID, val);
    if (IS("User"))
        return parse_list(o, SEL_RUID, val);
    if (IS("sid"))
        return parse_list(o, SEL_SID, val);
    if (IS("tty"))
        return parse_list(o, SEL_TTY, val);
    if (IS("sort")) {
        strv_add(&o->sorts, val);
        return 0;
    }
    if (IS("format")) {
        strv_add(&o->formats, val);
        return 0;
    }
    o->cols = atoi(val);
    if (o->cols <= 0)
        return fail("number of columns must be a positive number");
    return 0;
#undef IS
}

static int parse_unix(struct ps_opts *o, int argc, char **argv, int *i)
{
    const char *p = argv[*i] + 1;
    if (!*p)
        return fail("unsupported SysV option");
    for (; *p; p++) {
        const char *v;
        switch (*p) {
        case 'e': case 'A': o->all = true; break;
        case 'a': o->simple |= SS_U_a; break;
        case 'd': o->simple |= SS_U_d; break;
        case 'N': o->negate = true; break;
        case 'f': o->unix_f = true; break;
        case 'w': o->wide++; break;
        case 'p': case 'q': case 'u': case 'U': case 'C': case 's': case 't': case 'o': case 'O': case 'G': case 'g': {
            char opt = *p;
            v = take_arg(argc, argv, i, p + 1);
            if (!v)
                return fail("list of %s must follow -%c", opt == 'p' ? "process IDs" : "items", opt);
            if (opt == 'p' || opt == 'q')
                return parse_list(o, SEL_PID, v);
            if (opt == 'u')
                return parse_list(o, SEL_EUID, v);
            if (opt == 'U')
                return parse_list(o, SEL_RUID, v);
            if (opt == 'C')
                return parse_list(o, SEL_COMM, v);
            if (opt == 's')
                return parse_list(o, SEL_SID, v);
            if (opt == 't')
                return parse_list(o, SEL_TTY, v);
            if (opt == 'o') {
                strv_add(&o->formats, v);
                return 0;
            }
            return fail("-%c is not supported yet", opt);
        }
        default:
            return fail("unsupported SysV option -%c (oya ps --help lists the supported ones)", *p);
        }
    }
    return 0;
}

static int parse_bsd(struct ps_opts *o, int argc, char **argv, int *i)
{
    const char *p = argv[*i];
    o->bsd = true;
    if (isdigit((unsigned char)*p))
        return parse_list(o, SEL_PID, p); /* a bare number is a PID, as in BSD */
    for (; *p; p++) {
        const char *v;
        switch (*p) {
        case 'a': o->simple |= SS_B_a; break;
        case 'x': o->simple |= SS_B_x; break;
        case 'u': o->bsd_u = true; break;
        case 'w': o->wide++; break;
        case 'h': o->no_headers = true; break;
        case 'r': o->running_only = true; break;
        case 'g': break; /* all, even session leaders: a no-op on Linux */
        case 'o': case 'O': case 'p': case 'U': case 'k': case 't': {
            char opt = *p;
            v = take_arg(argc, argv, i, p + 1);
            if (!v)
                return fail("list must follow %c", opt);
            if (opt == 'o') {
                strv_add(&o->formats, v);
                return 0;
            }
            if (opt == 'p')
                return parse_list(o, SEL_PID, v);
            if (opt == 'U')
                return parse_list(o, SEL_EUID, v); /* a list: no tty needed, as procps says "U implies x" */
            if (opt == 't')
                return parse_list(o, SEL_TTY, v);
            if (opt == 'k') {
                strv_add(&o->sorts, v);
                return 0;
            }
            return fail("option %c is not supported yet", opt);
        }
        default:
            return fail("unsupported option (BSD syntax)");
        }
    }
    return 0;
}

static bool in_list(const struct sel_list *l, const struct ps_proc *p)
{
    for (size_t k = 0; k < l->n; k++) {
        switch (l->kind) {
        case SEL_PID: if (p->st.pid == l->ids[k]) return true; break;
        case SEL_PPID: if (p->st.ppid == l->ids[k]) return true; break;
        case SEL_SID: if (p->st.session == l->ids[k]) return true; break;
        case SEL_EUID: if ((long)p->status.euid == l->ids[k]) return true; break;
        case SEL_RUID: if ((long)p->status.ruid == l->ids[k]) return true; break;
        case SEL_COMM:
            /* comm is cut at 15 characters; a longer name matches on its first 15 */
            if (strlen(p->st.comm) == 15 && strlen(l->names[k]) >= 15 && !strncmp(p->st.comm, l->names[k], 15))
                return true;
            if (!strncmp(p->st.comm, l->names[k], 63))
                return true;
            break;
        case SEL_TTY: {
            char name[64];
            ps_tty_name(p->st.tty_nr, name, sizeof(name));
            const char *want = l->names[k];
            if (str_startswith(want, "/dev/"))
                want += 5;
            if (!strcmp(name, want) || (!strcmp(want, "-") && p->st.tty_nr == 0))
                return true;
            break;
        }
        }
    }
    return false;
}

struct selector {
    const struct ps_opts *o;
    bool my_euid, my_tty, has_tty, no_leader, all;
    unsigned euid;
    int tty;
};

static int selector_init(struct selector *s, const struct ps_opts *o)
{
    memset(s, 0, sizeof(*s));
    s->o = o;
    s->euid = geteuid();
    struct proc_stat self;
    int procfd = proc_open_root();
    if (procfd >= 0) {
        if (proc_read_stat(procfd, getpid(), &self) == 0)
            s->tty = self.tty_nr;
        close(procfd);
    }
    s->all = o->all;
    switch (o->simple) {
    case 0:
        s->my_euid = true;
        if (o->bsd)
            s->has_tty = true;
        else
            s->my_tty = true;
        break;
    case SS_U_a: s->no_leader = s->has_tty = true; break;
    case SS_U_d: case SS_U_a | SS_U_d: s->no_leader = true; break;
    case SS_B_a: s->has_tty = true; break;
    case SS_B_x: s->my_euid = true; break;
    case SS_B_a | SS_B_x: s->all = true; break;
    default: return fail("process selection options conflict");
    }
    return 0;
}

static bool selected(const struct selector *s, const struct ps_proc *p)
{
    const struct ps_opts *o = s->o;
    bool ok = true;
    if (s->all)
        goto finish;
    if (o->simple || o->nlists == 0) {
        bool simple = !(s->my_euid && p->status.euid != s->euid) && !(s->my_tty && p->st.tty_nr != s->tty) &&
                      !(s->no_leader && p->st.session == p->st.pid) && !(s->has_tty && p->st.tty_nr == 0);
        if (simple)
            goto finish;
    }
    for (size_t i = 0; i < o->nlists; i++)
        if (in_list(&o->lists[i], p))
            goto finish;
    ok = false;
finish:
    if (o->running_only && p->st.state != 'R' && p->st.state != 'D')
        ok = false;
    return o->negate ? !ok : ok;
}

/* The default columns, as procps builds them from -f, u and the BSD/SysV personality. */
static const char *default_format(const struct ps_opts *o)
{
    if (o->bsd_u && !o->unix_f)
        return "user,pid,pcpu,pmem,vsz,rss,tname,stat,start_time,bsdtime,args";
    if (o->bsd)
        return o->unix_f ? "uid_hack,pid,ppid,c,stime,tname,stat,bsdtime,cmd" : "pid,tname,stat,bsdtime,args";
    return o->unix_f ? "uid_hack,pid,ppid,c,stime,tname,time,cmd" : "pid,tname,time,ucmd";
}

/* pid -> service, from the running supervisor (nothing when none answers) */
struct svc_map {
    int *pids;
    char **names;
    size_t n;
};

static void svc_map_load(struct cli *c, struct svc_map *m)
{
    memset(m, 0, sizeof(*m));
    char *req[] = {"status"};
    struct ctl_reply rep;
    struct buf err = {0};
    if (ctl_call(c->socket, req, 1, &rep, &err) == 0 && rep.ok) {
        for (size_t i = 0; i < rep.n; i++) {
            const char *pids = ctl_get(&rep.recs[i], "pids"), *name = ctl_get(&rep.recs[i], "name");
            if (!pids || !name)
                continue;
            for (const char *q = pids; *q;) {
                char *end;
                long pid = strtol(q, &end, 10);
                if (end == q)
                    break;
                m->pids = xrealloc(m->pids, (m->n + 1) * sizeof(int));
                m->names = xrealloc(m->names, (m->n + 1) * sizeof(char *));
                m->pids[m->n] = (int)pid;
                m->names[m->n++] = xstrdup(name);
                q = end;
                while (*q == ' ')
                    q++;
            }
        }
    }
    ctl_reply_free(&rep);
    buf_free(&err);
}

static const char *svc_map_find(const struct svc_map *m, int pid)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->pids[i] == pid)
            return m->names[i];
    return NULL;
}

static void svc_map_free(struct svc_map *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->names[i]);
    free(m->pids);
    free(m->names);
}

struct sort_key {
    ps_cmp_fn fn;
    bool reverse;
};
static struct {
    const struct ps_ctx *ctx;
    const struct sort_key *keys;
    size_t n;
} sorting;

static int compare_procs(const void *x, const void *y)
{
    const struct ps_proc *a = x, *b = y;
    for (size_t i = 0; i < sorting.n; i++) {
        int r = sorting.keys[i].fn(sorting.ctx, a, b);
        if (r)
            return sorting.keys[i].reverse ? -r : r;
    }
    return (a->st.pid > b->st.pid) - (a->st.pid < b->st.pid);
}

static int parse_sorts(const struct ps_opts *o, struct sort_key **keys, size_t *n, unsigned *needs)
{
    for (size_t i = 0; i < o->sorts.n; i++) {
        char *copy = xstrdup(o->sorts.v[i]), *save = NULL;
        for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
            bool rev = *t == '-';
            if (*t == '-' || *t == '+')
                t++;
            ps_cmp_fn fn = ps_sort_key(t, needs);
            if (!fn) {
                free(copy);
                return fail("unknown sort specifier");
            }
            *keys = xrealloc(*keys, (*n + 1) * sizeof(**keys));
            (*keys)[(*n)++] = (struct sort_key){fn, rev};
        }
        free(copy);
    }
    return 0;
}

static int screen_width(const struct ps_opts *o)
{
    int cols = 80;
    struct winsize ws;
    if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        cols = ws.ws_col;
    else if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        cols = ws.ws_col;
    if (!isatty(1))
        cols = 131072; /* not a terminal: no truncation, as procps */
    const char *env = getenv("COLUMNS");
    if (env && *env) {
        char *end;
        long t = strtol(env, &end, 0);
        if (!*end && t > 0 && t < 131072)
            cols = (int)t;
    }
    if (o->wide == 1 && cols < 132)
        cols = 132;
    if (o->wide >= 2)
        cols = 131072;
    if (o->cols > 0)
        cols = o->cols;
    return cols;
}

struct collect_job {
    struct ps_ctx *ctx;
    const struct selector *sel;
    unsigned needs;
    const struct svc_map *services;
    const int *pids;
    struct ps_proc *procs;
    bool *keep;
};

/* One process: stat and status (selection needs the euid; status also has VmRSS and VmLck), then
 * what the columns need. A process that vanishes on the way is skipped, as procps skips it. */
static bool collect_one(struct collect_job *j, int pid, struct ps_proc *p, struct buf *cmd)
{
    int procfd = j->ctx->procfd;
    if (proc_read_stat(procfd, pid, &p->st) < 0 || proc_read_status(procfd, pid, &p->status) < 0)
        return false;
    if (!selected(j->sel, p))
        return false;
    p->rss_kb = p->status.vm_rss_kb;
    if (j->needs & PS_NEED_ARGS) {
        ssize_t len = proc_read_cmdline_raw(procfd, pid, cmd);
        if (len < 0)
            return false;
        if (len > 0) {
            p->args = xmalloc((size_t)len + 1);
            memcpy(p->args, cmd->p, (size_t)len + 1);
            p->args_len = (size_t)len;
        }
    }
    if (j->needs & PS_NEED_WCHAN)
        proc_read_wchan(procfd, pid, p->wchan, sizeof(p->wchan));
    if (j->needs & PS_NEED_SERVICE)
        p->service = svc_map_find(j->services, pid);
    return true;
}

static void collect_range(void *arg, size_t begin, size_t end)
{
    struct collect_job *j = arg;
    struct buf cmd = {0};
    for (size_t i = begin; i < end; i++)
        j->keep[i] = collect_one(j, j->pids[i], &j->procs[i], &cmd);
    buf_free(&cmd);
}

/* Read the processes (on every core: it is kernel work), select, fetch what the columns need. */
static struct ps_proc *collect(struct ps_ctx *ctx, const struct selector *sel, unsigned needs,
                               const struct svc_map *services, size_t *count)
{
    int *pids;
    size_t n;
    *count = 0;
    if (proc_list_pids(ctx->procfd, &pids, &n) < 0)
        return NULL;
    struct ps_proc *procs = xcalloc(n ? n : 1, sizeof(*procs));
    bool *keep = xcalloc(n ? n : 1, sizeof(bool));
    struct collect_job job = {ctx, sel, needs, services, pids, procs, keep};
    proc_parallel(n, collect_range, &job);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (keep[i])
            procs[kept++] = procs[i];
        else
            free(procs[i].args);
    }
    free(keep);
    free(pids);
    *count = kept;
    return procs;
}

static void opts_free(struct ps_opts *o)
{
    for (size_t i = 0; i < o->nlists; i++) {
        for (size_t k = 0; o->lists[i].names && k < o->lists[i].n; k++)
            free(o->lists[i].names[k]);
        free(o->lists[i].names);
        free(o->lists[i].ids);
    }
    free(o->lists);
    strv_clear(&o->formats);
    strv_clear(&o->sorts);
}

int cli_ps(struct cli *c, int argc, char **argv)
{
    setlocale(LC_ALL, "");
    struct ps_opts o = {0};
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        if (str_startswith(argv[i], "--"))
            rc = parse_long(&o, argc, argv, &i);
        else if (argv[i][0] == '-')
            rc = parse_unix(&o, argc, argv, &i);
        else
            rc = parse_bsd(&o, argc, argv, &i);
    }
    struct ps_ctx ctx;
    struct selector sel;
    struct ps_column *cols = NULL;
    size_t ncols = 0, nkeys = 0, nprocs = 0;
    struct sort_key *keys = NULL;
    struct ps_proc *procs = NULL;
    struct svc_map services = {0};
    int procfd = proc_open_root();
    if (procfd < 0) {
        fprintf(stderr, "oya ps: cannot open /proc: %s\n", strerror(-procfd));
        opts_free(&o);
        return 1;
    }
    ps_ctx_init(&ctx, procfd);
    if (rc)
        goto out;
    if (o.formats.n && (o.unix_f || o.bsd_u)) {
        rc = fail("conflicting format options");
        goto out;
    }
    char err[160];
    for (size_t i = 0; i < o.formats.n && rc == 0; i++)
        if (ps_format_parse(&ctx, o.formats.v[i], &cols, &ncols, err, sizeof(err)) < 0)
            rc = fail("%s", err);
    if (rc == 0 && o.formats.n == 0 && ps_format_parse(&ctx, default_format(&o), &cols, &ncols, err, sizeof(err)) < 0)
        rc = fail("%s", err);
    if (rc)
        goto out;
    if (o.services && ncols > 0) {
        /* SERVICE goes just before the command column */
        struct ps_column *svc = NULL;
        size_t nsvc = 0;
        ps_format_parse(&ctx, "service", &svc, &nsvc, err, sizeof(err));
        cols = xrealloc(cols, (ncols + 1) * sizeof(*cols));
        cols[ncols] = cols[ncols - 1];
        cols[ncols - 1] = svc[0];
        ncols++;
        free(svc);
    }
    unsigned needs = ps_columns_needs(cols, ncols);
    if ((rc = parse_sorts(&o, &keys, &nkeys, &needs)))
        goto out;
    if ((rc = selector_init(&sel, &o)))
        goto out;
    if (needs & PS_NEED_SERVICE)
        svc_map_load(c, &services);
    procs = collect(&ctx, &sel, needs, &services, &nprocs);
    if (nkeys) {
        sorting.ctx = &ctx;
        sorting.keys = keys;
        sorting.n = nkeys;
        qsort(procs, nprocs, sizeof(*procs), compare_procs);
    }
    int active = ps_active_cols(cols, ncols, screen_width(&o));
    struct buf out = {0};
    bool any_head = false;
    for (size_t i = 0; i < ncols; i++)
        any_head |= cols[i].head[0] != 0;
    if (!o.no_headers && any_head)
        ps_render(&ctx, cols, ncols, NULL, active, &out);
    for (size_t i = 0; i < nprocs; i++) {
        ps_render(&ctx, cols, ncols, &procs[i], active, &out);
        if (out.len > 65536) {
            fd_write_all(1, out.p, out.len);
            out.len = 0;
        }
    }
    fd_write_all(1, out.p, out.len);
    buf_free(&out);
    if (nprocs == 0)
        rc = 1; /* procps exits 1 when nothing was selected */
out:
    for (size_t i = 0; i < nprocs; i++)
        free(procs[i].args);
    free(procs);
    free(keys);
    ps_columns_free(cols, ncols);
    svc_map_free(&services);
    ps_ctx_free(&ctx);
    close(procfd);
    opts_free(&o);
    return rc;
}
