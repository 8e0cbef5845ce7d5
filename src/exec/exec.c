/* exec: launch with clone3(CLONE_PIDFD) (fallback fork + pidfd_open), new session, stdio wiring,
 * rlimits, umask, working directory, credentials, environment. */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* the steps that can fail in the child, with systemd's exit code for each */
enum exec_step {
    STEP_SETSID, STEP_STDIO, STEP_FDS, STEP_LIMITS, STEP_CHDIR, STEP_GROUP, STEP_USER, STEP_EXEC, STEP_NICE,
    STEP_OOM, STEP_IOPRIO, STEP_AFFINITY, STEP_NAMESPACE, STEP_CAPS, STEP_NNP, STEP_OUTPUT_FILE,
    STEP_CGROUP, STEP_N /* must be last: every step before it has a row in steps[] (checked below) */
};
static const struct {
    int code; /* systemd's exit status for it; its name is base's exit_status_name() */
    const char *what;
} steps[] = {
    [STEP_SETSID] = {220, "setsid"},
    [STEP_STDIO] = {209, "set up standard input and output"},
    [STEP_FDS] = {202, "close inherited file descriptors"},
    [STEP_LIMITS] = {205, "set resource limits"},
    [STEP_CHDIR] = {200, "change to the working directory"},
    [STEP_GROUP] = {216, "set group credentials"},
    [STEP_USER] = {217, "set user credentials"},
    [STEP_EXEC] = {203, "execute"},
    [STEP_NICE] = {201, "set the nice level"},
    [STEP_OOM] = {206, "set the OOM score adjustment"},
    [STEP_IOPRIO] = {211, "set the I/O scheduling class"},
    [STEP_AFFINITY] = {215, "set the CPU affinity"},
    [STEP_NAMESPACE] = {226, "set up the private /tmp (PrivateTmp=)"},
    [STEP_CAPS] = {218, "drop capabilities from the bounding set"},
    [STEP_NNP] = {227, "set no_new_privs"},
    [STEP_OUTPUT_FILE] = {209, "open the StandardOutput=/StandardError= file as the service's user"},
    [STEP_CGROUP] = {219, "set up the service's cgroup"},
};
_Static_assert(ARRAY_SIZE(steps) == STEP_N, "every exec step has a code and a description");

/* for tests and messages: the code and name of step i (0 <= i < exec_step_count()) */
int exec_step_count(void)
{
    return STEP_N;
}

const char *exec_step_name_at(int i, int *code)
{
    if (i < 0 || i >= STEP_N || !steps[i].what)
        return NULL;
    *code = steps[i].code;
    return exit_status_name(steps[i].code);
}

struct exec_report {
    int step;
    int err;
    int warning; /* 1: the step was skipped, as systemd skips it without the privilege; exec goes on */
};

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
    const char *file_path[2]; /* StandardOutput=/StandardError= file:, append:, truncate: (NULL: none) */
    int file_flags[2];
    char oom[16]; /* OOMScoreAdjust= as written to /proc/self/oom_score_adj; "" if unset */
    bool set_cpus;
    cpu_set_t cpus; /* CPUAffinity= */
    bool inherit_stdio, process_group, take_terminal;
    rlim_t nofile_soft;
    const sigset_t *sigmask, *sigignore, *parent_ignored;
    char **sh_argv; /* "/bin/sh" PATH ARGS...: for ENOEXEC, when asked */
    struct strv sh_argv_s;
    const struct unit *unit;
    int cgroup_fd;          /* the service's cgroup, or -1 */
    bool cgroup_in_child;   /* clone3 could not start it there: the child moves itself before anything */
};

int exec_pidfd_open(int pid)
{
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0)
        fcntl(fd, F_SETFD, FD_CLOEXEC); /* pidfds are born close-on-exec; make it explicit */
    return fd < 0 ? -errno : fd;
}

int exec_signal(int pidfd, int pid, int sig)
{
    if (pidfd >= 0) {
        if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0)
            return 0;
        if (errno != ENOSYS)
            return -errno;
    }
    return kill(pid, sig) == 0 ? 0 : -errno;
}

