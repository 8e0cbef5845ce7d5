/* cli/trace: `oya trace [NAME...] [-p PID] [--json] [--source=kernel|oya]`, processes being born and
 * dying, live: fork, exec, exit (how, and after how long), setsid, uid and gid changes, comm changes,
 * ptrace, core dumps, each attributed to its oya service.
 *
 * Two sources. The kernel's process events connector (proc/events) sees every process of the machine,
 * but needs root in the initial namespaces. Elsewhere (non-root, a container) the running oya's own
 * event stream (`trace` on the control socket) tells what oya makes and sees: spawns, confirmed execs,
 * every child it reaps, the signals it sends, state changes. With the kernel source the oya stream is
 * read too when oya runs: it names the service of each process oya starts, and tells when oya reaped an
 * exited process, which gives how long it was a zombie.
 *
 * Attribution: the processes each service has when the trace begins (from oya), then inheritance: a
 * child belongs to its parent's service; a child of oya itself to the service oya says it spawned it for. */
#include "cli.h"

#include "../proc/events.h"
#include "../proc/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define SPAWN_WAIT (100 * USEC_PER_MSEC) /* how long a child of oya waits for oya to name its service */
#define MAX_CPUS 8192

/* What the trace knows of one process */
struct pinfo {
    int pid;       /* 0: a free slot */
    int svc;       /* index in t->svcs, -1: none */
    bool in_tree;  /* -p: below the PID asked for */
    bool pending;  /* a child of oya whose service oya has not named yet */
    bool named;    /* oya named its service (a spawn) before the kernel told of its fork */
    bool reaped;   /* oya said it reaped it before the kernel's exit event was read */
    uint64_t born; /* realtime usec (0: before the trace) */
    uint64_t died; /* realtime usec of its exit (a zombie until reaped) */
};

/* pid -> pinfo, open addressing with linear probing (removal shifts back, no tombstones) */
struct pmap {
    struct pinfo *v;
    size_t cap, n; /* cap: a power of two */
};

static size_t slot_of(const struct pmap *m, int pid)
{
    return ((size_t)(unsigned)pid * 2654435761u) & (m->cap - 1);
}

static struct pinfo *pmap_find(struct pmap *m, int pid)
{
    if (!m->cap || pid <= 0)
        return NULL;
    for (size_t i = slot_of(m, pid);; i = (i + 1) & (m->cap - 1)) {
        if (m->v[i].pid == pid)
            return &m->v[i];
        if (!m->v[i].pid)
            return NULL;
    }
}

static struct pinfo *pmap_add(struct pmap *m, int pid)
{
    struct pinfo *p = pmap_find(m, pid);
    if (p)
        return p;
    if ((m->n + 1) * 2 > m->cap) {
        struct pmap bigger = {.cap = m->cap ? m->cap * 2 : 1024};
        bigger.v = xcalloc(bigger.cap, sizeof(*bigger.v));
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->v[i].pid)
                continue;
            size_t k = slot_of(&bigger, m->v[i].pid);
            while (bigger.v[k].pid)
                k = (k + 1) & (bigger.cap - 1);
            bigger.v[k] = m->v[i];
        }
        bigger.n = m->n;
        free(m->v);
        *m = bigger;
    }
    size_t i = slot_of(m, pid);
    while (m->v[i].pid)
        i = (i + 1) & (m->cap - 1);
    m->v[i] = (struct pinfo){.pid = pid, .svc = -1};
    m->n++;
    return &m->v[i];
}

static void pmap_remove(struct pmap *m, int pid)
{
    struct pinfo *p = pmap_find(m, pid);
    if (!p)
        return;
    size_t i = (size_t)(p - m->v);
    m->v[i].pid = 0;
    m->n--;
    /* the entries after it in its run move back if their home slot allows */
    for (size_t j = (i + 1) & (m->cap - 1); m->v[j].pid; j = (j + 1) & (m->cap - 1)) {
        size_t home = slot_of(m, m->v[j].pid);
        bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            m->v[i] = m->v[j];
            m->v[j].pid = 0;
            i = j;
        }
    }
}

