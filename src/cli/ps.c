/* cli/ps: `oya ps`, procps-ng 4.0's ps option for option (ps_args.c reads the command line): reads the
 * processes (and threads for H, -L, -T, m, -m), selects, sorts, draws the forest and prints, byte for
 * byte as procps does; plus oya's --services, a column naming the oya service that owns each process. */
#include "cli.h"
#include "ps.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* ---------- selection, as procps: a table over four facts, then the lists, then r and -N ---------- */

static bool listed(const struct ps_plan *pl, const struct ps_proc *p)
{
    for (size_t i = 0; i < pl->nsels; i++) {
        const struct ps_sel *s = &pl->sels[i];
        for (size_t k = 0; k < s->n; k++) {
            long v = s->ids[k];
            switch (s->kind) {
            case PS_SEL_RUID: if ((unsigned)p->status.ruid == (unsigned)v) return true; break;
            case PS_SEL_EUID: if ((unsigned)p->status.euid == (unsigned)v) return true; break;
            case PS_SEL_RGID: if ((unsigned)p->status.rgid == (unsigned)v) return true; break;
            case PS_SEL_EGID: if ((unsigned)p->status.egid == (unsigned)v) return true; break;
            case PS_SEL_PGRP: if (p->st.pgrp == v) return true; break;
            case PS_SEL_PID: case PS_SEL_PID_QUICK: if (p->tgid == v) return true; break;
            case PS_SEL_PPID: if (p->st.ppid == v) return true; break;
            case PS_SEL_TTY: if ((unsigned)p->st.tty_nr == (unsigned)v) return true; break;
            case PS_SEL_SESS: if (p->st.session == v) return true; break;
            case PS_SEL_COMM: {
                const char *want = s->names[k];
                if (strlen(p->st.comm) == 15 && strlen(want) >= 15 && !strncmp(p->st.comm, want, 15))
                    return true;
                if (!strncmp(p->st.comm, want, 63))
                    return true;
                break;
            }
            }
        }
    }
    return false;
}

static bool wanted(const struct ps_plan *pl, const struct ps_proc *p)
{
    bool ok = true;
    if (pl->all)
        goto finish;
    if (pl->use_table) {
        unsigned idx = (p->status.euid == pl->my_euid) | (unsigned)(p->st.session == p->tgid) << 1 |
                       (unsigned)(p->st.tty_nr == 0) << 2 | (unsigned)(p->st.tty_nr == pl->my_tty) << 3;
        if (pl->select_bits & (1u << idx))
            goto finish;
    }
    if (listed(pl, p))
        goto finish;
    ok = false;
finish:
    if (pl->running_only && p->st.state != 'R' && p->st.state != 'D')
        ok = false;
    return pl->negate ? !ok : ok;
}

/* ---------- reading ---------- */

struct reader {
    struct ps_ctx *ctx;
    const struct ps_plan *plan;
    unsigned needs;
    const struct svc_map *services;
    struct buf tmp;
};

static char *dup_bytes(const char *p, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, p, n);
    d[n] = 0;
    return d;
}

/* what procps's library makes of /proc/PID/wchan: "?" when unreadable, "-" for none, the name
 * without a leading '.' or underscores, at most 63 characters */
static char *read_wchan(int procfd, const char *dir)
{
    char path[64], text[64];
    snprintf(path, sizeof(path), "%s/wchan", dir);
    ssize_t n = file_read_at(procfd, path, text, sizeof(text));
    const char *w = text;
    if (n < 1) {
        w = "?";
    } else if (!strcmp(text, "0")) {
        w = "-";
    } else {
        if (*w == '.')
            w++;
        while (*w == '_')
            w++;
    }
    return xstrdup(w);
}

/* One process ("PID") or thread ("PID/task/TID"): selected first, then what the columns need.
 * 1: read (and selected, with `select`); 0: not selected; -1: gone or unreadable */
