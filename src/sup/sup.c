/* sup: the event loop, the reaper, timers, signals, set-up and teardown, and the shutdown path (what the
 * state machines decide is carried out in apply.c). */
#include "sup_int.h"

#include "../exec/exec.h"

#include <fcntl.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

int sup_epoll_add(struct sup *s, int fd, uint32_t events, struct watch *w)
{
    struct epoll_event ev = {.events = events, .data.ptr = w};
    return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

void sup_epoll_close(struct sup *s, int *fd)
{
    if (*fd < 0)
        return;
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, *fd, NULL);
    fd_close(fd);
}

/* tini's -w: say when a zombie that is not the command is reaped */
static void warn_reaped(struct sup *s, int pid)
{
    if (s->init && s->opts->init_warn_reap && s->svcs[0]->st.main_pid != pid)
        fprintf(stderr, "oya init: reaped zombie process %d\n", pid);
}

/* A helper process of oya's own ended (removing a RuntimeDirectory=): forget it. */
static bool helper_reaped(struct sup *s, int pid)
{
    for (size_t i = 0; i < s->nhelpers; i++) {
        if (s->helpers[i] == pid) {
            s->helpers[i] = s->helpers[--s->nhelpers];
            return true;
        }
    }
    return false;
}

/* `oya trace`: who was collected (main, control, helper or an adopted orphan), how it ended, how long it
 * lived (seen: its stat as a zombie, pid 0 if it could not be read) */
static void trace_reaped(struct sup *s, const siginfo_t *si, const struct proc_stat *seen)
{
    const struct service *owner = NULL;
    const char *role = "orphan";
    for (size_t i = 0; i < s->nhelpers; i++)
        if (s->helpers[i] == si->si_pid)
            role = "helper";
    bool is_main;
    if ((owner = sup_by_pid(s, si->si_pid, &is_main)))
        role = is_main ? "main" : "control";
    /* an orphan: the service whose session it was in (one that made a session of its own is not known) */
    for (size_t i = 0; i < s->nsvcs && !owner && seen->pid && seen->session > 0; i++)
        if (s->svcs[i]->sid == seen->session || s->svcs[i]->control_sid == seen->session)
            owner = s->svcs[i];
    uint64_t born = seen->pid ? seen->starttime : 0;
    char status[16], life[24] = "";
    snprintf(status, sizeof(status), "%d", si->si_status);
    uint64_t now = sup_now_ticks();
    if (born && now >= born)
        snprintf(life, sizeof(life), "%llu", (unsigned long long)((now - born) * USEC_PER_SEC / (uint64_t)proc_clock_ticks()));
    sup_trace(s, "reap", si->si_pid, owner, role,
              si->si_code == CLD_EXITED ? "exited" : si->si_code == CLD_DUMPED ? "dumped" : "killed", status, life,
              (const char *)NULL);
}

/* Collect one exited child of type/id (WNOHANG); si_pid 0 if none. While someone traces, the child is
 * looked at first (WNOWAIT) to read its stat: its start time gives its lifetime, its session its service. */
static int collect(struct sup *s, idtype_t type, id_t id, siginfo_t *si, struct proc_stat *seen)
{
    memset(si, 0, sizeof(*si));
    seen->pid = 0;
    if (!s->ntracers)
        return waitid(type, id, si, WEXITED | WNOHANG);
    if (waitid(type, id, si, WEXITED | WNOHANG | WNOWAIT) < 0)
        return -1;
    if (si->si_pid == 0)
        return 0;
    if (proc_read_stat(s->procfd, si->si_pid, seen) < 0)
        seen->pid = 0;
    id_t pid = (id_t)si->si_pid;
    memset(si, 0, sizeof(*si));
    return waitid(P_PID, pid, si, WEXITED | WNOHANG);
}

