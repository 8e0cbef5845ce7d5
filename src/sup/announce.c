/* sup/announce: what oya says on stderr about each service: one line for every state change worth
 * knowing about (started, exited with what status, restarting in how long, failed and why). */
#include "sup_int.h"

#include "../exec/exec.h"

#include <stdio.h>
#include <sys/wait.h>

/* A line on oya's stderr, and the same words in the service's log (priority: err for failures, else
 * info), so the log tells the service's whole story in order, as systemd's messages in the journal do */
static void say(struct sup *s, struct service *svc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(struct sup *s, struct service *svc, const char *fmt, ...)
{
    struct buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_printf(&b, "oya: %s: ", svc->unit->name);
    size_t text = b.len;
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    bool bad = svc->st.state == SVC_FAILED || svc->st.result != RESULT_SUCCESS;
    sup_journal_add(s, svc, LOG_OYA, bad ? 3 : 6, b.p + text, b.len - text);
    if (!s->quiet) {
        buf_putc(&b, '\n');
        fd_write_all(2, b.p, b.len);
    }
    buf_free(&b);
}

/* One line on stderr for every state change worth knowing about. */
void sup_announce(struct sup *s, struct service *svc, enum svc_state before)
{
    const struct svc *st = &svc->st;
    if (st->state == before)
        return;
    if (s->ntracers)
        sup_trace(s, "state", st->main_pid, svc, svc_active_state(st), svc_sub_state(st), (const char *)NULL);
    char ex[96], span[64];
    switch (st->state) {
    case SVC_RUNNING:
        if (before == SVC_RELOAD)
            say(s, svc, "reloaded%s", st->reload_result == RESULT_SUCCESS ? "" : " (ExecReload= failed)");
        else if (st->main_pid)
            say(s, svc, "started, main pid %d", st->main_pid);
        else
            say(s, svc, "started, main pid unknown (no PIDFile=, and no single process to take)");
        break;
    case SVC_CONDITION: say(s, svc, "starting: ExecCondition=, pid %d", st->control_pid); break;
    case SVC_START_PRE: say(s, svc, "starting: ExecStartPre=, pid %d", st->control_pid); break;
    case SVC_START: say(s, svc, "starting, pid %d", st->main_pid ? st->main_pid : st->control_pid); break;
    case SVC_START_POST: break;
    case SVC_RELOAD: say(s, svc, "reloading: ExecReload=, pid %d", st->control_pid); break;
    case SVC_STOP:
        if (st->stop_reason == STOP_MAIN_EXITED && st->main_pid == 0) {
            exit_text(ex, sizeof(ex), st->exit_code, st->exit_status);
            say(s, svc, "main process exited (%s); ExecStop=, pid %d", ex, st->control_pid);
        } else {
            say(s, svc, "stopping: ExecStop=, pid %d", st->control_pid);
        }
        break;
    case SVC_STOP_POST: break;
    case SVC_EXITED:
        if (before == SVC_RELOAD)
            say(s, svc, "reloaded%s", st->reload_result == RESULT_SUCCESS ? "" : " (ExecReload= failed)");
        else
            say(s, svc, "finished; remains active (RemainAfterExit=yes)");
        break;
    case SVC_STOP_SIGTERM:
        if (st->stop_reason == STOP_MAIN_EXITED && st->result == RESULT_PROTOCOL && before == SVC_START &&
            svc->unit->type == UNIT_FORKING && !st->exit_code) {
            say(s, svc, "the start command returned, and no process of the service is left to be its main process "
                     "(no PID file, Result: protocol); stopping");
        } else if (st->stop_reason == STOP_MAIN_EXITED && st->result != RESULT_TIMEOUT &&
            (before == SVC_CONDITION || before == SVC_START_PRE || before == SVC_START_POST ||
             (before == SVC_START && svc->unit->type == UNIT_FORKING))) {
            exit_text(ex, sizeof(ex), st->exit_code, st->exit_status);
            say(s, svc, "%s failed (%s); stopping", unit_exec_name(st->control_list), ex);
        } else if (st->stop_reason == STOP_MAIN_EXITED && st->main_pid == 0) {
            exit_text(ex, sizeof(ex), st->exit_code, st->exit_status);
            say(s, svc, "main process exited (%s); stopping what is left", ex);
        } else if (st->stop_reason == STOP_MAIN_EXITED && st->result == RESULT_TIMEOUT) {
            say(s, svc, "start timed out (TimeoutStartSec=); stopping");
        } else if (st->stop_reason == STOP_MAIN_EXITED && st->result == RESULT_WATCHDOG) {
            say(s, svc, "watchdog timeout (WatchdogSec=, no WATCHDOG=1); sending SIGABRT");
        } else if (st->stop_reason == STOP_MAIN_EXITED && st->result != RESULT_SUCCESS) {
            exit_text(ex, sizeof(ex), st->exit_code, st->exit_status);
            say(s, svc, "%s failed (%s); stopping", unit_exec_name(st->control_list), ex);
        } else if (st->stop_reason == STOP_MAIN_EXITED) {
            say(s, svc, "stopping by itself (STOPPING=1)");
        } else {
            say(s, svc, "stopping");
        }
        break;
    case SVC_STOP_SIGKILL: say(s, svc, "stop timed out; sending SIGKILL"); break;
    case SVC_AUTO_RESTART:
        exit_text(ex, sizeof(ex), st->exit_code, st->exit_status);
        fmt_timespan(span, sizeof(span), st->restart_delay, USEC_PER_MSEC);
        if (svc->unit->restart_steps) /* the delay grows (RestartSteps=): say which try comes */
            say(s, svc, "exited (%s%s%s); restarting in %s (try %u)", ex, svc->exec_error[0] ? ": " : "",
                svc->exec_error, span, st->restarts + 1);
        else
            say(s, svc, "exited (%s%s%s); restarting in %s", ex, svc->exec_error[0] ? ": " : "", svc->exec_error, span);
        break;
    case SVC_DEAD:
        if (st->condition_failed)
            say(s, svc, "start %s: %s", st->assert_failed ? "refused, an assertion failed" : "skipped",
                st->condition_text);
        else if (st->exit_code && before != SVC_STOP_SIGTERM && before != SVC_STOP_SIGKILL && before != SVC_STOP &&
                 before != SVC_STOP_POST && before != SVC_EXITED) {
            exit_text(ex, sizeof(ex), st->exit_code, st->exit_status);
            say(s, svc, "exited (%s)", ex);
        } else {
            say(s, svc, "stopped");
        }
        break;
    case SVC_FAILED:
        if (st->exit_code) {
            exit_text(ex, sizeof(ex), st->exit_code, st->exit_status);
            say(s, svc, "failed (Result: %s; %s)%s%s", svc_result_name(st->result), ex,
                svc->exec_error[0] ? ": " : "", svc->exec_error);
        } else {
            say(s, svc, "failed (Result: %s)%s%s", svc_result_name(st->result), svc->exec_error[0] ? ": " : "",
                svc->exec_error);
        }
        break;
    }
}
