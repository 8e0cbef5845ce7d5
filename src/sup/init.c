/* sup/init: what is particular to `oya init`, a container's PID 1 for one command: the one implicit
 * service, signals handed to the command (tini's and dumb-init's rules), the grace period, --kill-tree,
 * and the exit status taken from the command. The loop, reaping and stopping are sup.c's. */
#include "sup_int.h"

#include "../exec/exec.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* oya init: hand a signal to the command, or with -g to its whole process group */
static void forward(struct sup *s, int sig)
{
    struct service *svc = s->svcs[0];
    int pid = svc->st.main_pid;
    if (sig > 0 && sig < 65 && s->opts->init_rewrite[sig])
        sig = s->opts->init_rewrite[sig] < 0 ? 0 : s->opts->init_rewrite[sig]; /* dumb-init's -r s:r */
    if (!pid || !sig)
        return;
    if (s->opts->init_verbose)
        fprintf(stderr, "oya init: forwarding SIG%s to %s %d\n", signal_name(sig) ? signal_name(sig) : "?",
                s->opts->init_group ? "process group" : "pid", pid);
    if (s->opts->init_group)
        kill(-pid, sig);
    else
        exec_signal(svc->pidfd, pid, sig);
}

void sup_init_signal(struct sup *s, int sig)
{
    struct service *svc = s->svcs[0];
    if (sig == SIGCHLD) {
        sup_reap(s);
    } else {
        /* every signal goes to the command once, unchanged (no SIGCONT after it, unlike a stop of
         * oya up's services); oya exits as soon as the command has. SIGTERM and SIGINT also start the
         * grace period, after which a command that ignored them is SIGKILLed (--grace 0: at once). */
        forward(s, sig);
        if ((sig == SIGTERM || sig == SIGINT) && !s->shutting_down && svc->st.main_pid) {
            s->shutting_down = true;
            s->init_kill_at = usec_add(clock_mono_usec(), s->opts->init_grace);
            if (s->opts->init_verbose)
                fprintf(stderr, "oya init: SIG%s: SIGKILL in %llums unless the command has ended\n",
                        signal_name(sig), (unsigned long long)(s->opts->init_grace / USEC_PER_MSEC));
        }
    }
}

/* oya init: the grace period after SIGTERM/SIGINT ran out and the command is still there */
void sup_init_kill(struct sup *s)
{
    s->init_kill_at = 0;
    struct service *svc = s->svcs[0];
    if (!svc->st.main_pid)
        return;
    if (s->opts->init_verbose)
        fprintf(stderr, "oya init: the grace period is over: SIGKILL to %s %d\n",
                s->opts->init_group ? "process group" : "pid", svc->st.main_pid);
    if (s->opts->init_group)
        kill(-svc->st.main_pid, SIGKILL);
    else
        exec_signal(svc->pidfd, svc->st.main_pid, SIGKILL);
}

/* oya init --kill-tree, not PID 1: what the command left below oya gets SIGTERM, then SIGKILL once the
 * grace period is over (as PID 1 the kernel ends them all when oya exits; by default, as tini, they
 * are left to whoever is above oya). */
void sup_init_kill_tree(struct sup *s)
{
    struct service *svc = s->svcs[0]; /* under oya init, everything below oya is the command's */
    int n = sup_kill(s, svc, SIGTERM, KILL_SCOPE_ALL);
    if (n && s->opts->init_verbose)
        fprintf(stderr, "oya init: --kill-tree: SIGTERM to %d process%s left\n", n, n == 1 ? "" : "es");
    uint64_t deadline = usec_add(clock_mono_usec(), s->opts->init_grace);
    for (bool empty = n == 0; !empty && clock_mono_usec() < deadline;) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL); /* oya is on its way out: nothing else waits for this loop */
        sup_reap(s);
        struct group_check g = {0};
        empty = sup_group_empty(s, svc, &g);
        sup_group_check_done(&g);
    }
    sup_kill(s, svc, SIGKILL, KILL_SCOPE_ALL); /* what is still there; the loop below reaps it */
}

/* oya init's exit status: the command's exit code, 128+N when signal N killed it, 0 for a code given
 * with -e; 127/126 when it could not be started at all, as shells say. */
int sup_init_exit_code(const struct sup *s)
{
    const struct service *svc = s->svcs[0];
    const struct svc *st = &svc->st;
    int code;
    if (st->exit_code == CLD_EXITED && st->exit_status == 203 && strstr(svc->exec_error, "failed to execute"))
        code = strstr(svc->exec_error, "No such file") ? 127 : 126;
    else if (st->exit_code == CLD_EXITED)
        code = st->exit_status;
    else if (st->exit_code == CLD_KILLED || st->exit_code == CLD_DUMPED)
        code = 128 + st->exit_status;
    else
        code = svc->exec_error[0] ? 127 : 1;
    for (size_t i = 0; i < s->opts->init_nzero; i++)
        if (s->opts->init_zero_codes[i] == code)
            return 0;
    return code;
}

void sup_init_service(struct sup *s)
{
    const char *base = strrchr(s->opts->init_argv[0], '/');
    struct unit *u = unit_from_argv(base ? base + 1 : s->opts->init_argv[0], s->opts->init_argv);
    /* SIGTERM to the command (or its group with -g), SIGKILL to what is left after the grace period */
    /* only the command counts: oya init ends when it does (what it left is not waited for) */
    u->kill_mode = KILL_PROCESS;
    u->start_limit_burst = 0;
    sup_add_service(s, u);
    sup_make_prefixes(s);
}
