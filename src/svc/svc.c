/* svc: the per-service state machine, as a set of transitions. See svc.h for the contract. (Over 800 lines
 * for a reason: every transition uses the same static steps, entering a state, running the next command,
 * finishing a stop; split, those would be exported for the machine's own parts. Its words are in
 * transition.c, the notify protocol's parsing in notify.c.) */
#include "svc.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_state(struct svc *s, enum svc_state st, uint64_t now_real)
{
    if (s->state == st)
        return;
    bool was_active = s->state == SVC_RUNNING || s->state == SVC_EXITED || s->state == SVC_RELOAD;
    if ((st == SVC_RUNNING || st == SVC_EXITED) && !was_active)
        s->active_since_real = now_real;
    s->state = st;
    s->since_real = now_real;
    if (st != SVC_RELOAD)
        s->reload_wait = RELOAD_WAIT_NONE;
}

void svc_init(struct svc *s, uint64_t now_real)
{
    memset(s, 0, sizeof(*s));
    s->state = SVC_DEAD;
    s->since_real = now_real;
}

bool svc_exit_clean(const struct unit *u, int code, int status)
{
    if (code == CLD_EXITED)
        return status == 0 || (status >= 0 && status < 256 && u->success_status[status]);
    if (status > 0 && status < (int)ARRAY_SIZE(u->success_signal) && u->success_signal[status])
        return true;
    /* systemd counts these deaths as clean, except for oneshot services */
    if (u->type != UNIT_ONESHOT && code == CLD_KILLED)
        return status == SIGHUP || status == SIGINT || status == SIGTERM || status == SIGPIPE;
    return false;
}

static enum svc_result exit_result(const struct unit *u, int code, int status)
{
    if (svc_exit_clean(u, code, status))
        return RESULT_SUCCESS;
    return code == CLD_EXITED ? RESULT_EXIT_CODE : code == CLD_DUMPED ? RESULT_CORE_DUMP : RESULT_SIGNAL;
}

/* Restart= as systemd's table: which results lead to a restart. */
static bool should_restart(const struct unit *u, enum svc_result r)
{
    switch (u->restart) {
    case RESTART_NO: return false;
    case RESTART_ALWAYS: return true;
    case RESTART_ON_SUCCESS: return r == RESULT_SUCCESS;
    case RESTART_ON_FAILURE: return r != RESULT_SUCCESS;
    case RESTART_ON_ABNORMAL:
        return r == RESULT_SIGNAL || r == RESULT_CORE_DUMP || r == RESULT_TIMEOUT || r == RESULT_WATCHDOG ||
               r == RESULT_OOM_KILL;
    case RESTART_ON_ABORT: return r == RESULT_SIGNAL || r == RESULT_CORE_DUMP;
    case RESTART_ON_WATCHDOG: return r == RESULT_WATCHDOG;
    }
    return false;
}

/* Restart= by the result, overruled by RestartPreventExitStatus= and RestartForceExitStatus= for the way
 * the main process ended */
static bool restart_wanted(const struct svc *s, const struct unit *u)
{
    int st = s->exit_status;
    if (s->exit_code == CLD_EXITED && st >= 0 && st < 256) {
        if (u->restart_prevent_status[st])
            return false;
        if (u->restart_force_status[st])
            return true;
    } else if ((s->exit_code == CLD_KILLED || s->exit_code == CLD_DUMPED) && st > 0 && st < 65) {
        if (u->restart_prevent_signal[st])
            return false;
        if (u->restart_force_signal[st])
            return true;
    }
    return should_restart(u, s->result);
}

/* systemd's start rate limit: at most StartLimitBurst starts within StartLimitIntervalSec. */
static bool start_limit_ok(struct svc *s, const struct unit *u, uint64_t now)
{
    if (u->start_limit_interval == 0 || u->start_limit_burst == 0)
        return true;
    if (s->limit_begin == 0 || now >= usec_add(s->limit_begin, u->start_limit_interval)) {
        s->limit_begin = now;
        s->limit_count = 0;
    }
    if (s->limit_count < u->start_limit_burst) {
        s->limit_count++;
        return true;
    }
    return false;
}

/* Only the main process counts for KillMode=process and none: leftovers are let go. */
static bool tracks_group(const struct unit *u)
{
    return u->kill_mode == KILL_CONTROL_GROUP || u->kill_mode == KILL_MIXED;
}

static bool is_stopping(enum svc_state st)
{
    return st == SVC_STOP || st == SVC_STOP_SIGTERM || st == SVC_STOP_SIGKILL || st == SVC_STOP_POST;
}

static bool is_starting(enum svc_state st)
{
    return st == SVC_CONDITION || st == SVC_START_PRE || st == SVC_START || st == SVC_START_POST;
}

/* The deadline span after now; 0 (none) for an infinite span or one past the end of time */
static uint64_t deadline_after(uint64_t now, uint64_t span)
{
    uint64_t d = usec_add(now, span);
    return d == USEC_INFINITY ? 0 : d;
}

static void arm(struct svc *s, uint64_t now, uint64_t timeout)
{
    s->deadline = deadline_after(now, timeout);
}

