/* sup: the supervisor. One epoll loop over a signalfd (SIGCHLD, SIGTERM, SIGINT, SIGHUP), the main
 * processes' pidfds and exec-report pipes, one timerfd for every deadline, the services' output pipes,
 * the sd_notify socket and the control socket. It is a child subreaper (or PID 1), reaps everything with
 * waitid(P_ALL), feeds events to each service's state machine (svc/), carries out the actions it returns,
 * and runs start and stop jobs in the order the units' dependencies give (deps.c). Files: sup.c (loop,
 * reaper, timers, shutdown), apply.c (a service's events through sup_feed, spawning, carrying out what its
 * machine decides), load.c (unit files, reloads, templates), announce.c (state-change lines),
 * relay.c (services' output in the foreground), track.c (which processes are a service's), deps.c
 * (dependencies, jobs), notify.c (sd_notify), bus.c (Type=dbus: BusName= on the bus), files.c
 * (RuntimeDirectory=, PIDFile=), previous.c (what a killed oya left), clients.c and server.c (the control socket's connections and
 * requests), journal.c
 * (each service's log), logreq.c (the logs request and its followers), syslog.c (/dev/log), trace.c
 * (process events for `oya trace`), cgroup.c (a cgroup v2 per service). */
#ifndef OYA_SUP_H
#define OYA_SUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sup_options {
    const char *socket_path; /* resolved path of the control socket; NULL for none */
    bool socket_private;     /* socket_path is a default place: its directory must be oya's user's, 0700 */
    const char *notify_socket; /* NOTIFY_SOCKET to bind ("@name": abstract); NULL: "@oya/notify/" + 128 random bits */
    char **paths;            /* directories of units and/or .service files */
    size_t npaths;
    /* oya init: one implicit service running this command; its end ends oya */
    char **init_argv;
    bool init_group;      /* -g: forward signals to the command's whole process group */
    bool init_verbose;    /* -v */
    bool init_quiet;      /* -s: no warning when not PID 1 */
    uint64_t init_grace;  /* usec between forwarding SIGTERM/SIGINT and SIGKILL of the command (0: at once) */
    bool init_kill_tree;  /* not PID 1: stop what the command left (SIGTERM, grace, SIGKILL) before exiting */
    bool init_warn_reap;  /* tini's -w: say when a zombie other than the command is reaped */
    int init_rewrite[65]; /* dumb-init's -r: forward signal N as init_rewrite[N] (0: unchanged, -1: not at all) */
    const int *init_zero_codes; /* -e: exit codes of the command that count as 0 */
    size_t init_nzero;
    /* the services' logs (journal.c): the directory ("" for memory only), the ring of each service, and
     * the files' size and how many rotated ones are kept */
    bool timestamps; /* --timestamps: the foreground lines behind their time */
    const char *syslog_path; /* --syslog PATH: serve it as /dev/log is served (as PID 1, /dev/log itself) */
    const char *log_dir;
    size_t log_memory;
    uint64_t log_file_size;
    unsigned log_files;
    bool no_cgroups; /* --no-cgroups: track by /proc even where cgroup v2 could be used */
    int failure_action;  /* --failure-action: an enum unit_action for units without FailureAction= (0: none) */
    bool exit_when_idle; /* --exit-when-idle: exit once nothing is active, starting or waiting to restart */
    /* oya up -d: once every service has started or failed, one line goes to ready_fd ("ok N" or "failed
     * NAME...") and it is closed: the parent that waits on it then returns */
    bool detach;
    int ready_fd;
    const char *cgroup_root; /* tests: a directory shaped like cgroupfs that resource control is written to */
};

/* oya up: runs until SIGTERM or SIGINT has stopped every service, returns 0.
 * oya init: runs until the command has ended, returns its exit code (128+N for signal N). */
int sup_run(const struct sup_options *opts);

#endif
