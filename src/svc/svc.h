/* svc: one state machine per service. Pure logic: it is told what happened (a start or stop request,
 * the main process spawned or exited, the group became empty, a deadline passed) and the time, and it
 * answers with actions for the supervisor to carry out. It never calls the kernel. */
#ifndef OYA_SVC_H
#define OYA_SVC_H

#include "../unit/unit.h"

enum svc_state {
    SVC_DEAD,         /* inactive (dead) */
    SVC_START_PRE,    /* activating (start-pre): ExecStartPre= commands */
    SVC_START,        /* activating (start): exec not yet confirmed, READY=1 awaited, forking or oneshot running */
    SVC_START_POST,   /* activating (start-post): ExecStartPost= commands */
    SVC_RUNNING,      /* active (running) */
    SVC_EXITED,       /* active (exited): RemainAfterExit= with no main process */
    SVC_RELOAD,       /* reloading (reload): ExecReload= commands */
    SVC_STOP,         /* deactivating (stop): ExecStop= commands */
    SVC_STOP_SIGTERM, /* deactivating (stop-sigterm) */
    SVC_STOP_SIGKILL, /* deactivating (stop-sigkill) */
    SVC_STOP_POST,    /* deactivating (stop-post): ExecStopPost= commands */
    SVC_AUTO_RESTART, /* activating (auto-restart): waiting RestartSec */
    SVC_FAILED,       /* failed (failed) */
    SVC_CONDITION,    /* activating (condition): ExecCondition= commands, before ExecStartPre= */
};

enum svc_result {
    RESULT_SUCCESS,
    RESULT_RESOURCES,  /* could not be started at all (fork, user lookup, environment file) */
    RESULT_EXIT_CODE,
    RESULT_SIGNAL,
    RESULT_CORE_DUMP,
    RESULT_TIMEOUT,
    RESULT_START_LIMIT,
    RESULT_PROTOCOL, /* Type=notify: the main process exited cleanly before READY=1 */
    RESULT_WATCHDOG, /* WatchdogSec= passed without WATCHDOG=1 */
    RESULT_DEPENDENCY, /* a unit it Requires=/BindsTo=/Requisite= failed or is missing */
    RESULT_OOM_KILL,   /* the OOM killer killed a process of it (and OOMPolicy= is not continue) */
};

/* A reload of Type=notify-reload, once its ReloadSignal= went to the main process (as systemd's reload-signal and
 * reload-notify states): RELOADING=1 with a MONOTONIC_USEC= not before the signal, then READY=1 */
enum svc_reload_wait { RELOAD_WAIT_NONE, RELOAD_WAIT_SIGNAL, RELOAD_WAIT_NOTIFY };

/* Why the service is going down: decides what happens when the last process is gone. */
enum svc_stop_reason { STOP_NONE, STOP_USER, STOP_MAIN_EXITED, STOP_SHUTDOWN };

enum svc_kill_scope { KILL_SCOPE_NONE, KILL_SCOPE_MAIN, KILL_SCOPE_ALL };

struct svc_actions {
    bool spawn;                /* run u->exec[spawn_list].v[s->cmd_index] */
    enum unit_exec spawn_list;
    bool spawn_main;           /* as the main process; else as the control process */
    bool new_invocation;       /* a start begins: new INVOCATION_ID, create RuntimeDirectory= and its kin */
    int kill_signal;           /* 0: none */
    enum svc_kill_scope kill_scope;
    bool kill_control;         /* kill_signal also goes to the control process */
    bool also_sighup;          /* SendSIGHUP=: SIGHUP too, right after kill_signal, to the same processes */
    bool check_group;          /* tell the machine (svc_group_empty) once no process of the service is left */
    bool find_main;            /* Type=forking started: find the main process (PIDFile=, else a guess) */
    bool cleanup;              /* the service is down: remove PIDFile=, RuntimeDirectory= (per Preserve) */
    bool cleanup_for_restart;  /* with cleanup: an automatic restart follows */
};