struct trace {
    struct cli *c;
    bool json, kernel;
    struct strv want;    /* service names asked for (none: all) */
    int root;            /* -p PID (0: none) */
    int oya_pid;         /* the running oya (0: none) */
    struct strv svcs;    /* the services' names, the index a pinfo holds */
    struct pmap map;
    struct ctl_stream st;
    struct ctl_reply rep;
    bool sup_on;
    int64_t mono_to_real; /* realtime usec = monotonic usec + this */
    uint64_t boot_real;   /* realtime usec of boot, as /proc's start times count (CLOCK_BOOTTIME) */
    long hz;
    int procfd;
    uint64_t events, lost;
    uint64_t seen;    /* the kernel's events read, shown or not */
    struct buf out;
    int rc;
    time_t hms_sec; /* the second t->hms is for */
    char hms[16];
};

static int svc_index(struct trace *t, const char *name)
{
    if (!name || !*name)
        return -1;
    for (size_t i = 0; i < t->svcs.n; i++)
        if (!strcmp(t->svcs.v[i], name))
            return (int)i;
    strv_add(&t->svcs, name);
    return (int)t->svcs.n - 1;
}

static const char *svc_name(const struct trace *t, const struct pinfo *p)
{
    return p && p->svc >= 0 ? t->svcs.v[p->svc] : NULL;
}

/* Is an event about p (NULL: a process the trace does not know) of service name (NULL: p's) shown */
static bool shown_as(const struct trace *t, const struct pinfo *p, const char *name)
{
    if (t->root && !(p && p->in_tree))
        return false;
    if (!name && p && p->svc >= 0)
        name = t->svcs.v[p->svc];
    return !t->want.n || (name && strv_contains(&t->want, name));
}

static bool shown(const struct trace *t, const struct pinfo *p)
{
    return shown_as(t, p, NULL);
}

static void fmt_life(char *out, size_t size, uint64_t usec)
{
    if (usec < USEC_PER_MSEC)
        snprintf(out, size, "%lluus", (unsigned long long)usec);
    else if (usec < USEC_PER_SEC)
        snprintf(out, size, "%.1fms", (double)usec / 1e3);
    else if (usec < 60 * USEC_PER_SEC)
        snprintf(out, size, "%.2fs", (double)usec / 1e6);
    else
        fmt_timespan(out, size, usec, USEC_PER_SEC);
}

