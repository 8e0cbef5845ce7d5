/* sup/apply: carrying out what a service's state machine decides. sup_feed is the one entry point of a
 * service's events (it reads the clocks once, feeds svc/, and applies the answer); sup_apply carries out
 * the actions: new invocations, spawns and their exec reports, finding a forking daemon's main process,
 * signals, cleanup. */
#include "sup_int.h"

#include "../exec/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void new_invocation_id(char out[33])
{
    unsigned char r[16];
    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
        uint64_t t = clock_mono_usec() ^ ((uint64_t)getpid() << 32);
        for (size_t i = 0; i < sizeof(r); i++)
            r[i] = (unsigned char)(t >> ((i % 8) * 8)) ^ (unsigned char)i;
    }
    for (size_t i = 0; i < sizeof(r); i++)
        snprintf(out + 2 * i, 3, "%02x", r[i]);
}

static void release_main(struct sup *s, struct service *svc)
{
    sup_epoll_close(s, &svc->pidfd);
}

/* The command a spawn of this list runs (cmd_index of the list) */
static const struct exec_cmd *current_cmd(const struct service *svc, enum unit_exec list)
{
    const struct exec_list *l = &svc->unit->exec[list];
    return l->n ? &l->v[svc->st.cmd_index < l->n ? svc->st.cmd_index : 0] : NULL;
}

/* A step skipped for want of a privilege (OOMScoreAdjust= in a container) is said once per service, not
 * for every command it runs: it is the same every time */
static bool first_warning(struct service *svc, unsigned step)
{
    uint64_t bit = step < 64 ? 1ull << step : 0;
    bool first = !(svc->warned_steps & bit);
    svc->warned_steps |= bit;
    return first;
}

/* `oya trace`: the main process's exec went through; its command line as the kernel now has it */
static void trace_exec(struct sup *s, struct service *svc)
{
    struct buf cmd = {0};
    char exe[64], path[4096] = "";
    snprintf(exe, sizeof(exe), "%d/exe", svc->st.main_pid);
    ssize_t n = readlinkat(s->procfd, exe, path, sizeof(path) - 1);
    path[n > 0 ? n : 0] = 0;
    if (proc_read_cmdline_raw(s->procfd, svc->st.main_pid, &cmd) > 0)
        for (size_t i = 0; i + 1 < cmd.len; i++)
            if (!cmd.p[i])
                cmd.p[i] = ' ';
    sup_trace(s, "exec", svc->st.main_pid, svc, path, cmd.p ? cmd.p : "", (const char *)NULL);
    buf_free(&cmd);
}

/* Read an exec report up to its outcome (see exec_read_report), saying each kind of warning once */
static int report_outcome(struct service *svc, int fd, const char *what, char *msg, size_t size)
{
    int r;
    unsigned step;
    while ((r = exec_read_report(fd, msg, size, &step)) == 2)
        if (first_warning(svc, step))
            fprintf(stderr, "oya: %s: %s%s\n", svc->unit->name, what, msg);
    return r;
}

void sup_read_report(struct sup *s, struct service *svc)
{
    if (svc->report_fd < 0)
        return;
    char msg[400];
    int r = report_outcome(svc, svc->report_fd, "", msg, sizeof(msg));
    if (r == -EAGAIN)
        return;
    if (r == 1)
        snprintf(svc->exec_error, sizeof(svc->exec_error), "%s: %s", current_cmd(svc, UEXEC_START)->path, msg);
    svc->exec_pending = false;
    sup_epoll_close(s, &svc->report_fd);
    if (r == 0) {
        if (s->ntracers)
            trace_exec(s, svc);
        sup_feed(s, svc, (struct sup_event){.kind = SUP_EV_EXEC_OK});
    }
}

