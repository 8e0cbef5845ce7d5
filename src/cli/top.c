/* cli/top: `oya top`, processes live, by service. A header as top and vmstat give it (uptime, load, tasks
 * by state, CPU us/sy/ni/id/wa, context switches, interrupts and forks per second, memory), then a row per
 * oya service (state, main PID, tasks, CPU %, memory, voluntary and involuntary context switches per
 * second, restarts, uptime), each expandable to its processes (PID, state, wchan, CPU %, RSS, threads,
 * switches per second, command), and the processes of no service under a heading of their own.
 *
 * Interactive on a terminal with plain VT100/ANSI sequences (no terminfo: images often have none), or `-b`
 * for text frames and `--json` for one object per frame. Every frame reads each process's stat once (the
 * same /proc reader as ps); what costs more (status for switches and exact RSS, wchan, cmdline) is read
 * only for the processes shown: those of services, and the rows on screen. Services come from the
 * running oya's status; with none running, the processes alone. Actions (restart, stop, start, a signal)
 * go through the control socket from a child process, so the screen never waits for a service. */
#include "cli.h"

#include "../proc/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define UNKNOWN UINT64_MAX

/* What one frame read: every process's stat, and for those shown their switches, RSS, wchan, command */
struct sample {
    struct proc_snapshot snap;
    struct proc_load load;
    uint64_t mono; /* CLOCK_MONOTONIC usec of the reading */
    int *owner;    /* per process: index in top.svcs, or -1 */
    uint64_t *vol, *invol, *rss; /* UNKNOWN when not read */
    char **wchan, **cmd;         /* NULL when not read */
};

struct svcinfo {
    char *name, *active, *sub;
    int main_pid;
    unsigned restarts;
    uint64_t active_since; /* realtime usec, 0: not active */
    /* this frame's sums over its processes */
    long tasks;
    double cpu, vcs, ics;
    uint64_t mem;
    size_t nprocs;
};

enum col { COL_NAME, COL_STATE, COL_MAIN, COL_TASKS, COL_CPU, COL_MEM, COL_VCS, COL_ICS, COL_RESTARTS, COL_UPTIME, COL_N };
static const char *const col_names[COL_N] = {"SERVICE", "STATE", "MAIN", "TASKS", "%CPU", "MEMORY", "VCS/s", "ICS/s",
                                             "RESTARTS", "UPTIME"};

enum row_kind { ROW_SERVICE, ROW_PROC, ROW_OTHER };
struct row {
    enum row_kind kind;
    int svc;   /* ROW_SERVICE, ROW_PROC: the service (-1: none) */
    size_t at; /* ROW_PROC: index in the sample */
};

struct top {
    struct cli *c;
    int procfd;
    struct proc_keeper keeper; /* each process's stat file, kept open from frame to frame */
    long hz, page;
    struct sample prev, cur;
    bool have_prev;
    struct svcinfo *svcs;
    size_t nsvcs;
    bool oya; /* a running oya answered this frame */
    char oya_error[256];
    /* what is shown */
    bool batch, json, all;
    long frames;        /* -n (0: until quit) */
    uint64_t delay;     /* -d, usec */
    enum col sort;
    char filter[128];
    struct strv expanded; /* service names expanded; "\x01" stands for the processes of no service */
    struct row *rows;
    size_t nrows, rows_cap;
    size_t sel, scroll;
    int lines, cols;
    char msg[512];
    /* interactive input */
    enum { IN_NONE, IN_FILTER, IN_SIGNAL, IN_CONFIRM } input;
    char entry[128];
    int pending_sig;
    char pending_svc[256];
    pid_t action_pid;
    char action_what[300];
    char **overlay; /* help or log lines shown over the list until a key */
    size_t noverlay;
    struct termios saved;
    bool raw;
};

static const char OTHER[] = "\x01";

/* ---- reading ---- */

static void sample_free(struct sample *s)
{
    for (size_t i = 0; i < s->snap.n; i++) {
        if (s->wchan)
            free(s->wchan[i]);
        if (s->cmd)
            free(s->cmd[i]);
    }
    free(s->owner);
    free(s->vol);
    free(s->invol);
    free(s->rss);
    free(s->wchan);
    free(s->cmd);
    proc_snapshot_free(&s->snap);
    memset(s, 0, sizeof(*s));
}

static void svcs_free(struct top *t)
{
    for (size_t i = 0; i < t->nsvcs; i++) {
        free(t->svcs[i].name);
        free(t->svcs[i].active);
        free(t->svcs[i].sub);
    }
    free(t->svcs);
    t->svcs = NULL;
    t->nsvcs = 0;
}