/* The one reaper: every exited child, main process or adopted orphan, is collected here. */
/* One collected child: hand its status to whoever owns that PID */
static void reaped(struct sup *s, const siginfo_t *si, const struct proc_stat *seen)
{
    s->children_gen++;
    warn_reaped(s, si->si_pid);
    if (s->ntracers)
        trace_reaped(s, si, seen);
    if (helper_reaped(s, si->si_pid))
        return;
    bool is_main;
    struct service *svc = sup_by_pid(s, si->si_pid, &is_main);
    if (!svc)
        return;
    sup_relay_drain(s, svc);
    sup_feed(s, svc, (struct sup_event){.kind = is_main ? SUP_EV_MAIN_EXITED : SUP_EV_CONTROL_EXITED,
                                        .code = si->si_code, .status = si->si_status});
}

/* waitid(P_ALL) looks at every child of oya, so with 10,000 services each call is that long. The PID a
 * SIGCHLD named is collected first with waitid(P_PID), which looks at that child alone; the P_ALL pass
 * that follows still finds whatever a coalesced SIGCHLD did not name (standard signals do not queue). */
void sup_reap(struct sup *s)
{
    int hint = s->sigchld_pid;
    s->sigchld_pid = 0;
    siginfo_t si;
    struct proc_stat seen;
    if (hint > 0 && collect(s, P_PID, (id_t)hint, &si, &seen) == 0 && si.si_pid == hint)
        reaped(s, &si, &seen);
    for (;;) {
        if (collect(s, P_ALL, 0, &si, &seen) < 0) {
            if (errno == EINTR)
                continue;
            break; /* ECHILD: nothing left */
        }
        if (si.si_pid == 0)
            break;
        reaped(s, &si, &seen);
    }
    sup_check_groups(s);
}

void sup_shutdown(struct sup *s, bool force)
{
    if (!s->shutting_down) {
        s->shutting_down = true;
        /* every stop waits for the units ordered after its unit (After=), so they go down in reverse */
        for (size_t i = 0; i < s->nsvcs; i++)
            sup_job_stop(s, s->svcs[i]);
        sup_jobs_dispatch(s);
    }
    if (force) /* do not wait for the stop timeouts */
        for (size_t i = 0; i < s->nsvcs; i++)
            if (!svc_is_settled(&s->svcs[i]->st) || s->svcs[i]->st.main_pid)
                sup_kill(s, s->svcs[i], SIGKILL, KILL_SCOPE_ALL);
}

static void start_shutdown(struct sup *s, int sig)
{
    s->term_signals++;
    s->shutdown_asked = true;
    if (s->term_signals == 1) {
        fprintf(stderr, "oya: SIG%s: stopping %zu service%s (%s again to kill them now)\n", signal_name(sig), s->nsvcs,
                s->nsvcs == 1 ? "" : "s",
                sig == SIGINT ? "Ctrl-C" : "the same signal");
        if (isatty(2))
            s->stop_progress_at = clock_mono_usec() + 3 * USEC_PER_SEC;
    } else
        fprintf(stderr, "oya: SIG%s again: killing every service now\n", signal_name(sig));
    sup_shutdown(s, s->term_signals > 1);
}

static void on_signal_one(struct sup *s, int sig)
{
    if (s->init) {
        sup_init_signal(s, sig);
        return;
    }
    switch (sig) {
    case SIGCHLD: sup_reap(s); break;
    case SIGTERM:
    case SIGINT: start_shutdown(s, sig); break;
    case SIGHUP:
        if (!s->shutting_down)
            sup_load_units(s, true);
        break;
    }
}

/* Standard signals do not queue, so one read takes every pending one; a short read means none is left,
 * which saves the read that would end in EAGAIN on every wakeup (one per orphan when reaping as PID 1). */