/* Run command cmd_index of a list: as the control process, or (ExecStart= but for forking) as the main one. */
static void run_cmd(struct svc *s, const struct unit *u, enum unit_exec list, struct svc_actions *a)
{
    a->spawn = true;
    a->spawn_list = list;
    a->spawn_main = list == UEXEC_START && u->type != UNIT_FORKING;
    if (!a->spawn_main)
        s->control_list = list;
}

/* Enter a state that runs a command list from its first command, under a timeout. */
static void run_list(struct svc *s, const struct unit *u, enum svc_state st, enum unit_exec list, uint64_t timeout,
                     uint64_t now, uint64_t now_real, struct svc_actions *a)
{
    s->cmd_index = 0;
    set_state(s, st, now_real);
    arm(s, now, timeout);
    run_cmd(s, u, list, a);
}

static void enter_running(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                          struct svc_actions *a);
static void enter_stop(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a);
static void enter_stop_signal(struct svc *s, const struct unit *u, int sig, uint64_t now, uint64_t now_real,
                              struct svc_actions *a);
static void enter_stop_post(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                            struct svc_actions *a);
static void finish_stop(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                        struct svc_actions *a);

static void enter_start(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a)
{
    s->cmd_index = 0;
    set_state(s, SVC_START, now_real);
    s->deadline = 0;
    /* the start types that wait for something (READY=1, the forking parent, the last command) time out */
    if (unit_is_notify(u) || u->type == UNIT_ONESHOT || u->type == UNIT_FORKING || u->type == UNIT_DBUS)
        arm(s, now, u->timeout_start);
    /* the watchdog runs from the start of the main process, as systemd's */
    s->watchdog_deadline = s->watchdog_usec ? deadline_after(now, s->watchdog_usec) : 0;
    run_cmd(s, u, UEXEC_START, a);
}

static void enter_start_post(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                             struct svc_actions *a)
{
    if (u->exec[UEXEC_START_POST].n == 0) {
        enter_running(s, u, now, now_real, a);
        return;
    }
    run_list(s, u, SVC_START_POST, UEXEC_START_POST, u->timeout_start, now, now_real, a);
}

static void enter_start_pre(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                            struct svc_actions *a)
{
    if (u->exec[UEXEC_START_PRE].n == 0)
        enter_start(s, u, now, now_real, a);
    else
        run_list(s, u, SVC_START_PRE, UEXEC_START_PRE, u->timeout_start, now, now_real, a);
}

static void do_spawn(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a)
{
    if (!start_limit_ok(s, u, now)) {
        s->result = RESULT_START_LIMIT;
        s->deadline = 0;
        set_state(s, SVC_FAILED, now_real);
        return;
    }
    s->result = RESULT_SUCCESS;
    s->cmd_index = 0;
    s->exit_code = s->exit_status = 0;
    s->stop_reason = STOP_NONE;
    s->deadline = 0;
    s->reloading = false;
    s->main_unknown = false;
    s->status_text[0] = 0;
    s->notify_errno = 0;
    s->condition_failed = s->assert_failed = false;
    s->condition_text[0] = 0;
    s->watchdog_usec = u->watchdog_usec;
    s->watchdog_deadline = 0;
    a->new_invocation = true;
    if (u->is_target) {
        set_state(s, SVC_EXITED, now_real); /* reached: nothing to run */
        return;
    }
    if (u->exec[UEXEC_CONDITION].n)
        run_list(s, u, SVC_CONDITION, UEXEC_CONDITION, u->timeout_start, now, now_real, a);
    else
        enter_start_pre(s, u, now, now_real, a);
}

void svc_start(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a)
{
    switch (s->state) {
    case SVC_CONDITION:
    case SVC_START_PRE:
    case SVC_START:
    case SVC_START_POST:
    case SVC_RUNNING:
    case SVC_EXITED:
    case SVC_RELOAD:
        return; /* already up */
    case SVC_STOP:
    case SVC_STOP_SIGTERM:
    case SVC_STOP_SIGKILL:
    case SVC_STOP_POST:
        s->start_after_stop = true;
        return;
    case SVC_FAILED:
        /* an explicit start after a failure clears it, as `systemctl reset-failed` would */
        s->limit_begin = 0;
        s->limit_count = 0;
        s->restarts = 0;
        s->backoff = 0;
        do_spawn(s, u, now, now_real, a);
        return;
    case SVC_DEAD:
        s->restarts = 0;
        s->backoff = 0;
        do_spawn(s, u, now, now_real, a);
        return;
    case SVC_AUTO_RESTART:
        do_spawn(s, u, now, now_real, a);
        return;
    }
}