static ssize_t find_pid(const struct proc_snapshot *snap, int pid)
{
    size_t lo = 0, hi = snap->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (snap->procs[mid].pid < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < snap->n && snap->procs[lo].pid == pid ? (ssize_t)lo : -1;
}

/* The running oya's services and which process is whose (its status request) */
static void read_services(struct top *t, struct sample *s)
{
    svcs_free(t);
    char *fields[] = {"status"};
    struct ctl_reply rep;
    struct buf err = {0};
    int r = ctl_call_default(t->c->socket, t->c->socket_private, fields, 1, &rep, &err);
    t->oya = r == 0 && rep.ok;
    if (!t->oya) {
        snprintf(t->oya_error, sizeof(t->oya_error), "%s", r < 0 ? (err.p ? err.p : strerror(-r)) : rep.error);
        if (r == 0)
            ctl_reply_free(&rep);
        buf_free(&err);
        return;
    }
    buf_free(&err);
    t->svcs = xcalloc(rep.n ? rep.n : 1, sizeof(*t->svcs));
    for (size_t i = 0; i < rep.n; i++) {
        const struct ctl_record *rec = &rep.recs[i];
        if (strcmp(rec->type, "service") != 0)
            continue;
        struct svcinfo *v = &t->svcs[t->nsvcs];
        v->name = xstrdup(ctl_get(rec, "name") ? ctl_get(rec, "name") : "?");
        v->active = xstrdup(ctl_get(rec, "active") ? ctl_get(rec, "active") : "?");
        v->sub = xstrdup(ctl_get(rec, "sub") ? ctl_get(rec, "sub") : "?");
        v->main_pid = (int)ctl_get_ll(rec, "main_pid", 0);
        v->restarts = (unsigned)ctl_get_ll(rec, "restarts", 0);
        v->active_since = (uint64_t)ctl_get_ll(rec, "active_since", 0);
        const char *pids = ctl_get(rec, "pids");
        for (const char *p = pids ? pids : ""; *p;) {
            ssize_t at = find_pid(&s->snap, atoi(p));
            if (at >= 0)
                s->owner[at] = (int)t->nsvcs;
            p += strcspn(p, " ");
            p += strspn(p, " ");
        }
        t->nsvcs++;
    }
    ctl_reply_free(&rep);
}

static bool is_expanded(const struct top *t, int svc)
{
    if (t->batch)
        return svc >= 0 || t->all;
    return strv_contains(&t->expanded, svc >= 0 ? t->svcs[svc].name : OTHER);
}

/* switches, exact RSS, wchan and command line of process i */
static void read_details(struct top *t, struct sample *s, size_t i)
{
    if (s->wchan[i] || s->rss[i] != UNKNOWN)
        return;
    const struct proc_stat *p = &s->snap.procs[i];
    uint64_t v, iv;
    if (proc_read_switches(t->procfd, p->pid, &v, &iv) == 0)
        s->vol[i] = v, s->invol[i] = iv;
    uint64_t rss;
    s->rss[i] = proc_read_rss(t->procfd, p->pid, &rss) == 0 ? rss : p->rss * (uint64_t)t->page;
    char w[128] = "";
    if (p->state == 'S' || p->state == 'D')
        proc_read_wchan(t->procfd, p->pid, w, sizeof(w));
    s->wchan[i] = xstrdup(w[0] ? w : "-");
    struct buf cmd = {0};
    if (proc_read_cmdline_raw(t->procfd, p->pid, &cmd) > 0) {
        for (size_t k = 0; k < cmd.len; k++)
            if ((unsigned char)cmd.p[k] < 0x20 || cmd.p[k] == 0x7f)
                cmd.p[k] = cmd.p[k] ? '?' : ' ';
        s->cmd[i] = buf_steal(&cmd);
    } else {
        s->cmd[i] = xasprintf("[%s]", p->comm);
    }
    buf_free(&cmd);
}

static bool read_sample(struct top *t, struct sample *s)
{
    memset(s, 0, sizeof(*s));
    if (proc_snapshot_kept(t->procfd, &t->keeper, &s->snap) < 0)
        return false;
    proc_read_load(t->procfd, &s->load);
    s->mono = clock_mono_usec();
    size_t n = s->snap.n ? s->snap.n : 1;
    s->owner = xmalloc(n * sizeof(int));
    s->vol = xmalloc(n * sizeof(uint64_t));
    s->invol = xmalloc(n * sizeof(uint64_t));
    s->rss = xmalloc(n * sizeof(uint64_t));
    s->wchan = xcalloc(n, sizeof(char *));
    s->cmd = xcalloc(n, sizeof(char *));
    for (size_t i = 0; i < s->snap.n; i++) {
        s->owner[i] = -1;
        s->vol[i] = s->invol[i] = s->rss[i] = UNKNOWN;
    }
    read_services(t, s);
    /* the processes of services are summed per service: their details are needed whether shown or not */
    for (size_t i = 0; i < s->snap.n; i++)
        if (s->owner[i] >= 0 || (t->batch && t->all))
            read_details(t, s, i);
    return true;
}

/* ---- figures ---- */

static double elapsed_s(const struct top *t)
{
    return t->have_prev ? (double)(t->cur.mono - t->prev.mono) / 1e6 : 0;
}

/* CPU % of process i over the last interval; the first frame: since it started, as ps shows it */
static double proc_cpu(const struct top *t, size_t i)
{
    const struct proc_stat *p = &t->cur.snap.procs[i];
    uint64_t ticks = p->utime + p->stime;
    if (t->have_prev) {
        ssize_t j = find_pid(&t->prev.snap, p->pid);
        if (j >= 0 && t->prev.snap.procs[j].starttime == p->starttime) {
            const struct proc_stat *q = &t->prev.snap.procs[j];
            uint64_t before = q->utime + q->stime;
            double dt = elapsed_s(t);
            return dt > 0 && ticks >= before ? (double)(ticks - before) / (double)t->hz / dt * 100 : 0;
        }
    }
    double age = t->cur.load.uptime - (double)p->starttime / (double)t->hz;
    return age > 0 ? (double)ticks / (double)t->hz / age * 100 : 0;
}

/* switches per second of process i (voluntary, involuntary); -1 when unknown */
static void proc_switches(const struct top *t, size_t i, double *vcs, double *ics)
{
    *vcs = *ics = -1;
    const struct sample *s = &t->cur;
    if (s->vol[i] == UNKNOWN)
        return;
    const struct proc_stat *p = &s->snap.procs[i];
    if (t->have_prev) {
        ssize_t j = find_pid(&t->prev.snap, p->pid);
        if (j >= 0 && t->prev.vol[j] != UNKNOWN && t->prev.snap.procs[j].starttime == p->starttime) {
            double dt = elapsed_s(t);
            if (dt > 0) {
                *vcs = (double)(s->vol[i] - t->prev.vol[j]) / dt;
                *ics = (double)(s->invol[i] - t->prev.invol[j]) / dt;
            }
            return;
        }
    }
    double age = s->load.uptime - (double)p->starttime / (double)t->hz;
    if (age > 0) {
        *vcs = (double)s->vol[i] / age;
        *ics = (double)s->invol[i] / age;
    }
}

static uint64_t proc_rss(const struct top *t, size_t i)
{
    return t->cur.rss[i] != UNKNOWN ? t->cur.rss[i] : t->cur.snap.procs[i].rss * (uint64_t)t->page;
}

struct other_sum {
    size_t n;
    long tasks;
    double cpu;
    uint64_t mem;
};

static void sum_services(struct top *t, struct other_sum *other)
{
    memset(other, 0, sizeof(*other));
    for (size_t i = 0; i < t->cur.snap.n; i++) {
        int o = t->cur.owner[i];
        double cpu = proc_cpu(t, i), v, iv;
        proc_switches(t, i, &v, &iv);
        const struct proc_stat *p = &t->cur.snap.procs[i];
        if (o < 0) {
            other->n++;
            other->tasks += p->num_threads;
            other->cpu += cpu;
            other->mem += p->rss * (uint64_t)t->page;
            continue;
        }
        struct svcinfo *s = &t->svcs[o];
        s->nprocs++;
        s->tasks += p->num_threads;
        s->cpu += cpu;
        s->mem += proc_rss(t, i);
        s->vcs += v > 0 ? v : 0;
        s->ics += iv > 0 ? iv : 0;
    }
}

static bool matches(const struct top *t, int svc, size_t i)
{
    if (!t->filter[0])
        return true;
    if (svc >= 0 && strstr(t->svcs[svc].name, t->filter))
        return true;
    if (i != (size_t)-1) {
        const struct proc_stat *p = &t->cur.snap.procs[i];
        char pid[16];
        snprintf(pid, sizeof(pid), "%d", p->pid);
        return strstr(p->comm, t->filter) || !strcmp(pid, t->filter) ||
               (t->cur.cmd[i] && strstr(t->cur.cmd[i], t->filter));
    }
    return false;
}

static const struct top *sort_ctx;

static double svc_key(const struct svcinfo *s, enum col c)
{
    switch (c) {
    case COL_MAIN: return s->main_pid;
    case COL_TASKS: return (double)s->tasks;
    case COL_CPU: return s->cpu;
    case COL_MEM: return (double)s->mem;
    case COL_VCS: return s->vcs;
    case COL_ICS: return s->ics;
    case COL_RESTARTS: return s->restarts;
    case COL_UPTIME: return s->active_since ? -(double)s->active_since : -1e300;
    default: return 0;
    }
}

static int cmp_svc(const void *a, const void *b)
{
    const struct svcinfo *x = &sort_ctx->svcs[*(const int *)a], *y = &sort_ctx->svcs[*(const int *)b];
    enum col c = sort_ctx->sort;
    if (c == COL_NAME)
        return strcmp(x->name, y->name);
    if (c == COL_STATE) {
        int r = strcmp(x->active, y->active);
        return r ? r : strcmp(x->name, y->name);
    }
    double kx = svc_key(x, c), ky = svc_key(y, c);
    return kx < ky ? 1 : kx > ky ? -1 : strcmp(x->name, y->name);
}

/* processes: by the same column where it means something for a process, else by CPU */
static double proc_key(size_t i)
{
    const struct top *t = sort_ctx;
    switch (t->sort) {
    case COL_MEM: return (double)proc_rss(t, i);
    case COL_TASKS: return (double)t->cur.snap.procs[i].num_threads;
    case COL_VCS:
    case COL_ICS: {
        double v, iv;
        proc_switches(t, i, &v, &iv);
        return t->sort == COL_VCS ? v : iv;
    }
    case COL_NAME:
    case COL_MAIN: return -(double)t->cur.snap.procs[i].pid;
    default: return proc_cpu(t, i);
    }
}

static int cmp_proc(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    double kx = proc_key(x), ky = proc_key(y);
    if (kx != ky)
        return kx < ky ? 1 : -1;
    return sort_ctx->cur.snap.procs[x].pid - sort_ctx->cur.snap.procs[y].pid;
}

static void add_row(struct top *t, enum row_kind kind, int svc, size_t at)
{
    if (t->nrows == t->rows_cap) {
        t->rows_cap = t->rows_cap ? t->rows_cap * 2 : 64;
        t->rows = xrealloc(t->rows, t->rows_cap * sizeof(*t->rows));
    }
    t->rows[t->nrows++] = (struct row){kind, svc, at};
}

/* The processes of svc (-1: of none) that pass the filter, sorted */
static void add_procs(struct top *t, int svc, bool group_matched)
{
    size_t *v = xmalloc((t->cur.snap.n ? t->cur.snap.n : 1) * sizeof(size_t)), n = 0;
    for (size_t i = 0; i < t->cur.snap.n; i++)
        if (t->cur.owner[i] == svc && (group_matched || matches(t, -1, i)))
            v[n++] = i;
    sort_ctx = t;
    qsort(v, n, sizeof(*v), cmp_proc);
    for (size_t k = 0; k < n; k++)
        add_row(t, ROW_PROC, svc, v[k]);
    free(v);
}

static void build_rows(struct top *t)
{
    t->nrows = 0;
    int *order = xmalloc((t->nsvcs ? t->nsvcs : 1) * sizeof(int));
    for (size_t i = 0; i < t->nsvcs; i++)
        order[i] = (int)i;
    sort_ctx = t;
    qsort(order, t->nsvcs, sizeof(int), cmp_svc);
    for (size_t k = 0; k < t->nsvcs; k++) {
        int s = order[k];
        bool own = matches(t, s, (size_t)-1), any = own;
        for (size_t i = 0; !any && i < t->cur.snap.n; i++)
            any = t->cur.owner[i] == s && matches(t, -1, i);
        if (!any)
            continue;
        add_row(t, ROW_SERVICE, s, 0);
        if (is_expanded(t, s))
            add_procs(t, s, own);
    }
    free(order);
    add_row(t, ROW_OTHER, -1, 0);
    if (is_expanded(t, -1))
        add_procs(t, -1, false);
}

/* ---- writing ---- */

static void fmt_age(char *out, size_t size, uint64_t since_real)
{
    if (!since_real) {
        snprintf(out, size, "-");
        return;
    }
    uint64_t now = clock_real_usec();
    fmt_timespan(out, size, now > since_real ? now - since_real : 0, USEC_PER_SEC);
}

static void fmt_mem(char *out, size_t size, uint64_t bytes)
{
    fmt_bytes(out, size, bytes);
}

static double pct(uint64_t part, uint64_t total)
{
    return total ? (double)part * 100.0 / (double)total : 0;
}

static void write_header(struct top *t, struct buf *o)
{
    const struct proc_load *l = &t->cur.load;
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char up[64];
    fmt_timespan(up, sizeof(up), (uint64_t)(l->uptime * 1e6), 60 * USEC_PER_SEC);
    buf_printf(o, "oya top - %02d:%02d:%02d up %s, load average: %.2f, %.2f, %.2f\n", tm.tm_hour, tm.tm_min,
               tm.tm_sec, up, l->load[0], l->load[1], l->load[2]);
    size_t st[6] = {0}; /* R S D Z T I */
    static const char letters[] = "RSDZTI";
    for (size_t i = 0; i < t->cur.snap.n; i++) {
        char c = t->cur.snap.procs[i].state;
        if (c == 't')
            c = 'T';
        const char *at = strchr(letters, c);
        if (at && c)
            st[at - letters]++;
    }
    /* rates over the interval; the first frame: since boot */
    const struct proc_load *p = t->have_prev ? &t->prev.load : NULL;
    double dt = t->have_prev ? elapsed_s(t) : l->uptime;
    uint64_t cpu[8], total = 0;
    for (int i = 0; i < 8; i++) {
        cpu[i] = l->cpu[i] - (p ? p->cpu[i] : 0);
        total += cpu[i];
    }
    double cs = dt > 0 ? (double)(l->ctxt - (p ? p->ctxt : 0)) / dt : 0;
    double in = dt > 0 ? (double)(l->intr - (p ? p->intr : 0)) / dt : 0;
    double fk = dt > 0 ? (double)(l->forks - (p ? p->forks : 0)) / dt : 0;
    buf_printf(o, "Tasks: %zu total: %zu R, %zu S, %zu D, %zu Z, %zu T, %zu I; %.1f forks/s\n", t->cur.snap.n, st[0],
               st[1], st[2], st[3], st[4], st[5], fk);
    buf_printf(o, "CPU: %.1f us, %.1f sy, %.1f ni, %.1f id, %.1f wa, %.1f hi, %.1f si, %.1f st; %.0f cs/s, %.0f in/s\n",
               pct(cpu[0], total), pct(cpu[2], total), pct(cpu[1], total), pct(cpu[3], total), pct(cpu[4], total),
               pct(cpu[5], total), pct(cpu[6], total), pct(cpu[7], total), cs, in);
    char a[32], b[32], c[32], d[32], e[32];
    uint64_t cache = l->cached_kb + l->buffers_kb + l->sreclaimable_kb;
    uint64_t used = l->mem_total_kb > l->mem_avail_kb ? l->mem_total_kb - l->mem_avail_kb : 0;
    fmt_mem(a, sizeof(a), l->mem_total_kb * 1024);
    fmt_mem(b, sizeof(b), l->mem_free_kb * 1024);
    fmt_mem(c, sizeof(c), used * 1024);
    fmt_mem(d, sizeof(d), cache * 1024);
    fmt_mem(e, sizeof(e), l->mem_avail_kb * 1024);
    buf_printf(o, "Memory: %s total, %s free, %s used, %s buff/cache, %s available", a, b, c, d, e);
    if (l->swap_total_kb) {
        fmt_mem(a, sizeof(a), (l->swap_total_kb - l->swap_free_kb) * 1024);
        fmt_mem(b, sizeof(b), l->swap_total_kb * 1024);
        buf_printf(o, "; swap %s of %s", a, b);
    }
    buf_putc(o, '\n');
    if (!t->oya)
        buf_printf(o, "Services: none (no running oya: %s)\n", t->oya_error);
    else
        buf_printf(o, "Services: %zu%s%s%s\n", t->nsvcs, t->filter[0] ? "; filter: " : "", t->filter,
                   t->have_prev ? "" : "; rates since each process started");
}

static int name_width(const struct top *t)
{
    int w = 12;
    for (size_t i = 0; i < t->nsvcs; i++)
        if ((int)strlen(t->svcs[i].name) > w)
            w = (int)strlen(t->svcs[i].name);
    return w > 28 ? 28 : w;
}

static void write_columns(struct top *t, struct buf *o, int nw)
{
    char h[COL_N][16];
    for (int i = 0; i < COL_N; i++)
        snprintf(h[i], sizeof(h[i]), "%s%s", col_names[i], !t->batch && (int)t->sort == i ? "*" : "");
    buf_printf(o, "  %-*s %-18s %7s %5s %6s %8s %6s %6s %8s %s\n", nw, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7],
               h[8], h[9]);
}