/* A control process ended: its exec report (if exec failed) is in the pipe by now. */
static void read_control_report(struct service *svc)
{
    if (svc->control_report_fd < 0)
        return;
    char msg[400], what[64];
    snprintf(what, sizeof(what), "%s=: ", unit_exec_name(svc->st.control_list));
    int r = report_outcome(svc, svc->control_report_fd, what, msg, sizeof(msg));
    if (r == 1)
        snprintf(svc->exec_error, sizeof(svc->exec_error), "%s=%s: %s", unit_exec_name(svc->st.control_list),
                 current_cmd(svc, svc->st.control_list)->path, msg);
    fd_close(&svc->control_report_fd);
}

/* A start begins: a new INVOCATION_ID, and the directories the unit asks for. */
static bool begin_invocation(struct sup *s, struct service *svc)
{
    new_invocation_id(svc->invocation);
    sup_previous_record(s, svc);
    svc->exec_error[0] = 0;
    strv_clear(&svc->start_env);
    free(svc->claims);
    svc->claims = NULL;
    svc->nclaims = 0;
    svc->start_ticks = svc->start_end_ticks = 0;
    sup_journal_open(s, svc);
    struct buf err = {0};
    int r = sup_dirs_create(svc->unit, &svc->start_env, &err);
    if (r < 0)
        snprintf(svc->exec_error, sizeof(svc->exec_error), "%s", err.p);
    buf_free(&err);
    return r == 0;
}