static const char *env_path(char **envp)
{
    const char *p = unit_env_get(envp, "PATH");
    return p ? p : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

/* A bare program name is looked up in the service's PATH; the first executable match wins. */
static char *resolve_path(const char *name, char **envp)
{
    if (strchr(name, '/'))
        return xstrdup(name);
    const char *p = env_path(envp);
    char *first = NULL;
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char *cand = xasprintf("%.*s/%s", (int)n, n ? p : ".", name);
        struct stat st;
        if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
            free(first);
            return cand;
        }
        if (!first && stat(cand, &st) == 0)
            first = cand; /* exists but is not executable: exec will report EACCES */
        else
            free(cand);
        p += n + (colon ? 1 : 0);
    }
    return first ? first : xstrdup(name);
}

static void env_set_fmt(struct strv *env, const char *name, const char *value)
{
    char *a = xasprintf("%s=%s", name, value);
    unit_env_set(env, a);
    free(a);
}

int exec_owner(const struct unit *u, uid_t *uid, gid_t *gid, struct passwd **pw_out, struct buf *err)
{
    struct passwd *pw = NULL;
    uint64_t id;
    *uid = (uid_t)-1;
    *gid = (gid_t)-1;
    if (u->user) {
        bool numeric = str_to_u64(u->user, &id);
        pw = numeric ? getpwuid((uid_t)id) : getpwnam(u->user);
        if (pw) {
            *uid = pw->pw_uid;
            *gid = pw->pw_gid;
        } else if (numeric) {
            *uid = (uid_t)id; /* a numeric id need not be in the database */
            *gid = (gid_t)id;
        } else {
            buf_printf(err, "User=%s: no such user in the user database", u->user);
            return -ESRCH;
        }
    }
    if (u->group) {
        bool numeric = str_to_u64(u->group, &id);
        struct group *gr = numeric ? getgrgid((gid_t)id) : getgrnam(u->group);
        if (gr) {
            *gid = gr->gr_gid;
        } else if (numeric) {
            *gid = (gid_t)id;
        } else {
            buf_printf(err, "Group=%s: no such group in the group database", u->group);
            return -ESRCH;
        }
    }
    if (pw_out)
        *pw_out = pw;
    return 0;
}

/* SupplementaryGroups=: each name or number appended to the groups the process gets */
static int plan_supplementary(struct plan *pl, const struct unit *u, struct buf *err)
{
    for (size_t i = 0; i < u->supplementary_groups.n; i++) {
        const char *g = u->supplementary_groups.v[i];
        uint64_t n;
        gid_t gid;
        if (str_to_u64(g, &n) && n < (gid_t)-1) {
            gid = (gid_t)n;
        } else {
            struct group *gr = getgrnam(g);
            if (!gr) {
                buf_printf(err, "SupplementaryGroups=%s: no such group (status=216/GROUP)", g);
                return -ESRCH;
            }
            gid = gr->gr_gid;
        }
        pl->groups = xrealloc(pl->groups, ((size_t)pl->ngroups + 1) * sizeof(gid_t));
        pl->groups[pl->ngroups++] = gid;
    }
    return 0;
}

