/* exec, the parent side: the plan (argv, environment, credentials, paths, all prepared before the
 * clone), the launch (clone3 CLONE_VM|CLONE_PIDFD into the service's cgroup; fallbacks: a copy by clone3,
 * then fork + pidfd_open), the plans kept for children that still share oya's memory, the exec report. */
#include "exec_int.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const struct exec_step_info exec_steps[] = {
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
    [STEP_AMBIENT] = {218, "raise every ambient capability (AmbientCapabilities=)"},
    [STEP_NNP] = {227, "set no_new_privs"},
    [STEP_OUTPUT_FILE] = {209, "open the StandardOutput=/StandardError= file as the service's user"},
    [STEP_CGROUP] = {219, "set up the service's cgroup"},
    [STEP_INPUT] = {208, "set up standard input (StandardInput=)"},
    [STEP_SCHED] = {214, "set the CPU scheduling policy (CPUSchedulingPolicy=, CPUSchedulingPriority=)"},
    [STEP_PROTECT] = {226, "make paths read-only or inaccessible (ProtectSystem=, ProtectHome=, ReadOnlyPaths=, ...)"},
    [STEP_DEVICES] = {226, "set up the private /dev (PrivateDevices=)"},
    [STEP_UTS] = {226, "give it a hostname of its own (ProtectHostname=)"},
};
_Static_assert(ARRAY_SIZE(exec_steps) == STEP_N, "every exec step has a code and a description");

/* for tests and messages: the code and name of step i (0 <= i < exec_step_count()) */
int exec_step_count(void)
{
    return STEP_N;
}

const char *exec_step_name_at(int i, int *code)
{
    if (i < 0 || i >= STEP_N || !exec_steps[i].what)
        return NULL;
    *code = exec_steps[i].code;
    return exit_status_name(exec_steps[i].code);
}

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
        return mem_strdup(name);
    const char *p = env_path(envp);
    char *first = NULL;
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        char *cand = mem_asprintf("%.*s/%s", (int)n, n ? p : ".", name);
        if (!cand) {
            free(first);
            return NULL;
        }
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
    return first ? first : mem_strdup(name);
}

/* out of memory marks env failed (plan_build checks) */
static void env_set_fmt(struct strv *env, const char *name, const char *value)
{
    char *a = mem_asprintf("%s=%s", name, value);
    if (a)
        unit_env_set(env, a);
    else
        env->failed = true;
    free(a);
}

/* text NULL: there was no memory for it (or for what failed) */
static int creds_fail(struct unit_creds *c, char *text)
{
    c->err = text ? -ESRCH : -ENOMEM;
    c->text = text;
    return c->err;
}

/* DynamicUser=yes: ids from systemd's range for them, which no user or group of the databases has. A
 * name keeps its id for as long as oya runs (a restart, a reload), and gets the same one from a hash of it
 * next time where that one is free, so what the service left on disk stays its own. Looked up when units
 * are loaded, as User= is. */
#define DYNAMIC_ID_MIN 61184u
#define DYNAMIC_ID_MAX 65519u

static int dynamic_id(struct exec_dynamic_ids *ids, const char *name, uid_t *id)
{
    for (size_t i = 0; i < ids->n; i++) {
        if (strcmp(ids->v[i].name, name) == 0) {
            *id = ids->v[i].id;
            return 0;
        }
    }
    if (mem_reserve(&ids->v, &ids->cap, ids->n + 1, sizeof(*ids->v)) < 0)
        return -ENOMEM;
    uint64_t h = hash_fnv1a(name, strlen(name));
    const uint32_t span = DYNAMIC_ID_MAX - DYNAMIC_ID_MIN + 1;
    for (uint32_t k = 0; k < span; k++) {
        uid_t cand = DYNAMIC_ID_MIN + (uid_t)((h + k) % span);
        bool taken = getpwuid(cand) || getgrgid((gid_t)cand);
        for (size_t i = 0; !taken && i < ids->n; i++)
            taken = ids->v[i].id == cand;
        if (taken)
            continue;
        char *copy = mem_strdup(name);
        if (!copy)
            return -ENOMEM;
        ids->v[ids->n++] = (struct exec_dynamic_id){copy, cand};
        *id = cand;
        return 0;
    }
    return -EUSERS;
}