static void write_row(struct top *t, const struct row *r, struct buf *o, int nw)
{
    char mem[32], age[64], v[16], iv[16];
    if (r->kind == ROW_SERVICE) {
        const struct svcinfo *s = &t->svcs[r->svc];
        char state[64];
        snprintf(state, sizeof(state), "%s/%s", s->active, s->sub);
        fmt_mem(mem, sizeof(mem), s->mem);
        fmt_age(age, sizeof(age), s->active_since);
        char main[16] = "-";
        if (s->main_pid)
            snprintf(main, sizeof(main), "%d", s->main_pid);
        buf_printf(o, "%c %-*.*s %-18.18s %7s %5ld %6.1f %8s %6.0f %6.0f %8u %s\n", is_expanded(t, r->svc) ? '-' : '+',
                   nw, nw, s->name, state, main, s->tasks, s->cpu, mem, s->vcs, s->ics, s->restarts, age);
        return;
    }
    if (r->kind == ROW_OTHER) {
        struct other_sum sum = {0};
        for (size_t i = 0; i < t->cur.snap.n; i++) {
            if (t->cur.owner[i] >= 0)
                continue;
            sum.n++;
            sum.tasks += t->cur.snap.procs[i].num_threads;
            sum.cpu += proc_cpu(t, i);
            sum.mem += t->cur.snap.procs[i].rss * (uint64_t)t->page;
        }
        fmt_mem(mem, sizeof(mem), sum.mem);
        char what[64];
        snprintf(what, sizeof(what), "%zu processes", sum.n);
        buf_printf(o, "%c %-*.*s %-18s %7s %5ld %6.1f %8s\n", is_expanded(t, -1) ? '-' : '+', nw, nw, "(no service)",
                   what, "", sum.tasks, sum.cpu, mem);
        return;
    }
    size_t i = r->at;
    read_details(t, &t->cur, i);
    const struct proc_stat *p = &t->cur.snap.procs[i];
    double vcs, ics;
    proc_switches(t, i, &vcs, &ics);
    fmt_mem(mem, sizeof(mem), proc_rss(t, i));
    if (vcs < 0)
        snprintf(v, sizeof(v), "-");
    else
        snprintf(v, sizeof(v), "%.0f", vcs + ics);
    (void)iv;
    buf_printf(o, "    %7d %c %-20.20s %6.1f %8s %4ld %6s %s\n", p->pid, p->state, t->cur.wchan[i], proc_cpu(t, i), mem,
               p->num_threads, v, t->cur.cmd[i]);
}

