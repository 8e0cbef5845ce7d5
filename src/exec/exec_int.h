/* exec's private contract between the parent side (exec.c: the plan, the launch, the reports) and the
 * child side (child.c: what runs between clone and execve). */
#ifndef OYA_EXEC_INT_H
#define OYA_EXEC_INT_H

#include "exec.h"

#include <sched.h>
#include <sys/resource.h>

/* the steps that can fail in the child, with systemd's exit code for each */
enum exec_step {
    STEP_SETSID, STEP_STDIO, STEP_FDS, STEP_LIMITS, STEP_CHDIR, STEP_GROUP, STEP_USER, STEP_EXEC, STEP_NICE,
    STEP_OOM, STEP_IOPRIO, STEP_AFFINITY, STEP_NAMESPACE, STEP_CAPS, STEP_AMBIENT, STEP_NNP, STEP_OUTPUT_FILE,
    STEP_CGROUP, STEP_INPUT, STEP_SCHED, STEP_PROTECT, STEP_DEVICES, STEP_UTS, STEP_N /* must be last: every step before it has a row in exec_steps[] (checked in exec.c) */
};
struct exec_step_info {
    int code; /* systemd's exit status for it; its name is base's exit_status_name() */
    const char *what;
};
extern const struct exec_step_info exec_steps[STEP_N];

struct exec_report {
    int step;
    int err;
    int warning; /* 1: the step was skipped, as systemd skips it without the privilege; exec goes on */
};

/* A step of the sandboxing in the service's mount namespace (ProtectSystem=, ProtectHome=, ReadWritePaths=,
 * ReadOnlyPaths=, InaccessiblePaths=), in the order of the kinds: the paths that stay as they are and those
 * made read-only are bound onto themselves, then every mount whose deepest covering path is read-only is
 * made read-only (never the other way: nothing read-only becomes writable), then the inaccessible and
 * tmpfs ones are covered. */
enum mount_kind { MOUNT_KEEP, MOUNT_RW, MOUNT_RO, MOUNT_INACCESSIBLE, MOUNT_TMPFS };
struct mount_entry {
    char *path;    /* symlinks resolved, where it exists */
    int kind;      /* enum mount_kind; MOUNT_KEEP: not bound, only excluded from read-only (/dev, /proc, /sys) */
    bool optional; /* missing: skipped */
};
#define PLAN_MAX_MOUNTS 256

/* Everything the child needs, prepared before the clone. The child only reads it, and while it may share
 * oya's memory (exec_launches) nothing in it may point at memory oya could free or change meanwhile: the
 * unit is a copy, the signal sets are values, the strings are the plan's own. */
struct plan {
    char *path;
    char **argv, **envp;
    struct strv argv_s, env_s;
    char *cwd;
    bool cwd_optional;
    bool set_creds;
    uid_t uid;
    gid_t gid;
    gid_t *groups;
    int ngroups;
    int umask;
    int devnull, out_fd, report_fd;
    int err_log_fd; /* stderr's own pipe to the log, or -1 (then out_fd) */
    int stdout_fd, stderr_fd; /* where 1 and 2 go, before any file of StandardOutput=file: is opened */
    int stdin_fd;   /* where 0 comes from: /dev/null, or StandardInput=data's memfd (a tty or file: the child opens) */
    int stdin_data; /* that memfd, to close with the plan; -1: none */
    char *input_path; /* StandardInput=file:, opened by the child as the service's user; NULL: none */
    char *tty_path;   /* StandardInput=tty, tty-force, tty-fail: the terminal the child takes; NULL: none */
    struct mount_entry *mounts; /* the sandboxing of the mount namespace, in no order (the child sorts by kind) */
    size_t nmounts, mounts_cap;
    uint64_t drop_caps; /* what the Protect*= keys take from the bounding set, a bit per CAP_* */
    char *file_path[2]; /* StandardOutput=/StandardError= file:, append:, truncate: (NULL: none) */
    int file_flags[2];
    bool same_file; /* both name the same file the same way: one open file, as systemd shares it */
    char oom[16];   /* OOMScoreAdjust= as written to /proc/self/oom_score_adj; "" if unset */
    size_t oom_len;
    bool set_cpus;
    cpu_set_t cpus; /* CPUAffinity= */
    bool inherit_stdio, process_group, take_terminal;
    rlim_t nofile_soft;
    bool has_sigmask, has_sigignore, has_parent_ignored;
    sigset_t sigmask, sigignore, parent_ignored;
    char **sh_argv; /* "/bin/sh" PATH ARGS...: for ENOEXEC, when asked */
    struct strv sh_argv_s;
    const struct unit *unit; /* while planning: the caller's; for the child: &unit_copy */
    struct unit unit_copy;   /* its scalar settings only are read (the pointers in it are not followed) */
    int cgroup_fd;          /* the service's cgroup, or -1 */
    bool cgroup_in_child;   /* clone3 could not start it there: the child moves itself before anything */
    bool cgroup_by_move;    /* asked (exec_request): never born there, always moved */
};

/* The child: carries out the plan and executes, or reports the step that failed and exits. It makes
 * system calls only (no libc state, not even errno), so it may run in oya's own memory. */
_Noreturn void exec_child_run(const struct plan *pl);

/* clone3 with CLONE_VM on a stack of the caller's: the child runs fn(arg) there and exits with what it
 * returns; the parent gets the child's PID or -errno. Only where EXEC_CLONE_VM is 1. */
#if defined(__x86_64__) || defined(__aarch64__)
#define EXEC_CLONE_VM 1
long exec_clone3_vm(void *args, size_t size, int (*fn)(void *), void *arg);
int exec_child_entry(void *plan);
#else
#define EXEC_CLONE_VM 0
#endif

#endif