void exec_dynamic_ids_free(struct exec_dynamic_ids *ids)
{
    for (size_t i = 0; i < ids->n; i++)
        free(ids->v[i].name);
    free(ids->v);
    *ids = (struct exec_dynamic_ids){0};
}

/* User= of DynamicUser=yes that no database has: an id of its own for user and group, home /, no login */
static int creds_dynamic(const struct unit *u, struct unit_creds *c, struct exec_dynamic_ids *ids)
{
    if (getgrnam(u->user))
        return creds_fail(c, mem_asprintf("DynamicUser=yes: there is a group %s but no user of that name; make "
                                          "the user too (useradd --system %s), or use another User=",
                                          u->user, u->user));
    uid_t id;
    int r = dynamic_id(ids, u->user, &id);
    if (r == -ENOMEM)
        return creds_fail(c, NULL);
    if (r < 0)
        return creds_fail(c, mem_asprintf("DynamicUser=yes: no user id is free in %u-%u for %s", DYNAMIC_ID_MIN,
                                          DYNAMIC_ID_MAX, u->user));
    c->uid = id;
    c->gid = (gid_t)id;
    c->name = mem_strdup(u->user);
    c->home = mem_strdup("/");
    c->shell = mem_strdup("/usr/sbin/nologin");
    return c->name && c->home && c->shell ? 0 : creds_fail(c, NULL);
}