static int plan_credentials(struct plan *pl, const struct unit *u, struct strv *env, struct buf *err)
{
    if (!u->user && !u->group && !u->supplementary_groups.n)
        return 0;
    struct passwd *pw;
    int r = exec_owner(u, &pl->uid, &pl->gid, &pw, err);
    if (r < 0)
        return r;
    if (pl->uid == (uid_t)-1)
        pl->uid = getuid(); /* Group= alone */
    if (pl->gid == (gid_t)-1)
        pl->gid = getgid();
    if (pw) {
        env_set_fmt(env, "USER", pw->pw_name);
        env_set_fmt(env, "LOGNAME", pw->pw_name);
        env_set_fmt(env, "HOME", pw->pw_dir);
        env_set_fmt(env, "SHELL", pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
    }
    pl->ngroups = 1;
    pl->groups = xcalloc(1, sizeof(gid_t));
    pl->groups[0] = pl->gid;
    if (pw) {
        /* the user's supplementary groups, as login would give them */
        int n = 32;
        for (int tries = 0; tries < 6; tries++) {
            pl->groups = xrealloc(pl->groups, (size_t)n * sizeof(gid_t));
            int got = n;
            if (getgrouplist(pw->pw_name, pl->gid, pl->groups, &got) >= 0) {
                pl->ngroups = got;
                break;
            }
            n = got > n ? got : n * 2;
        }
    }
    r = plan_supplementary(pl, u, err);
    if (r < 0)
        return r;
    pl->set_creds = true;
    return 0;
}

/* UnsetEnvironment=, the last step, as in systemd: NAME drops the variable whatever its value,
 * NAME=VALUE only that assignment */
static void unset_environment(struct strv *env, const struct strv *unset)
{
    size_t kept = 0;
    for (size_t i = 0; i < env->n; i++) {
        const char *e = env->v[i];
        bool drop = false;
        for (size_t k = 0; k < unset->n && !drop; k++) {
            const char *u = unset->v[k];
            size_t n = strlen(u);
            drop = strchr(u, '=') ? strcmp(e, u) == 0 : strncmp(e, u, n) == 0 && e[n] == '=';
        }
        if (drop)
            free(env->v[i]);
        else
            env->v[kept++] = env->v[i];
    }
    env->n = kept;
    if (env->v)
        env->v[kept] = NULL;
}

static const char *const dropped_env[] = {"NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
                                          "INVOCATION_ID", "OYA_SOCKET", NULL};

/* The service environment: oya's own (less what belongs to oya), the user's identity, Environment=,
 * then EnvironmentFile= (files override Environment=, as in systemd), then INVOCATION_ID. */
static int plan_environment(struct plan *pl, const struct exec_request *req, struct buf *err)
{
    const struct unit *u = req->unit;
    for (char **e = environ; e && *e; e++) {
        bool drop = false;
        for (size_t i = 0; dropped_env[i] && !drop; i++)
            drop = str_startswith(*e, dropped_env[i]) && (*e)[strlen(dropped_env[i])] == '=';
        if (!drop && strchr(*e, '='))
            strv_add(&pl->env_s, *e);
    }
    if (!unit_env_get(pl->env_s.v, "PATH"))
        unit_env_set(&pl->env_s, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    /* '+' and '!' commands run with oya's own credentials */
    int r = (req->cmd->flags & EXEC_PRIVILEGED) ? 0 : plan_credentials(pl, u, &pl->env_s, err);
    if (r < 0)
        return r;
    for (size_t i = 0; i < u->environment.n; i++)
        strv_add(&pl->env_s, u->environment.v[i]);
    for (size_t i = 0; i < u->n_env_files; i++) {
        r = unit_read_env_file(u->env_files[i].path, &pl->env_s);
        if (r < 0 && !(u->env_files[i].optional && r == -ENOENT)) {
            buf_printf(err, "EnvironmentFile=%s: %s", u->env_files[i].path,
                       r == -EINVAL ? "not a regular file (a FIFO or a device is not read)"
                       : r == -EFBIG ? "larger than 8 MiB"
                                     : strerror(-r));
            return r;
        }
    }
    if (req->invocation_id)
        env_set_fmt(&pl->env_s, "INVOCATION_ID", req->invocation_id);
    if (req->notify_socket)
        env_set_fmt(&pl->env_s, "NOTIFY_SOCKET", req->notify_socket);
    if (req->watchdog_usec) {
        char v[32];
        snprintf(v, sizeof(v), "%llu", (unsigned long long)req->watchdog_usec);
        env_set_fmt(&pl->env_s, "WATCHDOG_USEC", v);
    }
    for (size_t i = 0; req->extra_env && i < req->extra_env->n; i++)
        strv_add(&pl->env_s, req->extra_env->v[i]);
    unit_env_dedupe(&pl->env_s); /* later settings win, in one pass however many there are */
    unset_environment(&pl->env_s, &u->unset_environment);
    pl->envp = strv_array(&pl->env_s);
    return 0;
}

static void plan_free(struct plan *pl)
{
    free(pl->path);
    strv_clear(&pl->argv_s);
    strv_clear(&pl->env_s);
    strv_clear(&pl->sh_argv_s);
    free(pl->cwd);
    free(pl->groups);
    fd_close(&pl->devnull);
}

/* Where a stream goes. A file is only named here: the child opens it after taking the service's
 * credentials, so a User= service can reach no file through it that it could not open itself (a
 * symlink it planted at the path leads nowhere new). Until then the stream is /dev/null. */
static void plan_output(struct plan *pl, int stream, enum unit_output o, const char *path, int *fd)
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY;
    switch (o) {
    case OUT_LOG: *fd = stream == 1 && pl->err_log_fd >= 0 ? pl->err_log_fd : pl->out_fd; return;
    case OUT_INHERIT:
    case OUT_NULL: *fd = pl->devnull; return;
    case OUT_APPEND: flags |= O_APPEND; break;
    case OUT_TRUNCATE: flags |= O_TRUNC; break;
    case OUT_FILE: break;
    }
    *fd = pl->devnull;
    pl->file_path[stream] = path;
    pl->file_flags[stream] = flags;
}

static int plan_build(struct plan *pl, const struct exec_request *req, struct buf *err)
{
    const struct unit *u = req->unit;
    const struct exec_cmd *cmd = req->cmd;
    memset(pl, 0, sizeof(*pl));
    pl->devnull = -1;
    pl->unit = u;
    pl->umask = u->umask;
    int r = plan_environment(pl, req, err);
    if (r < 0)
        return r;
    if (cmd->flags & EXEC_NO_ENV_EXPAND)
        strv_copy(&pl->argv_s, &cmd->argv);
    else
        unit_expand_argv(cmd->argv.v, pl->envp, &pl->argv_s);
    if (pl->argv_s.n == 0)
        strv_add(&pl->argv_s, cmd->path); /* argv[0] expanded to nothing: keep a name */
    pl->argv = strv_array(&pl->argv_s);
    pl->path = resolve_path(cmd->path, pl->envp);
    if (u->working_directory) {
        const char *home = unit_env_get(pl->envp, "HOME");
        pl->cwd = xstrdup(strcmp(u->working_directory, "~") == 0 ? (home ? home : "/") : u->working_directory);
        pl->cwd_optional = u->working_directory_optional;
    }
    pl->devnull = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (pl->devnull < 0) {
        r = -errno;
        buf_printf(err, "cannot open /dev/null: %s", strerror(errno));
        return r;
    }
    pl->out_fd = req->output_fd >= 0 ? req->output_fd : pl->devnull;
    pl->err_log_fd = req->output_fd >= 0 ? req->error_fd : -1;
    plan_output(pl, 0, u->std_output, u->output_path, &pl->stdout_fd);
    plan_output(pl, 1, u->std_error, u->error_path, &pl->stderr_fd);
    /* StandardOutput=inherit takes standard input (/dev/null); StandardError=inherit takes standard output */
    if (u->std_error == OUT_INHERIT)
        pl->stderr_fd = pl->stdout_fd;
    /* what the child applies, prepared here: between fork and exec there is no formatting */
    if (u->oom_score_adjust_set)
        snprintf(pl->oom, sizeof(pl->oom), "%d", u->oom_score_adjust);
    CPU_ZERO(&pl->cpus);
    for (int cpu = 0; cpu < 1024 && cpu < CPU_SETSIZE; cpu++) {
        if (u->cpu_affinity[cpu / 64] & (1ULL << (cpu % 64))) {
            CPU_SET(cpu, &pl->cpus);
            pl->set_cpus = true;
        }
    }
    pl->inherit_stdio = req->inherit_stdio;
    pl->process_group = req->process_group;
    pl->take_terminal = req->take_terminal;
    pl->nofile_soft = (rlim_t)req->nofile_soft;
    pl->sigmask = req->sigmask;
    pl->sigignore = req->sigignore;
    pl->parent_ignored = req->parent_ignored;
    if (req->sh_fallback) {
        strv_add(&pl->sh_argv_s, "/bin/sh");
        strv_add(&pl->sh_argv_s, pl->path);
        for (size_t i = 1; i < pl->argv_s.n; i++)
            strv_add(&pl->sh_argv_s, pl->argv_s.v[i]);
        pl->sh_argv = strv_array(&pl->sh_argv_s);
    }
    return 0;
}

/* In the child: only async-signal-safe calls from here to execve. */
/* A privileged setting that cannot be applied where oya lacks the capability (a container): systemd
 * goes on ("assuming containerized execution"), and so does oya, saying so through the report pipe. */
static void child_warn(int report_fd, enum exec_step step, int err)
{
    struct exec_report rep = {step, err, 1};
    ssize_t w;
    do {
        w = write(report_fd, &rep, sizeof(rep));
    } while (w < 0 && errno == EINTR);
}

static bool is_privilege_error(int err)
{
    return err == EPERM || err == EACCES;
}

static void __attribute__((noreturn)) child_fail(int report_fd, enum exec_step step, int err)
{
    struct exec_report rep = {step, err, 0};
    ssize_t w;
    do {
        w = write(report_fd, &rep, sizeof(rep));
    } while (w < 0 && errno == EINTR);
    _exit(steps[step].code);
}

/* Nice=, OOMScoreAdjust=, IOScheduling*=, CPUAffinity=, PrivateTmp=, CapabilityBoundingSet=: between fork
 * and exec, so only system calls (no allocation, no stdio). */
static void child_tune(const struct plan *pl, int rfd)
{
    const struct unit *u = pl->unit;
    if (u->nice_set && setpriority(PRIO_PROCESS, 0, u->nice) < 0)
        child_fail(rfd, STEP_NICE, errno);
    if (pl->oom[0]) {
        ssize_t n = (ssize_t)strlen(pl->oom);
        int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, pl->oom, (size_t)n) != n) {
            if (!is_privilege_error(errno))
                child_fail(rfd, STEP_OOM, errno);
            child_warn(rfd, STEP_OOM, errno); /* no CAP_SYS_RESOURCE: a lower score is not allowed */
        }
        if (fd >= 0)
            close(fd);
    }
    if (u->io_class || u->io_priority >= 0) {
        int class = u->io_class ? u->io_class : 2 /* best-effort */, prio = u->io_priority >= 0 ? u->io_priority : 4;
        if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (class << 13) | (class == 3 ? 0 : prio)) < 0)
            child_fail(rfd, STEP_IOPRIO, errno);
    }
    if (pl->set_cpus && sched_setaffinity(0, sizeof(pl->cpus), &pl->cpus) < 0)
        child_fail(rfd, STEP_AFFINITY, errno);
    if (u->private_tmp) {
        /* a mount namespace of its own, where /tmp and /var/tmp are fresh and empty; without the
         * privilege to make one (no CAP_SYS_ADMIN), the service runs with the shared ones, as systemd */
        if (unshare(CLONE_NEWNS) < 0) {
            if (!is_privilege_error(errno) && errno != ENOSYS)
                child_fail(rfd, STEP_NAMESPACE, errno);
            child_warn(rfd, STEP_NAMESPACE, errno);
        } else if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
                   mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0 ||
                   mount("tmpfs", "/var/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0) {
            child_fail(rfd, STEP_NAMESPACE, errno);
        }
    }
    if (u->cap_bounding_set) {
        for (int cap = 0; cap < 64; cap++) {
            if (u->cap_bounding & (1ULL << cap))
                continue;
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) /* EINVAL: the kernel has no such cap */
                child_fail(rfd, STEP_CAPS, errno);
        }
    }
}

