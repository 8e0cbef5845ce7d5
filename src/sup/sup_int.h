/* sup internals shared by the files of sup/ (see sup.h for what each owns). Nothing outside sup/
 * includes this. */
#ifndef OYA_SUP_INT_H
#define OYA_SUP_INT_H

#include "../base/base.h"
#include "../ctl/ctl.h"
#include "../exec/exec.h"
#include "../logs/logs.h"
#include "../logs/store.h"
#include "../proc/proc.h"
#include "../svc/svc.h"
#include "sup.h"

enum watch_kind { W_SIGNAL, W_TIMER, W_LISTEN, W_CLIENT, W_LOG, W_REPORT, W_PIDFD, W_NOTIFY, W_OUTPUT, W_BUS, W_SYSLOG, W_CGROUP, W_OOM };

/* what an epoll event points at */
struct watch {
    enum watch_kind kind;
    void *obj;
};

enum job_kind { JOB_NONE, JOB_START, JOB_STOP };
enum dep_kind {
    DEP_AFTER, DEP_REQUIRES, DEP_WANTS, DEP_BINDS_TO, DEP_PART_OF, DEP_REQUISITE, DEP_CONFLICTS,
    DEP_RELOADS, /* PropagatesReloadTo= (with the others' ReloadPropagatedFrom=): a reload reaches these too */
    DEP_N
};
struct dep_list {
    size_t *v; /* service indexes, sorted, each once */
    size_t n, cap;
};

/* a process a service claimed: its PID and start time (a PID reused later is not the same process) */
struct claim {
    int pid;
    uint64_t starttime;
};

struct service {
    size_t index;
    struct unit *unit;
    struct svc st;
    int pidfd; /* main process */
    int report_fd;
    int control_report_fd; /* exec report of the control process; read when it exits */
    struct watch pidfd_w, report_w;
    bool exec_pending; /* the exec report has not arrived yet */
    char exec_error[512];
    char invocation[33];
    int sid; /* session (oya up) or process group (oya init) led by the current main process */
    int control_sid; /* session led by the control process (ExecStartPre=, ExecStop=, ...) */
    uint64_t find_main_at; /* Type=forking: look for the PID file again then (CLOCK_MONOTONIC usec); 0: no */
    struct strv start_env; /* RUNTIME_DIRECTORY= and its kin, made at the start of this invocation */
    struct log_prefix prefix, prefix_err; /* "name | " for its stdout, "name ! " for its stderr */
    bool removed; /* its unit file is gone (found at a reload): stopped, kept as "not-found" */
    int notify_refused; /* the last PID whose notification was refused (said once) */
    int pidfile_refused; /* the last PID its PID file named that was refused (said once) */
    struct ratelimit spawn_fail_log; /* "cannot start" lines */
    uint64_t warned_steps; /* exec steps skipped for want of a privilege, said once (bit per step) */
    bool bus_waiting;      /* Type=dbus: its start waits for BusName= on the bus (bus.c) */
    struct log_ring log_ring; /* its log: the last records in memory, and its file (journal.c) */
    struct log_file log_file;
    bool log_file_failed;
    int log_file_errno;        /* why its file could not be written (positive errno) */
    uint64_t log_failed_at;    /* CLOCK_MONOTONIC usec; the file is tried again 10 s later, at a record */
    uint64_t log_not_on_disk;  /* records kept in memory only since the file failed */
    struct buf log_pending;    /* records for its file not written yet: one write per loop turn */
    bool log_dirty;            /* in sup's journal_dirty list */
    uint32_t bus_query;    /* the serial of its GetNameOwner */
    enum job_kind job;  /* a start or stop waiting for its order (deps.c) */
    struct dep_list deps[DEP_N]; /* resolved from the unit's names: After= (with others' Before=), ... */
    struct dep_list rdeps[DEP_N]; /* the other direction: the services whose deps[kind] hold this one */
    char missing[128];  /* a Requires=/BindsTo=/Requisite= service oya does not have */
    /* Type=forking: when its start command was born and ended (clock ticks since boot, as /proc's
     * starttime; end 0 while it runs), and the processes oya adopted in that window (track.c) */
    uint64_t start_ticks, start_end_ticks;
    unsigned start_uid; /* the user the start command ran as: a User= service claims only its user's */
    unsigned run_uid;   /* the user its main process was started as (0: root) */
    struct claim *claims;
    size_t nclaims;
    /* its cgroup, SUBTREE/NAME.service (cgroup.c); -1 when oya tracks by /proc */
    int cg_fd, cg_events_fd;
    struct watch cg_w;
    int cg_mem_fd;      /* its memory.events (the memory controller's), -1 without it */
    struct watch cg_mem_w;
    uint64_t oom_kills; /* memory.events' oom_kill as last seen */
    const struct unit *cg_unit; /* the unit whose resource control the cgroup has (a reload changes it) */
    bool cg_fd_warned;
    /* cgroup.kill was written to its cgroup: the kernels oya was tested on (6.18) then kill every child
     * born into that cgroup by clone3's CLONE_INTO_CGROUP at once, so its children move themselves in
     * until the cgroup is made anew */
    bool cg_killed;
    struct strv limits_said; /* "KEY= not applied: why" lines said once (cgroup.c) */
};