/* User=, Group=, SupplementaryGroups= and the user's groups into c (zeroed) */
static int creds_resolve(const struct unit *u, struct unit_creds *c, struct exec_dynamic_ids *ids)
{
    c->resolved = true;
    c->uid = (uid_t)-1;
    c->gid = (gid_t)-1;
    uint64_t id;
    struct passwd *pw = NULL;
    bool dynamic = false;
    if (u->user) {
        bool numeric = str_to_u64(u->user, &id);
        pw = numeric ? getpwuid((uid_t)id) : getpwnam(u->user);
        if (pw) {
            c->uid = pw->pw_uid;
            c->gid = pw->pw_gid;
            c->name = mem_strdup(pw->pw_name);
            c->home = mem_strdup(pw->pw_dir ? pw->pw_dir : "/");
            c->shell = mem_strdup(pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
            if (!c->name || !c->home || !c->shell)
                return creds_fail(c, NULL);
        } else if (numeric) {
            c->uid = (uid_t)id; /* a numeric id need not be in the database */
            c->gid = (gid_t)id;
        } else if (u->dynamic_user) {
            int r = creds_dynamic(u, c, ids);
            if (r < 0)
                return r;
            dynamic = true;
        } else {
            return creds_fail(c, mem_asprintf("User=%s: no such user in the user database", u->user));
        }
    }
    if (u->group) {
        bool numeric = str_to_u64(u->group, &id);
        struct group *gr = numeric ? getgrgid((gid_t)id) : getgrnam(u->group);
        uid_t dyn;
        int r = gr || numeric || !u->dynamic_user ? -ESRCH : dynamic_id(ids, u->group, &dyn);
        if (r == -ENOMEM)
            return creds_fail(c, NULL);
        if (gr)
            c->gid = gr->gr_gid;
        else if (numeric)
            c->gid = (gid_t)id;
        else if (r == 0)
            c->gid = (gid_t)dyn; /* DynamicUser=yes: a group of that name is made as the user is */
        else
            return creds_fail(c, mem_asprintf("Group=%s: no such group in the group database", u->group));
    }
    gid_t primary = c->gid != (gid_t)-1 ? c->gid : getgid();
    c->groups = mem_zalloc(1, sizeof(gid_t));
    if (!c->groups)
        return creds_fail(c, NULL);
    c->ngroups = 1;
    c->groups[0] = primary;
    if (c->name && !dynamic) {
        /* the user's supplementary groups, as login would give them (a dynamic user is in none) */
        int n = 32;
        for (int tries = 0; tries < 6; tries++) {
            gid_t *more = mem_grow(c->groups, (size_t)n, sizeof(gid_t));
            if (!more)
                return creds_fail(c, NULL);
            c->groups = more;
            int got = n;
            if (getgrouplist(c->name, primary, c->groups, &got) >= 0) {
                c->ngroups = got;
                break;
            }
            n = got > n ? got : n * 2;
        }
    }
    /* SupplementaryGroups=: each name or number appended */
    for (size_t i = 0; i < u->supplementary_groups.n; i++) {
        const char *g = u->supplementary_groups.v[i];
        gid_t gid;
        if (str_to_u64(g, &id) && id < (gid_t)-1) {
            gid = (gid_t)id;
        } else {
            struct group *gr = getgrnam(g);
            if (!gr)
                return creds_fail(c, mem_asprintf("SupplementaryGroups=%s: no such group (status=216/GROUP)", g));
            gid = gr->gr_gid;
        }
        gid_t *more = mem_grow(c->groups, (size_t)c->ngroups + 1, sizeof(gid_t));
        if (!more)
            return creds_fail(c, NULL);
        c->groups = more;
        c->groups[c->ngroups++] = gid;
    }
    return 0;
}

int exec_resolve_creds(struct unit *u, struct exec_dynamic_ids *ids)
{
    struct unit_creds fresh = {0};
    int r = creds_resolve(u, &fresh, ids);
    if (r == -ENOMEM && u->creds.resolved && u->creds.err != -ENOMEM) {
        unit_creds_clear(&fresh); /* out of memory: what was resolved before still holds */
        return r;
    }
    unit_creds_clear(&u->creds);
    u->creds = fresh;
    return r;
}

int exec_owner(const struct unit *u, uid_t *uid, gid_t *gid, struct buf *err)
{
    const struct unit_creds *c = &u->creds;
    *uid = (uid_t)-1;
    *gid = (gid_t)-1;
    if (!u->user && !u->group && !u->supplementary_groups.n)
        return 0;
    if (!c->resolved) {
        buf_printf(err, "User=/Group= of %s were not resolved when it was loaded", u->name);
        return -ESRCH;
    }
    if (c->err) {
        buf_printf(err, "%s", c->text ? c->text : "User=/Group=: out of memory when the unit was loaded "
                                                  "(`oya daemon-reload` reads them again)");
        return c->err;
    }
    *uid = c->uid;
    *gid = c->gid;
    return 0;
}

static int plan_credentials(struct plan *pl, const struct unit *u, struct strv *env, struct buf *err)
{
    if (!u->user && !u->group && !u->supplementary_groups.n)
        return 0;
    int r = exec_owner(u, &pl->uid, &pl->gid, err);
    if (r < 0)
        return r;
    if (pl->uid == (uid_t)-1)
        pl->uid = getuid(); /* Group= alone */
    if (pl->gid == (gid_t)-1)
        pl->gid = getgid();
    const struct unit_creds *c = &u->creds;
    if (c->name) {
        env_set_fmt(env, "USER", c->name);
        env_set_fmt(env, "LOGNAME", c->name);
        env_set_fmt(env, "HOME", c->home);
        env_set_fmt(env, "SHELL", c->shell);
    }
    pl->groups = mem_grow(NULL, (size_t)c->ngroups, sizeof(gid_t));
    if (!pl->groups)
        return -ENOMEM;
    pl->ngroups = c->ngroups;
    memcpy(pl->groups, c->groups, (size_t)c->ngroups * sizeof(gid_t));
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
    free(pl->file_path[0]);
    free(pl->file_path[1]);
    free(pl->input_path);
    free(pl->tty_path);
    for (size_t i = 0; i < pl->nmounts; i++)
        free(pl->mounts[i].path);
    free(pl->mounts);
    fd_close(&pl->stdin_data);
    fd_close(&pl->devnull);
}

/* Where a stream goes. A file is only named here: the child opens it after taking the service's
 * credentials, so a User= service can reach no file through it that it could not open itself (a
 * symlink it planted at the path leads nowhere new). Until then the stream is /dev/null. */
static int plan_output(struct plan *pl, int stream, enum unit_output o, const char *path, int *fd)
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY;
    switch (o) {
    case OUT_LOG: *fd = stream == 1 && pl->err_log_fd >= 0 ? pl->err_log_fd : pl->out_fd; return 0;
    case OUT_INHERIT:
    case OUT_NULL: *fd = pl->devnull; return 0;
    case OUT_APPEND: flags |= O_APPEND; break;
    case OUT_TRUNCATE: flags |= O_TRUNC; break;
    case OUT_FILE: break;
    }
    *fd = pl->devnull;
    pl->file_path[stream] = mem_strdup(path);
    pl->file_flags[stream] = flags;
    return pl->file_path[stream] ? 0 : -ENOMEM;
}