/* The start of a line: time, service, PID, event; or of a JSON object */
static void begin(struct trace *t, uint64_t real, const char *svc, int pid, const char *event)
{
    t->events++;
    if (t->json) {
        buf_printf(&t->out, "{\"time_usec\":%llu,\"service\":", (unsigned long long)real);
        if (svc)
            json_quote(&t->out, svc);
        else
            buf_puts(&t->out, "null");
        buf_printf(&t->out, ",\"pid\":%d,\"event\":\"%s\"", pid, event);
        return;
    }
    time_t sec = (time_t)(real / USEC_PER_SEC);
    if (sec != t->hms_sec) { /* the local time of day, worked out once a second, not once an event */
        struct tm tm;
        localtime_r(&sec, &tm);
        snprintf(t->hms, sizeof(t->hms), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
        t->hms_sec = sec;
    }
    buf_printf(&t->out, "%s.%06u %s ", t->hms, (unsigned)(real % USEC_PER_SEC), svc ? svc : "-");
    if (pid > 0)
        buf_printf(&t->out, "%d ", pid);
    else
        buf_puts(&t->out, "- ");
    buf_puts(&t->out, event);
}

static void end(struct trace *t)
{
    buf_puts(&t->out, t->json ? "}\n" : "\n");
    if (t->out.len > 60000) {
        fd_write_all(1, t->out.p, t->out.len);
        t->out.len = 0;
    }
}

/* a value: " text" for the line, ,"key":"text" for JSON */
static void field(struct trace *t, const char *key, const char *text)
{
    if (t->json) {
        buf_printf(&t->out, ",\"%s\":", key);
        json_quote(&t->out, text);
    } else {
        buf_printf(&t->out, " %s", text);
    }
}

static void field_int(struct trace *t, const char *key, long long v, const char *text_fmt)
{
    if (t->json)
        buf_printf(&t->out, ",\"%s\":%lld", key, v);
    else
        buf_printf(&t->out, text_fmt, v);
}

/* The command line of pid now (its exe, then its argv), control bytes shown as '?' */
static void read_command(struct trace *t, int pid, char *exe, size_t exe_size, struct buf *argv)
{
    char link[64];
    snprintf(link, sizeof(link), "/proc/%d/exe", pid);
    ssize_t n = readlink(link, exe, exe_size - 1);
    exe[n > 0 ? n : 0] = 0;
    if (n <= 0)
        snprintf(exe, exe_size, "?");
    if (proc_read_cmdline_raw(t->procfd, pid, argv) > 0)
        for (size_t i = 0; i < argv->len; i++)
            if ((unsigned char)argv->p[i] < 0x20 || argv->p[i] == 0x7f)
                argv->p[i] = argv->p[i] ? '?' : ' ';
}

static void exit_words(struct trace *t, int how_exited, int status, bool core)
{
    if (how_exited) {
        field_int(t, "status", status, " status=%lld");
        return;
    }
    const char *name = signal_name(status);
    if (t->json) {
        buf_printf(&t->out, ",\"signal\":\"%s\",\"core_dumped\":%s", name ? name : "?", core ? "true" : "false");
    } else {
        if (name)
            buf_printf(&t->out, " signal=%s", name);
        else
            buf_printf(&t->out, " signal=%d", status);
        if (core)
            buf_puts(&t->out, " (core dumped)");
    }
}

static void lifetime(struct trace *t, const char *key, uint64_t usec, const char *words)
{
    if (t->json) {
        buf_printf(&t->out, ",\"%s\":%llu", key, (unsigned long long)usec);
        return;
    }
    char span[64];
    fmt_life(span, sizeof(span), usec);
    buf_printf(&t->out, " %s %s", words, span);
}

/* When pid started (realtime usec), from its start time in /proc; 0 if it cannot be read */
static uint64_t born_of(struct trace *t, int pid)
{
    struct proc_stat st;
    if (proc_read_stat(t->procfd, pid, &st) < 0)
        return 0;
    return t->boot_real + st.starttime * USEC_PER_SEC / (uint64_t)t->hz;
}

/* ---- the oya stream ---- */

static void on_sup_line(void *ctx, struct strv *f)
{
    struct trace *t = ctx;
    if (f->n == 2 && !strcmp(f->v[0], "dropped")) {
        uint64_t n = strtoull(f->v[1], NULL, 10);
        t->lost += n;
        begin(t, clock_real_usec(), NULL, 0, "lost");
        field_int(t, "count", (long long)n, " %lld events: oya dropped them because this reader fell behind");
        end(t);
        return;
    }
    if (f->n < 5 || strcmp(f->v[0], "ev") != 0)
        return;
    const char *kind = f->v[1];
    uint64_t real = strtoull(f->v[2], NULL, 10);
    int pid = atoi(f->v[3]);
    const char *name = f->v[4][0] ? f->v[4] : NULL;
    struct pinfo *p = pid > 0 ? pmap_find(&t->map, pid) : NULL;
    if (!strcmp(kind, "spawn") && f->n >= 7) {
        p = pmap_add(&t->map, pid);
        p->svc = svc_index(t, name);
        p->named = t->kernel && !p->pending; /* its fork is still to come from the kernel */
        p->pending = false;
        if (!p->born)
            p->born = real;
        struct pinfo *oya = pmap_find(&t->map, t->oya_pid);
        p->in_tree = oya && oya->in_tree;
        if (t->kernel || !shown(t, p))
            return; /* the kernel's fork and exec tell it */
        begin(t, real, name, pid, "spawn");
        field(t, "role", f->v[5]);
        field(t, "command", f->v[6]);
        end(t);
    } else if (!strcmp(kind, "exec") && f->n >= 7) {
        if (t->kernel || !shown_as(t, p, name))
            return;
        begin(t, real, name, pid, "exec");
        field(t, "program", f->v[5][0] ? f->v[5] : "?");
        field(t, "command", f->v[6]);
        end(t);
    } else if (!strcmp(kind, "reap") && f->n >= 9) {
        const char *role = f->v[5];
        if (!name && p)
            name = svc_name(t, p);
        if (shown_as(t, p, name)) {
            const char *whose = !strcmp(role, "main") ? "main process" : !strcmp(role, "control") ? "control process"
                                : !strcmp(role, "helper") ? "oya's helper" : "an orphan oya adopted";
            if (t->kernel) {
                begin(t, real, name, pid, "reaped");
                if (t->json)
                    field(t, "role", role);
                else
                    buf_printf(&t->out, " (%s) by oya", whose);
                if (p && p->died && real >= p->died)
                    lifetime(t, "zombie_usec", real - p->died, "after");
                if (!t->json && p && p->died)
                    buf_puts(&t->out, " as a zombie");
            } else {
                begin(t, real, name, pid, "exit");
                exit_words(t, !strcmp(f->v[6], "exited"), atoi(f->v[7]), !strcmp(f->v[6], "dumped"));
                if (f->v[8][0])
                    lifetime(t, "lifetime_usec", strtoull(f->v[8], NULL, 10), "after");
                if (t->json)
                    field(t, "role", role);
                else
                    buf_printf(&t->out, " (%s, reaped by oya)", whose);
            }
            end(t);
        }
        if (p && t->kernel && !p->died)
            p->reaped = true; /* the kernel's exit is still to come (read while waiting for a spawn) */
        else
            pmap_remove(&t->map, pid);
    } else if (!strcmp(kind, "signal") && f->n >= 6) {
        if (!name && p)
            name = svc_name(t, p);
        if (!shown_as(t, p, name))
            return;
        begin(t, real, name, pid, "signal");
        field(t, "signal", f->v[5]);
        if (!t->json)
            buf_puts(&t->out, " from oya");
        end(t);
    } else if (!strcmp(kind, "state") && f->n >= 7) {
        if (t->root || (t->want.n && !(name && strv_contains(&t->want, name))))
            return;
        begin(t, real, name, pid, "state");
        field(t, "active", f->v[5]);
        field(t, "sub", f->v[6]);
        end(t);
    }
}

static void on_sup_reply(void *ctx, const struct ctl_reply *rep)
{
    struct trace *t = ctx;
    if (!rep->ok)
        return;
    for (size_t i = 0; i < rep->n; i++) {
        const struct ctl_record *r = &rep->recs[i];
        if (!strcmp(r->type, "oya")) {
            t->oya_pid = (int)ctl_get_ll(r, "pid", 0);
            continue;
        }
        if (strcmp(r->type, "service") != 0)
            continue;
        int idx = svc_index(t, ctl_get(r, "name"));
        const char *pids = ctl_get(r, "pids");
        for (const char *p = pids ? pids : ""; *p;) {
            int pid = atoi(p);
            if (pid > 0) {
                struct pinfo *pi = pmap_add(&t->map, pid);
                pi->svc = idx;
                pi->born = born_of(t, pid);
            }
            p += strcspn(p, " ");
            p += strspn(p, " ");
        }
    }
}

/* Read what the oya stream has; false once it is gone */
static bool sup_read(struct trace *t)
{
    if (ctl_stream_read(&t->st, &t->rep, on_sup_reply, on_sup_line, t) > 0)
        return true;
    t->sup_on = false;
    return false;
}

/* A child of oya: oya names its service right after its fork returns; wait for that a little */
static void await_spawn(struct trace *t, struct pinfo *p)
{
    int pid = p->pid;
    uint64_t deadline = clock_mono_usec() + SPAWN_WAIT;
    while (t->sup_on) {
        p = pmap_find(&t->map, pid);
        if (!p || !p->pending)
            return;
        uint64_t now = clock_mono_usec();
        if (now >= deadline)
            break;
        struct pollfd pf = {.fd = t->st.fd, .events = POLLIN};
        int r = poll(&pf, 1, (int)((deadline - now + 999) / 1000));
        if (r > 0)
            sup_read(t);
        else if (r < 0 && errno != EINTR)
            break;
    }
    p = pmap_find(&t->map, pid);
    if (p)
        p->pending = false; /* oya's own helper, or a spawn oya did not report: no service */
}

/* ---- the kernel source ---- */

static void on_kernel(struct trace *t, const struct proc_ev *e)
{
    t->seen++;
    uint64_t real = (uint64_t)((int64_t)(e->mono_ns / 1000) + t->mono_to_real);
    if (e->kind == PEV_OTHER || (e->kind != PEV_FORK && e->pid != e->tgid))
        return; /* threads: their process tells it */
    if (e->kind == PEV_FORK) {
        if (e->pid != e->tgid)
            return; /* a new thread */
        struct pinfo *child = pmap_add(&t->map, e->pid);
        struct pinfo *parent = pmap_find(&t->map, e->ptgid);
        child->born = real;
        child->died = 0;
        if (!child->named) {
            child->svc = parent ? parent->svc : -1;
            child->in_tree = parent && parent->in_tree;
        }
        child->named = false;
        if (t->oya_pid && e->ptgid == t->oya_pid && t->sup_on && child->svc < 0) {
            child->pending = true;
            await_spawn(t, child);
            child = pmap_find(&t->map, e->pid);
        }
        if (!child || !shown(t, child))
            return;
        begin(t, real, svc_name(t, child), e->ptgid, "fork");
        field_int(t, "child", e->pid, " %lld");
        end(t);
        return;
    }
    struct pinfo *p = pmap_find(&t->map, e->tgid);
    if (e->kind == PEV_EXIT) {
        if (shown(t, p)) {
            begin(t, real, svc_name(t, p), e->tgid, "exit");
            int code = e->exit_code;
            exit_words(t, (code & 0x7f) == 0, (code & 0x7f) == 0 ? (code >> 8) & 0xff : code & 0x7f, code & 0x80);
            uint64_t born = p && p->born ? p->born : born_of(t, e->tgid); /* (a zombie keeps its stat) */
            if (born && real >= born)
                lifetime(t, "lifetime_usec", real - born, "after");
            end(t);
        }
        if (p && t->oya_pid && e->ptgid == t->oya_pid && t->sup_on && !p->reaped)
            p->died = real; /* oya reaps it: its reap event says how long it was a zombie */
        else
            pmap_remove(&t->map, e->tgid);
        return;
    }
    if (!shown(t, p))
        return;
    const char *svc = svc_name(t, p);
    char num[64];
    switch (e->kind) {
    case PEV_EXEC: {
        char exe[4096];
        struct buf argv = {0};
        read_command(t, e->tgid, exe, sizeof(exe), &argv);
        begin(t, real, svc, e->tgid, "exec");
        field(t, "program", exe);
        if (argv.len || t->json)
            field(t, "command", argv.p ? argv.p : "");
        end(t);
        buf_free(&argv);
        break;
    }
    case PEV_UID:
    case PEV_GID: {
        bool uid = e->kind == PEV_UID;
        begin(t, real, svc, e->tgid, uid ? "uid" : "gid");
        if (t->json) {
            buf_printf(&t->out, ",\"real\":%u,\"effective\":%u", e->rid, e->eid);
        } else {
            snprintf(num, sizeof(num), "r%s=%u e%s=%u", uid ? "uid" : "gid", e->rid, uid ? "uid" : "gid", e->eid);
            field(t, "ids", num);
        }
        end(t);
        break;
    }
    case PEV_SID:
        begin(t, real, svc, e->tgid, "setsid");
        end(t);
        break;
    case PEV_PTRACE:
        begin(t, real, svc, e->tgid, "ptrace");
        if (t->json)
            buf_printf(&t->out, ",\"tracer\":%d", e->tracer);
        else if (e->tracer)
            buf_printf(&t->out, " attached by %d", e->tracer);
        else
            buf_puts(&t->out, " detached");
        end(t);
        break;
    case PEV_COMM:
        begin(t, real, svc, e->tgid, "comm");
        field(t, "comm", e->comm);
        end(t);
        break;
    case PEV_COREDUMP:
        begin(t, real, svc, e->tgid, "coredump");
        end(t);
        break;
    default: break;
    }
}

/* -p PID: PID and what descends from it now; what is born below them later joins at its fork */
static void mark_tree(struct trace *t)
{
    struct proc_snapshot snap;
    if (proc_snapshot_read(t->procfd, &snap) < 0)
        return;
    pmap_add(&t->map, t->root)->in_tree = true;
    for (bool more = true; more;) {
        more = false;
        for (size_t i = 0; i < snap.n; i++) {
            const struct proc_stat *s = &snap.procs[i];
            struct pinfo *parent = pmap_find(&t->map, s->ppid);
            struct pinfo *me = pmap_find(&t->map, s->pid);
            if (parent && parent->in_tree && !(me && me->in_tree)) {
                pmap_add(&t->map, s->pid)->in_tree = true;
                more = true;
            }
        }
    }
    proc_snapshot_free(&snap);
}

static int usage(FILE *f, int code)
{
    fprintf(f, "usage: oya trace [NAME...] [-p PID] [--json] [--source=kernel|oya]\n"
               "Processes being born and dying, live: fork, exec, exit (status or signal, and lifetime),\n"
               "setsid, uid/gid and comm changes, ptrace, core dumps, each with its oya service.\n"
               "  NAME...          only the processes of these services\n"
               "  -p, --pid PID    only PID and what descends from it\n"
               "  --json           one JSON object per event\n"
               "  --source=SOURCE  kernel: the process events connector (root, the machine's initial\n"
               "                   namespaces); oya: the running oya's own events (what it starts, reaps,\n"
               "                   signals). By default the kernel where it may be used, else oya.\n"
               "Ends on SIGINT or SIGTERM, saying how many events it showed and lost.\n");
    return code;
}

int cli_trace(struct cli *c, int argc, char **argv)
{
    struct trace t = {.c = c, .procfd = -1, .st = {.fd = -1}};
    const char *source = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            strv_clear(&t.want);
            return usage(stdout, 0);
        } else if (!strcmp(a, "--json")) {
            t.json = true;
        } else if ((!strcmp(a, "-p") || !strcmp(a, "--pid")) && i + 1 < argc) {
            if (!str_to_int(argv[++i], &t.root) || t.root <= 0) {
                fprintf(stderr, "oya trace: %s is not a PID\n", argv[i]);
                strv_clear(&t.want);
                return 2;
            }
        } else if (str_startswith(a, "--source=")) {
            source = a + 9;
            if (strcmp(source, "kernel") != 0 && strcmp(source, "oya") != 0) {
                fprintf(stderr, "oya trace: --source is kernel or oya, not '%s'\n", source);
                strv_clear(&t.want);
                return 2;
            }
        } else if (a[0] == '-') {
            fprintf(stderr, "oya trace: unknown option %s\n", a);
            strv_clear(&t.want);
            return usage(stderr, 2);
        } else {
            strv_push(&t.want, str_endswith(a, ".service") ? xstrndup(a, strlen(a) - 8) : xstrdup(a));
        }
    }
    t.procfd = proc_open_root();
    t.hz = proc_clock_ticks();
    struct timespec boot;
    clock_gettime(CLOCK_BOOTTIME, &boot);
    t.boot_real = clock_real_usec() - ((uint64_t)boot.tv_sec * USEC_PER_SEC + (uint64_t)boot.tv_nsec / 1000);
    /* block the ending signals first: they are read from a signalfd, so no event is cut in two */
    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGPIPE);
    sigprocmask(SIG_BLOCK, &mask, &old);
    int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    int kfd = -1;
    struct buf kerr = {0};
    if (!source || !strcmp(source, "kernel"))
        kfd = proc_events_open(&kerr);
    if (kfd < 0 && source && !strcmp(source, "kernel")) {
        fprintf(stderr, "oya trace: %s\n", kerr.p);
        t.rc = 1;
        goto out;
    }
    t.kernel = kfd >= 0;
    /* the running oya: its services' processes now, and its events */
    char *fields[] = {"trace"};
    struct buf err = {0};
    memset(&t.rep, 0, sizeof(t.rep));
    if (ctl_stream_open(&t.st, c->socket, c->socket_private, fields, 1, &err) == 0) {
        t.sup_on = true;
        /* the first part (the services now) before any event: read until it is in */
        while (t.sup_on && !t.st.streaming)
            if (!sup_read(&t))
                break;
        if (t.st.streaming)
            fd_set_nonblock(t.st.fd);
        else if (t.rep.error)
            buf_printf(&err, "%s", t.rep.error);
    }
    if (!t.sup_on && !t.kernel) {
        if (kerr.p)
            fprintf(stderr, "oya trace: no source of events: not the kernel's (%s), and no running oya (%s)\n",
                    kerr.p, err.p ? err.p : "it did not answer");
        else
            fprintf(stderr, "oya trace: no running oya (%s)\n", err.p ? err.p : "it did not answer");
        buf_free(&err);
        t.rc = 1;
        goto out;
    }
    if (t.want.n && !t.sup_on)
        fprintf(stderr, "oya trace: no running oya (%s): no process belongs to a service\n",
                err.p ? err.p : "it did not answer");
    buf_free(&err);
    if (t.root)
        mark_tree(&t);
    t.mono_to_real = (int64_t)clock_real_usec() - (int64_t)clock_mono_usec();
    fprintf(stderr, "oya trace: source: %s%s\n",
            t.kernel ? "the kernel's process events connector" : "the running oya's own events (",
            t.kernel ? (t.sup_on ? ", and the running oya's" : "") : "what it starts, reaps and signals)");
    if (!t.kernel && kerr.p)
        fprintf(stderr, "oya trace: (the kernel's would see every process: %s)\n", kerr.p);
    /* the kernel sends one datagram per event: up to BATCH of them per recvmmsg */
    enum { BATCH = 64, DGRAM = 1024 };
    static struct proc_ev evs[8];
    static uint32_t last_seq[MAX_CPUS];
    static unsigned char data[BATCH][DGRAM] __attribute__((aligned(8)));
    struct mmsghdr msgs[BATCH];
    uint64_t window_start = 0, window_events = 0, flush_by = 0;
    struct iovec iov[BATCH];
    for (bool going = true; going;) {
        /* output goes out in blocks: at 16 KiB, or 100 ms after its first line (a line is at most that late) */
        uint64_t now = clock_mono_usec();
        if (t.out.len && !flush_by)
            flush_by = now + 100 * USEC_PER_MSEC;
        if (t.out.len && (t.out.len >= 16384 || now >= flush_by)) {
            if (fd_write_all(1, t.out.p, t.out.len) < 0)
                break; /* the reader went away */
            t.out.len = 0;
            flush_by = 0;
        }
        int timeout = t.out.len ? (int)((flush_by - now + 999) / 1000) : -1;
        struct pollfd pf[3] = {{.fd = sigfd, .events = POLLIN}, {.fd = kfd, .events = POLLIN},
                               {.fd = t.sup_on ? t.st.fd : -1, .events = POLLIN}};
        int ready = poll(pf, 3, timeout);
        if (ready < 0 && errno != EINTR)
            break;
        if (ready <= 0)
            continue;
        if (pf[0].revents) {
            struct signalfd_siginfo si; /* taken, so that it is not delivered once the mask is restored */
            if (read(sigfd, &si, sizeof(si)) < 0 && errno == EINTR)
                continue;
            break;
        }
        if (pf[1].revents) {
            for (int round = 0; round < 64; round++) {
                for (int i = 0; i < BATCH; i++) {
                    iov[i] = (struct iovec){.iov_base = data[i], .iov_len = DGRAM};
                    msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
                }
                int got = recvmmsg(kfd, msgs, BATCH, MSG_DONTWAIT, NULL);
                if (got < 0 && errno == ENOBUFS) {
                    /* the socket's buffer overflowed: the per-CPU sequence numbers say how many */
                    begin(&t, clock_real_usec(), NULL, 0, "lost");
                    if (!t.json)
                        buf_puts(&t.out, " events: the kernel's buffer for this reader overflowed (counted below)");
                    end(&t);
                    continue;
                }
                if (got <= 0)
                    break;
                for (int i = 0; i < got; i++) {
                    uint64_t lost = 0;
                    size_t m = proc_events_parse(data[i], msgs[i].msg_len, evs, 8, last_seq, MAX_CPUS, &lost);
                    if (lost) {
                        t.lost += lost;
                        begin(&t, clock_real_usec(), NULL, 0, "lost");
                        field_int(&t, "count", (long long)lost, " %lld events (the kernel's buffer overflowed)");
                        end(&t);
                    }
                    for (size_t k = 0; k < m; k++)
                        on_kernel(&t, &evs[k]);
                }
                if (got < BATCH)
                    break;
            }
            /* a storm (over 500 events a second): wake once a millisecond, not once an event. Each wakeup
             * of this reader costs the processes making the events more than reading them does; a quiet
             * machine's events are still read at once, while their command lines can be */
            uint64_t now = clock_mono_usec();
            if (now - window_start > 100 * USEC_PER_MSEC) {
                window_start = now;
                window_events = t.seen;
            } else if (t.seen - window_events > 50) {
                struct timespec nap = {0, 1000000};
                nanosleep(&nap, NULL);
            }
        }
        /* after the kernel's: an exit is in the kernel's queue before oya can reap it */
        if (pf[2].revents && t.sup_on && !sup_read(&t) && !t.kernel) {
            fprintf(stderr, "oya trace: the running oya went away\n");
            going = false;
        }
    }
    if (t.out.len)
        fd_write_all(1, t.out.p, t.out.len);
    fprintf(stderr, "oya trace: %llu events shown, %llu lost\n", (unsigned long long)t.events,
            (unsigned long long)t.lost);
out:
    if (kfd >= 0)
        close(kfd);
    struct buf e = {0};
    ctl_stream_close(&t.st, &e); /* (nothing to say: the trace is over) */
    buf_free(&e);
    ctl_reply_free(&t.rep);
    if (sigfd >= 0)
        close(sigfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (t.procfd >= 0)
        close(t.procfd);
    free(t.map.v);
    strv_clear(&t.svcs);
    strv_clear(&t.want);
    buf_free(&t.out);
    buf_free(&kerr);
    return t.rc;
}
