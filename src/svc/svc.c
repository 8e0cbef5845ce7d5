/* svc: the per-service state machine, as a set of transitions. See svc.h for the contract. */
#include "svc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static void set_state(struct svc *s, enum svc_state st, uint64_t now_real)
{
    if (s->state == st)
        return;
    if ((st == SVC_RUNNING || st == SVC_EXITED) && s->state != SVC_RUNNING && s->state != SVC_EXITED)
        s->active_since_real = now_real;
    s->state = st;
    s->since_real = now_real;
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
        return r == RESULT_SIGNAL || r == RESULT_CORE_DUMP || r == RESULT_TIMEOUT || r == RESULT_WATCHDOG;
    case RESTART_ON_ABORT: return r == RESULT_SIGNAL || r == RESULT_CORE_DUMP;
    case RESTART_ON_WATCHDOG: return r == RESULT_WATCHDOG;
    }
    return false;
}

/* systemd's start rate limit: at most StartLimitBurst starts within StartLimitIntervalSec. */
static bool start_limit_ok(struct svc *s, const struct unit *u, uint64_t now)
{
    if (u->start_limit_interval == 0 || u->start_limit_burst == 0)
        return true;
    if (s->limit_begin == 0 || now >= s->limit_begin + u->start_limit_interval) {
        s->limit_begin = now;
        s->limit_count = 0;
    }
    if (s->limit_count < u->start_limit_burst) {
        s->limit_count++;
        return true;
    }
    return false;
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
    s->status_text[0] = 0;
    s->notify_errno = 0;
    s->watchdog_usec = u->watchdog_usec;
    /* the watchdog runs from the start of the main process, as systemd's */
    s->watchdog_deadline = s->watchdog_usec ? now + s->watchdog_usec : 0;
    /* the start types that wait for something (READY=1, the last command) have a start timeout */
    if ((u->type == UNIT_NOTIFY || u->type == UNIT_ONESHOT) && u->timeout_start != USEC_INFINITY)
        s->deadline = now + u->timeout_start;
    set_state(s, SVC_START, now_real);
    a->spawn = true;
}

void svc_start(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a)
{
    switch (s->state) {
    case SVC_START:
    case SVC_RUNNING:
    case SVC_EXITED:
        return; /* already up */
    case SVC_STOP_SIGTERM:
    case SVC_STOP_SIGKILL:
        s->start_after_stop = true;
        return;
    case SVC_FAILED:
        /* an explicit start after a failure clears it, as `systemctl reset-failed` would */
        s->limit_begin = 0;
        s->limit_count = 0;
        s->restarts = 0;
        do_spawn(s, u, now, now_real, a);
        return;
    case SVC_DEAD:
        s->restarts = 0;
        do_spawn(s, u, now, now_real, a);
        return;
    case SVC_AUTO_RESTART:
        do_spawn(s, u, now, now_real, a);
        return;
    }
}

/* Send KillSignal= as KillMode= says and wait for the processes to go, up to TimeoutStopSec=. */
static void enter_stop_signal(struct svc *s, const struct unit *u, int sig, uint64_t now, uint64_t now_real,
                              struct svc_actions *a)
{
    set_state(s, SVC_STOP_SIGTERM, now_real);
    s->deadline = u->timeout_stop == USEC_INFINITY ? 0 : now + u->timeout_stop;
    s->watchdog_deadline = 0;
    s->reloading = false;
    a->kill_signal = sig;
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
    if (a->kill_scope == KILL_SCOPE_NONE)
        a->kill_signal = 0;
    a->check_group = true;
}

static void enter_stop_sigterm(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                               struct svc_actions *a)
{
    enter_stop_signal(s, u, u->kill_signal, now, now_real, a);
}

/* Only the main process counts for KillMode=process and none: leftovers are let go. */
static bool tracks_group(const struct unit *u)
{
    return u->kill_mode == KILL_CONTROL_GROUP || u->kill_mode == KILL_MIXED;
}