/* StandardInput=data: the bytes in a memfd of their own, read from its start (a pipe would hold 64 KiB) */
static int plan_input_data(struct plan *pl, const struct unit *u, struct buf *err)
{
    int fd = memfd_create("oya-stdin", MFD_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        buf_printf(err, "StandardInput=data: memfd_create: %s", strerror(e));
        return -e;
    }
    pl->stdin_data = pl->stdin_fd = fd;
    int r = fd_write_all(fd, u->input_data.p, u->input_data.len);
    if (r < 0) {
        buf_printf(err, "StandardInput=data: cannot write it: %s", strerror(-r));
        return r;
    }
    if (lseek(fd, 0, SEEK_SET) < 0) {
        int e = errno;
        buf_printf(err, "StandardInput=data: lseek: %s", strerror(e));
        return -e;
    }
    return 0;
}

/* One path of the sandboxing, its symlinks resolved (the mount table names where a bind lands); a missing
 * one is an error named here unless optional */
static int plan_mount(struct plan *pl, const char *path, enum mount_kind kind, bool optional, const char *key,
                      struct buf *err)
{
    char resolved[PATH_MAX];
    const char *p = path;
    if (realpath(path, resolved))
        p = resolved;
    else if (errno != ENOENT || !optional) {
        int e = errno;
        buf_printf(err, "%s%s: %s", key, path, strerror(e));
        return -e;
    }
    if (pl->nmounts >= PLAN_MAX_MOUNTS) {
        buf_printf(err, "%s%s: more than %d paths to sandbox", key, path, PLAN_MAX_MOUNTS);
        return -E2BIG;
    }
    if (mem_reserve(&pl->mounts, &pl->mounts_cap, pl->nmounts + 1, sizeof(*pl->mounts)) < 0)
        return -ENOMEM;
    char *copy = mem_strdup(p);
    if (!copy)
        return -ENOMEM;
    pl->mounts[pl->nmounts++] = (struct mount_entry){copy, kind, optional};
    return 0;
}

static int plan_mount_list(struct plan *pl, const struct strv *l, enum mount_kind kind, const char *key,
                           struct buf *err)
{
    int r = 0;
    for (size_t i = 0; i < l->n && r == 0; i++)
        r = plan_mount(pl, l->v[i] + (l->v[i][0] == '-'), kind, l->v[i][0] == '-', key, err);
    return r;
}

/* ProtectSystem=, ProtectHome=, ProtectControlGroups=, ReadWritePaths=, ReadOnlyPaths=, InaccessiblePaths=,
 * as systemd.exec(5) has them; the directories of RuntimeDirectory= and its kin stay writable, as systemd
 * keeps them */