static void spawn(struct sup *s, struct service *svc, enum unit_exec list, bool main, struct svc_actions *next)
{
    const struct unit *u = svc->unit;
    const struct exec_cmd *cmd = current_cmd(svc, list);
    /* stdout and stderr each through a pipe of their own, so the log tells them apart */
    int out[2] = {-1, -1}, errp[2] = {-1, -1};
    /* a pipe that cannot be made or watched fails the start (never output silently lost, never a pipe
     * nobody reads: the service would block once it is full) */
    const char *why = NULL;
    int err_no = 0;
    if (!s->init && pipe2(out, O_CLOEXEC) < 0)
        why = "cannot make the pipe for its output", err_no = errno;
    else if (!s->init && u->std_error == OUT_LOG && pipe2(errp, O_CLOEXEC) < 0)
        why = "cannot make the pipe for its output", err_no = errno;
    else if (out[0] >= 0 && (err_no = -sup_relay_open(s, svc, out[0], LOG_OUT)) > 0)
        why = "cannot watch its output pipe", fd_close(&out[0]);
    else if (errp[0] >= 0 && (err_no = -sup_relay_open(s, svc, errp[0], LOG_ERR)) > 0)
        why = "cannot watch its output pipe", fd_close(&errp[0]);
    if (why) {
        fd_close(&out[1]);
        fd_close(&errp[1]);
        fd_close(&errp[0]); /* one not handed to a relay yet; one that was ends at its EOF */
        snprintf(svc->exec_error, sizeof(svc->exec_error), "%s: %s (status=209/STDOUT)", why, strerror(err_no));
        fprintf(stderr, "oya: %s: cannot start %s: %s\n", u->name, cmd->path, svc->exec_error);
        svc_spawn_failed(&svc->st, u, main, clock_mono_usec(), clock_real_usec(), next);
        return;
    }
    struct strv env = {0};
    for (size_t i = 0; i < svc->start_env.n; i++)
        strv_add(&env, svc->start_env.v[i]);
    if (!main && svc->st.main_pid) {
        char m[32];
        snprintf(m, sizeof(m), "MAINPID=%d", svc->st.main_pid);
        strv_add(&env, m);
    }
    struct exec_request req = {.unit = u, .cmd = cmd, .invocation_id = svc->invocation, .output_fd = out[1],
                               .error_fd = errp[1], .extra_env = &env, .cgroup_fd = -1};
    if (s->cg_fd >= 0) {
        int cg = sup_cgroup_open(s, svc);
        if (cg < 0 && cg != -ENOTSUP && !svc->cg_fd_warned) {
            svc->cg_fd_warned = true;
            fprintf(stderr, "oya: %s: cannot make its cgroup (%s): tracked by /proc instead\n", u->name, strerror(-cg));
        }
        req.cgroup_fd = cg;
        req.cgroup_by_move = svc->cg_killed;
    }
    if (u->notify_access != NOTIFY_NONE && s->notify_name[0])
        req.notify_socket = s->notify_name;
    req.nofile_soft = s->nofile_soft;
    req.parent_ignored = &s->ignored_now;
    req.launches = &s->launches;
    req.watchdog_usec = main && svc->st.watchdog_usec != USEC_INFINITY ? svc->st.watchdog_usec : 0;
    if (s->init) {
        /* oya init passes its terminal, output, signal mask and ignored signals straight through, and
         * runs a script without #! through /bin/sh, as tini does (execvp's rule) */
        req.invocation_id = NULL;
        req.inherit_stdio = req.process_group = req.take_terminal = true;
        req.sigmask = &s->orig_mask;
        req.sigignore = &s->orig_ignored;
        req.sh_fallback = true;
    }
    struct exec_child child;
    struct buf err = {0};
    /* what must be noted once it runs is given room first: a started process oya cannot follow is worse
     * than one not started */
    bool oom = env.failed || sup_notify_room(s) < 0;
    int r = oom ? -ENOMEM : exec_spawn(&req, &child, &err);
    if (oom)
        buf_printf(&err, "out of memory while preparing %s", cmd->path);
    strv_clear(&env);
    fd_close(&out[1]); /* the relays see EOF once the child has let its copies go */
    fd_close(&errp[1]);
    if (r < 0) {
        snprintf(svc->exec_error, sizeof(svc->exec_error), "%s", err.p ? err.p : strerror(-r));
        buf_free(&err);
        /* said, but not once per attempt: a crash loop that cannot fork must not flood the log */
        unsigned held;
        if (ratelimit_pass(&svc->spawn_fail_log, clock_mono_usec(), 5 * USEC_PER_SEC, 3, &held))
            fprintf(stderr, "oya: %s: cannot start %s: %s (%u more failures not shown before this one)\n",
                    u->name, cmd->path, svc->exec_error, held);
        svc_spawn_failed(&svc->st, u, main, clock_mono_usec(), clock_real_usec(), next);
        return;
    }
    buf_free(&err);
    s->children_gen++;
    sup_notify_allow_uid(s, child.uid);
    if (main) {
        sup_epoll_close(s, &svc->pidfd);
        sup_epoll_close(s, &svc->report_fd);
        /* oya's own child: its PID cannot be reused before oya reaps it, and its exit comes as SIGCHLD,
         * so no pidfd is kept (one fd less per service; 10,000 services fit in 20,000 fds). A main
         * process that is not oya's child (MAINPID=, PIDFile=) is held by pidfd (sup_watch_main). */
        if (child.pidfd >= 0)
            close(child.pidfd);
        svc->pidfd = -1;
        svc->report_fd = child.err_fd;
        fd_set_nonblock(svc->report_fd);
        svc->exec_pending = true;
        int w = sup_epoll_add(s, svc->report_fd, EPOLLIN, &svc->report_w);
        if (w < 0) { /* a start oya cannot follow is not left running blind: it ends, said, as a failure */
            snprintf(svc->exec_error, sizeof(svc->exec_error), "cannot watch its start (%s); killed", strerror(-w));
            fprintf(stderr, "oya: %s: %s\n", u->name, svc->exec_error);
            kill(child.pid, SIGKILL);
        }
        svc->sid = child.pid;
        svc->run_uid = child.uid;
    } else {
        /* a control process is oya's child until it is reaped: its PID cannot be reused before */
        if (child.pidfd >= 0)
            close(child.pidfd);
        fd_close(&svc->control_report_fd);
        svc->control_report_fd = child.err_fd;
        svc->control_sid = child.pid;
        struct proc_stat st;
        if (list == UEXEC_START && proc_read_stat(s->procfd, child.pid, &st) == 0) {
            svc->start_ticks = st.starttime; /* a forking start: what it leaves behind is born from now */
            svc->start_end_ticks = 0;
            svc->start_uid = child.uid;
        }
    }
    if (s->ntracers)
        sup_trace_argv(s, "spawn", child.pid, svc, main ? "main" : unit_exec_name(list), cmd->argv.v);
    svc_spawned(&svc->st, u, child.pid, main, clock_mono_usec(), clock_real_usec(), next);
    if (main && u->type == UNIT_DBUS && !sup_bus_wait_name(s, svc))
        svc_bus_name_owned(&svc->st, u, clock_mono_usec(), clock_real_usec(), next);
}