static int read_one(struct reader *r, const char *dir, int tgid, bool task, bool select, struct ps_proc *p)
{
    int procfd = r->ctx->procfd;
    memset(p, 0, sizeof(*p));
    p->task = task;
    p->tgid = tgid;
    if (proc_read_stat_in(procfd, dir, &p->st) < 0 ||
        proc_read_status_in(procfd, dir, (r->needs & PS_NEED_STATUS) != 0, &p->status) < 0)
        return -1;
    p->rss_kb = p->status.vm_rss_kb;
    if (select && !wanted(r->plan, p))
        return 0;
    if (r->needs & PS_NEED_ARGS) {
        ssize_t len = proc_read_file_in(procfd, dir, "cmdline", &r->tmp);
        if (len < 0)
            return -1;
        if (len > 0) {
            p->args = dup_bytes(r->tmp.p, (size_t)len);
            p->args_len = (size_t)len;
        }
    }
    if ((r->needs & PS_NEED_ENV) && r->ctx->bsd_e) {
        ssize_t len = proc_read_file_in(procfd, dir, "environ", &r->tmp);
        if (len > 0) {
            p->env = dup_bytes(r->tmp.p, (size_t)len);
            p->env_len = (size_t)len;
        }
    }
    if (r->needs & PS_NEED_WCHAN)
        p->wchan = read_wchan(procfd, dir);
    if (r->needs & PS_NEED_SERVICE)
        p->service = svc_map_find(r->services, tgid);
    return 1;
}

struct plist {
    struct ps_proc *v;
    size_t n, cap;
};

static struct ps_proc *plist_next(struct plist *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    return &l->v[l->n];
}

/* A process, or with threads its tasks (the leader read from the process's own directory, as procps) */
static void read_pid(struct reader *r, int pid, bool threads, bool select, struct plist *out)
{
    char dir[40];
    snprintf(dir, sizeof(dir), "%d", pid);
    if (!threads) {
        if (read_one(r, dir, pid, false, select, plist_next(out)) > 0)
            out->n++;
        else
            ps_proc_clear(plist_next(out));
        return;
    }
    int *tids;
    size_t n;
    if (proc_list_tasks(r->ctx->procfd, pid, &tids, &n) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        char tdir[40];
        bool leader = tids[i] == pid;
        if (leader)
            snprintf(tdir, sizeof(tdir), "%d", pid);
        else
            snprintf(tdir, sizeof(tdir), "%d/task/%d", pid, tids[i]);
        struct ps_proc *p = plist_next(out);
        int got = read_one(r, tdir, pid, !leader, select, p);
        if (got > 0) {
            out->n++;
        } else {
            ps_proc_clear(p);
            if (got < 0)
                break; /* procps moves on to the next process when a task cannot be read */
        }
    }
    free(tids);
}

/* Processes without their threads, read on every core (reading /proc is kernel work both cores share) */
struct par_job {
    const struct reader *r;
    const int *pids;
    struct ps_proc *slots;
    bool *keep;
};

static void read_range(void *arg, size_t begin, size_t end)
{
    struct par_job *j = arg;
    struct reader local = *j->r;
    local.tmp = (struct buf){0};
    for (size_t i = begin; i < end; i++) {
        char dir[16];
        snprintf(dir, sizeof(dir), "%d", j->pids[i]);
        j->keep[i] = read_one(&local, dir, j->pids[i], false, true, &j->slots[i]) > 0;
        if (!j->keep[i])
            ps_proc_clear(&j->slots[i]);
    }
    buf_free(&local.tmp);
}

static void read_all_parallel(struct reader *r, const int *pids, size_t n, struct plist *out)
{
    struct ps_proc *slots = xcalloc(n ? n : 1, sizeof(*slots));
    bool *keep = xcalloc(n ? n : 1, sizeof(bool));
    struct par_job job = {r, pids, slots, keep};
    proc_parallel(n, read_range, &job);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (keep[i])
            slots[kept++] = slots[i];
    free(keep);
    *out = (struct plist){slots, kept, n ? n : 1}; /* the slots are the list */
}

/* Processes with their threads (H, -L, -T), each chunk of PIDs on a core into a list of its own, the
 * lists joined in PID order afterwards */
struct part {
    size_t begin;
    struct plist l;
};
struct par_threads {
    const struct reader *r;
    const int *pids;
    struct part parts[8];
    int nparts; /* taken atomically: the chunks run at once */
};