static void write_text_frame(struct top *t, struct buf *o)
{
    write_header(t, o);
    buf_putc(o, '\n');
    int nw = name_width(t);
    write_columns(t, o, nw);
    bool proc_head = false;
    for (size_t k = 0; k < t->nrows; k++) {
        if (t->rows[k].kind == ROW_PROC && !proc_head) {
            buf_printf(o, "    %7s %c %-20s %6s %8s %4s %6s %s\n", "PID", 'S', "WCHAN", "%CPU", "RSS", "THR", "CS/s",
                       "COMMAND");
            proc_head = true;
        } else if (t->rows[k].kind != ROW_PROC) {
            proc_head = false;
        }
        write_row(t, &t->rows[k], o, nw);
    }
}

static void json_proc(struct top *t, struct buf *o, size_t i)
{
    read_details(t, &t->cur, i);
    const struct proc_stat *p = &t->cur.snap.procs[i];
    double v, iv;
    proc_switches(t, i, &v, &iv);
    buf_printf(o, "{\"pid\":%d,\"ppid\":%d,\"state\":\"%c\",\"comm\":", p->pid, p->ppid, p->state);
    json_quote(o, p->comm);
    buf_puts(o, ",\"wchan\":");
    json_quote(o, t->cur.wchan[i]);
    buf_printf(o, ",\"cpu_percent\":%.2f,\"rss_bytes\":%llu,\"threads\":%ld", proc_cpu(t, i),
               (unsigned long long)proc_rss(t, i), p->num_threads);
    if (v >= 0)
        buf_printf(o, ",\"voluntary_cs_per_sec\":%.2f,\"involuntary_cs_per_sec\":%.2f", v, iv);
    buf_puts(o, ",\"command\":");
    json_quote(o, t->cur.cmd[i]);
    buf_putc(o, '}');
}