static void on_signal(struct sup *s)
{
    struct signalfd_siginfo si[16];
    for (;;) {
        ssize_t n = read(s->sigfd, si, sizeof(si));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t got = (size_t)n / sizeof(si[0]);
        for (size_t i = 0; i < got; i++) {
            if (si[i].ssi_signo == SIGCHLD)
                s->sigchld_pid = (int)si[i].ssi_pid;
            /* the terminal oya runs in hung up (the kernel sends that SIGHUP; kill -HUP is a user's): as any
             * foreground program, oya stops; as PID 1 SIGHUP always means: read the unit files again */
            if (si[i].ssi_signo == SIGHUP && si[i].ssi_code == SI_KERNEL && !s->pid1 && !s->init) {
                if (!s->shutting_down)
                    fprintf(stderr, "oya: the terminal hung up: stopping %zu service%s\n", s->nsvcs,
                            s->nsvcs == 1 ? "" : "s");
                s->shutdown_asked = true;
                sup_shutdown(s, false);
                continue;
            }
            on_signal_one(s, (int)si[i].ssi_signo);
        }
        if (got < sizeof(si) / sizeof(si[0]))
            break;
    }
}

/* While oya up stops everything in front of a person (stderr a terminal): every few seconds, what is
 * still going and what comes next for it */
static void stop_progress(struct sup *s, uint64_t now)
{
    struct buf b = {0};
    for (size_t i = 0; i < s->nsvcs; i++) {
        const struct svc *st = &s->svcs[i]->st;
        if (!svc_is_stopping(st))
            continue;
        buf_printf(&b, "%s%s (%s", b.len ? ", " : "", s->svcs[i]->unit->name, svc_sub_state(st));
        if (st->deadline && st->deadline != USEC_INFINITY) {
            char left[48];
            fmt_timespan(left, sizeof(left), st->deadline > now ? st->deadline - now : 0, USEC_PER_SEC);
            buf_printf(&b, ", %s in %s", st->state == SVC_STOP_SIGTERM ? "SIGKILL" : "the next step", left);
        }
        buf_putc(&b, ')');
    }
    if (b.len)
        fprintf(stderr, "oya: still stopping: %s\n", b.p);
    buf_free(&b);
    s->stop_progress_at = b.len ? now + 5 * USEC_PER_SEC : 0;
}

static void run_timers(struct sup *s)
{
    uint64_t now = clock_mono_usec();
    sup_clients_timers(s, now);
    if (s->stop_progress_at && s->stop_progress_at <= now)
        stop_progress(s, now);
    if (s->init_kill_at && s->init_kill_at <= now)
        sup_init_kill(s);
    if (s->retry_at && s->retry_at <= now) {
        s->retry_at = 0;
        s->jobs_dirty = true; /* sup_jobs_dispatch tries again what memory stopped */
        if (s->groups_recheck) {
            s->groups_recheck = false;
            sup_check_groups(s);
        }
    }
    if (!s->timers_dirty && (!s->svc_deadline || now < s->svc_deadline))
        return; /* no service's deadline has come (arm_timer found the earliest) */
    for (size_t i = 0; i < s->nsvcs; i++) {
        struct service *svc = s->svcs[i];
        uint64_t d = svc_next_deadline(&svc->st);
        if (d && d <= now)
            sup_feed(s, svc, (struct sup_event){.kind = SUP_EV_TIMER});
        if (svc->find_main_at && svc->find_main_at <= now) {
            svc->find_main_at = 0;
            if (svc->st.state == SVC_START && svc->unit->type == UNIT_FORKING && !svc->st.control_pid)
                sup_feed(s, svc, (struct sup_event){.kind = SUP_EV_FIND_MAIN});
        }
    }
}

/* One timerfd for every deadline: armed for the earliest, disarmed when there is none, so an idle
 * supervisor never wakes up. */