/* Send sig as KillMode= says and wait for the processes to go, up to TimeoutStopSec=. */
static void enter_stop_signal(struct svc *s, const struct unit *u, int sig, uint64_t now, uint64_t now_real,
                              struct svc_actions *a)
{
    if (u->kill_mode == KILL_NONE && !s->control_pid) {
        /* as systemd: no signal at all; the unit is stopped and its processes are let go */
        s->main_pid = 0;
        enter_stop_post(s, u, now, now_real, a);
        return;
    }
    if (!tracks_group(u) && !s->main_pid && !s->control_pid) {
        enter_stop_post(s, u, now, now_real, a); /* KillMode=process: leftovers are let go */
        return;
    }
    set_state(s, SVC_STOP_SIGTERM, now_real);
    arm(s, now, u->timeout_stop);
    s->watchdog_deadline = 0;
    s->reloading = false;
    a->kill_signal = sig;
    a->also_sighup = u->send_sighup && sig != SIGHUP && sig != SIGKILL; /* SendSIGHUP= */
    switch (u->kill_mode) {
    case KILL_CONTROL_GROUP:
        a->kill_scope = KILL_SCOPE_ALL;
        break;
    case KILL_MIXED:
        /* SIGTERM to the main process; once it is gone, to whatever is left */
        a->kill_scope = s->main_pid ? KILL_SCOPE_MAIN : KILL_SCOPE_ALL;
        break;
    case KILL_PROCESS:
        a->kill_scope = s->main_pid ? KILL_SCOPE_MAIN : KILL_SCOPE_NONE;
        break;
    case KILL_NONE:
        a->kill_scope = KILL_SCOPE_NONE;
        break;
    }
    /* a control process still running (a start command that timed out) gets the signal too */
    a->kill_control = s->control_pid != 0 && u->kill_mode != KILL_NONE;
    if (a->kill_scope == KILL_SCOPE_NONE && !a->kill_control)
        a->kill_signal = 0;
    a->check_group = true;
}

static void enter_stop_sigterm(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                               struct svc_actions *a)
{
    /* RestartKillSignal= when the stop is the first half of a restart */
    int sig = s->restart_stop && u->restart_kill_signal ? u->restart_kill_signal : u->kill_signal;
    enter_stop_signal(s, u, sig, now, now_real, a);
}

/* ExecStop= runs only for a service that came up, as in systemd; then KillSignal= for what is left. */
static void enter_stop(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a)
{
    s->watchdog_deadline = 0;
    s->reloading = false;
    if (u->exec[UEXEC_STOP].n == 0 || s->control_pid) {
        enter_stop_sigterm(s, u, now, now_real, a);
        return;
    }
    run_list(s, u, SVC_STOP, UEXEC_STOP, u->timeout_stop, now, now_real, a);
}

static void enter_stop_post(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                            struct svc_actions *a)
{
    if (u->exec[UEXEC_STOP_POST].n == 0) {
        finish_stop(s, u, now, now_real, a);
        return;
    }
    run_list(s, u, SVC_STOP_POST, UEXEC_STOP_POST, u->timeout_stop, now, now_real, a);
}

/* All processes are gone: decide between dead, failed, exited and a restart. */
static void finish_stop(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                        struct svc_actions *a)
{
    enum svc_stop_reason why = s->stop_reason;
    s->stop_reason = STOP_NONE;
    s->restart_stop = false;
    s->deadline = 0;
    s->watchdog_deadline = 0;
    s->reloading = false;
    s->main_pid = 0;
    s->main_unknown = false;
    a->cleanup = true;
    if (why == STOP_MAIN_EXITED && restart_wanted(s, u)) {
        a->cleanup_for_restart = true;
        /* a run as long as the longest delay was a good one: the backoff starts over */
        if (s->up_since && u->restart_max_delay != USEC_INFINITY && now - s->up_since >= u->restart_max_delay)
            s->backoff = 0;
        set_state(s, SVC_AUTO_RESTART, now_real);
        /* RestartSec=infinity: the restart waits for a start by hand */
        s->restart_delay = svc_restart_delay(u, s->backoff);
        s->deadline = deadline_after(now, s->restart_delay);
        if (s->backoff < UINT_MAX)
            s->backoff++;
        return;
    }
    if (s->result == RESULT_SUCCESS)
        set_state(s, SVC_DEAD, now_real);
    else
        set_state(s, SVC_FAILED, now_real);
    if (s->start_after_stop && why != STOP_SHUTDOWN) {
        s->start_after_stop = false;
        s->restarts = 0;
        s->limit_begin = s->state == SVC_FAILED ? 0 : s->limit_begin;
        do_spawn(s, u, now, now_real, a);
    }
    s->start_after_stop = false;
}

/* The start ended before the service came up (result says how; a clean early exit stays a success):
 * stop what runs, run ExecStopPost=, then Restart= decides. */
static void fail_start(struct svc *s, const struct unit *u, enum svc_result r, uint64_t now, uint64_t now_real,
                       struct svc_actions *a)
{
    if (s->result == RESULT_SUCCESS)
        s->result = r;
    s->stop_reason = STOP_MAIN_EXITED;
    if (s->main_pid || s->control_pid || tracks_group(u))
        enter_stop_sigterm(s, u, now, now_real, a);
    else
        enter_stop_post(s, u, now, now_real, a);
}

/* RuntimeMaxSec= from now, and RuntimeRandomizedExtraSec= spread by the time itself (the machine draws no random
 * numbers; a start's microsecond is as good as one here); 0 for none */
static uint64_t runtime_deadline(const struct unit *u, uint64_t now)
{
    if (u->runtime_max == USEC_INFINITY)
        return 0;
    uint64_t extra = 0;
    if (u->runtime_extra && u->runtime_extra != USEC_INFINITY)
        extra = hash_fnv1a(&now, sizeof(now)) % (u->runtime_extra + 1);
    return deadline_after(now, usec_add(u->runtime_max, extra));
}