/* All processes are gone: decide between dead, failed, exited and a restart. */
static void finish_stop(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                        struct svc_actions *a)
{
    enum svc_stop_reason why = s->stop_reason;
    s->stop_reason = STOP_NONE;
    s->deadline = 0;
    s->watchdog_deadline = 0;
    s->reloading = false;
    s->main_pid = 0;
    if (why == STOP_MAIN_EXITED && should_restart(u, s->result)) {
        set_state(s, SVC_AUTO_RESTART, now_real);
        s->deadline = now + u->restart_sec;
        if (s->deadline == 0)
            s->deadline = 1;
        return;
    }
    if (s->result == RESULT_SUCCESS)
        set_state(s, why == STOP_MAIN_EXITED && u->remain_after_exit ? SVC_EXITED : SVC_DEAD, now_real);
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

void svc_stop(struct svc *s, const struct unit *u, enum svc_stop_reason why, uint64_t now,
              uint64_t now_real, struct svc_actions *a)
{
    s->start_after_stop = false;
    switch (s->state) {
    case SVC_DEAD:
    case SVC_FAILED:
        return;
    case SVC_AUTO_RESTART:
        s->deadline = 0;
        set_state(s, s->result == RESULT_SUCCESS ? SVC_DEAD : SVC_FAILED, now_real);
        return;
    case SVC_STOP_SIGTERM:
    case SVC_STOP_SIGKILL:
        /* already going down; a user stop or shutdown takes over a stop after the main exit */
        s->stop_reason = why;
        return;
    case SVC_START:
    case SVC_RUNNING:
    case SVC_EXITED:
        s->stop_reason = why;
        if (s->state == SVC_EXITED)
            s->result = RESULT_SUCCESS;
        if (u->kill_mode == KILL_NONE) {
            /* as systemd: no signal at all; the unit is stopped and its processes are let go */
            finish_stop(s, u, now, now_real, a);
            return;
        }
        enter_stop_sigterm(s, u, now, now_real, a);
        return;
    }
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
        svc_stop(s, u, STOP_USER, now, now_real, a);
        if (s->state == SVC_DEAD || s->state == SVC_FAILED)
            svc_start(s, u, now, now_real, a);
        else
            s->start_after_stop = true;
    }
}

void svc_spawned(struct svc *s, const struct unit *u, int pid, uint64_t now_real)
{
    s->main_pid = pid;
    s->last_pid = pid;
    /* Type=simple is up as soon as the process exists; exec and oneshot wait */
    if (u->type == UNIT_SIMPLE && s->state == SVC_START)
        set_state(s, SVC_RUNNING, now_real);
}

void svc_exec_ok(struct svc *s, const struct unit *u, uint64_t now_real)
{
    if (u->type == UNIT_EXEC && s->state == SVC_START)
        set_state(s, SVC_RUNNING, now_real);
}

void svc_spawn_failed(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                      struct svc_actions *a)
{
    s->main_pid = 0;
    s->result = RESULT_RESOURCES;
    s->stop_reason = STOP_MAIN_EXITED;
    finish_stop(s, u, now, now_real, a);
}