static void read_range_threads(void *arg, size_t begin, size_t end)
{
    struct par_threads *j = arg;
    struct reader local = *j->r;
    local.tmp = (struct buf){0};
    struct plist l = {0};
    for (size_t i = begin; i < end; i++)
        read_pid(&local, j->pids[i], true, true, &l);
    buf_free(&local.tmp);
    int slot = __atomic_fetch_add(&j->nparts, 1, __ATOMIC_RELAXED);
    j->parts[slot] = (struct part){begin, l};
}

static void read_all_threads(struct reader *r, const int *pids, size_t n, struct plist *out)
{
    struct par_threads job = {.r = r, .pids = pids};
    proc_parallel(n, read_range_threads, &job);
    for (int k = 0; k < job.nparts; k++) { /* the chunks in PID order */
        int first = k;
        for (int m = k + 1; m < job.nparts; m++)
            if (job.parts[m].begin < job.parts[first].begin)
                first = m;
        struct part t = job.parts[k];
        job.parts[k] = job.parts[first];
        job.parts[first] = t;
        for (size_t i = 0; i < job.parts[k].l.n; i++) {
            *plist_next(out) = job.parts[k].l.v[i];
            out->n++;
        }
        free(job.parts[k].l.v);
    }
}

/* ---------- sorting (stable: procps's sorts keep the order of equals) ---------- */

static struct {
    struct ps_ctx *ctx;
    const struct ps_sort_key *keys;
    size_t n;
    bool by_start;
} sorting;

struct ranked {
    struct ps_proc *p;
    size_t index;
};

static int compare_ranked(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;
    for (size_t i = 0; i < sorting.n; i++) {
        int r = ps_sort_compare(sorting.ctx, &sorting.keys[i], a->p, b->p);
        if (r)
            return r;
    }
    if (sorting.by_start && a->p->st.starttime != b->p->st.starttime)
        return a->p->st.starttime < b->p->st.starttime ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

static struct ps_proc **sorted(struct ps_ctx *ctx, struct plist *l, const struct ps_sort_key *keys, size_t n,
                               bool by_start)
{
    struct ranked *r = xcalloc(l->n ? l->n : 1, sizeof(*r));
    for (size_t i = 0; i < l->n; i++)
        r[i] = (struct ranked){&l->v[i], i};
    sorting.ctx = ctx, sorting.keys = keys, sorting.n = n, sorting.by_start = by_start;
    qsort(r, l->n, sizeof(*r), compare_ranked);
    struct ps_proc **out = xcalloc(l->n ? l->n : 1, sizeof(*out));
    for (size_t i = 0; i < l->n; i++)
        out[i] = r[i].p;
    free(r);
    return out;
}

/* ---------- output ---------- */

struct printer {
    struct ps_ctx *ctx;
    const struct ps_column *cols;
    size_t ncols;
    int active, header_gap;
    bool printed;
    struct buf out;
    char prefix[4096 + 8]; /* the forest, one character a level */
};

static void flush_if_big(struct printer *pr)
{
    if (pr->out.len > 65536) {
        fd_write_all(1, pr->out.p, pr->out.len);
        pr->out.len = 0;
    }
}

static void show(struct printer *pr, const struct ps_proc *p, int skip)
{
    if (!--pr->ctx->lines_to_next_header) {
        pr->ctx->lines_to_next_header = pr->header_gap;
        ps_render(pr->ctx, pr->cols, pr->ncols, NULL, -1, pr->active, &pr->out);
    }
    pr->printed = true;
    ps_render(pr->ctx, pr->cols, pr->ncols, p, skip, pr->active, &pr->out);
    flush_if_big(pr);
}

/* procps's tree: children must follow their parent's other children in the sorted array; init's
 * children stay at the top level (except for -H) */
static void show_tree(struct printer *pr, struct ps_proc **v, size_t self, size_t n, size_t level, bool sibling)
{
    if (level >= sizeof(pr->prefix) - 1)
        level = sizeof(pr->prefix) - 2;
    if (level)
        pr->prefix[level - 1] = sibling ? '+' : 'L';
    pr->prefix[level] = 0;
    show(pr, v[self], -1);
    size_t i = 0;
    while (i < n && v[i]->st.ppid != v[self]->tgid)
        i++;
    if (i >= n)
        return;
    if (level)
        pr->prefix[level - 1] = sibling ? '|' : ' ';
    pr->prefix[level] = 0;
    while (i < n) {
        int self_pid = v[self]->tgid;
        bool more = i + 1 < n && v[i + 1]->st.ppid == self_pid;
        size_t next_level = self_pid == 1 && pr->ctx->forest_type != 'u' ? level : level + 1;
        show_tree(pr, v, i++, n, next_level, more);
        if (!more)
            break;
    }
    pr->prefix[level] = 0;
}

static void show_forest(struct printer *pr, struct ps_proc **v, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        bool root = true;
        for (size_t j = n; j-- > 0 && root;)
            if (v[j]->tgid == v[i]->st.ppid)
                root = false;
        if (root)
            show_tree(pr, v, i, n, 0, false);
    }
}

