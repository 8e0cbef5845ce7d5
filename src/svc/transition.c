/* svc/transition: the machine in words: the names of its states and results as systemctl shows them, and
 * the line for a change of state (started, exited with what status, restarting in how long, failed and
 * why), as oya says it on stderr and in the service's log. Pure: what the machine holds in, words out. */
#include "svc.h"

#include <stdarg.h>
#include <stdio.h>

static bool put(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool put(char *out, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, size, fmt, ap);
    va_end(ap);
    return true;
}

static bool was_stopping(enum svc_state before)
{
    return before == SVC_STOP_SIGTERM || before == SVC_STOP_SIGKILL || before == SVC_STOP || before == SVC_STOP_POST ||
           before == SVC_EXITED;
}

/* SIGTERM goes out: why (a failed step of the start, the main process gone, a timeout, the watchdog, the
 * service's own STOPPING=1, or a stop asked for) */
static bool stopping_text(const struct svc *st, enum svc_state before, const struct unit *u, char *out, size_t size)
{
    char ex[96];
    exit_text(ex, sizeof(ex), st->exit_code, st->exit_status);
    if (st->stop_reason != STOP_MAIN_EXITED)
        return put(out, size, "stopping");
    if (st->result == RESULT_PROTOCOL && before == SVC_START && u->type == UNIT_FORKING && !st->exit_code)
        return put(out, size, "the start command returned, and no process of the service is left to be its main "
                              "process (no PID file, Result: protocol); stopping");
    if (st->result != RESULT_TIMEOUT && (before == SVC_CONDITION || before == SVC_START_PRE || before == SVC_START_POST ||
                                         (before == SVC_START && u->type == UNIT_FORKING)))
        return put(out, size, "%s failed (%s); stopping", unit_exec_name(st->control_list), ex);
    if (st->main_pid == 0)
        return put(out, size, "main process exited (%s); stopping what is left", ex);
    if (st->result == RESULT_TIMEOUT && (before == SVC_RUNNING || before == SVC_STOP))
        return put(out, size, "ran for RuntimeMaxSec=; stopping");
    if (st->result == RESULT_TIMEOUT)
        return put(out, size, "start timed out (TimeoutStartSec=); stopping");
    if (st->result == RESULT_WATCHDOG)
        return put(out, size, "watchdog timeout (WatchdogSec=, no WATCHDOG=1); sending SIG%s",
                   signal_name(u->watchdog_signal) ? signal_name(u->watchdog_signal) : "?");
    if (st->result != RESULT_SUCCESS)
        return put(out, size, "%s failed (%s); stopping", unit_exec_name(st->control_list), ex);
    return put(out, size, "stopping by itself (STOPPING=1)");
}