void svc_main_exited(struct svc *s, const struct unit *u, int code, int status, uint64_t now,
                     uint64_t now_real, struct svc_actions *a)
{
    s->main_pid = 0;
    s->exit_code = code;
    s->exit_status = status;
    const struct exec_cmd *cmd = s->cmd_index < u->n_exec_start ? &u->exec_start[s->cmd_index] : NULL;
    bool ignore = cmd && (cmd->flags & EXEC_IGNORE_FAILURE);
    enum svc_result r = ignore ? RESULT_SUCCESS : exit_result(u, code, status);
    /* systemd: a notify service whose main process ends cleanly without ever saying READY=1 failed */
    if (u->type == UNIT_NOTIFY && s->state == SVC_START && r == RESULT_SUCCESS)
        r = RESULT_PROTOCOL;
    s->watchdog_deadline = 0;

    switch (s->state) {
    case SVC_START:
    case SVC_RUNNING:
        if (s->result == RESULT_SUCCESS)
            s->result = r;
        if (u->type == UNIT_ONESHOT && s->state == SVC_START && r == RESULT_SUCCESS) {
            if (s->cmd_index + 1 < u->n_exec_start) {
                s->cmd_index++;
                a->spawn = true;
                return;
            }
            if (u->remain_after_exit) {
                set_state(s, SVC_EXITED, now_real);
                return;
            }
        }
        s->stop_reason = STOP_MAIN_EXITED;
        if (tracks_group(u))
            enter_stop_sigterm(s, u, now, now_real, a);
        else
            finish_stop(s, u, now, now_real, a);
        return;
    case SVC_STOP_SIGTERM:
    case SVC_STOP_SIGKILL:
        /* killed by our own KillSignal or SIGKILL counts as a clean stop */
        if (r != RESULT_SUCCESS && !(code != CLD_EXITED && (status == u->kill_signal || status == SIGKILL)) &&
            s->result == RESULT_SUCCESS)
            s->result = r;
        if (!tracks_group(u)) {
            finish_stop(s, u, now, now_real, a);
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
    if ((s->state == SVC_STOP_SIGTERM || s->state == SVC_STOP_SIGKILL) && s->main_pid == 0)
        finish_stop(s, u, now, now_real, a);
}

static void watchdog_fire(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                          struct svc_actions *a)
{
    s->watchdog_deadline = 0;
    if (s->state != SVC_START && s->state != SVC_RUNNING)
        return;
    s->result = RESULT_WATCHDOG;
    s->stop_reason = STOP_MAIN_EXITED; /* Restart= decides, as after a crash */
    /* systemd's WatchdogSignal= default: SIGABRT, so the hung process leaves a core dump */
    enter_stop_signal(s, u, SIGABRT, now, now_real, a);
}

void svc_timer(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a)
{
    if (s->watchdog_deadline && now >= s->watchdog_deadline) {
        watchdog_fire(s, u, now, now_real, a);
        return;
    }
    if (s->deadline == 0 || now < s->deadline)
        return;
    s->deadline = 0;
    switch (s->state) {
    case SVC_START:
        /* TimeoutStartSec= passed: the start failed; stop what runs, then Restart= decides */
        s->result = RESULT_TIMEOUT;
        s->stop_reason = STOP_MAIN_EXITED;
        if (s->main_pid || tracks_group(u))
            enter_stop_sigterm(s, u, now, now_real, a);
        else
            finish_stop(s, u, now, now_real, a);
        return;
    case SVC_AUTO_RESTART:
        s->restarts++;
        do_spawn(s, u, now, now_real, a);
        return;
    case SVC_STOP_SIGTERM:
        /* SIGKILL to everything, even if the main process already left: the rest is still killed */
        s->result = RESULT_TIMEOUT;
        set_state(s, SVC_STOP_SIGKILL, now_real);
        s->deadline = u->timeout_stop == USEC_INFINITY ? 0 : now + u->timeout_stop;
        a->kill_signal = SIGKILL;
        a->kill_scope = u->kill_mode == KILL_CONTROL_GROUP || u->kill_mode == KILL_MIXED ? KILL_SCOPE_ALL
                                                                                       : KILL_SCOPE_MAIN;
        a->check_group = true;
        return;
    case SVC_STOP_SIGKILL:
        /* processes that survive SIGKILL (uninterruptible sleep): give up on them, as systemd does */
        s->main_pid = 0;
        finish_stop(s, u, now, now_real, a);
        return;
    default:
        return;
    }
}

bool svc_is_active(const struct svc *s)
{
    return s->state == SVC_RUNNING || s->state == SVC_EXITED;
}

bool svc_is_settled(const struct svc *s)
{
    return s->state == SVC_DEAD || s->state == SVC_FAILED || s->state == SVC_RUNNING || s->state == SVC_EXITED;
}

const char *svc_active_state(const struct svc *s)
{
    static const char *names[] = {"inactive", "activating", "active", "active",
                                  "deactivating", "deactivating", "activating", "failed"};
    if (s->reloading && s->state == SVC_RUNNING)
        return "reloading";
    return names[s->state];
}

const char *svc_sub_state(const struct svc *s)
{
    static const char *names[] = {"dead", "start", "running", "exited",
                                  "stop-sigterm", "stop-sigkill", "auto-restart", "failed"};
    if (s->reloading && s->state == SVC_RUNNING)
        return "reload";
    return names[s->state];
}

const char *svc_result_name(enum svc_result r)
{
    static const char *names[] = {"success", "resources", "exit-code", "signal", "core-dump",
                                  "timeout", "start-limit-hit", "protocol", "watchdog"};
    return names[r];
}

uint64_t svc_next_deadline(const struct svc *s)
{
    if (s->deadline && s->watchdog_deadline)
        return s->deadline < s->watchdog_deadline ? s->deadline : s->watchdog_deadline;
    return s->deadline ? s->deadline : s->watchdog_deadline;
}

/* A decimal number, whole string (the value of a notify assignment); false otherwise. */
static bool notify_number(const char *v, size_t n, uint64_t *out)
{
    if (n == 0 || n > 19)
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return true;
}

void svc_notify_parse(const char *text, size_t n, struct svc_notify_msg *m)
{
    memset(m, 0, sizeof(*m));
    for (size_t i = 0; i < n;) {
        const char *line = text + i;
        const char *nl = memchr(line, '\n', n - i);
        size_t len = nl ? (size_t)(nl - line) : n - i;
        i += len + 1;
        const char *eq = memchr(line, '=', len);
        if (!eq)
            continue; /* not an assignment: ignored, as systemd does */
        size_t klen = (size_t)(eq - line), vlen = len - klen - 1;
        const char *v = eq + 1;
        uint64_t x;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(line, k, klen) == 0)
#define VAL(val) (vlen == sizeof(val) - 1 && memcmp(v, val, vlen) == 0)
        if (KEY("READY") && VAL("1"))
            m->ready = true;
        else if (KEY("RELOADING") && VAL("1"))
            m->reloading = true;
        else if (KEY("STOPPING") && VAL("1"))
            m->stopping = true;
        else if (KEY("WATCHDOG") && VAL("1"))
            m->watchdog = true;
        else if (KEY("WATCHDOG") && VAL("trigger"))
            m->watchdog_trigger = true;
        else if (KEY("STATUS")) {
            size_t c = vlen < sizeof(m->status) - 1 ? vlen : sizeof(m->status) - 1;
            memcpy(m->status, v, c);
            m->status[c] = 0;
            m->has_status = true;
        } else if (KEY("ERRNO") && notify_number(v, vlen, &x) && x < 4096) {
            m->errno_value = (int)x;
            m->has_errno = true;
        } else if (KEY("MAINPID") && notify_number(v, vlen, &x) && x > 1 && x < (1u << 22))
            m->main_pid = (int)x;
        else if (KEY("EXTEND_TIMEOUT_USEC") && notify_number(v, vlen, &x))
            m->extend_timeout_usec = x;
        else if (KEY("WATCHDOG_USEC") && notify_number(v, vlen, &x) && x > 0)
            m->watchdog_usec = x;
#undef KEY
#undef VAL
    }
}

void svc_notify(struct svc *s, const struct unit *u, const struct svc_notify_msg *m, uint64_t now,
                uint64_t now_real, struct svc_actions *a)
{
    if (m->has_status)
        memcpy(s->status_text, m->status, sizeof(s->status_text));
    if (m->has_errno)
        s->notify_errno = m->errno_value;
    bool up = s->state == SVC_START || s->state == SVC_RUNNING;
    if (m->watchdog_usec && up) {
        s->watchdog_usec = m->watchdog_usec;
        s->watchdog_deadline = now + s->watchdog_usec;
    }
    if (m->watchdog && up && s->watchdog_usec)
        s->watchdog_deadline = now + s->watchdog_usec;
    if (m->extend_timeout_usec && s->deadline &&
        (s->state == SVC_START || s->state == SVC_STOP_SIGTERM || s->state == SVC_STOP_SIGKILL) &&
        now + m->extend_timeout_usec > s->deadline)
        s->deadline = now + m->extend_timeout_usec;
    if (m->watchdog_trigger && up) {
        watchdog_fire(s, u, now, now_real, a);
        return;
    }
    if (m->stopping && up) {
        /* the service is going down by itself: no signal, but TimeoutStopSec= now runs */
        s->stop_reason = STOP_MAIN_EXITED;
        set_state(s, SVC_STOP_SIGTERM, now_real);
        s->deadline = u->timeout_stop == USEC_INFINITY ? 0 : now + u->timeout_stop;
        s->watchdog_deadline = 0;
        s->reloading = false;
        return;
    }
    if (m->reloading && s->state == SVC_RUNNING)
        s->reloading = true;
    if (m->ready) {
        if (s->state == SVC_START && u->type == UNIT_NOTIFY) {
            s->deadline = 0;
            set_state(s, SVC_RUNNING, now_real);
        }
        if (!m->reloading)
            s->reloading = false;
    }
}