static void write_json_frame(struct top *t, struct buf *o)
{
    const struct proc_load *l = &t->cur.load, *p = t->have_prev ? &t->prev.load : NULL;
    double dt = t->have_prev ? elapsed_s(t) : l->uptime;
    uint64_t cpu[8], total = 0;
    for (int i = 0; i < 8; i++) {
        cpu[i] = l->cpu[i] - (p ? p->cpu[i] : 0);
        total += cpu[i];
    }
    size_t st[7] = {0};
    static const char letters[] = "RSDZTtI";
    for (size_t i = 0; i < t->cur.snap.n; i++) {
        const char *at = t->cur.snap.procs[i].state ? strchr(letters, t->cur.snap.procs[i].state) : NULL;
        if (at)
            st[at - letters]++;
    }
    buf_printf(o, "{\"time_usec\":%llu,\"interval_sec\":%.3f,\"uptime_sec\":%.2f,\"load\":[%.2f,%.2f,%.2f],",
               (unsigned long long)clock_real_usec(), t->have_prev ? dt : 0.0, l->uptime, l->load[0], l->load[1],
               l->load[2]);
    buf_printf(o, "\"tasks\":{\"total\":%zu,\"R\":%zu,\"S\":%zu,\"D\":%zu,\"Z\":%zu,\"T\":%zu,\"t\":%zu,\"I\":%zu},",
               t->cur.snap.n, st[0], st[1], st[2], st[3], st[4], st[5], st[6]);
    buf_printf(o, "\"cpu\":{\"us\":%.2f,\"ni\":%.2f,\"sy\":%.2f,\"id\":%.2f,\"wa\":%.2f,\"hi\":%.2f,\"si\":%.2f,\"st\":%.2f},",
               pct(cpu[0], total), pct(cpu[1], total), pct(cpu[2], total), pct(cpu[3], total), pct(cpu[4], total),
               pct(cpu[5], total), pct(cpu[6], total), pct(cpu[7], total));
    buf_printf(o, "\"cs_per_sec\":%.1f,\"intr_per_sec\":%.1f,\"forks_per_sec\":%.2f,",
               dt > 0 ? (double)(l->ctxt - (p ? p->ctxt : 0)) / dt : 0.0,
               dt > 0 ? (double)(l->intr - (p ? p->intr : 0)) / dt : 0.0,
               dt > 0 ? (double)(l->forks - (p ? p->forks : 0)) / dt : 0.0);
    buf_printf(o, "\"memory_kib\":{\"total\":%llu,\"free\":%llu,\"available\":%llu,\"buff_cache\":%llu,"
                  "\"swap_total\":%llu,\"swap_free\":%llu},",
               (unsigned long long)l->mem_total_kb, (unsigned long long)l->mem_free_kb,
               (unsigned long long)l->mem_avail_kb,
               (unsigned long long)(l->cached_kb + l->buffers_kb + l->sreclaimable_kb),
               (unsigned long long)l->swap_total_kb, (unsigned long long)l->swap_free_kb);
    buf_printf(o, "\"oya\":%s,\"services\":[", t->oya ? "true" : "false");
    bool first = true;
    for (size_t k = 0; k < t->nrows; k++) {
        const struct row *r = &t->rows[k];
        if (r->kind == ROW_SERVICE) {
            const struct svcinfo *s = &t->svcs[r->svc];
            buf_printf(o, "%s{\"name\":", first ? "" : "]},");
            json_quote(o, s->name);
            buf_printf(o, ",\"active\":\"%s\",\"sub\":\"%s\",\"main_pid\":%d,\"tasks\":%ld,\"cpu_percent\":%.2f,"
                          "\"memory_bytes\":%llu,\"voluntary_cs_per_sec\":%.2f,\"involuntary_cs_per_sec\":%.2f,"
                          "\"restarts\":%u,\"active_since_usec\":%llu,\"processes\":[",
                       s->active, s->sub, s->main_pid, s->tasks, s->cpu, (unsigned long long)s->mem, s->vcs, s->ics,
                       s->restarts, (unsigned long long)s->active_since);
            first = false;
            bool pfirst = true;
            for (size_t j = k + 1; j < t->nrows && t->rows[j].kind == ROW_PROC; j++) {
                buf_puts(o, pfirst ? "" : ",");
                json_proc(t, o, t->rows[j].at);
                pfirst = false;
            }
        } else if (r->kind == ROW_OTHER) {
            buf_printf(o, "%s],\"other\":{\"processes\":[", first ? "" : "]}");
            bool pfirst = true;
            for (size_t j = k + 1; j < t->nrows && t->rows[j].kind == ROW_PROC; j++) {
                buf_puts(o, pfirst ? "" : ",");
                json_proc(t, o, t->rows[j].at);
                pfirst = false;
            }
            struct other_sum sum = {0};
            for (size_t i = 0; i < t->cur.snap.n; i++) {
                if (t->cur.owner[i] >= 0)
                    continue;
                sum.n++;
                sum.cpu += proc_cpu(t, i);
                sum.mem += t->cur.snap.procs[i].rss * (uint64_t)t->page;
            }
            buf_printf(o, "],\"count\":%zu,\"cpu_percent\":%.2f,\"memory_bytes\":%llu}}\n", sum.n, sum.cpu,
                       (unsigned long long)sum.mem);
        }
    }
}

/* ---- the interactive screen ---- */

static void term_restore(struct top *t)
{
    if (!t->raw)
        return;
    static const char leave[] = "\x1b[?25h\x1b[?1049l";
    fd_write_all(1, leave, sizeof(leave) - 1);
    tcsetattr(0, TCSAFLUSH, &t->saved);
    t->raw = false;
}

static bool term_raw(struct top *t)
{
    if (tcgetattr(0, &t->saved) < 0)
        return false;
    struct termios raw = t->saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSAFLUSH, &raw) < 0)
        return false;
    t->raw = true;
    static const char enter[] = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J";
    fd_write_all(1, enter, sizeof(enter) - 1);
    return true;
}

static void term_size(struct top *t)
{
    struct winsize ws;
    t->lines = 24, t->cols = 80;
    if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        t->lines = ws.ws_row, t->cols = ws.ws_col;
}

/* one screen line: cut to the width (whole UTF-8 characters), the rest of the line cleared */
static void screen_line(struct top *t, struct buf *o, const char *text, size_t n, bool inverse)
{
    size_t cells = 0, k = 0;
    while (k < n && text[k] != '\n') {
        size_t len = 1;
        unsigned char ch = (unsigned char)text[k];
        if (ch >= 0xc0)
            while (k + len < n && ((unsigned char)text[k + len] & 0xc0) == 0x80)
                len++;
        if (cells + 1 > (size_t)t->cols)
            break;
        cells++;
        k += len;
    }
    if (inverse)
        buf_puts(o, "\x1b[7m");
    buf_add(o, text, k);
    if (inverse)
        for (; cells < (size_t)t->cols; cells++)
            buf_putc(o, ' ');
    buf_puts(o, inverse ? "\x1b[0m\x1b[K\r\n" : "\x1b[K\r\n");
}