static void arm_timer(struct sup *s)
{
    if (s->timers_dirty) {
        uint64_t first = 0;
        for (size_t i = 0; i < s->nsvcs; i++) {
            uint64_t d = svc_next_deadline(&s->svcs[i]->st);
            uint64_t f = s->svcs[i]->find_main_at;
            if (f && (!d || f < d))
                d = f;
            if (d && (!first || d < first))
                first = d;
        }
        s->svc_deadline = first;
        s->timers_dirty = false;
    }
    uint64_t next = s->svc_deadline;
    uint64_t c = sup_clients_deadline(s);
    if (c && (!next || c < next))
        next = c;
    if (s->stop_progress_at && (!next || s->stop_progress_at < next))
        next = s->stop_progress_at;
    if (s->init_kill_at && (!next || s->init_kill_at < next))
        next = s->init_kill_at;
    if (s->retry_at && (!next || s->retry_at < next))
        next = s->retry_at;
    if (next == s->armed_deadline)
        return;
    struct itimerspec its = {0};
    its.it_value.tv_sec = (time_t)(next / USEC_PER_SEC);
    its.it_value.tv_nsec = (long)(next % USEC_PER_SEC) * 1000;
    if (timerfd_settime(s->timerfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        s->armed_deadline = next;
}

static bool all_down(const struct sup *s)
{
    for (size_t i = 0; i < s->nsvcs; i++) {
        const struct svc *st = &s->svcs[i]->st;
        if (!(st->state == SVC_DEAD || st->state == SVC_FAILED) || st->main_pid || s->svcs[i]->job != JOB_NONE)
            return false;
    }
    return true;
}

/* A main process named by MAINPID= need not be oya's child (until its parent exits and oya, the
 * subreaper, adopts it), so its end may come only as its pidfd turning readable: there is no status to
 * collect then, and the exit counts as a clean one. */
static void main_gone_elsewhere(struct sup *s, struct service *svc)
{
    int pid = svc->st.main_pid;
    if (!pid || svc->pidfd < 0)
        return;
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 || errno != ECHILD)
        return; /* still oya's child: its exit comes through the reaper */
    struct pollfd p = {.fd = svc->pidfd, .events = POLLIN};
    if (poll(&p, 1, 0) == 1)
        sup_feed(s, svc, (struct sup_event){.kind = SUP_EV_MAIN_EXITED, .code = CLD_EXITED, .status = 0});
}

static void dispatch(struct sup *s, struct watch *w, uint32_t events)
{
    switch (w->kind) {
    case W_SIGNAL: on_signal(s); break;
    case W_TIMER: {
        uint64_t ticks;
        while (read(s->timerfd, &ticks, sizeof(ticks)) < 0 && errno == EINTR)
            ;
        s->armed_deadline = 0;
        break;
    }
    case W_LISTEN: sup_accept(s); break;
    case W_CLIENT: sup_client_event(s, w->obj, events); break;
    case W_LOG: sup_relay_read(s, w->obj, false); break;
    case W_REPORT: {
        sup_read_report(s, w->obj);
        break;
    }
    case W_PIDFD: sup_reap(s); main_gone_elsewhere(s, w->obj); break;
    case W_NOTIFY: sup_notify_event(s); break;
    case W_OUTPUT: sup_relay_flush(s); break;
    case W_BUS: sup_bus_event(s, events); break;
    case W_SYSLOG: sup_syslog_event(s); break;
    case W_CGROUP: sup_cgroup_event(s, w->obj); break; /* populated changed */
    case W_OOM: sup_cgroup_oom_check(s, w->obj, false); break; /* memory.events changed */
    }
}

static int setup(struct sup *s)
{
    sigset_t mask;
    sigemptyset(&mask);
    if (s->init) {
        /* every signal that can be forwarded goes through the loop (as PID 1 a blocked signal still
         * queues; one with no handler would be dropped); the synchronous ones keep their default */
        sigset_fill_all(&mask); /* 32-34 too, which libc's sigfillset leaves out */
        static const int keep[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS, SIGTTIN, SIGTTOU,
                                   SIGKILL, SIGSTOP};
        for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
            sigdelset(&mask, keep[i]);
        signal(SIGTTIN, SIG_IGN); /* as tini: oya never stops for the terminal */
        signal(SIGTTOU, SIG_IGN);
    } else {
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
    }
    /* the system call itself: glibc's sigprocmask quietly leaves out the signals it keeps (32, 33) */
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, &mask, NULL, (size_t)8);
    signal(SIGPIPE, SIG_IGN);
    /* what a child inherits as ignored, read once now that oya's own dispositions are set (spawn then
     * changes only those) */
    sigemptyset(&s->ignored_now);
    for (int sig = 1; sig <= 64; sig++)
        if (sig != SIGKILL && sig != SIGSTOP && signal_is_ignored(sig))
            sigset_add_any(&s->ignored_now, sig);
    /* a few fds per service and per client: the soft limit goes up to the hard one (services get the
     * original back, see exec_request.nofile_soft) */
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        s->nofile_soft = nofile.rlim_cur;
        nofile.rlim_cur = nofile.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
            s->nofile_soft = 0;
    }
    /* orphans anywhere below oya are re-parented to oya, so none escapes and none stays a zombie */
    s->pid1 = getpid() == 1;
    s->reaper = s->pid1;
    if (!s->reaper) {
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
            fprintf(stderr, "oya: cannot become a child subreaper: %s\n", strerror(errno));
        else
            s->reaper = true;
        if (s->reaper && s->init && !s->opts->init_quiet)
            fprintf(stderr, "oya init: not running as PID 1, so registered as a child subreaper: orphans "
                            "below oya are still reaped (-s hides this message)\n");
    }
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    s->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    s->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    bool own_proc;
    s->procfd = proc_open_own_root(&own_proc);
    if (s->epfd < 0 || s->sigfd < 0 || s->timerfd < 0 || s->procfd < 0) {
        fprintf(stderr, "oya: cannot set up the event loop: %s\n", strerror(errno));
        return -1;
    }
    if (!own_proc)
        fprintf(stderr, "oya: /proc shows the processes of another PID namespace and a proc of oya's own "
                        "cannot be made here: services in cgroups are tracked by them, the others are not (mount "
                        "one: mount -t proc proc /proc)\n");
    if (!s->init)
        sup_relay_setup(s);
    s->sig_w = (struct watch){W_SIGNAL, NULL};
    s->timer_w = (struct watch){W_TIMER, NULL};
    s->listen_w = (struct watch){W_LISTEN, NULL};
    int r = sup_epoll_add(s, s->sigfd, EPOLLIN, &s->sig_w);
    if (r == 0)
        r = sup_epoll_add(s, s->timerfd, EPOLLIN, &s->timer_w);
    if (r < 0) {
        fprintf(stderr, "oya: cannot watch its signals and timer: %s\n", strerror(-r));
        return -1;
    }
    /* oya init runs its command as Type=simple: no notify socket there */
    if (!s->init)
        sup_notify_open(s);
    if (!s->opts->socket_path)
        return 0;
    struct buf err = {0};
    snprintf(s->socket_path, sizeof(s->socket_path), "%s", s->opts->socket_path);
    s->listenfd = ctl_listen(s->socket_path, s->opts->socket_private, &err);
    int why = -s->listenfd;
    if (s->listenfd < 0 && s->opts->socket_private &&
        (why == EROFS || why == EACCES || why == ENOSPC || why == EDQUOT || why == ENOENT)) {
        /* the default place cannot be made (a read-only /run in a container): the fallbacks, in the
         * order clients look for them; with none, oya supervises without a control socket. (A default
         * directory someone else made is refused, not worked around: see ctl_listen.) */
        char alt[4][256];
        size_t n = ctl_socket_fallbacks(alt, 4);
        for (size_t i = 0; i < n && s->listenfd < 0 && s->listenfd != -EADDRINUSE; i++) {
            struct buf e = {0};
            s->listenfd = ctl_listen(alt[i], true, &e);
            if (s->listenfd >= 0) {
                fprintf(stderr, "oya: %s; the control socket is %s instead\n", err.p, alt[i]);
                snprintf(s->socket_path, sizeof(s->socket_path), "%s", alt[i]);
            }
            buf_free(&e);
        }
        if (s->listenfd < 0 && s->listenfd != -EADDRINUSE) {
            fprintf(stderr, "oya: %s, and no other place for a control socket could be made: supervising without "
                            "one (oya status and the other commands cannot reach this oya)\n", err.p);
            s->socket_path[0] = 0;
            s->listenfd = -1;
            buf_free(&err);
            return 0;
        }
    }
    if (s->listenfd < 0) {
        fprintf(stderr, "oya: %s\n", err.p);
        buf_free(&err);
        return -1;
    }
    buf_free(&err);
    r = sup_epoll_add(s, s->listenfd, EPOLLIN, &s->listen_w);
    if (r < 0) {
        fprintf(stderr, "oya: cannot watch the control socket: %s\n", strerror(-r));
        return -1;
    }
    s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    return 0;
}

