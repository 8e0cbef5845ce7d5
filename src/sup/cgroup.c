/* sup/cgroup: one cgroup v2 per service, where the unified hierarchy is mounted and writable for oya.
 *
 * Where: the cgroup2 mount (/sys/fs/cgroup, or /sys/fs/cgroup/unified beside v1 controllers, or a
 * container's own with a cgroup namespace) and oya's cgroup in it (/proc/self/cgroup). When oya is alone
 * in its cgroup (a container's PID 1, a unit with Delegate=yes), that cgroup becomes oya's subtree and oya
 * moves itself into a leaf of it, `init.scope` as PID 1 (as systemd) or `oya.scope`, as the
 * no-internal-process rule wants before controllers can be enabled for the services. When it shares its
 * cgroup (started from a shell), its subtree is a new `oya-PID` below it. Each service is
 * SUBTREE/NAME.service; its processes are born in it (exec: clone3 CLONE_INTO_CGROUP).
 *
 * Membership is then the cgroup: a daemon that setsid()s and clears its environment is still its
 * service's. Emptiness is `populated 0` in cgroup.events, which the loop watches (EPOLLPRI). The last
 * SIGKILL of a stop is cgroup.kill where the kernel has it. Where none of this can be used (no cgroup2,
 * read-only, no rights), oya tracks by /proc as before (track.c) and says why. */
#include "sup_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The mount point and root of a cgroup2 mount that shows own (oya's cgroup; NULL: any) */
static bool find_mount(const char *own, char *point, size_t psize, char *root, size_t rsize)
{
    struct buf b = {0};
    if (file_read_to_buf("/proc/self/mountinfo", &b) < 0) {
        buf_free(&b);
        return false;
    }
    bool found = false;
    for (char *line = b.p, *next; line && *line && !found; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        /* ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
        char *sep = strstr(line, " - ");
        if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
            continue;
        char *f[5] = {0};
        char *p = line;
        for (int i = 0; i < 5 && p; i++) {
            f[i] = p;
            p = strchr(p, ' ');
            if (p)
                *p++ = 0;
        }
        if (!f[3] || !f[4])
            continue;
        /* a mount made outside oya's cgroup namespace shows its root as "/.." and the like: not that one */
        size_t rl = strlen(f[3]);
        if (own && strcmp(f[3], "/") != 0 && (strncmp(own, f[3], rl) != 0 || (own[rl] && own[rl] != '/')))
            continue;
        snprintf(root, rsize, "%s", f[3]);
        snprintf(point, psize, "%s", f[4]);
        found = true;
    }
    buf_free(&b);
    return found;
}

/* oya's own cgroup in the unified hierarchy ("0::/PATH" in /proc/self/cgroup) */
static bool own_cgroup(char *out, size_t size)
{
    char text[4096];
    int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? fd_read_all(fd, text, sizeof(text) - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return false;
    text[n] = 0;
    for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, "0::", 3) == 0) {
            snprintf(out, size, "%.*s", (int)strcspn(line + 3, "\n"), line + 3);
            return true;
        }
    }
    return false;
}

static int write_at(int dirfd, const char *file, const char *text)
{
    int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    return n < 0 ? -e : 0;
}

/* Is oya the only process of the cgroup dirfd is */
static bool alone_in(int dirfd, int self)
{
    char text[256];
    int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0)
        return false;
    text[n] = 0;
    return atoi(text) == self && !strchr(str_strip(text), '\n');
}