static const char *const help_text[] = {
    "oya top: keys",
    "",
    "  Up/Down, j/k     move the selection        PgUp/PgDn  a screen at a time",
    "  Enter, Space     expand or fold a service (its processes), or the processes of no service",
    "  < >              sort by the column to the left or right (the column marked *)",
    "  P M N T          sort by %CPU, MEMORY, name, TASKS",
    "  /                filter: services and processes whose name, PID or command holds the text",
    "  r  s  t          restart, stop, start the selected service (through the running oya)",
    "  K                send a signal to every process of the selected service (asks first)",
    "  l                the selected service's last log lines",
    "  h ?              this help                 q  quit",
    "",
    "Rows: + folded, - expanded. Rates are per second over the last interval.",
    "(any key closes this)",
};

static void overlay_free(struct top *t)
{
    for (size_t i = 0; i < t->noverlay; i++)
        free(t->overlay[i]);
    free(t->overlay);
    t->overlay = NULL;
    t->noverlay = 0;
}

static void draw(struct top *t)
{
    struct buf frame = {0}, head = {0};
    buf_puts(&frame, "\x1b[H");
    write_header(t, &head);
    int used = 0;
    for (const char *p = head.p; p && *p && used < t->lines - 1; used++) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        screen_line(t, &frame, p, n, false);
        p = nl ? nl + 1 : p + n;
    }
    buf_free(&head);
    if (t->overlay) {
        for (size_t i = 0; i < t->noverlay && used < t->lines - 1; i++, used++)
            screen_line(t, &frame, t->overlay[i], strlen(t->overlay[i]), false);
    } else {
        int nw = name_width(t);
        struct buf line = {0};
        write_columns(t, &line, nw);
        screen_line(t, &frame, line.p, line.len, true);
        used++;
        int room = t->lines - 1 - used;
        if (room < 1)
            room = 1;
        if (t->sel >= t->nrows)
            t->sel = t->nrows ? t->nrows - 1 : 0;
        if (t->sel < t->scroll)
            t->scroll = t->sel;
        if (t->sel >= t->scroll + (size_t)room)
            t->scroll = t->sel - (size_t)room + 1;
        for (size_t k = t->scroll; k < t->nrows && used < t->lines - 1; k++, used++) {
            line.len = 0;
            write_row(t, &t->rows[k], &line, nw);
            screen_line(t, &frame, line.p, line.len, k == t->sel);
        }
        buf_free(&line);
    }
    for (; used < t->lines - 1; used++)
        buf_puts(&frame, "\x1b[K\r\n");
    /* the last line: what is being typed, or the last message, or the hint */
    char last[700];
    if (t->input == IN_FILTER)
        snprintf(last, sizeof(last), "filter: %s", t->entry);
    else if (t->input == IN_SIGNAL)
        snprintf(last, sizeof(last), "signal for every process of %s [TERM]: %s", t->pending_svc, t->entry);
    else if (t->input == IN_CONFIRM)
        snprintf(last, sizeof(last), "send SIG%s to every process of %s? (y/n)", signal_name(t->pending_sig),
                 t->pending_svc);
    else if (t->msg[0])
        snprintf(last, sizeof(last), "%s", t->msg);
    else
        snprintf(last, sizeof(last), "h help  q quit  Enter expand  </> sort  / filter  r s t restart/stop/start  K signal  l logs");
    size_t cut = strlen(last) < (size_t)t->cols ? strlen(last) : (size_t)t->cols;
    buf_add(&frame, last, cut);
    buf_puts(&frame, "\x1b[K");
    fd_write_all(1, frame.p, frame.len);
    buf_free(&frame);
}

static int selected_service(const struct top *t)
{
    if (t->sel >= t->nrows)
        return -1;
    return t->rows[t->sel].svc;
}