/* a unit file that did not load: listed, never started */
struct bad_unit {
    char *name, *path;
    char *error; /* the diagnostics, "oya: FILE:LINE: ..." lines */
};

struct log_stream {
    struct watch w;
    int fd;
    struct service *svc;
    enum log_stream_kind kind; /* stdout (out) or stderr (err) of the service */
    struct sup *sup;
    struct log_framer framer;
    struct log_stream *next;
};

/* what a client's reply waits for: its services to settle, or (WAIT_EXIT, `oya shutdown`) oya's end */
enum wait_kind { WAIT_NONE, WAIT_START, WAIT_STOP, WAIT_RESTART, WAIT_RELOAD, WAIT_FREEZE, WAIT_THAW, WAIT_EXIT };

struct client {
    struct watch w;
    int fd;
    struct buf in, out;
    bool replying; /* the reply is in out; close once written */
    uint64_t deadline; /* CLOCK_MONOTONIC usec by which the request, or the taking of the reply, must be done */
    bool draining; /* reply sent and write side shut: discard input until EOF, then close */
    size_t drained;
    enum wait_kind wait;
    size_t *waiting; /* service indexes */
    size_t nwaiting;
    /* `oya logs -f`: new records are pushed to it as "rec NAME LINE" until it hangs up */
    bool following;
    bool *follows;       /* by service index (nfollows of them); NULL: every service */
    size_t nfollows;
    uint64_t follow_dropped; /* records it could not take (its buffer full), said at the next one */
    bool tracing;            /* `oya trace`: process events are pushed to it (trace.c), not log records */
    struct buf missing;      /* "missing" records of the names a request did not know, sent with its reply */
    struct client *next;
};