static void enter_running(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                          struct svc_actions *a)
{
    s->deadline = 0;
    if (s->result != RESULT_SUCCESS) {
        /* as systemd: a failure goes straight to KillSignal=, without ExecStop= */
        s->stop_reason = STOP_MAIN_EXITED;
        enter_stop_sigterm(s, u, now, now_real, a);
        return;
    }
    if (s->main_pid || s->main_unknown) {
        if (s->state != SVC_RUNNING) {
            s->up_since = now;
            s->runtime_deadline = runtime_deadline(u, now);
        }
        set_state(s, SVC_RUNNING, now_real);
        return;
    }
    /* no main process (it exited cleanly, or a oneshot finished) */
    if (u->remain_after_exit) {
        set_state(s, SVC_EXITED, now_real);
    } else {
        s->stop_reason = STOP_MAIN_EXITED;
        enter_stop(s, u, now, now_real, a);
    }
}

/* restart: the stop is the first half of a restart (its signal is RestartKillSignal=) */
static void stop_as(struct svc *s, const struct unit *u, enum svc_stop_reason why, bool restart, uint64_t now,
                    uint64_t now_real, struct svc_actions *a)
{
    s->start_after_stop = false;
    s->restart_stop = restart;
    switch (s->state) {
    case SVC_DEAD:
    case SVC_FAILED:
        return;
    case SVC_AUTO_RESTART:
        s->deadline = 0;
        set_state(s, s->result == RESULT_SUCCESS ? SVC_DEAD : SVC_FAILED, now_real);
        return;
    case SVC_STOP:
    case SVC_STOP_SIGTERM:
    case SVC_STOP_SIGKILL:
    case SVC_STOP_POST:
        /* already going down; a user stop or shutdown takes over a stop after the main exit */
        s->stop_reason = why;
        return;
    case SVC_CONDITION:
    case SVC_START_PRE:
    case SVC_START:
    case SVC_START_POST:
    case SVC_RUNNING:
    case SVC_EXITED:
    case SVC_RELOAD:
        s->stop_reason = why;
        if (s->state == SVC_EXITED)
            s->result = RESULT_SUCCESS;
        if (is_starting(s->state))
            enter_stop_sigterm(s, u, now, now_real, a); /* it never came up: no ExecStop= */
        else
            enter_stop(s, u, now, now_real, a);
        return;
    }
}

void svc_stop(struct svc *s, const struct unit *u, enum svc_stop_reason why, uint64_t now,
              uint64_t now_real, struct svc_actions *a)
{
    stop_as(s, u, why, false, now, now_real, a);
}

void svc_restart(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a)
{
    switch (s->state) {
    case SVC_DEAD:
    case SVC_FAILED:
    case SVC_AUTO_RESTART:
        svc_start(s, u, now, now_real, a);
        return;
    default:
        stop_as(s, u, STOP_USER, true, now, now_real, a);
        if (s->state == SVC_DEAD || s->state == SVC_FAILED)
            svc_start(s, u, now, now_real, a);
        else
            s->start_after_stop = true;
    }
}

bool svc_can_reload(const struct unit *u)
{
    return u->exec[UEXEC_RELOAD].n > 0 || u->type == UNIT_NOTIFY_RELOAD;
}

bool svc_reload(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a)
{
    if ((s->state != SVC_RUNNING && s->state != SVC_EXITED) || !svc_can_reload(u))
        return false;
    s->reload_result = RESULT_SUCCESS;
    s->reload_done = false;
    s->reload_exited = s->state == SVC_EXITED; /* RemainAfterExit=yes: reloadable too, as in systemd */
    /* Type=notify-reload: the signal first, then ExecReload= if there is one too (as systemd) */
    bool signal = u->type == UNIT_NOTIFY_RELOAD && s->main_pid;
    if (signal) {
        a->kill_signal = u->reload_signal;
        a->kill_scope = KILL_SCOPE_MAIN;
        s->reload_begin = now;
    }
    if (u->exec[UEXEC_RELOAD].n) {
        run_list(s, u, SVC_RELOAD, UEXEC_RELOAD, u->timeout_start, now, now_real, a);
    } else if (signal) {
        set_state(s, SVC_RELOAD, now_real);
        arm(s, now, u->timeout_start);
        s->reload_wait = RELOAD_WAIT_SIGNAL;
    } else {
        s->reload_done = true; /* no main process to tell and no command: nothing to do, done */
    }
    return true;
}

static void end_reload(struct svc *s, enum svc_result r, uint64_t now_real)
{
    s->reload_result = r;
    s->reload_done = true;
    s->deadline = 0;
    set_state(s, s->reload_exited ? SVC_EXITED : SVC_RUNNING, now_real);
}

void svc_spawned(struct svc *s, const struct unit *u, int pid, bool main, uint64_t now, uint64_t now_real,
                 struct svc_actions *a)
{
    if (!main) {
        s->control_pid = pid;
        return;
    }
    s->main_pid = pid;
    s->last_pid = pid;
    /* Type=simple is up as soon as the process exists; exec, notify and oneshot wait */
    if (u->type == UNIT_SIMPLE && s->state == SVC_START)
        enter_start_post(s, u, now, now_real, a);
}