static int plan_protect(struct plan *pl, const struct unit *u, struct buf *err)
{
    static const char *const system[] = {"/usr", "/boot", "/efi", "/etc"}, *const home[] = {"/home", "/root",
                                                                                           "/run/user"};
    int r = 0;
    int ps = u->protect_system, ph = u->protect_home;
    for (size_t i = 0; i < 4 && r == 0 && (ps == 1 || ps == 2); i++)
        if (i < 3 || ps == 2)
            r = plan_mount(pl, system[i], MOUNT_RO, true, "ProtectSystem=", err);
    if (ps == 3) {
        r = plan_mount(pl, "/", MOUNT_RO, false, "ProtectSystem=", err);
        static const char *const keep[] = {"/dev", "/proc", "/sys"};
        for (size_t i = 0; i < 3 && r == 0; i++)
            r = plan_mount(pl, keep[i], MOUNT_KEEP, true, "ProtectSystem=", err);
    }
    if (r == 0 && u->protect_control_groups)
        r = plan_mount(pl, "/sys/fs/cgroup", MOUNT_RO, true, "ProtectControlGroups=", err);
    /* ProtectKernelTunables=: systemd's table; the cgroups and selinuxfs stay as they are (the former is
     * ProtectControlGroups='s), kallsyms and kcore read as empty */
    static const struct {
        const char *path;
        enum mount_kind kind;
    } tunables[] = {{"/proc/acpi", MOUNT_RO}, {"/proc/apm", MOUNT_RO}, {"/proc/asound", MOUNT_RO},
                    {"/proc/bus", MOUNT_RO}, {"/proc/fs", MOUNT_RO}, {"/proc/irq", MOUNT_RO},
                    {"/proc/kallsyms", MOUNT_INACCESSIBLE}, {"/proc/kcore", MOUNT_INACCESSIBLE},
                    {"/proc/latency_stats", MOUNT_RO}, {"/proc/mtrr", MOUNT_RO}, {"/proc/scsi", MOUNT_RO},
                    {"/proc/sys", MOUNT_RO}, {"/proc/sysrq-trigger", MOUNT_RO}, {"/proc/timer_stats", MOUNT_RO},
                    {"/sys", MOUNT_RO}, {"/sys/fs/cgroup", MOUNT_KEEP}, {"/sys/fs/selinux", MOUNT_KEEP}};
    for (size_t i = 0; i < ARRAY_SIZE(tunables) && r == 0 && u->protect_kernel_tunables; i++)
        r = plan_mount(pl, tunables[i].path, tunables[i].kind, true, "ProtectKernelTunables=", err);
    /* ProtectKernelModules=, ProtectKernelLogs=, ProtectClock=: what to see hidden, and the capability that the
     * system calls need dropped (systemd also filters them with seccomp, which the missing capability makes
     * fail the same way) */
    static const char *const modules[] = {"/usr/lib/modules", "/lib/modules"}, *const logs[] = {"/proc/kmsg",
                                                                                              "/dev/kmsg"};
    for (size_t i = 0; i < 2 && r == 0 && u->protect_kernel_modules; i++)
        r = plan_mount(pl, modules[i], MOUNT_INACCESSIBLE, true, "ProtectKernelModules=", err);
    for (size_t i = 0; i < 2 && r == 0 && u->protect_kernel_logs; i++)
        r = plan_mount(pl, logs[i], MOUNT_INACCESSIBLE, true, "ProtectKernelLogs=", err);
    pl->drop_caps = (u->protect_kernel_modules ? 1ULL << 16 /* CAP_SYS_MODULE */ : 0) |
                    (u->protect_kernel_logs ? 1ULL << 34 /* CAP_SYSLOG */ : 0) |
                    (u->protect_clock ? 1ULL << 25 /* CAP_SYS_TIME */ | 1ULL << 35 /* CAP_WAKE_ALARM */ : 0);
    static const enum mount_kind home_kind[] = {MOUNT_KEEP, MOUNT_INACCESSIBLE, MOUNT_RO, MOUNT_TMPFS};
    for (size_t i = 0; i < 3 && r == 0 && ph; i++)
        r = plan_mount(pl, home[i], home_kind[ph], true, "ProtectHome=", err);
    if (r == 0)
        r = plan_mount_list(pl, &u->read_only_paths, MOUNT_RO, "ReadOnlyPaths=", err);
    if (r == 0)
        r = plan_mount_list(pl, &u->inaccessible_paths, MOUNT_INACCESSIBLE, "InaccessiblePaths=", err);
    if (r == 0)
        r = plan_mount_list(pl, &u->read_write_paths, MOUNT_RW, "ReadWritePaths=", err);
    if (r < 0 || pl->nmounts == 0)
        return r;
    for (int d = UDIR_RUNTIME; d <= UDIR_LOGS && r == 0; d++) {
        for (size_t i = 0; i < u->dirs[d].n && r == 0; i++) {
            char *path = mem_asprintf("%s/%s", unit_dir_base((enum unit_dir)d), u->dirs[d].v[i]);
            r = path ? plan_mount(pl, path, MOUNT_RW, true, "", err) : -ENOMEM;
            free(path);
        }
    }
    return r;
}

/* Standard input: /dev/null, data, or named for the child (a terminal it takes, a file it opens as the user) */
static int plan_input(struct plan *pl, const struct unit *u, struct buf *err)
{
    pl->stdin_fd = pl->devnull;
    switch (u->std_input) {
    case IN_NULL: return 0;
    case IN_DATA: return plan_input_data(pl, u, err);
    case IN_FILE: pl->input_path = mem_strdup(u->input_path); return pl->input_path ? 0 : -ENOMEM;
    case IN_TTY:
    case IN_TTY_FORCE:
    case IN_TTY_FAIL:
        pl->tty_path = mem_strdup(u->tty_path ? u->tty_path : "/dev/console");
        return pl->tty_path ? 0 : -ENOMEM;
    }
    return 0;
}