static void teardown(struct sup *s)
{
    sup_cgroup_teardown(s);
    while (s->logs)
        sup_relay_read(s, s->logs, true);
    sup_relay_finish(s);
    sup_clients_free(s);
    sup_deps_free(s);
    sup_journal_flush(s);
    free(s->journal_dirty);
    log_file_close(&s->own_file);
    log_ring_free(&s->own_ring);
    for (size_t i = 0; i < s->nsvcs; i++) {
        sup_epoll_close(s, &s->svcs[i]->pidfd);
        sup_epoll_close(s, &s->svcs[i]->report_fd);
        fd_close(&s->svcs[i]->control_report_fd);
        strv_clear(&s->svcs[i]->start_env);
        strv_clear(&s->svcs[i]->limits_said);
        free(s->svcs[i]->claims);
        sup_journal_close(s->svcs[i]);
        unit_free(s->svcs[i]->unit);
        free(s->svcs[i]);
    }
    free(s->svcs);
    free(s->helpers);
    exec_launches_free(&s->launches);
    sup_epoll_close(s, &s->bus_fd);
    sup_syslog_close(s);
    buf_free(&s->journal_line);
    buf_free(&s->bus_in);
    buf_free(&s->bus_out);
    sup_bad_units_clear(s);
    free(s->notify_uids);
    exec_dynamic_ids_free(&s->dynamic_ids);
    strv_clear(&s->templates);
    if (s->listenfd >= 0) {
        close(s->listenfd);
        if (s->socket_path[0])
            unlink(s->socket_path);
    }
    fd_close(&s->epfd);
    fd_close(&s->sigfd);
    fd_close(&s->timerfd);
    fd_close(&s->procfd);
    fd_close(&s->spare_fd);
    fd_close(&s->inv_fd);
    sup_notify_close(s);
}