void svc_bus_name_owned(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a)
{
    if (u->type == UNIT_DBUS && s->state == SVC_START && s->main_pid)
        enter_start_post(s, u, now, now_real, a);
}

void svc_exec_ok(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a)
{
    if (u->type == UNIT_EXEC && s->state == SVC_START && s->main_pid)
        enter_start_post(s, u, now, now_real, a);
}

void svc_spawn_failed(struct svc *s, const struct unit *u, bool main, uint64_t now, uint64_t now_real,
                      struct svc_actions *a)
{
    if (main)
        s->main_pid = 0;
    else
        s->control_pid = 0;
    if (s->state == SVC_RELOAD) {
        end_reload(s, RESULT_RESOURCES, now_real);
        return;
    }
    if (is_starting(s->state)) {
        if (s->state == SVC_CONDITION || s->state == SVC_START_PRE ||
            (s->state == SVC_START && u->exec[UEXEC_START_PRE].n == 0 &&
                                          !s->main_pid && !s->control_pid && s->cmd_index == 0)) {
            /* nothing of this start ran: nothing to stop */
            s->result = RESULT_RESOURCES;
            s->stop_reason = STOP_MAIN_EXITED;
            enter_stop_post(s, u, now, now_real, a);
            return;
        }
        fail_start(s, u, RESULT_RESOURCES, now, now_real, a);
        return;
    }
    /* ExecStop= or ExecStopPost= could not be started: go on as if it had failed */
    svc_control_exited(s, u, CLD_EXITED, 1, now, now_real, a);
}

/* The next command of the list the control process runs, or false when the list is done. */
static bool next_cmd(struct svc *s, const struct unit *u, struct svc_actions *a)
{
    if (s->cmd_index + 1 >= u->exec[s->control_list].n)
        return false;
    s->cmd_index++;
    run_cmd(s, u, s->control_list, a);
    return true;
}

void svc_condition_failed(struct svc *s, bool assert, const char *why, uint64_t now_real)
{
    s->condition_failed = true;
    s->assert_failed = assert;
    snprintf(s->condition_text, sizeof(s->condition_text), "%s", why);
    s->deadline = 0;
    s->watchdog_deadline = 0;
    s->control_pid = 0;
    s->result = RESULT_SUCCESS;
    set_state(s, SVC_DEAD, now_real);
}

void svc_dependency_failed(struct svc *s, uint64_t now_real)
{
    if (s->state != SVC_DEAD && s->state != SVC_FAILED)
        return;
    s->result = RESULT_DEPENDENCY;
    set_state(s, SVC_FAILED, now_real);
}

void svc_control_exited(struct svc *s, const struct unit *u, int code, int status, uint64_t now,
                        uint64_t now_real, struct svc_actions *a)
{
    s->control_pid = 0;
    const struct exec_list *l = &u->exec[s->control_list];
    const struct exec_cmd *cmd = s->cmd_index < l->n ? &l->v[s->cmd_index] : NULL;
    bool ignore = cmd && (cmd->flags & EXEC_IGNORE_FAILURE);
    enum svc_result r = ignore ? RESULT_SUCCESS : exit_result(u, code, status);
    if (r != RESULT_SUCCESS) {
        s->exit_code = code;
        s->exit_status = status;
    }
    switch (s->state) {
    case SVC_CONDITION:
        if (!ignore && code == CLD_EXITED && status >= 1 && status <= 254) {
            /* as systemd: 1-254 skips the start, without failing it; 255 or a signal fails it */
            char why[128];
            snprintf(why, sizeof(why), "ExecCondition= exited with status %d", status);
            s->exit_code = s->exit_status = 0;
            svc_condition_failed(s, false, why, now_real);
            a->cleanup = true;
        } else if (r != RESULT_SUCCESS) {
            fail_start(s, u, r, now, now_real, a);
        } else if (!next_cmd(s, u, a)) {
            enter_start_pre(s, u, now, now_real, a);
        }
        return;
    case SVC_START_PRE:
        if (r != RESULT_SUCCESS)
            fail_start(s, u, r, now, now_real, a);
        else if (!next_cmd(s, u, a))
            enter_start(s, u, now, now_real, a);
        return;
    case SVC_START:
        /* Type=forking: the start command returned; its daemon is the main process now */
        if (r != RESULT_SUCCESS) {
            fail_start(s, u, r, now, now_real, a);
            return;
        }
        a->find_main = true;
        return;
    case SVC_START_POST:
        if (r != RESULT_SUCCESS)
            fail_start(s, u, r, now, now_real, a);
        else if (!next_cmd(s, u, a))
            enter_running(s, u, now, now_real, a);
        return;
    case SVC_RELOAD:
        if (r != RESULT_SUCCESS)
            end_reload(s, r, now_real);
        else if (next_cmd(s, u, a))
            ;
        else if (s->reloading && s->main_pid)
            s->reload_wait = RELOAD_WAIT_NOTIFY; /* it said RELOADING=1 and not READY=1 yet: wait for that */
        else
            end_reload(s, RESULT_SUCCESS, now_real);
        /* the main process may have gone meanwhile */
        if (s->state == SVC_RUNNING && !s->main_pid && !s->main_unknown)
            enter_running(s, u, now, now_real, a);
        return;
    case SVC_STOP:
        /* a failing ExecStop= does not fail the service; the rest of the stop goes on */
        if (r != RESULT_SUCCESS || !next_cmd(s, u, a))
            enter_stop_sigterm(s, u, now, now_real, a);
        return;
    case SVC_STOP_SIGTERM:
    case SVC_STOP_SIGKILL:
        a->check_group = true;
        return;
    case SVC_STOP_POST:
        if (r != RESULT_SUCCESS || !next_cmd(s, u, a))
            finish_stop(s, u, now, now_real, a);
        return;
    default:
        return;
    }
}