/* A request that may wait (start, stop, restart) or not (kill), in a child: the screen goes on */
static void run_action(struct top *t, const char *verb, const char *arg, const char *name)
{
    if (t->action_pid > 0) {
        snprintf(t->msg, sizeof(t->msg), "still waiting for: %s", t->action_what);
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(t->msg, sizeof(t->msg), "cannot fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        char *fields[3] = {(char *)verb, (char *)(arg ? arg : name), (char *)name};
        struct ctl_reply rep;
        struct buf err = {0};
        int r = ctl_call_default(t->c->socket, t->c->socket_private, fields, arg ? 3 : 2, &rep, &err);
        _exit(r < 0 ? 3 : !rep.ok ? 2 : 0);
    }
    t->action_pid = pid;
    snprintf(t->action_what, sizeof(t->action_what), "%s %s%s%s", verb, arg ? arg : "", arg ? " " : "", name);
    snprintf(t->msg, sizeof(t->msg), "%s: waiting for oya", t->action_what);
}

static void action_done(struct top *t)
{
    int status;
    if (t->action_pid <= 0 || waitpid(t->action_pid, &status, WNOHANG) != t->action_pid)
        return;
    t->action_pid = 0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 3;
    snprintf(t->msg, sizeof(t->msg), "%s: %s", t->action_what,
             code == 0 ? "done" : code == 2 ? "refused or failed (oya status tells more)" : "no running oya");
}

static void show_logs(struct top *t, const char *name)
{
    char count[16];
    snprintf(count, sizeof(count), "%d", t->lines > 12 ? t->lines - 8 : 5);
    char *fields[] = {"logs", count, (char *)name};
    struct ctl_reply rep;
    struct buf err = {0};
    int r = ctl_call_default(t->c->socket, t->c->socket_private, fields, 3, &rep, &err);
    overlay_free(t);
    struct strv lines = {0};
    strv_push(&lines, xasprintf("the last lines of %s (any key closes this)", name));
    strv_add(&lines, "");
    if (r < 0 || !rep.ok) {
        strv_push(&lines, xasprintf("cannot read them: %s", r < 0 ? (err.p ? err.p : strerror(-r)) : rep.error));
    } else {
        for (size_t i = 0; i < rep.n; i++) {
            const struct ctl_record *rec = &rep.recs[i];
            if (strcmp(rec->type, "log") != 0)
                continue;
            for (size_t k = 0; k < rec->keys.n; k++) {
                if (strcmp(rec->keys.v[k], "line") != 0)
                    continue;
                /* a record: "TIME STREAM PRIO PID TEXT": time and text are what a person reads */
                const char *l = rec->values.v[k];
                const char *text = l;
                for (int f = 0; f < 4 && text; f++) {
                    text = strchr(text, ' ');
                    if (text)
                        text++;
                }
                strv_push(&lines, xasprintf("%.19s %s", l, text ? text : l));
            }
        }
    }
    if (r == 0)
        ctl_reply_free(&rep);
    buf_free(&err);
    t->noverlay = lines.n;
    t->overlay = strv_array(&lines);
}

static void toggle(struct top *t)
{
    if (t->sel >= t->nrows)
        return;
    int svc = t->rows[t->sel].svc;
    const char *key = svc >= 0 ? t->svcs[svc].name : OTHER;
    if (strv_contains(&t->expanded, key)) {
        struct strv keep = {0};
        for (size_t i = 0; i < t->expanded.n; i++)
            if (strcmp(t->expanded.v[i], key) != 0)
                strv_add(&keep, t->expanded.v[i]);
        strv_clear(&t->expanded);
        t->expanded = keep;
    } else {
        strv_add(&t->expanded, key);
    }
    /* the selection stays on the group's own row */
    build_rows(t);
    for (size_t k = 0; k < t->nrows; k++)
        if (t->rows[k].kind != ROW_PROC && t->rows[k].svc == svc) {
            t->sel = k;
            break;
        }
}

/* One key (or an escape sequence); false to quit */
static bool on_key(struct top *t, const char *k, size_t n)
{
    if (t->overlay) {
        overlay_free(t);
        return true;
    }
    if (t->input == IN_FILTER || t->input == IN_SIGNAL) {
        size_t len = strlen(t->entry);
        if (k[0] == '\x1b') {
            t->input = IN_NONE;
        } else if (k[0] == '\r' || k[0] == '\n') {
            if (t->input == IN_FILTER) {
                snprintf(t->filter, sizeof(t->filter), "%s", t->entry);
                t->input = IN_NONE;
                t->sel = t->scroll = 0;
            } else {
                int sig = t->entry[0] ? signal_from_name(t->entry) : SIGTERM;
                if (sig <= 0) {
                    snprintf(t->msg, sizeof(t->msg), "no signal '%s'", t->entry);
                    t->input = IN_NONE;
                } else {
                    t->pending_sig = sig;
                    t->input = IN_CONFIRM;
                }
            }
        } else if (k[0] == 0x7f || k[0] == 0x08) {
            if (len)
                t->entry[len - 1] = 0;
        } else if ((unsigned char)k[0] >= 0x20 && len + n < sizeof(t->entry)) {
            memcpy(t->entry + len, k, n);
            t->entry[len + n] = 0;
        }
        return true;
    }
    if (t->input == IN_CONFIRM) {
        t->input = IN_NONE;
        if (k[0] == 'y' || k[0] == 'Y') {
            char sig[16];
            snprintf(sig, sizeof(sig), "%s", signal_name(t->pending_sig) ? signal_name(t->pending_sig) : "TERM");
            run_action(t, "kill", sig, t->pending_svc);
        } else {
            snprintf(t->msg, sizeof(t->msg), "no signal sent");
        }
        return true;
    }
    t->msg[0] = 0;
    int page = t->lines > 10 ? t->lines - 8 : 1;
    if (!strcmp(k, "q"))
        return false;
    if (!strcmp(k, "j") || !strcmp(k, "\x1b[B") || !strcmp(k, "\x1bOB")) {
        if (t->sel + 1 < t->nrows)
            t->sel++;
    } else if (!strcmp(k, "k") || !strcmp(k, "\x1b[A") || !strcmp(k, "\x1bOA")) {
        if (t->sel)
            t->sel--;
    } else if (!strcmp(k, "\x1b[6~")) {
        t->sel = t->sel + (size_t)page < t->nrows ? t->sel + (size_t)page : (t->nrows ? t->nrows - 1 : 0);
    } else if (!strcmp(k, "\x1b[5~")) {
        t->sel = t->sel > (size_t)page ? t->sel - (size_t)page : 0;
    } else if (!strcmp(k, "\r") || !strcmp(k, "\n") || !strcmp(k, " ")) {
        toggle(t);
    } else if (!strcmp(k, "<")) {
        t->sort = t->sort ? t->sort - 1 : COL_N - 1;
    } else if (!strcmp(k, ">")) {
        t->sort = (t->sort + 1) % COL_N;
    } else if (!strcmp(k, "P")) {
        t->sort = COL_CPU;
    } else if (!strcmp(k, "M")) {
        t->sort = COL_MEM;
    } else if (!strcmp(k, "N")) {
        t->sort = COL_NAME;
    } else if (!strcmp(k, "T")) {
        t->sort = COL_TASKS;
    } else if (!strcmp(k, "/")) {
        t->input = IN_FILTER;
        snprintf(t->entry, sizeof(t->entry), "%s", t->filter);
    } else if (!strcmp(k, "h") || !strcmp(k, "?")) {
        overlay_free(t);
        t->noverlay = sizeof(help_text) / sizeof(help_text[0]);
        t->overlay = xcalloc(t->noverlay, sizeof(char *));
        for (size_t i = 0; i < t->noverlay; i++)
            t->overlay[i] = xstrdup(help_text[i]);
    } else if (k[0] && !k[1] && strchr("rstKl", k[0])) {
        int svc = selected_service(t);
        if (svc < 0 || !t->oya) {
            snprintf(t->msg, sizeof(t->msg), "%s", !t->oya ? "no running oya" : "select a service first");
        } else if (k[0] == 'l') {
            show_logs(t, t->svcs[svc].name);
        } else if (k[0] == 'K') {
            snprintf(t->pending_svc, sizeof(t->pending_svc), "%s", t->svcs[svc].name);
            t->entry[0] = 0;
            t->input = IN_SIGNAL;
        } else {
            run_action(t, k[0] == 'r' ? "restart" : k[0] == 's' ? "stop" : "start", NULL, t->svcs[svc].name);
        }
    }
    return true;
}

/* Split what the terminal sent into keys: an escape sequence, a UTF-8 character or a byte each */
static bool on_input(struct top *t, const char *in, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t len = 1;
        if (in[i] == '\x1b' && i + 1 < n && (in[i + 1] == '[' || in[i + 1] == 'O')) {
            len = 2;
            while (i + len < n && !((in[i + len] >= 0x40 && in[i + len] <= 0x7e)))
                len++;
            if (i + len < n)
                len++;
        } else if ((unsigned char)in[i] >= 0xc0) {
            while (i + len < n && ((unsigned char)in[i + len] & 0xc0) == 0x80)
                len++;
        }
        char key[32];
        size_t kl = len < sizeof(key) - 1 ? len : sizeof(key) - 1;
        memcpy(key, in + i, kl);
        key[kl] = 0;
        if (!on_key(t, key, kl))
            return false;
        i += len;
    }
    return true;
}

static void next_frame(struct top *t)
{
    if (t->have_prev || t->cur.snap.procs) {
        sample_free(&t->prev);
        t->prev = t->cur;
        t->have_prev = true;
    }
    if (!read_sample(t, &t->cur))
        memset(&t->cur, 0, sizeof(t->cur));
    struct other_sum other;
    sum_services(t, &other);
    build_rows(t);
}