struct sup {
    const struct sup_options *opts;
    int epfd, sigfd, timerfd, listenfd, procfd, notify_fd;
    struct watch sig_w, timer_w, listen_w, notify_w;
    char notify_name[108]; /* NOTIFY_SOCKET for the services: "@name" (abstract) or a path; "" if none */
    int notify_stray;      /* the last PID whose notification matched no service (said once) */
    int notify_strangers[8]; /* PIDs of users no service runs as, found to be no service's */
    unsigned notify_next_stranger;
    struct exec_dynamic_ids dynamic_ids; /* DynamicUser= names and their ids (exec.c) */
    uid_t *notify_uids;    /* sorted: users service processes were started as or spoke as (besides root, oya's) */
    size_t notify_nuids, notify_cap; /* room made before a start (sup_notify_room): noting a user never fails */
    struct service **svcs; /* each allocated once: watches point at them, and reloads add more */
    size_t nsvcs;
    struct strv templates; /* paths of NAME@.service files: instances are made on demand */
    struct bad_unit *bad;  /* unit files that did not load (at start-up or the last reload) */
    size_t nbad;
    struct log_stream *logs;
    int out_fd;          /* where the relay writes (relay.c) */
    bool out_is_socket, out_watched, out_null;
    struct watch out_w;
    struct buf outq;     /* what standard output has not taken yet */
    uint64_t out_dropped; /* whole lines dropped since the queue was last empty */
    struct client *clients;
    size_t nclients;
    int spare_fd;                 /* /dev/null, given up to turn a client away when out of fds */
    uint64_t listen_paused_until; /* out of fds even for that: the listener rests until then */
    struct ratelimit emfile_log;
    uint64_t nofile_soft; /* the soft RLIMIT_NOFILE oya was started with (its own is raised to the hard one) */
    char socket_path[256]; /* where the control socket is (a fallback of the default, see setup); "" if none */
    int inv_fd; /* SOCKET.invocations, appended at each start (previous.c); -1 if none */
    struct exec_launches launches; /* started children that may still be reading oya's memory (exec) */
    int *helpers; /* oya's own child processes (removing a RuntimeDirectory=), reaped like the rest */
    size_t nhelpers, helpers_cap;
    bool shutting_down;
    bool jobs_more;
    /* a loop turn looks at every service only when something may have changed: a state machine was fed
     * (sup_apply), a job was queued or the unit set was loaded. Otherwise sup_jobs_dispatch has nothing to
     * do and the earliest service deadline is still svc_deadline, so a turn that only serves a client
     * costs nothing per service. */
    bool jobs_dirty, timers_dirty;
    uint64_t svc_deadline;
    /* out of memory: the dependency graph could not be built (deps.c), so no job runs until it is; the
     * loop tries again at retry_at (only while something waits for memory: an idle oya never wakes) */
    bool deps_stale;
    bool groups_recheck; /* sup_check_groups could not scan for want of memory */
    uint64_t retry_at;
    int sigchld_pid; /* the PID the last SIGCHLD named: reaped first (reap) */
    /* sup_only_main_children's answer holds until oya's children may have changed: a new loop
     * iteration (an orphan may have been adopted meanwhile), a spawn or a reap bump the generation */
    uint64_t children_gen, only_mains_gen, only_mains_key;
    bool only_mains; /* sup_jobs_dispatch stopped at its batch size: more jobs may be ready */
    bool init; /* oya init: one service, the command; signals are forwarded to it */
    int term_signals;
    uint64_t armed_deadline;
    uint64_t started_real;
    int self_pid;
    bool reaper; /* PID 1 or a child subreaper: every orphan below oya comes to oya */
    bool pid1;
    sigset_t orig_mask, orig_ignored; /* as oya was started: oya init's command gets them (tini's rule) */
    sigset_t ignored_now;
    /* action.c: the status oya exits with, set by the first FailureAction=/SuccessAction= that ran; what
     * --exit-when-idle reports; the reboot(2) command to end with as the machine's init (0: none) */
    int exit_rc, first_failure_rc, reboot_cmd;
    bool exit_rc_set, first_failure_set;
    bool shutdown_asked; /* SIGTERM, SIGINT or a shutdown request: an ordinary exit, status 0 */
    bool loop_done;      /* every service is down: `oya shutdown` is answered now */
    int ready_fd;        /* oya up -d: told once the first starts have settled; -1 after */
    uint64_t stop_progress_at; /* stopping on a terminal: when to say what is still going (0: never) */ /* the dispositions a child inherits as ignored (spawn resets only those) */
    uint64_t init_kill_at; /* oya init: SIGKILL the command then, if it is still there (0: no) */
    size_t name_width;
    bool color;
    bool quiet; /* oya init without -v: no state-change lines */
    char log_dir[4096];             /* where the services' log files go; "" for memory only (journal.c) */
    struct log_file_opts log_file_opts;
    bool log_dir_warned;
    struct buf journal_line;        /* the record being written, reused */
    size_t nfollowers;              /* clients following logs (clients.c, logreq.c) */
    size_t ntracers;                /* clients taking process events (trace.c) */
    struct log_ring own_ring;       /* oya's own log, "@oya": syslog messages from no service (journal.c) */
    struct log_file own_file;
    struct service **journal_dirty; /* the services with records to write (sup_journal_flush) */
    size_t njournal_dirty, journal_dirty_cap;
    int syslog_fd;                  /* /dev/log when served (syslog.c); -1 otherwise */
    struct watch syslog_w;
    char syslog_path[108];
    /* the D-Bus connection while a Type=dbus start waits for its name (bus.c); -1 otherwise */
    int bus_fd;
    struct watch bus_w;
    struct buf bus_in, bus_out;
    bool bus_authed;
    uint32_t bus_serial;
    /* cgroup v2 (cgroup.c): oya's subtree (-1: not used, cg_why says why), its path in the hierarchy, the
     * leaf oya runs in, whether oya made the subtree (and removes it), whether cgroup.kill exists */
    int cg_fd;
    char cg_path[2300], cg_self[2300], cg_why[4700];
    bool cg_made, cg_kill;
    bool cg_fake;   /* --cgroup-root (tests): resource control written there, processes tracked by /proc */
    bool cg_memory; /* the memory controller reaches the services' cgroups (memory.events is there) */
    bool cg_io;     /* and the io controller (io.stat) */
};