int sup_watch_main(struct sup *s, struct service *svc, int pid)
{
    int fd = exec_pidfd_open(pid);
    if (fd < 0 && fd != -ENOSYS)
        return fd; /* gone already */
    sup_epoll_close(s, &svc->pidfd);
    svc->pidfd = fd;
    int r = fd >= 0 ? sup_epoll_add(s, fd, EPOLLIN, &svc->pidfd_w) : 0;
    if (r < 0)
        fprintf(stderr, "oya: %s: cannot watch main process %d (%s): its end is seen only if oya reaps it\n",
                svc->unit->name, pid, strerror(-r));
    return 0;
}

/* PIDFile= named pid: believed if the file is trusted (root's, reached through root's directories), else
 * only if pid is one of the service's own processes; never oya itself. A refusal is said once per PID.
 * *member says whether it is one of the service's processes. */
static bool pidfile_pid_acceptable(struct sup *s, struct service *svc, int pid, bool trusted, bool *member)
{
    *member = false;
    struct proc_snapshot snap;
    if (pid != s->self_pid && proc_snapshot_read(s->procfd, &snap) == 0) {
        *member = sup_is_member(s, svc, &snap, pid);
        proc_snapshot_free(&snap);
    }
    bool ok = pid != s->self_pid && (trusted || *member);
    if (!ok && svc->pidfile_refused != pid) {
        svc->pidfile_refused = pid;
        fprintf(stderr, "oya: %s: PIDFile=%s names PID %d, which is not a process of the service, and the file is "
                        "not root's (or is reached through a directory or link that is not root's): refused\n",
                svc->unit->name, svc->unit->pid_file, pid);
    }
    return ok;
}

/* The main process a forking service's PID file names, or 0 while there is none to take. */
static int pidfile_main(struct sup *s, struct service *svc, bool *member)
{
    bool trusted;
    *member = false;
    int pid = sup_pidfile_read(svc->unit, &trusted);
    if (pid > 0 && kill(pid, 0) < 0 && errno == ESRCH)
        pid = 0;
    if (pid > 0 && !pidfile_pid_acceptable(s, svc, pid, trusted, member))
        pid = 0;
    return pid > 0 ? pid : 0;
}

/* Without PIDFile=: the one process of the service oya adopted, as systemd's GuessMainPID=. */
static int guess_main(struct sup *s, struct service *svc)
{
    struct proc_snapshot snap;
    if (proc_snapshot_read(s->procfd, &snap) < 0)
        return 0;
    int *pids;
    ssize_t n = sup_members(s, svc, &snap, &pids);
    if (n < 0) { /* out of memory: no guess this time */
        proc_snapshot_free(&snap);
        return 0;
    }
    int adopted = 0, nadopted = 0;
    for (ssize_t i = 0; i < n; i++) {
        const struct proc_stat *p = proc_snapshot_find(&snap, pids[i]);
        if (p && p->ppid == s->self_pid) {
            adopted = p->pid;
            nadopted++;
        }
    }
    int pid = nadopted == 1 ? adopted : n == 1 ? pids[0] : 0;
    free(pids);
    proc_snapshot_free(&snap);
    return pid;
}