bool svc_transition_text(const struct svc *st, enum svc_state before, const struct unit *u, const char *exec_error,
                         char *out, size_t size)
{
    out[0] = 0;
    if (st->state == before)
        return false;
    char ex[96], span[64];
    exit_text(ex, sizeof(ex), st->exit_code, st->exit_status);
    const char *sep = exec_error[0] ? ": " : "";
    char reloaded[96] = "reloaded";
    if (st->reload_result != RESULT_SUCCESS && u->exec[UEXEC_RELOAD].n)
        snprintf(reloaded, sizeof(reloaded), "reloaded (ExecReload= failed)");
    else if (st->reload_result != RESULT_SUCCESS) /* Type=notify-reload: no RELOADING=1 and READY=1 in time */
        snprintf(reloaded, sizeof(reloaded), "reload failed (Result: %s); runs on", svc_result_name(st->reload_result));
    switch (st->state) {
    case SVC_RUNNING:
        if (before == SVC_RELOAD)
            return put(out, size, "%s", reloaded);
        if (st->main_pid)
            return put(out, size, "started, main pid %d", st->main_pid);
        return put(out, size, "started, main pid unknown (no PIDFile=, and no single process to take)");
    case SVC_CONDITION: return put(out, size, "starting: ExecCondition=, pid %d", st->control_pid);
    case SVC_START_PRE: return put(out, size, "starting: ExecStartPre=, pid %d", st->control_pid);
    case SVC_START: return put(out, size, "starting, pid %d", st->main_pid ? st->main_pid : st->control_pid);
    case SVC_START_POST:
    case SVC_STOP_POST: return false;
    case SVC_RELOAD:
        if (st->reload_wait == RELOAD_WAIT_NONE)
            return put(out, size, "reloading: ExecReload=, pid %d", st->control_pid);
        return put(out, size, "reloading: SIG%s sent to pid %d, waiting for RELOADING=1 and READY=1",
                   signal_name(u->reload_signal) ? signal_name(u->reload_signal) : "?", st->main_pid);
    case SVC_STOP:
        if (st->stop_reason == STOP_MAIN_EXITED && st->main_pid == 0)
            return put(out, size, "main process exited (%s); ExecStop=, pid %d", ex, st->control_pid);
        if (st->stop_reason == STOP_MAIN_EXITED && st->result == RESULT_TIMEOUT)
            return put(out, size, "ran for RuntimeMaxSec=; stopping: ExecStop=, pid %d", st->control_pid);
        return put(out, size, "stopping: ExecStop=, pid %d", st->control_pid);
    case SVC_EXITED:
        if (before == SVC_RELOAD)
            return put(out, size, "%s", reloaded);
        return put(out, size, "finished; remains active (RemainAfterExit=yes)");
    case SVC_STOP_SIGTERM: return stopping_text(st, before, u, out, size);
    case SVC_STOP_SIGKILL: return put(out, size, "stop timed out; sending SIGKILL");
    case SVC_AUTO_RESTART:
        fmt_timespan(span, sizeof(span), st->restart_delay, USEC_PER_MSEC);
        if (u->restart_steps) /* the delay grows (RestartSteps=): say which try comes */
            return put(out, size, "exited (%s%s%s); restarting in %s (try %u)", ex, sep, exec_error, span,
                       st->restarts + 1);
        return put(out, size, "exited (%s%s%s); restarting in %s", ex, sep, exec_error, span);
    case SVC_DEAD:
        if (st->condition_failed)
            return put(out, size, "start %s: %s", st->assert_failed ? "refused, an assertion failed" : "skipped",
                       st->condition_text);
        if (st->exit_code && !was_stopping(before))
            return put(out, size, "exited (%s)", ex);
        return put(out, size, "stopped");
    case SVC_FAILED:
        if (st->exit_code)
            return put(out, size, "failed (Result: %s; %s)%s%s", svc_result_name(st->result), ex, sep, exec_error);
        return put(out, size, "failed (Result: %s)%s%s", svc_result_name(st->result), sep, exec_error);
    }
    return false;
}

const char *svc_active_state(const struct svc *s)
{
    static const char *names[] = {"inactive", "activating", "activating", "activating", "active",
                                  "active", "reloading", "deactivating", "deactivating", "deactivating",
                                  "deactivating", "activating", "failed", "activating"};
    if (s->reloading && s->state == SVC_RUNNING)
        return "reloading";
    return names[s->state];
}

const char *svc_sub_state(const struct svc *s)
{
    static const char *names[] = {"dead", "start-pre", "start", "start-post", "running", "exited", "reload",
                                  "stop", "stop-sigterm", "stop-sigkill", "stop-post", "auto-restart", "failed",
                                  "condition"};
    if (s->reloading && s->state == SVC_RUNNING)
        return "reload";
    if (s->reload_wait != RELOAD_WAIT_NONE) /* Type=notify-reload, as systemd names these */
        return s->reload_wait == RELOAD_WAIT_SIGNAL ? "reload-signal" : "reload-notify";
    return names[s->state];
}

const char *svc_result_name(enum svc_result r)
{
    static const char *names[] = {"success", "resources", "exit-code", "signal", "core-dump",
                                  "timeout", "start-limit-hit", "protocol", "watchdog", "dependency", "oom-kill"};
    return names[r];
}