/* action.c */
void sup_unit_transition(struct sup *s, struct service *svc, enum svc_state before); /* after each change */
int sup_exit_status(const struct sup *s);
void sup_finish_action(struct sup *s); /* as the machine's init: reboot, power off or halt if asked */

/* init.c: oya init */
void sup_init_service(struct sup *s);        /* the one service running the command */
void sup_init_signal(struct sup *s, int sig); /* a signal oya init got: reap, or hand it to the command */
void sup_init_kill(struct sup *s);           /* the grace period is over: SIGKILL the command */
void sup_init_kill_tree(struct sup *s);      /* --kill-tree, not PID 1: end what the command left */
int sup_init_exit_code(const struct sup *s); /* the command's status, as oya init's */

/* apply.c: what happens to a service, fed to its state machine through sup_feed, the one entry point of
 * its events (the clocks are read once, svc/ answers with actions, sup_apply carries them out) */
enum sup_event_kind {
    SUP_EV_START, SUP_EV_STOP, SUP_EV_RESTART, SUP_EV_RELOAD, SUP_EV_TIMER, SUP_EV_FIND_MAIN, SUP_EV_EXEC_OK,
    SUP_EV_MAIN_EXITED, SUP_EV_CONTROL_EXITED, SUP_EV_GROUP_EMPTY, SUP_EV_NOTIFY, SUP_EV_OOM, SUP_EV_BUS_NAME,
    SUP_EV_DEPENDENCY_FAILED,
};
struct sup_event {
    enum sup_event_kind kind;
    int code, status;                       /* MAIN_EXITED, CONTROL_EXITED: how it ended (CLD_*, status) */
    enum svc_stop_reason why;               /* STOP */
    const struct svc_notify_msg *msg;       /* NOTIFY */
    bool main_killed;                       /* OOM: the OOM killer took the main process */
};
/* false (nothing done) when the machine has no use for the event: a reload of a service that cannot */
bool sup_feed(struct sup *s, struct service *svc, struct sup_event ev);
/* Carry out actions (and the events they cause); before: the state the announcements compare with */
void sup_apply(struct sup *s, struct service *svc, struct svc_actions a, enum svc_state before);
void sup_read_report(struct sup *s, struct service *svc); /* the exec report of the main process, if any came */
/* Watch pid as the service's main process from now on (its pidfd in the loop); -errno if it is gone */
int sup_watch_main(struct sup *s, struct service *svc, int pid);

/* sup.c */
void sup_reap(struct sup *s); /* collect every child that has ended and feed each to its service */
/* Stop every service (each within its timeouts, in reverse order) and exit once all are down; force: kill
 * what runs now */