static int tgid_then_start(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;
    if (a->p->tgid != b->p->tgid)
        return a->p->tgid < b->p->tgid ? -1 : 1;
    if (a->p->st.starttime != b->p->st.starttime)
        return a->p->st.starttime < b->p->st.starttime ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

static int quick_checks(const struct ps_plan *pl)
{
    size_t quick = 0;
    for (size_t i = 0; i < pl->nsels; i++)
        quick += pl->sels[i].kind == PS_SEL_PID_QUICK;
    const char *msg = NULL;
    if (quick > 1)
        msg = "q/-q/--quick-pid can only be used once.";
    else if (quick && pl->nsels > quick)
        msg = "q/-q/--quick-pid cannot be combined with other selection options.";
    else if (quick && pl->forest)
        msg = "q/-q/--quick-pid cannot be used together with forest type listings.";
    else if (quick && pl->nsorts)
        msg = "q/-q,--quick-pid cannot be used together with sort options.";
    else if (quick && pl->negate)
        msg = "q/-q/--quick-pid cannot be used together with negation switches.";
    if (msg)
        fprintf(stderr, "%s\n", msg);
    return msg ? 1 : 0;
}

int cli_ps(struct cli *c, int argc, char **argv)
{
    setlocale(LC_ALL, "");
    int procfd = proc_open_root();
    if (procfd < 0) {
        fprintf(stderr, "oya ps: cannot open /proc: %s\n", strerror(-procfd));
        return 1;
    }
    struct ps_ctx ctx;
    ps_ctx_init(&ctx, procfd);
    struct ps_plan pl;
    bool done;
    int rc = ps_plan_parse(&ctx, argc, argv, &pl, &done);
    if (done) {
        fflush(stdout);
        ps_ctx_free(&ctx);
        close(procfd);
        return rc;
    }
    if (pl.warning)
        fputs(pl.warning, stderr);
    if ((rc = quick_checks(&pl))) {
        ps_plan_free(&pl);
        ps_ctx_free(&ctx);
        close(procfd);
        return rc;
    }
    ctx.user_is_number = pl.user_is_number;
    ctx.wchan_is_number = pl.wchan_is_number;
    ctx.unix_f = pl.unix_f;
    ctx.bsd_c = pl.bsd_c;
    ctx.bsd_e = pl.bsd_e;
    ctx.cumulative = pl.cumulative;
    ctx.forest_type = pl.forest;
    if (pl.services && pl.ncols > 0) {
        /* SERVICE goes just before the last (the command) column */
        struct ps_column *svc = NULL;
        size_t nsvc = 0;
        ps_format_add(&ctx, "service", &svc, &nsvc);
        pl.cols = xrealloc(pl.cols, (pl.ncols + 1) * sizeof(*pl.cols));
        pl.cols[pl.ncols] = pl.cols[pl.ncols - 1];
        pl.cols[pl.ncols - 1] = svc[0];
        pl.ncols++;
        free(svc);
    }
    struct printer pr = {.ctx = &ctx, .cols = pl.cols, .ncols = pl.ncols, .header_gap = -1};
    ctx.forest_prefix = pr.prefix;
    ctx.lines_to_next_header = 1;
    if (pl.header == PS_HEAD_MULTI) {
        pr.header_gap = pl.screen_rows - 1;
    } else if (pl.header == PS_HEAD_NONE) {
        ctx.lines_to_next_header = -1;
    } else {
        bool any = false;
        for (size_t i = 0; i < pl.ncols; i++)
            any |= pl.cols[i].f && pl.cols[i].head[0];
        if (!any)
            ctx.lines_to_next_header = -1; /* no header when every header is empty, as UNIX */
    }
    pr.active = ps_active_cols(&ctx, pl.cols, pl.ncols, pl.screen_cols);
    unsigned needs = ps_columns_needs(pl.cols, pl.ncols) | pl.sort_needs;
    struct svc_map services = {0};
    if (needs & PS_NEED_SERVICE)
        svc_map_load(c, &services);
    struct reader rd = {&ctx, &pl, needs, &services, {0}};
    unsigned tf = pl.thread_flags;
    bool fancy = pl.forest || pl.nsorts;
    bool threads = fancy ? (tf & PS_TF_LOOSE_TASKS) != 0 : (tf & (PS_TF_LOOSE_TASKS | PS_TF_SHOW_TASK)) != 0;
    struct plist all = {0};
    bool both = !fancy && (tf & PS_TF_SHOW_BOTH);
    if (pl.nsels && pl.sels[0].kind == PS_SEL_PID_QUICK) {
        for (size_t i = 0; i < pl.sels[0].n; i++)
            read_pid(&rd, (int)pl.sels[0].ids[i], threads, !both, &all);
    } else {
        int *pids;
        size_t n;
        if (proc_list_pids(procfd, &pids, &n) == 0) {
            if (!threads && !both)
                read_all_parallel(&rd, pids, n, &all);
            else if (!both)
                read_all_threads(&rd, pids, n, &all);
            else
                for (size_t i = 0; i < n; i++)
                    read_pid(&rd, pids[i], threads, !both, &all);
            free(pids);
        }
    }
    if (fancy) {
        struct ps_sort_key ppid_key;
        const struct ps_sort_key *keys = pl.sorts;
        size_t nkeys = pl.nsorts;
        ps_sort_prune(pl.sorts, pl.nsorts, pl.cols, pl.ncols);
        if (pl.forest && !nkeys) {
            unsigned ignored = 0;
            ps_sort_lookup("ppid", &ppid_key, &ignored);
            ppid_key.order = 1;
            keys = &ppid_key;
            nkeys = 1;
        }
        struct ps_proc **v = sorted(&ctx, &all, keys, nkeys, pl.forest != 0);
        if (pl.forest)
            show_forest(&pr, v, all.n);
        else /* sorted, m and -m show the processes alone, with their process columns */
            for (size_t i = 0; i < all.n; i++)
                show(&pr, v[i], tf & PS_TF_SHOW_BOTH ? (int)PS_TO : -1);
        free(v);
    } else if (both) {
        /* m, -m: each process, then its threads (the leader again among them) */
        struct ranked *r = xcalloc(all.n ? all.n : 1, sizeof(*r));
        for (size_t i = 0; i < all.n; i++)
            r[i] = (struct ranked){&all.v[i], i};
        qsort(r, all.n, sizeof(*r), tgid_then_start);
        for (size_t i = 0; i < all.n;) {
            struct ps_proc *p = r[i].p;
            if (!wanted(&pl, p)) {
                i++;
                continue;
            }
            int self = p->st.pid;
            show(&pr, p, PS_TO);
            for (; i < all.n && r[i].p->tgid == self; i++)
                show(&pr, r[i].p, PS_PO);
        }
        free(r);
    } else {
        for (size_t i = 0; i < all.n; i++)
            show(&pr, &all.v[i], -1);
    }
    rc = 0;
    if (!pr.printed) {
        if (!--ctx.lines_to_next_header)
            ps_render(&ctx, pl.cols, pl.ncols, NULL, -1, pr.active, &pr.out);
        rc = 1; /* procps exits 1 when nothing was selected */
    }
    fd_write_all(1, pr.out.p, pr.out.len);
    buf_free(&pr.out);
    buf_free(&rd.tmp);
    for (size_t i = 0; i < all.n; i++)
        ps_proc_clear(&all.v[i]);
    free(all.v);
    svc_map_free(&services);
    ps_plan_free(&pl);
    ps_ctx_free(&ctx);
    close(procfd);
    return rc;
}