/* Wait (up to deadline) for a child to change state: SIGCHLD on the signalfd. false once the deadline
 * has passed. Other signals read meanwhile are dropped: oya is ending. */
static bool wait_for_child(struct sup *s, uint64_t deadline)
{
    uint64_t now = clock_mono_usec();
    if (now >= deadline)
        return false;
    struct pollfd p = {.fd = s->sigfd, .events = POLLIN};
    int r = poll(&p, 1, (int)((deadline - now + 999) / 1000));
    if (r > 0) {
        struct signalfd_siginfo si[16];
        while (read(s->sigfd, si, sizeof(si)) > 0)
            ;
    }
    return r > 0 || (r < 0 && errno == EINTR);
}

/* The children oya could not reap by its deadline, each with what it is stuck in */
static void say_unreaped(struct sup *s)
{
    struct proc_snapshot snap;
    if (proc_snapshot_read(s->procfd, &snap) < 0)
        return;
    for (size_t i = 0; i < snap.n; i++) {
        const struct proc_stat *p = &snap.procs[i];
        if (p->ppid != s->self_pid || p->state == 'Z')
            continue;
        char wchan[64] = "";
        proc_read_wchan(s->procfd, p->pid, wchan, sizeof(wchan));
        fprintf(stderr, "oya: could not reap %d (%s), state %c%s%s: leaving it\n", p->pid, p->comm, p->state,
                wchan[0] ? ", waiting in " : "", wchan);
    }
    proc_snapshot_free(&snap);
}