/* AmbientCapabilities=: after the switch to User= (kept by PR_SET_KEEPCAPS), make the capabilities
 * permitted, inheritable and effective, then raise them into the ambient set, which survives exec. */
static void child_ambient(uint64_t caps, int rfd)
{
    struct {
        uint32_t version;
        int pid;
    } head = {0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0};
    struct {
        uint32_t effective, permitted, inheritable;
    } data[2];
    for (int i = 0; i < 2; i++) {
        uint32_t part = (uint32_t)(caps >> (32 * i));
        data[i].effective = data[i].permitted = data[i].inheritable = part;
    }
    if (syscall(SYS_capset, &head, data) < 0)
        child_fail(rfd, STEP_CAPS, errno);
    for (int cap = 0; cap < 64; cap++)
        if ((caps & (1ULL << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            child_fail(rfd, STEP_CAPS, errno);
}

/* StandardOutput=file: and its kin, opened with the service's own credentials (see plan_output) */
static void child_output_files(const struct plan *pl, int rfd)
{
    for (int stream = 0; stream < 2; stream++) {
        if (!pl->file_path[stream])
            continue;
        int fd;
        if (stream == 1 && pl->file_path[0] && strcmp(pl->file_path[0], pl->file_path[1]) == 0 &&
            pl->file_flags[0] == pl->file_flags[1])
            fd = dup(1); /* the same file for both: one open file, one offset, as systemd shares it */
        else
            fd = open(pl->file_path[stream], pl->file_flags[stream], 0644);
        if (fd < 0 || dup2(fd, stream + 1) < 0)
            child_fail(rfd, STEP_OUTPUT_FILE, errno);
        if (fd != stream + 1)
            close(fd);
    }
    /* StandardError=inherit follows a file on standard output */
    if (pl->file_path[0] && !pl->file_path[1] && pl->unit->std_error == OUT_INHERIT && dup2(1, 2) < 0)
        child_fail(rfd, STEP_OUTPUT_FILE, errno);
}

static void __attribute__((noreturn)) child_run(const struct plan *pl)
{
    int rfd = pl->report_fd;
    if (pl->cgroup_in_child) {
        int fd = openat(pl->cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1)
            child_fail(rfd, STEP_CGROUP, errno);
        close(fd);
    }
    if (pl->unit->delegate && pl->cgroup_fd >= 0 && pl->set_creds) {
        /* Delegate=: the cgroup and the files that manage its subtree belong to the service's user, as
         * the kernel's delegation model has it (still root here, before the credentials change) */
        static const char *const files[] = {"", "cgroup.procs", "cgroup.threads", "cgroup.subtree_control"};
        for (size_t i = 0; i < ARRAY_SIZE(files); i++)
            if (fchownat(pl->cgroup_fd, files[i], pl->uid, pl->gid, i == 0 ? AT_EMPTY_PATH : 0) < 0)
                child_fail(rfd, STEP_CGROUP, errno);
    }
    sigset_t none;
    sigemptyset(&none);
    /* oya ignores SIGPIPE; a service starts with default dispositions, oya init's command with those
     * oya was started with */
    for (int sig = 1; sig < NSIG; sig++) {
        bool want = pl->sigignore && sigset_has_any(pl->sigignore, sig);
        if (sig != SIGKILL && sig != SIGSTOP &&
            (!pl->parent_ignored || want != sigset_has_any(pl->parent_ignored, sig)))
            signal_set_ignored(sig, want); /* a handler needs no reset: exec does that */
    }
    /* IgnoreSIGPIPE= (systemd's default yes); oya init's command keeps what oya was started with */
    if (!pl->sigignore && pl->unit->ignore_sigpipe)
        signal(SIGPIPE, SIG_IGN);
    if (pl->process_group) {
        /* oya init: a process group of its own in oya's session, and the terminal's foreground, so
         * Ctrl-C and job control reach it (SIGTTOU would stop a background group asking for that) */
        if (setpgid(0, 0) < 0)
            child_fail(rfd, STEP_SETSID, errno);
        if (pl->take_terminal) {
            signal(SIGTTOU, SIG_IGN);
            if (tcsetpgrp(0, getpid()) < 0 && errno != ENOTTY && errno != EBADF && errno != ENXIO)
                child_fail(rfd, STEP_SETSID, errno);
            signal(SIGTTOU, SIG_DFL);
        }
    } else if (setsid() < 0) {
        child_fail(rfd, STEP_SETSID, errno);
    }
    sigprocmask(SIG_SETMASK, pl->sigmask ? pl->sigmask : &none, NULL);
    /* move the report pipe above 2 so the dup2 calls below cannot clobber it */
    if (rfd <= 2) {
        int n = fcntl(rfd, F_DUPFD_CLOEXEC, 3);
        if (n < 0)
            child_fail(rfd, STEP_STDIO, errno);
        rfd = n;
    }
    /* move the targets above 2 first, so one dup2 cannot clobber the source of the next */
    int in = pl->devnull, out = pl->stdout_fd, errfd = pl->stderr_fd;
    if (!pl->inherit_stdio) {
        if ((in <= 2 && (in = fcntl(in, F_DUPFD_CLOEXEC, 3)) < 0) ||
            (out <= 2 && (out = fcntl(out, F_DUPFD_CLOEXEC, 3)) < 0) ||
            (errfd <= 2 && (errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 3)) < 0))
            child_fail(rfd, STEP_STDIO, errno);
        if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
            child_fail(rfd, STEP_STDIO, errno);
    }
    /* anything inherited from whoever started oya must not reach the service: mark every fd above 2
     * close-on-exec (the report pipe included, so exec closes it and the parent sees EOF) */
    if (syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) < 0) {
        for (int fd = 3; fd < 65536; fd++)
            if (fd != rfd)
                fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    if (pl->umask >= 0)
        umask((mode_t)pl->umask);
    /* oya raised its own soft limit on open files; a service starts with the one oya was given (many
     * programs still use select(), which cannot see fds past 1024), then LimitNOFILE= applies */
    struct rlimit nofile;
    if (pl->nofile_soft && getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != pl->nofile_soft) {
        nofile.rlim_cur = pl->nofile_soft;
        if (setrlimit(RLIMIT_NOFILE, &nofile) < 0)
            child_fail(rfd, STEP_LIMITS, errno);
    }
    for (int r = 0; r < UNIT_MAX_LIMITS; r++) {
        const struct unit_limit *l = &pl->unit->limits[r];
        if (!l->set)
            continue;
        struct rlimit rl = {l->soft, l->hard}, cur;
        if (setrlimit(r, &rl) == 0)
            continue;
        /* as systemd: without CAP_SYS_RESOURCE a hard limit cannot be raised, so take the closest
         * value allowed (both limits at most the current hard one) rather than fail the start */
        if (errno != EPERM || getrlimit(r, &cur) < 0)
            child_fail(rfd, STEP_LIMITS, errno);
        if (cur.rlim_max != RLIM_INFINITY && (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > cur.rlim_max))
            rl.rlim_max = cur.rlim_max;
        if (rl.rlim_max != RLIM_INFINITY && (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > rl.rlim_max))
            rl.rlim_cur = rl.rlim_max;
        if (setrlimit(r, &rl) < 0)
            child_fail(rfd, STEP_LIMITS, errno);
    }
    child_tune(pl, rfd);
    uint64_t ambient = pl->unit->cap_ambient;
    if (ambient && pl->set_creds && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        child_fail(rfd, STEP_CAPS, errno);
    if (pl->set_creds) {
        if (setgroups((size_t)pl->ngroups, pl->groups) < 0 && errno != EPERM)
            child_fail(rfd, STEP_GROUP, errno);
        if (setresgid(pl->gid, pl->gid, pl->gid) < 0)
            child_fail(rfd, STEP_GROUP, errno);
        if (setresuid(pl->uid, pl->uid, pl->uid) < 0)
            child_fail(rfd, STEP_USER, errno);
    }
    if (ambient)
        child_ambient(ambient, rfd);
    child_output_files(pl, rfd);
    /* after the credentials change, so the directory is reached with the service's own rights */
    if (pl->cwd && chdir(pl->cwd) < 0 && !(pl->cwd_optional && errno == ENOENT))
        child_fail(rfd, STEP_CHDIR, errno);
    if (pl->unit->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        child_fail(rfd, STEP_NNP, errno);
    execve(pl->path, pl->argv, pl->envp);
    if (errno == ENOEXEC && pl->sh_argv)
        execve("/bin/sh", pl->sh_argv, pl->envp); /* no #!: a shell script, as execvp runs it */
    child_fail(rfd, STEP_EXEC, errno);
}

/* struct clone_args, version 2 (88 bytes: with set_tid and cgroup), spelled out so no kernel header is
 * needed */
struct oya_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define OYA_CLONE_PIDFD 0x00001000ULL
#define OYA_CLONE_INTO_CGROUP 0x200000000ULL

/* A child process, born in cgroup_fd's cgroup when that is not -1 (*in_child then says whether the
 * kernel could not, and the child has to move itself) */
static int launch(int *pidfd, int cgroup_fd, bool *in_child)
{
    struct oya_clone_args args = {.flags = OYA_CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)pidfd,
                                  .exit_signal = SIGCHLD};
    *pidfd = -1;
    *in_child = false;
    long pid;
    if (cgroup_fd >= 0) {
        args.flags |= OYA_CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup_fd;
        pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid >= 0)
            return (int)pid;
        /* a kernel before 5.7 (no CLONE_INTO_CGROUP): born in oya's cgroup, the child moves itself */
        args.flags &= ~OYA_CLONE_INTO_CGROUP;
        args.cgroup = 0;
        *in_child = true;
    }
    pid = syscall(SYS_clone3, &args, 64); /* version 0 of the arguments: what every clone3 takes */
    if (pid >= 0)
        return (int)pid;
    if (errno != ENOSYS && errno != EPERM && errno != EINVAL)
        return -errno;
    /* no clone3 (old kernel, or a seccomp filter refusing it): fork, then pidfd_open */
    pid = fork();
    if (pid < 0)
        return -errno;
    if (pid > 0) {
        int fd = exec_pidfd_open((int)pid);
        *pidfd = fd >= 0 ? fd : -1;
    }
    return (int)pid;
}

int exec_spawn(const struct exec_request *req, struct exec_child *child, struct buf *err)
{
    struct plan pl;
    int pipefd[2] = {-1, -1};
    int r = plan_build(&pl, req, err);
    if (r < 0)
        goto out;
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        r = -errno;
        buf_printf(err, "pipe: %s", strerror(errno));
        goto out;
    }
    pl.report_fd = pipefd[1];
    pl.cgroup_fd = req->cgroup_fd;
    int pidfd;
    int pid = launch(&pidfd, req->cgroup_fd, &pl.cgroup_in_child);
    if (pid == 0)
        child_run(&pl);
    if (pid < 0) {
        r = pid;
        buf_printf(err, "cannot create a process: %s", strerror(-pid));
        goto out;
    }
    fd_close(&pipefd[1]);
    child->pid = pid;
    child->uid = pl.set_creds ? pl.uid : geteuid();
    child->pidfd = pidfd;
    child->err_fd = pipefd[0];
    pipefd[0] = -1;
    r = 0;
out:
    fd_close(&pipefd[0]);
    fd_close(&pipefd[1]);
    plan_free(&pl);
    return r;
}

int exec_read_report(int err_fd, char *msg, size_t size, unsigned *step)
{
    struct exec_report rep;
    ssize_t n;
    do {
        n = read(err_fd, &rep, sizeof(rep));
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return errno == EAGAIN ? -EAGAIN : 0;
    if (n == 0)
        return 0;
    if ((size_t)n < sizeof(rep) || rep.step < 0 || rep.step >= STEP_N) {
        snprintf(msg, size, "the child sent a garbled report");
        return 1;
    }
    *step = (unsigned)rep.step;
    if (rep.warning) {
        snprintf(msg, size, "could not %s: %s; going on without it, as systemd does (assuming containerized "
                            "execution)", steps[rep.step].what, strerror(rep.err));
        return 2;
    }
    snprintf(msg, size, "failed to %s: %s (status=%d/%s)", steps[rep.step].what, strerror(rep.err),
             steps[rep.step].code, exit_status_name(steps[rep.step].code));
    return 1;
}