void sup_shutdown(struct sup *s, bool force);
int sup_epoll_add(struct sup *s, int fd, uint32_t events, struct watch *w); /* 0, or -errno (the caller says it) */
/* Deregister, then close. close() alone is not enough: while a child between fork and exec still holds a
 * copy of the fd, epoll keeps the registration and would report events for a freed watch. */
void sup_epoll_close(struct sup *s, int *fd);

/* load.c: unit files, reloads, templates, lookups */
int sup_load_units(struct sup *s, bool reload); /* -1 when there is nothing at all to supervise */
struct service *sup_add_service(struct sup *s, struct unit *u);
/* What a reload found, as space-separated names */
struct sup_reload {
    struct buf added, changed, removed, unchanged;
};
int sup_reload_units(struct sup *s, bool reload, struct sup_reload *r); /* the caller frees r's buffers */
void sup_make_prefixes(struct sup *s);
struct service *sup_find(struct sup *s, const char *name);   /* by name */
struct service *sup_lookup(struct sup *s, const char *name); /* by name or Alias= */
struct service *sup_instantiate(struct sup *s, const char *name); /* NAME@INSTANCE from its template */
struct unit *sup_instance_unit(struct sup *s, const char *name); /* the same unit, not added; or NULL */
void sup_bad_units_clear(struct sup *s);
const struct bad_unit *sup_find_bad(const struct sup *s, const char *name);

/* announce.c: the state-change lines on stderr */
void sup_announce(struct sup *s, struct service *svc, enum svc_state before);

/* relay.c: the services' output pipes, framed and written to oya's stdout */
/* Read fd (a service's output pipe) into its log; -errno when the loop cannot watch it (fd left open) */
int sup_relay_open(struct sup *s, struct service *svc, int fd, enum log_stream_kind kind);
void sup_relay_read(struct sup *s, struct log_stream *ls, bool final); /* final: read to EOF and close */
/* What a service's pipes hold now, read before its exit is told: its last words come before oya's */
void sup_relay_drain(struct sup *s, const struct service *svc);
void sup_relay_setup(struct sup *s);  /* in setup: how standard output is written */
void sup_relay_flush(struct sup *s);  /* standard output is writable again */
void sup_relay_finish(struct sup *s); /* at teardown: last flush, bounded */

/* journal.c: a service's log. open: its file (at each start, if there is a directory and none is open);
 * add: one record (a line of its output, or what oya says of it) into its ring and file. */
void sup_journal_open(struct sup *s, struct service *svc);
void sup_journal_add(struct sup *s, struct service *svc, enum log_stream_kind stream, int prio, const char *text,
                     size_t n);
void sup_journal_close(struct service *svc);
/* A record in oya's own log, "@oya" (its file DIR/@oya.log, made at the first record) */
void sup_journal_own(struct sup *s, enum log_stream_kind stream, int prio, int pid, const char *text, size_t n);
#define SUP_OWN_LOG "@oya" /* not a service name: a unit name never starts with '@' */
/* Write what the services' files are owed: once per turn of the loop, and at the end */
void sup_journal_flush(struct sup *s);
/* the same with the PID a record names (a syslog message's sender) */
void sup_journal_add_as(struct sup *s, struct service *svc, enum log_stream_kind stream, int prio, int pid,
                        const char *text, size_t n);
/* syslog.c: /dev/log (as PID 1, or --syslog PATH) */
void sup_syslog_setup(struct sup *s);
void sup_syslog_event(struct sup *s);
void sup_syslog_close(struct sup *s);
/* clients.c and server.c, shared with logreq.c: flush a client's reply (a follower stays); a name without
 * ".service"; "no such service" with a suggestion; lines (records) as repeated key fields */