/* Type=forking: the start command returned. The main process is the one PIDFile= names (it may take a
 * moment to appear: looked for again every 20 ms until TimeoutStartSec=, unless no process of the
 * service is left to write it), or without PIDFile= the guessed one. */
static void find_main(struct sup *s, struct service *svc, struct svc_actions *next)
{
    svc->find_main_at = 0;
    sup_claim_adopted(s, svc);
    bool member = !svc->unit->pid_file; /* a guessed main process is one of the service's by definition */
    int pid = svc->unit->pid_file ? pidfile_main(s, svc, &member)
              : svc->unit->guess_main_pid ? guess_main(s, svc) : 0; /* GuessMainPID=no: up while any is left */
    if (svc->unit->pid_file && pid == 0) {
        struct group_check g = {0};
        if (sup_group_empty(s, svc, &g))
            svc_group_empty(&svc->st, svc->unit, clock_mono_usec(), clock_real_usec(), next);
        else
            svc->find_main_at = clock_mono_usec() + 20 * USEC_PER_MSEC;
        sup_group_check_done(&g);
        return;
    }
    if (pid > 0) {
        sup_watch_main(s, svc, pid);
        /* its session becomes the service's (what a stop signals) only if it is the service's own
         * process or leads that session itself: a root PID file naming some other process does not hand
         * over the whole session that process happens to be in */
        struct proc_stat st;
        if (proc_read_stat(s->procfd, pid, &st) == 0 && (member || st.session == pid))
            svc->sid = st.session;
    }
    svc_main_found(&svc->st, svc->unit, pid, clock_mono_usec(), clock_real_usec(), next);
}

static void cleanup(struct sup *s, struct service *svc, bool for_restart)
{
    if (!for_restart && sup_cgroup_populated(svc) == 0)
        sup_cgroup_close(s, svc); /* kept for an automatic restart: its next process is born there */
    sup_pidfile_remove(svc->unit);
    int helper = sup_dirs_remove_runtime(svc->unit, for_restart);
    if (helper > 0) {
        s->children_gen++;
        if (mem_reserve(&s->helpers, &s->helpers_cap, s->nhelpers + 1, sizeof(int)) == 0)
            s->helpers[s->nhelpers++] = helper;
        /* else out of memory: reaped all the same, as a child nobody claims */
    }
}

/* Carry out a state machine's actions, feeding back the events they cause, until it asks nothing. */
void sup_apply(struct sup *s, struct service *svc, struct svc_actions a, enum svc_state before)
{
    s->jobs_dirty = s->timers_dirty = true;
    enum svc_state said = before; /* the state the last line said */
    for (int guard = 0; guard < 64; guard++) {
        struct svc_actions next = {0};
        if (a.kill_signal) {
            sup_kill(s, svc, a.kill_signal, a.kill_scope);
            if (a.also_sighup)
                sup_kill(s, svc, SIGHUP, a.kill_scope);
            if (a.kill_control && svc->st.control_pid) {
                kill(svc->st.control_pid, a.kill_signal); /* oya's unreaped child: the PID is still its */
                if (s->ntracers)
                    sup_trace(s, "signal", svc->st.control_pid, svc, signal_name(a.kill_signal), (const char *)NULL);
            }
        }
        if (a.cleanup)
            cleanup(s, svc, a.cleanup_for_restart);
        char why[200];
        if (a.new_invocation) {
            /* systemd checks them before each start: a condition skips it, an assert refuses it */
            bool cond = unit_conditions_met(svc->unit, false, why, sizeof(why));
            if (!cond || !unit_conditions_met(svc->unit, true, why, sizeof(why))) {
                svc_condition_failed(&svc->st, cond, why, clock_real_usec());
                a.spawn = false;
                a.new_invocation = false;
            }
        }
        if (a.new_invocation && !begin_invocation(s, svc)) {
            svc_spawn_failed(&svc->st, svc->unit, a.spawn_main, clock_mono_usec(), clock_real_usec(), &next);
            a.spawn = false;
        }
        if (a.spawn)
            spawn(s, svc, a.spawn_list, a.spawn_main, &next);
        if (a.find_main)
            find_main(s, svc, &next);
        if (a.check_group && sup_awaits_empty_group(svc)) {
            struct group_check g = {0};
            if (sup_group_empty(s, svc, &g))
                svc_group_empty(&svc->st, svc->unit, clock_mono_usec(), clock_real_usec(), &next);
            sup_group_check_done(&g);
        }
        /* a state whose process is spawned next is said once it runs (with its PID, not 0) */
        if (!next.spawn) {
            sup_announce(s, svc, said);
            said = svc->st.state;
        }
        sup_unit_transition(s, svc, before);
        before = svc->st.state;
        if (!next.spawn && !next.kill_signal && !next.check_group && !next.find_main && !next.cleanup &&
            !next.new_invocation)
            break;
        a = next;
    }
    if (svc->st.main_pid == 0) {
        /* the machine let go of its main process (KillMode=none, or a stop that gave up after SIGKILL):
         * stop tracking it; the reaper still collects it when it exits */
        sup_epoll_close(s, &svc->pidfd);
        if (svc->st.state != SVC_EXITED && !svc_is_stopping(&svc->st) && !svc->st.main_unknown &&
            !(svc->st.state == SVC_START && svc->unit->type == UNIT_FORKING))
            svc->sid = 0;
    }
    if (svc->st.control_pid == 0 && !svc_is_stopping(&svc->st))
        svc->control_sid = 0;
    sup_bus_settle(s, svc);
}