static int interactive(struct top *t)
{
    if (!isatty(0) || !isatty(1)) {
        fprintf(stderr, "oya top: not a terminal (use -b for text frames, --json for JSON)\n");
        return 2;
    }
    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGWINCH);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGTSTP);
    sigaddset(&mask, SIGCONT);
    sigprocmask(SIG_BLOCK, &mask, &old);
    int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigfd < 0 || !term_raw(t)) {
        fprintf(stderr, "oya top: cannot set up the terminal: %s\n", strerror(errno));
        if (sigfd >= 0)
            close(sigfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return 1;
    }
    term_size(t);
    next_frame(t);
    draw(t);
    uint64_t next = clock_mono_usec() + t->delay;
    long shown = 1;
    for (bool going = true; going;) {
        if (t->frames && shown >= t->frames)
            break;
        uint64_t now = clock_mono_usec();
        int timeout = next > now ? (int)((next - now + 999) / 1000) : 0;
        struct pollfd pf[2] = {{.fd = 0, .events = POLLIN}, {.fd = sigfd, .events = POLLIN}};
        int r = poll(pf, 2, timeout);
        if (r < 0 && errno != EINTR)
            break;
        bool redraw = false;
        if (r > 0 && pf[1].revents) {
            struct signalfd_siginfo si;
            while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
                int sig = (int)si.ssi_signo;
                if (sig == SIGWINCH) {
                    term_size(t);
                    redraw = true;
                } else if (sig == SIGCHLD) {
                    action_done(t);
                    redraw = true;
                } else if (sig == SIGTSTP) {
                    /* Ctrl-Z: give the terminal back as it was, stop, and take it again on SIGCONT */
                    term_restore(t);
                    kill(getpid(), SIGSTOP);
                } else if (sig == SIGCONT) {
                    term_raw(t);
                    term_size(t);
                    redraw = true;
                } else {
                    going = false;
                }
            }
        }
        if (r > 0 && pf[0].revents) {
            char in[256];
            ssize_t n = read(0, in, sizeof(in));
            if (n <= 0 && errno != EINTR && errno != EAGAIN)
                break;
            if (n > 0 && !on_input(t, in, (size_t)n))
                break;
            build_rows(t);
            redraw = true;
        }
        if (clock_mono_usec() >= next) {
            next_frame(t);
            next = clock_mono_usec() + t->delay;
            shown++;
            redraw = true;
        }
        if (redraw && going)
            draw(t);
    }
    term_restore(t);
    close(sigfd);
    if (t->action_pid > 0)
        waitpid(t->action_pid, NULL, 0);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return 0;
}

static int batch(struct top *t)
{
    for (long shown = 0; !t->frames || shown < t->frames; shown++) {
        if (shown) {
            struct timespec ts = {(time_t)(t->delay / USEC_PER_SEC), (long)(t->delay % USEC_PER_SEC) * 1000};
            while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
        }
        next_frame(t);
        struct buf o = {0};
        if (t->json) {
            write_json_frame(t, &o);
        } else {
            if (shown)
                buf_putc(&o, '\n');
            write_text_frame(t, &o);
        }
        int r = fd_write_all(1, o.p, o.len);
        buf_free(&o);
        if (r < 0)
            return 1;
    }
    return 0;
}

static int usage(FILE *f, int code)
{
    fprintf(f, "usage: oya top [-b] [--json] [-n FRAMES] [-d SECONDS] [-a] [-s COLUMN] [-f TEXT]\n"
               "Processes live, by oya service: a header as top and vmstat give it, a row per service\n"
               "(Enter shows its processes), and the processes of no service. Keys: h.\n"
               "  -b, --batch      text frames on stdout, no terminal needed (every service expanded)\n"
               "  --json           one JSON object per frame (implies -b)\n"
               "  -n FRAMES        stop after FRAMES frames\n"
               "  -d SECONDS       between frames (default 2; fractions allowed)\n"
               "  -a, --all        -b: list the processes of no service too, one by one\n"
               "  -s COLUMN        sort by name, state, main, tasks, cpu (default), memory, vcs, ics,\n"
               "                   restarts or uptime\n"
               "  -f, --filter TEXT  only services and processes whose name, PID or command holds TEXT\n");
    return code;
}

/* "2", "0.5", "1.25": seconds as usec, without floating-point parsing */
static bool parse_seconds(const char *s, uint64_t *usec)
{
    uint64_t whole = 0, frac = 0, scale = 1;
    const char *p = s;
    if (!*p)
        return false;
    while (*p >= '0' && *p <= '9')
        whole = whole * 10 + (uint64_t)(*p++ - '0');
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            if (scale < 1000000)
                frac = frac * 10 + (uint64_t)(*p - '0'), scale *= 10;
    if (*p || whole > 86400)
        return false;
    *usec = whole * USEC_PER_SEC + frac * (USEC_PER_SEC / scale);
    return true;
}

int cli_top(struct cli *c, int argc, char **argv)
{
    struct top t = {.c = c, .delay = 2 * USEC_PER_SEC, .sort = COL_CPU};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            return usage(stdout, 0);
        if (!strcmp(a, "-b") || !strcmp(a, "--batch")) {
            t.batch = true;
        } else if (!strcmp(a, "--json")) {
            t.batch = t.json = true;
        } else if (!strcmp(a, "-a") || !strcmp(a, "--all")) {
            t.all = true;
        } else if (!strcmp(a, "-n") && v) {
            if (!str_to_int(v, &(int){0}) || atol(v) < 1) {
                fprintf(stderr, "oya top: -n wants a count of frames, not '%s'\n", v);
                return 2;
            }
            t.frames = atol(v);
            i++;
        } else if (!strcmp(a, "-d") && v) {
            if (!parse_seconds(v, &t.delay)) {
                fprintf(stderr, "oya top: -d wants seconds (2, 0.5), not '%s'\n", v);
                return 2;
            }
            i++;
        } else if (!strcmp(a, "-s") && v) {
            static const char *const keys[COL_N] = {"name", "state", "main", "tasks", "cpu", "memory", "vcs", "ics",
                                                    "restarts", "uptime"};
            int found = -1;
            for (int k = 0; k < COL_N; k++)
                if (!strcmp(v, keys[k]))
                    found = k;
            if (found < 0) {
                fprintf(stderr, "oya top: no column '%s' to sort by\n", v);
                return usage(stderr, 2);
            }
            t.sort = (enum col)found;
            i++;
        } else if ((!strcmp(a, "-f") || !strcmp(a, "--filter")) && v) {
            snprintf(t.filter, sizeof(t.filter), "%s", v);
            i++;
        } else {
            fprintf(stderr, "oya top: unknown option %s\n", a);
            return usage(stderr, 2);
        }
    }
    t.procfd = proc_open_root();
    if (t.procfd < 0) {
        fprintf(stderr, "oya top: cannot open /proc: %s\n", strerror(-t.procfd));
        return 1;
    }
    t.hz = proc_clock_ticks();
    t.page = proc_page_size();
    struct rlimit nofile; /* a stat file kept open per process: as many fds as the hard limit allows */
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = nofile.rlim_max;
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    int rc = t.batch ? batch(&t) : interactive(&t);
    sample_free(&t.cur);
    sample_free(&t.prev);
    svcs_free(&t);
    strv_clear(&t.expanded);
    overlay_free(&t);
    free(t.rows);
    proc_keeper_free(&t.keeper);
    close(t.procfd);
    return rc;
}