static int plan_build(struct plan *pl, const struct exec_request *req, struct buf *err)
{
    const struct unit *u = req->unit;
    const struct exec_cmd *cmd = req->cmd;
    memset(pl, 0, sizeof(*pl));
    pl->devnull = pl->stdin_data = -1;
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
        pl->cwd = mem_strdup(strcmp(u->working_directory, "~") == 0 ? (home ? home : "/") : u->working_directory);
        pl->cwd_optional = u->working_directory_optional;
    }
    if (pl->env_s.failed || pl->argv_s.failed || !pl->path || (u->working_directory && !pl->cwd))
        goto oom;
    pl->devnull = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (pl->devnull < 0) {
        r = -errno;
        buf_printf(err, "cannot open /dev/null: %s", strerror(errno));
        return r;
    }
    if ((r = plan_input(pl, u, err)) == -ENOMEM)
        goto oom;
    if (r < 0)
        return r;
    /* '+': as systemd, no sandboxing for this command */
    if (!(cmd->flags & EXEC_FULL_PRIVILEGES) && (r = plan_protect(pl, u, err)) == -ENOMEM)
        goto oom;
    if (r < 0)
        return r;
    pl->out_fd = req->output_fd >= 0 ? req->output_fd : pl->devnull;
    pl->err_log_fd = req->output_fd >= 0 ? req->error_fd : -1;
    if (plan_output(pl, 0, u->std_output, u->output_path, &pl->stdout_fd) < 0 ||
        plan_output(pl, 1, u->std_error, u->error_path, &pl->stderr_fd) < 0)
        goto oom;
    /* StandardOutput=inherit takes standard input (/dev/null); StandardError=inherit takes standard output */
    if (u->std_error == OUT_INHERIT)
        pl->stderr_fd = pl->stdout_fd;
    /* what the child applies, prepared here: between fork and exec there is no formatting */
    if (u->oom_score_adjust_set)
        pl->oom_len = (size_t)snprintf(pl->oom, sizeof(pl->oom), "%d", u->oom_score_adjust);
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
    /* values, not pointers: the caller's sets may change while the child still reads them */
    if ((pl->has_sigmask = req->sigmask))
        pl->sigmask = *req->sigmask;
    if ((pl->has_sigignore = req->sigignore))
        pl->sigignore = *req->sigignore;
    if ((pl->has_parent_ignored = req->parent_ignored))
        pl->parent_ignored = *req->parent_ignored;
    pl->same_file = pl->file_path[0] && pl->file_path[1] && strcmp(pl->file_path[0], pl->file_path[1]) == 0 &&
                    pl->file_flags[0] == pl->file_flags[1];
    if (req->sh_fallback) {
        strv_add(&pl->sh_argv_s, "/bin/sh");
        strv_add(&pl->sh_argv_s, pl->path);
        for (size_t i = 1; i < pl->argv_s.n; i++)
            strv_add(&pl->sh_argv_s, pl->argv_s.v[i]);
        pl->sh_argv = strv_array(&pl->sh_argv_s);
    }
    if (pl->sh_argv_s.failed)
        goto oom;
    pl->unit_copy = *u; /* the child may outlive the caller's unit (a reload while it starts) */
    pl->unit = &pl->unit_copy;
    if (cmd->flags & EXEC_FULL_PRIVILEGES) {
        /* '+': as systemd, the sandboxing is not applied to this command (the cgroup's limits still are) */
        pl->unit_copy.cap_bounding_set = false;
        pl->unit_copy.cap_ambient = 0;
        pl->unit_copy.no_new_privileges = false;
        pl->unit_copy.private_tmp = false;
        pl->unit_copy.private_devices = false;
        pl->unit_copy.protect_hostname = false;
    }
    return 0;
oom:
    buf_printf(err, "out of memory while preparing %s", cmd->path);
    return -ENOMEM;
}

/* struct clone_args, version 2 (88 bytes: with set_tid and cgroup), spelled out so no kernel header is
 * needed */
struct oya_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define OYA_CLONE_PIDFD 0x00001000ULL
#define OYA_CLONE_INTO_CGROUP 0x200000000ULL

#define OYA_CLONE_VM 0x00000100ULL
#define EXEC_STACK (64 * 1024) /* the child's own stack while it shares oya's memory */
#define EXEC_GUARD 4096        /* below it, a page that faults instead of running into oya's memory */
#define SPARE_STACKS 4

