/* sup/track: which processes belong to a service, and signalling them without ever hitting a
 * recycled PID. A service's processes are: its main process, every process of the session the main
 * process created, every process adopted by oya (as subreaper) that carries the service's
 * INVOCATION_ID in its environment (a daemon that double-forked and called setsid), and all their
 * descendants. */
#include "sup_int.h"

#include "../exec/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_other_main(const struct sup *s, const struct service *svc, int pid)
{
    for (size_t i = 0; i < s->nsvcs; i++)
        if (s->svcs[i] != svc && s->svcs[i]->st.main_pid == pid)
            return true;
    return false;
}

size_t sup_members(struct sup *s, const struct service *svc, const struct proc_snapshot *snap, int **pids)
{
    bool *in = xcalloc(snap->n ? snap->n : 1, sizeof(bool));
    char inv[64];
    snprintf(inv, sizeof(inv), "INVOCATION_ID=%s", svc->invocation);
    for (size_t i = 0; i < snap->n; i++) {
        const struct proc_stat *p = &snap->procs[i];
        if (p->pid == s->self_pid)
            continue;
        if (p->pid == svc->st.main_pid || (svc->sid > 0 && (p->session == svc->sid || p->pgrp == svc->sid)))
            in[i] = true;
        else if (p->pid == svc->st.control_pid || (svc->control_sid > 0 && p->session == svc->control_sid))
            in[i] = true; /* ExecStartPre=, ExecStop=, ... and what they started */
        else if (p->ppid == s->self_pid && s->init)
            in[i] = true; /* oya init: everything below oya belongs to the one command */
        else if (p->ppid == s->self_pid && svc->invocation[0] && !is_other_main(s, svc, p->pid) &&
                 proc_environ_has(s->procfd, p->pid, inv))
            in[i] = true;
    }
    /* descendants: repeat until nothing changes (a child can have a lower PID than its parent) */
    for (bool grew = true; grew;) {
        grew = false;
        for (size_t i = 0; i < snap->n; i++) {
            if (in[i] || snap->procs[i].pid == s->self_pid)
                continue;
            const struct proc_stat *parent = proc_snapshot_find(snap, snap->procs[i].ppid);
            if (parent && in[parent - snap->procs]) {
                in[i] = true;
                grew = true;
            }
        }
    }
    size_t n = 0;
    *pids = xcalloc(snap->n ? snap->n : 1, sizeof(int));
    for (size_t i = 0; i < snap->n; i++)
        if (in[i])
            (*pids)[n++] = snap->procs[i].pid;
    free(in);
    return n;
}

bool sup_is_member(struct sup *s, const struct service *svc, const struct proc_snapshot *snap, int pid)
{
    int *pids;
    size_t n = sup_members(s, svc, snap, &pids);
    bool in = false;
    for (size_t i = 0; i < n && !in; i++)
        in = pids[i] == pid;
    free(pids);
    return in;
}

/* Signal one process that the snapshot saw: open a pidfd, then check the process behind it is still
 * the one seen (same start time), so a PID recycled since the scan is never signalled. */
static int signal_seen(struct sup *s, const struct proc_stat *seen, int sig)
{
    int fd = exec_pidfd_open(seen->pid);
    if (fd < 0)
        return fd == -ENOSYS ? (kill(seen->pid, sig) == 0 ? 0 : -errno) : fd;
    struct proc_stat now;
    int r = -ESRCH;
    if (proc_read_stat(s->procfd, seen->pid, &now) == 0 && now.starttime == seen->starttime)
        r = exec_signal(fd, seen->pid, sig);
    close(fd);
    return r;
}

static void signal_main(struct service *svc, int sig)
{
    if (!svc->st.main_pid)
        return;
    exec_signal(svc->pidfd, svc->st.main_pid, sig);
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
bool sup_only_main_children(struct sup *s)
{
    if (!s->reaper)
        return false;
    char path[64];
    snprintf(path, sizeof(path), "%d/task/%d/children", s->self_pid, s->self_pid);
    int fd = openat(s->procfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct buf b = {0};
    int r = fd_read_to_buf(fd, &b);
    close(fd);
    bool only = r == 0;
    buf_putc(&b, 0);
    for (char *p = b.p, *end; only && *p;) {
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        p = end;
        bool known = false;
        for (size_t i = 0; i < s->nsvcs && !known; i++)
            known = s->svcs[i]->st.main_pid == pid;
        only = known;
    }
    free(b.p);
    return only;
}

int sup_kill(struct sup *s, struct service *svc, int sig, enum svc_kill_scope scope)
{
    if (scope == KILL_SCOPE_NONE || sig <= 0)
        return 0;
    if (svc->st.main_pid == 0 && sup_only_main_children(s))
        return 0;
    if (scope == KILL_SCOPE_MAIN) {
        signal_main(svc, sig);
        return svc->st.main_pid ? 1 : 0;
    }
    struct proc_snapshot snap;
    if (proc_snapshot_read(s->procfd, &snap) < 0) {
        signal_main(svc, sig);
        return 1;
    }
    int *pids;
    size_t n = sup_members(s, svc, &snap, &pids);
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        if (pids[i] == svc->st.main_pid) {
            signal_main(svc, sig);
            count++;
            continue;
        }
        const struct proc_stat *p = proc_snapshot_find(&snap, pids[i]);
        if (p && signal_seen(s, p, sig) == 0) {
            count++;
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
        g->scan_ok = proc_snapshot_read(s->procfd, &g->snap) == 0;
    }
    if (!g->scan_ok)
        return true;
    int *pids;
    size_t n = sup_members(s, svc, &g->snap, &pids);
    free(pids);
    return n == 0;
}

void sup_group_check_done(struct group_check *g)
{
    if (g->scanned && g->scan_ok)
        proc_snapshot_free(&g->snap);
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
        struct svc_actions a = {0};
        enum svc_state before = svc->st.state;
        svc_group_empty(&svc->st, svc->unit, clock_mono_usec(), clock_real_usec(), &a);
        sup_apply(s, svc, a, before);
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