struct svc {
    enum svc_state state;
    enum svc_result result;
    enum svc_stop_reason stop_reason;
    bool start_after_stop; /* a restart request: start once stopped */
    bool restart_stop;     /* the stop under way is a restart's (RestartKillSignal=) */
    int main_pid;          /* 0 when there is no main process */
    int last_pid;          /* the latest main process, kept after it exits (status shows it) */
    int control_pid;       /* the ExecStartPre=, ExecStop=, ... command running now; 0 if none */
    enum unit_exec control_list; /* which list control_pid runs */
    size_t cmd_index;      /* which command of the list runs (several for Type=oneshot and the Exec*= lists) */
    bool main_unknown;     /* Type=forking without a main PID found: up while any process is left */
    enum svc_result reload_result; /* of the last reload */
    bool reload_done;      /* the last reload ended (reload_result says how) */
    bool reload_exited;    /* the reload under way began in active (exited) and goes back there */
    enum svc_reload_wait reload_wait; /* Type=notify-reload: what the reload under way waits for */
    uint64_t reload_begin; /* CLOCK_MONOTONIC usec its ReloadSignal= went: RELOADING=1 must say a later MONOTONIC_USEC= */
    int exit_code;         /* CLD_EXITED, CLD_KILLED or CLD_DUMPED of the last main exit; 0 if none */
    int exit_status;       /* exit status or signal number */
    uint64_t deadline;     /* CLOCK_MONOTONIC usec; 0 = none */
    uint64_t since_real;   /* when the state last changed (CLOCK_REALTIME usec) */
    uint64_t active_since_real;
    unsigned restarts; /* automatic restarts so far */
    unsigned backoff;  /* RestartSteps=: the step of the next delay (0: RestartSec=); a long run resets it */
    uint64_t up_since; /* CLOCK_MONOTONIC usec when it last became active (RestartSteps= resets by it) */
    uint64_t runtime_deadline; /* RuntimeMaxSec=: CLOCK_MONOTONIC usec a running service is stopped at; 0: none */
    uint64_t restart_delay; /* the delay of the restart awaited (AUTO_RESTART), for status */
    uint64_t limit_begin;
    unsigned limit_count;
    /* sd_notify state */
    bool reloading;             /* RELOADING=1 until READY=1: active (reloading) */
    uint64_t watchdog_usec;     /* WatchdogSec=, or what WATCHDOG_USEC= set; 0: off */
    uint64_t watchdog_deadline; /* CLOCK_MONOTONIC usec; 0 = none */
    char status_text[256];      /* STATUS= */
    bool condition_failed;      /* the last start was skipped (Condition*=) or refused (Assert*=) */
    bool assert_failed;
    char condition_text[256];   /* which one, e.g. "ConditionPathExists=/x was not met" */
    int notify_errno;           /* ERRNO= */
};

/* One sd_notify datagram, parsed (svc_notify_parse): newline-separated KEY=VALUE assignments. */
struct svc_notify_msg {
    bool ready, reloading, stopping, watchdog, watchdog_trigger, has_status, has_errno, has_monotonic;
    int main_pid;                /* MAINPID=, 0 if absent or invalid */
    uint64_t monotonic_usec;     /* MONOTONIC_USEC=: when the sender wrote it (CLOCK_MONOTONIC), if has_monotonic */
    int errno_value;             /* ERRNO= */
    uint64_t extend_timeout_usec; /* EXTEND_TIMEOUT_USEC=, 0 if absent */
    uint64_t watchdog_usec;      /* WATCHDOG_USEC=, 0 if absent */
    char status[256];
};

void svc_init(struct svc *s, uint64_t now_real);

/* Requests. now is CLOCK_MONOTONIC, now_real CLOCK_REALTIME, both usec. */
void svc_start(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a);
void svc_stop(struct svc *s, const struct unit *u, enum svc_stop_reason why, uint64_t now,
              uint64_t now_real, struct svc_actions *a);
void svc_restart(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a);

/* Whether the unit can be reloaded at all: it has ExecReload=, or is Type=notify-reload */
bool svc_can_reload(const struct unit *u);
/* A reload: ExecReload=, and for Type=notify-reload ReloadSignal= to the main process, after which RELOADING=1
 * and READY=1 are awaited (TimeoutStartSec=). False when the service is not active (running or exited) or
 * cannot be reloaded (nothing happens then). */