struct exec_launch {
    struct plan *plan;
    void *stack;
    int watch; /* a read end of the report pipe: POLLHUP once the child has executed or exited; -1: none */
};

#if EXEC_CLONE_VM
static void *stack_take(struct exec_launches *ls)
{
    if (ls->nspare)
        return ls->spare[--ls->nspare];
    char *base = mmap(NULL, EXEC_GUARD + EXEC_STACK, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    if (mprotect(base, EXEC_GUARD, PROT_NONE) < 0) {
        munmap(base, EXEC_GUARD + EXEC_STACK);
        return NULL;
    }
    return base;
}
#endif

static void stack_give(struct exec_launches *ls, void *base)
{
    if (!base)
        return;
    if (ls->nspare < SPARE_STACKS)
        ls->spare[ls->nspare++] = base;
    else
        munmap(base, EXEC_GUARD + EXEC_STACK);
}

static void launch_release(struct exec_launches *ls, struct exec_launch *l)
{
    fd_close(&l->watch);
    plan_free(l->plan);
    free(l->plan);
    stack_give(ls, l->stack);
}

/* Let go of the plans and stacks of the children that have executed or exited since the last call (one
 * poll per 64 of them; one without a watch, for want of an fd, stays until exec_launches_free) */
static void launches_collect(struct exec_launches *ls)
{
    for (size_t from = 0; from < ls->n;) {
        struct pollfd pf[64];
        size_t k = 0;
        for (size_t i = from; i < ls->n && k < ARRAY_SIZE(pf); i++)
            pf[k++] = (struct pollfd){.fd = ls->v[i].watch};
        if (poll(pf, k, 0) < 0)
            return;
        size_t kept = from;
        for (size_t j = 0; j < k; j++) {
            if (pf[j].revents) /* POLLHUP: no writer left */
                launch_release(ls, &ls->v[from + j]);
            else
                ls->v[kept++] = ls->v[from + j];
        }
        memmove(&ls->v[kept], &ls->v[from + k], (ls->n - from - k) * sizeof(ls->v[0]));
        ls->n -= from + k - kept;
        from = kept;
    }
}

/* room for one more launch in the list; -ENOMEM when there is none */
static int launches_room(struct exec_launches *ls)
{
    return mem_reserve(&ls->v, &ls->cap, ls->n + 1, sizeof(*ls->v));
}

void exec_launches_free(struct exec_launches *ls)
{
    for (size_t i = 0; i < ls->n; i++)
        launch_release(ls, &ls->v[i]);
    free(ls->v);
    while (ls->nspare)
        munmap(ls->spare[--ls->nspare], EXEC_GUARD + EXEC_STACK);
    *ls = (struct exec_launches){.no_vm = ls->no_vm, .no_clone3 = ls->no_clone3};
}

/* A child process, born in the plan's cgroup when it has one (pl->cgroup_in_child then says whether the
 * kernel could not, and the child has to move itself). Where it can, the child shares oya's memory until
 * it executes (*stack is then its stack, to keep with the plan until then); otherwise it is a copy, and
 * 0 is returned in it. */
static int launch(struct exec_launches *ls, struct plan *pl, int *pidfd, void **stack)
{
    struct oya_clone_args args = {.flags = OYA_CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)pidfd,
                                  .exit_signal = SIGCHLD};
    *pidfd = -1;
    *stack = NULL;
    pl->cgroup_in_child = false;
    long pid;
#if EXEC_CLONE_VM
    if (ls && !ls->no_vm && (*stack = stack_take(ls))) {
        struct oya_clone_args vm = args;
        vm.flags |= OYA_CLONE_VM;
        vm.stack = (uint64_t)(uintptr_t)((char *)*stack + EXEC_GUARD);
        vm.stack_size = EXEC_STACK;
        /* every signal blocked while it starts: no handler (a sanitizer's) may run on its stack; it
         * sets the mask the service gets before it executes */
        unsigned long all = ~0UL, old; /* the kernel's mask: libc's (musl's) would keep its own signals out */
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, sizeof(all));
        pid = -ENOSYS;
        pl->cgroup_in_child = pl->cgroup_by_move && pl->cgroup_fd >= 0;
        if (pl->cgroup_fd >= 0 && !pl->cgroup_by_move) {
            vm.flags |= OYA_CLONE_INTO_CGROUP;
            vm.cgroup = (uint64_t)pl->cgroup_fd;
            pid = exec_clone3_vm(&vm, sizeof(vm), exec_child_entry, pl);
            vm.flags &= ~OYA_CLONE_INTO_CGROUP; /* before 5.7: the child moves itself */
            vm.cgroup = 0;
            pl->cgroup_in_child = pid < 0;
        }
        if (pid < 0)
            pid = exec_clone3_vm(&vm, 64, exec_child_entry, pl);
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, sizeof(old));
        if (pid >= 0)
            return (int)pid;
        stack_give(ls, *stack);
        *stack = NULL;
        if (pid != -ENOSYS && pid != -EPERM && pid != -EINVAL)
            return (int)pid;
        ls->no_vm = true; /* no clone3, or a seccomp filter refusing CLONE_VM: children are copies */
        pl->cgroup_in_child = false;
    }
