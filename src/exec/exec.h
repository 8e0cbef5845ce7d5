/* exec: turns a unit's command into a running process. Everything (argv, environment, credentials,
 * paths) is prepared before the clone; between clone and exec the child makes only raw system calls
 * and reports a failure, with the step that failed, through a close-on-exec pipe. */
#ifndef OYA_EXEC_H
#define OYA_EXEC_H

#include "../unit/unit.h"

#include <signal.h>

struct exec_request {
    const struct unit *unit;
    const struct exec_cmd *cmd;
    const char *invocation_id; /* exported as INVOCATION_ID, as systemd does */
    const char *notify_socket; /* exported as NOTIFY_SOCKET when the service may notify */
    uint64_t watchdog_usec;    /* exported as WATCHDOG_USEC when not 0 */
    const struct strv *extra_env; /* NAME=VALUE set last (MAINPID, RUNTIME_DIRECTORY, ...); may be NULL */
    int output_fd;             /* stdout and stderr of the child; -1 for /dev/null */
    int error_fd;              /* stderr, when StandardError= goes to the log through a pipe of its own; -1: output_fd */
    bool inherit_stdio;        /* keep oya's fds 0, 1 and 2 (oya init), instead of /dev/null and output_fd */
    bool process_group;        /* own process group in oya's session (oya init), instead of a new session */
    bool take_terminal;        /* with process_group: become the terminal's foreground group if stdin is one */
    uint64_t nofile_soft;      /* not 0: the soft RLIMIT_NOFILE to give back (oya raised its own) */
    const sigset_t *sigmask;   /* the child's signal mask; NULL: empty */
    const sigset_t *sigignore; /* signals the child starts ignoring; NULL: none (all default) */
    /* the signals the caller ignores now (the child inherits those: only they and sigignore need a
     * change, one system call each instead of 64); NULL: unknown, every signal is set */
    const sigset_t *parent_ignored;
    bool sh_fallback;          /* a file exec refuses as not executable (ENOEXEC) runs through /bin/sh */
    int cgroup_fd;             /* >= 0: the cgroup v2 directory the child is born in; -1: oya's own */
    bool cgroup_by_move;       /* the child moves itself there (writes cgroup.procs) instead of being born there */
    struct exec_launches *launches; /* where the child may share the caller's memory until it executes; NULL: a copy */
};

/* The children started in the caller's memory (clone3 CLONE_VM, on a stack of their own) that may not
 * have executed yet: their plans and stacks stay until they have. One per caller, zeroed to begin with. */
struct exec_launch;
struct exec_launches {
    struct exec_launch *v;
    size_t n, cap;
    void *spare[4]; /* stacks kept for the next children */
    size_t nspare;
    bool no_vm;     /* refused here (no clone3, or a seccomp filter): children are copies from then on */
    bool no_clone3; /* clone3 itself refused: children are forked from then on */
};
void exec_launches_free(struct exec_launches *ls);

struct exec_child {
    int pid;
    uid_t uid;  /* the user it runs as */
    int pidfd;  /* -1 if the kernel has no pidfds */
    int err_fd; /* read end: EOF = exec succeeded; a record = the step that failed */
};

/* Look up User=, Group= and SupplementaryGroups= in the user and group databases into u->creds (at load
 * time: NSS never runs at a start); -ESRCH for a name they do not know (u->creds says which); -ENOMEM
 * keeps what u->creds held before, if anything (a start then fails saying so). */
/* The ids DynamicUser= names were given (exec.c): one per name for as long as the supervisor runs */
struct exec_dynamic_ids {
    struct exec_dynamic_id {
        char *name;
        uid_t id;
    } *v;
    size_t n, cap;
};
int exec_resolve_creds(struct unit *u, struct exec_dynamic_ids *ids);
void exec_dynamic_ids_free(struct exec_dynamic_ids *ids);
/* The owner from u->creds ((uid_t)-1 and (gid_t)-1 where unset); -ESRCH with a message in err for a name the
 * databases did not know when the unit was loaded. */
int exec_owner(const struct unit *u, uid_t *uid, gid_t *gid, struct buf *err);

/* Returns 0, or -errno with a message in err (nothing was started). */
int exec_spawn(const struct exec_request *req, struct exec_child *child, struct buf *err);

/* Read the child's report from err_fd. Returns 0 when exec succeeded (EOF), 1 with msg filled when
 * a step failed, 2 with msg filled for a warning (a privileged step skipped; read on), -EAGAIN if
 * nothing is there yet; *step says which step the report (1 or 2) is about. */
int exec_read_report(int err_fd, char *msg, size_t size, unsigned *step);
/* The steps of a start, each with systemd's exit code and name (for tests and messages) */
int exec_step_count(void);
const char *exec_step_name_at(int i, int *code);


/* Signal a process through its pidfd (never a recycled PID); falls back to kill() without pidfds. */
int exec_pidfd_open(int pid);
int exec_signal(int pidfd, int pid, int sig);

#endif
