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
 * go through the control socket from a child process, so the screen never waits for a service. This file
 * reads frames and writes their text; the interactive screen is top_screen.c. */
#include "top.h"

#include "../proc/proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static const char *const col_names[COL_N] = {"SERVICE", "STATE", "MAIN", "TASKS", "%CPU", "MEMORY", "VCS/s", "ICS/s",
                                             "RESTARTS", "UPTIME"};

/* ---- reading ---- */

void top_sample_free(struct sample *s)
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

bool top_read_sample(struct top *t, struct sample *s)
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



void top_sum_services(struct top *t, struct other_sum *other)
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

void top_build_rows(struct top *t)
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

void top_write_header(struct top *t, struct buf *o)
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

int top_name_width(const struct top *t)
{
    int w = 12;
    for (size_t i = 0; i < t->nsvcs; i++)
        if ((int)strlen(t->svcs[i].name) > w)
            w = (int)strlen(t->svcs[i].name);
    return w > 28 ? 28 : w;
}

void top_write_columns(struct top *t, struct buf *o, int nw)
{
    char h[COL_N][16];
    for (int i = 0; i < COL_N; i++)
        snprintf(h[i], sizeof(h[i]), "%s%s", col_names[i], !t->batch && (int)t->sort == i ? "*" : "");
    buf_printf(o, "  %-*s %-18s %7s %5s %6s %8s %6s %6s %8s %s\n", nw, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7],
               h[8], h[9]);
}

void top_write_row(struct top *t, const struct row *r, struct buf *o, int nw)
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
    top_write_header(t, o);
    buf_putc(o, '\n');
    int nw = top_name_width(t);
    top_write_columns(t, o, nw);
    bool proc_head = false;
    for (size_t k = 0; k < t->nrows; k++) {
        if (t->rows[k].kind == ROW_PROC && !proc_head) {
            buf_printf(o, "    %7s %c %-20s %6s %8s %4s %6s %s\n", "PID", 'S', "WCHAN", "%CPU", "RSS", "THR", "CS/s",
                       "COMMAND");
            proc_head = true;
        } else if (t->rows[k].kind != ROW_PROC) {
            proc_head = false;
        }
        top_write_row(t, &t->rows[k], o, nw);
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
static int batch(struct top *t)
{
    for (long shown = 0; !t->frames || shown < t->frames; shown++) {
        if (shown) {
            struct timespec ts = {(time_t)(t->delay / USEC_PER_SEC), (long)(t->delay % USEC_PER_SEC) * 1000};
            while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
        }
        top_next_frame(t);
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
    int rc = t.batch ? batch(&t) : top_interactive(&t);
    top_sample_free(&t.cur);
    top_sample_free(&t.prev);
    svcs_free(&t);
    strv_clear(&t.expanded);
    top_overlay_free(&t);
    free(t.rows);
    proc_keeper_free(&t.keeper);
    close(t.procfd);
    return rc;
}