/* After every service stopped: kill and reap whatever oya adopted that no service claimed. */
static void finish_strays(struct sup *s)
{
    if (s->init) {
        /* tini's rule: oya init ends with its command. As PID 1 the kernel ends what is left. */
        if (s->opts->init_kill_tree && !s->pid1)
            sup_init_kill_tree(s);
        else
            return;
    }
    /* everything below is bounded: a process stuck in the kernel (state D) must not hold oya forever */
    uint64_t deadline = clock_mono_usec() + 10 * USEC_PER_SEC;
    /* oya's own helpers finish their work first (a directory half removed would be left behind) */
    for (size_t i = 0; i < s->nhelpers; i++) {
        siginfo_t si;
        for (;;) {
            memset(&si, 0, sizeof(si));
            int r = waitid(P_PID, (id_t)s->helpers[i], &si, WEXITED | WNOHANG);
            if ((r < 0 && errno != EINTR) || (r == 0 && si.si_pid) || !wait_for_child(s, deadline))
                break;
        }
    }
    s->nhelpers = 0;
    for (int round = 0; round < 50; round++) {
        sup_reap(s);
        int n = sup_kill_strays(s, SIGKILL);
        if (n == 0)
            break;
        if (round == 0)
            fprintf(stderr, "oya: killing %d leftover process%s\n", n, n == 1 ? "" : "es");
        if (!wait_for_child(s, deadline))
            break;
    }
    sup_reap(s);
    say_unreaped(s);
}

/* oya up -d: once every service has started (or failed, or ended), tell the waiting parent how */
static void tell_ready(struct sup *s, bool ending)
{
    if (s->ready_fd < 0)
        return;
    struct buf failed = {0};
    for (size_t i = 0; i < s->nsvcs; i++) {
        const struct service *svc = s->svcs[i];
        if (!ending && (svc->job != JOB_NONE || !svc_is_settled(&svc->st) || svc->exec_pending))
            return;
        if (svc->st.state == SVC_FAILED)
            buf_printf(&failed, " %s", svc->unit->name);
    }
    char line[64];
    if (failed.len)
        fd_write_all(s->ready_fd, "failed", 6), fd_write_all(s->ready_fd, failed.p, failed.len);
    else
        fd_write_all(s->ready_fd, line, (size_t)snprintf(line, sizeof(line), "ok %zu", s->nsvcs));
    fd_write_all(s->ready_fd, "\n", 1);
    buf_free(&failed);
    fd_close(&s->ready_fd);
}

static bool finished(const struct sup *s)
{
    return all_down(s) && (s->shutting_down || s->init || s->opts->exit_when_idle);
}