void svc_main_found(struct svc *s, const struct unit *u, int pid, uint64_t now, uint64_t now_real,
                    struct svc_actions *a)
{
    if (s->state != SVC_START)
        return;
    if (pid > 0) {
        s->main_pid = s->last_pid = pid;
        s->main_unknown = false;
    } else {
        s->main_unknown = true;
    }
    enter_start_post(s, u, now, now_real, a);
}

void svc_main_exited(struct svc *s, const struct unit *u, int code, int status, uint64_t now,
                     uint64_t now_real, struct svc_actions *a)
{
    s->main_pid = 0;
    s->exit_code = code;
    s->exit_status = status;
    const struct exec_list *l = &u->exec[UEXEC_START];
    const struct exec_cmd *cmd =
        u->type == UNIT_ONESHOT && s->cmd_index < l->n ? &l->v[s->cmd_index] : l->n ? &l->v[0] : NULL;
    bool ignore = cmd && (cmd->flags & EXEC_IGNORE_FAILURE);
    enum svc_result r = ignore ? RESULT_SUCCESS : exit_result(u, code, status);
    /* systemd: a notify service whose main process ends cleanly without ever saying READY=1 failed, and
     * a dbus one that never took its name */
    if ((unit_is_notify(u) || u->type == UNIT_DBUS) && s->state == SVC_START && r == RESULT_SUCCESS)
        r = RESULT_PROTOCOL;
    s->watchdog_deadline = 0;

    switch (s->state) {
    case SVC_START:
        if (u->type == UNIT_ONESHOT && r == RESULT_SUCCESS) {
            if (s->cmd_index + 1 < l->n) {
                s->cmd_index++;
                run_cmd(s, u, UEXEC_START, a);
                return;
            }
            enter_start_post(s, u, now, now_real, a);
            return;
        }
        if (u->type == UNIT_FORKING)
            return; /* an early main process of a forking service: the start command decides */
        /* gone before it was up (exec before its exec was confirmed, notify before READY=1, a oneshot
         * command that failed); a clean exit stays a success */
        fail_start(s, u, r, now, now_real, a);
        return;
    case SVC_RELOAD:
        if (!s->control_pid) {
            /* nothing runs for the reload (it waited for the main process to say RELOADING=1 and READY=1):
             * it ends with the main process, and the service as after a crash */
            end_reload(s, r == RESULT_SUCCESS ? RESULT_PROTOCOL : r, now_real);
            if (s->result == RESULT_SUCCESS)
                s->result = r;
            enter_running(s, u, now, now_real, a);
            return;
        }
        /* fall through */
    case SVC_START_POST:
        /* the control command goes on; enter_running sees the main process gone when it is done */
        if (s->result == RESULT_SUCCESS)
            s->result = r;
        return;
    case SVC_RUNNING:
        if (s->result == RESULT_SUCCESS)
            s->result = r;
        enter_running(s, u, now, now_real, a);
        return;
    case SVC_STOP:
        return; /* ExecStop= ended it, as it should */
    case SVC_STOP_SIGTERM:
    case SVC_STOP_SIGKILL:
        /* killed by our own KillSignal or SIGKILL counts as a clean stop */
        if (r != RESULT_SUCCESS &&
            !(code != CLD_EXITED && (status == u->kill_signal || status == SIGKILL || status == u->final_kill_signal ||
                                     status == u->restart_kill_signal || (u->send_sighup && status == SIGHUP))) &&
            s->result == RESULT_SUCCESS)
            s->result = r;
        if (!tracks_group(u) && !s->control_pid) {
            enter_stop_post(s, u, now, now_real, a);
            return;
        }
        if (u->kill_mode == KILL_MIXED && s->state == SVC_STOP_SIGTERM) {
            a->kill_signal = u->kill_signal; /* the main process is gone: now the rest */
            a->kill_scope = KILL_SCOPE_ALL;
        }
        a->check_group = true;
        return;
    default:
        return; /* a late exit after the service gave up on its processes */
    }
}

void svc_group_empty(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                     struct svc_actions *a)
{
    if ((s->state == SVC_STOP_SIGTERM || s->state == SVC_STOP_SIGKILL) && s->main_pid == 0 && s->control_pid == 0)
        enter_stop_post(s, u, now, now_real, a);
    else if (s->state == SVC_START && u->type == UNIT_FORKING && s->main_pid == 0 && s->control_pid == 0)
        fail_start(s, u, RESULT_PROTOCOL, now, now_real, a); /* the daemon died before its PID file was read */
    else if (s->state == SVC_RUNNING && s->main_unknown) {
        /* a forking service whose main process was never known: its last process is gone */
        s->main_unknown = false;
        s->stop_reason = STOP_MAIN_EXITED;
        enter_stop(s, u, now, now_real, a);
    }
}

