/* sup/track: which processes belong to a service, and signalling them without ever hitting a
 * recycled PID. A service's processes are: its main process, every process of the session the main
 * process created, every process adopted by oya (as subreaper) that carries the service's
 * INVOCATION_ID in its environment (a daemon that double-forked and called setsid), every process a
 * forking start claimed (adopted while its start command ran: one that also cleared its environment),
 * an adopted process whose environment cannot be read or holds no INVOCATION_ID when it runs as the user
 * of exactly one running non-root service, and all their descendants. */
#include "sup_int.h"

#include "../exec/exec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* (id, service index) pairs, sorted by id for bsearch */
struct id_owner {
    int id, svc;
};

static int cmp_id_owner(const void *a, const void *b)
{
    const struct id_owner *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int owner_by_id(const struct id_owner *v, size_t n, int id)
{
    struct id_owner key = {id, -1};
    const struct id_owner *hit = id > 0 && n ? bsearch(&key, v, n, sizeof(*v), cmp_id_owner) : NULL;
    return hit ? hit->svc : -1;
}

struct inv_owner {
    const char *inv;
    int svc;
};

static int cmp_inv_owner(const void *a, const void *b)
{
    return strcmp(((const struct inv_owner *)a)->inv, ((const struct inv_owner *)b)->inv);
}

/* What direct_owner looks processes up in, built once per ownership pass */
struct owner_index {
    struct id_owner *pids, *sids, *csids, *claimed, *uids;
    size_t npids, nsids, ncsids, nclaimed, nuids;
    struct inv_owner *invs;
    size_t ninvs;
};

static void owner_index_free(struct owner_index *x);

/* 0, or -ENOMEM (x freed) */
static int owner_index_build(const struct sup *s, struct owner_index *x)
{
    size_t n = s->nsvcs ? s->nsvcs : 1;
    *x = (struct owner_index){0};
    x->pids = mem_zalloc(2 * n, sizeof(*x->pids));
    x->sids = mem_zalloc(2 * n, sizeof(*x->sids));
    x->csids = mem_zalloc(n, sizeof(*x->csids));
    x->invs = mem_zalloc(n, sizeof(*x->invs));
    x->uids = mem_zalloc(n, sizeof(*x->uids));
    size_t nclaims = 0;
    for (size_t i = 0; i < s->nsvcs; i++)
        nclaims += s->svcs[i]->nclaims;
    x->claimed = mem_zalloc(nclaims, sizeof(*x->claimed));
    if (!x->pids || !x->sids || !x->csids || !x->invs || !x->uids || !x->claimed) {
        owner_index_free(x);
        return -ENOMEM;
    }
    for (size_t i = 0; i < s->nsvcs; i++) {
        const struct service *svc = s->svcs[i];
        int k = (int)i;
        for (size_t c = 0; c < svc->nclaims; c++)
            x->claimed[x->nclaimed++] = (struct id_owner){svc->claims[c].pid, k};
        if (svc->st.main_pid > 0)
            x->pids[x->npids++] = (struct id_owner){svc->st.main_pid, k};
        if (svc->st.control_pid > 0)
            x->pids[x->npids++] = (struct id_owner){svc->st.control_pid, k};
        if (svc->sid > 0)
            x->sids[x->nsids++] = (struct id_owner){svc->sid, k};
        if (svc->control_sid > 0)
            x->csids[x->ncsids++] = (struct id_owner){svc->control_sid, k};
        if (svc->invocation[0])
            x->invs[x->ninvs++] = (struct inv_owner){svc->invocation, k};
        if (svc->run_uid && svc->st.state != SVC_DEAD && svc->st.state != SVC_FAILED)
            x->uids[x->nuids++] = (struct id_owner){(int)svc->run_uid, k};
    }
    qsort(x->pids, x->npids, sizeof(*x->pids), cmp_id_owner);
    qsort(x->sids, x->nsids, sizeof(*x->sids), cmp_id_owner);
    qsort(x->csids, x->ncsids, sizeof(*x->csids), cmp_id_owner);
    qsort(x->invs, x->ninvs, sizeof(*x->invs), cmp_inv_owner);
    qsort(x->claimed, x->nclaimed, sizeof(*x->claimed), cmp_id_owner);
    /* a user that several services run as tells nothing: drop it */
    qsort(x->uids, x->nuids, sizeof(*x->uids), cmp_id_owner);
    size_t kept = 0;
    for (size_t i = 0; i < x->nuids;) {
        size_t j = i;
        while (j < x->nuids && x->uids[j].id == x->uids[i].id)
            j++;
        if (j - i == 1)
            x->uids[kept++] = x->uids[i];
        i = j;
    }
    x->nuids = kept;
    return 0;
}

static void owner_index_free(struct owner_index *x)
{
    free(x->pids);
    free(x->sids);
    free(x->csids);
    free(x->invs);
    free(x->claimed);
    free(x->uids);
}

/* Did svc claim this very process (the PID, and the start time it had then)? */
static bool claimed_by(const struct service *svc, const struct proc_stat *p)
{
    for (size_t i = 0; i < svc->nclaims; i++)
        if (svc->claims[i].pid == p->pid && svc->claims[i].starttime == p->starttime)
            return true;
    return false;
}

/* Who a process is by itself, without its ancestors: a main or control process, in a service's session
 * (or its main process's group), oya init's child, or an orphan adopted by oya carrying a service's
 * INVOCATION_ID. */
static int direct_owner(struct sup *s, const struct owner_index *x, const struct proc_stat *p)
{
    int o = owner_by_id(x->pids, x->npids, p->pid);
    if (o < 0)
        o = owner_by_id(x->sids, x->nsids, p->session);
    if (o < 0)
        o = owner_by_id(x->sids, x->nsids, p->pgrp);
    if (o < 0)
        o = owner_by_id(x->csids, x->ncsids, p->session); /* ExecStartPre=, ExecStop=, ... and theirs */
    if (o >= 0 || p->ppid != s->self_pid)
        return o;
    if (s->init)
        return s->nsvcs ? 0 : -1; /* oya init: everything below oya belongs to the one command */
    o = owner_by_id(x->claimed, x->nclaimed, p->pid);
    if (o >= 0 && claimed_by(s->svcs[o], p))
        return o;
    char inv[64];
    if (x->ninvs && proc_environ_get(s->procfd, p->pid, "INVOCATION_ID", inv, sizeof(inv)) == 0) {
        struct inv_owner key = {inv, -1};
        const struct inv_owner *hit = bsearch(&key, x->invs, x->ninvs, sizeof(*x->invs), cmp_inv_owner);
        return hit ? hit->svc : -1;
    }
    /* no INVOCATION_ID to read: the daemon cleared its environment, or oya may not read it (another
     * user's process, and no CAP_SYS_PTRACE, as in Docker). Its user then tells, if exactly one running
     * service runs as that user (not root): rabbitmq's epmd, started by beam.smp as User=rabbitmq */
    char name[16];
    struct stat st;
    snprintf(name, sizeof(name), "%d", p->pid);
    if (x->nuids && fstatat(s->procfd, name, &st, 0) == 0 && st.st_uid != 0)
        return owner_by_id(x->uids, x->nuids, (int)st.st_uid);
    return -1;
}

/* With cgroups, a service's processes are those of its cgroup: mark them in own (-1 elsewhere). False
 * when a service that may have processes has no cgroup to read: then /proc tells (below). */
static bool owners_by_cgroup(struct sup *s, const struct proc_snapshot *snap, int *own)
{
    if (s->cg_fd < 0)
        return false;
    for (size_t i = 0; i < snap->n; i++)
        own[i] = -1;
    for (size_t k = 0; k < s->nsvcs; k++) {
        const struct service *svc = s->svcs[k];
        int *pids;
        ssize_t m = sup_cgroup_pids(svc, &pids);
        if (m < 0) {
            if (svc->st.main_pid || svc->st.control_pid || svc->sid || svc->control_sid)
                return false; /* a service running outside a cgroup of its own */
            continue;
        }
        for (ssize_t j = 0; j < m; j++) {
            const struct proc_stat *p = proc_snapshot_find(snap, pids[j]);
            if (p)
                own[p - snap->procs] = (int)k;
        }
        free(pids);
    }
    return true;
}

int *sup_owners(struct sup *s, const struct proc_snapshot *snap)
{
    size_t n = snap->n;
    int *own = mem_zalloc(n, sizeof(int));
    if (!own)
        return NULL;
    if (owners_by_cgroup(s, snap, own))
        return own;
    unsigned char *done = mem_zalloc(n, 1);
    size_t *path = mem_zalloc(n, sizeof(size_t));
    struct owner_index x;
    if (!done || !path || owner_index_build(s, &x) < 0) {
        free(done);
        free(path);
        free(own);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const struct proc_stat *p = &snap->procs[i];
        own[i] = p->pid == s->self_pid ? -1 : direct_owner(s, &x, p);
        done[i] = own[i] >= 0 || p->pid == s->self_pid;
    }
    /* the rest take their nearest owned ancestor's owner (never through oya itself): each process is
     * settled once, so this is linear in the number of processes */
    for (size_t i = 0; i < n; i++) {
        size_t depth = 0, at = i;
        int found = -1;
        while (!done[at]) {
            path[depth++] = at;
            done[at] = 2; /* on the current path: a cycle (a PID reused mid-scan) ends here */
            const struct proc_stat *parent = proc_snapshot_find(snap, snap->procs[at].ppid);
            if (!parent)
                break;
            at = (size_t)(parent - snap->procs);
        }
        if (done[at] == 1)
            found = own[at];
        for (size_t k = 0; k < depth; k++) {
            own[path[k]] = found;
            done[path[k]] = 1;
        }
    }
    owner_index_free(&x);
    free(path);
    free(done);
    return own;
}

int sup_scan_owners(struct sup *s, struct proc_snapshot *snap, int **owner)
{
    int r = proc_snapshot_read(s->procfd, snap);
    if (r < 0)
        return r;
    *owner = sup_owners(s, snap);
    if (!*owner) {
        proc_snapshot_free(snap);
        return -ENOMEM;
    }
    return 0;
}

ssize_t sup_members(struct sup *s, const struct service *svc, const struct proc_snapshot *snap, int **pids)
{
    int *own = sup_owners(s, snap);
    *pids = own ? mem_zalloc(snap->n, sizeof(int)) : NULL;
    if (!*pids) {
        free(own);
        return -ENOMEM;
    }
    ssize_t n = 0;
    for (size_t i = 0; i < snap->n; i++)
        if (own[i] == (int)svc->index)
            (*pids)[n++] = snap->procs[i].pid;
    free(own);
    return n;
}

struct service *sup_owner_of(struct sup *s, const struct proc_snapshot *snap, int pid)
{
    const struct proc_stat *p = proc_snapshot_find(snap, pid);
    if (!p)
        return NULL;
    int *own = sup_owners(s, snap);
    int o = own ? own[p - snap->procs] : -1; /* out of memory: nobody's, as a process gone */
    free(own);
    return o >= 0 ? s->svcs[o] : NULL;
}

bool sup_is_member(struct sup *s, const struct service *svc, const struct proc_snapshot *snap, int pid)
{
    return sup_owner_of(s, snap, pid) == svc;
}

uint64_t sup_now_ticks(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    uint64_t hz = (uint64_t)proc_clock_ticks();
    return (uint64_t)ts.tv_sec * hz + (uint64_t)ts.tv_nsec / (1000000000u / hz);
}

/* Was a process born at ticks t while svc's forking start command ran (a tick of slack at the end) */
static bool born_in_start(const struct service *svc, uint64_t t)
{
    const struct svc *st = &svc->st;
    return svc->unit->type == UNIT_FORKING && st->state == SVC_START && svc->start_ticks && t >= svc->start_ticks &&
           (!svc->start_end_ticks || t <= svc->start_end_ticks + 1);
}

/* A start run as a user other than root claims only processes of that user: it cannot have made others
 * (short of a set-user-ID program), and must not be handed a root process born at the same moment */
static bool runs_as(struct sup *s, const struct service *svc, int pid)
{
    char name[16];
    struct stat st;
    snprintf(name, sizeof(name), "%d", pid);
    return svc->start_uid == 0 || (fstatat(s->procfd, name, &st, 0) == 0 && st.st_uid == svc->start_uid);
}

static bool is_helper(const struct sup *s, int pid)
{
    for (size_t i = 0; i < s->nhelpers; i++)
        if (s->helpers[i] == pid)
            return true;
    return false;
}

struct service *sup_by_pid(const struct sup *s, int pid, bool *is_main)
{
    for (size_t i = 0; pid > 0 && i < s->nsvcs; i++) {
        struct service *svc = s->svcs[i];
        if (svc->st.main_pid == pid || svc->st.control_pid == pid) {
            if (is_main)
                *is_main = svc->st.main_pid == pid;
            return svc;
        }
    }
    return NULL;
}

void sup_claim_adopted(struct sup *s, struct service *svc)
{
    struct proc_snapshot snap;
    if (s->init || !svc->start_ticks || proc_snapshot_read(s->procfd, &snap) < 0)
        return;
    int *own = sup_owners(s, &snap);
    for (size_t i = 0; own && i < snap.n; i++) {
        const struct proc_stat *p = &snap.procs[i];
        const struct service *known = sup_by_pid(s, p->pid, NULL);
        /* one this service owns already is claimed too: the daemon may still be in the start command's
         * session, about to call setsid, and would be nobody's a moment later */
        if (p->ppid != s->self_pid || (own[i] >= 0 && own[i] != (int)svc->index) || is_helper(s, p->pid) ||
            !born_in_start(svc, p->starttime) || !runs_as(s, svc, p->pid) || claimed_by(svc, p) ||
            p->state == 'Z' || (known && known != svc))
            continue; /* (a zombie is in no cgroup's list: another service's start command not reaped yet) */
        /* born while another start ran too: its own only if its cgroup or INVOCATION_ID says so */
        const struct service *other = NULL;
        for (size_t k = 0; k < s->nsvcs && !other && own[i] != (int)svc->index; k++)
            if (s->svcs[k] != svc && born_in_start(s->svcs[k], p->starttime))
                other = s->svcs[k];
        if (other) {
            fprintf(stderr, "oya: %s: process %d appeared while the starts of %s and %s both ran; it is left to "
                            "neither (give the daemon a PIDFile=)\n", svc->unit->name, p->pid, svc->unit->name,
                    other->unit->name);
            continue;
        }
        struct claim *more = mem_grow(svc->claims, svc->nclaims + 1, sizeof(*svc->claims));
        if (!more) {
            fprintf(stderr, "oya: %s: out of memory: process %d, born in its start, is not claimed\n",
                    svc->unit->name, p->pid);
            continue;
        }
        svc->claims = more;
        svc->claims[svc->nclaims++] = (struct claim){p->pid, p->starttime};
    }
    free(own);
    proc_snapshot_free(&snap);
}

/* Signal one process that the snapshot saw: open a pidfd, then check the process behind it is still
 * the one seen (same start time), so a PID recycled since the scan is never signalled. */
int sup_pidfd_seen(struct sup *s, const struct proc_stat *seen)
{
    int fd = exec_pidfd_open(seen->pid);
    if (fd < 0)
        return fd;
    struct proc_stat now;
    if (proc_read_stat(s->procfd, seen->pid, &now) == 0 && now.starttime == seen->starttime)
        return fd;
    close(fd);
    return -ESRCH;
}

static int signal_seen(struct sup *s, const struct proc_stat *seen, int sig)
{
    int fd = sup_pidfd_seen(s, seen);
    if (fd < 0)
        return fd == -ENOSYS ? (kill(seen->pid, sig) == 0 ? 0 : -errno) : fd;
    int r = exec_signal(fd, seen->pid, sig);
    close(fd);
    return r;
}

static void signal_main(struct sup *s, struct service *svc, int sig)
{
    if (!svc->st.main_pid)
        return;
    if (exec_signal(svc->pidfd, svc->st.main_pid, sig) == 0 && s->ntracers)
        sup_trace(s, "signal", svc->st.main_pid, svc, signal_name(sig), (const char *)NULL);
    /* as systemd does: wake stopped processes so they can act on the signal */
    if (sig != SIGKILL && sig != SIGCONT)
        exec_signal(svc->pidfd, svc->st.main_pid, SIGCONT);
}

/* Every process a service started descends from its main process, and oya is the subreaper of them all:
 * once the main process is gone, each one left is a child of oya or below one. So when every child of oya
 * is the main process of a service, a service whose main process is gone has nothing left, and no scan
 * of /proc is needed (this keeps a restart after a crash at the cost of one small read). The list is read
 * from the main thread, the one that forks and the one orphans are given to; only oya reaps, so the list
 * cannot lose an entry while it is read (orphans are appended). Any doubt answers false. */
/* The PIDs a task's children file lists (/proc/PID/task/TID/children), appended to b as text. One
 * read with room for all of them: the kernel finds where a later read() starts by walking the list of
 * children from its head, so reading 10,000 children 16 KiB at a time walks it again for each piece,
 * and a short read already says the list has ended. */
static int read_children(struct sup *s, int pid, int tid, struct buf *b)
{
    char path[64];
    snprintf(path, sizeof(path), "%d/task/%d/children", pid, tid);
    int fd = openat(s->procfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t room = 8 * (2 * s->nsvcs + 1024); /* "PID " is at most 8 bytes */
    buf_reserve(b, room);
    ssize_t n;
    do {
        n = read(fd, b->p + b->len, room);
    } while (n < 0 && errno == EINTR);
    int r = n < 0 ? -errno : 0;
    if (n > 0) {
        b->len += (size_t)n;
        b->p[b->len] = 0;
    }
    if (n == (ssize_t)room)
        r = fd_read_to_buf(fd, b); /* more children than expected: read on to the end */
    close(fd);
    return r;
}

static bool only_main_children_read(struct sup *s);

bool sup_only_main_children(struct sup *s)
{
    /* which processes are main ones changes without a spawn or a reap too (MAINPID=, PIDFile=, a
     * machine letting go of its main process): that set is part of the key */
    uint64_t key = s->nsvcs;
    for (size_t i = 0; i < s->nsvcs; i++)
        key = key * 1000003u ^ (uint64_t)(unsigned)s->svcs[i]->st.main_pid;
    if (s->only_mains_gen != s->children_gen + 1 || s->only_mains_key != key) {
        s->only_mains = only_main_children_read(s);
        s->only_mains_gen = s->children_gen + 1;
        s->only_mains_key = key;
    }
    return s->only_mains;
}

static bool only_main_children_read(struct sup *s)
{
    if (!s->reaper)
        return false;
    struct buf b = {0};
    bool only = read_children(s, s->self_pid, s->self_pid, &b) == 0;
    /* the main PIDs in an open-addressing set (linear time to build, unlike a sort: this runs at every
     * stop, with as many main processes as services) */
    size_t cap = 16;
    while (cap < 2 * s->nsvcs)
        cap *= 2;
    int *set = mem_zalloc(cap, sizeof(int));
    if (!set || b.failed)
        only = false; /* out of memory: not known, so the slower way looks */
    for (size_t i = 0; set && i < s->nsvcs; i++) {
        int pid = s->svcs[i]->st.main_pid;
        size_t h = (size_t)pid * 2654435761u & (cap - 1);
        while (pid > 0 && set[h] && set[h] != pid)
            h = (h + 1) & (cap - 1);
        if (pid > 0)
            set[h] = pid;
    }
    buf_putc(&b, 0);
    for (const char *p = b.p; only && p && *p;) {
        while (*p == ' ')
            p++;
        int pid = 0;
        for (; *p >= '0' && *p <= '9'; p++)
            pid = pid * 10 + (*p - '0');
        if (!pid)
            break;
        size_t h = (size_t)pid * 2654435761u & (cap - 1);
        while (set[h] && set[h] != pid)
            h = (h + 1) & (cap - 1);
        only = set[h] == pid;
    }
    free(set);
    free(b.p);
    return only;
}

/* Is the service nothing but its main process? True when every child of oya is a main process (so no
 * orphan of this service was adopted) and the main process has no children of its own (in any of its
 * threads): then signalling the main process is signalling the whole service, with no /proc scan. A
 * stop of one of 10,000 services then costs a few small reads. */
static bool main_only(struct sup *s, const struct service *svc)
{
    if (!svc->st.main_pid || svc->st.control_pid || !sup_only_main_children(s))
        return false;
    char path[32];
    snprintf(path, sizeof(path), "%d/task", svc->st.main_pid);
    int fd = openat(s->procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    bool alone = true;
    struct buf b = {0};
    for (struct dirent *e; alone && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        b.len = 0;
        if (b.p)
            b.p[0] = 0;
        alone = read_children(s, svc->st.main_pid, atoi(e->d_name), &b) == 0 && !b.failed &&
                str_strip(b.p ? b.p : (char *)"")[0] == 0;
    }
    buf_free(&b);
    closedir(d);
    return alone;
}

/* Signal every process in the service's cgroup. Membership is the cgroup, and no /proc is read (oya's
 * /proc may even belong to another PID namespace): each PID is opened as a pidfd first and signalled only
 * if cgroup.procs still lists it afterwards, so a PID reused since the first read is never signalled.
 * The count signalled, or -1 when the service has no cgroup to read. */
static int kill_cgroup_members(struct sup *s, struct service *svc, int sig)
{
    int *pids, *now;
    ssize_t n = sup_cgroup_pids(svc, &pids);
    if (n < 0)
        return -1;
    int *fds = mem_zalloc((size_t)n, sizeof(int));
    if (!fds) {
        free(pids);
        return -1; /* out of memory: the caller signals by /proc, or the main process */
    }
    for (ssize_t i = 0; i < n; i++)
        fds[i] = pids[i] == svc->st.main_pid ? -1 : exec_pidfd_open(pids[i]);
    ssize_t m = sup_cgroup_pids(svc, &now);
    int count = 0;
    for (ssize_t i = 0; i < n; i++) {
        if (pids[i] == svc->st.main_pid) {
            signal_main(s, svc, sig);
            count++;
            continue;
        }
        bool member = false;
        for (ssize_t j = 0; j < m && !member; j++)
            member = now[j] == pids[i];
        /* without pidfds (before Linux 5.3) the PID itself, just checked to be a member */
        if (member && (fds[i] >= 0 || fds[i] == -ENOSYS) && exec_signal(fds[i], pids[i], sig) == 0) {
            count++;
            if (s->ntracers)
                sup_trace(s, "signal", pids[i], svc, signal_name(sig), (const char *)NULL);
            if (sig != SIGKILL && sig != SIGCONT)
                exec_signal(fds[i], pids[i], SIGCONT);
        }
        if (fds[i] >= 0)
            close(fds[i]);
    }
    free(fds);
    free(now);
    free(pids);
    return count;
}

int sup_kill(struct sup *s, struct service *svc, int sig, enum svc_kill_scope scope)
{
    if (scope == KILL_SCOPE_NONE || sig <= 0)
        return 0;
    if (sup_cgroup_frozen(svc) == 1)
        sup_cgroup_freeze(svc, false); /* as systemd: a frozen service is thawed to act on its signal */
    if (scope == KILL_SCOPE_MAIN) {
        signal_main(s, svc, sig);
        return svc->st.main_pid ? 1 : 0;
    }
    int populated = sup_cgroup_populated(svc); /* 1, 0, or -1 without a cgroup */
    if (sig == SIGKILL && scope == KILL_SCOPE_ALL && populated >= 0) {
        /* the whole cgroup at once, however its processes forked (cgroup.kill); its main by pidfd too */
        if (populated > 0 && sup_cgroup_kill(s, svc)) {
            signal_main(s, svc, sig);
            if (s->ntracers)
                sup_trace(s, "signal", 0, svc, "KILL", (const char *)NULL);
            return 1;
        }
        if (populated == 0)
            return 0;
    }
    if (populated == 0) { /* nothing left in its cgroup: no list to read */
        signal_main(s, svc, sig);
        return svc->st.main_pid ? 1 : 0;
    }
    int count = kill_cgroup_members(s, svc, sig);
    if (count >= 0)
        return count;
    if (svc->st.main_pid == 0 && sup_only_main_children(s))
        return 0;
    if (main_only(s, svc)) {
        signal_main(s, svc, sig);
        return svc->st.main_pid ? 1 : 0;
    }
    struct proc_snapshot snap;
    if (proc_snapshot_read(s->procfd, &snap) < 0) {
        signal_main(s, svc, sig);
        return 1;
    }
    int *pids;
    ssize_t n = sup_members(s, svc, &snap, &pids);
    if (n < 0) { /* out of memory: at least the main process, as when /proc cannot be read */
        proc_snapshot_free(&snap);
        signal_main(s, svc, sig);
        return 1;
    }
    count = 0;
    for (ssize_t i = 0; i < n; i++) {
        if (pids[i] == svc->st.main_pid) {
            signal_main(s, svc, sig);
            count++;
            continue;
        }
        const struct proc_stat *p = proc_snapshot_find(&snap, pids[i]);
        if (p && signal_seen(s, p, sig) == 0) {
            count++;
            if (s->ntracers)
                sup_trace(s, "signal", p->pid, svc, signal_name(sig), (const char *)NULL);
            if (sig != SIGKILL && sig != SIGCONT)
                signal_seen(s, p, SIGCONT);
        }
    }
    free(pids);
    proc_snapshot_free(&snap);
    return count;
}

/* Does the machine wait for the service's last process to go: a stop whose main and control processes are
 * gone, a forking service running without a known main process, or one whose start command returned
 * and whose PID file is still awaited (if the daemon died, nobody will write it). */
bool sup_awaits_empty_group(const struct service *svc)
{
    const struct svc *st = &svc->st;
    return ((st->state == SVC_STOP_SIGTERM || st->state == SVC_STOP_SIGKILL) && st->main_pid == 0 &&
            st->control_pid == 0) ||
           (st->state == SVC_RUNNING && st->main_unknown) ||
           (st->state == SVC_START && svc->unit->type == UNIT_FORKING && st->main_pid == 0 && st->control_pid == 0);
}

bool sup_group_empty(struct sup *s, const struct service *svc, struct group_check *g)
{
    int populated = sup_cgroup_populated(svc); /* its cgroup says, without a look at /proc */
    if (populated >= 0)
        return populated == 0;
    if (svc->st.main_pid == 0) {
        if (!g->children_read) {
            g->children_read = true;
            g->only_mains = sup_only_main_children(s);
        }
        if (g->only_mains)
            return true;
    }
    if (!g->scanned) {
        g->scanned = true;
        int r = sup_scan_owners(s, &g->snap, &g->owner);
        g->scan_ok = r == 0;
        if (r == -ENOMEM) { /* not known is not empty: looked at again in a moment (sup.c's retry) */
            g->oom = true;
            s->groups_recheck = true;
            s->retry_at = clock_mono_usec() + 100 * USEC_PER_MSEC;
        }
    }
    if (!g->scan_ok)
        return !g->oom;
    for (size_t i = 0; i < g->snap.n; i++)
        if (g->owner[i] == (int)svc->index)
            return false;
    return true;
}

void sup_group_check_done(struct group_check *g)
{
    if (g->scanned && g->scan_ok) {
        proc_snapshot_free(&g->snap);
        free(g->owner);
    }
}

/* After a reap: services waiting for their last process learn whether it is gone. One look at oya's
 * children, and at most one /proc scan, serve them all. */
void sup_check_groups(struct sup *s)
{
    struct group_check g = {0};
    for (size_t i = 0; i < s->nsvcs; i++) {
        struct service *svc = s->svcs[i];
        if (!sup_awaits_empty_group(svc) || !sup_group_empty(s, svc, &g))
            continue;
        sup_feed(s, svc, (struct sup_event){.kind = SUP_EV_GROUP_EMPTY});
    }
    sup_group_check_done(&g);
}

/* At shutdown: processes adopted by oya that no service claims (a daemon that cleared its
 * environment) still must not outlive oya. */
int sup_kill_strays(struct sup *s, int sig)
{
    struct proc_snapshot snap;
    if (proc_snapshot_read(s->procfd, &snap) < 0)
        return 0;
    int count = 0;
    for (size_t i = 0; i < snap.n; i++) {
        const struct proc_stat *p = &snap.procs[i];
        if (p->ppid == s->self_pid && p->state != 'Z' && signal_seen(s, p, sig) == 0)
            count++;
    }
    proc_snapshot_free(&snap);
    return count;
}