int sup_run(const struct sup_options *opts)
{
    struct sup s = {.opts = opts, .epfd = -1, .sigfd = -1, .timerfd = -1, .listenfd = -1, .procfd = -1, .spare_fd = -1, .out_fd = 1, .inv_fd = -1,
                    .notify_fd = -1, .bus_fd = -1, .syslog_fd = -1,
                    .own_file = {.fd = -1}};
    s.self_pid = getpid();
    s.cg_fd = -1;
    proc_no_threads(); /* the supervisor never has a thread: its /proc scans run here, in the loop */
    mem_soft_failures(); /* out of memory fails one request, start or record, not oya */
    s.ready_fd = opts->detach ? opts->ready_fd : -1;
    s.started_real = clock_real_usec();
    s.init = opts->init_argv != NULL;
    /* what oya was started with, before it changes anything: oya init hands it on to its command, as
     * tini does (`nohup oya init -- cmd` keeps cmd deaf to SIGHUP) */
    sigprocmask(SIG_BLOCK, NULL, &s.orig_mask);
    sigemptyset(&s.orig_ignored);
    for (int sig = 1; sig <= 64; sig++)
        if (sig != SIGKILL && sig != SIGSTOP && signal_is_ignored(sig))
            sigset_add_any(&s.orig_ignored, sig);
    s.quiet = s.init && !opts->init_verbose;
    const char *nc = getenv("NO_COLOR");
    s.color = isatty(1) && !(nc && *nc);
    fds_ensure_std();
    unit_prepare(); /* the NSS lookups specifiers and conditions need, once, before any unit or loop */
    if (opts->log_dir)
        snprintf(s.log_dir, sizeof(s.log_dir), "%s", opts->log_dir);
    s.log_file_opts = (struct log_file_opts){opts->log_file_size ? opts->log_file_size : 8u << 20, opts->log_files};
    int rc = 1;
    if (s.init) {
        sup_init_service(&s);
    } else if (sup_load_units(&s, false) < 0) {
        fprintf(stderr, "oya: no service or template could be loaded; nothing to supervise\n");
        goto out;
    }
    if (setup(&s) < 0)
        goto out;
    if (s.init)
        snprintf(s.cg_why, sizeof(s.cg_why), "not used by oya init (one command, tracked as its process group)");
    else
        sup_cgroup_setup(&s);
    if (!s.init)
        sup_syslog_setup(&s);
    if (!s.init)
        sup_previous_stop(&s); /* the socket is ours now: no live oya serves these units */
    if (!s.init)
        fprintf(stderr, "oya: supervising %zu service%s%s, control socket %s\n", s.nsvcs, s.nsvcs == 1 ? "" : "s",
                s.templates.n ? " and templates (NAME@INSTANCE starts on demand)" : "", s.socket_path[0] ? s.socket_path : "none");
    mem_faults_start(); /* tests: fail the Nth allocation from here on (only in the sanitizer build) */
    sup_deps_resolve(&s);
    for (size_t i = 0; i < s.nsvcs; i++)
        sup_job_start(&s, s.svcs[i]);
    sup_jobs_dispatch(&s);
    while (!finished(&s)) {
        run_timers(&s);
        sup_jobs_dispatch(&s);
        sup_answer_waiters(&s);
        tell_ready(&s, false);
        if (finished(&s))
            break;
        sup_journal_flush(&s); /* the records of this turn reach the files before oya sleeps */
        arm_timer(&s);
        struct epoll_event evs[64];
        int n = epoll_wait(s.epfd, evs, 64, s.jobs_more ? 0 : -1);
        s.children_gen++;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "oya: epoll_wait: %s\n", strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++)
            dispatch(&s, evs[i].data.ptr, evs[i].events);
    }
    finish_strays(&s);
    tell_ready(&s, true);
    s.loop_done = true;
    sup_answer_waiters(&s);
    if (s.init) {
        rc = sup_init_exit_code(&s);
        if (s.svcs[0]->exec_error[0])
            fprintf(stderr, "oya init: %s\n", s.svcs[0]->exec_error);
        if (opts->init_verbose)
            fprintf(stderr, "oya init: the command ended; exiting with %d\n", rc);
    } else {
        rc = sup_exit_status(&s);
        if (s.opts->exit_when_idle && !s.shutting_down)
            fprintf(stderr, "oya: no service is active, starting or waiting to restart (--exit-when-idle); exiting "
                            "with %d\n", rc);
        else
            fprintf(stderr, "oya: all services stopped\n");
        if (s.exit_rc_set)
            fprintf(stderr, "oya: exiting with %d\n", rc);
        sup_previous_done(&s);
    }
out:
    fd_close(&s.ready_fd); /* nothing loaded: the parent of oya up -d sees the end without a line */
    teardown(&s);
    sup_finish_action(&s); /* the machine's init asked to reboot, power off or halt: now */
    return rc;
}