/* The controllers a cgroup has (cgroup.controllers), as " cpu memory pids " for lookups */
static void controllers_of(int dirfd, char *out, size_t size)
{
    char text[512] = "";
    int fd = openat(dirfd, "cgroup.controllers", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? fd_read_all(fd, text, sizeof(text)) : -1;
    if (fd >= 0)
        close(fd);
    text[n > 0 ? n : 0] = 0;
    snprintf(out, size, " %s ", str_strip(text));
}

/* How deep below a service's cgroup oya looks: a delegated service (Delegate=) makes its own subtree,
 * and a hostile one must not make oya recurse without end */
enum { CGROUP_DEPTH_MAX = 16 };

/* Remove the cgroup name below dirfd and every cgroup below it, deepest first (rmdir refuses one that
 * still has a process: it stays) */
static void remove_tree(int dirfd, const char *name, int depth)
{
    int fd = depth < CGROUP_DEPTH_MAX ? openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (d) {
        for (struct dirent *e; (e = readdir(d));)
            if (e->d_type == DT_DIR && e->d_name[0] != '.')
                remove_tree(fd, e->d_name, depth + 1);
        closedir(d);
    } else if (fd >= 0) {
        close(fd);
    }
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* An oya killed before its teardown leaves its oya-PID subtree: remove those of oyas that are gone, once
 * their services' cgroups are empty (a populated one stays: rmdir refuses it) */
static void remove_left_behind(int dirfd)
{
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    for (struct dirent *e; (e = readdir(d));) {
        int pid;
        if (strncmp(e->d_name, "oya-", 4) != 0 || !str_to_int(e->d_name + 4, &pid) || pid <= 0 ||
            kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        remove_tree(dirfd, e->d_name, 0);
    }
    closedir(d);
}

void sup_cgroup_setup(struct sup *s)
{
    s->cg_fd = -1;
    char point[1024], root[1024], own[1024];
    if (s->opts->cgroup_root) {
        /* tests: a directory shaped like cgroupfs receives what would be written; tracking stays /proc */
        s->cg_fd = open(s->opts->cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        s->cg_fake = s->cg_fd >= 0;
        snprintf(s->cg_why, sizeof(s->cg_why), "%s (--cgroup-root: written to, not used for tracking)",
                 s->opts->cgroup_root);
        return;
    }
    if (s->opts->no_cgroups) {
        snprintf(s->cg_why, sizeof(s->cg_why), "not used (--no-cgroups)");
        return;
    }
    if (!own_cgroup(own, sizeof(own))) {
        snprintf(s->cg_why, sizeof(s->cg_why), "no cgroup2 (unified) hierarchy: oya's cgroup is not in /proc/self/cgroup");
        return;
    }
    if (!find_mount(own, point, sizeof(point), root, sizeof(root))) {
        snprintf(s->cg_why, sizeof(s->cg_why), "no cgroup2 (unified) hierarchy is mounted where oya can see its cgroup");
        return;
    }
    /* the mount shows the hierarchy from root on (a container's mount may start below the top) */
    const char *rel = own;
    if (strcmp(root, "/") != 0) {
        size_t rl = strlen(root);
        if (strncmp(own, root, rl) != 0 || (own[rl] && own[rl] != '/')) {
            snprintf(s->cg_why, sizeof(s->cg_why), "oya's cgroup %s is outside the mounted %s", own, root);
            return;
        }
        rel = own + rl;
    }
    char dir[2200];
    snprintf(dir, sizeof(dir), "%s%s", point, rel);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || faccessat(fd, "cgroup.procs", W_OK, AT_EACCESS) < 0) {
        snprintf(s->cg_why, sizeof(s->cg_why), "cannot write to %s: %s", dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    const char *leaf = s->pid1 ? "init.scope" : "oya.scope";
    char sub[64];
    /* the hierarchy's real root has no cgroup.events; a cgroup namespace's root (a container's "/") has */
    bool real_root = strcmp(own, "/") == 0 && faccessat(fd, "cgroup.events", F_OK, 0) < 0;
    if (!real_root && alone_in(fd, s->self_pid)) {
        /* oya's own cgroup: it moves into a leaf of it, and the services go beside that leaf */
        if (mkdirat(fd, leaf, 0755) < 0 && errno != EEXIST) {
            snprintf(s->cg_why, sizeof(s->cg_why), "cannot make %s/%s: %s", dir, leaf, strerror(errno));
            close(fd);
            return;
        }
        int leaf_fd = openat(fd, leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r = leaf_fd >= 0 ? write_at(leaf_fd, "cgroup.procs", "0") : -errno;
        if (leaf_fd >= 0)
            close(leaf_fd);
        if (r < 0) {
            snprintf(s->cg_why, sizeof(s->cg_why), "cannot move oya into %s/%s: %s", dir, leaf, strerror(-r));
            close(fd);
            return;
        }
        s->cg_fd = fd;
        snprintf(s->cg_path, sizeof(s->cg_path), "%s", own);
        snprintf(s->cg_self, sizeof(s->cg_self), "%s%s%s", own, strcmp(own, "/") ? "/" : "", leaf);
    } else {
        /* a cgroup oya shares (a shell's, or the top of the hierarchy): a subtree of its own below it */
        remove_left_behind(fd);
        snprintf(sub, sizeof(sub), "oya-%d", s->self_pid);
        if (mkdirat(fd, sub, 0755) < 0 && errno != EEXIST) {
            snprintf(s->cg_why, sizeof(s->cg_why), "cannot make %s/%s: %s", dir, sub, strerror(errno));
            close(fd);
            return;
        }
        s->cg_fd = openat(fd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        close(fd);
        if (s->cg_fd < 0) {
            snprintf(s->cg_why, sizeof(s->cg_why), "cannot open %s/%s: %s", dir, sub, strerror(errno));
            return;
        }
        s->cg_made = true;
        snprintf(s->cg_path, sizeof(s->cg_path), "%s%s%s", own, strcmp(own, "/") ? "/" : "", sub);
        snprintf(s->cg_self, sizeof(s->cg_self), "%s", own);
    }
    s->cg_kill = faccessat(s->cg_fd, "cgroup.kill", F_OK, 0) == 0;
    /* the controllers the subtree has, enabled for the services one by one (one the kernel refuses, such
     * as cpu while a real-time process sits in the subtree, does not keep the others away); limits name
     * what is missing when a service starts */
    char ctl[512], *save = NULL;
    controllers_of(s->cg_fd, ctl, sizeof(ctl));
    for (char *w = strtok_r(ctl, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        char plus[64];
        snprintf(plus, sizeof(plus), "+%s", w);
        write_at(s->cg_fd, "cgroup.subtree_control", plus); /* refused where processes remain: fine */
    }
    char on[512];
    int sfd = openat(s->cg_fd, "cgroup.subtree_control", O_RDONLY | O_CLOEXEC);
    ssize_t n = sfd >= 0 ? fd_read_all(sfd, on, sizeof(on) - 1) : -1;
    if (sfd >= 0)
        close(sfd);
    on[n > 0 ? n : 0] = 0;
    char padded[520];
    snprintf(padded, sizeof(padded), " %s ", str_strip(on));
    s->cg_memory = strstr(padded, " memory ") != NULL;
    s->cg_io = strstr(padded, " io ") != NULL;
}

/* min(kernel.pid_max, kernel.threads-max): what TasksMax=N% is a percentage of, as systemd counts it */
static uint64_t system_tasks_max(void)
{
    char text[64];
    uint64_t best = UINT64_MAX, v;
    static const char *const files[] = {"/proc/sys/kernel/pid_max", "/proc/sys/kernel/threads-max"};
    for (size_t i = 0; i < 2; i++) {
        int fd = open(files[i], O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? fd_read_all(fd, text, sizeof(text)) : -1;
        if (fd >= 0)
            close(fd);
        text[n > 0 ? n : 0] = 0;
        if (n > 0 && str_to_u64(str_strip(text), &v) && v < best)
            best = v;
    }
    return best == UINT64_MAX ? 4194304 : best;
}

/* "DEVICE\tWHAT=VALUE" of a unit into io's "MAJ:MIN WHAT=VALUE" ("MAJ:MIN N" for a weight): the block
 * device itself, or the one a file lives on */
static bool io_line(const char *v, char *out, size_t size)
{
    const char *tab = strchr(v, '\t');
    if (!tab)
        return false;
    char dev[PATH_MAX];
    if ((size_t)(tab - v) >= sizeof(dev))
        return false;
    memcpy(dev, v, (size_t)(tab - v));
    dev[tab - v] = 0;
    struct stat st;
    if (stat(dev, &st) < 0)
        return false;
    dev_t d = S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
    const char *what = tab + 1;
    if (str_startswith(what, "weight="))
        snprintf(out, size, "%u:%u %s", major(d), minor(d), what + 7);
    else
        snprintf(out, size, "%u:%u %s", major(d), minor(d), what);
    return true;
}

/* Say once per service what of its resource control could not be applied, on stderr and in its log */
static void limit_not_applied(struct sup *s, struct service *svc, const char *key, const char *why)
{
    char text[600];
    snprintf(text, sizeof(text), "%s= not applied: %s", key, why);
    for (size_t i = 0; i < svc->limits_said.n; i++)
        if (!strcmp(svc->limits_said.v[i], text))
            return;
    strv_add(&svc->limits_said, text);
    svc->limits_said.failed = false; /* not noted for want of memory: said again next time, no worse */
    fprintf(stderr, "oya: %s: %s\n", svc->unit->name, text);
    sup_journal_add(s, svc, LOG_OYA, 4, text, strlen(text));
}

/* Write the unit's resource control into its cgroup dirfd, each where its controller is available */
static void apply_limits(struct sup *s, struct service *svc, int dirfd)
{
    const struct unit *u = svc->unit;
    svc->cg_unit = u;
    if (!u->ncgroup_sets && !u->cpu_quota_percent && !u->tasks_max && u->oom_policy != OOM_KILL)
        return; /* nothing to write: no read of the controllers either (a mass start makes hundreds) */
    char have[512], value[600];
    controllers_of(s->cg_fake ? s->cg_fd : dirfd, have, sizeof(have)); /* a test root lists them at its top */
    struct unit_cgroup_set extra[3];
    size_t nextra = 0;
    char quota[64], tasks[32];
    if (u->cpu_quota_percent) {
        uint64_t period = u->cpu_quota_period_usec ? u->cpu_quota_period_usec : 100000;
        snprintf(quota, sizeof(quota), "%llu %llu", (unsigned long long)(u->cpu_quota_percent * period / 100),
                 (unsigned long long)period);
        extra[nextra++] = (struct unit_cgroup_set){"CPUQuota", "cpu", "cpu.max", quota};
    }
    if (u->tasks_max) {
        if (u->tasks_max == UINT64_MAX)
            snprintf(tasks, sizeof(tasks), "max");
        else
            snprintf(tasks, sizeof(tasks), "%llu", (unsigned long long)(u->tasks_max_percent
                                                    ? system_tasks_max() / 100 * u->tasks_max : u->tasks_max));
        extra[nextra++] = (struct unit_cgroup_set){"TasksMax", "pids", "pids.max", tasks};
    }
    if (u->oom_policy == OOM_KILL) /* the kernel kills the whole cgroup at once */
        extra[nextra++] = (struct unit_cgroup_set){"OOMPolicy", "memory", "memory.oom.group", "1"};
    for (size_t i = 0; i < u->ncgroup_sets + nextra; i++) {
        const struct unit_cgroup_set *c = i < u->ncgroup_sets ? &u->cgroup_sets[i] : &extra[i - u->ncgroup_sets];
        char want[64];
        snprintf(want, sizeof(want), " %s ", c->controller);
        if (!strstr(have, want)) {
            char why[300];
            snprintf(why, sizeof(why), "the %s controller is not available to oya's cgroups%s", c->controller,
                     s->cg_fd >= 0 && !s->cg_fake ? " (not enabled above them, or bound to a v1 hierarchy)" : "");
            limit_not_applied(s, svc, c->key, why);
            continue;
        }
        const char *text = c->value;
        if (strchr(c->value, '\t')) {
            if (!io_line(c->value, value, sizeof(value))) {
                limit_not_applied(s, svc, c->key, "its device cannot be found");
                continue;
            }
            text = value;
        }
        /* a test root is a plain directory: its files are made, and each write is a line of its own */
        char line[700];
        int len = snprintf(line, sizeof(line), s->cg_fake ? "%s\n" : "%s", text);
        int fd = openat(dirfd, c->file, O_WRONLY | O_CLOEXEC | (s->cg_fake ? O_CREAT | O_APPEND : 0), 0644);
        ssize_t w = fd >= 0 && len > 0 ? write(fd, line, (size_t)len) : -1;
        int e = errno;
        if (fd >= 0)
            close(fd);
        if (w < 0) {
            char why[300];
            snprintf(why, sizeof(why), "cannot write %s: %s", c->file, strerror(e));
            limit_not_applied(s, svc, c->key, why);
        }
    }
}

/* memory.events' oom_kill: how many of the service's processes the OOM killer killed; -1 without the file.
 * Reading it re-arms the file's notification. */
static long long oom_kills(const struct service *svc)
{
    char text[512];
    ssize_t n = svc->cg_mem_fd >= 0 ? pread(svc->cg_mem_fd, text, sizeof(text) - 1, 0) : -1;
    if (n <= 0)
        return -1;
    text[n] = 0;
    for (const char *line = text; *line; line += strcspn(line, "\n"), line += *line == '\n') {
        uint64_t v;
        char num[32];
        if (str_startswith(line, "oom_kill ") &&
            snprintf(num, sizeof(num), "%.*s", (int)strcspn(line + 9, "\n"), line + 9) > 0 && str_to_u64(num, &v))
            return (long long)v;
    }
    return -1;
}

/* NAME.service in oya's subtree, made at each start (kept while anything of it runs), with the unit's
 * resource control written into it. With a test root (--cgroup-root) only the writing happens. */
int sup_cgroup_open(struct sup *s, struct service *svc)
{
    if (s->cg_fd < 0)
        return -1;
    if (svc->cg_fd >= 0) {
        if (svc->cg_unit != svc->unit)
            apply_limits(s, svc, svc->cg_fd); /* kept over a restart, and the unit file was reloaded */
        return svc->cg_fd;
    }
    char name[300];
    snprintf(name, sizeof(name), "%s.service", svc->unit->name);
    if (mkdirat(s->cg_fd, name, 0755) < 0 && errno != EEXIST)
        return -errno;
    /* O_PATH: every child oya starts inherits this fd until its exec closes it, and closing a directory
     * opened for reading costs a dnotify lookup each time (200 services: 40,000 of them in a mass start);
     * openat, fstat, fchownat and clone3's CLONE_INTO_CGROUP all take a path fd */
    int fd = openat(s->cg_fd, name, (s->cg_fake ? O_RDONLY : O_PATH) | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    apply_limits(s, svc, fd);
    if (s->cg_fake) {
        close(fd);
        return -ENOTSUP; /* a directory shaped like cgroupfs: the processes stay where oya is */
    }
    svc->cg_fd = fd;
    svc->cg_events_fd = openat(svc->cg_fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
    if (svc->cg_events_fd >= 0) {
        svc->cg_w = (struct watch){W_CGROUP, svc};
        /* a change of populated (or frozen) wakes the loop as EPOLLPRI */
        int r = sup_epoll_add(s, svc->cg_events_fd, EPOLLPRI, &svc->cg_w);
        if (r < 0) { /* without it, emptiness is looked at after each reap (sup_check_groups) */
            fprintf(stderr, "oya: %s: cannot watch cgroup.events (%s)\n", svc->unit->name, strerror(-r));
            fd_close(&svc->cg_events_fd);
        }
    }
    /* the OOM killer's kills are counted in memory.events, which notifies as cgroup.events does */
    svc->cg_mem_fd = s->cg_memory ? openat(svc->cg_fd, "memory.events", O_RDONLY | O_CLOEXEC) : -1;
    if (svc->cg_mem_fd >= 0) {
        long long n = oom_kills(svc);
        svc->oom_kills = n > 0 ? (uint64_t)n : 0; /* a cgroup kept from before has its count */
        svc->cg_mem_w = (struct watch){W_OOM, svc};
        int r = sup_epoll_add(s, svc->cg_mem_fd, EPOLLPRI, &svc->cg_mem_w);
        if (r < 0) {
            fprintf(stderr, "oya: %s: cannot watch memory.events (%s): its OOM kills are not seen\n",
                    svc->unit->name, strerror(-r));
            fd_close(&svc->cg_mem_fd);
        }
    }
    return svc->cg_fd;
}

bool sup_cgroup_oom_check(struct sup *s, struct service *svc, bool main_killed)
{
    long long n = oom_kills(svc);
    if (n < 0 || (uint64_t)n <= svc->oom_kills)
        return false;
    svc->oom_kills = (uint64_t)n;
    static const char text[] = "a process of the service was killed by the OOM killer";
    fprintf(stderr, "oya: %s: %s\n", svc->unit->name, text);
    sup_journal_add(s, svc, LOG_OYA, 5, text, sizeof(text) - 1);
    sup_feed(s, svc, (struct sup_event){.kind = SUP_EV_OOM, .main_killed = main_killed});
    return true;
}

/* A flag of the service's cgroup.events ("populated ", "frozen "): 1, 0, or -1 when it cannot be read.
 * Reading it is also what re-arms the file's notification. */
static int events_flag(const struct service *svc, const char *key)
{
    if (svc->cg_fd < 0 || svc->cg_events_fd < 0)
        return -1;
    char text[256];
    ssize_t n = pread(svc->cg_events_fd, text, sizeof(text) - 1, 0);
    if (n <= 0)
        return -1;
    text[n] = 0;
    const char *p = strstr(text, key);
    return p ? p[strlen(key)] == '1' : -1;
}

int sup_cgroup_populated(const struct service *svc)
{
    return events_flag(svc, "populated ");
}

/* Append the PIDs of dirfd's cgroup.procs and of every cgroup below it to *pids: 0; -1 when the top one
 * cannot be read; -ENOMEM */
static int collect_procs(int dirfd, int depth, int **pids, size_t *n, size_t *cap)
{
    int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct buf b = {0};
    int r = fd_read_to_buf(fd, &b);
    close(fd);
    if (r < 0) {
        buf_free(&b);
        return r == -ENOMEM ? r : -1;
    }
    for (const char *p = b.p ? b.p : ""; *p;) {
        int pid = atoi(p);
        if (pid > 0) {
            if (*n == *cap) {
                int *more = mem_grow(*pids, *cap ? *cap * 2 : 8, sizeof(int));
                if (!more) {
                    buf_free(&b);
                    return -ENOMEM;
                }
                *pids = more;
                *cap = *cap ? *cap * 2 : 8;
            }
            (*pids)[(*n)++] = pid;
        }
        p += strcspn(p, "\n");
        p += strspn(p, "\n");
    }
    buf_free(&b);
    struct stat st; /* a cgroup directory's link count is 2 plus its sub-cgroups (kernfs): none, no listing */
    if (depth >= CGROUP_DEPTH_MAX || (fstat(dirfd, &st) == 0 && st.st_nlink <= 2))
        return 0;
    int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return 0;
    }
    int r2 = 0;
    for (struct dirent *e; r2 != -ENOMEM && (e = readdir(d));) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.')
            continue;
        int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) {
            r2 = collect_procs(sub, depth + 1, pids, n, cap); /* one gone meanwhile is no matter */
            close(sub);
        }
    }
    closedir(d);
    return r2 == -ENOMEM ? r2 : 0;
}

ssize_t sup_cgroup_pids(const struct service *svc, int **pids)
{
    *pids = NULL;
    if (svc->cg_fd < 0)
        return -1;
    size_t n = 0, cap = 0;
    if (collect_procs(svc->cg_fd, 0, pids, &n, &cap) < 0) {
        free(*pids);
        *pids = NULL;
        return -1;
    }
    return (ssize_t)n;
}

void sup_cgroup_event(struct sup *s, struct service *svc)
{
    /* reading the file is what re-arms its notification (kernfs): without it the loop would spin; the
     * loop answers freeze and thaw requests after this (sup_answer_waiters) */
    if (sup_cgroup_populated(svc) == 0)
        sup_check_groups(s);
}

/* A small file of the service's cgroup into text; false if absent */
static bool read_small(const struct service *svc, const char *file, char *text, size_t size)
{
    int fd = openat(svc->cg_fd, file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = fd_read_all(fd, text, size);
    close(fd);
    if (n <= 0)
        return false;
    text[n] = 0;
    return true;
}

static unsigned long long keyed(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

void sup_cgroup_put_accounting(const struct sup *s, const struct service *svc, bool pressure, struct buf *b)
{
    if (svc->cg_fd < 0)
        return;
    /* the files of a controller the services' cgroups do not have are not looked for (a status costs
     * one open per figure it can show) */
    char text[4096];
    if (read_small(svc, "cpu.stat", text, sizeof(text)))
        ctl_reply_kvf(b, "cpu_usec", "%llu", keyed(text, "usage_usec "));
    if (s->cg_memory && read_small(svc, "memory.current", text, sizeof(text)))
        ctl_reply_kvf(b, "memory_current", "%llu", strtoull(text, NULL, 10));
    if (s->cg_memory && read_small(svc, "memory.peak", text, sizeof(text)))
        ctl_reply_kvf(b, "memory_peak", "%llu", strtoull(text, NULL, 10));
    if (s->cg_io && read_small(svc, "io.stat", text, sizeof(text))) {
        unsigned long long rd = 0, wr = 0; /* one line per device: "MAJ:MIN rbytes=N wbytes=N ..." */
        for (const char *p = text; (p = strstr(p, "rbytes=")); p++)
            rd += strtoull(p + 7, NULL, 10);
        for (const char *p = text; (p = strstr(p, "wbytes=")); p++)
            wr += strtoull(p + 7, NULL, 10);
        ctl_reply_kvf(b, "io_read_bytes", "%llu", rd);
        ctl_reply_kvf(b, "io_write_bytes", "%llu", wr);
    }
    static const char *const psi[] = {"cpu.pressure", "memory.pressure", "io.pressure"};
    static const char *const psi_key[] = {"pressure_cpu", "pressure_memory", "pressure_io"};
    for (size_t i = 0; i < 3 && pressure; i++) {
        if (!read_small(svc, psi[i], text, sizeof(text)))
            continue;
        /* "some avg10=0.00 avg60=0.00 avg300=0.00 total=N": the 10 s average of "some" */
        const char *p = strstr(text, "some avg10=");
        if (p)
            ctl_reply_kvf(b, psi_key[i], "%.*s", (int)strcspn(p + 11, " \n"), p + 11);
    }
}

int sup_cgroup_freeze(const struct service *svc, bool freeze)
{
    return svc->cg_fd < 0 ? -ENOENT : write_at(svc->cg_fd, "cgroup.freeze", freeze ? "1" : "0");
}

int sup_cgroup_frozen(const struct service *svc)
{
    return events_flag(svc, "frozen ");
}

bool sup_cgroup_kill(struct sup *s, struct service *svc)
{
    if (!s->cg_kill || svc->cg_fd < 0 || write_at(svc->cg_fd, "cgroup.kill", "1") < 0)
        return false;
    svc->cg_killed = true;
    return true;
}

/* The service's cgroup goes once it is empty and the service is down (a restart makes it again) */
void sup_cgroup_close(struct sup *s, struct service *svc)
{
    if (svc->cg_fd < 0)
        return;
    sup_epoll_close(s, &svc->cg_events_fd);
    sup_epoll_close(s, &svc->cg_mem_fd);
    fd_close(&svc->cg_fd);
    char name[300];
    snprintf(name, sizeof(name), "%s.service", svc->unit->name);
    remove_tree(s->cg_fd, name, 0); /* EBUSY while a process is left: it stays, and is reused */
    struct stat st;
    if (fstatat(s->cg_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        svc->cg_killed = false; /* gone: the next one is a new cgroup */
}

void sup_cgroup_teardown(struct sup *s)
{
    for (size_t i = 0; i < s->nsvcs; i++)
        sup_cgroup_close(s, s->svcs[i]);
    if (s->cg_fd < 0)
        return;
    fd_close(&s->cg_fd);
    if (s->cg_made) {
        /* oya-PID below a cgroup oya shares: remove it (oya itself never moved into it) */
        char point[1024], root[1024], dir[3400];
        if (find_mount(NULL, point, sizeof(point), root, sizeof(root))) {
            const char *rel = strcmp(root, "/") ? s->cg_path + strlen(root) : s->cg_path;
            snprintf(dir, sizeof(dir), "%s%s", point, rel);
            rmdir(dir);
        }
    }
}