static void watchdog_fire(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                          struct svc_actions *a)
{
    s->watchdog_deadline = 0;
    if (s->state != SVC_START && s->state != SVC_START_POST && s->state != SVC_RUNNING && s->state != SVC_RELOAD)
        return;
    s->result = RESULT_WATCHDOG;
    s->stop_reason = STOP_MAIN_EXITED; /* Restart= decides, as after a crash */
    /* WatchdogSignal=, SIGABRT by default so the hung process leaves a core dump */
    enter_stop_signal(s, u, u->watchdog_signal, now, now_real, a);
}

uint64_t svc_restart_delay(const struct unit *u, unsigned step)
{
    uint64_t r0 = u->restart_sec, rn = u->restart_max_delay;
    if (u->restart_steps == 0 || rn == USEC_INFINITY || r0 == USEC_INFINITY || r0 >= rn || step == 0)
        return r0;
    if (step >= u->restart_steps)
        return rn;
    /* r_i = r_0 * (r_n / r_0) ^ (i / n); from 1 ms when RestartSec=0. The n-th root q of r_n / r_0 by
     * bisection (no libm), then r_0 * q^i */
    double base = r0 ? (double)r0 : 1000.0, ratio = (double)rn / base;
    unsigned n = u->restart_steps;
    double lo = 1.0, hi = ratio, q = ratio;
    for (int k = 0; k < 100; k++) {
        q = (lo + hi) / 2;
        double p = 1.0;
        for (unsigned j = 0; j < n && p <= ratio; j++)
            p *= q;
        if (p > ratio)
            hi = q;
        else
            lo = q;
    }
    double v = base;
    for (unsigned i = 0; i < step; i++)
        v *= q;
    return v >= (double)rn ? rn : (uint64_t)v;
}

void svc_oom(struct svc *s, const struct unit *u, bool main_killed, uint64_t now, uint64_t now_real,
             struct svc_actions *a)
{
    if (u->oom_policy == OOM_CONTINUE)
        return;
    if (main_killed) {
        if (s->state != SVC_DEAD && s->state != SVC_FAILED && s->state != SVC_AUTO_RESTART &&
            s->result == RESULT_SUCCESS)
            s->result = RESULT_OOM_KILL;
        return;
    }
    switch (s->state) {
    case SVC_CONDITION:
    case SVC_START_PRE:
    case SVC_START:
    case SVC_START_POST:
        fail_start(s, u, RESULT_OOM_KILL, now, now_real, a);
        return;
    case SVC_RUNNING:
    case SVC_EXITED:
        if (s->result == RESULT_SUCCESS)
            s->result = RESULT_OOM_KILL;
        s->stop_reason = STOP_MAIN_EXITED; /* Restart= decides, as after a crash */
        enter_stop(s, u, now, now_real, a);
        return;
    case SVC_STOP:
    case SVC_STOP_SIGTERM:
    case SVC_STOP_SIGKILL:
    case SVC_STOP_POST:
        /* already on its way down: the kill is what it ended with */
        if (s->result == RESULT_SUCCESS)
            s->result = RESULT_OOM_KILL;
        return;
    default:
        return; /* down, or a reload under way (as systemd: left alone) */
    }
}

void svc_timer(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a)
{
    if (s->watchdog_deadline && now >= s->watchdog_deadline) {
        watchdog_fire(s, u, now, now_real, a);
        return;
    }
    if (s->state == SVC_RUNNING && s->runtime_deadline && now >= s->runtime_deadline) {
        /* RuntimeMaxSec= passed: a stop as asked for (ExecStop=, KillSignal=), but failed with Result: timeout,
         * and Restart= decides, as systemd */
        s->runtime_deadline = 0;
        s->result = RESULT_TIMEOUT;
        s->stop_reason = STOP_MAIN_EXITED;
        enter_stop(s, u, now, now_real, a);
        return;
    }
    if (s->deadline == 0 || now < s->deadline)
        return;
    s->deadline = 0;
    switch (s->state) {
    case SVC_CONDITION:
    case SVC_START_PRE:
    case SVC_START:
    case SVC_START_POST:
        /* TimeoutStartSec= passed: the start failed; stop what runs, then Restart= decides */
        fail_start(s, u, RESULT_TIMEOUT, now, now_real, a);
        return;
    case SVC_RELOAD:
        if (s->control_pid) {
            a->kill_signal = SIGKILL;
            a->kill_control = true;
        }
        end_reload(s, RESULT_TIMEOUT, now_real);
        return;
    case SVC_STOP:
        /* ExecStop= took too long: on with KillSignal= (the stop command gets it too) */
        enter_stop_sigterm(s, u, now, now_real, a);
        return;
    case SVC_AUTO_RESTART:
        s->restarts++;
        do_spawn(s, u, now, now_real, a);
        return;
    case SVC_STOP_SIGTERM:
        s->result = RESULT_TIMEOUT;
        if (!u->send_sigkill) {
            /* SendSIGKILL=no: as systemd, what is left is left; the unit is down */
            s->main_pid = 0;
            s->control_pid = 0;
            enter_stop_post(s, u, now, now_real, a);
            return;
        }
        /* FinalKillSignal= (SIGKILL) to everything, even if the main process already left */
        set_state(s, SVC_STOP_SIGKILL, now_real);
        arm(s, now, u->timeout_stop);
        a->kill_signal = u->final_kill_signal;
        a->kill_scope = tracks_group(u) ? KILL_SCOPE_ALL : KILL_SCOPE_MAIN;
        a->kill_control = s->control_pid != 0;
        a->check_group = true;
        return;
    case SVC_STOP_SIGKILL:
        /* processes that survive SIGKILL (uninterruptible sleep): give up on them, as systemd does */
        s->main_pid = 0;
        s->control_pid = 0;
        enter_stop_post(s, u, now, now_real, a);
        return;
    case SVC_STOP_POST:
        /* ExecStopPost= took too long: SIGKILL it (its exit, when reaped, is ignored) and finish */
        a->kill_signal = SIGKILL;
        a->kill_control = true;
        finish_stop(s, u, now, now_real, a);
        return;
    default:
        return;
    }
}