bool sup_feed(struct sup *s, struct service *svc, struct sup_event ev)
{
    enum svc_state before = svc->st.state;
    struct svc_actions a = {0};
    struct svc *st = &svc->st;
    const struct unit *u = svc->unit;
    uint64_t now = clock_mono_usec(), real = clock_real_usec();
    switch (ev.kind) {
    case SUP_EV_START: svc_start(st, u, now, real, &a); break;
    case SUP_EV_STOP: svc_stop(st, u, ev.why, now, real, &a); break;
    case SUP_EV_RESTART: svc_restart(st, u, now, real, &a); break;
    case SUP_EV_RELOAD:
        if (!svc_reload(st, u, now, real, &a))
            return false; /* not running, or no ExecReload= */
        break;
    case SUP_EV_TIMER: svc_timer(st, u, now, real, &a); break;
    case SUP_EV_FIND_MAIN: a.find_main = true; break;
    case SUP_EV_EXEC_OK: svc_exec_ok(st, u, now, real, &a); break;
    case SUP_EV_MAIN_EXITED:
        if (ev.code == CLD_KILLED && ev.status == SIGKILL)
            sup_cgroup_oom_check(s, svc, true); /* the OOM killer's SIGKILL: Result: oom-kill, not signal */
        sup_read_report(s, svc); /* a failed exec wrote its report before exiting */
        release_main(s, svc);
        before = st->state;
        svc_main_exited(st, u, ev.code, ev.status, now, real, &a);
        break;
    case SUP_EV_CONTROL_EXITED:
        read_control_report(svc);
        if (st->control_list == UEXEC_START)
            svc->start_end_ticks = sup_now_ticks();
        svc_control_exited(st, u, ev.code, ev.status, now, real, &a);
        break;
    case SUP_EV_GROUP_EMPTY: svc_group_empty(st, u, now, real, &a); break;
    case SUP_EV_NOTIFY: svc_notify(st, u, ev.msg, now, real, &a); break;
    case SUP_EV_OOM: svc_oom(st, u, ev.main_killed, now, real, &a); break;
    case SUP_EV_BUS_NAME: svc_bus_name_owned(st, u, now, real, &a); break;
    case SUP_EV_DEPENDENCY_FAILED: svc_dependency_failed(st, real); break;
    }
    sup_apply(s, svc, a, before);
    return true;
}