bool svc_reload(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a);

/* Events. */
void svc_spawned(struct svc *s, const struct unit *u, int pid, bool main, uint64_t now, uint64_t now_real,
                 struct svc_actions *a);
void svc_control_exited(struct svc *s, const struct unit *u, int code, int status, uint64_t now,
                        uint64_t now_real, struct svc_actions *a);
/* After find_main: the main process of a forking service, or 0 when none was found (then it is up while any
 * of its processes is left, as systemd with GuessMainPID= when the guess fails) */
void svc_main_found(struct svc *s, const struct unit *u, int pid, uint64_t now, uint64_t now_real,
                    struct svc_actions *a);
/* A start (new_invocation) whose Condition*= (skip: inactive, success) or Assert*= (refused) do not hold */
void svc_condition_failed(struct svc *s, bool assert, const char *why, uint64_t now_real);
/* A start job that cannot run: a required unit failed, is missing, or (Requisite=) is not active */
void svc_dependency_failed(struct svc *s, uint64_t now_real);
void svc_spawn_failed(struct svc *s, const struct unit *u, bool main, uint64_t now, uint64_t now_real,
                      struct svc_actions *a);
/* Type=dbus: its BusName= has an owner on the bus now (or there is no bus: it runs as Type=simple) */
void svc_bus_name_owned(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                        struct svc_actions *a);
void svc_exec_ok(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a);
void svc_main_exited(struct svc *s, const struct unit *u, int code, int status, uint64_t now,
                     uint64_t now_real, struct svc_actions *a);
void svc_group_empty(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real,
                     struct svc_actions *a);
/* The OOM killer killed a process of the service: as OOMPolicy= says (stop, kill: stop it with Result:
 * oom-kill, Restart= deciding; continue: nothing). main_killed: the kill is what ended the main process,
 * whose exit svc_main_exited is fed next: only the result is taken here, the exit does the rest. */
void svc_oom(struct svc *s, const struct unit *u, bool main_killed, uint64_t now, uint64_t now_real,
             struct svc_actions *a);
void svc_timer(struct svc *s, const struct unit *u, uint64_t now, uint64_t now_real, struct svc_actions *a);

void svc_notify_parse(const char *text, size_t n, struct svc_notify_msg *m);
void svc_notify(struct svc *s, const struct unit *u, const struct svc_notify_msg *m, uint64_t now,
                uint64_t now_real, struct svc_actions *a);
/* The earliest deadline the machine waits for (start, stop, restart or watchdog); 0 = none. */
uint64_t svc_next_deadline(const struct svc *s);
/* The delay before automatic restart number step+1 (0-based step): RestartSec= growing geometrically to
 * RestartMaxDelaySec= over RestartSteps= steps, as systemd 254 */
uint64_t svc_restart_delay(const struct unit *u, unsigned step);

/* Is the exit (code as in siginfo si_code, status) clean for this unit, per SuccessExitStatus=? */
bool svc_exit_clean(const struct unit *u, int code, int status);

bool svc_is_active(const struct svc *s);  /* active (running or exited) */
bool svc_is_settled(const struct svc *s); /* not in a transition */
bool svc_is_stopping(const struct svc *s); /* ExecStop=, signals, ExecStopPost= */
bool svc_is_starting(const struct svc *s); /* ExecStartPre=, the start, ExecStartPost= */
const char *svc_active_state(const struct svc *s);
const char *svc_sub_state(const struct svc *s);
const char *svc_result_name(enum svc_result r);

/* The words for the change from before to the machine's state, as oya says them ("started, main pid 42",
 * "exited (code=exited, status=1/FAILURE); restarting in 100ms", "failed (Result: timeout)"); exec_error is
 * the start's own failure text, or "". False, with out "", when the change is not worth a line. */
bool svc_transition_text(const struct svc *st, enum svc_state before, const struct unit *u, const char *exec_error,
                         char *out, size_t size);

#endif