void sup_client_flush(struct sup *s, struct client *c);
/* A follower may take one more line (its "dropped N" line first, if it lost some); false: count one lost */
bool sup_follower_ready(struct client *c);
#define SUP_NAME_MAX 256
void sup_service_name(const char *arg, char name[static SUP_NAME_MAX]); /* "" when too long to be one */
void sup_reply_no_such(struct sup *s, struct client *c, const char *given);
void sup_put_lines(struct buf *b, const struct buf *lines, const char *key);
/* logreq.c: the logs request; a record (a line of the log format) for the clients that follow svc's log */
void sup_do_logs(struct sup *s, struct client *c, char **args, size_t n);
void sup_followers_push(struct sup *s, const struct service *svc, const char *line, size_t n);
/* trace.c: process events for `oya trace`. sup_trace: one event, its fields after svc ending in NULL;
 * nothing is formatted while nobody traces (test s->ntracers before costly fields). */
void sup_do_trace(struct sup *s, struct client *c, char **args, size_t n);
void sup_trace(struct sup *s, const char *kind, int pid, const struct service *svc, ...);
void sup_trace_argv(struct sup *s, const char *kind, int pid, const struct service *svc, const char *role,
                    char *const *argv);
/* The last n lines of its ring (all with n 0), oldest first, each ending in a newline */
void sup_journal_tail(const struct service *svc, size_t n, struct buf *out);
void sup_journal_own_tail(const struct sup *s, size_t n, struct buf *out); /* the same of oya's own log */

/* cgroup.c: a cgroup v2 per service where the unified hierarchy is writable (see the file's top) */
void sup_cgroup_setup(struct sup *s);
int sup_cgroup_open(struct sup *s, struct service *svc); /* its cgroup dirfd, made if need be; or -errno */
int sup_cgroup_populated(const struct service *svc);     /* 1, 0, or -1 unknown */
ssize_t sup_cgroup_pids(const struct service *svc, int **pids);
bool sup_cgroup_kill(struct sup *s, struct service *svc); /* cgroup.kill: true if written */
void sup_cgroup_close(struct sup *s, struct service *svc);      /* removed if empty */
void sup_cgroup_teardown(struct sup *s);
void sup_cgroup_event(struct sup *s, struct service *svc); /* its cgroup.events changed */
/* Did the OOM killer kill in the service's cgroup since last seen: then say so and tell its machine
 * (main_killed: the kill ended the main process, whose exit is fed next) */
bool sup_cgroup_oom_check(struct sup *s, struct service *svc, bool main_killed);
/* cgroup.freeze: ask (0 or -errno); frozen: 1, 0, or -1 without a cgroup (from cgroup.events) */
int sup_cgroup_freeze(const struct service *svc, bool freeze);
int sup_cgroup_frozen(const struct service *svc);
/* The cgroup's own figures as status keys: cpu_usec (cpu.stat, kept after processes end), memory_current
 * and memory_peak (memory controller), io_read_bytes/io_write_bytes (io.stat), the pressure lines */
void sup_cgroup_put_accounting(const struct sup *s, const struct service *svc, bool pressure, struct buf *b);

/* bus.c: Type=dbus. Wait for svc's BusName= on the bus; false (said once) when there is no bus: the
 * service then runs as Type=simple. sup_bus_settle after each transition: a service that left its start
 * waits no more, and the connection closes once nothing waits. */
bool sup_bus_wait_name(struct sup *s, struct service *svc);
void sup_bus_event(struct sup *s, uint32_t events);
void sup_bus_settle(struct sup *s, struct service *svc);

/* track.c: which processes belong to a service, and signalling them */
/* For each process of snap, the index of the service it belongs to, or -1 (one pass for all services;
 * the caller frees the array) */
int *sup_owners(struct sup *s, const struct proc_snapshot *snap); /* NULL: out of memory */
/* One /proc scan into snap and sup_owners of it: 0, or -errno (nothing to free then; -ENOMEM: memory) */
int sup_scan_owners(struct sup *s, struct proc_snapshot *snap, int **owner);
ssize_t sup_members(struct sup *s, const struct service *svc, const struct proc_snapshot *snap, int **pids); /* or -ENOMEM */
struct service *sup_owner_of(struct sup *s, const struct proc_snapshot *snap, int pid);
/* The service whose main (*is_main set) or control process pid is, or NULL: no /proc read */
struct service *sup_by_pid(const struct sup *s, int pid, bool *is_main);
bool sup_is_member(struct sup *s, const struct service *svc, const struct proc_snapshot *snap, int pid);
/* Type=forking: claim for svc the processes oya adopted that no service owns and that were born while its
 * start command ran (and no other forking start's did) */