#endif
    if (ls && ls->no_clone3)
        goto fork;
    pl->cgroup_in_child = pl->cgroup_by_move && pl->cgroup_fd >= 0;
    if (pl->cgroup_fd >= 0 && !pl->cgroup_by_move) {
        args.flags |= OYA_CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)pl->cgroup_fd;
        pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid >= 0)
            return (int)pid;
        /* a kernel before 5.7 (no CLONE_INTO_CGROUP): born in oya's cgroup, the child moves itself */
        args.flags &= ~OYA_CLONE_INTO_CGROUP;
        args.cgroup = 0;
        pl->cgroup_in_child = true;
    }
    pid = syscall(SYS_clone3, &args, 64); /* version 0 of the arguments: what every clone3 takes */
    if (pid >= 0)
        return (int)pid;
    if (errno != ENOSYS && errno != EPERM && errno != EINVAL)
        return -errno;
    if (ls)
        ls->no_clone3 = true; /* asked once: the next children are forked at once */
fork:
    /* no clone3 (old kernel, or a seccomp filter refusing it): fork, then pidfd_open; the child moves
     * itself into its cgroup */
    pl->cgroup_in_child = pl->cgroup_fd >= 0;
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
    struct exec_launches *ls = req->launches;
    if (ls && (launches_collect(ls), launches_room(ls) < 0))
        ls = NULL; /* no room to keep its plan for later: the child is a copy, with a plan of its own */
    struct plan *pl = mem_alloc(sizeof(*pl));
    if (!pl) {
        buf_printf(err, "out of memory while preparing %s", req->cmd->path);
        return -ENOMEM;
    }
    int pipefd[2] = {-1, -1};
    int r = plan_build(pl, req, err);
    if (r < 0)
        goto out;
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        r = -errno;
        buf_printf(err, "pipe: %s", strerror(errno));
        goto out;
    }
    pl->report_fd = pipefd[1];
    pl->cgroup_fd = req->cgroup_fd;
    pl->cgroup_by_move = req->cgroup_by_move;
    int pidfd;
    void *stack;
    int pid = launch(ls, pl, &pidfd, &stack);
    if (pid == 0)
        exec_child_run(pl); /* a copy of oya */
    if (pid < 0) {
        r = pid;
        buf_printf(err, "cannot create a process: %s", strerror(-pid));
        goto out;
    }
    fd_close(&pipefd[1]);
    child->pid = pid;
    child->uid = pl->set_creds ? pl->uid : geteuid();
    child->pidfd = pidfd;
    child->err_fd = pipefd[0];
    if (stack) {
        /* it reads the plan and runs on that stack until it executes or exits: kept until then */
        /* room was made before (launches_room); without an fd to watch (none left) they are kept until exec_launches_free */
        ls->v[ls->n++] = (struct exec_launch){pl, stack, fcntl(pipefd[0], F_DUPFD_CLOEXEC, 3)};
        pl = NULL;
    }
    pipefd[0] = -1;
    r = 0;
out:
    fd_close(&pipefd[0]);
    fd_close(&pipefd[1]);
    if (pl) {
        plan_free(pl);
        free(pl);
    }
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
                            "execution)", exec_steps[rep.step].what, strerror(rep.err));
        return 2;
    }
    snprintf(msg, size, "failed to %s: %s (status=%d/%s)", exec_steps[rep.step].what, strerror(rep.err),
             exec_steps[rep.step].code, exit_status_name(exec_steps[rep.step].code));
    return 1;
}