bool svc_is_active(const struct svc *s)
{
    return s->state == SVC_RUNNING || s->state == SVC_EXITED || s->state == SVC_RELOAD;
}

bool svc_is_settled(const struct svc *s)
{
    return s->state == SVC_DEAD || s->state == SVC_FAILED || s->state == SVC_RUNNING || s->state == SVC_EXITED;
}

bool svc_is_stopping(const struct svc *s)
{
    return is_stopping(s->state);
}

bool svc_is_starting(const struct svc *s)
{
    return is_starting(s->state);
}

/* The earlier of two deadlines, 0 meaning none */
static uint64_t earlier(uint64_t a, uint64_t b)
{
    return a && b ? (a < b ? a : b) : a ? a : b;
}

uint64_t svc_next_deadline(const struct svc *s)
{
    /* RuntimeMaxSec= counts while running; a reload under way ends first (its own timeout), then it applies */
    uint64_t runtime = s->state == SVC_RUNNING ? s->runtime_deadline : 0;
    return earlier(earlier(s->deadline, s->watchdog_deadline), runtime);
}

void svc_notify(struct svc *s, const struct unit *u, const struct svc_notify_msg *m, uint64_t now,
                uint64_t now_real, struct svc_actions *a)
{
    if (m->has_status)
        memcpy(s->status_text, m->status, sizeof(s->status_text));
    if (m->has_errno)
        s->notify_errno = m->errno_value;
    bool up = s->state == SVC_START || s->state == SVC_START_POST || s->state == SVC_RUNNING ||
              s->state == SVC_RELOAD;
    if (m->watchdog_usec && up) {
        s->watchdog_usec = m->watchdog_usec;
        s->watchdog_deadline = deadline_after(now, s->watchdog_usec);
    }
    if (m->watchdog && up && s->watchdog_usec)
        s->watchdog_deadline = deadline_after(now, s->watchdog_usec);
    if (m->extend_timeout_usec && s->deadline &&
        (is_starting(s->state) || is_stopping(s->state) || s->state == SVC_RELOAD) &&
        usec_add(now, m->extend_timeout_usec) > s->deadline)
        s->deadline = deadline_after(now, m->extend_timeout_usec);
    /* as systemd: while running it is RuntimeMaxSec='s deadline that EXTEND_TIMEOUT_USEC= moves */
    if (m->extend_timeout_usec && s->runtime_deadline && s->state == SVC_RUNNING &&
        usec_add(now, m->extend_timeout_usec) > s->runtime_deadline)
        s->runtime_deadline = deadline_after(now, m->extend_timeout_usec);
    if (m->watchdog_trigger && up) {
        watchdog_fire(s, u, now, now_real, a);
        return;
    }
    if (m->stopping && up) {
        /* the service is going down by itself: no signal, but TimeoutStopSec= now runs */
        s->stop_reason = STOP_MAIN_EXITED;
        set_state(s, SVC_STOP_SIGTERM, now_real);
        s->deadline = deadline_after(now, u->timeout_stop);
        s->watchdog_deadline = 0;
        s->reloading = false;
        return;
    }
    if (m->reloading && (s->state == SVC_RUNNING || s->state == SVC_RELOAD))
        s->reloading = true;
    /* Type=notify-reload after its signal: a RELOADING=1 from before the signal is another reload's */
    bool after_signal = m->reloading && m->has_monotonic && m->monotonic_usec >= s->reload_begin;
    if (s->state == SVC_RELOAD && s->reload_wait == RELOAD_WAIT_SIGNAL && after_signal)
        s->reload_wait = RELOAD_WAIT_NOTIFY;
    if (m->ready) {
        if (!m->reloading)
            s->reloading = false;
        if (s->state == SVC_START && unit_is_notify(u))
            enter_start_post(s, u, now, now_real, a);
        else if (s->state == SVC_RELOAD && s->reload_wait == RELOAD_WAIT_NOTIFY) {
            s->reloading = false;
            end_reload(s, RESULT_SUCCESS, now_real);
        }
    }
}