void sup_claim_adopted(struct sup *s, struct service *svc);
uint64_t sup_now_ticks(void); /* clock ticks since boot, as /proc's starttime counts them */
int sup_kill(struct sup *s, struct service *svc, int sig, enum svc_kill_scope scope);
bool sup_only_main_children(struct sup *s);
/* Whether a service's processes are all gone; g keeps what one check read (oya's children, a /proc scan)
 * so that several services share it; sup_group_check_done frees it. */
struct group_check {
    bool children_read, only_mains, scanned, scan_ok;
    bool oom; /* the scan found no memory: no group is said empty, they are looked at again (retry_at) */
    struct proc_snapshot snap;
    int *owner; /* sup_owners of snap */
};
bool sup_awaits_empty_group(const struct service *svc);
bool sup_group_empty(struct sup *s, const struct service *svc, struct group_check *g);
void sup_group_check_done(struct group_check *g);
void sup_check_groups(struct sup *s);
int sup_kill_strays(struct sup *s, int sig);
/* A pidfd for the process a snapshot saw, if it is still that process (same start time); -errno if not */
int sup_pidfd_seen(struct sup *s, const struct proc_stat *seen);

/* previous.c: what an oya that was killed left running on the same socket */
void sup_previous_stop(struct sup *s);   /* at start-up, before any service starts */
void sup_previous_record(struct sup *s, const struct service *svc); /* a new invocation began */
void sup_previous_done(struct sup *s);   /* a clean exit: every service stopped */

/* deps.c: dependencies and ordered jobs */
void sup_deps_resolve(struct sup *s);
void sup_deps_free(struct sup *s);
void sup_job_start(struct sup *s, struct service *svc);
/* A reload of svc reaches the units it propagates reloads to (PropagatesReloadTo=, and the units with
 * ReloadPropagatedFrom=svc), and theirs in turn: each that is active and has ExecReload= reloads */
int sup_reload_propagate(struct sup *s, struct service *svc); /* 0, or -ENOMEM (nothing propagated) */
void sup_job_stop(struct sup *s, struct service *svc);
void sup_restart_dependents(struct sup *s, struct service *svc);
void sup_jobs_dispatch(struct sup *s);

/* files.c: RuntimeDirectory= and its kin, PIDFile= */
int sup_dirs_create(const struct unit *u, struct strv *env, struct buf *err);
int sup_dirs_remove_runtime(const struct unit *u, bool for_restart); /* the helper's PID, or 0 */
int sup_pidfile_read(const struct unit *u, bool *trusted);
void sup_pidfile_remove(const struct unit *u);

/* notify.c: the sd_notify socket */
int sup_notify_room(struct sup *s); /* 0, or -ENOMEM: room to note one more user */
void sup_notify_allow_uid(struct sup *s, uid_t uid); /* a service process runs as uid: hear it */
int sup_notify_open(struct sup *s);
void sup_notify_event(struct sup *s);
void sup_notify_close(struct sup *s);

/* clients.c: the control socket's connections */
void sup_accept(struct sup *s);
void sup_client_event(struct sup *s, struct client *c, uint32_t events);
void sup_clients_free(struct sup *s);
uint64_t sup_clients_deadline(const struct sup *s);
void sup_clients_timers(struct sup *s, uint64_t now);
/* The reply in c->out is complete: send it (a deadline of 10 s to take it); may free c */
void sup_reply_now(struct sup *s, struct client *c);

/* server.c: the control socket's requests */
void sup_handle_request(struct sup *s, struct client *c, const char *line); /* one request line, answered in c->out */
void sup_answer_waiters(struct sup *s); /* the clients whose services have settled get their reply */

#endif
